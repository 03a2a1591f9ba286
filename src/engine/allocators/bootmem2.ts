// bootmem2 (Johannes Weiner's 2008 RFC, never merged): one bitmap for every PFN, so a PFN is
// unique; nodes are registered as contiguous blocks that surely reside on one node, then the
// allocator is enabled. A node-specific request must fit entirely inside one block of that node,
// which guarantees locality. Only the RFC's cover letter survives in the seeds; where it is silent
// this model reuses the 2008 bootmem rules (first fit bottom-up from the goal, sub-page packing).

import type { Addr } from '../types';
import type { NodeBlock } from '../topology';
import { alignUp } from '../util/hex';
import { ceilDiv } from './bootmem';
import { RangeSet } from './rangeset';
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

export interface Block {
  /** Block number in registration (address) order. */
  index: number;
  nid: number;
  /** PFN range [start, end). */
  start: bigint;
  end: bigint;
}

export class Bootmem2 implements BootAllocator {
  readonly model = 'bootmem2' as const;
  readonly page: bigint;
  readonly cache: bigint;
  blocks: Block[] = [];
  /** The one bitmap, indexed by absolute PFN. */
  map = new RangeSet();
  minPfn = 0n;
  maxPfn = 0n;
  private lastEndAddr = 0n;
  private hintPfn = 0n;
  private readonly placeBitmaps: boolean;
  private activated = false;
  private taken: Overhead[] = [];

  constructor(setup: AllocatorSetup) {
    this.page = setup.pageSize ?? PAGE_SIZE_DEFAULT;
    this.cache = setup.smpCacheBytes ?? SMP_CACHE_BYTES_DEFAULT;
    this.placeBitmaps = setup.placeBitmaps ?? true;
    // Step 1: register every block (adjacent ranges of one node make one block).
    const merged: NodeBlock[] = [];
    for (const b of sortedBlocks(setup.memory)) {
      const last = merged[merged.length - 1];
      if (last && last.nid === b.nid && last.base + last.size === b.base) last.size += b.size;
      else merged.push({ ...b });
    }
    this.blocks = merged
      .map((b, index) => ({ index, nid: b.nid, start: ceilDiv(b.base, this.page), end: (b.base + b.size) / this.page }))
      .filter((b) => b.end > b.start);
    if (this.blocks.length > 0) {
      this.minPfn = this.blocks[0].start;
      this.maxPfn = this.blocks.reduce((m, b) => (b.end > m ? b.end : m), 0n);
    }
    // Step 2: enable. Everything starts reserved; the registered blocks are RAM and are freed.
    this.map.add(this.minPfn, this.maxPfn);
    for (const b of this.blocks) this.map.remove(b.start, b.end);
  }

  clone(): Bootmem2 {
    const copy = Object.create(Bootmem2.prototype) as Bootmem2;
    Object.assign(copy, this);
    copy.map = this.map.clone();
    copy.taken = [...this.taken];
    return copy;
  }

  overhead(): Overhead[] {
    return [...this.taken];
  }

  /** The bitmap for all PFNs ([minPfn, maxPfn) bits) goes to the lowest free pages. */
  activate(): Overhead[] {
    if (this.activated || !this.placeBitmaps) return [];
    this.activated = true;
    const bytes = alignUp(ceilDiv(this.maxPfn - this.minPfn, 8n), 8n);
    const pages = ceilDiv(bytes, this.page);
    for (const block of this.blocks) {
      const pfn = this.search(block, pages, 1n, block.start);
      if (pfn === null) continue;
      this.map.add(pfn, pfn + pages);
      const entry = { base: pfn * this.page, size: pages * this.page, label: 'bootmem2 bitmap (all nodes)', nid: block.nid };
      this.taken.push(entry);
      return [entry];
    }
    return [];
  }

  blockOf(pfn: bigint): Block | undefined {
    return this.blocks.find((b) => pfn >= b.start && pfn < b.end);
  }

  reserve(base: Addr, size: Addr): OpResult {
    const start = base / this.page;
    const end = ceilDiv(base + size, this.page);
    const already = this.map.add(start, end);
    return { ok: true, note: already > 0n ? `${already} page(s) were already reserved` : undefined };
  }

  free(base: Addr, size: Addr): OpResult {
    const start = ceilDiv(base, this.page);
    const end = (base + size) / this.page;
    if (end <= start) return { ok: true, note: 'no whole page inside the range: nothing freed' };
    const had = this.map.remove(start, end);
    if (start < this.hintPfn) this.hintPfn = start;
    return { ok: true, note: had < end - start ? `${end - start - had} page(s) were not reserved` : undefined };
  }

  alloc(req: BootRequest): Placement | null {
    const align = req.align > 0n ? req.align : this.cache;
    if (req.size <= 0n) return null;
    let goal = req.goal;
    for (;;) {
      if (req.nid !== null) {
        // The block must belong to the node: locality by construction.
        const own = this.blocks.filter((b) => b.nid === req.nid);
        const ordered = goalFirst(own, goal / this.page);
        for (const block of ordered) {
          const base = this.allocIn(block, req.size, align, goal, req.limit);
          if (base !== null) return { base, size: req.size, servedBy: block.nid, fallback: false };
        }
        if (req.exact && !goal) return null;
      }
      if (req.nid === null || !req.exact) {
        for (const block of goalFirst(this.blocks, goal / this.page)) {
          if (req.nid !== null && block.nid === req.nid) continue;
          const base = this.allocIn(block, req.size, align, goal, req.limit);
          if (base !== null) return { base, size: req.size, servedBy: block.nid, fallback: req.nid !== null };
        }
      }
      if (!goal) return null;
      goal = 0n;
    }
  }

  /** First fit inside one block, bottom-up from the goal when it lies in the block. */
  private allocIn(block: Block, size: Addr, align: Addr, goal: Addr, limit: Addr): Addr | null {
    const P = this.page;
    let end = block.end;
    if (limit && limit / P < end) end = limit / P;
    if (end <= block.start) return null;
    const step = align / P > 1n ? align / P : 1n;
    const goalPfn = goal / P;
    let from = goalPfn > block.start && goalPfn < end ? goalPfn : block.start;
    if (this.hintPfn > from && this.hintPfn < end) from = this.hintPfn;
    const pages = ceilDiv(size, P);
    let pfn = this.search({ ...block, end }, pages, step, from);
    if (pfn === null && from !== block.start) pfn = this.search({ ...block, end }, pages, step, block.start);
    if (pfn === null) return null;
    // Sub-page packing: continue inside the previous allocation's partial last page.
    let startAddr = pfn * P;
    if (this.lastEndAddr % P !== 0n && this.lastEndAddr / P + 1n === pfn) startAddr = alignUp(this.lastEndAddr, align);
    const endAddr = startAddr + size;
    const first = ceilDiv(startAddr, P) > startAddr / P ? startAddr / P + 1n : startAddr / P;
    const last = ceilDiv(endAddr, P);
    if (last > first) this.map.add(first, last);
    this.lastEndAddr = endAddr;
    this.hintPfn = last;
    return startAddr;
  }

  private search(block: Block, pages: bigint, step: bigint, from: bigint): bigint | null {
    let pfn = alignUp(from, step);
    while (pfn + pages <= block.end) {
      pfn = alignUp(this.map.nextClear(pfn), step);
      if (pfn + pages > block.end) return null;
      const busy = this.map.firstSetIn(pfn, pfn + pages);
      if (busy === null) return pfn;
      const next = alignUp(busy, step);
      pfn = next === busy ? next + step : next;
    }
    return null;
  }
}

/** Blocks ordered with the one holding the goal (or the first above it) first, then address order. */
function goalFirst(blocks: readonly Block[], goalPfn: bigint): Block[] {
  if (!goalPfn) return [...blocks];
  const sorted = [...blocks].sort((a, b) => (a.start < b.start ? -1 : 1));
  const at = sorted.findIndex((b) => b.end > goalPfn);
  return at <= 0 ? sorted : [...sorted.slice(at), ...sorted.slice(0, at)];
}
