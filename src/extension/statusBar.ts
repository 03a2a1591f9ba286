// One right-aligned status bar item while a boot log is the active editor:
// "$(server) 2 nodes · 125 MiB reserved · 8 findings", or a spinner while the log is parsed.
import * as vscode from 'vscode';
import type { AnalysisService } from './analysisService';
import { humanBytes } from './format';
import { ContextKeys, LANGUAGE_ID, Views } from './ids';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('bootMemoryLens.summary', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly service: AnalysisService) {
    this.item.name = 'Boot Memory Lens';
    this.item.command = { title: 'Show Boot Memory', command: `${Views.tree}.focus` };
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      service.onDidAnalyze(() => this.update()),
      service.onDidChangeBusy(() => this.update()),
      service.onDidFail(() => this.update()),
      service.onDidChangeActiveUnsyncedLog(() => this.update()),
    );
    this.update();
  }

  /** The current text ('' when hidden); the tests read it. */
  get text(): string {
    return this.visible ? this.item.text : '';
  }

  private visible = false;

  update(): void {
    const document = vscode.window.activeTextEditor?.document;
    // A log too big for VS Code to sync has a tab but no text editor: follow the service's tab watch.
    const uri = document ? (document.languageId === LANGUAGE_ID ? document.uri : undefined) : this.service.activeUnsyncedLog;
    if (!uri) {
      this.visible = false;
      this.item.hide();
      void vscode.commands.executeCommand('setContext', ContextKeys.activeLog, false);
      return;
    }
    const analysis = this.service.latest(uri);
    const error = this.service.lastError(uri);
    if (this.service.isBusy(uri)) {
      this.item.text = '$(sync~spin) Boot Memory: parsing…';
      this.item.tooltip = 'Boot Memory Lens is analysing this log';
    } else if (analysis) {
      const s = analysis.summary;
      const findings = s.findings.error + s.findings.warning + s.findings.info;
      this.item.text = `$(server) ${s.nodeCount} node${s.nodeCount === 1 ? '' : 's'} · ${humanBytes(s.reservedBytes)} reserved · ${findings} finding${findings === 1 ? '' : 's'}`;
      const tip = new vscode.MarkdownString(undefined, false);
      tip.isTrusted = false;
      tip.appendText(
        `Boot Memory Lens: ${s.boots.length} boot${s.boots.length === 1 ? '' : 's'}, ${s.nodeCount} NUMA node${s.nodeCount === 1 ? '' : 's'}, ` +
          `${humanBytes(s.reservedBytes)} reserved at the hand-off; findings: ${s.findings.error} errors, ${s.findings.warning} warnings, ${s.findings.info} info. ` +
          `Analysed in ${analysis.durationMs} ms (${analysis.host}).`,
      );
      this.item.tooltip = tip;
    } else if (error) {
      this.item.text = '$(error) Boot Memory: failed';
      this.item.tooltip = `Boot Memory Lens could not analyse this log: ${error}`;
    } else {
      this.item.text = '$(sync~spin) Boot Memory: parsing…';
      this.item.tooltip = undefined;
    }
    this.visible = true;
    this.item.show();
    void vscode.commands.executeCommand('setContext', ContextKeys.activeLog, analysis !== undefined);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
