// A model of the kernel's memblock allocator (mm/memblock.c): the memory and reserved arrays,
// free-space search, allocation with its node/min_addr fallbacks, and array doubling.
// Written from /work/shared/spec/memblock-semantics.md; the kernel is only the reference.

import {
  Flag,
  MAX_NUMNODES,
  MEMBLOCK_ALLOC_ACCESSIBLE,
  MEMBLOCK_ALLOC_ANYWHERE,
  MEMBLOCK_ALLOC_NOLEAKTRACE,
  NUMA_NO_NODE,
  PHYS_ADDR_MAX,
  type Addr,
  type Region,
} from '../types';
import { alignDown, alignUp } from '../util/hex';
import { RegionArray, type ArrayName } from './regions';

export type ArrayKind = 'memory' | 'reserved';

export interface MemblockOptions {
  /** 6.16+: allocations are reserved with RSRV_KERN and the requested nid, and plain
   *  memblock_reserve uses NUMA_NO_NODE. False: allocations use plain memblock_reserve
   *  (nid MAX_NUMNODES, flags 0). */
  rsrvKern: boolean;
  /** Before 6.11 an empty array held one dummy entry (cnt 1). */
  emptyDummy: boolean;
  /** Alignment used when a request passes align 0. */
  smpCacheBytes: bigint;
  pageSize: bigint;
  /** CONFIG_NUMA: without it nid writes are ignored and every nid reads as 0. */
  numa: boolean;
  /** movable_node: HOTPLUG memory is skipped unless the request asks for it. */
  movableNode: boolean;
  /** 3.13–5.10: bottom-up searches start above the kernel image end (`__pa_symbol(_end)`),
   *  falling back to top-down. Leave undefined for newer kernels. */
  bottomUpAboveKernelEnd?: Addr;
  /** INIT_MEMBLOCK_REGIONS (and _RESERVED_REGIONS). */
  initRegions: number;
  /** sizeof(struct memblock_region): 24 on 64-bit with NUMA. */
  regionStructSize: number;
}

export type MemblockOptionsInput = Partial<
  Omit<MemblockOptions, 'smpCacheBytes' | 'pageSize'> & { smpCacheBytes: bigint | number; pageSize: bigint | number }
>;

export const DEFAULT_OPTIONS: MemblockOptions = {
  rsrvKern: true,
  emptyDummy: false,
  smpCacheBytes: 64n,
  pageSize: 4096n,
  numa: true,
  movableNode: false,
  initRegions: 128,
  regionStructSize: 24,
};

/** An allocation request as the kernel's debug line prints it (see AllocEvent). */
export interface AllocRequest {
  api: string;
  size: Addr;
  /** 0 means SMP_CACHE_BYTES. */
  align: Addr;
  /** min_addr / start (`from=`). */
  from: Addr;
  /** 0 = ACCESSIBLE (current_limit), all ones = anywhere. */
  maxAddr: Addr;
  /** null = NUMA_NO_NODE (memblock_phys_alloc_range prints none). */
  nid: number | null;
  exactNid: boolean;
}

export interface AllocPrediction {
  addr: Addr;
  /** The nid the reservation will record (as read back: 0 without NUMA). */
  nid: number;
  /** 1 (node, [min,max)), 2 (any node, [min,max)), 3 (node, [0,max)), 4 (any node, [0,max)). */
  attempt: 1 | 2 | 3 | 4;
}

export type DoubleHook = (array: ArrayName, newMax: number, base: Addr, size: Addr) => void;

/** One search the allocator will try, in order. */
interface SearchStep {
  start: Addr;
  end: Addr;
  nid: number;
  flags: number;
  attempt: 1 | 2 | 3 | 4;
  /** Whether this is the node-specific search (reserved with the requested nid). */
  onNode: boolean;
}

/** Allocation APIs that call memblock_alloc_range_nid directly (no clamp, no min_addr drop). */
export function isPhysAllocApi(api: string): boolean {
  return api.includes('phys_alloc');
}

export class Memblock {
  readonly options: MemblockOptions;
  memory: RegionArray;
  reserved: RegionArray;
  physmem: RegionArray;
  bottomUp = false;
  currentLimit: Addr = MEMBLOCK_ALLOC_ANYWHERE;
  /** memblock_allow_resize() was called: the arrays may be doubled. */
  allowResize = false;
  /** system_has_some_mirror: set by marking MIRROR memory; searches then prefer mirrored memory. */
  hasMirror = false;
  /** Called when an array doubles, with the printed (unaligned) size of the new array. */
  onDouble?: DoubleHook;

  constructor(options: MemblockOptionsInput = {}) {
    this.options = normalizeOptions(options);
    const config = { numa: this.options.numa, emptyDummy: this.options.emptyDummy };
    this.memory = new RegionArray('memory', this.options.initRegions, config);
    this.reserved = new RegionArray('reserved', this.options.initRegions, config);
    this.physmem = new RegionArray('physmem', this.options.initRegions, config);
    this.wireGrowth();
  }

  private wireGrowth(): void {
    const grow = (type: RegionArray, base: Addr, size: Addr): boolean => this.doubleArray(type, base, size);
    this.memory.grow = grow;
    this.reserved.grow = grow;
    this.physmem.grow = grow;
  }

  /** A deep copy sharing nothing mutable (regions are immutable objects). Keeps onDouble. */
  clone(): Memblock {
    const copy = new Memblock(this.options);
    copy.memory = this.memory.clone();
    copy.reserved = this.reserved.clone();
    copy.physmem = this.physmem.clone();
    copy.wireGrowth();
    copy.bottomUp = this.bottomUp;
    copy.currentLimit = this.currentLimit;
    copy.allowResize = this.allowResize;
    copy.hasMirror = this.hasMirror;
    copy.onDouble = this.onDouble;
    return copy;
  }

  array(type: ArrayKind | ArrayName): RegionArray {
    return type === 'memory' ? this.memory : type === 'reserved' ? this.reserved : this.physmem;
  }

  /** Empties memory and reserved and returns them to their static storage (test harness reset). */
  resetRegions(): void {
    this.memory.reset();
    this.reserved.reset();
  }

  // ------------------------------------------------------------------------------------------
  // Adding and removing

  /** memblock_add (nid MAX_NUMNODES) and memblock_add_node. */
  add(base: Addr, size: Addr, nid: number = MAX_NUMNODES, flags = 0): boolean {
    return this.memory.addRange(base, size, nid, flags);
  }

  addNode(base: Addr, size: Addr, nid: number, flags: number): boolean {
    return this.memory.addRange(base, size, nid, flags);
  }

  physmemAdd(base: Addr, size: Addr): boolean {
    return this.physmem.addRange(base, size, MAX_NUMNODES, 0);
  }

  /** memblock_remove. */
  remove(base: Addr, size: Addr): boolean {
    return this.memory.removeRange(base, size);
  }

  /** Plain memblock_reserve: nid NUMA_NO_NODE from 6.16 (rsrvKern), MAX_NUMNODES before. */
  reserve(base: Addr, size: Addr, nid?: number, flags = 0): boolean {
    return this.reserved.addRange(base, size, nid ?? this.plainReserveNid(), flags);
  }

  /** memblock_reserve_kern (6.16+). */
  reserveKern(base: Addr, size: Addr): boolean {
    return this.reserved.addRange(base, size, NUMA_NO_NODE, Flag.RSRV_KERN);
  }

  /** __memblock_reserve: explicit nid and flags. */
  reserveExact(base: Addr, size: Addr, nid: number, flags: number): boolean {
    return this.reserved.addRange(base, size, nid, flags);
  }

  /** memblock_phys_free / memblock_free. */
  free(base: Addr, size: Addr): boolean {
    return this.reserved.removeRange(base, size);
  }

  private plainReserveNid(): number {
    return this.options.rsrvKern ? NUMA_NO_NODE : MAX_NUMNODES;
  }

  /** What reserving an allocation does: RSRV_KERN with `nid` from 6.16, plain reserve before. */
  private reserveAllocation(base: Addr, size: Addr, nid: number): boolean {
    return this.options.rsrvKern
      ? this.reserveExact(base, size, nid, Flag.RSRV_KERN)
      : this.reserve(base, size, MAX_NUMNODES, 0);
  }

  private allocationNid(nid: number): number {
    const stored = this.options.rsrvKern ? nid : MAX_NUMNODES;
    return this.options.numa ? stored : 0;
  }

  // ------------------------------------------------------------------------------------------
  // Attributes

  /** memblock_set_node: a no-op without CONFIG_NUMA (not even an isolate). */
  setNode(type: ArrayKind, base: Addr, size: Addr, nid: number): boolean {
    if (!this.options.numa) return true;
    return this.array(type).setNode(base, size, nid);
  }

  setFlag(type: ArrayKind, base: Addr, size: Addr, flag: number): boolean {
    if (type === 'memory' && flag & Flag.MIRROR) this.hasMirror = true;
    return this.array(type).setClearFlag(base, size, flag, true);
  }

  clearFlag(type: ArrayKind, base: Addr, size: Addr, flag: number): boolean {
    return this.array(type).setClearFlag(base, size, flag, false);
  }

  trimMemory(align: Addr): void {
    this.memory.trim(align);
  }

  overlaps(type: ArrayKind, base: Addr, size: Addr): boolean {
    return this.array(type).overlaps(base, size);
  }

  /**
   * memmap_init_reserved_pages' node pass: give every reserved range the nid of the memory under
   * it, repeated until reserved.max stops changing (a doubling during the pass may miss regions).
   */
  setNodeReservedFromMemory(): void {
    if (!this.options.numa) return;
    for (;;) {
      const maxBefore = this.reserved.max;
      for (let i = 0; i < this.memory.regions.length; i++) {
        const r = this.memory.regions[i];
        this.reserved.setNode(r.base, r.size, r.nid);
      }
      if (maxBefore === this.reserved.max) return;
    }
  }

  startOfDram(): Addr {
    return this.memory.slot(0)?.base ?? 0n;
  }

  endOfDram(): Addr {
    const rs = this.memory.regions;
    return rs.length ? rs[rs.length - 1].base + rs[rs.length - 1].size : 0n;
  }

  // ------------------------------------------------------------------------------------------
  // Free-space search: memblock_find_in_range_node

  findInRangeNode(size: Addr, align: Addr, start: Addr, end: Addr, nid: number, flags: number): Addr {
    if (end === MEMBLOCK_ALLOC_ACCESSIBLE || end === MEMBLOCK_ALLOC_NOLEAKTRACE) end = this.currentLimit;
    // Never hand out the first page, so 0 can mean failure.
    if (start < this.options.pageSize) start = this.options.pageSize;
    if (end < start) end = start;
    if (!this.bottomUp) return this.findTopDown(start, end, size, align, nid, flags);

    const kernelEnd = this.options.bottomUpAboveKernelEnd;
    if (kernelEnd === undefined) return this.findBottomUp(start, end, size, align, nid, flags);
    // 3.13–5.10: bottom-up only above the kernel image, then a top-down search of everything.
    if (end > kernelEnd) {
      const found = this.findBottomUp(start > kernelEnd ? start : kernelEnd, end, size, align, nid, flags);
      if (found) return found;
    }
    return this.findTopDown(start, end, size, align, nid, flags);
  }

  /** memblock_find_in_range: any node, preferring mirrored memory when some exists. */
  findInRange(start: Addr, end: Addr, size: Addr, align: Addr): Addr {
    let flags = this.chooseFlags();
    for (;;) {
      const found = this.findInRangeNode(size, align, start, end, NUMA_NO_NODE, flags);
      if (found || !(flags & Flag.MIRROR)) return found;
      flags &= ~Flag.MIRROR;
    }
  }

  private chooseFlags(): number {
    return this.hasMirror ? Flag.MIRROR : Flag.NONE;
  }

  private validNode(nid: number): boolean {
    // Without NUMA, MAX_NUMNODES is 1: only node 0 is valid.
    return this.options.numa ? nid >= 0 && nid < MAX_NUMNODES : nid === 0;
  }

  /** should_skip_region for memory regions. */
  private skipRegion(m: Region, nid: number, flags: number): boolean {
    if (this.validNode(nid) && nid !== m.nid) return true;
    if (this.options.movableNode && m.flags & Flag.HOTPLUG && !(flags & Flag.HOTPLUG)) return true;
    if (flags & Flag.MIRROR && !(m.flags & Flag.MIRROR)) return true;
    if (!(flags & Flag.NOMAP) && m.flags & Flag.NOMAP) return true;
    if (!(flags & Flag.DRIVER_MANAGED) && m.flags & Flag.DRIVER_MANAGED) return true;
    if (flags & Flag.KHO_SCRATCH && !(m.flags & Flag.KHO_SCRATCH)) return true;
    return false;
  }

  /**
   * Highest aligned block inside one free range (memory minus reserved gaps), clamped to
   * [start, end]. A free range never spans two memory regions.
   * For size > 0 ranges outside [start, end] cannot yield a block, so the walk starts next to
   * `end`; size 0 walks everything as the kernel does (an empty clamped range can match).
   */
  private findTopDown(start: Addr, end: Addr, size: Addr, align: Addr, nid: number, flags: number): Addr {
    const mem = this.memory.regions;
    const res = this.reserved.regions;
    const prune = size > 0n;
    let m = prune ? this.memory.countStartingBelow(end) - 1 : mem.length - 1;
    for (; m >= 0; m--) {
      const region = mem[m];
      const mStart = region.base;
      const mEnd = region.base + region.size;
      if (prune && mEnd <= start) break;
      if (this.skipRegion(region, nid, flags)) continue;
      const top = prune && end < mEnd ? end : mEnd;
      const bottom = prune && start > mStart ? start : mStart;
      for (let g = this.reserved.countStartingBelow(top); g >= 0; g--) {
        const gStart = g > 0 ? res[g - 1].base + res[g - 1].size : 0n;
        const gEnd = g < res.length ? res[g].base : PHYS_ADDR_MAX;
        if (gEnd <= mStart || (prune && gEnd <= bottom)) break;
        if (gStart >= mEnd) continue;
        const thisStart = clamp(gStart > mStart ? gStart : mStart, start, end);
        const thisEnd = clamp(gEnd < mEnd ? gEnd : mEnd, start, end);
        if (thisEnd < size) continue;
        const cand = alignDown(thisEnd - size, align);
        if (cand >= thisStart) return cand;
      }
    }
    return 0n;
  }

  /** Lowest aligned block inside one free range, clamped to [start, end]. */
  private findBottomUp(start: Addr, end: Addr, size: Addr, align: Addr, nid: number, flags: number): Addr {
    const mem = this.memory.regions;
    const res = this.reserved.regions;
    const prune = size > 0n;
    for (let m = prune ? this.memory.firstEndingAbove(start) : 0; m < mem.length; m++) {
      const region = mem[m];
      const mStart = region.base;
      const mEnd = region.base + region.size;
      if (prune && mStart >= end) break;
      if (this.skipRegion(region, nid, flags)) continue;
      const bottom = prune && start > mStart ? start : mStart;
      const top = prune && end < mEnd ? end : mEnd;
      for (let g = prune ? this.reserved.firstEndingAbove(bottom) : 0; g <= res.length; g++) {
        const gStart = g > 0 ? res[g - 1].base + res[g - 1].size : 0n;
        const gEnd = g < res.length ? res[g].base : PHYS_ADDR_MAX;
        if (gStart >= mEnd || (prune && gStart >= top)) break;
        if (gEnd <= mStart) continue;
        const thisStart = clamp(gStart > mStart ? gStart : mStart, start, end);
        const thisEnd = clamp(gEnd < mEnd ? gEnd : mEnd, start, end);
        let cand = alignUp(thisStart, align);
        // The kernel's round_up wraps past 2^64 to 0, which then reads as "not found".
        if (cand > PHYS_ADDR_MAX) cand = 0n;
        if (cand < thisEnd && thisEnd - cand >= size) return cand;
      }
    }
    return 0n;
  }

  // ------------------------------------------------------------------------------------------
  // Allocation

  /** The searches memblock_alloc_range_nid makes, in order (attempt numbers offset by `base`). */
  private rangeNidSteps(start: Addr, end: Addr, nid: number, exactNid: boolean, base: 0 | 2, out: SearchStep[] = []): SearchStep[] {
    let flags = this.chooseFlags();
    const fallback = this.validNode(nid) && !exactNid;
    for (;;) {
      out.push({ start, end, nid, flags, attempt: (base + 1) as 1 | 3, onNode: true });
      if (fallback) out.push({ start, end, nid: NUMA_NO_NODE, flags, attempt: (base + 2) as 2 | 4, onNode: false });
      if (!(flags & Flag.MIRROR)) return out;
      flags &= ~Flag.MIRROR;
    }
  }

  /** memblock_alloc_internal: clamp max to current_limit, then drop min_addr as a last resort. */
  private internalSteps(minAddr: Addr, maxAddr: Addr, nid: number, exactNid: boolean): SearchStep[] {
    if (maxAddr > this.currentLimit) maxAddr = this.currentLimit;
    const steps = this.rangeNidSteps(minAddr, maxAddr, nid, exactNid, 0);
    return minAddr !== 0n ? this.rangeNidSteps(0n, maxAddr, nid, exactNid, 2, steps) : steps;
  }

  private alignOrDefault(align: Addr): Addr {
    return align === 0n ? this.options.smpCacheBytes : align;
  }

  /** Runs the searches and reserves the first hit; a failed reservation moves on, as in the kernel. */
  private allocate(size: Addr, align: Addr, steps: SearchStep[]): Addr {
    for (const step of steps) {
      const found = this.findInRangeNode(size, align, step.start, step.end, step.nid, step.flags);
      if (found && this.reserveAllocation(found, size, step.onNode ? step.nid : NUMA_NO_NODE)) return found;
    }
    return 0n;
  }

  /** memblock_alloc_range_nid: reserves and returns the block, 0n on failure. */
  allocRangeNid(size: Addr, align: Addr, start: Addr, end: Addr, nid: number, exactNid: boolean): Addr {
    return this.allocate(size, this.alignOrDefault(align), this.rangeNidSteps(start, end, nid, exactNid, 0));
  }

  /** memblock_alloc_internal (memblock_alloc_try_nid*, memblock_alloc_exact_nid_raw...). */
  allocInternal(size: Addr, align: Addr, minAddr: Addr, maxAddr: Addr, nid: number, exactNid: boolean): Addr {
    return this.allocate(size, this.alignOrDefault(align), this.internalSteps(minAddr, maxAddr, nid, exactNid));
  }

  /** Performs a request the way its API would (physical-address APIs skip the internal path). */
  alloc(req: AllocRequest): Addr {
    const nid = req.nid ?? NUMA_NO_NODE;
    return isPhysAllocApi(req.api)
      ? this.allocRangeNid(req.size, req.align, req.from, req.maxAddr, nid, req.exactNid)
      : this.allocInternal(req.size, req.align, req.from, req.maxAddr, nid, req.exactNid);
  }

  /**
   * Where `req` would land and which nid the kernel would record, without changing anything.
   * Differs from alloc() only if reserving the block would fail (an array that cannot double).
   */
  predictAlloc(req: AllocRequest): AllocPrediction | null {
    const nid = req.nid ?? NUMA_NO_NODE;
    const align = this.alignOrDefault(req.align);
    const steps = isPhysAllocApi(req.api)
      ? this.rangeNidSteps(req.from, req.maxAddr, nid, req.exactNid, 0)
      : this.internalSteps(req.from, req.maxAddr, nid, req.exactNid);
    for (const step of steps) {
      const addr = this.findInRangeNode(req.size, align, step.start, step.end, step.nid, step.flags);
      if (addr) return { addr, nid: this.allocationNid(step.onNode ? step.nid : NUMA_NO_NODE), attempt: step.attempt };
    }
    return null;
  }

  // ------------------------------------------------------------------------------------------
  // memblock_double_array

  /**
   * Doubles `type` into memory found by a PAGE_SIZE-aligned search above the pending range
   * (the range being added, so the new array cannot overlap it; commit 48c3b583bbdd), else
   * below it, then frees the old array if memblock had allocated it and reserves the new one.
   */
  private doubleArray(type: RegionArray, pendingBase: Addr, pendingSize: Addr): boolean {
    if (!this.allowResize) return false;
    const oldBytes = BigInt(type.max * this.options.regionStructSize);
    const newBytes = oldBytes * 2n;
    const allocSize = alignUp(newBytes, this.options.pageSize);
    // Only a reserved-array doubling has to keep clear of the pending range.
    if (type !== this.reserved) pendingBase = pendingSize = 0n;

    let addr = this.findInRange(pendingBase + pendingSize, this.currentLimit, allocSize, this.options.pageSize);
    if (!addr && pendingSize) {
      const below = pendingBase < this.currentLimit ? pendingBase : this.currentLimit;
      addr = this.findInRange(0n, below, allocSize, this.options.pageSize);
    }
    if (!addr) return false;

    this.onDouble?.(type.name, type.max * 2, addr, newBytes);
    const oldArray = type.arrayBase;
    const oldAllocSize = type.arrayAllocSize;
    type.max *= 2;
    type.arrayBase = addr;
    type.arrayAllocSize = allocSize;
    if (oldArray !== null) this.free(oldArray, oldAllocSize);
    return this.options.rsrvKern ? this.reserveKern(addr, allocSize) : this.reserve(addr, allocSize, MAX_NUMNODES, 0);
  }
}

function clamp(value: Addr, lo: Addr, hi: Addr): Addr {
  const low = value > lo ? value : lo;
  return low < hi ? low : hi;
}

function normalizeOptions(input: MemblockOptionsInput): MemblockOptions {
  // Explicit undefined values must not erase defaults.
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const merged = { ...DEFAULT_OPTIONS, ...given } as MemblockOptions & MemblockOptionsInput;
  return {
    ...merged,
    smpCacheBytes: BigInt(merged.smpCacheBytes),
    pageSize: BigInt(merged.pageSize),
  };
}
