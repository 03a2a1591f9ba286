// x86 early_res (kernel/early_res.c as of 2.6.35, arch/x86/kernel/e820.c for find_e820_area): a
// table of named ranges kept without holes. reserve_early appends an entry (first trimming away the
// parts of overlap_ok entries it covers; overlapping any other entry is a panic), free_early drops
// the first overlapping entry, which must match exactly, free_early_partial trims (the tail of a
// split entry is appended at the end), and the free-area search walks the RAM ranges and, inside
// one, moves up past every entry in the way (bottom-up first fit). The table starts as a static
// array of 32 and is doubled when at most max(n/8, 2) slots are left. With CONFIG_NO_BOOTMEM
// (2.6.34+) the bootmem API is served from here: each block becomes an entry named "BOOTMEM".
// Without it the table is handed to bootmem once (early_res_to_bootmem): toBootmem() does that.

import type { Addr } from '../types';
import type { NodeBlock } from '../topology';
import { alignUp } from '../util/hex';
import { Bootmem, type BootmemVariant } from './bootmem';
import {
  PAGE_SIZE_DEFAULT,
  SMP_CACHE_BYTES_DEFAULT,
  sortedBlocks,
  type AllocatorSetup,
  type BootAllocator,
  type BootRequest,
  type OpResult,
  type Overhead,
  type Placement,
} from './types';

export interface EarlyResEntry {
  start: Addr;
  /** Exclusive. */
  end: Addr;
  name: string;
  overlapOk?: boolean;
  /** Entry #0 after a doubling: the early_res array itself (the kernel prints tables from #1 then). */
  array?: boolean;
}

/** struct early_res: u64 start, end; char name[15]; char overlap_ok. */
export const EARLY_RES_ENTRY_BYTES = 32n;
export const MAX_EARLY_RES_X = 32;

export class EarlyRes implements BootAllocator {
  readonly model = 'early_res' as const;
  readonly page: bigint;
  readonly cache: bigint;
  /** The table in kernel order (appended at the end; a dropped entry closes the gap). */
  entries: EarlyResEntry[] = [];
  maxEntries = MAX_EARLY_RES_X;
  private readonly memory: NodeBlock[];
  private readonly setup: AllocatorSetup;
  private readonly maxMapped: Addr;
  private taken: Overhead[] = [];
  private notes: string[] = [];

  constructor(setup: AllocatorSetup) {
    this.setup = setup;
    this.page = setup.pageSize ?? PAGE_SIZE_DEFAULT;
    this.cache = setup.smpCacheBytes ?? SMP_CACHE_BYTES_DEFAULT;
    this.memory = sortedBlocks(setup.memory);
    this.maxMapped = setup.maxMapped ?? 1n << 64n;
  }

  clone(): EarlyRes {
    const copy = Object.create(EarlyRes.prototype) as EarlyRes;
    Object.assign(copy, this);
    copy.entries = this.entries.map((e) => ({ ...e }));
    copy.taken = [...this.taken];
    copy.notes = [...this.notes];
    return copy;
  }

  activate(): Overhead[] {
    return [];
  }

  /** The grown array the table lives in now (a later doubling gives the previous one back). */
  overhead(): Overhead[] {
    const current = this.entries[0]?.array ? this.entries[0] : undefined;
    return current ? this.taken.filter((o) => o.base === current.start && o.size === current.end - current.start) : [];
  }

  /** find_overlapped_early: index of the first entry overlapping [start, end), or -1. */
  private firstOverlapping(start: Addr, end: Addr): number {
    return this.entries.findIndex((e) => end > e.start && start < e.end);
  }

  /**
   * reserve_early: double the array if it is nearly full, trim the overlap_ok entries the range
   * covers (drop_overlaps_that_are_ok, which stops at the first other overlap), then append; an
   * overlap with an entry that is not overlap_ok panics in the kernel (reported, entry still added).
   */
  reserve(base: Addr, size: Addr, label = 'reserved'): OpResult {
    if (size <= 0n) return { ok: true };
    const end = base + size;
    this.checkAndDouble(base, end);
    this.dropOverlapsThatAreOk(base, end);
    return this.reserveChecked(base, end, label, false);
  }

  /**
   * reserve_early_overlap_ok: later reservations may overlap this one. It still panics on an
   * overlap with an entry that is not overlap_ok, and it never doubles the array ("Too many early
   * reservations" when full).
   */
  reserveOverlapOk(base: Addr, size: Addr, label: string): OpResult {
    if (size <= 0n) return { ok: true };
    const end = base + size;
    this.dropOverlapsThatAreOk(base, end);
    if (this.entries.length >= this.maxEntries) {
      this.entries.push({ start: base, end, name: truncateName(label), overlapOk: true });
      return { ok: false, note: 'Too many early reservations: the kernel panics here' };
    }
    return this.reserveChecked(base, end, label, true);
  }

  /** reserve_early_without_check: append after the doubling check, no overlap check (NO_BOOTMEM blocks, split tails). */
  reserveWithoutCheck(base: Addr, end: Addr, label: string): void {
    if (base >= end) return;
    this.checkAndDouble(base, end);
    this.entries.push({ start: base, end, name: truncateName(label) });
  }

  /** An entry copied from a table the log printed: appended as it stands (after the doubling check). */
  record(base: Addr, size: Addr, label: string): void {
    this.reserveWithoutCheck(base, base + size, label);
  }

  private reserveChecked(base: Addr, end: Addr, label: string, overlapOk: boolean): OpResult {
    const i = this.firstOverlapping(base, end);
    const clash = i >= 0 ? this.entries[i] : undefined;
    const note = clash
      ? `Overlapping early reservations ${hexs(base)}-${hexs(end - 1n)} ${label} to ${hexs(clash.start)}-${hexs(clash.end - 1n)} ${clash.name}: the kernel panics here`
      : undefined;
    this.entries.push({ start: base, end, name: truncateName(label), overlapOk: overlapOk || undefined });
    return { ok: !clash, note };
  }

  /** drop_overlaps_that_are_ok: each overlap_ok entry in the way loses the overlapped part; the parts outside come back at the end of the table. */
  private dropOverlapsThatAreOk(start: Addr, end: Addr): void {
    for (let i = 0; i < this.entries.length; i++) {
      const r = this.entries[i];
      if (end <= r.start || start >= r.end) continue;
      if (!r.overlapOk) return;
      this.entries.splice(i, 1);
      i--;
      if (r.start < start) this.reserveOverlapOk(r.start, start - r.start, r.name);
      if (r.end > end) this.reserveOverlapOk(end, r.end - end, r.name);
    }
  }

  /**
   * free_early when the first overlapping entry is exactly [base, base + size), else
   * free_early_partial: every overlapping entry loses the freed part; an entry split in two keeps
   * its head in place and gets its tail appended at the end of the table.
   */
  free(base: Addr, size: Addr): OpResult {
    const end = base + size;
    if (size <= 0n) return { ok: true };
    const i = this.firstOverlapping(base, end);
    if (i < 0) return { ok: false, note: `free_early on not reserved area: ${hexs(base)}-${hexs(end - 1n)}!` };
    const first = this.entries[i];
    if (first.start === base && first.end === end) {
      this.entries.splice(i, 1);
      return { ok: true };
    }
    for (;;) {
      const j = this.firstOverlapping(base, end);
      if (j < 0) break;
      const r = this.entries[j];
      const hole = r.end >= end && r.start <= base;
      this.dropRangePartial(j, base, end);
      if (hole) break;
    }
    return { ok: true, note: 'not one whole entry: free_early would panic, free_early_partial trims' };
  }

  private dropRangePartial(i: number, start: Addr, end: Addr): void {
    const r = this.entries[i];
    const cs = r.start > start ? r.start : start;
    const ce = r.end < end ? r.end : end;
    if (cs >= ce) return;
    if (r.start < cs) {
      const oldEnd = r.end;
      r.end = cs;
      if (oldEnd > ce) this.reserveWithoutCheck(ce, oldEnd, r.name);
      return;
    }
    if (r.end > ce) {
      r.start = ce;
      return;
    }
    this.entries.splice(i, 1);
  }

  /** find_early_area: from round_up(max(range start, start), align), step past each entry in the way. */
  findArea(eiStart: Addr, eiLast: Addr, start: Addr, end: Addr, size: Addr, align: Addr): Addr | null {
    let addr = alignUp(eiStart, align);
    if (addr < start) addr = alignUp(start, align);
    if (addr >= eiLast) return null;
    for (;;) {
      const i = this.firstOverlapping(addr, addr + size);
      if (i < 0) break;
      addr = alignUp(this.entries[i].end, align);
      if (addr + size > eiLast) return null;
    }
    const last = addr + size;
    if (last > eiLast || last > end) return null;
    return addr;
  }

  /** find_e820_area: the RAM ranges in address order, the first that has room. */
  findE820Area(start: Addr, end: Addr, size: Addr, align: Addr): Addr | null {
    for (const r of this.memory) {
      const found = this.findArea(r.base, r.base + r.size, start, end, size, align);
      if (found !== null) return found;
    }
    return null;
  }

  /**
   * NO_BOOTMEM's __alloc_memory_core_early (2.6.34–2.6.36): the node's (or every) active range in
   * address order, each searched with find_early_area between the goal and the limit.
   */
  private coreEarly(nid: number | null, size: Addr, align: Addr, goal: Addr, limit: Addr): Addr | null {
    const ranges = this.memory.filter((r) => nid === null || r.nid === nid);
    const lim = limit ? limit : 1n << 64n;
    for (const r of ranges) {
      const found = this.findArea(r.base, r.base + r.size, goal, lim, size, align);
      if (found !== null) return found;
    }
    return null;
  }

  alloc(req: BootRequest): Placement | null {
    const align = req.align > 0n ? req.align : this.cache;
    if (req.size <= 0n) return null;
    let goal = req.goal;
    for (;;) {
      let base: Addr | null = null;
      let servedBy: number | null = null;
      let fallback = false;
      if (req.nid !== null) {
        base = this.coreEarly(req.nid, req.size, align, goal, req.limit);
        servedBy = req.nid;
      }
      if (base === null && (req.nid === null || !req.exact)) {
        base = this.coreEarly(null, req.size, align, goal, req.limit);
        servedBy = null;
        fallback = req.nid !== null;
      }
      if (base !== null) {
        this.reserveWithoutCheck(base, base + req.size, req.label ?? 'BOOTMEM');
        return { base, size: req.size, servedBy, fallback };
      }
      if (!goal) return null;
      goal = 0n;
    }
  }

  /**
   * __check_and_double_early_res: when at most max(n/8, 2) of the n slots are free, the array is
   * doubled into memory found with find_fw_memmap_area (find_e820_area), 32-byte aligned, first
   * below the range being reserved (from 0, or from the end of the current array), else above it
   * up to the end of the direct mapping. The new array is entry #0; the old one (if it was not the
   * static array) is dropped from the table.
   */
  private checkAndDouble(exStart: Addr, exEnd: Addr): void {
    const free = this.maxEntries - this.entries.length;
    const reserveSlots = Math.max(Math.floor(this.maxEntries / 8), 2);
    if (free > reserveSlots) return;
    const newMax = this.maxEntries * 2;
    const size = BigInt(newMax) * EARLY_RES_ENTRY_BYTES;
    const current = this.entries[0]?.array ? this.entries[0] : undefined;
    let start = current ? current.end : 0n;
    let mem: Addr | null = null;
    if (start + size < exStart) mem = this.findE820Area(start, exStart, size, EARLY_RES_ENTRY_BYTES);
    if (mem === null) {
      start = exEnd;
      if (start + size < this.maxMapped) mem = this.findE820Area(start, this.maxMapped, size, EARLY_RES_ENTRY_BYTES);
    }
    if (mem === null) {
      this.notes.push('can not find more space for early_res array: the kernel panics here');
      this.maxEntries = newMax;
      return;
    }
    const entry: EarlyResEntry = { start: mem, end: mem + size, name: 'early_res array', array: true };
    if (current) this.entries[0] = entry;
    else this.entries.unshift(entry);
    this.maxEntries = newMax;
    // The kernel prints "early_res array is doubled to N at [a - b]", b inclusive.
    this.taken.push({ base: mem, size, label: `early_res array doubled to ${newMax}` });
  }

  /** Panics the model survived (array could not grow). */
  problems(): string[] {
    return [...this.notes];
  }

  /**
   * early_res_to_bootmem: a bootmem allocator for the same RAM with every entry reserved in it,
   * except the early_res array itself (entry #0 once doubled, which the kernel skips).
   */
  toBootmem(variant: BootmemVariant = '2008'): { bootmem: Bootmem; converted: { entry: EarlyResEntry; notes?: string }[] } {
    const bootmem = new Bootmem({ ...this.setup, placeBitmaps: false }, variant);
    const converted = this.entries
      .filter((entry) => !entry.array)
      .map((entry) => {
        const r = bootmem.reserve(entry.start, entry.end - entry.start);
        return { entry, notes: r.note };
      });
    return { bootmem, converted };
  }
}

function truncateName(name: string): string {
  // char name[15]: 14 characters and the NUL.
  return name.length > 14 ? name.slice(0, 14) : name;
}

function hexs(v: bigint): string {
  return v.toString(16);
}
