// bootmem2 (Johannes Weiner's RFC of 5 May 2008, "[rfc][patch 2/3] mm: bootmem2 - memory block
// oriented boot time allocator", never merged): one bitmap for every PFN, so a PFN is unique;
// nodes are registered as contiguous blocks that surely reside on one node, then the allocator is
// enabled. A node request searches only the node's blocks, one at a time, so a block it gets lies
// inside one block of that node; it never falls back to another node. A request without a node
// searches the whole bitmap. docs/allocators.md lists the rules with the places where the model
// follows the patch's evident intent rather than four slips in its code.

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
  /** Block id, numbered node by node (node 0's blocks first), as in the RFC's cover letter. */
  index: number;
  nid: number;
  /** Position among the node's blocks (the kernel's id is nid × NR_MEMBLKS_PER_NODE + this). */
  nodeIndex: number;
  /** PFN range [start, end). */
  start: bigint;
  end: bigint;
  /** bootmem_block_last: byte address just past the last allocation made through this block (0 = none). */
  lastEnd: bigint;
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
  /** Packing slot of node-agnostic requests when there is no block 0 (the RFC maps them to block 0). */
  private orphanLastEnd = 0n;
  private readonly placeBitmaps: boolean;
  private activated = false;
  private taken: Overhead[] = [];

  constructor(setup: AllocatorSetup) {
    this.page = setup.pageSize ?? PAGE_SIZE_DEFAULT;
    this.cache = setup.smpCacheBytes ?? SMP_CACHE_BYTES_DEFAULT;
    this.placeBitmaps = setup.placeBitmaps ?? true;
    // Step 1: register every block (adjacent ranges of one node make one block), node by node.
    const merged: NodeBlock[] = [];
    for (const b of sortedBlocks(setup.memory)) {
      const last = merged[merged.length - 1];
      if (last && last.nid === b.nid && last.base + last.size === b.base) last.size += b.size;
      else merged.push({ ...b });
    }
    const ranges = merged
      .map((b) => ({ nid: b.nid, start: ceilDiv(b.base, this.page), end: (b.base + b.size) / this.page }))
      .filter((b) => b.end > b.start)
      .sort((a, b) => (a.nid !== b.nid ? a.nid - b.nid : a.start < b.start ? -1 : 1));
    const perNode = new Map<number, number>();
    this.blocks = ranges.map((r, index) => {
      const nodeIndex = perNode.get(r.nid) ?? 0;
      perNode.set(r.nid, nodeIndex + 1);
      return { index, nid: r.nid, nodeIndex, start: r.start, end: r.end, lastEnd: 0n };
    });
    if (this.blocks.length > 0) {
      this.minPfn = this.blocks.reduce((m, b) => (b.start < m ? b.start : m), this.blocks[0].start);
      this.maxPfn = this.blocks.reduce((m, b) => (b.end > m ? b.end : m), 0n);
    }
    // Step 2: bootmem_setup sets every bit; the architecture then frees the registered RAM.
    this.map.add(this.minPfn, this.maxPfn);
    for (const b of this.blocks) this.map.remove(b.start, b.end);
  }

  clone(): Bootmem2 {
    const copy = Object.create(Bootmem2.prototype) as Bootmem2;
    Object.assign(copy, this);
    copy.blocks = this.blocks.map((b) => ({ ...b }));
    copy.map = this.map.clone();
    copy.taken = [...this.taken];
    return copy;
  }

  overhead(): Overhead[] {
    return [...this.taken];
  }

  /** The bitmap for all PFNs ([minPfn, maxPfn) bits) goes to the lowest free pages (where the arch puts it is inferred). */
  activate(): Overhead[] {
    if (this.activated || !this.placeBitmaps) return [];
    this.activated = true;
    const bytes = alignUp(ceilDiv(this.maxPfn - this.minPfn, 8n), 8n);
    const pages = ceilDiv(bytes, this.page);
    for (const block of [...this.blocks].sort((a, b) => (a.start < b.start ? -1 : 1))) {
      const pfn = this.search(block.start, block.end, pages, 1n, block.start);
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

  /** check_bootmem_parms: a range reaching outside [min_pfn, max_pfn) is a BUG. */
  private outOfRange(start: bigint, end: bigint): string | undefined {
    if (start >= this.minPfn && end <= this.maxPfn) return undefined;
    return `bootmem request out of range: ${start.toString(16)}-${end.toString(16)}, usable: ${this.minPfn.toString(16)}-${this.maxPfn.toString(16)} (BUG)`;
  }

  /** bootmem_reserve: pages [PFN_DOWN(base), PFN_UP(base + size)); reserving a reserved page is silent. */
  reserve(base: Addr, size: Addr): OpResult {
    const start = base / this.page;
    const end = ceilDiv(base + size, this.page);
    const bug = this.outOfRange(start, end);
    const already = this.map.add(start > this.minPfn ? start : this.minPfn, end < this.maxPfn ? end : this.maxPfn);
    const notes = [bug, already > 0n ? `${already} page(s) were already reserved` : undefined].filter(Boolean);
    return { ok: !bug, note: notes.join('; ') || undefined };
  }

  /** bootmem_free: pages [PFN_UP(base), PFN_DOWN(base + size)); freeing a free page is a BUG ("double free of pfn"). */
  free(base: Addr, size: Addr): OpResult {
    const start = ceilDiv(base, this.page);
    const end = (base + size) / this.page;
    const bug = this.outOfRange(start, end < start ? start : end);
    if (end <= start) return { ok: !bug, note: bug ?? 'no whole page inside the range: nothing freed' };
    const s = start > this.minPfn ? start : this.minPfn;
    const e = end < this.maxPfn ? end : this.maxPfn;
    const had = e > s ? this.map.remove(s, e) : 0n;
    const notes = [bug, had < e - s ? `double free of ${e - s - had} page(s) (BUG)` : undefined].filter(Boolean);
    return { ok: !bug, note: notes.join('; ') || undefined };
  }

  alloc(req: BootRequest): Placement | null {
    const align = req.align > 0n ? req.align : this.cache;
    if (req.size <= 0n) return null;
    if (req.nid === null) {
      // bootmem_alloc_node(-1) -> bootmem_alloc_block(-1): the whole bitmap, packing in block 0's slot.
      const base = this.allocRange(this.minPfn, this.maxPfn, this.agnosticSlot(), req.size, align, req.goal, req.limit);
      return base === null ? null : { base, size: req.size, servedBy: null, fallback: false };
    }
    // bootmem_alloc_node(nid): start at the node's block holding the goal (none: goal dropped,
    // first block), then the node's later blocks in order; never another node.
    const own = this.blocks.filter((b) => b.nid === req.nid).sort((a, b) => a.nodeIndex - b.nodeIndex);
    const goalPfn = req.goal / this.page;
    let goal = req.goal;
    let from = own.findIndex((b) => goalPfn >= b.start && goalPfn < b.end);
    if (from < 0) {
      goal = 0n;
      from = 0;
    }
    for (const block of own.slice(from)) {
      const base = this.allocRange(block.start, block.end, block, req.size, align, goal, req.limit);
      if (base !== null) return { base, size: req.size, servedBy: block.nid, fallback: false };
    }
    return null;
  }

  private agnosticSlot(): { lastEnd: bigint } {
    const first = this.blocks.find((b) => b.nid === 0 && b.nodeIndex === 0);
    if (first) return first;
    const self = this;
    return {
      get lastEnd() {
        return self.orphanLastEnd;
      },
      set lastEnd(v: bigint) {
        self.orphanLastEnd = v;
      },
    };
  }

  /**
   * bootmem_alloc_block over PFNs [min, max): first fit from the goal (rounded up to the page
   * alignment) when it lies below max, else from min; if that fails and there was a goal, once more
   * from min. Then __bootmem_alloc_block: the block starts inside the slot's previous partial page
   * when the pages found begin right after it.
   */
  private allocRange(min: bigint, max: bigint, slot: { lastEnd: bigint }, size: Addr, align: Addr, goal: Addr, limit: Addr): Addr | null {
    const P = this.page;
    if (limit && max > limit / P) max = limit / P;
    if (max <= min) return null;
    const step = align / P > 1n ? align / P : 1n;
    const goalPfn = goal / P;
    const pages = ceilDiv(size, P);
    const from = goalPfn && goalPfn < max ? (goalPfn > min ? goalPfn : min) : min;
    let pfn = this.search(min, max, pages, step, from);
    if (pfn === null && goalPfn) pfn = this.search(min, max, pages, step, min);
    if (pfn === null) return null;
    let startAddr = pfn * P;
    if (slot.lastEnd % P !== 0n && slot.lastEnd / P + 1n === pfn) startAddr = alignUp(slot.lastEnd, align);
    const merge = startAddr / P < pfn ? 1n : 0n;
    const endAddr = startAddr + size;
    slot.lastEnd = endAddr;
    const first = startAddr / P + merge;
    const last = ceilDiv(endAddr, P);
    if (last > first) this.map.add(first, last);
    return startAddr;
  }

  /** First run of `pages` clear bits in [lo, hi), starting at ALIGN(from, step), each candidate aligned to step (absolute PFN). */
  private search(lo: bigint, hi: bigint, pages: bigint, step: bigint, from: bigint): bigint | null {
    let pfn = alignUp(from > lo ? from : lo, step);
    while (pfn + pages <= hi) {
      pfn = alignUp(this.map.nextClear(pfn), step);
      if (pfn + pages > hi) return null;
      const busy = this.map.firstSetIn(pfn, pfn + pages);
      if (busy === null) return pfn;
      const next = alignUp(busy, step);
      pfn = next === busy ? next + step : next;
    }
    return null;
  }
}
