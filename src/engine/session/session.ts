// EngineSession: one analysed log, and fast answers to the questions the UI asks about it, as plain
// JSON (addresses and sizes as "0x…" strings). Pure TypeScript: runs in the extension host, in a Node
// worker thread or in a web worker (see rpc.ts), never imports `vscode`.
//
// Every query is meant to stay fast on a million-event log. Per boot, built lazily on first use:
//   - events are in file order, so line → event is a binary search (lastEventAtLine / eventCovering);
//   - reservations by creating event, allocation outcomes by request AND by reserve event, the
//     reservations each free released (from Reservation.frees / lateFrees), findings by event;
//   - reservations sorted by base with their life span [eventIndex, deadAt), for "who owns this
//     reserved region at event i" (see ownersOf below);
//   - memblock states: stateAtEvent (nearest replay snapshot + re-applied events), plus a small cache
//     of recent states so stepping the playhead or hovering on nearby lines re-applies only a few events.
//
// Conventions the consumers rely on:
//   - lines are 1-based file lines as the editor numbers them; event indexes index boot.events, and
//     every event (firmware rows, node ranges, zones, `Memory:`…) is a timeline row;
//   - eventAtLine(line) is the event whose line span contains `line` (a cursor inside a MEMBLOCK dump
//     selects the dump), else the last event that ended before it; addressInfo(line, …) and the
//     other "state at a line" answers use the state after the last event ending at or before `line`;
//   - matching(line): on a free, the reserve lines it released; on a reserve, the frees (and late
//     frees) of its reservation; on an allocation request, its reserve line first, then the frees;
//   - results may be cached and shared between calls (bootView, diagnostics): treat them as read-only;
//   - BootView.leaks is capped at LEAK_LIMIT entries (suspects first), see leakSelection.
//
// Ownership at an event is an approximation, by design: the owner of an address after event i is,
// among the reservations created at or before i that were not wholly freed by i (their claimed bytes
// all released) and whose range [base, base+size) covers the address, the one whose base is nearest
// below the address (the latest created among equal bases). Partial frees are not tracked per byte,
// and reservations that claimed nothing (they only overlapped older ones) never count as freed.

import type { Analysis, BootAnalysis } from '../analyze';
import { analyzeText } from '../analyze';
import type { Addr, MemoryEvent, Region } from '../types';
import type { AllocOutcome, Reservation } from '../replay/replay';
import { applyInferred, applyModelOp, changesState } from '../replay/replay';
import { lastEventAtLine, stateAtEvent } from '../replay/timeline';
import { liveRegions, loadArray, printedNid } from '../replay/checkpoint';
import type { Memblock } from '../model/memblock';
import { firmwareAt, nodeOf, type Topology } from '../topology';
import type { Finding, HeldReservation } from '../analysis/index';
import { isUsableType, type OwnerVerdict } from '../analysis/owners';
import { requesterOf } from '../analysis/leaks';
import { functionName, memRange } from '../analysis/format';
import { hex, humanSize, parseHex } from '../util/hex';
import { compareView, whatIfView } from './views';
import { CompareCancelled, compareAnalyses, otherLogProblem, parseCompareWithOptions, SNIFF_CHARS } from './compare';
import { diffBoots } from '../diff/diff';
import type {
  CompareView,
  WhatIfRequest,
  WhatIfView,
  AccountingStep,
  BootSummary,
  BootView,
  FindingView,
  Hex,
  LeakView,
  RegionView,
  StateMessage,
  TimelineEvent,
  TimelineKind,
} from '../../protocol/messages';
import type {
  AddressInfo,
  CompareControl,
  CompareWithOptions,
  OtherLog,
  DiagnosticView,
  EngineSessionApi,
  EventLens,
  LogSummary,
  SectionView,
  TreeReservation,
  ReservationPage,
  ReservationScope,
} from './api';

/**
 * BootView.leaks carries at most this many held reservations (a synthetic log can hold 300k): every
 * suspect first, then released-later, unclassified and permanent ones by held bytes; listed by line.
 */
export const LEAK_LIMIT = 5000;
/** Buckets of the timeline overview (fewer when the boot has fewer events). */
export const OVERVIEW_BUCKETS = 1000;
/** Recent memblock states kept per session (playhead steps, hovers near the cursor). */
const STATE_CACHE = 6;
/** Re-applying more events than this from a cached state is not cheaper than the replay snapshot. */
const MAX_ADVANCE = 4096;
const NEVER = Number.MAX_SAFE_INTEGER;

const ALLOCATOR_KINDS: ReadonlySet<MemoryEvent['kind']> = new Set(['add', 'remove', 'reserve', 'alloc', 'alloc-hugetlb', 'free', 'free-late', 'double']);

export class EngineSession implements EngineSessionApi {
  private readonly indexes: (BootIndex | undefined)[];
  /** Global finding id of each boot's first finding. */
  private readonly findingBase: number[] = [];
  private readonly states: CachedState[] = [];
  private diagnosticsCache?: DiagnosticView[];
  private sectionsCache?: SectionView[];
  private foldingCache?: { start: number; end: number }[];

  constructor(readonly analysis: Analysis) {
    this.indexes = analysis.boots.map(() => undefined);
    let id = 0;
    for (const boot of analysis.boots) {
      this.findingBase.push(id);
      id += boot.report.findings.length;
    }
  }

  static fromText(text: string): EngineSession {
    return new EngineSession(analyzeText(text));
  }

  static fromAnalysis(analysis: Analysis): EngineSession {
    return new EngineSession(analysis);
  }

  get bootCount(): number {
    return this.analysis.boots.length;
  }

  // ----------------------------------------------------------------------------------------------
  // Whole log

  // ----------------------------------------------------------------------------------------------
  // What-if replay and comparison (views.ts)

  /** Replays a boot under another allocator / layout / command line. Throws LayoutError on bad input. */
  whatIf(bootIndex: number, request: WhatIfRequest): WhatIfView {
    return whatIfView(this.boot(bootIndex), request);
  }

  /** Compares two boots of this log (reservations held at the hand-off, accounting waterfalls). */
  compare(bootA: number, bootB: number, name = 'log'): CompareView {
    return compareView(diffBoots(this.boot(bootA), this.boot(bootB)), { a: name, b: name }, true);
  }

  /**
   * A boot of this log compared with a boot of another log given as text (in process the whole text
   * is parsed at once; the worker reads paths and text in steps, see rpc.ts).
   */
  compareWith(other: OtherLog, options: CompareWithOptions, control?: CompareControl): CompareView {
    if (control?.signal?.aborted) throw new CompareCancelled();
    if (!other || typeof other !== 'object' || !('text' in other) || typeof other.text !== 'string') {
      throw new Error('this session cannot read files: send the text of the other log');
    }
    const opts = parseCompareWithOptions(options);
    const problem = otherLogProblem(other.text.slice(0, SNIFF_CHARS), opts.names.b);
    if (problem) throw new Error(problem);
    control?.onProgress?.({ fraction: 1, message: `Analysing ${opts.names.b}…` });
    return this.compareWithAnalysis(analyzeText(other.text), opts);
  }

  /** compareWith on an analysis of the other log already made (the worker parses it in steps). */
  compareWithAnalysis(other: Analysis, options: CompareWithOptions): CompareView {
    return compareAnalyses(this.analysis, other, options);
  }

  private boot(bootIndex: number): BootAnalysis {
    const boot = this.analysis.boots[bootIndex];
    if (!boot) throw new Error(`no boot ${bootIndex} (the log has ${this.analysis.boots.length})`);
    return boot;
  }

  summary(): LogSummary {
    const findings = { error: 0, warning: 0, info: 0 };
    for (const boot of this.analysis.boots) for (const f of boot.report.findings) findings[f.severity]++;
    const last = this.analysis.boots[this.analysis.boots.length - 1];
    return {
      lineCount: this.analysis.parse.lineCount,
      unreadMemoryLines: this.analysis.parse.unreadCount,
      boots: this.analysis.boots.map(bootSummary),
      findings,
      reservedBytes: hex(last ? last.report.accounting.reservedBytes : 0n),
      nodeCount: last ? last.topology.nodes.length : 0,
    };
  }

  eventAtLine(line: number): { bootIndex: number; eventIndex: number } | undefined {
    const b = this.bootIndexAtLine(line);
    if (b < 0) return undefined;
    // On a line inside a multi-line event (a MEMBLOCK dump), the playhead goes to that event.
    const events = this.analysis.boots[b].boot.events;
    const covering = eventCovering(events, line);
    return { bootIndex: b, eventIndex: covering >= 0 ? covering : lastEventAtLine(events, line) };
  }

  diagnostics(): DiagnosticView[] {
    if (this.diagnosticsCache) return this.diagnosticsCache;
    const out: DiagnosticView[] = [];
    this.analysis.boots.forEach((boot, b) => {
      const views = this.index(b).findingViews;
      boot.report.findings.forEach((finding, i) => {
        out.push({ ...views[i], bootIndex: b, endLine: finding.endLine, related: (finding.related ?? []).map((r) => ({ line: r.line, message: r.message })) });
      });
    });
    this.diagnosticsCache = out;
    return out;
  }

  sections(): SectionView[] {
    return (this.sectionsCache ??= this.analysis.boots.map((boot, b) => this.bootSections(boot, b)));
  }

  foldingRanges(): { start: number; end: number }[] {
    if (this.foldingCache) return this.foldingCache;
    const out: { start: number; end: number }[] = [];
    for (const { boot } of this.analysis.boots) {
      const events = boot.events;
      let i = 0;
      while (i < events.length) {
        const e = events[i];
        if (e.kind === 'checkpoint') {
          if (e.endLine > e.line) out.push({ start: e.line, end: e.endLine });
          i++;
          continue;
        }
        const group = foldGroup(e);
        if (!group) {
          i++;
          continue;
        }
        let j = i;
        while (j + 1 < events.length && foldGroup(events[j + 1]) === group && events[j + 1].line <= events[j].endLine + 1) j++;
        if (j > i) out.push({ start: e.line, end: events[j].endLine });
        i = j + 1;
      }
    }
    this.foldingCache = out.sort((a, b) => a.start - b.start);
    return this.foldingCache;
  }

  // ----------------------------------------------------------------------------------------------
  // One boot

  bootView(bootIndex: number): BootView {
    const x = this.index(bootIndex);
    if (x.view) return x.view;
    const { boot, topology, report } = x.analysis;
    const acc = report.accounting;
    const accounting: AccountingStep[] = [
      { label: acc.firmwareUsableBytes !== undefined && acc.firmwareUsableBytes > 0n ? 'Installed RAM (firmware map)' : 'Installed RAM (memblock.memory)', bytes: hex(acc.installedBytes) },
      { label: 'Usable (memblock.memory at the hand-off)', bytes: hex(acc.memoryBytes) },
      ...acc.reservedByOwner.map((o) => ({ label: `Reserved: ${o.owner} (${o.count})`, bytes: hex(o.bytes), owner: o.owner })),
      { label: 'Handed to the page allocator', bytes: hex(acc.handedToPageAllocatorBytes) },
    ];
    const leaks: LeakView[] = leakSelection(report.leaks.held).map((h) => ({
      id: h.id,
      line: h.line,
      eventIndex: x.analysis.replay.reservations[h.id]?.eventIndex ?? -1,
      base: hex(h.base),
      size: hex(h.size),
      heldBytes: hex(h.heldBytes),
      owner: h.owner,
      caller: h.caller,
      nid: nidOfReservation(x, h.id),
      disposition: h.disposition,
      why: h.why,
    }));
    x.view = {
      boot: bootSummary(x.analysis),
      nodes: topology.nodes.map((n) => ({ nid: n.nid, memoryless: n.memoryless, blocks: n.blocks.map((b) => ({ base: hex(b.base), size: hex(b.size) })) })),
      firmware: topology.firmware.map((f) => ({ base: hex(f.base), size: hex(f.size), type: f.type, usable: isUsableType(f.type) })),
      accounting,
      owners: ownerLegend(x.analysis),
      findings: x.findingViews,
      leaks,
      overview: overviewOf(boot.events),
    };
    return x.view;
  }

  timelinePage(bootIndex: number, start: number, count: number): TimelineEvent[] {
    const x = this.index(bootIndex);
    const events = x.analysis.boot.events;
    const from = Math.max(0, Math.floor(start));
    const to = Math.min(events.length, from + Math.max(0, Math.floor(count)));
    const rows: TimelineEvent[] = [];
    for (let i = from; i < to; i++) rows.push(this.row(x, i));
    return rows;
  }

  stateAt(bootIndex: number, eventIndex: number): StateMessage {
    const x = this.index(bootIndex);
    const events = x.analysis.boot.events;
    const i = clampEvent(eventIndex, events.length);
    const { memory, reserved } = this.regionsAt(bootIndex, i);
    const event = i >= 0 ? events[i] : undefined;
    return {
      type: 'state',
      bootIndex,
      eventIndex: i,
      line: event ? event.line : x.analysis.boot.startLine,
      memory,
      reserved,
      changed: event ? this.changedBy(x, i) : undefined,
      announcement: event
        ? `Event ${i + 1} of ${events.length}, line ${event.line}: ${this.announce(x, i)}`
        : `Before the first event of boot ${bootIndex} (${events.length} events)`,
    };
  }

  regionsAt(bootIndex: number, eventIndex: number): { memory: RegionView[]; reserved: RegionView[] } {
    const x = this.index(bootIndex);
    const i = clampEvent(eventIndex, x.analysis.boot.events.length);
    const model = this.model(bootIndex, i);
    const memory = liveRegions(model, 'memory').map((r) => regionView(r));
    const reservedRegions = liveRegions(model, 'reserved');
    const owners = ownersOf(x, i, reservedRegions.map((r) => r.base));
    const reserved = reservedRegions.map((r, k) => {
      const id = owners[k];
      if (id < 0) return regionView(r);
      const res = x.analysis.replay.reservations[id];
      return regionView(r, x.analysis.report.owners[id]?.owner ?? 'unknown', res.line);
    });
    return { memory, reserved };
  }

  reservations(bootIndex: number, nid?: number): TreeReservation[] {
    const x = this.index(bootIndex);
    const out: TreeReservation[] = [];
    for (const r of x.analysis.replay.reservations) {
      if (!madeBeforeHandoff(x, r)) continue;
      if (nid !== undefined && nidOfReservation(x, r.id) !== nid) continue;
      out.push(treeReservation(x, r));
    }
    return out;
  }

  reservationPage(bootIndex: number, nid: number, scope: ReservationScope, offset: number, limit: number): ReservationPage {
    const x = this.index(bootIndex);
    const ids = this.scopeIds(x, nid, scope);
    const from = Math.max(0, Math.min(Math.floor(offset) || 0, ids.length));
    const to = Math.min(ids.length, from + Math.max(0, Math.floor(limit) || 0));
    const items: TreeReservation[] = [];
    for (let k = from; k < to; k++) items.push(treeReservation(x, x.analysis.replay.reservations[ids[k]]));
    return { total: ids.length, offset: from, items };
  }

  /** Ids of a scope, computed once per (boot, node, scope): a tree expands pages of the same block. */
  private scopeIds(x: BootIndex, nid: number, scope: ReservationScope): Int32Array {
    const block = 'block' in scope ? { base: parseHex(scope.block.base), size: parseHex(scope.block.size) } : undefined;
    if (block && (block.base === undefined || block.size === undefined)) throw new Error('reservationPage: bad block range');
    const key = block ? `${nid}/${block.base}/${block.size}` : `${nid}/outside`;
    const cached = x.scopes.get(key);
    if (cached) return cached;
    const blocks = (x.analysis.topology.nodes.find((n) => n.nid === nid)?.blocks ?? []).map((b) => ({ base: b.base, end: b.base + b.size }));
    const inside = (r: Reservation, base: Addr, end: Addr) => r.base >= base && r.base < end;
    const ids: number[] = [];
    for (const r of x.analysis.replay.reservations) {
      if (!madeBeforeHandoff(x, r) || nidOfReservation(x, r.id) !== nid) continue;
      const hit = block ? inside(r, block.base!, block.base! + block.size!) : !blocks.some((b) => inside(r, b.base, b.end));
      if (hit) ids.push(r.id);
    }
    const out = Int32Array.from(ids);
    x.scopes.set(key, out);
    return out;
  }

  // ----------------------------------------------------------------------------------------------
  // Editor features (by line)

  addressInfo(line: number, address: Hex): AddressInfo | undefined {
    const addr = parseHex(address.trim());
    if (addr === undefined) return undefined;
    const b = this.bootIndexAtLine(line);
    if (b < 0) return undefined;
    const x = this.index(b);
    const { topology, replay, report } = x.analysis;
    const i = lastEventAtLine(x.analysis.boot.events, line);
    const model = this.model(b, i);
    const nid = nodeOf(topology, addr);
    const block = nid === undefined ? undefined : topology.nodes.find((n) => n.nid === nid)?.blocks.find((bl) => addr >= bl.base && addr < bl.base + bl.size);
    const fw = firmwareAt(topology, addr);
    const memRegion = findRegion(liveRegions(model, 'memory'), addr);
    const resRegion = findRegion(liveRegions(model, 'reserved'), addr);
    const info: AddressInfo = { address: hex(addr), nid, inMemory: memRegion !== undefined, lines: [] };
    if (block) info.block = { base: hex(block.base), size: hex(block.size) };
    if (fw) info.firmwareType = fw.type;
    const lines = info.lines;
    lines.push(nid !== undefined && block ? `${hex(addr)}: node ${nid}, block ${memRange(block.base, block.size)}` : `${hex(addr)}: in no NUMA node block the log names`);
    if (fw) lines.push(`Firmware map: ${fw.type} ${memRange(fw.base, fw.size)} (${fw.source}, line ${fw.line})`);
    const when = i >= 0 ? `after line ${x.analysis.boot.events[i].endLine}` : 'before the first memory line';
    if (resRegion) {
      const id = ownersOf(x, i, [addr])[0];
      const res = id >= 0 ? replay.reservations[id] : undefined;
      const verdict = id >= 0 ? report.owners[id] : undefined;
      if (res) {
        info.reserved = { base: hex(res.base), size: hex(res.size), owner: verdict?.owner, ownerReason: verdict?.reason, line: res.line };
        const caller = callerOf(res, verdict);
        lines.push(
          `Reserved ${when}: ${memRange(res.base, res.size)} (${humanSize(res.size)}), owner ${verdict?.owner ?? 'unknown'}` +
            `${caller ? ` (${caller})` : ''}, reserved at line ${res.line}`,
        );
        if (verdict?.reason) lines.push(`Owner: ${verdict.reason}`);
      } else {
        info.reserved = { base: hex(resRegion.base), size: hex(resRegion.size) };
        lines.push(`Reserved ${when}: region ${memRange(resRegion.base, resRegion.size)} (${humanSize(resRegion.size)}), no reservation line known`);
      }
    } else if (memRegion) {
      lines.push(`Free memory ${when} (memblock.memory ${memRange(memRegion.base, memRegion.size)}, not reserved)`);
    } else {
      lines.push(`Not in memblock.memory ${when}`);
    }
    return info;
  }

  lenses(fromLine: number, toLine: number): EventLens[] {
    const out: EventLens[] = [];
    this.analysis.boots.forEach((boot, b) => {
      if (boot.boot.endLine < fromLine || boot.boot.startLine > toLine) return;
      const events = boot.boot.events;
      const x = this.index(b);
      for (let i = firstEventFrom(events, fromLine); i < events.length && events[i].line <= toLine; i++) {
        const lens = this.lensOf(x, i);
        if (lens) out.push(lens);
      }
    });
    return out;
  }

  matching(line: number): number[] {
    const b = this.bootIndexAtLine(line);
    if (b < 0) return [];
    const x = this.index(b);
    const i = eventCovering(x.analysis.boot.events, line);
    if (i < 0) return [];
    return this.related(x, i);
  }

  // ----------------------------------------------------------------------------------------------
  // Internals

  private index(bootIndex: number): BootIndex {
    const b = this.analysis.boots[bootIndex];
    if (!b) throw new RangeError(`no boot ${bootIndex} (the log has ${this.analysis.boots.length})`);
    let x = this.indexes[bootIndex];
    if (!x) {
      x = buildIndex(b, this.findingBase[bootIndex]);
      this.indexes[bootIndex] = x;
    }
    return x;
  }

  private bootIndexAtLine(line: number): number {
    const boots = this.analysis.boots;
    let lo = 0;
    let hi = boots.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (boots[mid].boot.startLine <= line) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** The memblock state after event i (shared: callers must not mutate it). */
  private model(bootIndex: number, i: number): Memblock {
    const cached = this.states.findIndex((s) => s.bootIndex === bootIndex && s.eventIndex === i);
    if (cached >= 0) {
      const [hit] = this.states.splice(cached, 1);
      this.states.unshift(hit);
      return hit.model;
    }
    const x = this.index(bootIndex);
    const replay = x.analysis.replay;
    const snapshot = nearestSnapshotIndex(replay.snapshots, i);
    let best: CachedState | undefined;
    for (const s of this.states) {
      if (s.bootIndex === bootIndex && s.eventIndex < i && s.eventIndex > snapshot && i - s.eventIndex <= MAX_ADVANCE) {
        if (!best || s.eventIndex > best.eventIndex) best = s;
      }
    }
    let model: Memblock;
    if (best) {
      model = best.model.clone();
      advance(x, model, best.eventIndex + 1, i);
    } else {
      model = stateAtEvent(x.analysis.boot, replay, i);
    }
    this.states.unshift({ bootIndex, eventIndex: i, model });
    if (this.states.length > STATE_CACHE) this.states.pop();
    return model;
  }

  private row(x: BootIndex, i: number): TimelineEvent {
    const event = x.analysis.boot.events[i];
    const row: TimelineEvent = { index: i, line: event.line, kind: timelineKind(event), label: this.label(x, i) };
    const range = rangeOf(event);
    if (range) {
      row.base = hex(range.base);
      row.size = hex(range.size);
    }
    const nid = this.nidOf(x, i);
    if (nid !== undefined) row.nid = nid;
    const outcome = x.allocByRequest.get(i) ?? x.allocByReserve.get(i);
    if (outcome) row.status = outcome.status;
    const res = event.kind === 'reserve' || event.kind === 'alloc' ? this.reservationAt(x, i) : undefined;
    if (res) row.owner = x.analysis.report.owners[res.id]?.owner;
    if (event.kind === 'alloc' && outcome?.actual != null) {
      row.base = hex(outcome.actual);
      row.size = hex(event.size);
    }
    if (x.findingsByEvent.has(i)) row.flagged = true;
    return row;
  }

  /** The reservation an event created: a reserve line's own, or an allocation request's result. */
  private reservationAt(x: BootIndex, i: number): Reservation | undefined {
    let ids = x.resByEvent.get(i);
    if (!ids) {
      const outcome = x.allocByRequest.get(i);
      if (outcome?.reserveEventIndex !== undefined) ids = x.resByEvent.get(outcome.reserveEventIndex);
    }
    return ids ? x.analysis.replay.reservations[ids[0]] : undefined;
  }

  /** Node of an event: where its range (or an allocation's result) lies, else the nid it printed. */
  private nidOf(x: BootIndex, i: number): number | undefined {
    const event = x.analysis.boot.events[i];
    const topology = x.analysis.topology;
    if (event.kind === 'alloc') {
      const outcome = x.allocByRequest.get(i);
      if (outcome?.actual != null) return nodeOf(topology, outcome.actual);
      return event.nid !== null && event.nid >= 0 ? event.nid : undefined;
    }
    if ('nid' in event && typeof event.nid === 'number' && event.nid >= 0 && event.kind !== 'alloc-hugetlb') return event.nid;
    const range = rangeOf(event);
    if (range && (event.kind === 'reserve' || event.kind === 'free' || event.kind === 'free-late' || event.kind === 'add' || event.kind === 'remove')) {
      return nodeOf(topology, range.base);
    }
    if (event.kind === 'alloc-hugetlb' && event.nid >= 0) return event.nid;
    return undefined;
  }

  private label(x: BootIndex, i: number): string {
    const event = x.analysis.boot.events[i];
    const reservations = x.analysis.replay.reservations;
    switch (event.kind) {
      case 'alloc': {
        const o = x.allocByRequest.get(i);
        const where = o?.actual != null ? hex(o.actual) : o?.status === 'failed' ? 'failed' : '?';
        const nid = event.nid !== null && event.nid >= 0 ? ` nid ${event.nid}` : '';
        return `alloc ${humanSize(event.size)} align ${hex(event.align)}${nid} → ${where}${paren(functionName(event.caller))}`;
      }
      case 'alloc-hugetlb':
        return `alloc hugetlb ${humanSize(event.size)}${event.nid >= 0 ? ` nid ${event.nid}` : ''}${paren(functionName(event.caller))}`;
      case 'reserve': {
        const ids = x.resByEvent.get(i);
        const res = ids ? reservations[ids[0]] : undefined;
        const who = (res ? callerOf(res, x.analysis.report.owners[res.id]) : undefined) ?? functionName(event.caller) ?? event.name;
        return `reserve ${rangeText(event)} ${humanSize(event.size)}${who ? ' ' + who : ''}`;
      }
      case 'free':
        return `free ${rangeText(event)} ${humanSize(event.size)}${space(functionName(event.caller))}`;
      case 'free-late':
        return `free late ${rangeText(event)} ${humanSize(event.size)}${space(functionName(event.caller))}`;
      case 'add':
        return `add ${rangeText(event)} ${humanSize(event.size)}${event.nid !== undefined ? ` node ${event.nid}` : ''}${space(functionName(event.caller))}`;
      case 'remove':
        return `remove ${rangeText(event)} ${humanSize(event.size)}${space(functionName(event.caller))}`;
      case 'checkpoint': {
        const what = event.source === 'dump' ? 'MEMBLOCK dump' : 'memblock debugfs listing';
        const c = x.checkpointByEvent.get(i);
        const verdict = !c ? '' : c.role === 'sync' ? 'synced' : c.diffs.length === 0 ? 'matches' : `${c.diffs.length} difference${c.diffs.length === 1 ? '' : 's'}`;
        return `${what}${verdict ? ` (${verdict})` : ''}${event.complete ? '' : ' incomplete'}`;
      }
      case 'double':
        return `${event.array} array doubled to ${event.newMax} at ${rangeText(event)}`;
      case 'firmware':
        if (event.edit) return `${event.source} ${event.edit} ${rangeText(event)} ${event.type}${event.newType ? ` → ${event.newType}` : ''}`;
        return `${event.source} ${event.type} ${rangeText(event)}`;
      case 'node-range':
        return `node ${event.nid} ${rangeText(event)} (${event.source})`;
      case 'node-data':
        return `NODE_DATA(${event.nid}) ${rangeText(event)}${event.onNode !== undefined ? ` on node ${event.onNode}` : ''}`;
      case 'memoryless-node':
        return `node ${event.nid} memoryless`;
      case 'zone':
        return event.base !== undefined && event.size !== undefined ? `zone ${event.zone} ${memRange(event.base, event.size)}` : `zone ${event.zone} empty`;
      case 'owner-hint':
        return `${event.label ?? event.owner} ${rangeText(event)} (${event.owner})`;
      case 'accounting':
        return `Memory: ${humanSize(BigInt(event.availableKiB) * 1024n)} available of ${humanSize(BigInt(event.totalKiB) * 1024n)}` +
          (event.reservedKiB !== undefined ? `, ${humanSize(BigInt(event.reservedKiB) * 1024n)} reserved` : '') +
          (i === x.analysis.replay.handoffIndex ? ' (hand-off)' : '');
      case 'freeing':
        return `Freeing ${event.name} memory: ${humanSize(BigInt(event.kib) * 1024n)}`;
      case 'percpu':
        return `percpu: ${event.pagesPerCpu} pages/cpu`;
      case 'dropped':
        return `${event.count} messages dropped`;
      case 'failure':
        return `failure: ${clip(event.text, 80)}`;
      case 'setting':
        return `${event.name}: ${clip(event.value, 60)}`;
      case 'bootmem':
        return `bootmem ${event.fn}`;
      case 'early-res':
        return `early_res ${event.name} ${rangeText(event)}`;
      default:
        return (event as MemoryEvent).kind;
    }
  }

  private changedBy(x: BootIndex, i: number): StateMessage['changed'] {
    const event = x.analysis.boot.events[i];
    const kind = timelineKind(event);
    if (event.kind === 'alloc') {
      const o = x.allocByRequest.get(i);
      return o?.actual != null ? { kind, base: hex(o.actual), size: hex(event.size) } : undefined;
    }
    if (kind === 'reserve' || kind === 'free' || kind === 'free-late' || kind === 'add' || kind === 'remove') {
      const range = rangeOf(event);
      return range ? { kind, base: hex(range.base), size: hex(range.size) } : undefined;
    }
    return undefined;
  }

  private announce(x: BootIndex, i: number): string {
    const event = x.analysis.boot.events[i];
    const nid = this.nidOf(x, i);
    const on = nid !== undefined ? ` on node ${nid}` : '';
    switch (event.kind) {
      case 'alloc': {
        const o = x.allocByRequest.get(i);
        const at = o?.actual != null ? ` at ${hex(o.actual)}` : o?.status === 'failed' ? ', failed' : ', no reserve line';
        return `alloc ${humanSize(event.size)}${on}${at}${paren(functionName(event.caller))}`;
      }
      case 'reserve':
      case 'free':
      case 'free-late':
      case 'add':
      case 'remove': {
        const verb = event.kind === 'free-late' ? 'free late' : event.kind;
        const res = event.kind === 'reserve' ? this.reservationAt(x, i) : undefined;
        const owner = res ? `, ${x.analysis.report.owners[res.id]?.owner ?? 'unknown'}` : '';
        return `${verb} ${humanSize(event.size)}${on} at ${hex(event.base)}${owner}`;
      }
      default:
        return this.label(x, i);
    }
  }

  private lensOf(x: BootIndex, i: number): EventLens | undefined {
    const event = x.analysis.boot.events[i];
    const { topology, report, replay } = x.analysis;
    const parts: string[] = [];
    const nidText = (addr: Addr | null | undefined) => {
      if (addr === null || addr === undefined) return undefined;
      const nid = nodeOf(topology, addr);
      return nid !== undefined ? `node ${nid}` : undefined;
    };
    switch (event.kind) {
      case 'alloc': {
        const o = x.allocByRequest.get(i);
        parts.push(humanSize(event.size));
        const node = nidText(o?.actual);
        if (node) parts.push(node);
        if (!o || o.status === 'unpaired') parts.push('no reserve line');
        else if (o.status === 'failed') parts.push('failed');
        else if (o.status === 'match') parts.push('predicted ✓');
        else parts.push(`kernel chose ${hex(o.actual!)} (model: ${o.predicted === null ? 'no fit' : hex(o.predicted)})`);
        const res = this.reservationAt(x, i);
        if (res) parts.push(freedText(res));
        break;
      }
      case 'reserve': {
        const res = this.reservationAt(x, i);
        parts.push(humanSize(event.size));
        const node = nidText(event.base);
        if (node) parts.push(node);
        if (res) {
          parts.push(report.owners[res.id]?.owner ?? 'unknown');
          parts.push(freedText(res));
        }
        break;
      }
      case 'free':
      case 'free-late': {
        parts.push(humanSize(event.size));
        const node = nidText(event.base);
        if (node) parts.push(node);
        const ids = x.freed.get(i) ?? [];
        if (ids.length === 0) parts.push(event.kind === 'free' ? 'releases nothing reserved' : 'to the page allocator');
        else {
          const lines = unique(ids.map((id) => replay.reservations[id].line));
          parts.push(`releases line ${lines.slice(0, 3).join(', ')}${lines.length > 3 ? ` (+${lines.length - 3})` : ''}`);
        }
        break;
      }
      default:
        return undefined;
    }
    return { line: event.line, bootIndex: x.analysis.boot.index, eventIndex: i, text: parts.join(' · '), related: this.related(x, i) };
  }

  /** For a free: the lines of the reservations it released; for a reserve/alloc: the reserve line (allocs) and the frees. */
  private related(x: BootIndex, i: number): number[] {
    const event = x.analysis.boot.events[i];
    const reservations = x.analysis.replay.reservations;
    if (event.kind === 'free' || event.kind === 'free-late') {
      return unique((x.freed.get(i) ?? []).map((id) => reservations[id].line));
    }
    if (event.kind === 'alloc' || event.kind === 'reserve') {
      const res = this.reservationAt(x, i);
      if (!res) return [];
      const lines = [...res.frees, ...res.lateFrees].map((f) => f.line);
      if (event.kind === 'alloc') lines.unshift(res.line);
      return unique(lines);
    }
    return [];
  }

  private bootSections(analysis: BootAnalysis, b: number): SectionView {
    const { boot } = analysis;
    const spans = new Map<string, { name: string; kind: string; start: number; end: number; tables: Set<string> }>();
    const dumps: SectionView[] = [];
    const grow = (key: string, name: string, kind: string, e: MemoryEvent, table?: string) => {
      let s = spans.get(key);
      if (!s) spans.set(key, (s = { name, kind, start: e.line, end: e.endLine, tables: new Set() }));
      if (e.line < s.start) s.start = e.line;
      if (e.endLine > s.end) s.end = e.endLine;
      if (table) s.tables.add(table);
    };
    for (const e of boot.events) {
      if (e.kind === 'firmware') grow('fw', 'Firmware map', 'firmware-map', e, e.source);
      else if (e.kind === 'node-range' || e.kind === 'node-data' || e.kind === 'memoryless-node') grow('numa', 'NUMA', 'numa', e);
      else if (ALLOCATOR_KINDS.has(e.kind)) grow('mb', 'memblock timeline', 'memblock', e);
      else if (e.kind === 'zone') grow('zones', 'Zones', 'zones', e);
      else if (e.kind === 'accounting' || e.kind === 'freeing') grow('acc', 'Accounting', 'accounting', e);
      if (e.kind === 'checkpoint') {
        dumps.push({ name: e.source === 'dump' ? `MEMBLOCK dump (line ${e.line})` : `memblock debugfs (line ${e.line})`, kind: 'checkpoint', startLine: e.line, endLine: e.endLine });
      }
    }
    const children: SectionView[] = [];
    for (const s of spans.values()) {
      const name = s.tables.size > 0 ? `${s.name} (${[...s.tables].join(', ')})` : s.name;
      children.push({ name, kind: s.kind, startLine: s.start, endLine: s.end });
    }
    const mb = children.find((c) => c.kind === 'memblock');
    for (const d of dumps) {
      if (mb && d.startLine >= mb.startLine && d.endLine <= mb.endLine) (mb.children ??= []).push(d);
      else children.push(d);
    }
    children.sort((p, q) => p.startLine - q.startLine || q.endLine - p.endLine);
    const title = `Boot ${b}${boot.kernelVersion ? `: Linux ${boot.kernelVersion}` : ''}${boot.arch ? ` (${boot.arch})` : ''}`;
    return { name: title, kind: 'boot', startLine: boot.startLine, endLine: boot.endLine, children };
  }
}

// ------------------------------------------------------------------------------------------------
// Per-boot indexes

interface CachedState {
  bootIndex: number;
  eventIndex: number;
  model: Memblock;
}

interface BootIndex {
  analysis: BootAnalysis;
  /** Reservation ids created by an event (a reserve line: one; a syncing checkpoint: several). */
  resByEvent: IdsByEvent;
  allocByRequest: AllocByEvent;
  allocByReserve: AllocByEvent;
  /** Reservation ids a free / free-late event took bytes from. */
  freed: Map<number, number[]>;
  checkpointByEvent: Map<number, { role: 'sync' | 'compare'; diffs: unknown[] }>;
  /** Checkpoints whose state the replay adopted (sync, or a compare that differed). */
  adopted: Set<number>;
  inferred: Map<number, import('../replay/replay').InferredStep>;
  findingViews: FindingView[];
  findingsByEvent: Map<number, FindingView[]>;
  /** Event index at which a reservation's claimed bytes were all freed (NEVER when not). */
  deadAt: Float64Array;
  /** Reservation ids sorted by base, with their ranges and lives in that order. */
  sortedIds: Int32Array;
  sortedBase: Addr[];
  sortedEnd: Addr[];
  /** Creating event index of each reservation, in base order. */
  sortedCreated: Int32Array;
  /** Node of each reservation's base (-2: not computed yet, -1: none). */
  resNid: Int32Array;
  /** deadAt in base order. */
  sortedDead: Float64Array;
  /** Reservation ids per tree scope (node and block, or node outside its blocks), built on first use. */
  scopes: Map<string, Int32Array>;
  /** Number() images of sortedBase / sortedEnd, for fast comparisons. */
  baseF: Float64Array;
  endF: Float64Array;
  view?: BootView;
}

/** Reservation ids created per event: one for a reserve line (typed array), several for a syncing checkpoint. */
class IdsByEvent {
  private readonly first: Int32Array;
  private readonly more = new Map<number, number[]>();
  constructor(events: number) {
    this.first = new Int32Array(events).fill(-1);
  }
  add(i: number, id: number): void {
    if (i < 0 || i >= this.first.length) return;
    if (this.first[i] < 0) this.first[i] = id;
    else {
      const list = this.more.get(i);
      if (list) list.push(id);
      else this.more.set(i, [this.first[i], id]);
    }
  }
  get(i: number): number[] | undefined {
    const id = this.first[i];
    if (id === undefined || id < 0) return undefined;
    return this.more.get(i) ?? [id];
  }
}

/** Allocation outcomes by event index (request line, or the reserve line that answered it). */
class AllocByEvent {
  private readonly at: Int32Array;
  constructor(private readonly allocs: readonly AllocOutcome[], events: number) {
    this.at = new Int32Array(events).fill(-1);
  }
  set(i: number, k: number): void {
    if (i >= 0 && i < this.at.length) this.at[i] = k;
  }
  get(i: number): AllocOutcome | undefined {
    const k = this.at[i];
    return k === undefined || k < 0 ? undefined : this.allocs[k];
  }
}

function buildIndex(analysis: BootAnalysis, findingBase: number): BootIndex {
  const { boot, replay, report, topology } = analysis;
  const n = boot.events.length;
  const resByEvent = new IdsByEvent(n);
  const freed = new Map<number, number[]>();
  const deadAt = new Float64Array(replay.reservations.length).fill(NEVER);
  for (const r of replay.reservations) {
    resByEvent.add(r.eventIndex, r.id);
    let total = 0n;
    for (const f of r.frees) {
      addTo(freed, f.eventIndex, r.id);
      total += f.size;
      if (r.claimed > 0n && total >= r.claimed && deadAt[r.id] === NEVER) deadAt[r.id] = f.eventIndex;
    }
    for (const f of r.lateFrees) addTo(freed, f.eventIndex, r.id);
  }
  const allocByRequest = new AllocByEvent(replay.allocs, n);
  const allocByReserve = new AllocByEvent(replay.allocs, n);
  replay.allocs.forEach((a, k) => {
    allocByRequest.set(a.eventIndex, k);
    if (a.reserveEventIndex !== undefined) allocByReserve.set(a.reserveEventIndex, k);
  });
  const checkpointByEvent = new Map<number, { role: 'sync' | 'compare'; diffs: unknown[] }>();
  const adopted = new Set<number>();
  for (const c of replay.checkpoints) {
    checkpointByEvent.set(c.eventIndex, c);
    if (c.role === 'sync' || c.diffs.length > 0) adopted.add(c.eventIndex);
  }
  const inferred = new Map(replay.inferred.map((s) => [s.eventIndex, s]));
  const sorted = sortIdsByBase(replay.reservations);
  const x: BootIndex = {
    analysis,
    resByEvent,
    allocByRequest,
    allocByReserve,
    freed,
    checkpointByEvent,
    adopted,
    inferred,
    findingViews: [],
    findingsByEvent: new Map(),
    deadAt,
    sortedIds: Int32Array.from(sorted),
    sortedBase: sorted.map((id) => replay.reservations[id].base),
    sortedEnd: sorted.map((id) => replay.reservations[id].base + replay.reservations[id].size),
    sortedCreated: Int32Array.from(sorted, (id) => replay.reservations[id].eventIndex),
    sortedDead: Float64Array.from(sorted, (id) => deadAt[id]),
    resNid: new Int32Array(replay.reservations.length).fill(-2),
    scopes: new Map(),
    baseF: Float64Array.from(sorted, (id) => Number(replay.reservations[id].base)),
    endF: Float64Array.from(sorted, (id) => Number(replay.reservations[id].base + replay.reservations[id].size)),
  };
  report.findings.forEach((finding, k) => {
    const view = findingView(x, finding, findingBase + k, topology);
    x.findingViews.push(view);
    if (view.eventIndex !== undefined) {
      const list = x.findingsByEvent.get(view.eventIndex);
      if (list) list.push(view);
      else x.findingsByEvent.set(view.eventIndex, [view]);
    }
  });
  return x;
}

function nidOfReservation(x: BootIndex, id: number): number | undefined {
  let nid = x.resNid[id];
  if (nid === -2) {
    const r = x.analysis.replay.reservations[id];
    nid = r ? nodeOf(x.analysis.topology, r.base) ?? -1 : -1;
    x.resNid[id] = nid;
  }
  return nid >= 0 ? nid : undefined;
}

/** Reservation ids by base (then id). Reservations come in creation order, mostly with few distinct runs. */
function sortIdsByBase(reservations: readonly Reservation[]): number[] {
  const keyed = reservations.map((r) => ({ f: Number(r.base), base: r.base, id: r.id }));
  keyed.sort((a, b) => (a.f !== b.f ? a.f - b.f : a.base < b.base ? -1 : a.base > b.base ? 1 : a.id - b.id));
  return keyed.map((k) => k.id);
}

function findingView(x: BootIndex, finding: Finding, id: number, topology: Topology): FindingView {
  const { boot, replay, report } = x.analysis;
  const view: FindingView = { id, code: finding.code, severity: finding.severity, line: finding.line, message: finding.message };
  const i = eventCovering(boot.events, finding.line);
  if (i < 0) return view;
  view.eventIndex = i;
  const event = boot.events[i];
  let res: Reservation | undefined;
  const ids = x.resByEvent.get(i);
  if (event.kind === 'reserve' && ids) res = replay.reservations[ids[0]];
  if (event.kind === 'alloc') {
    const o = x.allocByRequest.get(i);
    const rid = o?.reserveEventIndex !== undefined ? x.resByEvent.get(o.reserveEventIndex) : undefined;
    if (rid) res = replay.reservations[rid[0]];
    view.size = hex(event.size);
    if (event.nid !== null && event.nid >= 0) view.nid = event.nid;
    const caller = functionName(event.caller);
    if (caller) view.caller = caller;
  }
  if (res) {
    const verdict = report.owners[res.id];
    view.owner = verdict?.owner;
    view.caller = callerOf(res, verdict) ?? view.caller;
    view.size = hex(res.size);
    view.nid = nidOfReservation(x, res.id) ?? view.nid;
  } else {
    const range = rangeOf(event);
    if (range && event.kind !== 'alloc') {
      view.size = hex(range.size);
      const nid = nodeOf(topology, range.base);
      if (nid !== undefined) view.nid = nid;
      const caller = 'caller' in event ? functionName(event.caller) : undefined;
      if (caller) view.caller = caller;
    } else if ('nid' in event && typeof event.nid === 'number' && event.nid >= 0 && view.nid === undefined) {
      view.nid = event.nid;
    }
  }
  return view;
}

/** Re-applies events from..to on a model, exactly as stateAtEvent does from a snapshot. */
function advance(x: BootIndex, model: Memblock, from: number, to: number): void {
  const events = x.analysis.boot.events;
  for (let i = from; i <= to && i < events.length; i++) {
    const step = x.inferred.get(i);
    if (step) applyInferred(model, step);
    const event = events[i];
    if (event.kind === 'checkpoint') {
      if (x.adopted.has(i)) {
        if (event.reserved) loadArray(model, 'reserved', event.reserved, event.hasNid, event.hasFlags);
        if (event.memory) loadArray(model, 'memory', event.memory, event.hasNid, event.hasFlags);
      }
    } else if (changesState(event)) {
      applyModelOp(model, event);
    }
  }
}

/** Positions scanned back from an address before falling back to a sweep (see ownersOf). */
const OWNER_SCAN = 512;

/**
 * For each address, the id of the reservation that owns it after event `t` (-1: none): among the
 * live reservations (created at or before t, not wholly freed by t) whose range covers the address,
 * the one whose base is nearest below it, the latest created among equal bases. Found by scanning
 * back from the address in the base-sorted index; an address whose owner is further back than
 * OWNER_SCAN positions (a big reservation with many small ones after its base) goes to a sweep over
 * all reservations that picks the latest created covering one.
 */
function ownersOf(x: BootIndex, t: number, addrs: readonly Addr[]): number[] {
  const { sortedIds, sortedBase, sortedEnd, sortedCreated, sortedDead, baseF, endF } = x;
  const out = new Array<number>(addrs.length).fill(-1);
  const unresolved: number[] = [];
  for (let k = 0; k < addrs.length; k++) {
    const addr = addrs[k];
    const af = Number(addr);
    // Last position with base <= addr.
    let lo = 0;
    let hi = sortedIds.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (baseF[mid] < af || (baseF[mid] === af && sortedBase[mid] <= addr)) lo = mid + 1;
      else hi = mid;
    }
    let best = -1;
    const stop = Math.max(-1, lo - 1 - OWNER_SCAN);
    for (let p = lo - 1; p > stop; p--) {
      if (best >= 0 && sortedBase[p] !== sortedBase[best]) break;
      if (sortedCreated[p] > t || sortedDead[p] <= t) continue;
      if (!(endF[p] > af || (endF[p] === af && sortedEnd[p] > addr))) continue;
      if (best < 0 || sortedCreated[p] > sortedCreated[best]) best = p;
    }
    if (best >= 0) out[k] = sortedIds[best];
    else if (stop >= 0) unresolved.push(k);
  }
  if (unresolved.length > 0) {
    const swept = sweepOwners(x, t, unresolved.map((k) => addrs[k]));
    unresolved.forEach((k, j) => (out[k] = swept[j]));
  }
  return out;
}

/**
 * The latest created live reservation covering each address: one pass over the reservations sorted
 * by base; a reservation enters a max-heap (on creation order) only when it is alive and still
 * covers the address being looked at, so the heap stays as small as the overlap depth.
 */
function sweepOwners(x: BootIndex, t: number, addrs: readonly Addr[]): number[] {
  const { sortedIds, sortedBase, sortedEnd, sortedCreated, sortedDead, baseF, endF } = x;
  const heap: number[] = []; // positions in the sorted arrays; max by (created, position)
  const later = (p: number, q: number) => sortedCreated[p] > sortedCreated[q] || (sortedCreated[p] === sortedCreated[q] && p > q);
  const push = (p: number) => {
    let k = heap.length;
    heap.push(p);
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!later(p, heap[parent])) break;
      heap[k] = heap[parent];
      k = parent;
    }
    heap[k] = p;
  };
  const pop = () => {
    const last = heap.pop()!;
    const n = heap.length;
    if (n === 0) return;
    let k = 0;
    for (;;) {
      const l = 2 * k + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && later(heap[r], heap[l]) ? r : l;
      if (!later(heap[m], last)) break;
      heap[k] = heap[m];
      k = m;
    }
    heap[k] = last;
  };
  const order = addrs.map((_, j) => j).sort((a, b) => (addrs[a] < addrs[b] ? -1 : addrs[a] > addrs[b] ? 1 : 0));
  const out = new Array<number>(addrs.length).fill(-1);
  const n = sortedIds.length;
  let p = 0;
  for (const k of order) {
    const addr = addrs[k];
    const af = Number(addr);
    // BigInt comparisons are slow: compare the float images first (Number() rounds monotonically,
    // so unequal images decide) and the exact values only on a tie.
    while (p < n && (baseF[p] < af || (baseF[p] === af && sortedBase[p] <= addr))) {
      if (sortedCreated[p] <= t && sortedDead[p] > t && (endF[p] > af || (endF[p] === af && sortedEnd[p] > addr))) push(p);
      p++;
    }
    // Addresses only grow: a range ending at or below this one never covers a later one.
    while (heap.length > 0 && (endF[heap[0]] < af || (endF[heap[0]] === af && sortedEnd[heap[0]] <= addr))) pop();
    if (heap.length > 0) out[k] = sortedIds[heap[0]];
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Helpers

function bootSummary(b: BootAnalysis): BootSummary {
  return {
    index: b.boot.index,
    startLine: b.boot.startLine,
    endLine: b.boot.endLine,
    kernelVersion: b.boot.kernelVersion,
    arch: b.boot.arch,
    eventCount: b.boot.events.length,
  };
}

function leakSelection(held: readonly HeldReservation[]): HeldReservation[] {
  if (held.length <= LEAK_LIMIT) return [...held];
  const rank: Record<HeldReservation['disposition'], number> = { suspect: 0, 'released-later': 1, unclassified: 2, permanent: 3 };
  const chosen = [...held]
    .sort((a, b) => rank[a.disposition] - rank[b.disposition] || (a.heldBytes > b.heldBytes ? -1 : a.heldBytes < b.heldBytes ? 1 : a.id - b.id))
    .slice(0, LEAK_LIMIT);
  return chosen.sort((a, b) => a.id - b.id);
}

function ownerLegend(b: BootAnalysis): string[] {
  const legend: string[] = b.report.leaks.byOwner.map((o) => o.owner);
  const seen = new Set(legend);
  const rest = new Map<string, bigint>();
  for (const r of b.replay.reservations) {
    const owner = b.report.owners[r.id]?.owner ?? 'unknown';
    if (!seen.has(owner)) rest.set(owner, (rest.get(owner) ?? 0n) + r.size);
  }
  legend.push(...[...rest.entries()].sort((p, q) => (p[1] > q[1] ? -1 : p[1] < q[1] ? 1 : 0)).map(([o]) => o));
  return legend;
}

function overviewOf(events: readonly MemoryEvent[]): BootView['overview'] {
  const buckets = Math.max(1, Math.min(OVERVIEW_BUCKETS, events.length));
  const kinds: Record<string, number[]> = {};
  for (let i = 0; i < events.length; i++) {
    const kind = timelineKind(events[i]);
    const counts = (kinds[kind] ??= new Array<number>(buckets).fill(0));
    counts[Math.floor((i * buckets) / events.length)]++;
  }
  return { buckets, kinds };
}

export function timelineKind(event: MemoryEvent): TimelineKind {
  switch (event.kind) {
    case 'reserve':
    case 'free':
    case 'free-late':
    case 'add':
    case 'remove':
    case 'checkpoint':
      return event.kind;
    case 'alloc':
    case 'alloc-hugetlb':
      return 'alloc';
    default:
      return 'other';
  }
}

function rangeOf(event: MemoryEvent): { base: Addr; size: Addr } | undefined {
  if (event.kind === 'alloc' || event.kind === 'checkpoint') return undefined;
  if ('base' in event && typeof event.base === 'bigint' && 'size' in event && typeof event.size === 'bigint') return { base: event.base, size: event.size };
  return undefined;
}

function rangeText(event: { base: Addr; size: Addr; inverted?: boolean; rawEnd?: Addr }): string {
  if (event.inverted) return `[mem ${hex(event.base)}-${event.rawEnd !== undefined ? hex(event.rawEnd) : '?'}] (inverted)`;
  return memRange(event.base, event.size);
}

function regionView(r: Region, owner?: string, line?: number): RegionView {
  const view: RegionView = { base: hex(r.base), size: hex(r.size), nid: printedNid(r.nid), flags: hex(BigInt(r.flags)) };
  if (owner !== undefined) view.owner = owner;
  if (line !== undefined) view.line = line;
  return view;
}

function madeBeforeHandoff(x: BootIndex, r: Reservation): boolean {
  const handoff = x.analysis.replay.handoffIndex;
  return handoff < 0 || r.eventIndex <= handoff;
}

function treeReservation(x: BootIndex, r: Reservation): TreeReservation {
  const { replay, report } = x.analysis;
  const handoff = replay.handoffIndex >= 0 ? replay.handoffIndex : NEVER - 1;
  return {
    id: r.id,
    line: r.line,
    base: hex(r.base),
    size: hex(r.size),
    owner: report.owners[r.id]?.owner ?? 'unknown',
    caller: callerOf(r, report.owners[r.id]),
    freed: x.deadAt[r.id] <= handoff,
  };
}

function callerOf(r: Reservation, verdict: OwnerVerdict | undefined): string | undefined {
  return requesterOf(r) ?? verdict?.subsystem ?? (r.origin === 'pre-debug' || r.origin === 'checkpoint' ? undefined : functionName(r.caller));
}

function freedText(r: Reservation): string {
  const lines = unique(r.frees.map((f) => f.line));
  const late = unique(r.lateFrees.map((f) => f.line));
  if (r.claimed > 0n && r.freedBytes >= r.claimed) return `freed at line ${lines[lines.length - 1]}`;
  if (r.freedBytes > 0n) return `partly freed (${humanSize(r.freedBytes)} at line ${lines.slice(0, 3).join(', ')})`;
  if (late.length > 0) return `freed late at line ${late.slice(0, 3).join(', ')}`;
  if (r.claimed === 0n) return 'already reserved (overlaps earlier reservations)';
  return 'never freed';
}

function findRegion(regions: readonly Region[], addr: Addr): Region | undefined {
  let lo = 0;
  let hi = regions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (regions[mid].base <= addr) lo = mid + 1;
    else hi = mid;
  }
  const r = regions[lo - 1];
  return r && addr < r.base + r.size ? r : undefined;
}

/** Index of the event whose line span contains `line`, or -1. */
export function eventCovering(events: readonly MemoryEvent[], line: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid].endLine < line) lo = mid + 1;
    else hi = mid;
  }
  return lo < events.length && events[lo].line <= line ? lo : -1;
}

/** Index of the first event starting at or after `line`. */
function firstEventFrom(events: readonly MemoryEvent[], line: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid].line < line) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function nearestSnapshotIndex(snapshots: readonly { eventIndex: number }[], i: number): number {
  let lo = 0;
  let hi = snapshots.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (snapshots[mid].eventIndex <= i) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? snapshots[lo - 1].eventIndex : -1;
}

function foldGroup(e: MemoryEvent): string | undefined {
  switch (e.kind) {
    case 'firmware':
      return e.edit ? undefined : `fw:${e.table}`;
    case 'zone':
      return 'zone';
    case 'node-range':
      return `node:${e.source}`;
    default:
      return undefined;
  }
}

function clampEvent(i: number, n: number): number {
  if (!Number.isFinite(i)) return n - 1;
  return Math.max(-1, Math.min(n - 1, Math.floor(i)));
}

function addTo(map: Map<number, number[]>, key: number, id: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [id]);
  else if (list[list.length - 1] !== id) list.push(id);
}

function unique(values: number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

function paren(text: string | undefined): string {
  return text ? ` (${text})` : '';
}

function space(text: string | undefined): string {
  return text ? ` ${text}` : '';
}

function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}
