// Replay for boots of the allocators before memblock: bootmem debug output (`bootmem::…`), x86
// early_res tables (`==> bootmem`, `Subtract`, `early res:`), and memblock_x86_reserve_range /
// free_range lines with no memblock_add (2.6.37–3.2). It produces the same ReplayResult as the
// memblock replay (a memblock-shaped state: memory = the firmware's RAM, reserved = what the old
// allocator held), so the map, the timeline, the findings and the leak report work unchanged.
// Allocations the log shows with their request (bootmem debug) are predicted with the old
// allocator's own model and compared, like memblock allocations; NO_BOOTMEM `BOOTMEM` entries are
// allocations whose request is inferred (docs/allocators.md says how, and from which sources).

import { Memblock } from '../model/memblock';
import type { AllocEvent, Addr, Boot, BootmemEvent, EarlyResEvent, MemoryEvent, PercpuEvent } from '../types';
import { MAX_NUMNODES } from '../types';
import { buildFirmwareMap } from '../topology';
import { isUsableType } from '../analysis/owners';
import { OwnershipMap } from './ownership';
import { applyModelOp, emptyReplayResult, type AllocOutcome, type Reservation, type ReservationOrigin, type ReplayResult } from './replay';
import { modelOptionsFor } from './version';
import { EarlyRes } from '../allocators/early-res';
import { Bootmem } from '../allocators/bootmem';

/** x86 MAX_DMA_ADDRESS: the goal of the default bootmem allocations (BOOTMEM_LOW_LIMIT). */
export const X86_BOOTMEM_GOAL: Addr = 16n << 20n;

/** True when the boot speaks an older allocator's language and no memblock_add line gives memory. */
export function isLegacyBoot(boot: Boot): boolean {
  let legacy = false;
  for (const e of boot.events) {
    if (e.kind === 'add' || e.kind === 'checkpoint') return false;
    if (e.kind === 'bootmem' || e.kind === 'early-res') legacy = true;
    else if (e.kind === 'reserve' && e.api === 'memblock_x86_reserve_range') legacy = true;
  }
  return legacy;
}

const MAX_EVERY_SNAPSHOT = 4096;

class LegacyReplayer {
  private readonly model: Memblock;
  private readonly ownership = new OwnershipMap();
  private readonly result: ReplayResult;
  private readonly page: Addr;
  private memoryAdded = false;
  private changes = 0;
  private earlyRes?: EarlyRes;
  private bootmem?: Bootmem;
  private pending?: { index: number; event: AllocEvent; predicted: Addr | null; nid: number };
  private readonly seenEntries = new Set<string>();
  /** NO_BOOTMEM percpu first chunk: the page-sized temporaries pcpu_embed_first_chunk holds around it, and the table rows that are later units of an inferred chunk. */
  private pcpuScratch: { base: Addr; size: Addr }[] = [];
  private pcpuStarted = false;
  private readonly pcpuPieces = new Map<string, { eventIndex: number; line: number; api: string }>();
  private percpuEvent?: PercpuEvent | null;
  private bootmemRows?: EarlyResEvent[];

  constructor(private readonly boot: Boot) {
    const options = modelOptionsFor(boot);
    this.model = new Memblock({ ...options, rsrvKern: false });
    this.page = this.model.options.pageSize;
    this.result = emptyReplayResult(this.model);
  }

  run(): ReplayResult {
    const events = this.boot.events;
    const ram = this.firmwareRam();
    const memAt = ram.length > 0 ? Math.max(0, events.findIndex((e) => e.kind === 'firmware')) : -1;
    for (let i = 0; i < events.length; i++) {
      if (i === memAt) this.addMemory(ram);
      const changed = this.step(i, events[i]);
      if (i === memAt || changed) this.snapshot(i);
    }
    this.closePending();
    if (!this.result.handoff) this.result.handoff = { model: this.model.clone(), ownership: this.ownership.clone() };
    return this.result;
  }

  private snapshot(index: number): void {
    this.changes++;
    if (this.changes > MAX_EVERY_SNAPSHOT && this.changes % 64 !== 0) return;
    const last = this.result.snapshots[this.result.snapshots.length - 1];
    const copy = { eventIndex: index, model: this.model.clone() };
    if (last && last.eventIndex === index) this.result.snapshots[this.result.snapshots.length - 1] = copy;
    else this.result.snapshots.push(copy);
  }

  /** Usable RAM of the final firmware map, whole pages only. */
  private firmwareRam(): { base: Addr; size: Addr }[] {
    const out: { base: Addr; size: Addr }[] = [];
    for (const f of buildFirmwareMap(this.boot.events)) {
      if (!isUsableType(f.type)) continue;
      const base = ((f.base + this.page - 1n) / this.page) * this.page;
      const end = ((f.base + f.size) / this.page) * this.page;
      if (end > base) out.push({ base, size: end - base });
    }
    return out;
  }

  private addMemory(ram: readonly { base: Addr; size: Addr }[]): void {
    for (const r of ram) this.model.add(r.base, r.size, MAX_NUMNODES, 0);
    this.memoryAdded = ram.length > 0;
    if (!this.earlyRes) this.earlyRes = new EarlyRes({ memory: ram.map((r) => ({ ...r, nid: 0 })), pageSize: this.page, smpCacheBytes: this.model.options.smpCacheBytes });
  }

  private step(index: number, event: MemoryEvent): boolean {
    switch (event.kind) {
      case 'early-res':
        return this.earlyResRow(index, event);
      case 'bootmem':
        return this.bootmemLine(index, event);
      case 'reserve':
        if (event.inverted) return false;
        applyModelOp(this.model, event);
        this.newReservation('reserve', index, event.line, event.base, event.size).caller = event.caller ?? event.name;
        this.earlyRes?.record(event.base, event.size, event.name ?? '');
        return true;
      case 'free':
        if (event.inverted) return false;
        applyModelOp(this.model, event);
        this.release(index, event.line, event.base, event.size, false);
        return true;
      case 'free-late':
        this.release(index, event.line, event.base, event.size, true);
        return false;
      case 'node-data':
        // setup_node_bootmem reserves NODE_DATA in bootmem; early_res does not list it.
        if (event.inverted || !this.memoryAdded) return false;
        return this.reserveIfNew(index, event.line, event.base, event.size, undefined);
      case 'owner-hint':
        if (event.label === 'bootmap' && this.memoryAdded && !event.inverted) return this.reserveIfNew(index, event.line, event.base, event.size, undefined);
        return false;
      case 'accounting':
        this.handoff(index);
        return false;
      default:
        return false;
    }
  }

  private handoff(index: number): void {
    if (this.result.handoffIndex >= 0) return;
    this.closePending();
    this.result.handoffIndex = index;
    this.result.handoff = { model: this.model.clone(), ownership: this.ownership.clone() };
  }

  /** A range the log names (NODE_DATA, bootmap) reserved outside the early_res table; its owner comes from that line. */
  private reserveIfNew(index: number, line: number, base: Addr, size: Addr, caller: string | undefined): boolean {
    let covered = 0n;
    for (const piece of this.ownership.overlapping(base, base + size)) {
      const s = piece.base > base ? piece.base : base;
      const e = piece.end < base + size ? piece.end : base + size;
      covered += e - s;
    }
    if (covered >= size) return false;
    this.model.reserve(base, size, MAX_NUMNODES, 0);
    this.newReservation('reserve', index, line, base, size).caller = caller;
    return true;
  }

  // --- early_res -----------------------------------------------------------------------------

  private earlyResRow(index: number, event: EarlyResEvent): boolean {
    if (event.inverted || event.size === 0n) return false;
    if (event.table === 'doubled') {
      this.model.reserve(event.base, event.size, MAX_NUMNODES, 0);
      this.newReservation('doubling', index, event.line, event.base, event.size).caller = 'early_res array';
      return true;
    }
    // x86-64 NUMA kernels print the table once per node: an entry is one reservation.
    const key = `${event.base}:${event.size}:${event.name}`;
    if (this.seenEntries.has(key)) return false;
    this.seenEntries.add(key);
    this.model.reserve(event.base, event.size, MAX_NUMNODES, 0);
    if (event.name === 'BOOTMEM' && this.earlyRes) return this.bootmemFromEarlyRes(index, event);
    this.earlyRes?.record(event.base, event.size, event.name);
    this.newReservation('reserve', index, event.line, event.base, event.size).caller = event.name || undefined;
    return true;
  }

  /**
   * A NO_BOOTMEM `BOOTMEM` entry: a bootmem allocation served by early_res. The log prints no
   * request; it is inferred: goal 16 MiB (alloc_bootmem's __pa(MAX_DMA_ADDRESS)), page alignment
   * for page-sized entries, else SMP_CACHE_BYTES, except for the percpu first chunk (see percpuChunk).
   */
  private bootmemFromEarlyRes(index: number, event: EarlyResEvent): boolean {
    const er = this.earlyRes!;
    const key = `${event.base}:${event.size}`;
    const piece = this.pcpuPieces.get(key);
    if (piece) {
      // A later unit of an inferred percpu chunk: part of that allocation, not a request of its own.
      er.record(event.base, event.size, 'BOOTMEM');
      const reservation = this.newReservation('alloc', index, event.line, event.base, event.size);
      reservation.caller = 'BOOTMEM';
      reservation.request = { eventIndex: piece.eventIndex, line: piece.line, api: piece.api, nid: null };
      return true;
    }
    // The temporaries were freed before any later block could take their place.
    if (this.pcpuScratch.some((t) => t.base < event.base + event.size && event.base < t.base + t.size)) this.releaseScratch();
    let size = event.size;
    let align = event.size % this.page === 0n && event.base % this.page === 0n ? this.page : this.model.options.smpCacheBytes;
    let api = '__alloc_bootmem';
    const chunk = this.percpuChunk(event);
    if (chunk) {
      if (!this.pcpuStarted) {
        this.pcpuStarted = true;
        // pcpu_embed_first_chunk allocates the alloc info and the group address array (PFN_ALIGNed,
        // one page each for small machines) before the chunk and frees them after setting it up.
        for (let i = 0; i < 2; i++) {
          const t = er.alloc({ size: this.page, align: this.model.options.smpCacheBytes, goal: X86_BOOTMEM_GOAL, limit: 0n, nid: null, label: 'BOOTMEM' });
          if (t) this.pcpuScratch.push({ base: t.base, size: t.size });
        }
      }
      size = chunk.size;
      align = chunk.align;
      api = 'pcpu_fc_alloc';
      for (const p of chunk.pieces) this.pcpuPieces.set(`${p.base}:${p.size}`, { eventIndex: index, line: event.line, api });
    }
    const request: AllocEvent = {
      kind: 'alloc',
      api,
      size,
      align,
      nid: null,
      exactNid: false,
      from: X86_BOOTMEM_GOAL,
      maxAddr: 0n,
      line: event.line,
      endLine: event.endLine,
    };
    const predicted = er.clone().alloc({ size, align, goal: X86_BOOTMEM_GOAL, limit: 0n, nid: null })?.base ?? null;
    // The table shows the block as it ended up (a percpu chunk with its unused tails already given back).
    er.record(event.base, event.size, 'BOOTMEM');
    const reservation = this.newReservation('alloc', index, event.line, event.base, event.size);
    reservation.caller = 'BOOTMEM';
    reservation.request = { eventIndex: index, line: event.line, api, nid: null };
    this.result.allocs.push({
      eventIndex: index,
      line: event.line,
      request,
      predicted,
      actual: event.base,
      reserveEventIndex: index,
      reserveLine: event.line,
      status: predicted === event.base ? 'match' : 'mismatch',
      afterSync: true,
      inferred: true,
    });
    return true;
  }

  /**
   * The percpu first chunk among NO_BOOTMEM entries. pcpu_embed_first_chunk (mm/percpu.c
   * 2.6.33–2.6.36) allocates each group's units in one block, nr_units × unit_size, aligned to the
   * atom size, and gives back every unit's unused tail; free_early_partial keeps the head of the
   * block in its slot, so the table shows a block of the `Embedded N pages/cpu` size starting on
   * an atom boundary, followed (for more units) by blocks of the same size unit_size apart. The
   * unit size comes from the `PERCPU: … uU` line; the atom is taken as the largest power of two
   * dividing it (x86: PMD_SIZE, 4 MiB on a non-PAE i386, when a unit fills one atom).
   */
  private percpuChunk(event: EarlyResEvent): { size: Addr; align: Addr; pieces: { base: Addr; size: Addr }[] } | null {
    if (this.percpuEvent === undefined) this.percpuEvent = this.boot.events.find((e): e is PercpuEvent => e.kind === 'percpu' && e.unitSize !== undefined) ?? null;
    const pc = this.percpuEvent;
    if (!pc || pc.unitSize === undefined) return null;
    const unit = BigInt(pc.unitSize);
    const used = BigInt(pc.pagesPerCpu) * this.page;
    if (unit <= 0n || event.size !== used || used > unit) return null;
    let atom = 1n;
    while (unit % (atom * 2n) === 0n) atom *= 2n;
    if (event.base % atom !== 0n) return null;
    const rows = (this.bootmemRows ??= this.boot.events.filter((e): e is EarlyResEvent => e.kind === 'early-res' && e.name === 'BOOTMEM' && e.table !== 'doubled'));
    const pieces: { base: Addr; size: Addr }[] = [];
    for (let k = 1n; rows.some((r) => r.base === event.base + k * unit && r.size === used); k++) pieces.push({ base: event.base + k * unit, size: used });
    return { size: unit * BigInt(pieces.length + 1), align: atom, pieces };
  }

  private releaseScratch(): void {
    for (const t of this.pcpuScratch) this.earlyRes?.free(t.base, t.size);
    this.pcpuScratch = [];
  }

  // --- bootmem debug ---------------------------------------------------------------------------

  private bootmemLine(index: number, event: BootmemEvent): boolean {
    const f = event.fields;
    const nid = Number(f.nid ?? '0');
    const start = hexOf(f.start);
    const end = hexOf(f.end);
    switch (event.fn) {
      case 'init_bootmem_core': {
        if (start === undefined || end === undefined || end <= start) return false;
        const base = start * this.page;
        const size = (end - start) * this.page;
        if (!this.memoryAdded) this.model.add(base, size, MAX_NUMNODES, 0);
        this.bootmemModel().reserveNode(nid, base, size);
        // Every page starts reserved; the arch frees the usable RAM next.
        this.model.reserve(base, size, MAX_NUMNODES, 0);
        this.newReservation('reserve', index, event.line, base, size).caller = 'init_bootmem_core';
        return true;
      }
      case 'alloc_bootmem_core':
      case 'alloc_bootmem_bdata': {
        this.closePending();
        const size = hexOf(f.size) ?? 0n;
        const align = hexOf(f.align) ?? 0n;
        const goal = hexOf(f.goal) ?? 0n;
        const limit = hexOf(f.limit) ?? 0n;
        const request: AllocEvent = { kind: 'alloc', api: event.fn, size, align, nid, exactNid: false, from: goal, maxAddr: limit, line: event.line, endLine: event.endLine, caller: undefined };
        const scratch = this.bootmem?.clone();
        const bd = scratch?.node(nid);
        const predicted = bd ? scratch!.allocBdata(bd, size, align || this.model.options.smpCacheBytes, goal, limit) : null;
        this.pending = { index, event: request, predicted, nid };
        return false;
      }
      case '__reserve': {
        if (start === undefined || end === undefined) return false;
        const pending = this.pending;
        if (pending && f.flags === '1') {
          this.pending = undefined;
          return this.bootmemAllocation(index, event, pending, start, end);
        }
        if (end <= start) return false;
        const base = start * this.page;
        const size = (end - start) * this.page;
        this.bootmem?.reserveNode(nid, base, size);
        this.model.reserve(base, size, MAX_NUMNODES, 0);
        this.newReservation('reserve', index, event.line, base, size).caller = 'reserve_bootmem';
        return true;
      }
      case '__free': {
        if (start === undefined || end === undefined) return false;
        // __free lowers hint_idx to start even when there is no page to clear.
        this.bootmem?.freeNodePfns(nid, start, end);
        if (end <= start) return false;
        const base = start * this.page;
        const size = (end - start) * this.page;
        this.model.free(base, size);
        this.release(index, event.line, base, size, false);
        return true;
      }
      case 'free_all_bootmem_core':
        if (f.released === undefined && !this.boot.events.some((e) => e.kind === 'accounting')) this.handoff(index);
        return false;
      default:
        return false;
    }
  }

  private bootmemModel(): Bootmem {
    if (!this.bootmem) {
      // Nodes from the init lines; the spans start fully reserved and are freed by the log's __free lines.
      const spans = this.boot.events
        .filter((e): e is BootmemEvent => e.kind === 'bootmem' && e.fn === 'init_bootmem_core')
        .map((e) => ({ nid: Number(e.fields.nid ?? '0'), base: (hexOf(e.fields.start) ?? 0n) * this.page, size: ((hexOf(e.fields.end) ?? 0n) - (hexOf(e.fields.start) ?? 0n)) * this.page }))
        .filter((s) => s.size > 0n);
      this.bootmem = new Bootmem({ memory: spans, pageSize: this.page, smpCacheBytes: this.model.options.smpCacheBytes, placeBitmaps: false }, '2008');
      for (const s of spans) this.bootmem.reserveNode(s.nid, s.base, s.size);
    }
    return this.bootmem;
  }

  /** The `__reserve … flags=1` after an allocation request: the pages it took (the first may be shared with the previous block). */
  private bootmemAllocation(index: number, event: BootmemEvent, pending: NonNullable<LegacyReplayer['pending']>, start: bigint, end: bigint): boolean {
    const P = this.page;
    const req = pending.event;
    const predicted = pending.predicted;
    // The block ends inside page end-1; it starts at the prediction when that agrees, else at the first reserved page.
    const agrees = predicted !== null && (predicted + req.size + P - 1n) / P === end;
    const base = agrees ? predicted : start * P;
    const bd = this.bootmem?.node(pending.nid);
    if (bd) {
      if (agrees) this.bootmem!.allocBdata(bd, req.size, req.align || this.model.options.smpCacheBytes, req.from, req.maxAddr);
      else this.bootmem!.reserveNode(pending.nid, start * P, (end - start) * P);
    }
    this.model.reserve(base, req.size, MAX_NUMNODES, 0);
    const reservation = this.newReservation('alloc', index, event.line, base, req.size);
    reservation.caller = req.api;
    reservation.request = { eventIndex: pending.index, line: req.line, api: req.api, nid: req.nid };
    this.result.allocs.push({
      eventIndex: pending.index,
      line: req.line,
      request: req,
      predicted,
      actual: base,
      reserveEventIndex: index,
      reserveLine: event.line,
      status: predicted === base ? 'match' : 'mismatch',
      afterSync: true,
    });
    return true;
  }

  private closePending(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    const outcome: AllocOutcome = {
      eventIndex: pending.index,
      line: pending.event.line,
      request: pending.event,
      predicted: pending.predicted,
      actual: null,
      status: pending.predicted === null ? 'failed' : 'unpaired',
      afterSync: true,
    };
    this.result.allocs.push(outcome);
  }

  // --- ownership -------------------------------------------------------------------------------

  private newReservation(origin: ReservationOrigin, index: number, line: number, base: Addr, size: Addr): Reservation {
    const id = this.result.reservations.length;
    const claimed = this.ownership.claim(base, base + size, id);
    const reservation: Reservation = { id, origin, eventIndex: index, line, base, size, claimed, frees: [], lateFrees: [], freedBytes: 0n };
    this.result.reservations.push(reservation);
    return reservation;
  }

  private release(index: number, line: number, base: Addr, size: Addr, late: boolean): void {
    if (late) {
      for (const piece of this.ownership.overlapping(base, base + size)) {
        const from = piece.base > base ? piece.base : base;
        const to = piece.end < base + size ? piece.end : base + size;
        this.result.reservations[piece.owner].lateFrees.push({ eventIndex: index, line, base: from, size: to - from });
      }
      return;
    }
    for (const piece of this.ownership.release(base, base + size)) {
      const owner = this.result.reservations[piece.owner];
      owner.frees.push({ eventIndex: index, line, base: piece.base, size: piece.end - piece.base });
      owner.freedBytes += piece.end - piece.base;
    }
  }
}

function hexOf(text: string | undefined): bigint | undefined {
  if (text === undefined || !/^(0x)?[0-9a-f]+$/i.test(text)) return undefined;
  return BigInt(text.startsWith('0x') || text.startsWith('0X') ? text : '0x' + text);
}

export function replayLegacyBoot(boot: Boot): ReplayResult {
  return new LegacyReplayer(boot).run();
}
