// The findings that look at every reservation: outside-memory (a printed reservation outside
// memblock.memory as it was at its line) and cross-node (one spanning two nodes). A big log has
// 100k+ reservations, so they are visited in one walk, which also copies their ranges into the
// table the nearest-reservation search of free-unreserved scans.

import type { Addr, Boot, MemoryEvent, Range, Region } from '../types';
import type { Reservation } from '../replay/replay';
import { nodeOf, nodesOfRange, type Topology } from '../topology';
import { humanSize, insideRegions, memRangeSized, sortRanges, spanOf, uncovered, who } from './format';
import { isX86 } from './owners';
import { RangeTable } from './overlaps';
import type { EventScan } from './events';
import type { Finding, ReplayView } from './findings';

const MiB = 1024n * 1024n;

export interface ReservationChecks {
  outside: Finding[];
  crossNode: Finding[];
  /** The reservations' ranges as doubles, when some free released unreserved memory. */
  table?: RangeTable;
}

export function checkReservations(boot: Boot, replay: ReplayView, topology: Topology, scan: EventScan, blocks: NodeBlocks): ReservationChecks {
  const reservations = replay.reservations;
  const handoff = new Cover(sortRanges(liveRegionsOf(replay.handoff.model as unknown as { memory: { regions: Region[]; cnt: number } })));
  let outside = new OutsideMemory(boot, scan, handoff);
  const crossNode = topology.nodes.length > 1 ? new CrossNode(boot, topology, blocks, firstNumaIndex(replay, scan)) : undefined;
  const table = replay.unreservedFrees && replay.unreservedFrees.size > 0 ? new RangeTable(reservations.length) : undefined;
  // outside-memory replays memblock.memory in event order; the replay makes printed reservations in that order.
  let ordered = true;
  let last = -Infinity;
  for (let i = 0; i < reservations.length; i++) {
    const r = reservations[i];
    table?.add(i, r);
    if (!isPrinted(r)) continue;
    if (r.eventIndex < last) ordered = false;
    last = r.eventIndex;
    if (r.size === 0n) continue;
    const end = r.base + r.size;
    if (ordered) outside.check(r, end);
    crossNode?.check(r, end);
  }
  if (!ordered) {
    outside = new OutsideMemory(boot, scan, handoff);
    for (const r of printedInEventOrder(reservations)) if (r.size !== 0n) outside.check(r, r.base + r.size);
  }
  return { outside: outside.found, crossNode: crossNode?.found ?? [], table };
}

function isPrinted(r: Reservation): boolean {
  return r.origin === 'reserve' || r.origin === 'alloc';
}

/** Printed reservations (reserve and alloc lines) sorted by event, stably: for a replay that did not make them in order. */
function printedInEventOrder(reservations: readonly Reservation[]): Reservation[] {
  return reservations
    .filter(isPrinted)
    .map((r, order) => ({ r, order }))
    .sort((a, b) => a.r.eventIndex - b.r.eventIndex || a.order - b.order)
    .map((x) => x.r);
}

// ---------------------------------------------------------------------------------------------
// outside-memory: memblock.memory as it was at each reserve line

/** Checks printed reservations, in event order, against memblock.memory replayed up to their lines. */
class OutsideMemory {
  readonly found: Finding[] = [];
  private memory = new Cover([]);
  /** Memory added before memblock=debug is silent; only a dump's memory listing makes it certain. */
  private certain = false;
  /** Next entry of scan.memoryChanges to apply. */
  private change = 0;
  private readonly x86: boolean;

  constructor(
    private readonly boot: Boot,
    private readonly scan: EventScan,
    private readonly handoff: Cover,
  ) {
    this.x86 = isX86(boot.arch);
  }

  /** `end`: r.base + r.size (the caller has it). */
  check(r: Reservation, end: Addr): void {
    const index = r.eventIndex;
    if (index < 0 || index >= this.boot.events.length) return;
    this.advanceTo(index);
    if (this.x86 && end <= MiB) return; // x86's low megabyte is reserved whether RAM or not
    const memory = this.memory;
    const reference = memory.ranges.length > 0 ? memory : this.handoff;
    if (reference.ranges.length === 0 || reference.contains(r.base, end)) return;
    this.found.push(outsideFinding(this.boot, r, reference.ranges as Region[], memory.ranges.length === 0, this.certain || this.x86));
  }

  /** memblock.memory as it was right after event `index`. */
  private advanceTo(index: number): void {
    const changes = this.scan.memoryChanges;
    for (; this.change < changes.length && changes[this.change] <= index; this.change++) {
      const event = this.boot.events[changes[this.change]];
      const next = applyMemoryEvent(this.memory.ranges as Region[], event);
      if (next !== this.memory.ranges) this.memory = new Cover(next);
      if (event.kind === 'checkpoint' && event.memory) this.certain = true;
    }
  }
}

/**
 * Ranges sorted by base, asked many times whether they cover [base, end). Disjoint ranges (the
 * usual case) answer by binary search over ends computed once; others by a merge walk.
 */
class Cover {
  private readonly ends: Addr[] | undefined;

  constructor(readonly ranges: readonly Range[]) {
    this.ends = disjoint(ranges) ? ranges.map((r) => r.base + r.size) : undefined;
  }

  contains(base: Addr, end: Addr): boolean {
    const ends = this.ends;
    if (!ends) return insideRegions(base, end - base, this.ranges);
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid] <= base) lo = mid + 1;
      else hi = mid;
    }
    let cursor = base;
    for (let k = lo; k < ends.length; k++) {
      if (this.ranges[k].base > cursor) return false;
      if (ends[k] > cursor) cursor = ends[k];
      if (cursor >= end) return true;
    }
    return cursor >= end;
  }
}

function outsideFinding(boot: Boot, r: Reservation, memory: readonly Region[], early: boolean, certain: boolean): Finding {
  const gaps = uncovered(r.base, r.base + r.size, memory);
  const outside = gaps.reduce((t, g) => t + g.size, 0n);
  const how = outside === r.size ? 'entirely' : `partly (${humanSize(outside)})`;
  const when = early ? 'memory as later registered' : 'memblock.memory at that point';
  if (r.origin === 'alloc') {
    return {
      code: 'outside-memory',
      severity: certain ? 'error' : 'warning',
      ...spanOf(boot, r.eventIndex, r.line),
      message:
        `Allocation ${memRangeSized(r.base, r.size)}${who(r)} lies ${how} outside ${when}` +
        (certain
          ? ': memblock handed out memory that is not RAM.'
          : ' as far as the log shows: memblock handed out memory that is not RAM, or memory was added before memblock=debug took effect (mem=, DT memory nodes) without a line.'),
      related: gaps.slice(0, 3).map((g) => ({ line: r.line, message: `not in memory: ${memRangeSized(g.base, g.size)}` })),
    };
  }
  return {
    code: 'outside-memory',
    severity: 'info',
    ...spanOf(boot, r.eventIndex, r.line),
    message: `Reservation ${memRangeSized(r.base, r.size)}${who(r)} is ${how} outside ${when} — legal for firmware ranges; those bytes never count as reserved RAM.`,
  };
}

/** Sorted ranges that do not overlap (touching is fine): what insideSorted's binary search needs. */
function disjoint(sorted: readonly Range[]): boolean {
  for (let k = 1; k < sorted.length; k++) if (sorted[k - 1].base + sorted[k - 1].size > sorted[k].base) return false;
  return true;
}

function liveRegionsOf(model: { memory: { regions: Region[]; cnt: number } }): Region[] {
  return model.memory.regions.slice(0, model.memory.cnt).filter((r) => r.size > 0n);
}

/** memblock.memory coverage after one event (nids and flags do not matter here). */
function applyMemoryEvent(memory: Region[], event: MemoryEvent): Region[] {
  if (event.kind === 'add' && !event.inverted && event.api !== 'memblock_physmem_add' && event.size > 0n) {
    return unionRanges(memory, { base: event.base, size: event.size, nid: 0, flags: 0 });
  }
  if (event.kind === 'remove' && !event.inverted && event.size > 0n) return subtractRange(memory, event.base, event.base + event.size);
  if (event.kind === 'checkpoint' && event.memory) return sortRanges(event.memory.filter((r) => r.size > 0n));
  return memory;
}

function unionRanges(memory: readonly Region[], added: Region): Region[] {
  const all = sortRanges([...memory, added]);
  const merged: Region[] = [];
  for (const r of all) {
    const last = merged[merged.length - 1];
    if (last && last.base + last.size >= r.base) {
      const end = r.base + r.size > last.base + last.size ? r.base + r.size : last.base + last.size;
      merged[merged.length - 1] = { ...last, size: end - last.base };
    } else {
      merged.push({ ...r });
    }
  }
  return merged;
}

function subtractRange(memory: readonly Region[], base: Addr, end: Addr): Region[] {
  const out: Region[] = [];
  for (const r of memory) {
    const rEnd = r.base + r.size;
    if (rEnd <= base || r.base >= end) {
      out.push(r);
      continue;
    }
    if (r.base < base) out.push({ ...r, size: base - r.base });
    if (rEnd > end) out.push({ ...r, base: end, size: rEnd - end });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// cross-node

class CrossNode {
  readonly found: Finding[] = [];

  constructor(
    private readonly boot: Boot,
    private readonly topology: Topology,
    private readonly blocks: NodeBlocks,
    /** Event index from which the log has told the node layout. */
    private readonly numaKnownAt: number,
  ) {}

  /** `end`: r.base + r.size, not empty. */
  check(r: Reservation, end: Addr): void {
    if (!this.blocks.spansNodes(r.base, end)) return;
    const nodes = nodesOfRange(this.topology, r.base, r.size);
    if (nodes.length < 2) return;
    // Before the nodes are registered memblock sees one big region; an allocation may straddle.
    const allocation = r.origin === 'alloc' && r.eventIndex > this.numaKnownAt;
    this.found.push({
      code: 'cross-node',
      severity: allocation ? 'warning' : 'info',
      ...spanOf(this.boot, r.eventIndex, r.line),
      message:
        `${r.origin === 'alloc' ? 'Allocation' : 'Reservation'} ${memRangeSized(r.base, r.size)}${who(r)} spans nodes ${nodes.join(' and ')}` +
        (allocation ? ': memblock allocations come from one node\'s region, so node ids were not set as the log says.' : '.'),
    });
  }
}

function firstNumaIndex(replay: ReplayView, scan: EventScan): number {
  const inferred = replay.inferred.length > 0 ? replay.inferred[0].eventIndex : Number.MAX_SAFE_INTEGER;
  return Math.min(inferred, scan.firstNuma < 0 ? Number.MAX_SAFE_INTEGER : scan.firstNuma);
}

/**
 * The topology's node blocks sorted by base with their ends, for the per-reservation questions
 * (which node holds an address, does a range touch two nodes) without a bigint sum or an array per
 * question. Blocks of different nodes that overlap (a finding of their own) fall back to the
 * topology's own scans, which decide by node order.
 */
export class NodeBlocks {
  private readonly blocks: { nid: number; base: Addr; end: Addr }[];
  private readonly disjoint: boolean;

  constructor(private readonly topology: Topology) {
    this.blocks = topology.nodes
      .flatMap((n) => n.blocks.map((b) => ({ nid: n.nid, base: b.base, end: b.base + b.size })))
      .sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
    this.disjoint = this.blocks.every((b, k) => k === 0 || this.blocks[k - 1].end <= b.base);
  }

  nodeAt(addr: Addr): number | undefined {
    if (!this.disjoint) return nodeOf(this.topology, addr);
    const k = this.firstEndingAfter(addr);
    return k < this.blocks.length && this.blocks[k].base <= addr ? this.blocks[k].nid : undefined;
  }

  /** Whether [base, end) (not empty) touches blocks of two or more nodes. */
  spansNodes(base: Addr, end: Addr): boolean {
    let nid: number | undefined;
    for (let k = this.disjoint ? this.firstEndingAfter(base) : 0; k < this.blocks.length; k++) {
      const block = this.blocks[k];
      if (block.base >= end) break;
      if (block.end <= base) continue;
      if (nid === undefined) nid = block.nid;
      else if (block.nid !== nid) return true;
    }
    return false;
  }

  private firstEndingAfter(addr: Addr): number {
    let lo = 0;
    let hi = this.blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.blocks[mid].end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

