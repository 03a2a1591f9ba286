// Extension entry point, bundled twice by scripts/build.mjs: dist/extension.js (Node extension host)
// and dist/web/extension.js (web worker host). It therefore must not use Node built-ins.
import * as vscode from 'vscode';
import { Commands, CONFIG_SECTION, LANGUAGE_ID, MAP_VIEW_TYPE, Settings } from './ids';
import { MapPanel, type MapPanelInfo, type MapPanelTesting } from './panel';
import { activateLanguageFeatures, type LanguageFeatures } from './features';
import { registerWhatIfCommands } from './whatIfCommands';
import { looksLikeKernelLog } from '../engine/sniff';

/** Returned from activate(); `vscode.extensions.getExtension(EXTENSION_ID).exports`. */
export interface BootMemoryLensApi {
  /** The open Memory Map panels (used by the in-host tests). */
  mapPanels(): MapPanelInfo[];
  /** Analyses, tree and status bar of the language features (features.ts). */
  features: LanguageFeatures;
  /** Test hooks of the Memory Map panel (inject webview messages, read what the host posted). */
  mapPanelTesting: MapPanelTesting;
}

export function activate(context: vscode.ExtensionContext): BootMemoryLensApi {
  const { extensionUri } = context;

  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.openMap, async (arg?: unknown) => {
      const document = await pickDocument(arg);
      const line = mapLine(arg);
      if (!document) {
        void vscode.window.showInformationMessage(
          'Open a kernel boot log (dmesg, kern.log, a serial console capture) first, then run "Boot Memory: Open Memory Map".',
        );
        return;
      }
      MapPanel.createOrShow(extensionUri, await asBootLog(document), line);
    }),
    vscode.window.registerWebviewPanelSerializer(MAP_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state) => MapPanel.revive(panel, extensionUri, state),
    }),
    languageStatus(),
    { dispose: () => MapPanel.disposeAll() },
  );

  const features = activateLanguageFeatures(context);
  // The map reads the same analyses as the language features (one per document, off-thread).
  context.subscriptions.push(MapPanel.useEngine(features.analysis), ...MapPanel.registerCommands());
  context.subscriptions.push(openMapOnOpen(extensionUri), registerWhatIfCommands(extensionUri));

  return { mapPanels: () => MapPanel.all(), features, mapPanelTesting: MapPanel.testing(extensionUri) };
}

export function deactivate(): void {
  MapPanel.disposeAll();
}

/** The command's target: a Uri argument (explorer/editor menus, tests), else the active editor. */
async function pickDocument(arg: unknown): Promise<vscode.TextDocument | undefined> {
  // CodeLens "Show in map" passes { uri, line }.
  if (arg && typeof arg === 'object' && 'uri' in arg && (arg as { uri: unknown }).uri instanceof vscode.Uri) {
    return vscode.workspace.openTextDocument((arg as { uri: vscode.Uri }).uri);
  }
  if (arg instanceof vscode.Uri) {
    // Reads the file (or finds it open); never writes.
    return vscode.workspace.openTextDocument(arg);
  }
  return vscode.window.activeTextEditor?.document;
}

/**
 * A document the user asked to map that VS Code did not take for a boot log (a `.log` capture that
 * starts with firmware output, say): when its text looks like a kernel log, switch it to the boot-log
 * language, so it is analysed off the host thread like any other log (and gets its highlighting and
 * problems). Only the editor's language changes; the file is not touched.
 */
async function asBootLog(document: vscode.TextDocument): Promise<vscode.TextDocument> {
  if (document.languageId === LANGUAGE_ID) return document;
  const head = document.getText(new vscode.Range(0, 0, Math.min(document.lineCount, 400), 0));
  if (!looksLikeKernelLog(head)) return document;
  try {
    return await vscode.languages.setTextDocumentLanguage(document, LANGUAGE_ID);
  } catch {
    return document;
  }
}

/** The 1-based line of a `{ uri, line }` argument (CodeLens "Show in map"), if any. */
function mapLine(arg: unknown): number | undefined {
  if (!arg || typeof arg !== 'object' || !('line' in arg)) return undefined;
  const line = (arg as { line: unknown }).line;
  return typeof line === 'number' && Number.isInteger(line) && line >= 1 ? line : undefined;
}

/** With `bootMemoryLens.openMapOnOpen`, show the map beside every boot log opened in an editor. */
function openMapOnOpen(extensionUri: vscode.Uri): vscode.Disposable {
  const maybeOpen = (editor: vscode.TextEditor | undefined) => {
    const document = editor?.document;
    if (!document || document.languageId !== LANGUAGE_ID) return;
    if (!vscode.workspace.getConfiguration(CONFIG_SECTION, document.uri).get<boolean>(Settings.openMapOnOpen, false)) return;
    if (MapPanel.all().some((panel) => panel.documentUri === document.uri.toString())) return;
    MapPanel.createOrShow(extensionUri, document);
  };
  maybeOpen(vscode.window.activeTextEditor);
  return vscode.window.onDidChangeActiveTextEditor(maybeOpen);
}

/** A language status entry ({} in the status bar) on boot logs, offering the map. */
function languageStatus(): vscode.Disposable {
  const item = vscode.languages.createLanguageStatusItem('bootMemoryLens.status', { language: LANGUAGE_ID });
  item.name = 'Boot Memory Lens';
  item.text = 'Boot Memory Lens';
  item.detail = 'memory map';
  item.command = { command: Commands.openMap, title: 'Open Memory Map', tooltip: 'Boot Memory: Open Memory Map' };
  return item;
}
