// Host-side language features of boot logs, wired in one place so extension.ts needs one call:
// the analysis service, Problems, hovers, definition/references, CodeLens, outline, folding, the
// "Boot Memory" tree, the status bar item and the commands that go with them.
import * as vscode from 'vscode';
import { AnalysisService } from './analysisService';
import { registerCommands } from './commands';
import { Views } from './ids';
import { registerLanguageFeatures } from './languageFeatures';
import { StatusBar } from './statusBar';
import { BootMemoryTreeProvider, type TreeNode } from './tree';

export interface LanguageFeatures {
  /** One analysis per boot-log document (see analysisService.ts for the API). */
  readonly analysis: AnalysisService;
  /** The tree view's data provider (the tests walk it). */
  readonly tree: BootMemoryTreeProvider;
  /** The "Boot Memory" tree view (the tests read its selection). */
  readonly treeView: vscode.TreeView<TreeNode>;
  /** The status bar item's current text ('' when hidden). */
  statusBarText(): string;
}

export function activateLanguageFeatures(context: vscode.ExtensionContext): LanguageFeatures {
  const service = new AnalysisService(context.extensionUri);
  const tree = new BootMemoryTreeProvider(service);
  const treeView = vscode.window.createTreeView<TreeNode>(Views.tree, { treeDataProvider: tree, showCollapseAll: true });
  const statusBar = new StatusBar(service);
  context.subscriptions.push(
    service,
    registerLanguageFeatures(service),
    tree,
    treeView,
    statusBar,
    registerCommands(service, tree, treeView),
  );
  return { analysis: service, tree, treeView, statusBarText: () => statusBar.text };
}
