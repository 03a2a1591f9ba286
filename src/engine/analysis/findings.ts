// Findings: what in a boot's memory story deserves a kernel engineer's attention, each anchored to
// the log line that shows it. Codes are stable strings (the UI and CLI filter on them).
//
// Severity policy: 'error' when the kernel's own behaviour is wrong or failed (failed allocations,
// allocations outside RAM, addresses no RAM can have); 'warning' when the log and the
// reconstruction disagree or something is suspicious; 'info' when it is legal and routine but
// worth knowing (re-reserving a reserved range, firmware ranges outside RAM, a memoryless node's
// pgdat placed elsewhere).

import type { Addr, Boot, CheckpointEvent, MemoryEvent, NodeRangeEvent, Range, Region } from '../types';
import type { AllocOutcome, CheckpointOutcome, Reservation, ReplayResult } from '../replay/replay';
import type { RegionDiff } from '../replay/checkpoint';
import { OwnershipMap } from '../replay/ownership';
import { nodeOf, nodesOfRange, type Topology } from '../topology';
import { functionName, humanSize, insideRegions, memRange, memRangeSized, sortRanges, uncovered } from './format';
import { isX86 } from './owners';

export type FindingCode =
  | 'overlapping-reserve'
  | 'free-unreserved'
  | 'outside-memory'
  | 'not-physical'
  | 'cross-node'
  | 'wrong-node'
  | 'alloc-mismatch'
  | 'alloc-failed'
  | 'inverted-range'
  | 'truncated-log'
  | 'unpaired-alloc'
  | 'checkpoint-mismatch'
  | 'overlapping-nodes';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  code: FindingCode;
  severity: Severity;
  line: number;
  endLine: number;
  message: string;
  related?: { line: number; message: string }[];
}

type ReplayView = Pick<ReplayResult, 'reservations' | 'allocs' | 'checkpoints' | 'doubles' | 'syncIndex' | 'handoffIndex' | 'handoff' | 'inferred'> &
  Partial<Pick<ReplayResult, 'overlaps' | 'unreservedFrees'>>;

const MiB = 1024n * 1024n;
/** How many regions a checkpoint-mismatch lists before summarising. */
const MAX_RELATED = 16;

export function findings(boot: Boot, replay: ReplayView, topology: Topology): Finding[] {
  const out: Finding[] = [
    ...truncationFindings(boot, replay),
    ...invertedFindings(boot),
    ...notPhysicalFindings(boot),
    ...overlapAndFreeFindings(boot, replay),
    ...outsideMemoryFindings(boot, replay),
    ...nodeFindings(boot, replay, topology),
    ...allocFindings(boot, replay),
    ...checkpointFindings(boot, replay),
  ];
  return out.sort((a, b) => a.line - b.line || severityRank(a.severity) - severityRank(b.severity));
}

function severityRank(severity: Severity): number {
  return severity === 'error' ? 0 : severity === 'warning' ? 1 : 2;
}

function at(event: { line: number; endLine: number }): { line: number; endLine: number } {
  return { line: event.line, endLine: event.endLine };
}

function spanOf(boot: Boot, eventIndex: number, fallbackLine: number): { line: number; endLine: number } {
  const event = boot.events[eventIndex];
  return event ? at(event) : { line: fallbackLine, endLine: fallbackLine };
}

function who(reservation: Reservation): string {
  const name = functionName(reservation.request?.caller) ?? functionName(reservation.caller);
  return name ? ` by ${name}` : '';
}

// ---------------------------------------------------------------------------------------------
// truncated-log

function truncationFindings(boot: Boot, replay: ReplayView): Finding[] {
  const out: Finding[] = [];
  const synced = replay.syncIndex >= 0;
  if (boot.truncatedStart || boot.kernelVersion === undefined) {
    out.push({
      code: 'truncated-log',
      severity: synced ? 'info' : 'warning',
      line: boot.startLine,
      endLine: boot.startLine,
      message:
        'The log does not start at the kernel\'s first line (no `Linux version`): early reservations are missing' +
        (synced ? '; the first MEMBLOCK dump restores the state from there on.' : ' and no MEMBLOCK dump restores them, so the reconstruction is partial.'),
    });
  }
  for (const event of boot.events) {
    if (event.kind === 'dropped') {
      out.push({
        code: 'truncated-log',
        severity: 'warning',
        ...at(event),
        message: `${event.count} printk messages were dropped here (log buffer overflow): reserve/free lines in between are lost; use log_buf_len= to keep them.`,
      });
    } else if (event.kind === 'checkpoint' && !event.complete) {
      out.push({ code: 'truncated-log', severity: 'warning', ...at(event), message: 'This MEMBLOCK listing is incomplete (fewer rows than its count header says).' });
    } else if (event.kind === 'accounting' && event.truncated) {
      out.push({ code: 'truncated-log', severity: 'info', ...at(event), message: 'The `Memory:` line is cut short; only its leading figures were read.' });
    }
  }
  if (replay.handoffIndex < 0 && boot.events.length > 0) {
    const last = boot.events[boot.events.length - 1];
    out.push({
      code: 'truncated-log',
      severity: 'info',
      ...at(last),
      message:
        'No `Memory:` line: the log ends (or the boot stopped) before memblock handed memory to the page allocator; the leak report shows the state at the last memory line.',
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// inverted-range

function invertedFindings(boot: Boot): Finding[] {
  const out: Finding[] = [];
  for (const event of boot.events) {
    if (!('inverted' in event) || !event.inverted) continue;
    const base = (event as { base: Addr }).base;
    const rawEnd = event.rawEnd;
    const printed = rawEnd !== undefined ? `[0x${base.toString(16)}-0x${rawEnd.toString(16)}]` : `at 0x${base.toString(16)}`;
    // memblock_remove(base, ULLONG_MAX) prints base + ~0 - 1 = base - 2 as the inclusive end.
    const wrapped = rawEnd !== undefined && (rawEnd === base - 2n || rawEnd === base - 1n);
    out.push({
      code: 'inverted-range',
      severity: 'warning',
      ...at(event),
      message:
        `${describeKind(event)} range ${printed} ends below its start` +
        (wrapped ? ': a size running to ULLONG_MAX wrapped past 2^64 (the kernel caps it to the top of the address space).' : ': garbage firmware data or a size that wrapped past 2^64; the event was not applied.'),
    });
  }
  return out;
}

function describeKind(event: MemoryEvent): string {
  switch (event.kind) {
    case 'reserve':
    case 'free':
    case 'free-late':
    case 'add':
      return event.api;
    case 'remove':
      return 'memblock_remove';
    case 'firmware':
      return `${event.table}`;
    default:
      return event.kind;
  }
}

// ---------------------------------------------------------------------------------------------
// not-physical

/** Physical address bits an architecture can have at most (52 for 64-bit, 56 on RISC-V, LPAE/PAE 40). */
export function physBits(arch: string | undefined): number {
  if (!arch) return 52;
  if (/^riscv(64)?$/.test(arch)) return 56;
  if (/^(arm|i386|i686|x86|mips|mips32|mipsel|xtensa|riscv32|powerpc|ppc|ppc32|microblaze|sh|m68k|arc|csky|openrisc)$/.test(arch)) return 40;
  return 52;
}

const KERNEL_VIRTUAL = 0xffff_0000_0000_0000n;

function notPhysicalFindings(boot: Boot): Finding[] {
  const out: Finding[] = [];
  const limit = 1n << BigInt(physBits(boot.arch));
  for (const event of boot.events) {
    if (event.kind === 'alloc') {
      if (event.from >= limit) {
        out.push({
          code: 'not-physical',
          severity: 'info',
          ...at(event),
          message: `${event.api} asks for memory from=0x${event.from.toString(16)}, which is no physical address (${boundHint(event.from, limit)}); memblock retries from 0, so the bound is ignored.`,
        });
      }
      continue;
    }
    if (event.kind !== 'add' && event.kind !== 'reserve' && event.kind !== 'free' && event.kind !== 'free-late') continue;
    if (event.inverted || event.size === 0n) continue;
    const end = event.base + event.size;
    if (event.base < limit && end <= limit) continue;
    out.push({
      code: 'not-physical',
      severity: 'error',
      ...at(event),
      message: `${event.api} of ${memRange(event.base, event.size)}${event.caller ? ` from ${functionName(event.caller) ?? event.caller}` : ''}: no physical memory can be there (${virtualHint(event.base, limit)}).`,
    });
  }
  return out;
}

function boundHint(addr: Addr, limit: Addr): string {
  if (addr >= KERNEL_VIRTUAL) return 'a kernel virtual address: the caller converted a virtual bound such as MAX_DMA_ADDRESS with __pa() where it does not apply';
  return `above the ${limit.toString(2).length - 1}-bit physical address limit`;
}

function virtualHint(addr: Addr, limit: Addr): string {
  if (addr >= KERNEL_VIRTUAL) return 'it looks like a kernel virtual address — a pointer passed where a physical address belongs (memblock_free takes a pointer since 5.16, memblock_phys_free a physical address)';
  return `above the ${limit.toString(2).length - 1}-bit physical address limit`;
}

// ---------------------------------------------------------------------------------------------
// overlapping-reserve and free-unreserved: a second walk over the replay's own bookkeeping

interface FreePiece {
  reservation: Reservation;
  base: Addr;
  size: Addr;
}

function overlapAndFreeFindings(boot: Boot, replay: ReplayView): Finding[] {
  const { overlaps, unreservedFrees } = replay;
  if (!overlaps || !unreservedFrees) return overlapAndFreeFindingsRebuilt(boot, replay);
  // The replay recorded, as it went, what each new reservation overlapped and what each free
  // released that nobody owned: merge the two in event order (as the rebuilt walk emits them).
  const out: Finding[] = [];
  const x86 = isX86(boot.arch);
  const nearest = new NearestReservations(replay.reservations);
  const frees = [...unreservedFrees];
  let f = 0;
  const flushFrees = (upTo: number) => {
    for (; f < frees.length && frees[f][0] <= upTo; f++) {
      const [index, gaps] = frees[f];
      const event = boot.events[index];
      if (event.kind === 'free') out.push(freeUnreservedFinding(event, gaps, replay, index, nearest));
    }
  };
  for (const [id, earlier] of overlaps) {
    const r = replay.reservations[id];
    flushFrees(r.eventIndex);
    out.push(overlapFinding(boot, replay, r, earlier.map((o) => [o.owner, o.bytes] as [number, Addr]), x86));
  }
  flushFrees(Number.MAX_SAFE_INTEGER);
  return out;
}

/** The same findings from the reservations alone, re-walking ownership (replays that record nothing). */
function overlapAndFreeFindingsRebuilt(boot: Boot, replay: ReplayView): Finding[] {
  const out: Finding[] = [];
  const created = new Map<number, Reservation[]>();
  const freed = new Map<number, FreePiece[]>();
  for (const r of replay.reservations) {
    push(created, r.eventIndex, r);
    for (const f of r.frees) push(freed, f.eventIndex, { reservation: r, base: f.base, size: f.size });
  }
  const live = new OwnershipMap();
  const x86 = isX86(boot.arch);
  const nearest = new NearestReservations(replay.reservations);
  for (let i = 0; i < boot.events.length; i++) {
    const event = boot.events[i];
    const pieces = freed.get(i) ?? [];
    if (event.kind === 'free' && !event.inverted && event.size > 0n) {
      const gaps = uncovered(event.base, event.base + event.size, sortRanges(pieces.map((p) => ({ base: p.base, size: p.size }))));
      if (gaps.length > 0) out.push(freeUnreservedFinding(event, gaps, replay, i, nearest));
    }
    for (const piece of pieces) live.release(piece.base, piece.base + piece.size);
    for (const r of created.get(i) ?? []) {
      if ((r.origin === 'reserve' || r.origin === 'alloc') && r.claimed < r.size) {
        out.push(overlapFinding(boot, replay, r, earlierOwners(r, live), x86));
      }
      live.claim(r.base, r.base + r.size, r.id);
    }
  }
  return out;
}

function earlierOwners(r: Reservation, live: OwnershipMap): Iterable<[number, Addr]> {
  const end = r.base + r.size;
  const earlier = new Map<number, Addr>();
  for (const piece of live.overlapping(r.base, end)) {
    const from = piece.base > r.base ? piece.base : r.base;
    const to = piece.end < end ? piece.end : end;
    earlier.set(piece.owner, (earlier.get(piece.owner) ?? 0n) + (to - from));
  }
  return earlier;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function overlapFinding(boot: Boot, replay: ReplayView, r: Reservation, earlier: Iterable<[number, Addr]>, x86: boolean): Finding {
  const end = r.base + r.size;
  const related = [...earlier].map(([id, bytes]) => {
    const owner = replay.reservations[id];
    const origin = owner.origin === 'pre-debug' ? ' (reserved before memblock=debug, from the first dump)' : '';
    return { line: owner.line, message: `${humanSize(bytes)} of it already reserved here: ${memRange(owner.base, owner.size)}${who(owner)}${origin}` };
  });
  const overlap = r.size - r.claimed;
  const contained = r.claimed === 0n;
  const lowMeg = x86 && r.base === 0n && end <= MiB;
  const kind = r.origin === 'alloc' ? 'Allocation' : 'Reservation';
  let severity: Severity = contained || lowMeg ? 'info' : 'warning';
  let tail = contained ? 'it lies entirely inside reserved memory (a harmless re-reservation).' : `${humanSize(overlap)} of it was already reserved.`;
  if (lowMeg) tail = 'x86 reserves the whole first megabyte on purpose (BIOS, EBDA, real-mode trampoline), over what it reserved there before.';
  if (r.origin === 'alloc') {
    // memblock never hands out reserved bytes: the log and the reconstruction disagree.
    severity = 'warning';
    tail = `memblock never allocates reserved memory, so a free is missing from the log or the reconstruction (${humanSize(overlap)} overlap).`;
  }
  return {
    code: 'overlapping-reserve',
    severity,
    ...spanOf(boot, r.eventIndex, r.line),
    message: `${kind} ${memRangeSized(r.base, r.size)}${who(r)} overlaps earlier live reservations: ${tail}`,
    related,
  };
}

function freeUnreservedFinding(
  event: Extract<MemoryEvent, { kind: 'free' }>,
  gaps: readonly Range[],
  replay: ReplayView,
  index: number,
  nearestIndex: NearestReservations,
): Finding {
  const end = event.base + event.size;
  const missing = gaps.reduce((t, g) => t + g.size, 0n);
  const beforeSync = replay.syncIndex < 0 || index < replay.syncIndex;
  const nearest = nearestIndex.find(event.base, end, event.line);
  const related = nearest ? [{ line: nearest.line, message: `nearest reservation: ${memRangeSized(nearest.base, nearest.size)}${who(nearest)}` }] : undefined;
  const caller = functionName(event.caller);
  const whole = missing === event.size;
  return {
    code: 'free-unreserved',
    severity: beforeSync ? 'info' : 'warning',
    ...at(event),
    message:
      `${event.api} of ${memRangeSized(event.base, event.size)}${caller ? ` by ${caller}` : ''} frees ` +
      (whole ? 'memory that was not reserved' : `${humanSize(missing)} that were not reserved (${gaps.slice(0, 3).map((g) => memRange(g.base, g.size)).join(', ')})`) +
      (beforeSync ? ' as far as the log shows; it may have been reserved before memblock=debug took effect.' : ': a double free, a wrong size, or a reservation the log never printed.'),
    related,
  };
}

/**
 * The reservation nearest to [base, end) among those made on or before a line (distance 0 when
 * they overlap; ties go to the latest line, then to the lowest id).
 */
class NearestReservations {
  constructor(private readonly reservations: readonly Reservation[]) {}

  find(base: Addr, end: Addr, beforeLine: number): Reservation | undefined {
    let best: Reservation | undefined;
    let bestDistance: Addr | undefined;
    for (const r of this.reservations) {
      if (r.line > beforeLine) continue;
      const rEnd = r.base + r.size;
      const distance = rEnd <= base ? base - rEnd : r.base >= end ? r.base - end : 0n;
      if (bestDistance === undefined || distance < bestDistance || (distance === bestDistance && r.line > best!.line)) {
        best = r;
        bestDistance = distance;
      }
    }
    return best;
  }
}

// ---------------------------------------------------------------------------------------------
// outside-memory: memblock.memory as it was at each reserve line

function outsideMemoryFindings(boot: Boot, replay: ReplayView): Finding[] {
  const out: Finding[] = [];
  // Printed reservations in event order (the replay creates them in that order; sort only if not).
  let printed = replay.reservations.filter((r) => r.origin === 'reserve' || r.origin === 'alloc');
  for (let k = 1; k < printed.length; k++) {
    if (printed[k].eventIndex < printed[k - 1].eventIndex) {
      printed = printed.map((r, order) => ({ r, order })).sort((a, b) => a.r.eventIndex - b.r.eventIndex || a.order - b.order).map((x) => x.r);
      break;
    }
  }
  let next = 0;
  const handoffMemory = sortRanges(liveRegionsOf(replay.handoff.model as unknown as { memory: { regions: Region[]; cnt: number } }));
  const handoffDisjoint = disjoint(handoffMemory);
  let memoryDisjoint = true;
  const x86 = isX86(boot.arch);
  let memory: Region[] = [];
  // Memory added before memblock=debug is silent; only a dump's memory listing makes it certain.
  let certain = false;
  for (let i = 0; i < boot.events.length; i++) {
    const event = boot.events[i];
    const before = memory;
    memory = applyMemoryEvent(memory, event);
    if (memory !== before) memoryDisjoint = disjoint(memory);
    if (event.kind === 'checkpoint' && event.memory) certain = true;
    while (next < printed.length && printed[next].eventIndex < i) next++;
    for (; next < printed.length && printed[next].eventIndex === i; next++) {
      const r = printed[next];
      if (r.size === 0n || (x86 && r.base + r.size <= MiB)) continue; // x86's low megabyte is reserved whether RAM or not
      const reference = memory.length > 0 ? memory : handoffMemory;
      const inside = (reference === memory ? memoryDisjoint : handoffDisjoint) ? insideSorted(r.base, r.base + r.size, reference) : insideRegions(r.base, r.size, reference);
      if (reference.length === 0 || inside) continue;
      out.push(outsideFinding(boot, r, reference, memory.length === 0, certain || !!x86));
    }
  }
  return out;
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

/** Whether [base, end) lies inside the union of `sorted` (sorted by base, non-overlapping; touching allowed). */
function insideSorted(base: Addr, end: Addr, sorted: readonly Range[]): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid].base + sorted[mid].size <= base) lo = mid + 1;
    else hi = mid;
  }
  let cursor = base;
  for (let k = lo; k < sorted.length; k++) {
    const r = sorted[k];
    if (r.base > cursor) return false;
    const rEnd = r.base + r.size;
    if (rEnd > cursor) cursor = rEnd;
    if (cursor >= end) return true;
  }
  return cursor >= end;
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
// cross-node, wrong-node, overlapping-nodes

function nodeFindings(boot: Boot, replay: ReplayView, topology: Topology): Finding[] {
  const out: Finding[] = [];
  if (topology.nodes.length > 1) out.push(...crossNodeFindings(boot, replay, topology));
  out.push(...overlappingNodeFindings(boot, topology));
  out.push(...wrongNodeFindings(boot, replay, topology));
  return out;
}

function crossNodeFindings(boot: Boot, replay: ReplayView, topology: Topology): Finding[] {
  const out: Finding[] = [];
  const numaKnownAt = firstNumaIndex(boot, replay);
  for (const r of replay.reservations) {
    if ((r.origin !== 'reserve' && r.origin !== 'alloc') || r.size === 0n) continue;
    const nodes = nodesOfRange(topology, r.base, r.size);
    if (nodes.length < 2) continue;
    // Before the nodes are registered memblock sees one big region; an allocation may straddle.
    const allocation = r.origin === 'alloc' && r.eventIndex > numaKnownAt;
    out.push({
      code: 'cross-node',
      severity: allocation ? 'warning' : 'info',
      ...spanOf(boot, r.eventIndex, r.line),
      message:
        `${r.origin === 'alloc' ? 'Allocation' : 'Reservation'} ${memRangeSized(r.base, r.size)}${who(r)} spans nodes ${nodes.join(' and ')}` +
        (allocation ? ': memblock allocations come from one node\'s region, so node ids were not set as the log says.' : '.'),
    });
  }
  return out;
}

function firstNumaIndex(boot: Boot, replay: ReplayView): number {
  const inferred = replay.inferred.length > 0 ? replay.inferred[0].eventIndex : Number.MAX_SAFE_INTEGER;
  const nodeRange = boot.events.findIndex((e) => e.kind === 'node-range' || e.kind === 'node-data');
  return Math.min(inferred, nodeRange < 0 ? Number.MAX_SAFE_INTEGER : nodeRange);
}

/**
 * Nodes whose blocks (or `Initmem setup node` spans, which are rounded to sections) overlap: a
 * node boundary inside a memory section gives pages two nodes.
 */
function overlappingNodeFindings(boot: Boot, topology: Topology): Finding[] {
  const spans = boot.events.filter((e): e is NodeRangeEvent => e.kind === 'node-range' && e.source === 'initmem' && !e.inverted && e.size > 0n);
  const fromSpans = overlapPairs(spans.map((s) => ({ nid: s.nid, base: s.base, size: s.size, line: s.line })), 'Initmem node spans');
  if (fromSpans.length > 0) return fromSpans;
  const line = boot.events.find((e) => e.kind === 'node-range')?.line ?? boot.startLine;
  const blocks = topology.nodes.flatMap((n) => n.blocks.map((b) => ({ ...b, nid: n.nid, line })));
  return overlapPairs(blocks, topology.nodeSource);
}

function overlapPairs(blocks: readonly { nid: number; base: Addr; size: Addr; line: number }[], source: string): Finding[] {
  const out: Finding[] = [];
  for (let i = 0; i < blocks.length; i++) {
    for (let j = i + 1; j < blocks.length; j++) {
      const a = blocks[i];
      const b = blocks[j];
      if (a.nid === b.nid || a.base >= b.base + b.size || b.base >= a.base + a.size) continue;
      const lo = a.base > b.base ? a.base : b.base;
      const hi = a.base + a.size < b.base + b.size ? a.base + a.size : b.base + b.size;
      out.push({
        code: 'overlapping-nodes',
        severity: 'warning',
        line: b.line,
        endLine: b.line,
        message: `Nodes ${a.nid} and ${b.nid} both claim ${memRangeSized(lo, hi - lo)} (${source}): a node boundary inside a memory section, or conflicting firmware tables.`,
        related: a.line !== b.line ? [{ line: a.line, message: `node ${a.nid}: ${memRange(a.base, a.size)}` }] : undefined,
      });
    }
  }
  return out;
}

function wrongNodeFindings(boot: Boot, replay: ReplayView, topology: Topology): Finding[] {
  const out: Finding[] = [];
  for (const outcome of replay.allocs) {
    const nid = outcome.request.nid;
    if (nid === null || nid < 0 || outcome.actual === null) continue;
    const placed = nodeOf(topology, outcome.actual);
    if (placed === undefined || placed === nid) continue;
    const exact = outcome.request.exactNid;
    out.push({
      code: 'wrong-node',
      severity: exact ? 'warning' : 'info',
      ...spanOf(boot, outcome.reserveEventIndex ?? outcome.eventIndex, outcome.line),
      message:
        `${outcome.request.api}(${humanSize(outcome.request.size)}, nid=${nid})${callerOf(outcome)} was placed on node ${placed} at ${memRange(outcome.actual, outcome.request.size)}` +
        (exact ? ': an exact-node request must not fall back to another node.' : ': node ' + nid + ' had no room (or no memory), so memblock fell back to any node.'),
      related: [{ line: outcome.line, message: 'the request' }],
    });
  }
  for (const event of boot.events) {
    if (event.kind !== 'node-data' || event.onNode === undefined || event.onNode === event.nid) continue;
    const memoryless = topology.nodes.find((n) => n.nid === event.nid)?.memoryless;
    out.push({
      code: 'wrong-node',
      severity: 'info',
      ...at(event),
      message: `NODE_DATA(${event.nid}) ${memRange(event.base, event.size)} sits on node ${event.onNode}` + (memoryless ? ` because node ${event.nid} has no memory (the kernel's normal fallback).` : `: node ${event.nid} had no room for its own pgdat.`),
    });
  }
  return out;
}

function callerOf(outcome: AllocOutcome): string {
  const name = functionName(outcome.request.caller);
  return name ? ` from ${name}` : '';
}

// ---------------------------------------------------------------------------------------------
// alloc-mismatch, alloc-failed, unpaired-alloc

function allocFindings(boot: Boot, replay: ReplayView): Finding[] {
  const out: Finding[] = [];
  const usedFailures = new Set<number>();
  const partial: AllocOutcome[] = [];
  for (const outcome of replay.allocs) {
    if (outcome.inferred && outcome.status === 'mismatch') continue; // the request was guessed, not printed
    if (outcome.status === 'mismatch' && isPartialState(boot, replay, outcome)) partial.push(outcome);
    else if (outcome.status === 'mismatch') out.push(mismatchFinding(boot, outcome));
    else if (outcome.status === 'failed') out.push(failedFinding(boot, outcome, usedFailures));
    else if (outcome.status === 'unpaired') out.push(unpairedFinding(boot, outcome));
  }
  if (partial.length > 0) out.push(partialMismatchFinding(boot, partial));
  boot.events.forEach((event, index) => {
    if (event.kind !== 'failure' || usedFailures.has(index)) return;
    out.push({
      code: 'alloc-failed',
      severity: 'error',
      ...at(event),
      message: `Early allocation failure: ${event.text}${event.size !== undefined ? ` (${humanSize(event.size)})` : ''}.`,
    });
  });
  for (const double of replay.doubles) {
    if (double.match) continue;
    const event = boot.events[double.eventIndex];
    out.push({
      code: 'alloc-mismatch',
      severity: 'info',
      ...(event ? at(event) : { line: double.line, endLine: double.line }),
      message:
        double.predictedBase === undefined
          ? `memblock doubled an array at 0x${double.actualBase.toString(16)}; the reconstruction did not expect it to be full (regions the log never printed).`
          : `memblock placed the doubled array at 0x${double.actualBase.toString(16)}; the model predicted 0x${double.predictedBase.toString(16)}.`,
    });
  }
  return out;
}

function describeRequest(outcome: AllocOutcome): string {
  const r = outcome.request;
  const nid = r.nid === null ? '' : `, nid=${r.nid}${r.exactNid ? ' exact' : ''}`;
  return `${r.api}(${humanSize(r.size)}, align=0x${r.align.toString(16)}${nid})${callerOf(outcome)}`;
}

/** Before the first dump of a log that starts late, the model runs on a state printed only in part. */
function isPartialState(boot: Boot, replay: ReplayView, outcome: AllocOutcome): boolean {
  return !outcome.afterSync && (replay.syncIndex >= 0 || boot.truncatedStart);
}

function mismatchText(outcome: AllocOutcome): string {
  const size = outcome.request.size;
  return (
    `${describeRequest(outcome)}: the kernel placed it at ${memRange(outcome.actual!, size)}, the model predicted ` +
    (outcome.predicted === null ? 'no fit in memblock.memory as reconstructed (memory added before memblock=debug is not in the log)' : memRange(outcome.predicted, size))
  );
}

function mismatchFinding(boot: Boot, outcome: AllocOutcome): Finding {
  return {
    code: 'alloc-mismatch',
    severity: 'warning',
    line: outcome.line,
    endLine: spanOf(boot, outcome.reserveEventIndex ?? outcome.eventIndex, outcome.line).endLine,
    message: `${mismatchText(outcome)}.`,
    related: outcome.reserveLine !== undefined ? [{ line: outcome.reserveLine, message: 'the kernel\'s reserve line' }] : undefined,
  };
}

/** One finding for all predictions made before the state was known: they say little one by one. */
function partialMismatchFinding(boot: Boot, outcomes: readonly AllocOutcome[]): Finding {
  const first = outcomes[0];
  const related = outcomes.slice(0, MAX_RELATED).map((o) => ({ line: o.line, message: mismatchText(o) }));
  if (outcomes.length > MAX_RELATED) related.push({ line: outcomes[MAX_RELATED].line, message: `… and ${outcomes.length - MAX_RELATED} more` });
  return {
    code: 'alloc-mismatch',
    severity: 'info',
    ...spanOf(boot, first.eventIndex, first.line),
    message:
      `${outcomes.length} allocation(s) before the first MEMBLOCK dump landed elsewhere than predicted: the log starts after reservations the model never saw, ` +
      `so predictions only become exact once the dump gives the full state. First: ${mismatchText(first)}.`,
    related,
  };
}

function failedFinding(boot: Boot, outcome: AllocOutcome, usedFailures: Set<number>): Finding {
  const failureIndex = followingFailure(boot, outcome.eventIndex);
  if (failureIndex >= 0) usedFailures.add(failureIndex);
  const failure = failureIndex >= 0 ? boot.events[failureIndex] : undefined;
  return {
    code: 'alloc-failed',
    severity: failure ? 'error' : 'warning',
    ...spanOf(boot, outcome.eventIndex, outcome.line),
    message: failure
      ? `${describeRequest(outcome)} failed.`
      : `${describeRequest(outcome)} got no reserve line and the model finds no free block that fits: it most likely failed.`,
    related: failure && failure.kind === 'failure' ? [{ line: failure.line, message: failure.text }] : undefined,
  };
}

/** The failure line that belongs to a request: after it, before the next request. */
function followingFailure(boot: Boot, requestIndex: number): number {
  for (let i = requestIndex + 1; i < boot.events.length; i++) {
    const event = boot.events[i];
    if (event.kind === 'failure') return i;
    if (event.kind === 'alloc' || event.kind === 'reserve') return -1;
  }
  return -1;
}

function unpairedFinding(boot: Boot, outcome: AllocOutcome): Finding {
  const lost = droppedAfter(boot, outcome.eventIndex) || outcome.eventIndex === lastAllocatorEvent(boot);
  return {
    code: 'unpaired-alloc',
    severity: lost ? 'info' : 'warning',
    ...spanOf(boot, outcome.eventIndex, outcome.line),
    message:
      `${describeRequest(outcome)} has no matching reserve line and no failure` +
      (lost ? ' (the log ends or drops messages right after it).' : `: the model would have placed it at ${outcome.predicted === null ? '(nowhere)' : memRange(outcome.predicted, outcome.request.size)}; a line is missing or the request's size/alignment did not match the reserve.`),
  };
}

function droppedAfter(boot: Boot, index: number): boolean {
  for (let i = index + 1; i < boot.events.length && i <= index + 3; i++) if (boot.events[i].kind === 'dropped') return true;
  return false;
}

function lastAllocatorEvent(boot: Boot): number {
  for (let i = boot.events.length - 1; i >= 0; i--) {
    const kind = boot.events[i].kind;
    if (kind === 'alloc' || kind === 'reserve' || kind === 'free') return i;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// checkpoint-mismatch

function checkpointFindings(boot: Boot, replay: ReplayView): Finding[] {
  const out: Finding[] = [];
  for (const checkpoint of replay.checkpoints) {
    if (checkpoint.role !== 'compare' || checkpoint.diffs.length === 0) continue;
    out.push(checkpointFinding(boot, replay, checkpoint));
  }
  return out;
}

function checkpointFinding(boot: Boot, replay: ReplayView, checkpoint: CheckpointOutcome): Finding {
  const event = boot.events[checkpoint.eventIndex] as CheckpointEvent | undefined;
  const related = checkpoint.diffs.slice(0, MAX_RELATED).map((diff) => ({
    line: diffLine(diff, replay, checkpoint.line),
    message: describeDiff(diff),
  }));
  if (checkpoint.diffs.length > MAX_RELATED) related.push({ line: checkpoint.line, message: `… and ${checkpoint.diffs.length - MAX_RELATED} more` });
  const arrays = [...new Set(checkpoint.diffs.map((d) => d.array))].join(' and ');
  const what = checkpoint.source === 'debugfs' ? 'The debugfs listing' : 'This MEMBLOCK dump';
  return {
    code: 'checkpoint-mismatch',
    severity: 'warning',
    ...(event ? at(event) : { line: checkpoint.line, endLine: checkpoint.line }),
    message: `${what} differs from the reconstruction in ${checkpoint.diffs.length} ${arrays} region(s): lines were lost or an operation was not printed. The reconstruction continues from the kernel's state.`,
    related,
  };
}

function describeDiff(diff: RegionDiff): string {
  const region = (r: Region) => `${diff.array} ${memRangeSized(r.base, r.size)}${r.nid >= 0 && r.nid < 1024 ? ` node ${r.nid}` : ''}${r.flags ? ` flags 0x${r.flags.toString(16)}` : ''}`;
  if (diff.kind === 'missing' && diff.expected) return `kernel has ${region(diff.expected)}; the reconstruction does not`;
  if (diff.kind === 'extra' && diff.actual) return `reconstruction has ${region(diff.actual)}; the kernel does not`;
  if (diff.expected && diff.actual) return `kernel has ${region(diff.expected)}; the reconstruction has ${region(diff.actual)}`;
  return `${diff.array} differs`;
}

/** Point an 'extra' region at the reservation that made it; everything else at the dump. */
function diffLine(diff: RegionDiff, replay: ReplayView, fallback: number): number {
  const region = diff.actual ?? diff.expected;
  if (diff.array !== 'reserved' || !region) return fallback;
  let best: Reservation | undefined;
  for (const r of replay.reservations) {
    if (r.line > fallback) continue;
    if (r.base < region.base + region.size && region.base < r.base + r.size) best = r;
  }
  return diff.kind === 'missing' || !best ? fallback : best.line;
}
