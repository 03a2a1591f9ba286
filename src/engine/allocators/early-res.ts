// x86 early_res (2.6.26–2.6.36, kernel/early_res.c and arch/x86/kernel/e820.c): a list of named
// ranges. reserve_early adds an entry (overlap with an existing one is a panic), free_early drops
// an entry that must match exactly (free_early_partial, 2.6.34+, trims), and the free-area search
// walks the RAM ranges and, inside one, moves up past every entry in the way (bottom-up first
// fit). With CONFIG_NO_BOOTMEM (2.6.34+) the bootmem API is served from here: the node's active
// ranges are tried from the highest down, the goal is dropped on failure, and each block becomes
// an entry named "BOOTMEM". Without NO_BOOTMEM the list is handed to bootmem once
// (early_res_to_bootmem): toBootmem() does that conversion.

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
}

/** struct early_res: u64 start, end; char name[15]; char overlap_ok. */
export const EARLY_RES_ENTRY_BYTES = 32n;
export const MAX_EARLY_RES_X = 32;

export class EarlyRes implements BootAllocator {
  readonly model = 'early_res' as const;
  readonly page: bigint;
  readonly cache: bigint;
  /** The table in kernel order (insertion order; a dropped entry closes the gap). */
  entries: EarlyResEntry[] = [];
  maxEntries = MAX_EARLY_RES_X;
  private readonly memory: NodeBlock[];
  private readonly setup: AllocatorSetup;
  private taken: Overhead[] = [];

  constructor(setup: AllocatorSetup) {
    this.setup = setup;
    this.page = setup.pageSize ?? PAGE_SIZE_DEFAULT;
    this.cache = setup.smpCacheBytes ?? SMP_CACHE_BYTES_DEFAULT;
    this.memory = sortedBlocks(setup.memory);
  }

  clone(): EarlyRes {
    const copy = Object.create(EarlyRes.prototype) as EarlyRes;
    Object.assign(copy, this);
    copy.entries = this.entries.map((e) => ({ ...e }));
    copy.taken = [...this.taken];
    return copy;
  }

  activate(): Overhead[] {
    return [];
  }

  overhead(): Overhead[] {
    return [...this.taken];
  }

  /** reserve_early: a new named entry; overlapping an entry that is not overlap_ok panics in the kernel. */
  reserve(base: Addr, size: Addr, label = 'reserved'): OpResult {
    if (size <= 0n) return { ok: true };
    const end = base + size;
    const clash = this.entries.find((e) => e.start < end && base < e.end && !e.overlapOk);
    const note = clash
      ? `Overlapping early reservations ${hexs(base)}-${hexs(end - 1n)} ${label} to ${hexs(clash.start)}-${hexs(clash.end - 1n)} ${clash.name}: the kernel panics here`
      : undefined;
    this.add({ start: base, end, name: truncateName(label) });
    return { ok: !clash, note };
  }

  /** reserve_early_overlap_ok: may overlap, and later reservations may overlap it. */
  reserveOverlapOk(base: Addr, size: Addr, label: string): OpResult {
    this.add({ start: base, end: base + size, name: truncateName(label), overlapOk: true });
    return { ok: true };
  }

  /** free_early (exact entry) falling back to free_early_partial (trim and split). */
  free(base: Addr, size: Addr): OpResult {
    const end = base + size;
    const exact = this.entries.findIndex((e) => e.start === base && e.end === end);
    if (exact >= 0) {
      this.entries.splice(exact, 1);
      return { ok: true };
    }
    let touched = false;
    const next: EarlyResEntry[] = [];
    for (const e of this.entries) {
      if (e.end <= base || e.start >= end) {
        next.push(e);
        continue;
      }
      touched = true;
      if (e.start < base) next.push({ ...e, end: base });
      if (e.end > end) next.push({ ...e, start: end });
    }
    this.entries = next;
    return touched
      ? { ok: true, note: 'not one whole entry: free_early would panic, free_early_partial trims' }
      : { ok: false, note: `free_early on not reserved area: ${hexs(base)}-${hexs(end - 1n)}!` };
  }

  /** find_early_area: from round_up(max(range start, start), align), step past each entry in the way. */
  findArea(eiStart: Addr, eiLast: Addr, start: Addr, end: Addr, size: Addr, align: Addr): Addr | null {
    let addr = alignUp(eiStart, align);
    if (addr < start) addr = alignUp(start, align);
    if (addr >= eiLast) return null;
    for (;;) {
      const blocker = this.entries.find((e) => e.start < addr + size && addr < e.end);
      if (!blocker) break;
      addr = alignUp(blocker.end, align);
      if (addr + size > eiLast) return null;
    }
    const last = addr + size;
    if (last > eiLast || last > end) return null;
    return addr;
  }

  /** find_e820_area: RAM ranges in address order, the first that has room. */
  findE820Area(start: Addr, end: Addr, size: Addr, align: Addr): Addr | null {
    for (const r of this.memory) {
      const found = this.findArea(r.base, r.base + r.size, start, end, size, align);
      if (found !== null) return found;
    }
    return null;
  }

  /**
   * NO_BOOTMEM's __alloc_memory_core_early: the node's (or every) active range from the highest
   * down, each searched bottom-up between max(range start, goal) and min(range end, limit).
   */
  private coreEarly(nid: number | null, size: Addr, align: Addr, goal: Addr, limit: Addr): Addr | null {
    const ranges = this.memory.filter((r) => nid === null || r.nid === nid).reverse();
    const lim = limit ? limit : 1n << 64n;
    for (const r of ranges) {
      const finalStart = r.base > goal ? r.base : goal;
      const rEnd = r.base + r.size;
      const finalEnd = rEnd < lim ? rEnd : lim;
      if (finalStart >= finalEnd) continue;
      const found = this.findArea(r.base, rEnd, finalStart, finalEnd, size, align);
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
        this.add({ start: base, end: base + req.size, name: truncateName(req.label ?? 'BOOTMEM') });
        return { base, size: req.size, servedBy, fallback };
      }
      if (!goal) return null;
      goal = 0n;
    }
  }

  /** Adds an entry, doubling the array first when it is full (2.6.33+: the new array is itself an entry's worth of memory found low). */
  private add(entry: EarlyResEntry): void {
    if (this.entries.length >= this.maxEntries) this.double();
    this.entries.push(entry);
  }

  private double(): void {
    const newMax = this.maxEntries * 2;
    const bytes = BigInt(newMax) * EARLY_RES_ENTRY_BYTES;
    const size = alignUp(bytes, this.page);
    const at = this.findE820Area(0n, 1n << 64n, size, this.page);
    this.maxEntries = newMax;
    if (at === null) return;
    // The array is recorded first, as "early_res array"; the kernel prints "doubled to N at [a - b]" (b inclusive).
    this.entries.unshift({ start: at, end: at + bytes, name: 'early_res array' });
    this.taken.push({ base: at, size: bytes, label: `early_res array doubled to ${newMax}` });
  }

  /** early_res_to_bootmem: a bootmem allocator for the same RAM with every entry reserved in it. */
  toBootmem(variant: BootmemVariant = '2008'): { bootmem: Bootmem; converted: { entry: EarlyResEntry; notes?: string }[] } {
    const bootmem = new Bootmem({ ...this.setup, placeBitmaps: false }, variant);
    const converted = this.entries.map((entry) => {
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
