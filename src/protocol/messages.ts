// The typed message protocol between the extension host (src/extension/panel.ts) and the webview
// app (webview/main.ts). Both sides import this file; it imports neither `vscode` nor the DOM.
//
// Flow: the webview script starts and posts `ready`; the host answers with `init` (and again on every
// later `ready`, e.g. after the webview was re-created). The host treats everything the webview sends
// as untrusted input: `parseWebviewMessage` checks the shape at run time and drops anything else.

// The what-if totals are the engine's own type (type-only: nothing of the engine enters the webview bundle).
import type { WhatIfTotals } from '../engine/whatif/whatif';

/** Bumped when a message changes shape; the webview shows a mismatch instead of misreading data. */
export const PROTOCOL_VERSION = 1;

// ------------------------------------------------------------------------------------------------
// Host -> webview

/** What the webview needs to know about the log it shows. All strings are plain text (never HTML). */
export interface DocumentInfo {
  /** The document URI as a string (`vscode.Uri.toString()`); also what the webview persists. */
  uri: string;
  /** Base name shown in the header, e.g. `dmesg.txt`. */
  name: string;
  languageId: string;
  lineCount: number;
  /** The kernel banner (`Linux version ...`) when one was found near the top, else undefined. */
  banner?: string;
}

export interface InitMessage {
  type: 'init';
  protocol: number;
  document: DocumentInfo;
}

/** The document could not be (re)opened, e.g. after a reload when the file was deleted. */
export interface ErrorMessage {
  type: 'error';
  message: string;
}

// ------------------------------------------------------------------------------------------------
// View model: what the panel shows, as plain JSON. Addresses and sizes are hex strings ("0x…") because
// webview messages are JSON and bigint does not survive it; the webview parses them with BigInt().
// The host builds these from the engine (src/engine/session), never the webview.

export type Hex = string;

export interface BootSummary {
  index: number;
  startLine: number;
  endLine: number;
  kernelVersion?: string;
  arch?: string;
  eventCount: number;
}

export interface NodeView {
  nid: number;
  memoryless: boolean;
  blocks: { base: Hex; size: Hex }[];
}

export interface FirmwareView {
  base: Hex;
  size: Hex;
  /** e820/EFI type as printed ("usable", "reserved", "ACPI NVS", "Conventional"...). */
  type: string;
  usable: boolean;
}

/** One step of the accounting waterfall: installed → usable → reserved by owner → page allocator. */
export interface AccountingStep {
  label: string;
  bytes: Hex;
  /** Owner key when the step is one owner's reserved memory. */
  owner?: string;
}

export type Severity = 'error' | 'warning' | 'info';

export interface FindingView {
  id: number;
  code: string;
  severity: Severity;
  line: number;
  message: string;
  /** The timeline event the finding belongs to, when it has one. */
  eventIndex?: number;
  nid?: number;
  owner?: string;
  caller?: string;
  size?: Hex;
}

export interface LeakView {
  id: number;
  line: number;
  eventIndex: number;
  base: Hex;
  size: Hex;
  heldBytes: Hex;
  owner: string;
  caller?: string;
  nid?: number;
  /** 'suspect' leaks are the ones worth a look; 'permanent' are held by design. */
  disposition: 'permanent' | 'released-later' | 'suspect' | 'unclassified';
  why: string;
}

/** Everything static about one boot: sent once per boot, before any state. */
export interface BootView {
  boot: BootSummary;
  nodes: NodeView[];
  firmware: FirmwareView[];
  accounting: AccountingStep[];
  /** Owner keys in legend order (largest first). */
  owners: string[];
  findings: FindingView[];
  leaks: LeakView[];
  /** Events per bucket for the timeline overview: `overview[k][b]` counts events of kind k in bucket b. */
  overview: { buckets: number; kinds: Record<string, number[]> };
}

export type TimelineKind = 'reserve' | 'alloc' | 'free' | 'free-late' | 'add' | 'remove' | 'checkpoint' | 'other';

/** One row of the timeline. */
export interface TimelineEvent {
  index: number;
  line: number;
  kind: TimelineKind;
  /** Short text: "reserve 4 KiB [mem 0x…-0x…] sparse_init", plain text. */
  label: string;
  base?: Hex;
  size?: Hex;
  nid?: number;
  owner?: string;
  /** Allocations: 'match' | 'mismatch' | 'failed' | 'unpaired'. */
  status?: string;
  /** Has at least one finding. */
  flagged?: boolean;
}

export interface TimelinePageMessage {
  type: 'timelinePage';
  bootIndex: number;
  start: number;
  events: TimelineEvent[];
}

export interface RegionView {
  base: Hex;
  size: Hex;
  nid: number | null;
  flags: Hex;
  /** Reserved regions: the owner of the reservation covering its start. */
  owner?: string;
  /** The line of the reservation covering its start. */
  line?: number;
}

/** The allocator state at the playhead, with what the current event changed. */
export interface StateMessage {
  type: 'state';
  bootIndex: number;
  eventIndex: number;
  line: number;
  memory: RegionView[];
  reserved: RegionView[];
  changed?: { kind: TimelineKind; base: Hex; size: Hex };
  /** Text for the live region: "Event 12 of 340, line 88: alloc 4 KiB on node 0 at 0x…". */
  announcement: string;
}

export interface BootMessage {
  type: 'boot';
  view: BootView;
  /** Every boot of the log (for the boot picker), when the log has more than one. */
  boots?: BootSummary[];
}

/** The editor cursor moved: move the playhead (host → webview). */
export interface PlayheadMessage {
  type: 'playhead';
  bootIndex: number;
  eventIndex: number;
}

/** A command palette / keybinding action forwarded to the panel (step, jump...). */
export interface ActionMessage {
  type: 'action';
  action: PanelAction;
}

export type PanelAction =
  | 'stepForward'
  | 'stepBack'
  | 'start'
  | 'end'
  | 'nextFinding'
  | 'previousFinding'
  | 'nextLeak'
  | 'nextReserve'
  | 'nextAlloc'
  | 'nextFree'
  | 'showLeaks'
  | 'exportSvg'
  | 'exportPng';

/** Analysis progress while a large log is parsed. */
export interface ProgressMessage {
  type: 'progress';
  fraction: number;
  message: string;
}

/** The host saved (or did not save) an export the webview rendered. */
export interface ExportResultMessage {
  type: 'exportResult';
  format: 'svg' | 'png';
  saved: boolean;
  /** Where it went (a path or URI, plain text), when saved. */
  target?: string;
  message?: string;
}

/** The answer to a `seek` that found nothing (the playhead stays). */
export interface SeekResultMessage {
  type: 'seekResult';
  found: boolean;
  message: string;
}


// ------------------------------------------------------------------------------------------------
// What-if replay and boot comparison (views built by src/engine/session/views.ts)

/** The allocator models a what-if can replay under (src/engine/allocators/types.ts ALLOCATOR_MODELS). */
export const WHATIF_MODELS = ['bootmem', 'bootmem-2008', 'bootmem2', 'early_res', 'memblock'] as const;
export type WhatIfModel = (typeof WHATIF_MODELS)[number];

/** What to replay: the model, and optionally another NUMA layout, kernel parameters, bottom-up. */
export interface WhatIfRequest {
  model: WhatIfModel;
  /** `--layout` syntax: "0:0-2G,4G-6G;1:2G-4G" or "even:N"; empty/undefined = the log's own nodes. */
  layout?: string;
  /** Kernel parameters to change: crashkernel= cma= mem= memmap=. */
  cmdline?: string;
  bottomUp?: boolean;
}

/** One request of the replayed stream: where the log put it and where the what-if puts it. */
export interface WhatIfRowView {
  index: number;
  /** Log line (0 for requests the command line added). */
  line: number;
  source: 'log' | 'cmdline';
  label: string;
  owner?: string;
  size: Hex;
  requestedNode: number | null;
  original: Hex | null;
  predicted: Hex | null;
  physicalNode: number | null;
  moved: boolean;
  failed: boolean;
  offNode: boolean;
  localityViolation: boolean;
  fallback: boolean;
  conflict: boolean;
}

export interface WhatIfNodeView {
  nid: number;
  /** Free bytes and the largest free block of this node in the logged boot (undefined: no such node). */
  before?: { freeBytes: Hex; largest: Hex };
  /** The same under the what-if (undefined: the what-if layout has no such node). */
  after?: { ramBytes: Hex; freeBytes: Hex; largest: Hex };
}

export type { WhatIfTotals };

export interface WhatIfView {
  bootIndex: number;
  model: string;
  bottomUp: boolean;
  layoutSource: 'log' | 'option';
  /** The layout replayed, as --layout text. */
  layout: string;
  cmdline: { param: string; effect: string }[];
  measuredAt: 'handoff' | 'end';
  totals: WhatIfTotals;
  nodes: WhatIfNodeView[];
  rows: WhatIfRowView[];
  /** Rows left out (the view carries at most MAX_WHATIF_ROWS, interesting ones first). */
  omittedRows: number;
  notes: string[];
}

export interface WhatIfMessage {
  type: 'whatIf';
  /** The inputs as the user gave them (the form shows them back). */
  request: WhatIfRequest;
  view: WhatIfView;
  /**
   * A result the webview had already shown (resent after its `ready`) or re-run after a window
   * reload: show it, but keep the tab the user had selected.
   */
  restored?: boolean;
}

/** The what-if could not run (bad layout or command line): the form shows the text. */
export interface WhatIfErrorMessage {
  type: 'whatIfError';
  message: string;
  /** The re-run of a restored what-if failed: keep the selected tab. */
  restored?: boolean;
}

export type CompareChange = 'appeared' | 'disappeared' | 'grew' | 'shrank' | 'same';

export interface CompareSideView {
  count: number;
  bytes: Hex;
  lines: number[];
}

export interface CompareRowView {
  owner: string;
  caller: string;
  change: CompareChange;
  a: CompareSideView;
  b: CompareSideView;
  /** b.bytes - a.bytes, signed ("-0x…" when it shrank). */
  delta: string;
}

export interface CompareBootView {
  /** File base name. */
  name: string;
  bootIndex: number;
  kernelVersion?: string;
  heldBytes: Hex;
  reservations: number;
}

export interface CompareView {
  a: CompareBootView;
  b: CompareBootView;
  /** Both boots are in the log this panel shows (rows' lines can be revealed). */
  sameLog: boolean;
  /** Which side is this panel's log ('a', 'b' or neither). */
  local?: 'a' | 'b';
  rows: CompareRowView[];
  totals: Record<CompareChange, { count: number; bytes: Hex }> & { netBytes: string };
  waterfall: { label: string; a?: Hex; b?: Hex; delta?: string }[];
}

/**
 * What a comparison compared, so a restored panel can compute it again: two boots of the panel's log,
 * or a boot of the panel's log (A) with a boot of another log (B), named by its URI.
 */
export type CompareSource = { kind: 'boots'; bootA: number; bootB: number } | { kind: 'document'; otherUri: string; bootA: number; bootB: number };

export interface CompareMessage {
  type: 'compare';
  view: CompareView;
  /** What was compared (the webview persists it; the host recomputes it after a reload). */
  source?: CompareSource;
  /** See WhatIfMessage.restored. */
  restored?: boolean;
}

/** The comparison could not run (a bad other file, a boot that is not there, cancelled). */
export interface CompareErrorMessage {
  type: 'compareError';
  message: string;
  restored?: boolean;
}

export type HostToWebview =
  | InitMessage
  | ErrorMessage
  | BootMessage
  | TimelinePageMessage
  | StateMessage
  | PlayheadMessage
  | ActionMessage
  | ProgressMessage
  | ExportResultMessage
  | SeekResultMessage
  | WhatIfMessage
  | WhatIfErrorMessage
  | CompareMessage
  | CompareErrorMessage;

// ------------------------------------------------------------------------------------------------
// Webview -> host

export interface ReadyMessage {
  type: 'ready';
  /** The view the webview restored from its own state (after a reload), if any. */
  bootIndex?: number;
  eventIndex?: number;
}

/** Ask the host to reveal a (1-based) line of the log in the text editor, e.g. from a timeline row. */
export interface RevealLineMessage {
  type: 'revealLine';
  line: number;
}

/** Ask for timeline rows [start, start+count) of a boot (the webview pages them in as it scrolls). */
export interface RequestPageMessage {
  type: 'requestPage';
  bootIndex: number;
  start: number;
  count: number;
}

/** The playhead moved in the panel: ask for the state at that event (the host also reveals its line). */
export interface SelectEventMessage {
  type: 'selectEvent';
  bootIndex: number;
  eventIndex: number;
  /** Also move the editor cursor to the event's line. */
  reveal: boolean;
}

export interface SelectBootMessage {
  type: 'selectBoot';
  bootIndex: number;
}

/** The webview rendered an export (SVG text or PNG data URL); the host asks where to save it. */
export interface ExportMessage {
  type: 'export';
  format: 'svg' | 'png';
  data: string;
}

/** What `seek` looks for: the next event of a timeline kind, or the next flagged event. */
export type SeekTarget = TimelineKind | 'flagged';

/** Move the playhead to the next (direction 1) or previous (-1) event of a kind after `from`. */
export interface SeekMessage {
  type: 'seek';
  bootIndex: number;
  from: number;
  direction: 1 | -1;
  target: SeekTarget;
}

/** Run a what-if replay of a boot from the panel's form (the host validates the inputs again). */
export interface RunWhatIfMessage extends WhatIfRequest {
  type: 'runWhatIf';
  bootIndex: number;
}

export type WebviewToHost = ReadyMessage | RevealLineMessage | RequestPageMessage | SelectEventMessage | SelectBootMessage | ExportMessage | SeekMessage | RunWhatIfMessage;

/** The map's zoom: the visible window of the (collapsed) address axis, as fractions 0..1. */
export interface ViewWindow {
  start: number;
  end: number;
}

/** State the webview persists with `setState` so the serializer can restore the panel after reload. */
export interface PersistedState {
  documentUri: string;
  /** View state, restored by the webview itself (all optional: older states lack them). */
  bootIndex?: number;
  eventIndex?: number;
  zoom?: ViewWindow;
  /** The tab shown under the map ('findings' | 'leaks' | 'whatif' | 'compare'). */
  tab?: string;
  /** The last what-if shown: its inputs, not its result (the host replays it after a reload). */
  whatIf?: PersistedWhatIf;
  /** The last comparison shown: what was compared, not the result (the host recomputes it). */
  compare?: CompareSource;
}

export interface PersistedWhatIf {
  bootIndex: number;
  request: WhatIfRequest;
}

// ------------------------------------------------------------------------------------------------
// Run-time guards

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const MAX_LINE = 1 << 30;
/** Upper bound for boot and event indices (a log with more than 2^31 events is not a log). */
const MAX_INDEX = 2 ** 31 - 1;
/** At most this many timeline rows per page request. */
export const MAX_PAGE = 5000;
/** Exports larger than this are refused (an SVG of a huge map is a few MB). */
export const MAX_EXPORT_CHARS = 64 * 1024 * 1024;
const SEEK_TARGETS: readonly string[] = ['reserve', 'alloc', 'free', 'free-late', 'add', 'remove', 'checkpoint', 'other', 'flagged'];

function isIndex(x: unknown, min = 0): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= min && x <= MAX_INDEX;
}

function isSvgExport(data: string): boolean {
  const head = data.slice(0, 200).trimStart();
  return head.startsWith('<svg') || head.startsWith('<?xml');
}

function isPngExport(data: string): boolean {
  const prefix = 'data:image/png;base64,';
  return data.startsWith(prefix) && /^[A-Za-z0-9+/]*={0,2}$/.test(data.slice(prefix.length));
}

/** The tabs under the map. */
export const PANEL_TABS: readonly string[] = ['findings', 'leaks', 'whatif', 'compare'];
/** Longest layout / command line text accepted from the webview. */
export const MAX_WHATIF_TEXT = 4096;
/** At most this many request rows in a WhatIfView. */
export const MAX_WHATIF_ROWS = 20000;

function optionalText(x: unknown): x is string | undefined {
  return x === undefined || (typeof x === 'string' && x.length <= MAX_WHATIF_TEXT);
}

/** Validates what-if inputs (model from the list, texts bounded); the parsers check the syntax. */
export function parseWhatIfRequest(x: unknown): WhatIfRequest | undefined {
  if (!isRecord(x) || typeof x.model !== 'string' || !(WHATIF_MODELS as readonly string[]).includes(x.model)) return undefined;
  if (!optionalText(x.layout) || !optionalText(x.cmdline)) return undefined;
  if (x.bottomUp !== undefined && typeof x.bottomUp !== 'boolean') return undefined;
  const request: WhatIfRequest = { model: x.model as WhatIfModel };
  if (x.layout?.trim()) request.layout = x.layout.trim();
  if (x.cmdline?.trim()) request.cmdline = x.cmdline.trim();
  if (x.bottomUp) request.bottomUp = true;
  return request;
}

/** Longest URI accepted from the webview (state or messages). */
export const MAX_URI_CHARS = 8192;

/** Validates a CompareSource (from the webview state, or a host message). */
export function parseCompareSource(x: unknown): CompareSource | undefined {
  if (!isRecord(x) || !isIndex(x.bootA) || !isIndex(x.bootB)) return undefined;
  if (x.kind === 'boots') return { kind: 'boots', bootA: x.bootA, bootB: x.bootB };
  if (x.kind !== 'document' || typeof x.otherUri !== 'string' || x.otherUri.length === 0 || x.otherUri.length > MAX_URI_CHARS) return undefined;
  // An absolute URI (scheme:...); the host parses it strictly and checks the scheme again.
  if (!/^[a-z][a-z0-9+.-]*:/i.test(x.otherUri) || /[\u0000-\u001f]/.test(x.otherUri)) return undefined;
  return { kind: 'document', otherUri: x.otherUri, bootA: x.bootA, bootB: x.bootB };
}

/** Validates a persisted what-if (boot and inputs; the engine checks the layout and command line syntax). */
export function parsePersistedWhatIf(x: unknown): PersistedWhatIf | undefined {
  if (!isRecord(x) || !isIndex(x.bootIndex)) return undefined;
  const request = parseWhatIfRequest(x.request);
  return request ? { bootIndex: x.bootIndex, request } : undefined;
}

/** Validates a message received from the webview; returns undefined for anything malformed. */
export function parseWebviewMessage(x: unknown): WebviewToHost | undefined {
  if (!isRecord(x)) return undefined;
  switch (x.type) {
    case 'ready': {
      const ready: ReadyMessage = { type: 'ready' };
      // The restored view is optional; a bad one is dropped, not the whole handshake.
      if (isIndex(x.bootIndex) && isIndex(x.eventIndex, -1)) {
        ready.bootIndex = x.bootIndex;
        ready.eventIndex = x.eventIndex;
      }
      return ready;
    }
    case 'revealLine': {
      const line = x.line;
      if (typeof line !== 'number' || !Number.isInteger(line) || line < 1 || line > MAX_LINE) return undefined;
      return { type: 'revealLine', line };
    }
    case 'requestPage': {
      if (!isIndex(x.bootIndex) || !isIndex(x.start)) return undefined;
      const count = x.count;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_PAGE) return undefined;
      return { type: 'requestPage', bootIndex: x.bootIndex, start: x.start, count };
    }
    case 'selectEvent': {
      if (!isIndex(x.bootIndex) || !isIndex(x.eventIndex, -1) || typeof x.reveal !== 'boolean') return undefined;
      return { type: 'selectEvent', bootIndex: x.bootIndex, eventIndex: x.eventIndex, reveal: x.reveal };
    }
    case 'selectBoot':
      return isIndex(x.bootIndex) ? { type: 'selectBoot', bootIndex: x.bootIndex } : undefined;
    case 'export': {
      const data = x.data;
      if (typeof data !== 'string' || data.length === 0 || data.length > MAX_EXPORT_CHARS) return undefined;
      if (x.format === 'svg' && isSvgExport(data)) return { type: 'export', format: 'svg', data };
      if (x.format === 'png' && isPngExport(data)) return { type: 'export', format: 'png', data };
      return undefined;
    }
    case 'seek': {
      if (!isIndex(x.bootIndex) || !isIndex(x.from, -1)) return undefined;
      if (x.direction !== 1 && x.direction !== -1) return undefined;
      if (typeof x.target !== 'string' || !SEEK_TARGETS.includes(x.target)) return undefined;
      return { type: 'seek', bootIndex: x.bootIndex, from: x.from, direction: x.direction, target: x.target as SeekTarget };
    }
    case 'runWhatIf': {
      if (!isIndex(x.bootIndex)) return undefined;
      const request = parseWhatIfRequest(x);
      return request ? { type: 'runWhatIf', bootIndex: x.bootIndex, ...request } : undefined;
    }
    default:
      return undefined;
  }
}

/** Validates a message received from the host (the webview side trusts the host, but not blindly). */
export function parseHostMessage(x: unknown): HostToWebview | undefined {
  if (!isRecord(x)) return undefined;
  switch (x.type) {
    case 'init': {
      const d = x.document;
      if (typeof x.protocol !== 'number' || !isRecord(d)) return undefined;
      if (typeof d.uri !== 'string' || typeof d.name !== 'string' || typeof d.languageId !== 'string') return undefined;
      if (typeof d.lineCount !== 'number') return undefined;
      if (d.banner !== undefined && typeof d.banner !== 'string') return undefined;
      return {
        type: 'init',
        protocol: x.protocol,
        document: { uri: d.uri, name: d.name, languageId: d.languageId, lineCount: d.lineCount, banner: d.banner },
      };
    }
    case 'error':
      return typeof x.message === 'string' ? { type: 'error', message: x.message } : undefined;
    // The big payloads are checked for shape only (the host built them from the engine); the webview
    // still renders every string in them with textContent.
    case 'boot': {
      const v = x.view;
      if (!isRecord(v) || !isRecord(v.boot) || !Array.isArray(v.nodes) || !Array.isArray(v.firmware) || !Array.isArray(v.accounting)) return undefined;
      if (!Array.isArray(v.owners) || !Array.isArray(v.findings) || !Array.isArray(v.leaks) || !isRecord(v.overview)) return undefined;
      return x as unknown as BootMessage;
    }
    case 'timelinePage':
      return typeof x.bootIndex === 'number' && typeof x.start === 'number' && Array.isArray(x.events) ? (x as unknown as TimelinePageMessage) : undefined;
    case 'state':
      return typeof x.bootIndex === 'number' && typeof x.eventIndex === 'number' && Array.isArray(x.memory) && Array.isArray(x.reserved) && typeof x.announcement === 'string'
        ? (x as unknown as StateMessage)
        : undefined;
    case 'playhead':
      return typeof x.bootIndex === 'number' && typeof x.eventIndex === 'number' ? { type: 'playhead', bootIndex: x.bootIndex, eventIndex: x.eventIndex } : undefined;
    case 'action':
      return typeof x.action === 'string' && PANEL_ACTIONS.includes(x.action) ? { type: 'action', action: x.action as PanelAction } : undefined;
    case 'progress':
      return typeof x.fraction === 'number' && typeof x.message === 'string' ? { type: 'progress', fraction: x.fraction, message: x.message } : undefined;
    case 'exportResult':
      if ((x.format !== 'svg' && x.format !== 'png') || typeof x.saved !== 'boolean') return undefined;
      return {
        type: 'exportResult',
        format: x.format,
        saved: x.saved,
        target: typeof x.target === 'string' ? x.target : undefined,
        message: typeof x.message === 'string' ? x.message : undefined,
      };
    case 'seekResult':
      return typeof x.found === 'boolean' && typeof x.message === 'string' ? { type: 'seekResult', found: x.found, message: x.message } : undefined;
    case 'whatIf': {
      const request = parseWhatIfRequest(x.request);
      const v = x.view;
      if (!request || !isRecord(v) || !Array.isArray(v.rows) || !Array.isArray(v.nodes) || !isRecord(v.totals)) return undefined;
      return { type: 'whatIf', request, view: v as unknown as WhatIfView, restored: x.restored === true };
    }
    case 'whatIfError':
      return typeof x.message === 'string' ? { type: 'whatIfError', message: x.message, restored: x.restored === true } : undefined;
    case 'compare': {
      const v = x.view;
      if (!isRecord(v) || !isRecord(v.a) || !isRecord(v.b) || !Array.isArray(v.rows) || !Array.isArray(v.waterfall) || !isRecord(v.totals)) return undefined;
      return { type: 'compare', view: v as unknown as CompareView, source: parseCompareSource(x.source), restored: x.restored === true };
    }
    case 'compareError':
      return typeof x.message === 'string' ? { type: 'compareError', message: x.message, restored: x.restored === true } : undefined;
    default:
      return undefined;
  }
}

/** Every PanelAction, for run-time checks (commands forward these to the webview). */
export const PANEL_ACTIONS: readonly string[] = [
  'stepForward',
  'stepBack',
  'start',
  'end',
  'nextFinding',
  'previousFinding',
  'nextLeak',
  'nextReserve',
  'nextAlloc',
  'nextFree',
  'showLeaks',
  'exportSvg',
  'exportPng',
] satisfies PanelAction[];

/** Validates state handed back by `deserializeWebviewPanel` (it comes from webview storage). */
export function parsePersistedState(x: unknown): PersistedState | undefined {
  if (!isRecord(x) || typeof x.documentUri !== 'string' || x.documentUri.length === 0) return undefined;
  if (x.documentUri.length > MAX_URI_CHARS) return undefined;
  const state: PersistedState = { documentUri: x.documentUri };
  // The view fields are optional; invalid ones are dropped (the panel then opens at its default view).
  if (isIndex(x.bootIndex) && isIndex(x.eventIndex, -1)) {
    state.bootIndex = x.bootIndex;
    state.eventIndex = x.eventIndex;
  }
  const z = x.zoom;
  if (isRecord(z) && typeof z.start === 'number' && typeof z.end === 'number' && Number.isFinite(z.start) && Number.isFinite(z.end) && z.start >= 0 && z.end <= 1 && z.start < z.end) {
    state.zoom = { start: z.start, end: z.end };
  }
  if (typeof x.tab === 'string' && PANEL_TABS.includes(x.tab)) state.tab = x.tab;
  // What-if inputs and the comparison's sources: validated like the messages that carry them.
  const whatIf = parsePersistedWhatIf(x.whatIf);
  if (whatIf) state.whatIf = whatIf;
  const compare = parseCompareSource(x.compare);
  if (compare) state.compare = compare;
  return state;
}
