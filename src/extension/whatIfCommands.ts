// "Boot Memory: What-if Replay…" and "Boot Memory: Compare Boots…". Both show their result in the
// Memory Map panel of the log (What-if / Compare tabs).
//
//   whatIf        pickers: model, layout, kernel command line, (memblock) bottom-up; the inputs are
//                 checked with the CLI's parsers. Test hook: { uri, model, layout?, cmdline?, bottomUp? }
//                 skips the pickers. The replay runs in the engine session (the analysis worker).
//   compareBoots  two boots of the active log (two quick picks: boot A, then boot B), else the last boot
//                 of the active log and of another log (an open one or a file), as `diff A B` does.
//                 Test hook: { uri, otherUri } or { uri, bootA, bootB }. Both run in the engine session
//                 (the analysis worker): the other log is streamed or sent there and parsed off this
//                 thread, with progress and cancellation (MapPanel.compareWithDocument).
import * as vscode from 'vscode';
import { LayoutError, parseLayout } from '../engine/whatif/layout';
import { parseWhatIfCmdline } from '../engine/whatif/cmdline';
import { parseWhatIfRequest, WHATIF_MODELS, type WhatIfModel, type WhatIfRequest } from '../protocol/messages';
import { Commands, LANGUAGE_ID } from './ids';
import { MapPanel } from './panel';

const MODEL_DETAIL: Record<WhatIfModel, string> = {
  bootmem: 'classic bootmem: one bitmap per node (before 2.6.27)',
  'bootmem-2008': 'the 2008 bootmem rewrite (2.6.27+)',
  bootmem2: 'bootmem2 RFC (2008, never merged): one bitmap, nodes as contiguous blocks',
  early_res: 'x86 early_res: a list of named ranges (2.6.26–2.6.36)',
  memblock: 'memblock (2.6.35+), top-down unless bottom-up',
};

/** Checks a --layout text with the CLI's parser; returns the error text or undefined. */
export function layoutProblem(text: string): string | undefined {
  return problem(() => text.trim() && parseLayout(text.trim()));
}

/** Checks a --cmdline text with the CLI's parser; returns the error text or undefined. */
export function cmdlineProblem(text: string): string | undefined {
  return problem(() => text.trim() && parseWhatIfCmdline(text.trim()));
}

function problem(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (e) {
    return e instanceof LayoutError || e instanceof Error ? e.message : String(e);
  }
}

function record(arg: unknown): Record<string, unknown> {
  return arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? (arg as Record<string, unknown>) : {};
}

/** The log to work on: an explicit Uri, the active boot log editor, else the active Memory Map's log. */
async function targetDocument(arg: unknown): Promise<vscode.TextDocument | undefined> {
  const uri = arg instanceof vscode.Uri ? arg : record(arg).uri;
  if (uri instanceof vscode.Uri) return vscode.workspace.openTextDocument(uri);
  const doc = vscode.window.activeTextEditor?.document;
  if (doc?.languageId === LANGUAGE_ID) return doc;
  const panel = MapPanel.current();
  return panel ? vscode.workspace.openTextDocument(panel.uri) : undefined;
}

async function askWhatIf(): Promise<WhatIfRequest | undefined> {
  const title = 'Boot Memory: What-if Replay';
  const model = await vscode.window.showQuickPick(
    WHATIF_MODELS.map((m) => ({ label: m, detail: MODEL_DETAIL[m] })),
    { title: `${title} (1/3): allocator model`, placeHolder: 'Replay the boot\'s requests under which allocator?' },
  );
  if (!model) return undefined;
  const layout = await vscode.window.showInputBox({
    title: `${title} (2/3): NUMA layout`,
    prompt: 'Node ranges as "0:0-2G,4G-6G;1:2G-4G" or "even:N" (N equal nodes). Empty: the log\'s own nodes.',
    placeHolder: 'e.g. 0:0-1G;1:1G-2G',
    validateInput: layoutProblem,
  });
  if (layout === undefined) return undefined;
  const cmdline = await vscode.window.showInputBox({
    title: `${title} (3/3): kernel command line changes`,
    prompt: 'crashkernel=, cma=, mem=, memmap= to add. Empty: none.',
    placeHolder: 'e.g. crashkernel=256M cma=64M',
    validateInput: cmdlineProblem,
  });
  if (cmdline === undefined) return undefined;
  let bottomUp = false;
  if (model.label === 'memblock') {
    const dir = await vscode.window.showQuickPick(['top-down (default)', 'bottom-up (movable_node)'], { title: `${title}: memblock search direction` });
    if (!dir) return undefined;
    bottomUp = dir.startsWith('bottom');
  }
  return parseWhatIfRequest({ model: model.label, layout, cmdline, bottomUp });
}

async function whatIf(extensionUri: vscode.Uri, arg: unknown): Promise<boolean> {
  const document = await targetDocument(arg);
  if (!document) {
    void vscode.window.showInformationMessage('Open a kernel boot log first, then run "Boot Memory: What-if Replay…".');
    return false;
  }
  const a = record(arg);
  let request: WhatIfRequest | undefined;
  if (a.model !== undefined) {
    request = parseWhatIfRequest(a);
    const bad = request ? (layoutProblem(request.layout ?? '') ?? cmdlineProblem(request.cmdline ?? '')) : `unknown model ${String(a.model)}`;
    if (bad) {
      void vscode.window.showErrorMessage(`Boot Memory: What-if: ${bad}`);
      return false;
    }
  } else request = await askWhatIf();
  if (!request) return false;
  const panel = MapPanel.createOrShow(extensionUri, document);
  const error = await panel.runWhatIf(request, typeof a.bootIndex === 'number' ? a.bootIndex : undefined);
  if (error) void vscode.window.showErrorMessage(`Boot Memory: What-if: ${error}`);
  return error === undefined;
}

// ------------------------------------------------------------------------------------------------
// Compare

function baseName(uri: vscode.Uri): string {
  const parts = uri.path.split('/');
  return parts[parts.length - 1] || uri.path;
}

/** Another boot log to compare with: an open one, or a file from the open dialog. */
async function pickOtherLog(document: vscode.TextDocument): Promise<vscode.Uri | undefined> {
  const others = vscode.workspace.textDocuments.filter((d) => d.languageId === LANGUAGE_ID && d.uri.toString() !== document.uri.toString());
  const browse = { label: '$(folder-opened) Choose a file…', uri: undefined as vscode.Uri | undefined };
  const items = [...others.map((d) => ({ label: baseName(d.uri), description: vscode.workspace.asRelativePath(d.uri), uri: d.uri as vscode.Uri | undefined })), browse];
  const picked = items.length === 1 ? browse : await vscode.window.showQuickPick(items, { title: `Boot Memory: Compare ${baseName(document.uri)} with…` });
  if (!picked) return undefined;
  if (picked.uri) return picked.uri;
  const files = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Compare', title: `Compare ${baseName(document.uri)} with` });
  return files?.[0];
}

/** Two boots of one log: A then B. */
async function pickBoots(boots: { index: number; kernelVersion?: string; startLine: number; endLine: number }[]): Promise<[number, number] | undefined> {
  const items = boots.map((b) => ({ label: `Boot ${b.index}`, description: `${b.kernelVersion ?? ''} lines ${b.startLine}–${b.endLine}`.trim(), index: b.index }));
  const first = await vscode.window.showQuickPick(items, { title: 'Boot Memory: Compare Boots (1/2): boot A' });
  if (!first) return undefined;
  const second = await vscode.window.showQuickPick(items.filter((i) => i.index !== first.index), { title: `Boot Memory: Compare Boots (2/2): boot ${first.index} with boot B` });
  return second ? [first.index, second.index] : undefined;
}

/** The log against another one, in the engine's worker; errors become a message, never a throw. */
async function compareDocuments(panel: MapPanel, other: vscode.Uri): Promise<boolean> {
  const outcome = await panel.compareWithDocument(other);
  if (outcome.error) void vscode.window.showErrorMessage(`Boot Memory: Compare: ${outcome.error}`);
  return !outcome.error && !outcome.cancelled;
}

/** Two boots of the panel's log. */
async function compareTwoBoots(panel: MapPanel, bootA: number, bootB: number): Promise<boolean> {
  const error = await panel.compareBoots(bootA, bootB);
  if (error) void vscode.window.showErrorMessage(`Boot Memory: Compare: ${error}`);
  return error === undefined;
}

async function compareBoots(extensionUri: vscode.Uri, arg: unknown): Promise<boolean> {
  const document = await targetDocument(arg);
  if (!document) {
    void vscode.window.showInformationMessage('Open a kernel boot log first, then run "Boot Memory: Compare Boots…".');
    return false;
  }
  const a = record(arg);
  const panel = MapPanel.createOrShow(extensionUri, document);
  if (a.otherUri instanceof vscode.Uri) return compareDocuments(panel, a.otherUri);
  if (typeof a.bootA === 'number' && typeof a.bootB === 'number') return compareTwoBoots(panel, a.bootA, a.bootB);
  const boots = await panel.boots();
  if (boots.length >= 2) {
    const pair = await pickBoots(boots);
    return pair ? compareTwoBoots(panel, pair[0], pair[1]) : false;
  }
  const other = await pickOtherLog(document);
  return other ? compareDocuments(panel, other) : false;
}

export function registerWhatIfCommands(extensionUri: vscode.Uri): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(Commands.whatIf, (arg?: unknown) => whatIf(extensionUri, arg)),
    vscode.commands.registerCommand(Commands.compareBoots, (arg?: unknown) => compareBoots(extensionUri, arg)),
  );
}
