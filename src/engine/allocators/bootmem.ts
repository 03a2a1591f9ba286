// bootmem: one bitmap per node, one bit per page frame, a set bit is a reserved page.
//
// Two generations are modelled; docs/allocators.md gives every rule in words with the kernel file
// and version it was read from:
//  - 'classic' (mm/bootmem.c as of 2.6.26, the last version before the rewrite): reserve_bootmem /
//    free_bootmem walk every node and mark the part of the range inside each, so a PFN inside two
//    overlapping node spans is marked in both bitmaps; an allocation searches one node's bitmap
//    (from the goal or the last_success hint, then from the node start) and marks only that
//    bitmap. __alloc_bootmem tries the nodes in list order whatever the goal; a node request tries
//    its node, then that walk.
//  - '2008' (the rewrite by Johannes Weiner, 2.6.27 to 4.19): reserve/free mark a PFN range that
//    must continue from one node into the next node of the list (mark_bootmem), each PFN in one
//    node only; the node walk skips nodes below the goal, so the node holding the goal is tried
//    first; hint_idx and last_end_off drive where the next search starts and the sub-page packing.

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

/** One node's bootmem_data: PFN span [min, max), its bitmap (indexed from min) and the search state. */
export interface Bdata {
  nid: number;
  min: bigint;
  max: bigint;
  map: RangeSet;
  /** 2008: search hint (index relative to min) and byte offset (from the node start) just past the last allocation. */
  hintIdx: bigint;
  lastEndOff: bigint;
  /** classic: last_success (absolute byte address of the last block found; 0 = none), last_pos (index) and last_offset (bytes used in that page). */
  lastSuccess: bigint;
  lastPos: bigint;
  lastOffset: bigint;
}

export class Bootmem implements BootAllocator {
  readonly model;
  readonly page: bigint;
  readonly cache: bigint;
  /** bdata_list: sorted by node_min_pfn (a node is linked before the first one that starts higher). */
  bdata: Bdata[] = [];
  private readonly memory: NodeBlock[];
  private readonly placeBitmaps: boolean;
  private readonly revision: '2.6.2x' | '4.19';
  private readonly preferredNid: number | undefined;
  private readonly bitsPerLong: bigint;
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
    this.revision = setup.bootmemRevision ?? '4.19';
    this.preferredNid = setup.bootmemPreferredNid;
    this.bitsPerLong = BigInt(setup.bitsPerLong ?? 64);
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

  /** reserve_bootmem: pages [PFN_DOWN(base), PFN_UP(base + size)). */
  reserve(base: Addr, size: Addr): OpResult {
    const start = base / this.page;
    const end = ceilDiv(base + size, this.page);
    return this.variant === 'classic' ? this.everyNode(start, end, true) : this.markBootmem(start, end, true);
  }

  /** free_bootmem: pages [PFN_UP(base), PFN_DOWN(base + size)); partial pages stay reserved. */
  free(base: Addr, size: Addr): OpResult {
    const start = ceilDiv(base, this.page);
    const end = (base + size) / this.page;
    if (this.variant === 'classic') {
      // free_bootmem_core, per node: a node the range misses is skipped; otherwise last_success
      // drops to the freed address when that lies in the node below it (even if no whole page is freed).
      for (const bd of this.bdata) {
        const nodeStart = bd.min * this.page;
        if (base + size < nodeStart || base / this.page > bd.max) continue;
        if (base >= nodeStart && base < bd.lastSuccess) bd.lastSuccess = base;
      }
      if (end <= start) return { ok: true, note: 'no whole page inside the range: nothing freed' };
      return this.everyNode(start, end, false);
    }
    const r = this.markBootmem(start, end, false);
    if (end <= start) return { ok: r.ok, note: ['no whole page inside the range: nothing freed (hint_idx still lowered)', r.note].filter(Boolean).join('; ') };
    return r;
  }

  /** reserve_bootmem_node / free_bootmem_node: one node's bitmap only. */
  reserveNode(nid: number, base: Addr, size: Addr): OpResult {
    const bd = this.node(nid);
    if (!bd) return { ok: false, note: `no bootmem node ${nid}` };
    return this.markNode(bd, base / this.page, ceilDiv(base + size, this.page), true);
  }

  freeNode(nid: number, base: Addr, size: Addr): OpResult {
    return this.freeNodePfns(nid, ceilDiv(base, this.page), (base + size) / this.page);
  }

  /**
   * What a `bootmem::__free nid= start= end=` line did: clear PFNs [start, end) of one node. With
   * start >= end nothing is cleared, but the 2008 rewrite still lowers hint_idx to start.
   */
  freeNodePfns(nid: number, start: bigint, end: bigint): OpResult {
    const bd = this.node(nid);
    if (!bd) return { ok: false, note: `no bootmem node ${nid}` };
    return this.markNode(bd, start, end, false);
  }

  /** Classic: every node whose span holds part of the range marks that part (reserve_bootmem_core / free_bootmem_core per node). */
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
   * 2008 mark_bootmem: walk bdata_list in order. Nodes that do not hold the start PFN are skipped;
   * once marking has begun, the next node of the list must hold the PFN where the previous node
   * ended, else the kernel BUG()s (as it does when no node holds the start). The model reports
   * the BUG and, so that a what-if can go on, marks the remaining parts in whichever nodes hold them.
   */
  private markBootmem(start: bigint, end: bigint, reserve: boolean): OpResult {
    const notes: string[] = [];
    let pos = start;
    let i = 0;
    for (; i < this.bdata.length; i++) {
      const bd = this.bdata[i];
      if (pos < bd.min || pos >= bd.max) {
        if (pos !== start) break;
        continue;
      }
      const max = bd.max < end ? bd.max : end;
      const r = this.markNode(bd, pos, max, reserve);
      if (r.note) notes.push(r.note);
      if (max === end || end <= pos) return { ok: true, note: notes.join('; ') || undefined };
      pos = bd.max;
    }
    // BUG(): the range does not continue node after node in list order. Mark what lies in nodes.
    const bug = `PFNs ${start.toString(16)}-${(end - 1n).toString(16)} do not continue from node to node in list order (stuck at PFN ${pos.toString(16)}): mark_bootmem would BUG()`;
    while (pos < end) {
      const bd = this.bdata.find((b) => pos >= b.min && pos < b.max);
      if (!bd) {
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
    return { ok: false, note: [bug, ...notes].join('; ') };
  }

  private markNode(bd: Bdata, start: bigint, end: bigint, reserve: boolean): OpResult {
    const s = (start > bd.min ? start : bd.min) - bd.min;
    const e = (end < bd.max ? end : bd.max) - bd.min;
    // __free lowers hint_idx before clearing, even when there is nothing to clear.
    if (!reserve && this.variant === '2008' && s < bd.hintIdx) bd.hintIdx = s;
    if (e <= s) return { ok: true };
    if (reserve) {
      const already = bd.map.add(s, e);
      return { ok: true, note: already > 0n ? `silent double reserve of ${already} page(s) on node ${bd.nid}` : undefined };
    }
    const had = bd.map.remove(s, e);
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
    const placed = (bd: Bdata, base: Addr): Placement => ({ base, size, servedBy: bd.nid, fallback: req.nid !== null && bd.nid !== req.nid });
    const preferred = this.preferredNid === undefined ? undefined : this.node(this.preferredNid);
    // alloc_arch_preferred_bootmem: x86-32 NUMA tries node 0 before anything else, every round.
    const tryPreferred = (goal: Addr, limit: Addr) => {
      if (!preferred) return null;
      const base = this.allocBdata(preferred, size, align, goal, limit);
      return base === null ? null : placed(preferred, base);
    };
    const walk = (goal: Addr, limit: Addr) => {
      const hit = this.allocCore2008(size, align, goal, limit);
      return hit ? placed(hit.bd, hit.base) : null;
    };
    let goal = req.goal;
    let limit = req.limit;
    const own = req.nid === null ? undefined : this.node(req.nid);
    const tryOwn = (g: Addr, l: Addr) => {
      if (!own) return null;
      const base = this.allocBdata(own, size, align, g, l);
      return base === null ? null : placed(own, base);
    };

    if (req.nid === null) {
      // ___alloc_bootmem_nopanic: [preferred node], the node walk; once more with goal 0.
      for (;;) {
        const p = tryPreferred(goal, limit) ?? walk(goal, limit);
        if (p) return p;
        if (!goal) return null;
        goal = 0n;
      }
    }

    if (this.revision === '2.6.2x') {
      // ___alloc_bootmem_node (2.6.28–2.6.30 copy): [preferred], the own node with the goal, then
      // ___alloc_bootmem: the walk with the goal, then the walk with goal 0 (own node not retried first).
      const first = tryPreferred(goal, limit) ?? tryOwn(goal, limit);
      if (first) return first;
      if (req.exact) return goal ? tryOwn(0n, limit) : null;
      for (;;) {
        const p = tryPreferred(goal, limit) ?? walk(goal, limit);
        if (p) return p;
        if (!goal) return null;
        goal = 0n;
      }
    }

    // ___alloc_bootmem_node_nopanic (3.x–4.19): again: drop a limit the goal cannot honour; [preferred];
    // own node; every node; then without the goal, once.
    for (;;) {
      if (limit && goal + size > limit) limit = 0n;
      const p = tryPreferred(goal, limit) ?? tryOwn(goal, limit) ?? (req.exact ? null : walk(goal, limit));
      if (p) return p;
      if (!goal) return null;
      goal = 0n;
    }
  }

  /** alloc_bootmem_core (the node walk): address order, skipping nodes that end at or below the goal, stopping at a node that starts at or above the limit. */
  private allocCore2008(size: Addr, align: Addr, goal: Addr, limit: Addr): { bd: Bdata; base: Addr } | null {
    for (const bd of this.bdata) {
      if (goal && bd.max <= goal / this.page) continue;
      if (limit && bd.min >= limit / this.page) break;
      const base = this.allocBdata(bd, size, align, goal, limit);
      if (base !== null) return { bd, base };
    }
    return null;
  }

  /** alloc_bootmem_bdata (alloc_bootmem_core before ≈3.7): first fit, bottom-up from the goal (or the hint), with sub-page packing. */
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

  // --- classic (mm/bootmem.c 2.6.26) -------------------------------------------------------

  private allocClassic(req: BootRequest, size: Addr, align: Addr): Placement | null {
    // x86-32 NUMA (HAVE_ARCH_BOOTMEM_NODE) sent every alloc_bootmem* through node 0.
    const ownNid = this.preferredNid ?? req.nid;
    const own = ownNid === null ? undefined : this.node(ownNid);
    const placed = (bd: Bdata, base: Addr): Placement => ({ base, size, servedBy: bd.nid, fallback: req.nid !== null && bd.nid !== req.nid });
    if (own) {
      // __alloc_bootmem_node: the node's own bitmap first.
      const base = this.allocCoreClassic(own, size, align, req.goal, req.limit);
      if (base !== null) return placed(own, base);
      if (req.exact) return null;
    }
    // __alloc_bootmem_nopanic: every node in list order, each with the goal, whichever holds it.
    for (const bd of this.bdata) {
      const base = this.allocCoreClassic(bd, size, align, req.goal, req.limit);
      if (base !== null) return placed(bd, base);
    }
    return null;
  }

  /**
   * __alloc_bootmem_core as of 2.6.26. The node start is first rounded up to the alignment and the
   * search indexes count from there; when that moves the start, the kernel advances its bitmap
   * pointer by whole longs only, so the bits it tests and sets are `shift` pages away from the pages
   * it returns (0 for page-aligned requests and aligned nodes). The preferred index is the goal's
   * offset (the goal may lie below the node; it must lie below the end), or last_success when that is
   * at or above it, unless a limit is given (the kernel then compares the limit's PFN with the byte
   * address and practically never uses last_success). First fit going up in steps of the page
   * alignment; one restart from the (aligned) node start. Partial pages are packed through
   * last_pos / last_offset when align < PAGE_SIZE. Marks this node's bitmap only.
   */
  allocCoreClassic(bd: Bdata, size: Addr, align: Addr, goal: Addr, limit: Addr): Addr | null {
    const P = this.page;
    const nodeStart = bd.min * P;
    const nb = align ? alignUp(nodeStart, align) : nodeStart;
    const d = (nb - nodeStart) / P;
    const shift = (d / this.bitsPerLong) * this.bitsPerLong - d;
    // The search's index i tests and sets bitmap bit (i + d + shift) of the node, returns page (i + d).
    const bit = (i: bigint) => i + d + shift;
    if (limit && nb >= limit) return null;
    const limitPfn = limit / P;
    let endPfn = bd.max;
    if (limitPfn && endPfn > limitPfn) endPfn = limitPfn;
    const eidx = endPfn - nb / P;
    if (eidx <= 0n) return null;
    let preferred = 0n;
    if (goal && goal / P < endPfn) {
      if (goal > nb) preferred = goal - nb;
      if (bd.lastSuccess > nb && bd.lastSuccess - nb >= preferred && (!limitPfn || limitPfn > bd.lastSuccess)) preferred = bd.lastSuccess - nb;
    }
    preferred = alignUp(preferred, align) / P;
    const areasize = ceilDiv(size, P);
    const incr = align / P > 1n ? align / P : 1n;
    const nextZero = (i: bigint) => {
      const z = bd.map.nextClear(bit(i)) - d - shift;
      return z < eidx ? z : eidx;
    };
    const firstSet = (from: bigint, to: bigint) => {
      const s = bd.map.firstSetIn(bit(from), bit(to));
      return s === null ? null : s - d - shift;
    };
    let i = preferred;
    let restarted = false;
    for (;;) {
      let found: bigint | null = null;
      while (i < eidx) {
        i = alignUp(nextZero(i), incr);
        if (i >= eidx) break;
        if (firstSet(i, i + 1n) !== null) {
          i += incr;
          continue;
        }
        const top = i + areasize < eidx ? i + areasize : eidx;
        const j = firstSet(i + 1n, top);
        if (j === null && i + areasize <= eidx) {
          found = i;
          break;
        }
        if (j === null) break; // the block runs past eidx: ALIGN(eidx) ends the scan
        const next = alignUp(j, incr);
        i = next === j ? next + incr : next;
      }
      if (found !== null) return this.takeClassic(bd, found, nb, bit, size, align, areasize);
      if (restarted || preferred === 0n) return null;
      restarted = true;
      preferred = 0n;
      i = 0n;
    }
  }

  private takeClassic(bd: Bdata, start: bigint, nb: Addr, bit: (i: bigint) => bigint, size: Addr, align: Addr, areasize: bigint): Addr {
    const P = this.page;
    bd.lastSuccess = start * P + nb;
    let result: Addr;
    let pages = areasize;
    if (align < P && bd.lastOffset && bd.lastPos + 1n === start) {
      const offset = alignUp(bd.lastOffset, align);
      const remaining = P - offset;
      result = nb + bd.lastPos * P + offset;
      if (size < remaining) {
        pages = 0n;
        bd.lastOffset = (offset + size) % P;
      } else {
        const rest = size - remaining;
        pages = ceilDiv(rest, P);
        bd.lastPos = start + pages - 1n;
        bd.lastOffset = rest % P;
      }
    } else {
      bd.lastPos = start + areasize - 1n;
      bd.lastOffset = size % P;
      result = nb + start * P;
    }
    if (pages > 0n) bd.map.add(bit(start), bit(start + pages));
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
