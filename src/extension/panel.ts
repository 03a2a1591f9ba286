// The "Memory Map" webview panel: one per log document. The panel only reads the document; it never
// edits or saves it. Log text reaches the webview only inside messages and is rendered there with
// textContent, never as HTML.
//
// Host side of the protocol (src/protocol/messages.ts):
//   ready          -> init, boot (BootView), state (at the restored / requested / default playhead)
//   requestPage    -> timelinePage (at most MAX_PAGE rows; the webview pages them in as it scrolls)
//   selectEvent    -> state; with reveal, the event's line is revealed and highlighted in the editor
//   selectBoot     -> boot + state
//   seek           -> playhead + state at the next/previous event of a kind (or seekResult: none)
//   revealLine     -> the line is revealed and highlighted in the editor
//   export         -> save dialog (or the test sink), then exportResult
//   runWhatIf      -> whatIf (the replay of the boot, in the engine's worker) or whatIfError
// The What-if and Compare commands (whatIfCommands.ts) call runWhatIf / compareBoots /
// compareWithDocument (both logs are parsed in the engine's worker, never on this thread); the last
// result of each is resent after every `ready`, so a panel opened by the command shows it once its
// script runs. The webview persists what they were (the what-if's inputs, what was compared: never the
// results) and after a window reload `revive` gets it back: the host validates it, then runs them
// again once the restored webview says ready (the results come back marked `restored`, so the webview
// keeps the tab it restored).
// And the other way: the editor cursor in the log moves the playhead (debounced: playhead + state);
// commands (step, findings, export...) are forwarded as `action`.
import * as vscode from 'vscode';
import { CONFIG_SECTION, Commands, MAP_VIEW_TYPE, Settings } from './ids';
import { isNodeHost } from './analysisService';
import type { OtherLog } from '../engine/session/api';
import {
  MAX_PAGE,
  PROTOCOL_VERSION,
  parsePersistedState,
  parseWebviewMessage,
  type BootSummary,
  type BootView,
  type DocumentInfo,
  type HostToWebview,
  type PanelAction,
  type SeekTarget,
  type WebviewToHost,
  type CompareMessage,
  type CompareSource,
  type PersistedWhatIf,
  type WhatIfMessage,
  type WhatIfRequest,
} from '../protocol/messages';
import { InProcessEngine, withFallback, type PanelEngine, type PanelSession } from './panel/engine';

/** What the tests (and later other extensions) can observe about open panels. */
export interface MapPanelInfo {
  documentUri: string;
  /** True once the webview script ran and completed the ready/init handshake. */
  handshakeDone: boolean;
  /** Number of `ready` messages received (a re-created webview says ready again). */
  readyCount: number;
  /** Messages from the webview that failed validation and were dropped. */
  rejectedMessages: number;
  /** The playhead as the host last sent or was told it. */
  bootIndex: number;
  eventIndex: number;
  /** Whether this panel is the active editor tab. */
  active: boolean;
}

/** Test hooks, exposed through the extension's API (never used by the product itself). */
export interface MapPanelTesting {
  /** Feeds a raw message to a panel as if its webview had posted it; resolves when handled. */
  receive(documentUri: string, raw: unknown): Promise<void>;
  /** Messages the host posted to a panel's webview (the last 200), oldest first. */
  sent(documentUri: string): HostToWebview[];
  clearSent(documentUri: string): void;
  /** Replaces the save dialog of exports: return where it "went", or undefined to cancel. */
  setExportSink(sink: ((format: 'svg' | 'png', bytes: Uint8Array, documentUri: string) => string | undefined) | undefined): void;
  /**
   * What the WebviewPanelSerializer does after a window reload: a new webview panel handed to
   * `MapPanel.revive` with `state` as the webview's persisted state (any value: it is validated).
   */
  revive(state: unknown): Promise<void>;
}

/** The outcome of a comparison the panel ran: nothing went wrong, or why it did not show. */
export interface CompareOutcome {
  error?: string;
  /** The user cancelled it (or a newer comparison replaced it). */
  cancelled?: boolean;
}

/** What a revived panel runs again once its webview is ready. */
interface Restore {
  whatIf?: PersistedWhatIf;
  compare?: CompareSource;
}

/** Commands the panel contributes (forwarded to the active map as PanelAction). */
export const PanelCommands: Record<string, PanelAction> = {
  [Commands.stepForward]: 'stepForward',
  [Commands.stepBack]: 'stepBack',
  [Commands.nextFinding]: 'nextFinding',
  [Commands.previousFinding]: 'previousFinding',
  [Commands.nextLeak]: 'nextLeak',
  [Commands.start]: 'start',
  [Commands.end]: 'end',
  [Commands.exportSvg]: 'exportSvg',
  [Commands.exportPng]: 'exportPng',
};

const BANNER_SCAN_LINES = 400;
const MAX_BANNER = 300;
const SENT_LOG = 200;
const CURSOR_DEBOUNCE_MS = 120;
const SEEK_CHUNK = 4096;
/** A comparison with a bigger other log shows its progress as a (cancellable) notification. */
const NOTIFY_ABOVE_BYTES = 8 * 1024 * 1024;
const COMPARE_CANCELLED = 'Comparison cancelled.';
/** After the panel moved the editor cursor, ignore the selection event that echoes it for this long. */
const ECHO_MS = 1500;

export class MapPanel implements vscode.Disposable {
  private static readonly byDocument = new Map<string, MapPanel>();
  private static lastActive: MapPanel | undefined;
  private static fallback = new InProcessEngine();
  private static engine: PanelEngine = withFallback(undefined, MapPanel.fallback);
  private static exportSink: Parameters<MapPanelTesting['setExportSink']>[0];
  private static lineDecoration: vscode.TextEditorDecorationType | undefined;

  /** Wires the analysis service in (extension.ts); without it the panel analyses in process. */
  static useEngine(primary: PanelEngine | undefined): vscode.Disposable {
    MapPanel.engine = withFallback(primary, MapPanel.fallback);
    const sub = primary?.onDidAnalyze?.((e) => MapPanel.byDocument.get(e.uri.toString())?.onReanalysed());
    return { dispose: () => sub?.dispose() };
  }

  /** Registers the panel's commands (step, findings, leaks, export), forwarded to the active map. */
  static registerCommands(): vscode.Disposable[] {
    return Object.entries(PanelCommands).map(([id, action]) =>
      vscode.commands.registerCommand(id, () => {
        const target = MapPanel.target();
        if (!target) {
          void vscode.window.showInformationMessage('Open a Memory Map first ("Boot Memory: Open Memory Map").');
          return false;
        }
        target.post({ type: 'action', action });
        return true;
      }),
    );
  }

  static testing(extensionUri: vscode.Uri): MapPanelTesting {
    const find = (uri: string) => {
      const p = MapPanel.byDocument.get(uri);
      if (!p) throw new Error(`no Memory Map for ${uri}`);
      return p;
    };
    return {
      receive: (uri, raw) => find(uri).onMessage(raw),
      sent: (uri) => [...find(uri).sentLog],
      clearSent: (uri) => {
        find(uri).sentLog.length = 0;
      },
      setExportSink: (sink) => {
        MapPanel.exportSink = sink;
      },
      revive: async (state) => {
        const panel = vscode.window.createWebviewPanel(MAP_VIEW_TYPE, 'Memory Map', { viewColumn: vscode.ViewColumn.Active, preserveFocus: true }, MapPanel.webviewOptions(extensionUri));
        await MapPanel.revive(panel, extensionUri, state);
      },
    };
  }

  /** The map the panel commands act on (the active one, else the last active). */
  static current(): MapPanel | undefined {
    return MapPanel.target();
  }

  private static target(): MapPanel | undefined {
    const panels = [...MapPanel.byDocument.values()];
    return panels.find((p) => p.panel.active) ?? (MapPanel.lastActive && !MapPanel.lastActive.disposed ? MapPanel.lastActive : panels[panels.length - 1]);
  }

  /** Opens (or focuses) the map for `document`, beside the editor; with `line`, at that line's event. */
  static createOrShow(extensionUri: vscode.Uri, document: vscode.TextDocument, line?: number): MapPanel {
    const key = document.uri.toString();
    const existing = MapPanel.byDocument.get(key);
    if (existing) {
      existing.panel.reveal(undefined, true);
      if (line !== undefined) void existing.goToLine(line);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      MAP_VIEW_TYPE,
      MapPanel.title(document.uri),
      // Beside the log when it is in an editor; from the Explorer (no editor) in the active group,
      // where the webview is visible at once and can start.
      { viewColumn: vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active, preserveFocus: true },
      MapPanel.webviewOptions(extensionUri),
    );
    const created = new MapPanel(panel, extensionUri, document.uri, document);
    created.pendingLine = line;
    return created;
  }

  /** Restores a panel after a window reload (called by the WebviewPanelSerializer). */
  static async revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, state: unknown): Promise<void> {
    // The serializer hands back whatever the webview stored: validate it like any webview input.
    const persisted = parsePersistedState(state);
    panel.webview.options = MapPanel.webviewOptions(extensionUri);
    if (!persisted) {
      panel.webview.html = MapPanel.html(panel.webview, extensionUri);
      void panel.webview.postMessage({ type: 'error', message: 'No log is associated with this panel any more. Open a boot log and run "Boot Memory: Open Memory Map".' } satisfies HostToWebview);
      return;
    }
    let uri: vscode.Uri;
    try {
      uri = vscode.Uri.parse(persisted.documentUri, true);
    } catch {
      panel.dispose();
      return;
    }
    const key = uri.toString();
    const existing = MapPanel.byDocument.get(key);
    if (existing) {
      // Restored twice (should not happen): keep the first one.
      panel.dispose();
      existing.panel.reveal(undefined, true);
      return;
    }
    panel.title = MapPanel.title(uri);
    // The document is opened lazily, when the webview says ready (so a deleted file gives an error).
    // The webview restores its own view (playhead, zoom, tab) from its state and sends it with
    // `ready`; the what-if and the comparison it showed are run again here (their inputs only were kept).
    new MapPanel(panel, extensionUri, uri, undefined, { whatIf: persisted.whatIf, compare: persisted.compare });
  }

  /** The open map of a document, if any. */
  static of(uri: vscode.Uri): MapPanel | undefined {
    return MapPanel.byDocument.get(uri.toString());
  }

  static all(): MapPanelInfo[] {
    return [...MapPanel.byDocument.values()].map((p) => p.info());
  }

  static disposeAll(): void {
    for (const p of [...MapPanel.byDocument.values()]) p.dispose();
  }

  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      // The webview may load only our bundles.
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
      // The view state lives in setState/getState, so the context need not be retained when hidden.
      retainContextWhenHidden: false,
    };
  }

  private readonly disposables: vscode.Disposable[] = [];
  private readonly key: string;
  private readonly sentLog: HostToWebview[] = [];
  private readyCount = 0;
  private rejected = 0;
  private handshakeDone = false;
  private disposed = false;
  private bootIndex = 0;
  private eventIndex = -1;
  private bootSent = -1;
  private pendingLine: number | undefined;
  private cursorTimer: ReturnType<typeof setTimeout> | undefined;
  private echo: { line: number; until: number } | undefined;
  private highlighted: { line: number } | undefined;
  /** The last what-if and comparison shown (resent after a `ready`), and whether the webview got them. */
  private lastWhatIf: { message: WhatIfMessage; delivered: boolean } | undefined;
  private lastCompare: { message: CompareMessage; delivered: boolean } | undefined;
  /** The comparison with another log in progress (a newer one, or closing the panel, cancels it). */
  private compareRun: AbortController | undefined;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly documentUri: vscode.Uri,
    private document: vscode.TextDocument | undefined,
    /** From the persisted state of a revived panel: run again after the first successful `ready`. */
    private restore?: Restore,
  ) {
    this.key = documentUri.toString();
    MapPanel.byDocument.set(this.key, this);
    MapPanel.lastActive = this;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'map.svg');
    panel.webview.html = MapPanel.html(panel.webview, extensionUri);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active) MapPanel.lastActive = this;
      }),
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.toString() === this.key) {
          this.document = undefined;
          MapPanel.fallback.forget(this.key);
        }
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        // Without the analysis service, re-analyse (debounced by the cursor timer) on edits.
        if (e.document.uri.toString() === this.key && e.contentChanges.length > 0 && !MapPanel.engine.onDidAnalyze) this.scheduleReanalysis();
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => this.onEditorSelection(e)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.applyHighlight()),
    );
  }

  private info(): MapPanelInfo {
    return {
      documentUri: this.key,
      handshakeDone: this.handshakeDone,
      readyCount: this.readyCount,
      rejectedMessages: this.rejected,
      bootIndex: this.bootIndex,
      eventIndex: this.eventIndex,
      active: this.panel.active,
    };
  }

  private post(message: HostToWebview): void {
    if (this.disposed) return;
    this.sentLog.push(message);
    if (this.sentLog.length > SENT_LOG) this.sentLog.splice(0, this.sentLog.length - SENT_LOG);
    void this.panel.webview.postMessage(message);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const message: WebviewToHost | undefined = parseWebviewMessage(raw);
    if (!message) {
      this.rejected++;
      return;
    }
    try {
      switch (message.type) {
        case 'ready':
          this.readyCount++;
          await this.onReady(message.bootIndex, message.eventIndex);
          break;
        case 'revealLine':
          await this.revealLine(message.line);
          break;
        case 'requestPage':
          await this.sendPage(message.bootIndex, message.start, Math.min(message.count, MAX_PAGE));
          break;
        case 'selectEvent':
          await this.selectEvent(message.bootIndex, message.eventIndex, message.reveal);
          break;
        case 'selectBoot':
          await this.selectEvent(message.bootIndex, Number.MAX_SAFE_INTEGER, false);
          break;
        case 'seek':
          await this.seek(message.bootIndex, message.from, message.direction, message.target);
          break;
        case 'export':
          await this.saveExport(message.format, message.data);
          break;
        case 'runWhatIf': {
          const { type: _type, bootIndex, ...request } = message;
          await this.runWhatIf(request, bootIndex);
          break;
        }
      }
    } catch (e) {
      this.post({ type: 'error', message: `Memory Map: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private async openDocument(): Promise<vscode.TextDocument> {
    if (!this.document || this.document.isClosed) {
      // Opening a TextDocument only reads the file; nothing here ever writes to it.
      this.document = await vscode.workspace.openTextDocument(this.documentUri);
    }
    return this.document;
  }

  private async session(): Promise<PanelSession | undefined> {
    const document = await this.openDocument();
    return MapPanel.engine.session(document);
  }

  private async onReady(bootIndex?: number, eventIndex?: number): Promise<void> {
    let document: vscode.TextDocument;
    try {
      document = await this.openDocument();
    } catch (e) {
      this.post({ type: 'error', message: `Cannot open ${MapPanel.baseName(this.documentUri)}: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    this.post({ type: 'init', protocol: PROTOCOL_VERSION, document: describeDocument(document) });
    this.handshakeDone = true;
    this.bootSent = -1;
    this.post({ type: 'progress', fraction: 0, message: 'Analysing the log…' });
    const session = await this.session();
    if (!session) {
      this.post({ type: 'error', message: 'This document could not be analysed.' });
      return;
    }
    const summary = await session.summary();
    if (summary.boots.length === 0) {
      this.post({ type: 'error', message: 'No kernel boot was found in this log (no "Linux version" banner or memory messages).' });
      return;
    }
    let target: { bootIndex: number; eventIndex: number } | undefined;
    if (this.pendingLine !== undefined) {
      target = await session.eventAtLine(this.pendingLine);
      this.pendingLine = undefined;
    }
    if (!target && bootIndex !== undefined && eventIndex !== undefined && bootIndex < summary.boots.length) target = { bootIndex, eventIndex };
    if (!target) {
      // Default: the last boot at its hand-off to the page allocator (the final state).
      const last = summary.boots.length - 1;
      target = { bootIndex: last, eventIndex: summary.boots[last].eventCount - 1 };
    }
    await this.sendState(session, target.bootIndex, target.eventIndex, false);
    // A result the webview already showed comes back as `restored` (it keeps its own tab); one that
    // arrived before the webview was ready (the command opened the panel) selects its tab.
    for (const last of [this.lastWhatIf, this.lastCompare]) {
      if (!last) continue;
      this.post(last.delivered ? { ...last.message, restored: true } : last.message);
      last.delivered = true;
    }
    const restore = this.restore;
    this.restore = undefined;
    if (restore) void this.runRestore(restore).catch(() => undefined);
  }

  /** Runs the what-if and the comparison of a revived panel again (unless a command already replaced them). */
  private async runRestore(restore: Restore): Promise<void> {
    if (restore.whatIf && !this.lastWhatIf) await this.runWhatIf(restore.whatIf.request, restore.whatIf.bootIndex, true);
    const source = restore.compare;
    if (!source || this.lastCompare || this.disposed) return;
    if (source.kind === 'boots') {
      await this.compareBoots(source.bootA, source.bootB, true);
      return;
    }
    let other: vscode.Uri | undefined;
    try {
      other = vscode.Uri.parse(source.otherUri, true);
    } catch {
      other = undefined;
    }
    // The state is untrusted: only a log where this one lives (or an open untitled one) is read.
    if (!other || ![this.documentUri.scheme, 'file', 'untitled'].includes(other.scheme)) {
      this.post({ type: 'compareError', message: 'The comparison shown before the reload names a log that cannot be read; run "Boot Memory: Compare Boots…" again.', restored: true });
      return;
    }
    await this.compareWithDocument(other, { bootA: source.bootA, bootB: source.bootB, restored: true });
  }

  // ----------------------------------------------------------------------------------------------
  // What-if and compare

  /** The document this panel shows. */
  get uri(): vscode.Uri {
    return this.documentUri;
  }

  /**
   * Replays a boot (default: the one shown) under `request`; returns the error text when it cannot run
   * (also shown in the What-if tab). `restored`: the re-run of a revived panel's what-if.
   */
  async runWhatIf(request: WhatIfRequest, bootIndex?: number, restored = false): Promise<string | undefined> {
    const fail = (message: string) => {
      this.post({ type: 'whatIfError', message, restored });
      return message;
    };
    try {
      const session = await this.session();
      if (!session) return fail('This document could not be analysed.');
      const summary = await session.summary();
      const boot = bootIndex ?? (this.handshakeDone ? this.bootIndex : summary.boots.length - 1);
      if (boot < 0 || boot >= summary.boots.length) return fail(`The log has no boot ${boot}.`);
      const view = await session.whatIf(boot, request);
      this.show({ type: 'whatIf', request, view, restored });
      return undefined;
    } catch (e) {
      return fail(e instanceof Error ? e.message : String(e));
    }
  }

  /** The boots of the log. */
  async boots(): Promise<BootSummary[]> {
    const session = await this.session();
    return session ? (await session.summary()).boots : [];
  }

  /** Compares two boots of this log (in the engine session) and shows the result; returns the error text. */
  async compareBoots(bootA: number, bootB: number, restored = false): Promise<string | undefined> {
    const fail = (message: string) => {
      this.post({ type: 'compareError', message, restored });
      return message;
    };
    // This comparison replaces one with another log still in progress (which then stays silent).
    this.compareRun?.abort();
    this.compareRun = undefined;
    try {
      const session = await this.session();
      if (!session) return fail('This document could not be analysed.');
      const count = (await session.summary()).boots.length;
      if (bootA >= count || bootB >= count) return fail(`The log has ${count} boot(s): there is no boot ${Math.max(bootA, bootB)}.`);
      const view = await session.compare(bootA, bootB, MapPanel.baseName(this.documentUri));
      this.show({ type: 'compare', view, source: { kind: 'boots', bootA, bootB }, restored });
      return undefined;
    } catch (e) {
      return fail(e instanceof Error ? e.message : String(e));
    }
  }

  /**
   * Compares a boot of this log (A, default its last) with a boot of another log (B, default its last,
   * as `diff A B` does). The other log is read and parsed by the engine's worker (streamed from disk
   * for a file in the Node host, else sent as text), never on this thread, with progress in the window
   * (a cancellable notification for a big log) and in the panel. A newer comparison or closing the
   * panel cancels it. Errors (a missing, empty or binary file, no boot in it) come back as one line,
   * also shown in the Compare tab.
   */
  async compareWithDocument(other: vscode.Uri, options: { bootA?: number; bootB?: number; restored?: boolean } = {}): Promise<CompareOutcome> {
    const restored = options.restored === true;
    this.compareRun?.abort();
    const run = new AbortController();
    this.compareRun = run;
    const names = { a: MapPanel.baseName(this.documentUri), b: MapPanel.baseName(other) };
    try {
      const session = await this.session();
      if (!session) throw new Error('This document could not be analysed.');
      const { source, size } = await otherLogSource(other, names.b);
      if (run.signal.aborted) return { cancelled: true };
      const location = size > NOTIFY_ABOVE_BYTES ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window;
      const view = await vscode.window.withProgress({ location, title: `Boot Memory: comparing with ${names.b}`, cancellable: true }, async (progress, token) => {
        const sub = token.onCancellationRequested(() => run.abort());
        let reported = 0;
        try {
          return await session.compareWith(source, { names, bootA: options.bootA, bootB: options.bootB }, {
            signal: run.signal,
            onProgress: (p) => {
              const percent = Math.floor(Math.max(0, Math.min(1, p.fraction)) * 100);
              progress.report({ message: p.message, increment: Math.max(0, percent - reported) });
              reported = Math.max(reported, percent);
              if (this.handshakeDone) this.post({ type: 'progress', fraction: p.fraction, message: p.message });
            },
          });
        } finally {
          sub.dispose();
        }
      });
      if (run.signal.aborted) throw new Error(COMPARE_CANCELLED);
      const compared: CompareSource = { kind: 'document', otherUri: other.toString(), bootA: view.a.bootIndex, bootB: view.b.bootIndex };
      this.show({ type: 'compare', view, source: compared, restored });
      return {};
    } catch (e) {
      // Replaced by a newer comparison: that one reports.
      if (this.compareRun !== run && run.signal.aborted) return { cancelled: true };
      const cancelled = run.signal.aborted;
      const message = cancelled ? COMPARE_CANCELLED : e instanceof Error ? e.message : String(e);
      this.post({ type: 'compareError', message, restored });
      return cancelled ? { cancelled: true } : { error: message };
    } finally {
      if (this.compareRun === run) this.compareRun = undefined;
    }
  }

  private show(message: WhatIfMessage | CompareMessage): void {
    // A hidden webview is gone (its context is not retained): it gets the message with its next `ready`.
    const entry = { delivered: this.handshakeDone && this.panel.visible };
    if (message.type === 'whatIf') this.lastWhatIf = { ...entry, message };
    else this.lastCompare = { ...entry, message };
    if (this.handshakeDone) this.post(message);
  }

  /** Sends the boot (if the webview does not have it) and the state at an event. */
  private async sendState(session: PanelSession, bootIndex: number, eventIndex: number, reveal: boolean, asPlayhead = false): Promise<void> {
    if (this.bootSent !== bootIndex) {
      const view: BootView = await session.bootView(bootIndex);
      const summary = await session.summary();
      this.post({ type: 'boot', view, boots: summary.boots.length > 1 ? summary.boots : undefined });
      this.bootSent = bootIndex;
    }
    const state = await session.stateAt(bootIndex, eventIndex);
    this.bootIndex = bootIndex;
    this.eventIndex = state.eventIndex;
    if (asPlayhead) this.post({ type: 'playhead', bootIndex, eventIndex: state.eventIndex });
    this.post(state);
    if (reveal && state.eventIndex >= 0) await this.revealLine(state.line);
    else if (state.eventIndex >= 0) this.highlight(state.line);
  }

  private async sendPage(bootIndex: number, start: number, count: number): Promise<void> {
    const session = await this.session();
    if (!session) return;
    const events = await session.timelinePage(bootIndex, start, count);
    this.post({ type: 'timelinePage', bootIndex, start, events });
  }

  private async selectEvent(bootIndex: number, eventIndex: number, reveal: boolean): Promise<void> {
    const session = await this.session();
    if (!session) return;
    const summary = await session.summary();
    if (bootIndex >= summary.boots.length) return;
    const clamped = Math.min(eventIndex, summary.boots[bootIndex].eventCount - 1);
    await this.sendState(session, bootIndex, clamped, reveal);
  }

  /** Finds the next/previous event of a kind by paging through the timeline (never all at once). */
  private async seek(bootIndex: number, from: number, direction: 1 | -1, target: SeekTarget): Promise<void> {
    const session = await this.session();
    if (!session) return;
    const summary = await session.summary();
    const boot = summary.boots[bootIndex];
    if (!boot) return;
    const matches = (e: { kind: string; flagged?: boolean }) => (target === 'flagged' ? !!e.flagged : e.kind === target);
    if (direction === 1) {
      for (let start = from + 1; start < boot.eventCount; start += SEEK_CHUNK) {
        const rows = await session.timelinePage(bootIndex, start, SEEK_CHUNK);
        const hit = rows.find(matches);
        if (hit) return this.sendState(session, bootIndex, hit.index, true, true);
      }
    } else {
      for (let end = Math.min(from, boot.eventCount); end > 0; end -= SEEK_CHUNK) {
        const start = Math.max(0, end - SEEK_CHUNK);
        const rows = await session.timelinePage(bootIndex, start, end - start);
        for (let i = rows.length - 1; i >= 0; i--) if (matches(rows[i])) return this.sendState(session, bootIndex, rows[i].index, true, true);
      }
    }
    const what = target === 'flagged' ? 'flagged event' : `${target} event`;
    this.post({ type: 'seekResult', found: false, message: `No ${direction === 1 ? 'later' : 'earlier'} ${what}.` });
  }

  /** Moves the playhead to the event at a line (CodeLens "Show in map" on an open panel). */
  private async goToLine(line: number): Promise<void> {
    if (!this.handshakeDone) {
      this.pendingLine = line;
      return;
    }
    const session = await this.session();
    const at = session ? await session.eventAtLine(line) : undefined;
    if (session && at) await this.sendState(session, at.bootIndex, at.eventIndex, false, true);
  }

  // ----------------------------------------------------------------------------------------------
  // Editor sync

  /** The editor showing the log (the panel's own column excluded), if one is visible. */
  private logEditor(): vscode.TextEditor | undefined {
    return vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.key);
  }

  private async revealLine(line: number): Promise<void> {
    const document = await this.openDocument();
    const l = Math.max(0, Math.min(line, document.lineCount) - 1);
    const range = new vscode.Range(l, 0, l, 0);
    this.echo = { line: l + 1, until: Date.now() + ECHO_MS };
    let editor = this.logEditor();
    if (editor) {
      editor.selection = new vscode.Selection(range.start, range.start);
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    } else {
      // Keep the keyboard in the panel: the log opens beside it without taking focus.
      const column = this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
      editor = await vscode.window.showTextDocument(document, { viewColumn: column, selection: range, preserveFocus: true, preview: false });
    }
    this.highlight(l + 1);
  }

  /** Highlights the playhead's line in the log (a whole-line decoration; the text is never touched). */
  private highlight(line: number): void {
    this.highlighted = { line };
    this.applyHighlight();
  }

  private applyHighlight(): void {
    const editor = this.logEditor();
    if (!editor || !this.highlighted) return;
    if (!MapPanel.lineDecoration) {
      MapPanel.lineDecoration = vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
        borderColor: new vscode.ThemeColor('editor.rangeHighlightBorder'),
        borderStyle: 'solid',
        borderWidth: '0 0 0 3px',
        overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.rangeHighlightForeground'),
        overviewRulerLane: vscode.OverviewRulerLane.Center,
      });
    }
    const l = Math.max(0, Math.min(this.highlighted.line, editor.document.lineCount) - 1);
    editor.setDecorations(MapPanel.lineDecoration, [new vscode.Range(l, 0, l, 0)]);
  }

  private onEditorSelection(e: vscode.TextEditorSelectionChangeEvent): void {
    if (e.textEditor.document.uri.toString() !== this.key || !this.handshakeDone) return;
    const line = e.selections[0].active.line + 1;
    if (this.echo && this.echo.line === line && Date.now() < this.echo.until) return;
    this.echo = undefined;
    if (this.cursorTimer) clearTimeout(this.cursorTimer);
    this.cursorTimer = setTimeout(() => {
      this.cursorTimer = undefined;
      void this.followCursor(line);
    }, CURSOR_DEBOUNCE_MS);
  }

  private async followCursor(line: number): Promise<void> {
    try {
      const session = await this.session();
      const at = session ? await session.eventAtLine(line) : undefined;
      if (!session || !at) return;
      if (at.bootIndex === this.bootIndex && at.eventIndex === this.eventIndex) return;
      await this.sendState(session, at.bootIndex, at.eventIndex, false, true);
    } catch {
      /* the document changed under us: the next analysis resends */
    }
  }

  private reanalysisTimer: ReturnType<typeof setTimeout> | undefined;

  private scheduleReanalysis(): void {
    if (this.reanalysisTimer) clearTimeout(this.reanalysisTimer);
    this.reanalysisTimer = setTimeout(() => {
      this.reanalysisTimer = undefined;
      this.onReanalysed();
    }, 600);
  }

  /** The log's text changed and was analysed again: resend the boot and the state at the playhead. */
  private onReanalysed(): void {
    if (!this.handshakeDone || this.disposed) return;
    this.bootSent = -1;
    void (async () => {
      const session = await this.session();
      if (!session) return;
      const summary = await session.summary();
      if (summary.boots.length === 0) return;
      const b = Math.min(this.bootIndex, summary.boots.length - 1);
      const e = Math.min(this.eventIndex, summary.boots[b].eventCount - 1);
      await this.sendState(session, b, e, false, true);
    })().catch(() => undefined);
  }

  // ----------------------------------------------------------------------------------------------
  // Export

  private async saveExport(format: 'svg' | 'png', data: string): Promise<void> {
    const bytes = format === 'svg' ? new TextEncoder().encode(data) : decodeBase64(data.slice(data.indexOf(',') + 1));
    const sink = MapPanel.exportSink;
    if (sink) {
      const target = sink(format, bytes, this.key);
      this.post({ type: 'exportResult', format, saved: target !== undefined, target });
      return;
    }
    const base = MapPanel.baseName(this.documentUri).replace(/\.[^.]*$/, '') || 'boot-log';
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(this.documentUri, '..', `${base}.memory-map.${format}`),
      filters: format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
      saveLabel: 'Export Map',
      title: `Boot Memory: Export Map as ${format.toUpperCase()}`,
    });
    if (!target) {
      this.post({ type: 'exportResult', format, saved: false, message: 'Export cancelled.' });
      return;
    }
    if (target.toString() === this.key) {
      this.post({ type: 'exportResult', format, saved: false, message: 'Boot Memory Lens never writes to the log itself.' });
      return;
    }
    await vscode.workspace.fs.writeFile(target, bytes);
    this.post({ type: 'exportResult', format, saved: true, target: target.scheme === 'file' ? target.fsPath : target.toString() });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (MapPanel.byDocument.get(this.key) === this) MapPanel.byDocument.delete(this.key);
    if (MapPanel.lastActive === this) MapPanel.lastActive = undefined;
    if (this.cursorTimer) clearTimeout(this.cursorTimer);
    if (this.reanalysisTimer) clearTimeout(this.reanalysisTimer);
    this.compareRun?.abort();
    const editor = this.logEditor();
    if (editor && MapPanel.lineDecoration) editor.setDecorations(MapPanel.lineDecoration, []);
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private static baseName(uri: vscode.Uri): string {
    const parts = uri.path.split('/');
    return parts[parts.length - 1] || uri.path;
  }

  private static title(uri: vscode.Uri): string {
    return `Memory Map: ${MapPanel.baseName(uri)}`;
  }

  /** The static page. It contains no log text: that arrives later in messages. */
  static html(webview: vscode.Webview, extensionUri: vscode.Uri): string {
    const nonce = makeNonce();
    const dist = vscode.Uri.joinPath(extensionUri, 'dist');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css'));
    const codicons = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'codicon.css'));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `img-src ${webview.cspSource} data:`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${codicons.toString()}">
<link rel="stylesheet" href="${style.toString()}">
<title>Memory Map</title>
</head>
<body>
<div id="app" data-protocol="${PROTOCOL_VERSION}"></div>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
  }
}

/**
 * The other log of a comparison, as the engine's worker reads it: a file on disk by path (the Node
 * worker streams it; an open document with unsaved edits is sent as its text instead), anything else
 * as text read through the workspace file system. It is never opened as a TextDocument (that would
 * analyse it a second time). Throws one line for a missing file, a directory, an empty or too big file.
 */
async function otherLogSource(uri: vscode.Uri, name: string): Promise<{ source: OtherLog; size: number }> {
  const key = uri.toString();
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
  const byPath = uri.scheme === 'file' && isNodeHost();
  if (open && (open.isDirty || open.isUntitled || !byPath)) {
    const text = open.getText();
    return { source: { text }, size: text.length };
  }
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch {
    throw new Error(`${name} cannot be read (it does not exist any more?).`);
  }
  if (stat.type & vscode.FileType.Directory) throw new Error(`${name} is a directory, not a log file.`);
  if (stat.size === 0) throw new Error(`${name} is empty.`);
  const maxMB = vscode.workspace.getConfiguration(CONFIG_SECTION).get<number>(Settings.maxFileSizeMB, 1024);
  if (maxMB > 0 && stat.size > maxMB * 1024 * 1024) throw new Error(`${name} is larger than ${maxMB} MB (setting ${CONFIG_SECTION}.${Settings.maxFileSizeMB}).`);
  if (byPath) return { source: { path: uri.fsPath }, size: stat.size };
  const bytes = await vscode.workspace.fs.readFile(uri);
  return { source: { text: new TextDecoder('utf-8').decode(bytes) }, size: bytes.byteLength };
}

/** Document facts for the webview. Reads the text; never changes it. */
export function describeDocument(document: vscode.TextDocument): DocumentInfo {
  let banner: string | undefined;
  const scan = Math.min(document.lineCount, BANNER_SCAN_LINES);
  for (let i = 0; i < scan; i++) {
    const text = document.lineAt(i).text;
    const at = text.indexOf('Linux version ');
    if (at >= 0) {
      banner = text.slice(at, at + MAX_BANNER);
      break;
    }
  }
  const parts = document.uri.path.split('/');
  return {
    uri: document.uri.toString(),
    name: parts[parts.length - 1] || document.uri.path,
    languageId: document.languageId,
    lineCount: document.lineCount,
    banner,
  };
}

function decodeBase64(b64: string): Uint8Array {
  // atob exists in Node 20 and in web workers, so this works in both extension hosts.
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function makeNonce(): string {
  // Web Crypto exists in Node 20 and in browsers, so this works in both extension hosts.
  const bytes = new Uint8Array(18);
  globalThis.crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
