// bootmem: one bitmap per node, one bit per page frame, a set bit is a reserved page.
//
// Two generations are modelled (docs/allocators.md has the rules in words):
//  - 'classic' (before 2.6.27): reserve_bootmem / free_bootmem walk every node whose span holds
//    the range, so a PFN inside two overlapping node spans is marked in both bitmaps; an
//    allocation searches one node's bitmap and reserves only there. Nodes are tried in list order
//    whatever the goal, and a node request falls back to every node in list order.
//  - '2008' (the rewrite by Johannes Weiner, 2.6.27 to 4.19): reserve/free mark a PFN range that
//    must be contiguous but may cross node boundaries, each PFN in exactly one node (the first in
//    list order whose span holds it); allocations try the node holding the goal first; hint_idx
//    and last_end_off drive where the next search starts and the sub-page packing.

import type { Addr } from '../types';
import type { NodeBlock } from '../topology';
import { alignUp } from '../util/hex';
import { RangeSet } from './rangeset';
import {
  PAGE_SIZE_DEFAULT,
  SMP_CACHE_BYTES_DEFAULT,
  nodeSpans,
  sortedBlocks,
  type AllocatorSetup,
  type BootAllocator,
  type BootRequest,
  type OpResult,
  type Overhead,
  type Placement,
} from './types';

export type BootmemVariant = 'classic' | '2008';

/** One node's bootmem_data: PFN span [min, max), its bitmap and the search hints. */
export interface Bdata {
  nid: number;
  min: bigint;
  max: bigint;
  map: RangeSet;
  /** 2008: search hint (index relative to min) and byte offset just past the last allocation. */
  hintIdx: bigint;
  lastEndOff: bigint;
  /** classic: last_success (byte offset from the node start), last_pos (PFN index) and last_offset. */
  lastSuccess: bigint;
  lastPos: bigint;
  lastOffset: bigint;
}

export class Bootmem implements BootAllocator {
  readonly model;
  readonly page: bigint;
  readonly cache: bigint;
  /** bdata_list: sorted by node_min_pfn. */
  bdata: Bdata[] = [];
  private readonly memory: NodeBlock[];
  private readonly placeBitmaps: boolean;
  private activated = false;
  private ready = false;
  private taken: Overhead[] = [];

  constructor(
    setup: AllocatorSetup,
    readonly variant: BootmemVariant = '2008',
  ) {
    this.model = variant === 'classic' ? ('bootmem' as const) : ('bootmem-2008' as const);
    this.page = setup.pageSize ?? PAGE_SIZE_DEFAULT;
    this.cache = setup.smpCacheBytes ?? SMP_CACHE_BYTES_DEFAULT;
    this.placeBitmaps = setup.placeBitmaps ?? true;
    this.memory = sortedBlocks(setup.memory);
    // init_bootmem_node: every page of the span starts reserved.
    for (const span of nodeSpans(this.memory)) {
      const min = span.base / this.page;
      const max = span.end / this.page;
      if (max <= min) continue;
      const map = new RangeSet();
      map.add(0n, max - min);
      this.bdata.push({ nid: span.nid, min, max, map, hintIdx: 0n, lastEndOff: 0n, lastSuccess: 0n, lastPos: 0n, lastOffset: 0n });
    }
    // The architecture then frees the RAM it knows about.
    if (variant === 'classic') {
      // free_bootmem(): every node whose span holds the range gets it freed (the seed's complaint).
      for (const block of this.memory) this.free(block.base, block.size);
    } else {
      // free_bootmem_node() per node range (free_bootmem_with_active_regions): only that node.
      for (const block of this.memory) {
        const bd = this.node(block.nid);
        if (bd) this.markNode(bd, ceilDiv(block.base, this.page), (block.base + block.size) / this.page, false);
      }
    }
    this.ready = true;
  }

  clone(): Bootmem {
    const copy = Object.create(Bootmem.prototype) as Bootmem;
    Object.assign(copy, this);
    copy.bdata = this.bdata.map((b) => ({ ...b, map: b.map.clone() }));
    copy.taken = [...this.taken];
    return copy;
  }

  node(nid: number): Bdata | undefined {
    return this.bdata.find((b) => b.nid === nid);
  }

  overhead(): Overhead[] {
    return [...this.taken];
  }

  /** Places each node's bitmap (ALIGN(DIV_ROUND_UP(pages, 8), sizeof(long)) bytes, page-rounded) in the node's lowest free pages. */
  activate(): Overhead[] {
    if (this.activated || !this.placeBitmaps) return [];
    this.activated = true;
    const placed: Overhead[] = [];
    for (const bd of this.bdata) {
      const bytes = alignUp(ceilDiv(bd.max - bd.min, 8n), 8n);
      const pages = ceilDiv(bytes, this.page);
      const home = this.memory.filter((b) => b.nid === bd.nid);
      let found: bigint | null = null;
      for (const block of home) {
        const lo = ceilDiv(block.base, this.page) - bd.min;
        const hi = (block.base + block.size) / this.page - bd.min;
        let idx = lo;
        while (idx + pages <= hi) {
          idx = bd.map.nextClear(idx);
          if (idx + pages > hi) break;
          const set = bd.map.firstSetIn(idx, idx + pages);
          if (set === null) {
            found = idx;
            break;
          }
          idx = set + 1n;
        }
        if (found !== null) break;
      }
      if (found === null) continue;
      bd.map.add(found, found + pages);
      const entry = { base: (bd.min + found) * this.page, size: pages * this.page, label: `bootmem bitmap (node ${bd.nid})`, nid: bd.nid };
      placed.push(entry);
      this.taken.push(entry);
    }
    return placed;
  }

  // ------------------------------------------------------------------------------------------
  // Reserve and free

  reserve(base: Addr, size: Addr): OpResult {
    const start = base / this.page;
    const end = ceilDiv(base + size, this.page);
    return this.variant === 'classic' ? this.everyNode(start, end, true) : this.markBootmem(start, end, true);
  }

  free(base: Addr, size: Addr): OpResult {
    const start = ceilDiv(base, this.page);
    const end = (base + size) / this.page;
    if (end <= start) return { ok: true, note: 'no whole page inside the range: nothing freed' };
    if (this.variant === 'classic') {
      for (const bd of this.bdata) {
        if (base < bd.min * this.page + bd.lastSuccess && base >= bd.min * this.page) bd.lastSuccess = base - bd.min * this.page;
      }
      return this.everyNode(start, end, false);
    }
    return this.markBootmem(start, end, false);
  }

  /** reserve_bootmem_node / free_bootmem_node: one node's bitmap only. */
  reserveNode(nid: number, base: Addr, size: Addr): OpResult {
    const bd = this.node(nid);
    if (!bd) return { ok: false, note: `no bootmem node ${nid}` };
    return this.markNode(bd, base / this.page, ceilDiv(base + size, this.page), true);
  }

  freeNode(nid: number, base: Addr, size: Addr): OpResult {
    const bd = this.node(nid);
    if (!bd) return { ok: false, note: `no bootmem node ${nid}` };
    return this.markNode(bd, ceilDiv(base, this.page), (base + size) / this.page, false);
  }

  /** Classic: every node whose span holds part of the range marks that part. */
  private everyNode(start: bigint, end: bigint, reserve: boolean): OpResult {
    let touched = 0;
    const notes: string[] = [];
    for (const bd of this.bdata) {
      const s = start > bd.min ? start : bd.min;
      const e = end < bd.max ? end : bd.max;
      if (e <= s) continue;
      touched++;
      const r = this.markNode(bd, s, e, reserve);
      if (r.note) notes.push(r.note);
    }
    if (touched > 1) notes.push(`the range lies in ${touched} node spans and was marked in each bitmap`);
    return { ok: touched > 0, note: touched === 0 ? 'outside every node: ignored' : notes.join('; ') || undefined };
  }

  /**
   * 2008 mark_bootmem: walk bdata_list; the range must start inside a node and continue
   * contiguously from node end to the next node holding that PFN. A gap is a BUG() in the kernel;
   * the model reports it and still marks the parts that lie in nodes, so a what-if can go on.
   */
  private markBootmem(start: bigint, end: bigint, reserve: boolean): OpResult {
    let pos = start;
    const notes: string[] = [];
    let gap = false;
    while (pos < end) {
      const bd = this.bdata.find((b) => pos >= b.min && pos < b.max);
      if (!bd) {
        gap = true;
        const next = this.bdata.filter((b) => b.min > pos).sort((a, b) => (a.min < b.min ? -1 : 1))[0];
        if (!next || next.min >= end) break;
        pos = next.min;
        continue;
      }
      const max = bd.max < end ? bd.max : end;
      const r = this.markNode(bd, pos, max, reserve);
      if (r.note) notes.push(r.note);
      pos = max;
    }
    if (gap) notes.unshift(`PFNs ${start.toString(16)}-${(end - 1n).toString(16)} are not contiguous inside nodes: mark_bootmem would BUG()`);
    return { ok: !gap, note: notes.join('; ') || undefined };
  }

  private markNode(bd: Bdata, start: bigint, end: bigint, reserve: boolean): OpResult {
    const s = (start > bd.min ? start : bd.min) - bd.min;
    const e = (end < bd.max ? end : bd.max) - bd.min;
    if (e <= s) return { ok: true };
    if (reserve) {
      const already = bd.map.add(s, e);
      return { ok: true, note: already > 0n ? `silent double reserve of ${already} page(s) on node ${bd.nid}` : undefined };
    }
    const had = bd.map.remove(s, e);
    if (this.variant === '2008' && s < bd.hintIdx) bd.hintIdx = s;
    return { ok: true, note: had < e - s && this.ready ? `freeing ${e - s - had} page(s) that were not reserved on node ${bd.nid} (BUG in __free)` : undefined };
  }

  // ------------------------------------------------------------------------------------------
  // Allocation

  alloc(req: BootRequest): Placement | null {
    const align = req.align > 0n ? req.align : this.cache;
    const size = req.size;
    if (size <= 0n) return null;
    return this.variant === 'classic' ? this.allocClassic(req, size, align) : this.alloc2008(req, size, align);
  }

  // --- 2008 rewrite -------------------------------------------------------------------------

  private alloc2008(req: BootRequest, size: Addr, align: Addr): Placement | null {
    let goal = req.goal;
    let limit = req.limit;
    const own = req.nid === null ? undefined : this.node(req.nid);
    for (;;) {
      if (own) {
        // ___alloc_bootmem_node: a limit the goal cannot honour is dropped.
        if (limit && goal + size > limit) limit = 0n;
        const base = this.allocBdata(own, size, align, goal, limit);
        if (base !== null) return { base, size, servedBy: own.nid, fallback: false };
        if (req.exact) {
          if (goal) {
            goal = 0n;
            continue;
          }
          return null;
        }
      }
      // alloc_bootmem_core: nodes in address order, skipping those below the goal.
      for (const bd of this.bdata) {
        if (goal && bd.max <= goal / this.page) continue;
        if (limit && bd.min >= limit / this.page) break;
        const base = this.allocBdata(bd, size, align, goal, limit);
        if (base !== null) return { base, size, servedBy: bd.nid, fallback: own !== undefined && bd !== own };
      }
      if (!goal) return null;
      goal = 0n;
    }
  }

  /** alloc_bootmem_bdata: first fit, bottom-up from the goal (or the hint), with sub-page packing. */
  allocBdata(bd: Bdata, size: Addr, align: Addr, goal: Addr, limit: Addr): Addr | null {
    const P = this.page;
    const min = bd.min;
    let max = bd.max;
    const goalPfn = goal / P;
    const limitPfn = limit / P;
    if (limit && max > limitPfn) max = limitPfn;
    if (max <= min) return null;
    const step = align / P > 1n ? align / P : 1n;
    const start = goalPfn && min < goalPfn && goalPfn < max ? alignUp(goalPfn, step) : alignUp(min, step);
    const alignIdx = (idx: bigint) => alignUp(min + idx, step) - min;
    let sidx = start - min;
    const midx = max - min;
    let fallback = 0n;
    if (bd.hintIdx > sidx) {
      fallback = sidx + 1n;
      sidx = alignIdx(bd.hintIdx);
    }
    for (;;) {
      for (;;) {
        sidx = alignIdx(bd.map.nextClear(sidx));
        const eidx = sidx + ceilDiv(size, P);
        if (sidx >= midx || eidx > midx) break;
        const busy = bd.map.firstSetIn(sidx, eidx);
        if (busy !== null) {
          const next = alignIdx(busy);
          sidx = next === busy ? next + step : next;
          continue;
        }
        // Found free pages [sidx, eidx). Pack into the previous allocation's partial page?
        let startOff: bigint;
        if (bd.lastEndOff % P !== 0n && bd.lastEndOff / P + 1n === sidx) {
          const nodeBase = min * P;
          startOff = alignUp(nodeBase + bd.lastEndOff, align) - nodeBase;
        } else {
          startOff = sidx * P;
        }
        const merge = startOff / P < sidx ? 1n : 0n;
        const endOff = startOff + size;
        bd.lastEndOff = endOff;
        bd.hintIdx = ceilDiv(endOff, P);
        const first = startOff / P + merge;
        const last = ceilDiv(endOff, P);
        if (last > first) bd.map.add(first, last);
        return min * P + startOff;
      }
      if (fallback === 0n) return null;
      sidx = alignIdx(fallback - 1n);
      fallback = 0n;
    }
  }

  // --- classic (pre-2.6.27) -----------------------------------------------------------------

  private allocClassic(req: BootRequest, size: Addr, align: Addr): Placement | null {
    const own = req.nid === null ? undefined : this.node(req.nid);
    if (own) {
      const base = this.allocCoreClassic(own, size, align, req.goal, req.limit);
      if (base !== null) return { base, size, servedBy: own.nid, fallback: false };
      if (req.exact) return null;
    }
    // __alloc_bootmem: every node in list order, whichever holds the goal.
    for (const bd of this.bdata) {
      const base = this.allocCoreClassic(bd, size, align, req.goal, req.limit);
      if (base !== null) return { base, size, servedBy: bd.nid, fallback: own !== undefined && bd !== own };
    }
    return null;
  }

  /**
   * __alloc_bootmem_core (2.6.2x): bottom-up from the goal (or last_success when the goal lies in
   * this node), once more from the node start on failure; partial pages packed via last_pos /
   * last_offset when align < PAGE_SIZE. Marks this node's bitmap only.
   */
  allocCoreClassic(bd: Bdata, size: Addr, align: Addr, goal: Addr, limit: Addr): Addr | null {
    const P = this.page;
    const nodeStart = bd.min * P;
    if (limit && nodeStart >= limit) return null;
    let eidx = bd.max - bd.min;
    if (limit && limit / P - bd.min < eidx) eidx = limit / P - bd.min;
    const incr = align / P > 1n ? align / P : 1n;
    const areasize = ceilDiv(size, P);
    let preferred = 0n;
    if (goal && goal >= nodeStart && goal / P < bd.max) {
      preferred = goal - nodeStart;
      if (bd.lastSuccess >= preferred && (!limit || limit > nodeStart + bd.lastSuccess)) preferred = bd.lastSuccess;
    }
    // Absolute alignment: idx aligned so that (min + idx) is a multiple of incr.
    const alignIdx = (idx: bigint) => alignUp(bd.min + idx, incr) - bd.min;
    preferred = alignIdx(alignUp(nodeStart + preferred, align) / P - bd.min);
    let restartFrom: bigint | null = preferred > alignIdx(0n) ? alignIdx(0n) : null;
    let i = preferred;
    for (;;) {
      let found: bigint | null = null;
      while (i < eidx) {
        i = alignIdx(bd.map.nextClear(i));
        if (i >= eidx) break;
        if (i + areasize > eidx) break;
        const busy = bd.map.firstSetIn(i, i + areasize);
        if (busy === null) {
          found = i;
          break;
        }
        const next = alignIdx(busy);
        i = next === busy ? next + incr : next;
      }
      if (found !== null) return this.takeClassic(bd, found, size, align, areasize);
      if (restartFrom === null) return null;
      i = restartFrom;
      restartFrom = null;
    }
  }

  private takeClassic(bd: Bdata, start: bigint, size: Addr, align: Addr, areasize: bigint): Addr {
    const P = this.page;
    const nodeStart = bd.min * P;
    bd.lastSuccess = start * P;
    let result: Addr;
    let first = start;
    let pages = areasize;
    if (align < P && bd.lastOffset && bd.lastPos + 1n === start) {
      const offset = alignUp(bd.lastOffset, align);
      const remaining = P - offset;
      result = nodeStart + bd.lastPos * P + offset;
      if (size < remaining) {
        pages = 0n;
        bd.lastOffset = (offset + size) % P;
      } else {
        const rest = size - remaining;
        pages = ceilDiv(rest, P);
        bd.lastPos = start + pages - 1n;
        bd.lastOffset = rest % P;
      }
      first = start;
    } else {
      bd.lastPos = start + areasize - 1n;
      bd.lastOffset = size % P;
      result = nodeStart + start * P;
    }
    if (pages > 0n) bd.map.add(first, first + pages);
    return result;
  }

  // ------------------------------------------------------------------------------------------
  // Hand-off

  /** free_all_bootmem: the pages each node's bitmap shows clear, as physical ranges (per node; may repeat a page in two nodes). */
  releasable(): { nid: number; base: Addr; size: Addr }[] {
    const out: { nid: number; base: Addr; size: Addr }[] = [];
    for (const bd of this.bdata) {
      for (const gap of bd.map.gaps(0n, bd.max - bd.min)) {
        out.push({ nid: bd.nid, base: (bd.min + gap.start) * this.page, size: (gap.end - gap.start) * this.page });
      }
    }
    return out;
  }
}

export function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
