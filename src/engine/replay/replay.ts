// Replay: apply a boot's events to the memblock model in file order.
//
// For every allocation request the model first predicts where memblock would put the block, then
// the kernel's own answer (the reserve line that follows) is applied, and the two are compared.
// `MEMBLOCK configuration` dumps and debugfs listings are the kernel's state at that line: the first
// one is where the reconstruction syncs (what it holds that the log never printed becomes a
// "pre-debug" reservation); every later one is compared and, on a difference, synced again.

import { Memblock } from '../model/memblock';
import type {
  Addr,
  AllocEvent,
  Boot,
  CheckpointEvent,
  MemoryEvent,
  NodeRangeEvent,
  Range,
  Region,
  ReserveEvent,
} from '../types';
import { MAX_NUMNODES, NUMA_NO_NODE } from '../types';
import { applyNumaMerges, type NodeBlock } from '../topology';
import { OwnershipMap, type Piece } from './ownership';
import { compareArrays, loadArray, type RegionDiff } from './checkpoint';
import { modelOptionsFor } from './version';

export type ReservationOrigin = 'reserve' | 'alloc' | 'pre-debug' | 'checkpoint' | 'doubling';

export interface Reservation {
  id: number;
  origin: ReservationOrigin;
  /** Index in boot.events of the reserve line (or checkpoint) that created it. */
  eventIndex: number;
  line: number;
  base: Addr;
  size: Addr;
  /** Bytes this reservation added that nothing reserved before (0 when it only overlapped). */
  claimed: Addr;
  /** The reserve line's caller (for allocations: allocator internals). */
  caller?: string;
  /** For allocations: the request line and its caller, the function that wanted the memory. */
  request?: AllocRequestRef;
  /** Frees that took bytes of this reservation. */
  frees: { eventIndex: number; line: number; base: Addr; size: Addr }[];
  /** memblock_free_late calls that gave bytes of it to the page allocator after the hand-off. */
  lateFrees: { eventIndex: number; line: number; base: Addr; size: Addr }[];
  freedBytes: Addr;
}

/**
 * What a reservation keeps of the allocation request behind it. The replay hands the request's
 * AllocOutcome itself (it carries these fields too), so an allocation costs one object less.
 */
export interface AllocRequestRef {
  eventIndex: number;
  line: number;
  api: string;
  caller?: string;
  nid: number | null;
}

export type AllocStatus = 'match' | 'mismatch' | 'failed' | 'unpaired';

export interface AllocOutcome {
  eventIndex: number;
  line: number;
  request: AllocEvent;
  predicted: Addr | null;
  /** Which attempt of memblock's fallback order found the predicted block (1..4). */
  predictedAttempt?: number;
  actual: Addr | null;
  reserveEventIndex?: number;
  reserveLine?: number;
  status: AllocStatus;
  /** Predictions before the first checkpoint run on a state the log only partly printed. */
  afterSync: boolean;
  /** The log printed no request line: the request was inferred from the result (legacy early_res BOOTMEM rows), so a mismatch judges the inference, not the kernel. */
  inferred?: boolean;
}

/**
 * An allocation request answered by its reserve line: the common case, hundreds of thousands on a
 * big log. The request's line, api, caller and nid are read through from the request event, so
 * they cost nothing per allocation; the object is also the reservation's `request`.
 */
class PairedOutcome implements AllocOutcome, AllocRequestRef {
  readonly status: AllocStatus;
  readonly actual: Addr;
  readonly reserveLine: number;

  constructor(
    readonly eventIndex: number,
    readonly request: AllocEvent,
    readonly predicted: Addr | null,
    readonly predictedAttempt: number | undefined,
    reserve: ReserveEvent,
    readonly reserveEventIndex: number,
    match: boolean,
    readonly afterSync: boolean,
  ) {
    this.status = match ? 'match' : 'mismatch';
    this.actual = reserve.base;
    this.reserveLine = reserve.line;
  }

  get line(): number {
    return this.request.line;
  }

  get api(): string {
    return this.request.api;
  }

  get caller(): string | undefined {
    return this.request.caller;
  }

  get nid(): number | null {
    return this.request.nid;
  }
}

export interface CheckpointOutcome {
  eventIndex: number;
  line: number;
  source: CheckpointEvent['source'];
  role: 'sync' | 'compare';
  diffs: RegionDiff[];
}

export interface DoubleOutcome {
  eventIndex: number;
  line: number;
  predictedBase?: Addr;
  actualBase: Addr;
  match: boolean;
}

export interface Snapshot {
  eventIndex: number;
  model: Memblock;
}

/** Model operations the log never printed but the kernel performed (x86 NUMA registration). */
export interface InferredStep {
  eventIndex: number;
  what: string;
  blocks: NodeBlock[];
}

export interface ReplayResult {
  reservations: Reservation[];
  allocs: AllocOutcome[];
  checkpoints: CheckpointOutcome[];
  doubles: DoubleOutcome[];
  inferred: InferredStep[];
  /** Index of the first checkpoint (sync), or -1. */
  syncIndex: number;
  /** Event index of the hand-off to the page allocator (the `Memory:` line), or -1. */
  handoffIndex: number;
  /** memblock state and ownership at the hand-off (or at the end of the boot when there is none). */
  handoff: { model: Memblock; ownership: OwnershipMap };
  final: Memblock;
  snapshots: Snapshot[];
  /** Bytes covered by the first checkpoint that the log never printed a reservation for. */
  preDebugBytes: Addr;
  /**
   * Recorded while replaying (so the analysis need not rebuild the ownership map): for each
   * reserve/alloc reservation that overlapped live reservations, the earlier owners (reservation
   * ids) and the bytes of the new range each held, in address order of their first piece.
   * Absent on replays that do not record it (the analysis then recomputes).
   */
  overlaps?: Map<number, ReservationOverlap[]>;
  /** For `free` events (by event index) that released bytes no reservation owned: those parts, in address order. */
  unreservedFrees?: Map<number, Range[]>;
}

export interface ReservationOverlap {
  owner: number;
  bytes: Addr;
}

/** State changes between snapshots: re-applying at most this many answers "state at line" in a few ms. */
const SNAPSHOT_EVERY = 1024;

const ZERO: Addr = 0n;

type FreeRecord = Reservation['frees'][number];
const NO_FREES: FreeRecord[] = Object.freeze([]) as unknown as FreeRecord[];

/** A result with nothing replayed yet; the hand-off is filled in when the replay reaches it. */
export function emptyReplayResult(model: Memblock): ReplayResult {
  return {
    reservations: [],
    allocs: [],
    checkpoints: [],
    doubles: [],
    inferred: [],
    syncIndex: -1,
    handoffIndex: -1,
    handoff: undefined as never,
    final: model,
    snapshots: [],
    preDebugBytes: 0n,
  };
}

/** Events that can change memblock state; the timeline snapshots count only these. */
export function changesState(event: MemoryEvent): boolean {
  switch (event.kind) {
    case 'add':
    case 'remove':
    case 'reserve':
    case 'free':
    case 'checkpoint':
    case 'double':
      return true;
    default:
      return false;
  }
}

export function replayBoot(boot: Boot): ReplayResult {
  return new Replayer(boot).run();
}

class Replayer {
  private readonly model: Memblock;
  private readonly ownership = new OwnershipMap();
  private readonly result: ReplayResult;
  private pending?: { index: number; event: AllocEvent; predicted: Addr | null; attempt?: number; failed: boolean };
  private lastModelDouble?: { base: Addr; size: Addr };
  private nodeRanges: NodeRangeEvent[] = [];
  private numaApplied = false;
  private readonly x86Numa: boolean;
  private changes = 0;

  constructor(private readonly boot: Boot) {
    this.model = new Memblock(modelOptionsFor(boot));
    // By the time memblock=debug lines flow the kernel has long called memblock_allow_resize().
    this.model.allowResize = true;
    this.model.onDouble = (_array, _newMax, base, size) => {
      this.lastModelDouble = { base, size };
    };
    this.x86Numa = isX86(boot);
    this.result = { ...emptyReplayResult(this.model), overlaps: new Map(), unreservedFrees: new Map() };
  }

  run(): ReplayResult {
    const events = this.boot.events;
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      this.step(i, event);
      if (changesState(event) && ++this.changes % SNAPSHOT_EVERY === 0) {
        this.result.snapshots.push({ eventIndex: i, model: this.model.clone() });
      }
    }
    this.closePending(events.length);
    // The replay is over: the end state needs no copy of the live ownership map.
    if (!this.result.handoff) this.result.handoff = { model: this.model.clone(), ownership: this.ownership };
    return this.result;
  }

  private step(index: number, event: MemoryEvent): void {
    if (this.x86Numa && !this.numaApplied) this.maybeRegisterNuma(index, event);
    switch (event.kind) {
      case 'alloc':
        this.closePending(index);
        this.openAlloc(index, event);
        return;
      case 'reserve':
        this.reserve(index, event);
        return;
      case 'free':
        if (isInverted(event)) return;
        applyModelOp(this.model, event);
        this.releaseOwnership(index, event.line, event.base, event.size, false, event.size > 0n);
        return;
      case 'free-late':
        this.releaseOwnership(index, event.line, event.base, event.size, true);
        return;
      case 'add':
      case 'remove':
        applyModelOp(this.model, event);
        return;
      case 'double':
        this.double(index, event.line, event.base);
        return;
      case 'checkpoint':
        this.closePending(index);
        this.checkpoint(index, event);
        return;
      case 'failure':
        if (this.pending) this.pending.failed = true;
        return;
      case 'node-range':
        this.nodeRanges.push(event);
        return;
      case 'accounting':
        if (this.result.handoffIndex < 0) {
          this.closePending(index);
          this.result.handoffIndex = index;
          this.result.handoff = { model: this.model.clone(), ownership: this.ownership.clone() };
        }
        return;
      default:
        return;
    }
  }

  private openAlloc(index: number, event: AllocEvent): void {
    const prediction = this.model.predictAlloc({
      api: event.api,
      size: event.size,
      align: event.align,
      from: event.from,
      maxAddr: event.maxAddr,
      nid: event.nid,
      exactNid: event.exactNid,
    });
    this.pending = {
      index,
      event,
      predicted: prediction ? prediction.addr : null,
      attempt: prediction?.attempt,
      failed: false,
    };
  }

  /** The allocation request got no reserve line: it failed (or the log lost the line). */
  private closePending(_beforeIndex: number): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    this.result.allocs.push({
      eventIndex: pending.index,
      line: pending.event.line,
      request: pending.event,
      predicted: pending.predicted,
      predictedAttempt: pending.attempt,
      actual: null,
      status: pending.failed || pending.predicted === null ? 'failed' : 'unpaired',
      afterSync: this.result.syncIndex >= 0,
    });
  }

  private reserve(index: number, event: ReserveEvent): void {
    if (isInverted(event)) return;
    const pending = this.pending;
    let request: PairedOutcome | undefined;
    if (pending && pairs(pending.event, event)) {
      this.pending = undefined;
      request = this.pairedOutcome(pending, index, event);
      this.result.allocs.push(request);
    }
    applyModelOp(this.model, event);
    this.newReservation(request ? 'alloc' : 'reserve', index, event.line, event.base, event.size, true, event.caller, request);
  }

  /** The outcome of a request its reserve line answered; it doubles as the reservation's `request`. */
  private pairedOutcome(pending: NonNullable<Replayer['pending']>, index: number, event: ReserveEvent): PairedOutcome {
    const predicted = pending.predicted;
    const match = predicted === event.base;
    // A match shares the reserve line's bigint (same value; one object less per allocation).
    return new PairedOutcome(pending.index, pending.event, match ? event.base : predicted, pending.attempt, event, index, match, this.result.syncIndex >= 0);
  }


  /**
   * `printedLine`: a reserve line made it, so the reservation carries its `caller` (even when
   * undefined) and, for an allocation, its `request`, set in the literal itself (properties added
   * afterwards cost every reservation an out-of-object store).
   */
  private newReservation(
    origin: ReservationOrigin,
    index: number,
    line: number,
    base: Addr,
    size: Addr,
    printedLine = false,
    caller?: string,
    request?: Reservation['request'],
  ): Reservation {
    const id = this.result.reservations.length;
    const printed = origin === 'reserve' || origin === 'alloc';
    const overlapped = printed ? this.overlapScratch : undefined;
    if (overlapped) overlapped.length = 0;
    const end = base + size;
    const claimedBytes = this.ownership.claim(base, end, id, overlapped);
    // Usually all or nothing: share the size (or zero) instead of keeping another bigint.
    const claimed = claimedBytes === size ? size : claimedBytes === 0n ? ZERO : claimedBytes;
    if (overlapped && claimed < size && overlapped.length > 0) {
      // What the new range shares with each earlier owner (findings: overlapping-reserve).
      const earlier = new Map<number, Addr>();
      for (const piece of overlapped) {
        const from = piece.base > base ? piece.base : base;
        const to = piece.end < end ? piece.end : end;
        earlier.set(piece.owner, (earlier.get(piece.owner) ?? 0n) + (to - from));
      }
      // map() sizes the list exactly (a push-grown array keeps room for 17).
      this.result.overlaps!.set(id, [...earlier].map(([owner, bytes]) => ({ owner, bytes })));
    }
    // Most reservations are never freed: share one empty list until the first free (memory on big logs).
    const reservation: Reservation = !printedLine
      ? { id, origin, eventIndex: index, line, base, size, claimed, frees: NO_FREES, lateFrees: NO_FREES, freedBytes: ZERO }
      : request === undefined
        ? { id, origin, eventIndex: index, line, base, size, claimed, frees: NO_FREES, lateFrees: NO_FREES, freedBytes: ZERO, caller }
        : { id, origin, eventIndex: index, line, base, size, claimed, frees: NO_FREES, lateFrees: NO_FREES, freedBytes: ZERO, caller, request };
    this.result.reservations.push(reservation);
    return reservation;
  }

  private readonly overlapScratch: Piece[] = [];

  private releaseOwnership(index: number, line: number, base: Addr, size: Addr, late: boolean, recordGaps = false): void {
    if (late) {
      // A late free hands pages to the buddy allocator; memblock's arrays are not touched.
      for (const piece of this.ownership.overlapping(base, base + size)) {
        const owner = this.result.reservations[piece.owner];
        const from = piece.base > base ? piece.base : base;
        const to = piece.end < base + size ? piece.end : base + size;
        const record = { eventIndex: index, line, base: from, size: to - from };
        // A literal holds exactly one record; [] then push would reserve room for 17.
        if (owner.lateFrees === NO_FREES) owner.lateFrees = [record];
        else owner.lateFrees.push(record);
      }
      return;
    }
    const end = base + size;
    const lost = this.ownership.release(base, end);
    for (const piece of lost) {
      const owner = this.result.reservations[piece.owner];
      const size = piece.end - piece.base;
      const record = { eventIndex: index, line, base: piece.base, size };
      if (owner.frees === NO_FREES) owner.frees = [record];
      else owner.frees.push(record);
      owner.freedBytes = owner.freedBytes === ZERO ? size : owner.freedBytes + size;
    }
    if (recordGaps) {
      // The parts of the freed range nothing owned (findings: free-unreserved).
      let cursor = base;
      let gaps: Range[] | undefined;
      for (const piece of lost) {
        if (piece.base > cursor) (gaps ??= []).push({ base: cursor, size: piece.base - cursor });
        if (piece.end > cursor) cursor = piece.end;
      }
      if (cursor < end) (gaps ??= []).push({ base: cursor, size: end - cursor });
      if (gaps) this.result.unreservedFrees!.set(index, gaps);
    }
  }

  private double(index: number, line: number, base: Addr): void {
    const predicted = this.lastModelDouble;
    this.lastModelDouble = undefined;
    this.result.doubles.push({
      eventIndex: index,
      line,
      predictedBase: predicted?.base,
      actualBase: base,
      match: predicted !== undefined && predicted.base === base,
    });
  }

  private checkpoint(index: number, event: CheckpointEvent): void {
    const first = this.result.syncIndex < 0;
    const diffs = first ? [] : compareArrays(this.model, event);
    this.result.checkpoints.push({
      eventIndex: index,
      line: event.line,
      source: event.source,
      role: first ? 'sync' : 'compare',
      diffs,
    });
    if (first || diffs.length > 0) this.sync(index, event, first ? 'pre-debug' : 'checkpoint');
    if (first) this.result.syncIndex = index;
  }

  /**
   * Makes the model equal to the kernel's printed state. Reserved bytes the reconstruction did not
   * know become reservations of their own (the log never printed them); bytes it held that the
   * kernel no longer has were freed without a line.
   */
  private sync(index: number, event: CheckpointEvent, origin: ReservationOrigin): void {
    if (event.reserved) {
      const known = new OwnershipMap();
      for (const r of event.reserved) known.claim(r.base, r.base + r.size, 0);
      this.dropUnprintedFrees(index, event.line, known);
      for (const region of event.reserved) this.adoptUnprinted(index, event.line, region, origin);
      loadArray(this.model, 'reserved', event.reserved, event.hasNid, event.hasFlags);
    }
    if (event.memory) loadArray(this.model, 'memory', event.memory, event.hasNid, event.hasFlags);
  }

  private adoptUnprinted(index: number, line: number, region: Region, origin: ReservationOrigin): void {
    const end = region.base + region.size;
    let cursor = region.base;
    const gaps: [Addr, Addr][] = [];
    for (const piece of this.ownership.overlapping(region.base, end)) {
      if (piece.base > cursor) gaps.push([cursor, piece.base]);
      if (piece.end > cursor) cursor = piece.end;
    }
    if (cursor < end) gaps.push([cursor, end]);
    for (const [from, to] of gaps) {
      const reservation = this.newReservation(origin, index, line, from, to - from);
      if (origin === 'pre-debug') this.result.preDebugBytes += reservation.claimed;
    }
  }

  private dropUnprintedFrees(index: number, line: number, known: OwnershipMap): void {
    const stale: [Addr, Addr][] = [];
    for (const piece of this.ownership.all()) {
      let cursor = piece.base;
      for (const k of known.overlapping(piece.base, piece.end)) {
        if (k.base > cursor) stale.push([cursor, k.base]);
        if (k.end > cursor) cursor = k.end;
      }
      if (cursor < piece.end) stale.push([cursor, piece.end]);
    }
    for (const [from, to] of stale) this.releaseOwnership(index, line, from, to - from, false);
  }

  /**
   * x86 registers NUMA nodes (memblock_set_node on memory and reserved) right after the SRAT or
   * numa=fake lines, without printing it. It happens before the next memblock operation, which is
   * NODE_DATA(0)'s reservation.
   */
  private maybeRegisterNuma(index: number, event: MemoryEvent): void {
    if (this.nodeRanges.length === 0 || event.kind === 'node-range') return;
    if (event.kind !== 'reserve' && event.kind !== 'alloc' && event.kind !== 'node-data' && event.kind !== 'checkpoint') return;
    this.numaApplied = true;
    const step = { eventIndex: index, what: 'numa_register_memblks: memblock_set_node on memory and reserved', blocks: x86NodeBlocks(this.nodeRanges, endOfDram(this.model)) };
    applyInferred(this.model, step);
    this.result.inferred.push(step);
  }
}

/** The blocks x86 hands to memblock_set_node: SRAT (or fake) blocks, merged per node, trimmed to the end of RAM. */
export function x86NodeBlocks(ranges: readonly NodeRangeEvent[], dramEnd: Addr): NodeBlock[] {
  const of = (source: NodeRangeEvent['source']) =>
    ranges.filter((r) => r.source === source).map((r) => ({ nid: r.nid, base: r.base, size: r.size }));
  let blocks: NodeBlock[] = of('fake');
  if (blocks.length === 0) blocks = applyNumaMerges(of('srat'), of('numa-merge'));
  if (blocks.length === 0) blocks = of('faking-single');
  const trimmed: NodeBlock[] = [];
  for (const block of blocks) {
    const end = block.base + block.size < dramEnd ? block.base + block.size : dramEnd;
    if (end > block.base) trimmed.push({ nid: block.nid, base: block.base, size: end - block.base });
  }
  return trimmed;
}

function endOfDram(model: Memblock): Addr {
  return model.endOfDram();
}

/**
 * The part of an event that changes the memblock arrays by itself. Shared by the replay and by
 * the timeline, which re-applies events from a snapshot to answer "state at line N".
 */
export function applyModelOp(model: Memblock, event: MemoryEvent): void {
  switch (event.kind) {
    case 'add':
      if (isInverted(event) || event.api === 'memblock_physmem_add') return;
      if (event.api === 'memblock_add_node') model.addNode(event.base, event.size, event.nid ?? MAX_NUMNODES, event.flags ?? 0);
      else model.add(event.base, event.size, MAX_NUMNODES, event.flags ?? 0);
      return;
    case 'remove':
      if (!isInverted(event)) model.remove(event.base, event.size);
      return;
    case 'free':
      if (!isInverted(event)) model.free(event.base, event.size);
      return;
    case 'reserve':
      if (isInverted(event)) return;
      if (event.api === '__memblock_reserve' && event.nid !== undefined) model.reserveExact(event.base, event.size, event.nid, event.flags ?? 0);
      else if (event.flags !== undefined && event.flags !== 0) model.reserveExact(event.base, event.size, MAX_NUMNODES, event.flags);
      else model.reserve(event.base, event.size);
      return;
    default:
      return;
  }
}

/** Applies an inferred step (x86 NUMA registration) to a model. */
export function applyInferred(model: Memblock, step: InferredStep): void {
  for (const block of step.blocks) {
    model.setNode('memory', block.base, block.size, block.nid);
    model.setNode('reserved', block.base, block.size, block.nid);
  }
}

/** An allocation request and a reserve line belong together when the size and alignment agree. */
function pairs(request: AllocEvent, reserve: ReserveEvent): boolean {
  if (reserve.size !== request.size) return false;
  const align = request.align > 1n ? request.align : 1n;
  return reserve.base % align === 0n;
}

function isInverted(event: { inverted?: boolean }): boolean {
  return event.inverted === true;
}

function isX86(boot: Boot): boolean {
  if (boot.arch) return boot.arch === 'x86_64' || boot.arch === 'i386' || boot.arch === 'x86';
  return boot.events.some((e) => e.kind === 'firmware' && e.source === 'e820');
}

export { NUMA_NO_NODE };
