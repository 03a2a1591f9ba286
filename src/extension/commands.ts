// Commands of the language features (category "Boot Memory"):
//   Go to Matching Reserve/Free   from a free to its reserve, from a reserve/alloc to its frees
//   Show Leaks                    focuses the Leaks group of the tree
//   Export Analysis as JSON       writes the analysis (schema bootmem-lens/analysis) to a NEW file the
//                                 user picks; never to the log itself
import * as vscode from 'vscode';
import type { AnalysisService } from './analysisService';
import { baseName } from './analysisService';
import { Commands, InternalCommands, LANGUAGE_ID } from './ids';
import { matchingLocations } from './languageFeatures';
import type { BootMemoryTreeProvider, TreeNode } from './tree';
import { jsonChunks } from '../engine/report/json';

/** Argument of goToMatching (CodeLens) and the optional one of exportAnalysis. */
interface UriLineArg {
  uri?: vscode.Uri;
  line?: number;
}

/** Optional argument of exportAnalysis: `target` skips the save dialog (tests, other extensions). */
export interface ExportArg {
  uri?: vscode.Uri;
  target?: vscode.Uri;
}

function asUriLine(arg: unknown): UriLineArg {
  if (arg instanceof vscode.Uri) return { uri: arg };
  if (arg && typeof arg === 'object') {
    const a = arg as Record<string, unknown>;
    const uri = a.uri instanceof vscode.Uri ? a.uri : undefined;
    const line = typeof a.line === 'number' && Number.isInteger(a.line) && a.line >= 1 ? a.line : undefined;
    return { uri, line };
  }
  return {};
}

async function targetDocument(uri: vscode.Uri | undefined): Promise<vscode.TextDocument | undefined> {
  if (uri) return vscode.workspace.openTextDocument(uri);
  const doc = vscode.window.activeTextEditor?.document;
  return doc?.languageId === LANGUAGE_ID ? doc : undefined;
}

export function registerCommands(service: AnalysisService, tree: BootMemoryTreeProvider, treeView: vscode.TreeView<TreeNode>): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(Commands.goToMatching, async (arg?: unknown) => {
      const { uri, line } = asUriLine(arg);
      const document = await targetDocument(uri);
      if (!document) {
        void vscode.window.showInformationMessage('Open a kernel boot log and put the cursor on a reserve, alloc or free line first.');
        return;
      }
      const editor = vscode.window.activeTextEditor;
      const line0 = line !== undefined ? line - 1 : editor && editor.document === document ? editor.selection.active.line : 0;
      const locations = await matchingLocations(service, document, line0);
      if (locations.length === 0) {
        void vscode.window.setStatusBarMessage('Boot Memory: no matching reserve or free for this line', 4000);
        return;
      }
      if (locations.length === 1) {
        await vscode.window.showTextDocument(document, { selection: locations[0].range });
        return;
      }
      // Several frees: go to the first and peek at all.
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('editor.action.goToLocations', document.uri, new vscode.Position(line0, 0), locations, 'gotoAndPeek', 'No matching reserve/free');
    }),

    vscode.commands.registerCommand(InternalCommands.treeShowMore, (more?: TreeNode) => (more ? tree.showMore(more) : undefined)),
    vscode.commands.registerCommand(Commands.showLeaks, async () => {
      const editor = vscode.window.activeTextEditor;
      const line = editor && tree.uri && editor.document.uri.toString() === tree.uri.toString() ? editor.selection.active.line + 1 : undefined;
      const group = await tree.leaksGroup(line);
      if (!group) {
        void vscode.window.showInformationMessage('Open a kernel boot log first: its leaks appear in the Boot Memory view once it is analysed.');
        return;
      }
      await treeView.reveal(group, { select: true, focus: true, expand: true });
    }),

    vscode.commands.registerCommand(Commands.exportAnalysis, async (arg?: unknown) => {
      const a = (arg && typeof arg === 'object' ? arg : {}) as ExportArg;
      const document = await targetDocument(a.uri instanceof vscode.Uri ? a.uri : arg instanceof vscode.Uri ? arg : undefined);
      if (!document) {
        void vscode.window.showInformationMessage('Open a kernel boot log first, then run "Boot Memory: Export Analysis as JSON".');
        return undefined;
      }
      let target = a.target instanceof vscode.Uri ? a.target : undefined;
      if (!target) {
        const name = baseName(document.uri).replace(/\.[^.]*$/, '') || 'boot-log';
        target = await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.joinPath(document.uri, '..', `${name}.bootmem.json`),
          filters: { JSON: ['json'] },
          saveLabel: 'Export Analysis',
          title: 'Boot Memory: Export Analysis as JSON',
        });
        if (!target) return undefined;
      }
      if (target.toString() === document.uri.toString()) {
        void vscode.window.showErrorMessage('Boot Memory Lens never writes to the log itself: pick another file.');
        return undefined;
      }
      const analysis = await service.analysis(document);
      if (!analysis) {
        void vscode.window.showErrorMessage(`Boot Memory Lens could not analyse ${baseName(document.uri)}: ${service.lastError(document.uri) ?? 'no result'}`);
        return undefined;
      }
      const json = await analysis.analysisJson(baseName(document.uri));
      await vscode.workspace.fs.writeFile(target, encodeJson(json));
      if (!a.target) void vscode.window.showInformationMessage(`Boot Memory: analysis written to ${baseName(target)}`);
      return target;
    }),
  );
}

/** The report as UTF-8 bytes, built chunk by chunk (a big log's report exceeds V8's longest string). */
function encodeJson(json: unknown): Uint8Array {
  const encoder = new TextEncoder();
  const parts = [...jsonChunks(json)].map((chunk) => encoder.encode(chunk));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}
