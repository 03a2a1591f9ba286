// The questions the UI asks about an analysed log, answered by an EngineSession (session.ts) that
// holds one Analysis. Everything here is plain JSON (hex strings for addresses) so the same API can
// run in-process, in a Node worker thread or in a web worker behind a message port.
//
// Consumers: the VS Code host layer (diagnostics, hovers, definition/references, CodeLens, outline,
// folding, tree view, status bar) and the Memory Map panel (via src/protocol/messages.ts types).

import type { BootSummary, BootView, CompareView, FindingView, Hex, RegionView, StateMessage, TimelineEvent, WhatIfRequest, WhatIfView } from '../../protocol/messages';

export interface LogSummary {
  lineCount: number;
  unreadMemoryLines: number;
  boots: BootSummary[];
  /** Over all boots. */
  findings: { error: number; warning: number; info: number };
  /** Reserved at the hand-off of the last boot, bytes. */
  reservedBytes: Hex;
  nodeCount: number;
}

/** A finding anchored in the document, for the Problems panel. */
export interface DiagnosticView extends FindingView {
  bootIndex: number;
  endLine: number;
  related: { line: number; message: string }[];
}

/** What a hover on an address or range at a line shows. */
export interface AddressInfo {
  address: Hex;
  nid?: number;
  /** The node block it falls in. */
  block?: { base: Hex; size: Hex };
  firmwareType?: string;
  /** memblock state of that address after this line: in memory? reserved, by whom? */
  inMemory: boolean;
  reserved?: { base: Hex; size: Hex; owner?: string; ownerReason?: string; line?: number };
  /** Human text already composed (markdown-safe plain text lines). */
  lines: string[];
}

/** Per event line: what a CodeLens / inlay hint says ("4 KiB on node 0 · freed at line 120"). */
export interface EventLens {
  line: number;
  bootIndex: number;
  eventIndex: number;
  text: string;
  /** The matching free/reserve line(s), for "go to matching". */
  related: number[];
}

/** Sections of a boot for the outline. */
export interface SectionView {
  name: string;
  /** firmware-map | numa | memblock | checkpoint | zones | accounting | boot */
  kind: string;
  startLine: number;
  endLine: number;
  children?: SectionView[];
}

export interface TreeReservation {
  id: number;
  line: number;
  base: Hex;
  size: Hex;
  owner: string;
  caller?: string;
  freed: boolean;
}

/** Where a page of reservations comes from: one block of a node, or the node's reservations outside all its blocks. */
export type ReservationScope = { block: { base: Hex; size: Hex } } | { outside: true };

/** One page of a node's reservations (made before the hand-off, in creation order). */
export interface ReservationPage {
  /** How many the whole scope holds. */
  total: number;
  offset: number;
  items: TreeReservation[];
}

export interface EngineSessionApi {
  summary(): LogSummary;
  bootView(bootIndex: number): BootView;
  timelinePage(bootIndex: number, start: number, count: number): TimelineEvent[];
  /** State after event `eventIndex` of a boot (-1: before the first), with the change it made. */
  stateAt(bootIndex: number, eventIndex: number): StateMessage;
  /** The boot and last event at or before a 1-based line (for cursor → playhead). */
  eventAtLine(line: number): { bootIndex: number; eventIndex: number } | undefined;
  diagnostics(): DiagnosticView[];
  addressInfo(line: number, address: Hex): AddressInfo | undefined;
  /** Lenses for event lines in [fromLine, toLine]. */
  lenses(fromLine: number, toLine: number): EventLens[];
  /** Lines of the reserve(s) a free releases, or the free(s) that release a reserve/alloc. */
  matching(line: number): number[];
  sections(): SectionView[];
  /** Line ranges of multi-line dumps and tables, for folding. */
  foldingRanges(): { start: number; end: number }[];
  /** Reservations of a node (or all with nid undefined) at the hand-off, for the tree view. */
  reservations(bootIndex: number, nid?: number): TreeReservation[];
  /** A page of a node's reservations in one block or outside them all (the tree view asks page by page). */
  reservationPage(bootIndex: number, nid: number, scope: ReservationScope, offset: number, limit: number): ReservationPage;
  regionsAt(bootIndex: number, eventIndex: number): { memory: RegionView[]; reserved: RegionView[] };
  /** A what-if replay of a boot (throws on a bad layout or command line). */
  whatIf(bootIndex: number, request: WhatIfRequest): WhatIfView;
  /** Two boots of this log compared; `name` labels both sides. */
  compare(bootA: number, bootB: number, name?: string): CompareView;
  /**
   * A boot of this log (A) compared with a boot of another log (B), which is read and analysed for
   * this call only (never kept). In a worker the other log is parsed off the caller's thread in steps,
   * with progress and cancellation (`control`, host side only: it is not sent to the worker). Throws a
   * one-line reason when the other log is empty, binary or holds no boot.
   */
  compareWith(other: OtherLog, options: CompareWithOptions, control?: CompareControl): CompareView;
}

/** The other log of compareWith: its text, or a file path (only the Node worker reads paths). */
export type OtherLog = { text: string } | { path: string };

export interface CompareWithOptions {
  /** Labels of the two sides (file base names); `b` also names the other log in error messages. */
  names: { a: string; b: string };
  /** The boot of this log (default: its last boot, as `diff A B` picks). */
  bootA?: number;
  /** The boot of the other log (default: its last boot). */
  bootB?: number;
}

/** Progress and cancellation of a compareWith (an AbortSignal fits `signal`). */
export interface CompareControl {
  onProgress?: (progress: { fraction: number; message: string }) => void;
  signal?: { readonly aborted: boolean; addEventListener?(type: 'abort', listener: () => void, options?: { once?: boolean }): void };
}
