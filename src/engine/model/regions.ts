// One memblock array (memblock.memory, memblock.reserved or physmem): a sorted, non-overlapping,
// merged list of regions with the kernel's capacity bookkeeping (cnt/max/total_size).
//
// Region objects are treated as immutable: every change stores a new object. That lets clone()
// copy the array shallowly, which keeps timeline checkpoints cheap.

import { MAX_NUMNODES, PHYS_ADDR_MAX, type Addr, type Region } from '../types';
import { alignDown, alignUp } from '../util/hex';

export type ArrayName = 'memory' | 'reserved' | 'physmem';

/**
 * Doubles a full array (memblock_double_array). `pendingBase/pendingSize` is the range whose
 * insertion triggered it. Returns false when the kernel would fail the operation (-ENOMEM).
 */
export type GrowArray = (type: RegionArray, pendingBase: Addr, pendingSize: Addr) => boolean;

/** Half-open index range [start, end) of the regions that an isolate left fully inside its range. */
export interface Isolated {
  start: number;
  end: number;
}

/** memblock_cap_size: shortens a range that would run past PHYS_ADDR_MAX so it ends exactly there. */
export function capSize(base: Addr, size: Addr): Addr {
  const room = PHYS_ADDR_MAX - base;
  if (room < 0n) return 0n;
  return size < room ? size : room;
}

export function regionEnd(r: Region): Addr {
  return r.base + r.size;
}

export interface RegionArrayConfig {
  /** Without CONFIG_NUMA regions carry no node: every nid reads as 0 and writes are ignored. */
  numa: boolean;
  /** Before 6.11 an empty array held one zeroed dummy entry, so `cnt` read 1. */
  emptyDummy: boolean;
}

export class RegionArray {
  /** Sorted by base; never holds the pre-6.11 dummy entry (see `cnt`). Do not mutate from outside. */
  regions: Region[] = [];
  max: number;
  totalSize: Addr = 0n;
  /** Where the array lives once it was doubled out of its static storage (memblock-allocated). */
  arrayBase: Addr | null = null;
  arrayAllocSize: Addr = 0n;
  /** Set by the owner: how to grow this array when it is full. Without it growth fails. */
  grow?: GrowArray;

  constructor(
    readonly name: ArrayName,
    readonly initMax: number,
    readonly config: RegionArrayConfig,
  ) {
    this.max = initMax;
  }

  /** What the kernel's `type->cnt` reads, including the pre-6.11 dummy of an empty array. */
  get cnt(): number {
    const n = this.regions.length;
    return n === 0 && this.config.emptyDummy ? 1 : n;
  }

  /** `type->regions[i]`; slot 0 of an empty array reads as a zeroed region. */
  slot(index: number): Region | undefined {
    if (index === 0 && this.regions.length === 0) return this.emptySlot();
    return this.regions[index];
  }

  emptySlot(): Region {
    return { base: 0n, size: 0n, nid: this.nodeOf(MAX_NUMNODES), flags: 0 };
  }

  /** The nid the kernel stores: writes are ignored (read as 0) without NUMA. */
  nodeOf(nid: number): number {
    return this.config.numa ? nid : 0;
  }

  clone(): RegionArray {
    const copy = new RegionArray(this.name, this.initMax, this.config);
    copy.regions = this.regions.slice();
    copy.max = this.max;
    copy.totalSize = this.totalSize;
    copy.arrayBase = this.arrayBase;
    copy.arrayAllocSize = this.arrayAllocSize;
    return copy;
  }

  /** Empties the array and puts it back into its static storage (the test harness's reset). */
  reset(): void {
    this.regions = [];
    this.max = this.initMax;
    this.totalSize = 0n;
    this.arrayBase = null;
    this.arrayAllocSize = 0n;
  }

  // ------------------------------------------------------------------------------------------
  // Searching (binary searches rely on the array being sorted and non-overlapping, so region
  // ends are sorted too)

  /** Index of the first region whose end is above `addr` (regions.length if none). */
  firstEndingAbove(addr: Addr): number {
    const rs = this.regions;
    let lo = 0;
    let hi = rs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rs[mid].base + rs[mid].size > addr) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Number of regions whose base is below `addr`. */
  countStartingBelow(addr: Addr): number {
    const rs = this.regions;
    let lo = 0;
    let hi = rs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rs[mid].base < addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** memblock_overlaps_region: at least one shared byte with the capped range. */
  overlaps(base: Addr, size: Addr): boolean {
    const capped = capSize(base, size);
    const i = this.firstEndingAbove(base);
    return i < this.regions.length && this.regions[i].base < base + capped;
  }

  // ------------------------------------------------------------------------------------------
  // memblock_add_range

  /**
   * Adds [base, base+size): only the parts no region covers are inserted (with the given nid and
   * flags); covered parts keep their attributes. Returns false if the array could not grow.
   */
  addRange(base: Addr, size: Addr, nid: number, flags: number): boolean {
    const capped = capSize(base, size);
    if (capped === 0n) return true;
    const end = base + capped;
    const node = this.nodeOf(nid);

    if (this.regions.length === 0) {
      this.regions.push({ base, size: capped, nid: node, flags });
      this.totalSize = capped;
      return true;
    }

    // The kernel skips its counting pass when even the worst case (the range covers every
    // region's neighbourhood: cnt+1 new pieces) fits; only the counting pass can double.
    if (this.cnt * 2 + 1 > this.max) {
      const needed = this.gapsOf(base, end).length;
      if (needed === 0) return true;
      while (this.cnt + needed > this.max) {
        if (!this.growFor(base, capped)) return false;
      }
    }
    // Doubling may have reserved the new array in this very array, so look at the gaps again.
    this.insertGaps(base, end, node, flags);
    return true;
  }

  /** The uncovered parts of [base, end), in address order. */
  private gapsOf(base: Addr, end: Addr): Gap[] {
    const rs = this.regions;
    const gaps: Gap[] = [];
    let cursor = base;
    for (let i = this.firstEndingAbove(base); i < rs.length && rs[i].base < end; i++) {
      if (rs[i].base > cursor) gaps.push([cursor, rs[i].base]);
      const rend = rs[i].base + rs[i].size;
      cursor = rend < end ? rend : end;
    }
    if (cursor < end) gaps.push([cursor, end]);
    return gaps;
  }

  /** Inserts the gaps of [base, end) as new regions, then merges the window around them. */
  private insertGaps(base: Addr, end: Addr, nid: number, flags: number): void {
    const rs = this.regions;
    const first = this.firstEndingAbove(base);
    if (first === rs.length || rs[first].base >= end) {
      this.insertAlone(first, base, end, nid, flags);
      return;
    }
    const segment: Region[] = [];
    let firstNew = -1;
    let lastNew = -1;
    let cursor = base;
    let i = first;
    const addPiece = (from: Addr, to: Addr): void => {
      if (firstNew < 0) firstNew = segment.length;
      lastNew = segment.length;
      segment.push({ base: from, size: to - from, nid, flags });
      this.totalSize += to - from;
    };
    for (; i < rs.length && rs[i].base < end; i++) {
      if (rs[i].base > cursor) addPiece(cursor, rs[i].base);
      segment.push(rs[i]);
      const rend = rs[i].base + rs[i].size;
      cursor = rend < end ? rend : end;
    }
    if (cursor < end) addPiece(cursor, end);
    if (firstNew < 0) return;
    replaceRange(rs, first, i - first, segment);
    this.mergeWindow(first + firstNew, first + lastNew + 1);
  }

  /**
   * The common case of insertGaps: [base, end) touches no region, so it goes in whole at `at`
   * and merges with its neighbours as mergeWindow would, without building lists.
   */
  private insertAlone(at: number, base: Addr, end: Addr, nid: number, flags: number): void {
    const rs = this.regions;
    const size = end - base;
    this.totalSize += size;
    let lo = at;
    let hi = at;
    let mergedBase = base;
    let mergedSize = size;
    if (at > 0) {
      const prev = rs[at - 1];
      if (prev.base + prev.size === base && prev.nid === nid && prev.flags === flags) {
        mergedBase = prev.base;
        mergedSize = prev.size + size;
        lo = at - 1;
      }
    }
    if (at < rs.length) {
      const next = rs[at];
      if (mergedBase + mergedSize === next.base && next.nid === nid && next.flags === flags) {
        mergedSize += next.size;
        hi = at + 1;
      }
    }
    const region: Region = { base: mergedBase, size: mergedSize, nid, flags };
    if (lo === hi) rs.splice(lo, 0, region);
    else if (hi - lo === 1) rs[lo] = region;
    else rs.splice(lo, 2, region);
  }

  /**
   * memblock_merge_regions: merges compatible touching neighbours among the regions from
   * start-1 to end (inclusive), the window around what an operation just changed.
   */
  mergeWindow(start: number, end: number): void {
    const rs = this.regions;
    const lo = start > 0 ? start - 1 : 0;
    const hi = Math.min(end, rs.length - 1);
    if (lo >= hi) return;
    const merged: Region[] = [rs[lo]];
    for (let k = lo + 1; k <= hi; k++) {
      const last = merged[merged.length - 1];
      const next = rs[k];
      if (last.base + last.size === next.base && last.nid === next.nid && last.flags === next.flags) {
        merged[merged.length - 1] = { base: last.base, size: last.size + next.size, nid: last.nid, flags: last.flags };
      } else {
        merged.push(next);
      }
    }
    if (merged.length !== hi - lo + 1) replaceRange(rs, lo, hi - lo + 1, merged);
  }

  private growFor(base: Addr, size: Addr): boolean {
    return this.grow ? this.grow(this, base, size) : false;
  }

  // ------------------------------------------------------------------------------------------
  // memblock_isolate_range and what builds on it

  /**
   * Splits the regions crossing the range's ends so that whole regions lie inside; returns their
   * index range ({0, 0} when none), or null if the array had to grow and could not.
   */
  isolate(base: Addr, size: Addr): Isolated | null {
    const capped = capSize(base, size);
    if (capped === 0n) return { start: 0, end: 0 };
    // The kernel makes room for the two possible splits up front, even when none is needed.
    while (this.cnt + 2 > this.max) {
      if (!this.growFor(base, capped)) return null;
    }
    const end = base + capped;
    this.splitAt(base);
    this.splitAt(end);
    const rs = this.regions;
    const start = this.firstEndingAbove(base);
    let stop = start;
    while (stop < rs.length && rs[stop].base < end) stop++;
    return start === stop ? { start: 0, end: 0 } : { start, end: stop };
  }

  /** Splits the region that strictly contains `addr` into two with the same attributes. */
  private splitAt(addr: Addr): void {
    const rs = this.regions;
    const i = this.firstEndingAbove(addr);
    if (i >= rs.length) return;
    const r = rs[i];
    if (r.base >= addr) return;
    const low: Region = { base: r.base, size: addr - r.base, nid: r.nid, flags: r.flags };
    const high: Region = { base: addr, size: r.base + r.size - addr, nid: r.nid, flags: r.flags };
    rs.splice(i, 1, low, high);
  }

  /** memblock_remove_range: isolate, then drop the regions inside. */
  removeRange(base: Addr, size: Addr): boolean {
    const inside = this.isolate(base, size);
    if (!inside) return false;
    for (let i = inside.start; i < inside.end; i++) this.totalSize -= this.regions[i].size;
    if (inside.end > inside.start) this.regions.splice(inside.start, inside.end - inside.start);
    return true;
  }

  /** memblock_setclr_flag: isolate, set or clear `flag` inside, merge the window. */
  setClearFlag(base: Addr, size: Addr, flag: number, set: boolean): boolean {
    const inside = this.isolate(base, size);
    if (!inside) return false;
    const rs = this.regions;
    for (let i = inside.start; i < inside.end; i++) {
      const r = rs[i];
      rs[i] = { base: r.base, size: r.size, nid: r.nid, flags: set ? r.flags | flag : r.flags & ~flag };
    }
    this.mergeWindow(inside.start, inside.end);
    return true;
  }

  /** memblock_set_node (the CONFIG_NUMA body): isolate, set nid inside, merge the window. */
  setNode(base: Addr, size: Addr, nid: number): boolean {
    const inside = this.isolate(base, size);
    if (!inside) return false;
    const rs = this.regions;
    const node = this.nodeOf(nid);
    for (let i = inside.start; i < inside.end; i++) rs[i] = { base: rs[i].base, size: rs[i].size, nid: node, flags: rs[i].flags };
    this.mergeWindow(inside.start, inside.end);
    return true;
  }

  /**
   * memblock_trim_memory: rounds every region inwards to `align`, deleting regions left empty.
   * Kernel quirk kept on purpose: a region shrunk in place does not reduce total_size.
   */
  trim(align: Addr): void {
    const rs = this.regions;
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i];
      const start = alignUp(r.base, align);
      const end = alignDown(r.base + r.size, align);
      if (start === r.base && end === r.base + r.size) continue;
      if (start < end) {
        rs[i] = { base: start, size: end - start, nid: r.nid, flags: r.flags };
      } else {
        this.totalSize -= r.size;
        rs.splice(i, 1);
        i--;
      }
    }
  }
}

/** A half-open [start, end) range not covered by any region. */
type Gap = [Addr, Addr];

/** rs.splice(start, count, ...items) without spreading huge lists into call arguments. */
function replaceRange(rs: Region[], start: number, count: number, items: Region[]): void {
  if (items.length <= 4096) {
    rs.splice(start, count, ...items);
    return;
  }
  const tail = rs.splice(start);
  for (const r of items) rs.push(r);
  for (let i = count; i < tail.length; i++) rs.push(tail[i]);
}
