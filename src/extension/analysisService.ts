// One engine analysis per boot-log document.
//
// The service watches documents with languageId `bootlog`, analyses each one off the extension host
// thread (sessionHost.ts: a worker, or in process as a fallback), caches the result by document
// version, re-analyses (debounced) when the text changes and drops everything when the document
// closes. Every language feature, the tree, the status bar and the Memory Map panel read from it.
//
// Public API for other parts of the extension (keep it small):
//   service.onDidAnalyze(listener)       an analysis finished (listener gets the `LogAnalysis`)
//   service.onDidChangeBusy(listener)    parsing started/stopped for a document (status bar spinner)
//   service.session(document)            Promise<AsyncSession | undefined>: the engine session of the
//                                        document's current version (waits for a running analysis)
//   service.analysis(document)           Promise<LogAnalysis | undefined>: same, with the prefetched
//                                        summary/diagnostics/sections/boot views
//   service.latest(uri)                  the last finished analysis (maybe of an older version), sync
//   service.isBusy(uri)
//
// A LogAnalysis's session (a worker) is terminated when a newer analysis of the same document
// replaces it or the document closes; its calls then reject. Ask `session(document)` again after
// onDidAnalyze instead of keeping an old one.
//
// The service only reads documents and files; it never writes to a log.
import * as vscode from 'vscode';
import type { DiagnosticView, LogSummary, SectionView } from '../engine/session/api';
import type { BootView } from '../protocol/messages';
import { CONFIG_SECTION, LANGUAGE_ID, Settings } from './ids';
import { AnalysisCancelled, nodeRequire, openSession, type AsyncSession, type SessionHandle, type SessionHostKind, type SessionSource } from './sessionHost';
import { looksLikeKernelLog } from '../engine/sniff';

/** A finished analysis of one version of one document. Immutable; replaced when the text changes. */
export interface LogAnalysis {
  readonly uri: vscode.Uri;
  /** The document version analysed (-1 when the log was read from disk, not from a TextDocument). */
  readonly version: number;
  readonly session: AsyncSession;
  readonly host: SessionHostKind;
  readonly summary: LogSummary;
  readonly diagnostics: DiagnosticView[];
  readonly sections: SectionView[];
  readonly foldingRanges: { start: number; end: number }[];
  /** bootView(i) for every boot: nodes, findings, leaks. */
  readonly boots: BootView[];
  readonly durationMs: number;
  /** The versioned analysis JSON (schema `bootmem-lens/analysis`). */
  analysisJson(file: string): Promise<unknown>;
}

interface Entry {
  uri: vscode.Uri;
  /** Version being (or last) analysed. */
  version: number;
  pending?: Promise<LogAnalysis | undefined>;
  cancel?: vscode.CancellationTokenSource;
  result?: LogAnalysis;
  handle?: SessionHandle;
  timer?: ReturnType<typeof setTimeout>;
  busy: boolean;
  error?: string;
  /** The user cancelled the analysis of this version: do not restart it until the text changes. */
  cancelledVersion?: number;
}

/** VS Code does not sync files of about 50 MB and more to extensions: read those from disk. */
export const SYNC_LIMIT_BYTES = 50 * 1024 * 1024;
/** Above this, progress is a cancellable notification rather than the status bar spinner alone. */
const NOTIFY_ABOVE_BYTES = 8 * 1024 * 1024;

export class AnalysisService implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly analyzed = new vscode.EventEmitter<LogAnalysis>();
  private readonly busyChanged = new vscode.EventEmitter<{ uri: vscode.Uri; busy: boolean }>();
  private readonly failed = new vscode.EventEmitter<{ uri: vscode.Uri; message: string }>();
  private disposed = false;

  /** Fires when an analysis finished (for the latest version of its document). */
  readonly onDidAnalyze = this.analyzed.event;
  /** Fires when parsing of a document starts (busy) or ends. */
  readonly onDidChangeBusy = this.busyChanged.event;
  /** Fires when an analysis failed (not when it was cancelled or superseded). */
  readonly onDidFail = this.failed.event;

  private readonly unsyncedChanged = new vscode.EventEmitter<vscode.Uri | undefined>();
  private unsynced: vscode.Uri | undefined;
  /**
   * Fires when the active editor tab becomes (or stops being) a boot log VS Code did not sync to
   * extensions (about 50 MB and up): such a log has no TextDocument and no activeTextEditor, so the
   * tree and the status bar follow this instead.
   */
  readonly onDidChangeActiveUnsyncedLog = this.unsyncedChanged.event;

  constructor(private readonly extensionUri: vscode.Uri) {
    this.disposables.push(
      this.analyzed,
      this.busyChanged,
      this.failed,
      vscode.workspace.onDidOpenTextDocument((d) => this.onOpen(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.onChange(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.drop(d.uri)),
      this.unsyncedChanged,
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        for (const tab of e.closed) {
          const uri = tabUri(tab);
          // Unsynced logs have no close event of their own: drop them with their last tab.
          if (uri && !this.hasDocument(uri) && !this.isOpenInTab(uri)) this.drop(uri);
        }
        void this.checkActiveTab();
      }),
      vscode.window.tabGroups.onDidChangeTabGroups(() => void this.checkActiveTab()),
    );
    for (const d of vscode.workspace.textDocuments) this.onOpen(d);
    void this.checkActiveTab();
  }

  /** The active tab's boot log when VS Code did not sync it to extensions (see onDidChangeActiveUnsyncedLog). */
  get activeUnsyncedLog(): vscode.Uri | undefined {
    return this.unsynced;
  }

  private hasDocument(uri: vscode.Uri): boolean {
    const key = uri.toString();
    return vscode.workspace.textDocuments.some((d) => d.uri.toString() === key);
  }

  private isOpenInTab(uri: vscode.Uri): boolean {
    const key = uri.toString();
    return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => tabUri(t)?.toString() === key));
  }

  private async checkActiveTab(): Promise<void> {
    const uri = tabUri(vscode.window.tabGroups.activeTabGroup.activeTab);
    let found: vscode.Uri | undefined;
    if (uri && !this.hasDocument(uri)) {
      try {
        const stat = await vscode.workspace.fs.stat(uri);
        if (stat.size >= SYNC_LIMIT_BYTES && (looksLikeBootLogName(uri) || (await headLooksLikeKernelLog(uri)))) found = uri;
      } catch {
        found = undefined;
      }
    }
    if (found?.toString() === this.unsynced?.toString()) return;
    this.unsynced = found;
    this.unsyncedChanged.fire(found);
    if (found) void this.analyzeUri(found);
  }

  static isBootLog(document: vscode.TextDocument): boolean {
    return document.languageId === LANGUAGE_ID;
  }

  /** The last finished analysis of `uri`, possibly of an older version than the document's. */
  latest(uri: vscode.Uri): LogAnalysis | undefined {
    return this.entries.get(uri.toString())?.result;
  }

  isBusy(uri: vscode.Uri): boolean {
    return this.entries.get(uri.toString())?.busy ?? false;
  }

  /** Why the last analysis of `uri` failed, if it did. */
  lastError(uri: vscode.Uri): string | undefined {
    return this.entries.get(uri.toString())?.error;
  }

  /** The analysis of the document's current version; starts or waits for it. */
  async analysis(document: vscode.TextDocument): Promise<LogAnalysis | undefined> {
    if (!AnalysisService.isBootLog(document) || this.disposed) return undefined;
    const entry = this.entryFor(document.uri);
    // A running analysis can be superseded by a newer edit while we wait: follow it a few times.
    for (let attempt = 0; attempt < 5; attempt++) {
      if (entry.result && entry.result.version === document.version) return entry.result;
      if (entry.cancelledVersion === document.version && !entry.pending) return undefined;
      if (!(entry.pending && entry.version === document.version)) this.start(entry, document);
      const result = await entry.pending;
      if (result || document.isClosed || this.disposed || !this.entries.has(document.uri.toString())) return result;
      if (entry.error !== undefined && entry.version === document.version) return undefined;
    }
    return entry.result;
  }

  /** The engine session of the document's current version (see `analysis`). */
  async session(document: vscode.TextDocument): Promise<AsyncSession | undefined> {
    return (await this.analysis(document))?.session;
  }

  /**
   * Analyses a log by Uri without a synced TextDocument (files above ~50 MB, which VS Code does not
   * hand to extensions): read with workspace.fs, or streamed from disk by the Node worker.
   */
  async analyzeUri(uri: vscode.Uri): Promise<LogAnalysis | undefined> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return this.analysis(open);
    const entry = this.entryFor(uri);
    if (entry.result && entry.version === -1) return entry.result;
    if (entry.pending && entry.version === -1) return entry.pending;
    this.start(entry, undefined);
    return entry.pending;
  }

  private entryFor(uri: vscode.Uri): Entry {
    const key = uri.toString();
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { uri, version: Number.NaN, busy: false };
      this.entries.set(key, entry);
    }
    return entry;
  }

  private onOpen(document: vscode.TextDocument): void {
    if (!AnalysisService.isBootLog(document)) {
      // A language change (bootlog -> something else) reopens the document under the new id.
      if (this.entries.has(document.uri.toString())) this.drop(document.uri);
      return;
    }
    void this.analysis(document);
  }

  private onChange(document: vscode.TextDocument): void {
    if (!AnalysisService.isBootLog(document)) return;
    const entry = this.entryFor(document.uri);
    if (entry.timer) clearTimeout(entry.timer);
    const delay = Math.max(0, vscode.workspace.getConfiguration(CONFIG_SECTION).get<number>(Settings.analysisDebounceMs, 500));
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (!document.isClosed) void this.analysis(document);
    }, delay);
  }

  private setBusy(entry: Entry, busy: boolean): void {
    if (entry.busy === busy) return;
    entry.busy = busy;
    this.busyChanged.fire({ uri: entry.uri, busy });
  }

  /** Starts analysing `document` (or the file behind entry.uri), superseding any running analysis. */
  private start(entry: Entry, document: vscode.TextDocument | undefined): void {
    entry.cancel?.cancel();
    entry.cancel?.dispose();
    const cts = new vscode.CancellationTokenSource();
    entry.cancel = cts;
    const version = document ? document.version : -1;
    entry.version = version;
    entry.error = undefined;
    entry.cancelledVersion = undefined;
    const name = baseName(entry.uri);
    const run = async (): Promise<LogAnalysis | undefined> => {
      const t0 = Date.now();
      let handle: SessionHandle | undefined;
      try {
        const source = await this.sourceFor(entry.uri, document);
        if (!source) return undefined;
        if (cts.token.isCancellationRequested) return undefined;
        const size = source.kind === 'text' ? source.text.length : source.kind === 'bytes' ? source.bytes.byteLength : Number.POSITIVE_INFINITY;
        const progress = async (p: vscode.Progress<{ message?: string; increment?: number }>, token: vscode.CancellationToken) => {
          const sub = token.onCancellationRequested(() => {
            entry.cancelledVersion = version;
            cts.cancel();
          });
          try {
            p.report({ message: `parsing ${name}` });
            let reported = 0;
            const onProgress = (fraction: number, message: string) => {
              const percent = Math.floor(Math.max(0, Math.min(1, fraction)) * 100);
              p.report({ message: `${name}: ${message}`, increment: Math.max(0, percent - reported) });
              reported = Math.max(reported, percent);
            };
            handle = await openSession(source, { extensionUri: this.extensionUri, token: cts.token, onProgress });
            p.report({ message: `analysing ${name}` });
            return await prefetch(handle);
          } finally {
            sub.dispose();
          }
        };
        const location = size > NOTIFY_ABOVE_BYTES ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window;
        const data = await vscode.window.withProgress({ location, title: 'Boot Memory', cancellable: true }, progress);
        if (cts.token.isCancellationRequested || entry.cancel !== cts || this.disposed) {
          handle?.dispose();
          return undefined;
        }
        const h = handle!;
        const result: LogAnalysis = {
          uri: entry.uri,
          version,
          session: h.session,
          host: h.host,
          ...data,
          durationMs: Date.now() - t0,
          analysisJson: (file) => h.analysisJson(file),
        };
        const old = entry.handle;
        entry.handle = h;
        entry.result = result;
        entry.error = undefined;
        old?.dispose();
        this.analyzed.fire(result);
        return result;
      } catch (e) {
        handle?.dispose();
        if (e instanceof AnalysisCancelled || cts.token.isCancellationRequested) return undefined;
        const message = e instanceof Error ? e.message : String(e);
        entry.error = message;
        this.failed.fire({ uri: entry.uri, message });
        console.error(`[Boot Memory Lens] analysis of ${entry.uri.toString()} failed: ${message}`);
        return undefined;
      } finally {
        if (entry.cancel === cts) {
          entry.pending = undefined;
          this.setBusy(entry, false);
        }
      }
    };
    this.setBusy(entry, true);
    entry.pending = run();
  }

  /** The text to analyse: the synced document, or the file itself for logs VS Code does not sync. */
  private async sourceFor(uri: vscode.Uri, document: vscode.TextDocument | undefined): Promise<SessionSource | undefined> {
    const maxMB = vscode.workspace.getConfiguration(CONFIG_SECTION).get<number>(Settings.maxFileSizeMB, 1024);
    const maxBytes = maxMB > 0 ? maxMB * 1024 * 1024 : Number.POSITIVE_INFINITY;
    if (document) {
      // A synced document's text is what the user sees (including unsaved edits).
      const text = document.getText();
      if (text.length > maxBytes) throw new Error(`${baseName(uri)} is larger than ${maxMB} MB (setting ${CONFIG_SECTION}.${Settings.maxFileSizeMB})`);
      return { kind: 'text', text };
    }
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > maxBytes) throw new Error(`${baseName(uri)} is larger than ${maxMB} MB (setting ${CONFIG_SECTION}.${Settings.maxFileSizeMB})`);
    // The Node worker streams the file from disk itself; anything else gets the bytes.
    if (uri.scheme === 'file' && isNodeHost()) return { kind: 'path', fsPath: uri.fsPath };
    return { kind: 'bytes', bytes: await vscode.workspace.fs.readFile(uri) };
  }

  /** Forgets a document: cancels its analysis and terminates its worker. */
  private drop(uri: vscode.Uri): void {
    const key = uri.toString();
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    if (entry.timer) clearTimeout(entry.timer);
    entry.cancel?.cancel();
    entry.cancel?.dispose();
    entry.handle?.dispose();
    if (entry.busy) this.busyChanged.fire({ uri, busy: false });
  }

  dispose(): void {
    this.disposed = true;
    for (const entry of [...this.entries.values()]) this.drop(entry.uri);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

async function prefetch(handle: SessionHandle): Promise<Omit<LogAnalysis, 'uri' | 'version' | 'session' | 'host' | 'durationMs' | 'analysisJson'>> {
  const s = handle.session;
  const [summary, diagnostics, sections, foldingRanges] = await Promise.all([s.summary(), s.diagnostics(), s.sections(), s.foldingRanges()]);
  const boots = await Promise.all(summary.boots.map((b) => s.bootView(b.index)));
  return { summary, diagnostics, sections, foldingRanges, boots };
}

function tabUri(tab: vscode.Tab | undefined): vscode.Uri | undefined {
  return tab?.input instanceof vscode.TabInputText ? tab.input.uri : undefined;
}

/**
 * Whether a file name is one package.json gives the `bootlog` language (filenames, filenamePatterns,
 * extensions). Used only for logs VS Code does not sync, whose language extensions cannot see.
 */
export function looksLikeBootLogName(uri: vscode.Uri): boolean {
  const name = baseName(uri).toLowerCase();
  return (
    name === 'dmesg' ||
    name === 'kern.log' ||
    /^kern\.log\..+$/.test(name) ||
    /^dmesg.*\.(?:txt|log)$/.test(name) ||
    /[-_]dmesg\.(?:txt|log)$/.test(name) ||
    /\.(?:dmesg|kmsg|bootlog)$/.test(name)
  );
}

/** Bytes of a large file's head read to tell a kernel log from other text. */
const SNIFF_BYTES = 64 * 1024;

/**
 * Whether an unsynced file that no boot-log name claims starts like a kernel log (a 2 GB
 * `console.txt`, `serial.out`...). Reads only the head, and only where that is cheap: a local file in
 * the Node host. Elsewhere workspace.fs can only read whole files, so the name must say it.
 */
export async function headLooksLikeKernelLog(uri: vscode.Uri): Promise<boolean> {
  const req = uri.scheme === 'file' ? nodeRequire() : undefined;
  if (!req) return false;
  const fs = req('fs') as typeof import('node:fs');
  let handle: import('node:fs/promises').FileHandle | undefined;
  try {
    handle = await fs.promises.open(uri.fsPath, 'r');
    const buffer = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return looksLikeKernelLog(new TextDecoder('utf-8', { fatal: false }).decode(buffer.subarray(0, bytesRead)));
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

export function baseName(uri: vscode.Uri): string {
  const parts = uri.path.split('/');
  return parts[parts.length - 1] || uri.path;
}

/** True in the Node extension host (desktop, remote), false in the web worker extension host. */
export function isNodeHost(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}
