// What-if replay: a boot's request stream replayed under another allocator, layout or command
// line. For every request: where it would land, whether it fails, which node it physically sits
// on and whether that is the node it asked for; at the end (the hand-off, when the log has one):
// free memory and the largest free block per node.

import type { BootAnalysis } from '../analyze';
import type { Addr, Owner, Range } from '../types';
import type { NodeBlock } from '../topology';
import { liveRegions } from '../replay/checkpoint';
import { MAX_NUMNODES } from '../types';
import { createAllocator } from '../allocators/index';
import { RangeSet } from '../allocators/rangeset';
import type { AllocatorModelName, BootAllocator, BootRequest, Overhead } from '../allocators/types';
import { requestStream, type StreamOp } from './stream';
import { crashkernelSize, parseWhatIfCmdline, type WhatIfParam } from './cmdline';
import { evenLayout, parseLayout, type LayoutSpec } from './layout';

export interface WhatIfOptions {
  model: AllocatorModelName;
  /** --layout text or an already parsed spec; undefined = the log's own nodes. */
  layout?: string | LayoutSpec;
  /** Kernel parameters to change (crashkernel=, cma=, mem=, memmap=). */
  cmdline?: string;
  /** memblock: search bottom-up. */
  bottomUp?: boolean;
  pageSize?: Addr;
  smpCacheBytes?: Addr;
  /** Place bootmem bitmaps (default true). */
  placeBitmaps?: boolean;
}

export interface WhatIfRequestRow {
  /** Position in the request stream. */
  index: number;
  /** Log line of the request (0 for requests the command line added). */
  line: number;
  source: 'log' | 'cmdline';
  label?: string;
  owner?: Owner;
  size: Addr;
  align: Addr;
  goal: Addr;
  limit: Addr;
  requestedNode: number | null;
  /** Where the logged boot put it (null: the log shows no result). */
  original: Addr | null;
  /** Where it lands under the what-if; null when it fails. */
  predicted: Addr | null;
  failed: boolean;
  moved: boolean;
  /** The node whose bitmap / block / list served it (null: not node-specific). */
  servedBy: number | null;
  /** The node the first byte physically sits on (null: outside every node). */
  physicalNode: number | null;
  physicalNodes: number[];
  /** A node was requested and the block is (partly) on another node. */
  offNode: boolean;
  /** ...because the allocator knowingly fell back to another node. */
  fallback: boolean;
  /** ...while the allocator believed it served the requested node (the seed's bootmem bug). */
  localityViolation: boolean;
  /** The block overlaps memory that was already allocated or reserved (a double allocation). */
  conflict: boolean;
  note?: string;
}

export interface WhatIfReservationRow {
  line: number;
  base: Addr;
  size: Addr;
  label?: string;
  owner?: Owner;
  source: 'log' | 'cmdline';
  /** Part of it is not RAM in the what-if layout (it may be firmware-reserved memory: often fine). */
  outsideRam: boolean;
  /** It overlaps an allocation that the what-if placed there first. */
  overlapsAllocation: boolean;
  note?: string;
}

export interface WhatIfNodeRow {
  nid: number;
  ramBytes: Addr;
  freeBytes: Addr;
  largestFreeBlock: Range | null;
}

export interface CmdlineOutcome {
  param: string;
  effect: string;
  /** crashkernel / cma: where it landed (null = failed). */
  base?: Addr | null;
  size?: Addr;
  below4G?: boolean;
}

/** Counts over all requests of a what-if replay. */
export interface WhatIfTotals {
  requests: number;
  placed: number;
  failures: number;
  moved: number;
  offNode: number;
  fallbacks: number;
  localityViolations: number;
  conflicts: number;
  reservations: number;
  reservationsOverlappingAllocations: number;
}

export interface WhatIfResult {
  model: AllocatorModelName;
  bottomUp: boolean;
  layoutSource: 'log' | 'option';
  layout: NodeBlock[];
  requests: WhatIfRequestRow[];
  reservations: WhatIfReservationRow[];
  overhead: Overhead[];
  cmdline: CmdlineOutcome[];
  nodes: WhatIfNodeRow[];
  /** Where the fragmentation figures were taken. */
  measuredAt: 'handoff' | 'end';
  totals: WhatIfTotals;
  notes: string[];
}

const G4 = 1n << 32n;
const CRASH_ALIGN = 16n << 20n;
const CMA_ALIGN = 4n << 20n;

/** RAM of a boot, each range tagged with the node the log puts it on. */
export function ramOfBoot(analysis: BootAnalysis): NodeBlock[] {
  const memory = liveRegions(analysis.replay.final, 'memory');
  const nodeBlocks = analysis.topology.nodes.flatMap((n) => n.blocks.map((b) => ({ nid: n.nid, base: b.base, size: b.size })));
  const out: NodeBlock[] = [];
  for (const region of memory) {
    const fallbackNid = region.nid >= 0 && region.nid < MAX_NUMNODES ? region.nid : 0;
    let cursor = region.base;
    const end = region.base + region.size;
    const pieces = nodeBlocks
      .filter((b) => b.base < end && region.base < b.base + b.size)
      .sort((a, b) => (a.base < b.base ? -1 : 1));
    for (const piece of pieces) {
      const s = piece.base > cursor ? piece.base : cursor;
      const e = piece.base + piece.size < end ? piece.base + piece.size : end;
      if (s > cursor) out.push({ nid: fallbackNid, base: cursor, size: s - cursor });
      if (e > s) out.push({ nid: piece.nid, base: s, size: e - s });
      if (e > cursor) cursor = e;
    }
    if (cursor < end) out.push({ nid: fallbackNid, base: cursor, size: end - cursor });
  }
  return mergeBlocks(out);
}

export function whatIfBoot(analysis: BootAnalysis, options: WhatIfOptions): WhatIfResult {
  const notes: string[] = [];
  const logRam = ramOfBoot(analysis);
  let layout = logRam;
  let layoutSource: WhatIfResult['layoutSource'] = 'log';
  if (options.layout !== undefined) {
    const spec = typeof options.layout === 'string' ? parseLayout(options.layout) : options.layout;
    layout = spec.kind === 'even' ? evenLayout(logRam, spec.nodes, options.pageSize ?? 4096n) : spec.blocks;
    layoutSource = 'option';
  }
  if (layout.length === 0) notes.push('the log shows no RAM and no --layout was given: every allocation fails');
  const params = options.cmdline ? parseWhatIfCmdline(options.cmdline) : [];
  const cmdline: CmdlineOutcome[] = [];
  layout = applyMemParams(layout, params, cmdline);
  const stream = applyStreamParams(requestStream(analysis), params, layout, cmdline, notes);
  const result = runWhatIf(stream, layout, { ...options, layoutSource, cmdlineRows: cmdline, notes });
  summarizeCmdline(result);
  return result;
}

/** The engine itself: a stream and RAM in, rows and totals out. */
export function runWhatIf(
  stream: readonly StreamOp[],
  layout: readonly NodeBlock[],
  options: WhatIfOptions & { layoutSource?: WhatIfResult['layoutSource']; cmdlineRows?: CmdlineOutcome[]; notes?: string[] },
): WhatIfResult {
  const notes = options.notes ?? [];
  const ram = mergeBlocks(layout);
  const allocator: BootAllocator = createAllocator(options.model, {
    memory: ram,
    pageSize: options.pageSize,
    smpCacheBytes: options.smpCacheBytes,
    bottomUp: options.bottomUp,
    placeBitmaps: options.placeBitmaps,
  });
  if (options.bottomUp && options.model !== 'memblock') {
    notes.push(`--bottom-up only changes memblock; ${options.model} always searches bottom-up from the goal`);
  }
  const taken = new RangeSet();
  const allocated = new RangeSet();
  const requests: WhatIfRequestRow[] = [];
  const reservations: WhatIfReservationRow[] = [];
  const moves: { original: Addr; size: Addr; predicted: Addr | null }[] = [];
  const overhead: Overhead[] = [];
  let activated = false;
  let measured: { free: RangeSet } | undefined;
  // Memory the allocator holds for itself; it may give some back (early_res drops its old array when it grows again).
  let live: Overhead[] = [];
  const keyOf = (o: Overhead) => `${o.base}:${o.size}:${o.label}`;
  const syncOverhead = () => {
    const now = allocator.overhead();
    const before = new Set(live.map(keyOf));
    const after = new Set(now.map(keyOf));
    for (const o of live) if (!after.has(keyOf(o))) taken.remove(o.base, o.base + o.size);
    for (const o of now) {
      if (before.has(keyOf(o))) continue;
      overhead.push(o);
      taken.add(o.base, o.base + o.size);
    }
    live = now;
  };
  const cmdlineRows = options.cmdlineRows ?? [];

  const nodeOf = (addr: Addr) => ram.find((b) => addr >= b.base && addr < b.base + b.size)?.nid ?? null;
  const nodesOf = (base: Addr, size: Addr) => {
    const set = new Set<number>();
    for (const b of ram) if (b.base < base + size && base < b.base + b.size) set.add(b.nid);
    return [...set].sort((a, b) => a - b);
  };
  const ramCovers = (base: Addr, size: Addr) => {
    let covered = 0n;
    for (const b of ram) {
      const s = b.base > base ? b.base : base;
      const e = b.base + b.size < base + size ? b.base + b.size : base + size;
      if (e > s) covered += e - s;
    }
    return covered === size;
  };

  stream.forEach((op, index) => {
    switch (op.kind) {
      case 'reserve': {
        const fromCmdline = op.origin === 'cmdline';
        const r = allocator.reserve(op.base, op.size, op.label);
        syncOverhead();
        reservations.push({
          line: op.line,
          base: op.base,
          size: op.size,
          label: op.label,
          owner: op.owner,
          source: fromCmdline ? 'cmdline' : 'log',
          outsideRam: !ramCovers(op.base, op.size),
          overlapsAllocation: allocated.count(op.base, op.base + op.size) > 0n,
          note: r.note,
        });
        taken.add(op.base, op.base + op.size);
        return;
      }
      case 'alloc': {
        if (!activated) {
          activated = true;
          allocator.activate();
          syncOverhead();
        }
        const req: BootRequest = op.request;
        let placement = allocator.alloc(req);
        let retried = false;
        if (!placement && op.retry) {
          placement = allocator.alloc(op.retry);
          retried = placement !== null;
        }
        syncOverhead();
        const predicted = placement ? placement.base : null;
        const physicalNodes = placement ? nodesOf(placement.base, placement.size) : [];
        const requested = req.nid;
        const offNode = placement !== null && requested !== null && physicalNodes.some((n) => n !== requested);
        const conflict = placement !== null && taken.count(placement.base, placement.base + placement.size) > 0n;
        const row: WhatIfRequestRow = {
          index,
          line: op.line,
          source: op.line === 0 ? 'cmdline' : 'log',
          label: op.label,
          owner: op.owner,
          size: req.size,
          align: req.align,
          goal: req.goal,
          limit: req.limit,
          requestedNode: requested,
          original: op.original,
          predicted,
          failed: placement === null,
          moved: op.original !== null && predicted !== op.original,
          servedBy: placement?.servedBy ?? null,
          physicalNode: placement ? nodeOf(placement.base) : null,
          physicalNodes,
          offNode,
          fallback: offNode && (placement?.fallback ?? false),
          localityViolation: offNode && !(placement?.fallback ?? false),
          conflict,
        };
        if (retried) row.note = `no room in the first range; placed by the fallback request (goal 0x${op.retry!.goal.toString(16)})`;
        if (conflict) row.note = 'overlaps memory already allocated or reserved: handed out twice';
        requests.push(row);
        if (op.original !== null) moves.push({ original: op.original, size: req.size, predicted });
        if (placement) {
          taken.add(placement.base, placement.base + placement.size);
          allocated.add(placement.base, placement.base + placement.size);
        }
        return;
      }
      case 'free':
      case 'free-late': {
        // A free of an allocation that moved follows it; a free of one that failed is dropped.
        const move = moves.find((m) => op.base >= m.original && op.base < m.original + m.size);
        let base = op.base;
        if (move) {
          if (move.predicted === null) return;
          base = move.predicted + (op.base - move.original);
        }
        if (op.kind === 'free') allocator.free(base, op.size);
        taken.remove(base, base + op.size);
        allocated.remove(base, base + op.size);
        syncOverhead();
        return;
      }
      case 'handoff':
        measured ??= { free: taken.clone() };
        return;
    }
  });

  const finalTaken = measured?.free ?? taken;
  const nodes = nodeRows(ram, finalTaken, options.pageSize ?? 4096n);
  const count = (f: (r: WhatIfRequestRow) => boolean) => requests.filter(f).length;
  return {
    model: options.model,
    bottomUp: options.bottomUp ?? false,
    layoutSource: options.layoutSource ?? 'option',
    layout: ram,
    requests,
    reservations,
    overhead,
    cmdline: cmdlineRows,
    nodes,
    measuredAt: measured ? 'handoff' : 'end',
    totals: {
      requests: requests.length,
      placed: count((r) => !r.failed),
      failures: count((r) => r.failed),
      moved: count((r) => r.moved),
      offNode: count((r) => r.offNode),
      fallbacks: count((r) => r.fallback),
      localityViolations: count((r) => r.localityViolation),
      conflicts: count((r) => r.conflict),
      reservations: reservations.length,
      reservationsOverlappingAllocations: reservations.filter((r) => r.overlapsAllocation).length,
    },
    notes,
  };
}

/** Free bytes and the largest free run (whole pages) per node. */
export function nodeRows(ram: readonly NodeBlock[], taken: RangeSet, page: Addr): WhatIfNodeRow[] {
  const rows = new Map<number, WhatIfNodeRow & { runEnd?: Addr; runStart?: Addr }>();
  for (const b of ram) {
    let row = rows.get(b.nid);
    if (!row) {
      row = { nid: b.nid, ramBytes: 0n, freeBytes: 0n, largestFreeBlock: null };
      rows.set(b.nid, row);
    }
    row.ramBytes += b.size;
    for (const gap of taken.gaps(b.base, b.base + b.size)) {
      const s = ((gap.start + page - 1n) / page) * page;
      const e = (gap.end / page) * page;
      if (e <= s) continue;
      row.freeBytes += e - s;
      // Runs continue across adjacent blocks of the same node.
      if (row.runEnd === s && row.runStart !== undefined) {
        row.runEnd = e;
      } else {
        row.runStart = s;
        row.runEnd = e;
      }
      const size = row.runEnd - row.runStart;
      if (!row.largestFreeBlock || size > row.largestFreeBlock.size) row.largestFreeBlock = { base: row.runStart, size };
    }
  }
  return [...rows.values()]
    .sort((a, b) => a.nid - b.nid)
    .map(({ nid, ramBytes, freeBytes, largestFreeBlock }) => ({ nid, ramBytes, freeBytes, largestFreeBlock }));
}

export function mergeBlocks(blocks: readonly NodeBlock[]): NodeBlock[] {
  const sorted = blocks.filter((b) => b.size > 0n).map((b) => ({ ...b })).sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
  const out: NodeBlock[] = [];
  for (const b of sorted) {
    const last = out[out.length - 1];
    if (last && last.nid === b.nid && last.base + last.size === b.base) last.size += b.size;
    else out.push(b);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Command-line changes

function applyMemParams(layout: NodeBlock[], params: readonly WhatIfParam[], out: CmdlineOutcome[]): NodeBlock[] {
  let ram = layout.map((b) => ({ ...b }));
  for (const p of params) {
    if (p.kind === 'mem') {
      ram = cut(ram, p.limit, 1n << 64n);
      out.push({ param: p.text, effect: `RAM above 0x${p.limit.toString(16)} dropped (x86 mem=: an address limit)` });
    } else if (p.kind === 'memmap') {
      if (p.exactmap) {
        ram = [];
        out.push({ param: p.text, effect: 'memmap=exactmap: the firmware RAM map is discarded' });
      } else if (p.op === 'add') {
        const nid = ram.find((b) => b.base + b.size >= p.base!)?.nid ?? ram[ram.length - 1]?.nid ?? 0;
        ram = mergeBlocks([...cut(ram, p.base!, p.base! + p.size!), { nid, base: p.base!, size: p.size! }]);
        out.push({ param: p.text, effect: `RAM added at 0x${p.base!.toString(16)} (node ${nid})` });
      } else {
        ram = cut(ram, p.base!, p.base! + p.size!);
        out.push({ param: p.text, effect: `0x${p.base!.toString(16)}+0x${p.size!.toString(16)} taken out of RAM (${p.type})` });
      }
    }
  }
  return mergeBlocks(ram);
}

/** RAM with [start, end) removed. */
function cut(ram: readonly NodeBlock[], start: Addr, end: Addr): NodeBlock[] {
  const out: NodeBlock[] = [];
  for (const b of ram) {
    const bEnd = b.base + b.size;
    if (bEnd <= start || b.base >= end) {
      out.push(b);
      continue;
    }
    if (b.base < start) out.push({ ...b, size: start - b.base });
    if (bEnd > end) out.push({ ...b, base: end, size: bEnd - end });
  }
  return out;
}

function applyStreamParams(stream: StreamOp[], params: readonly WhatIfParam[], ram: readonly NodeBlock[], out: CmdlineOutcome[], notes: string[]): StreamOp[] {
  let ops = [...stream];
  const totalRam = ram.reduce((t, b) => t + b.size, 0n);
  for (const p of params) {
    if (p.kind !== 'crashkernel' && p.kind !== 'cma') continue;
    const owner: Owner = p.kind === 'crashkernel' ? 'crashkernel' : 'cma';
    const size = p.kind === 'crashkernel' ? crashkernelSize(p, totalRam) : p.size;
    // Drop what the boot did for this owner; the new request takes the first one's place.
    let at = ops.findIndex((op) => (op.kind === 'reserve' || op.kind === 'alloc') && op.owner === owner);
    const dropped = ops.filter((op) => (op.kind === 'reserve' || op.kind === 'alloc') && op.owner === owner).length;
    ops = ops.filter((op) => !((op.kind === 'reserve' || op.kind === 'alloc') && op.owner === owner));
    if (at < 0) {
      // Where x86 reserves it: after the NUMA set-up, before sparse_init and the per-cpu areas.
      const late = ops.findIndex((op) => op.kind === 'alloc' && (op.owner === 'memmap' || op.owner === 'percpu'));
      const handoff = ops.findIndex((op) => op.kind === 'handoff');
      at = late >= 0 ? late : handoff >= 0 ? handoff : ops.length;
    } else {
      // Keep the position relative to what remains.
      at = Math.min(at, ops.length);
    }
    if (dropped > 0) notes.push(`${p.text}: replaces ${dropped} ${owner} reservation(s) of the logged boot`);
    if (size === undefined || size === 0n) {
      out.push({ param: p.text, effect: `no ${owner} size applies to ${totalRam} bytes of RAM: nothing reserved` });
      continue;
    }
    const fixed = p.kind === 'crashkernel' ? p.offset : p.base;
    const inserted: StreamOp[] = [];
    if (fixed !== undefined) {
      inserted.push({ kind: 'reserve', line: 0, base: fixed, size, label: owner, owner, origin: 'cmdline' });
    } else if (p.kind === 'crashkernel') {
      // x86 reserve_crashkernel: CRASH_ALIGN (16 MiB), below 4 GiB first unless ,high; then the other side.
      const low: BootRequest = { size, align: CRASH_ALIGN, goal: CRASH_ALIGN, limit: G4, nid: null, label: 'crashkernel', api: 'memblock_phys_alloc_range' };
      const high: BootRequest = { size, align: CRASH_ALIGN, goal: G4, limit: 0n, nid: null, label: 'crashkernel', api: 'memblock_phys_alloc_range' };
      inserted.push({ kind: 'alloc', line: 0, request: p.high ? high : low, retry: p.high ? low : p.low ? undefined : high, original: null, label: 'crashkernel', owner });
    } else {
      inserted.push({ kind: 'alloc', line: 0, request: { size, align: CMA_ALIGN, goal: 0n, limit: 0n, nid: null, label: 'cma', api: 'memblock_phys_alloc_range' }, original: null, label: 'cma', owner });
    }
    ops.splice(at, 0, ...inserted);
    out.push({ param: p.text, effect: fixed !== undefined ? `${owner} reserved at 0x${fixed.toString(16)}` : `${owner} allocated`, size });
  }
  return ops;
}

/** Fills in where the command line's crashkernel/cma requests landed (after the run). */
export function summarizeCmdline(result: WhatIfResult): void {
  for (const row of result.cmdline) {
    if (row.size === undefined) continue;
    const owner = row.param.startsWith('crashkernel') ? 'crashkernel' : 'cma';
    const req = result.requests.find((r) => r.source === 'cmdline' && r.label === owner);
    const res = result.reservations.find((r) => r.source === 'cmdline' && r.label === owner);
    if (req) {
      row.base = req.predicted;
      if (req.predicted !== null) row.below4G = req.predicted + req.size <= G4;
      row.effect = req.failed ? `${owner}: no room for ${req.size} bytes (${req.limit ? `below 0x${req.limit.toString(16)}` : 'anywhere'}${owner === 'crashkernel' && row.param.includes('@') === false && !row.param.endsWith(',low') ? ', then on the other side of 4 GiB' : ''})` : `${owner} at 0x${req.predicted!.toString(16)}`;
    } else if (res) {
      row.base = res.base;
      row.below4G = res.base + res.size <= G4;
      if (res.outsideRam || res.overlapsAllocation) row.effect += ' (but the range is not free RAM: the kernel would refuse it)';
    }
  }
}
