// overlapping-reserve and free-unreserved: what each new reservation overlapped and what each free
// released that no reservation held, from the replay's own bookkeeping (or, for replays that
// record none, a second walk over the reservations).

import type { Addr, Boot, MemoryEvent, Range } from '../types';
import type { Reservation, ReservationOverlap } from '../replay/replay';
import { OwnershipMap } from '../replay/ownership';
import { at, flat, functionName, humanSize, memRange, memRangeSized, smallKey, sortRanges, uncovered, who } from './format';
import { isX86 } from './owners';
import type { Finding, ReplayView, Severity } from './findings';

const MiB = 1024n * 1024n;

interface FreePiece {
  reservation: Reservation;
  base: Addr;
  size: Addr;
}

/**
 * overlapping-reserve and free-unreserved findings, in event order. `table`: the reservations' ranges
 * as doubles when the caller already made them (the nearest-reservation search needs them).
 */
export function overlapAndFreeFindings(boot: Boot, replay: ReplayView, table?: RangeTable): Finding[] {
  const { overlaps, unreservedFrees } = replay;
  if (!overlaps || !unreservedFrees) return overlapAndFreeFindingsRebuilt(boot, replay);
  // The replay recorded, as it went, what each new reservation overlapped and what each free
  // released that nobody owned: merge the two in event order (as the rebuilt walk emits them).
  const out: Finding[] = [];
  const x86 = isX86(boot.arch);
  const nearest = new NearestReservations(replay.reservations, table);
  const notes = new EarlierOwnerNotes(replay.reservations);
  const frees = [...unreservedFrees];
  let f = 0;
  const flushFrees = (upTo: number) => {
    for (; f < frees.length && frees[f][0] <= upTo; f++) {
      const [index, gaps] = frees[f];
      const event = boot.events[index];
      if (event.kind === 'free') out.push(freeUnreservedFinding(event, gaps, replay, index, nearest));
    }
  };
  overlaps.forEach((earlier, id) => {
    const r = replay.reservations[id];
    if (f < frees.length) flushFrees(r.eventIndex);
    out.push(overlapFinding(boot, r, recordedRelated(notes, earlier), x86));
  });
  flushFrees(Number.MAX_SAFE_INTEGER);
  return out;
}

function recordedRelated(notes: EarlierOwnerNotes, earlier: readonly ReservationOverlap[]): Related[] {
  const related = new Array<Related>(earlier.length);
  for (let k = 0; k < earlier.length; k++) related[k] = notes.of(earlier[k].owner, earlier[k].bytes);
  return related;
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
  const notes = new EarlierOwnerNotes(replay.reservations);
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
        const related: Related[] = [];
        for (const [id, bytes] of earlierOwners(r, live)) related.push(notes.of(id, bytes));
        out.push(overlapFinding(boot, r, related, x86));
      }
      live.claim(r.base, r.base + r.size, r.id);
    }
  }
  return out;
}

function earlierOwners(r: Reservation, live: OwnershipMap): Map<number, Addr> {
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

type Related = { line: number; message: string };

/**
 * The related lines of overlapping-reserve findings: an earlier reservation and the bytes of the
 * new range it held. A big log's 100k+ such lines name a few thousand (reservation, bytes) pairs,
 * so each pair's line is made once and shared between findings (they are never mutated).
 */
class EarlierOwnerNotes {
  /** By reservation id: how its notes end, and its notes by byte count (a reservation has a handful). */
  private readonly byOwner = new Map<number, { range: string; byBytes: Map<number, Related> }>();

  constructor(private readonly reservations: readonly Reservation[]) {}

  of(id: number, bytes: Addr): Related {
    const owner = this.reservations[id];
    const key = smallKey(bytes);
    if (key === undefined) return earlierOwnerNote(owner, bytes, ownerRange(owner));
    let notes = this.byOwner.get(id);
    if (!notes) this.byOwner.set(id, (notes = { range: ownerRange(owner), byBytes: new Map() }));
    let note = notes.byBytes.get(key);
    if (!note) notes.byBytes.set(key, (note = earlierOwnerNote(owner, bytes, notes.range)));
    return note;
  }
}

/** `[mem …] by NAME`, and where it came from when the first dump made it. */
function ownerRange(owner: Reservation): string {
  const origin = owner.origin === 'pre-debug' ? ' (reserved before memblock=debug, from the first dump)' : '';
  return `${memRange(owner.base, owner.size)}${who(owner)}${origin}`;
}

function earlierOwnerNote(owner: Reservation, bytes: Addr, range: string): Related {
  return { line: owner.line, message: flat`${humanSize(bytes)} of it already reserved here: ${range}` };
}

function overlapFinding(boot: Boot, r: Reservation, related: Related[], x86: boolean): Finding {
  const contained = r.claimed === 0n;
  const lowMeg = x86 && r.base === 0n && r.size <= MiB;
  const kind = r.origin === 'alloc' ? 'Allocation' : 'Reservation';
  let severity: Severity = contained || lowMeg ? 'info' : 'warning';
  let tail = contained ? 'it lies entirely inside reserved memory (a harmless re-reservation).' : `${humanSize(r.size - r.claimed)} of it was already reserved.`;
  if (lowMeg) tail = 'x86 reserves the whole first megabyte on purpose (BIOS, EBDA, real-mode trampoline), over what it reserved there before.';
  if (r.origin === 'alloc') {
    // memblock never hands out reserved bytes: the log and the reconstruction disagree.
    severity = 'warning';
    tail = `memblock never allocates reserved memory, so a free is missing from the log or the reconstruction (${humanSize(r.size - r.claimed)} overlap).`;
  }
  const event = boot.events[r.eventIndex];
  return {
    code: 'overlapping-reserve',
    severity,
    line: event ? event.line : r.line,
    endLine: event ? event.endLine : r.line,
    message: flat`${kind} ${memRangeSized(r.base, r.size)}${who(r)} overlaps earlier live reservations: ${tail}`,
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
 * they overlap; ties go to the latest line, then to the lowest id). Each query looks at every
 * reservation, so it scans their ranges copied into typed arrays (many times faster than visiting
 * 100k+ reservation objects and their bigints); addresses a double would round (2^53 and up)
 * fall back to the bigint scan.
 */
class NearestReservations {
  constructor(
    private readonly reservations: readonly Reservation[],
    private table?: RangeTable,
  ) {}

  find(base: Addr, end: Addr, beforeLine: number): Reservation | undefined {
    const table = (this.table ??= RangeTable.of(this.reservations));
    const from = smallKey(base);
    const to = smallKey(end);
    if (table.exact && from !== undefined && to !== undefined) return this.findInTable(table, from, to, beforeLine);
    return this.findExact(base, end, beforeLine);
  }

  private findInTable(table: RangeTable, base: number, end: number, beforeLine: number): Reservation | undefined {
    const { bases, ends, lines } = table;
    let best = -1;
    let bestDistance = 0;
    let bestLine = 0;
    for (let i = 0, n = table.madeBy(beforeLine); i < n; i++) {
      const line = lines[i];
      if (line > beforeLine) continue;
      // Below, above or overlapping: the one non-negative term (or 0). Every comparison runs on
      // every entry: one the loop rarely reaches would stop the optimised code when it first does.
      const distance = Math.max(0, base - ends[i], bases[i] - end);
      const closer = distance < bestDistance;
      const tie = distance === bestDistance;
      const later = line > bestLine;
      if (best < 0 || closer || (tie && later)) {
        best = i;
        bestDistance = distance;
        bestLine = line;
      }
    }
    return best < 0 ? undefined : this.reservations[best];
  }

  private findExact(base: Addr, end: Addr, beforeLine: number): Reservation | undefined {
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

/**
 * The reservations' ranges ([base, end) as doubles) and lines, indexed like the reservations.
 * `exact` turns false, and filling stops, at the first range a double would round.
 */
export class RangeTable {
  readonly bases: Float64Array;
  readonly ends: Float64Array;
  readonly lines: Int32Array;
  exact = true;
  /** Lines never decrease with the index (the replay makes reservations in line order). */
  private ordered = true;

  constructor(count: number) {
    this.bases = new Float64Array(count);
    this.ends = new Float64Array(count);
    this.lines = new Int32Array(count);
  }

  static of(reservations: readonly Reservation[]): RangeTable {
    const table = new RangeTable(reservations.length);
    for (let i = 0; i < reservations.length && table.exact; i++) table.add(i, reservations[i]);
    return table;
  }

  add(index: number, r: Reservation): void {
    if (!this.exact) return;
    const base = smallKey(r.base);
    const size = smallKey(r.size);
    const end = base! + size!;
    if (base === undefined || size === undefined || end > Number.MAX_SAFE_INTEGER || r.line !== (r.line | 0)) {
      this.exact = false;
      return;
    }
    this.bases[index] = base;
    this.ends[index] = end;
    this.lines[index] = r.line;
    if (index > 0 && r.line < this.lines[index - 1]) this.ordered = false;
  }

  /** How many leading entries can have a line at or before `line`: all of them unless lines are ordered. */
  madeBy(line: number): number {
    const lines = this.lines;
    if (!this.ordered) return lines.length;
    let lo = 0;
    let hi = lines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (lines[mid] <= line) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
