// The common face of the early boot allocators Linux has used: classic bootmem (one bitmap per
// node, before 2.6.27), the 2008 bootmem rewrite, the bootmem2 proposal (one bitmap, nodes as
// contiguous blocks), x86 early_res (a list of named ranges) and memblock. docs/allocators.md
// says what each model follows, which kernel source (file and version) each rule was read from,
// and what is still inferred.

import type { Addr, Range } from '../types';
import type { NodeBlock } from '../topology';

export type AllocatorModelName = 'bootmem' | 'bootmem-2008' | 'bootmem2' | 'early_res' | 'memblock';

export const ALLOCATOR_MODELS: readonly AllocatorModelName[] = ['bootmem', 'bootmem-2008', 'bootmem2', 'early_res', 'memblock'];

export interface AllocatorSetup {
  /** RAM, each range tagged with the node it physically sits on. Ranges of one node need not be contiguous. */
  memory: readonly NodeBlock[];
  pageSize?: Addr;
  /** Default alignment of a request that passes 0 (SMP_CACHE_BYTES). */
  smpCacheBytes?: Addr;
  /** memblock only: search bottom-up instead of top-down. */
  bottomUp?: boolean;
  /**
   * bootmem models: place each bitmap in the node's own memory when the allocator is activated
   * (true, the default), so its size shows up as overhead; false leaves it out.
   */
  placeBitmaps?: boolean;
  /**
   * bootmem-2008 only: which form of the node-request fallback to follow.
   * '4.19' (default; the copies of 3.x to 4.19): own node with the goal, every node with the goal,
   * own node without it, every node without it; a limit the goal cannot honour is dropped.
   * '2.6.2x' (the 2.6.28–2.6.30 copy): own node with the goal, then every node with the goal, then
   * every node without it; the own node is not retried first.
   */
  bootmemRevision?: '2.6.2x' | '4.19';
  /**
   * bootmem models: the node every allocation tries first. x86-32 NUMA kernels did this for node 0
   * (classic: the HAVE_ARCH_BOOTMEM_NODE macros routed alloc_bootmem* to node 0; 2008 rewrite until
   * 3.7: alloc_arch_preferred_bootmem). Undefined = no preferred node (every other setup).
   */
  bootmemPreferredNid?: number;
  /** classic bootmem: BITS_PER_LONG of the kernel (the unaligned-node-start shift works in whole longs). Default 64. */
  bitsPerLong?: 32 | 64;
  /** early_res: the top of the direct mapping (get_max_mapped), where a doubled array may go. Default: no bound. */
  maxMapped?: Addr;
}

/** One allocation request in allocator-neutral terms. */
export interface BootRequest {
  size: Addr;
  /** 0 = the default alignment (SMP_CACHE_BYTES). */
  align: Addr;
  /** Lowest address wanted: bootmem's goal, memblock's min_addr, early_res's start. 0 = none. */
  goal: Addr;
  /** Exclusive upper bound; 0 = none. */
  limit: Addr;
  /** The node asked for; null = any node. */
  nid: number | null;
  /** No fallback to other nodes (memblock_alloc_exact_nid_raw, bootmem2 strict requests). */
  exact?: boolean;
  /** The kernel API that made the request, when known (memblock: phys vs virt allocation paths). */
  api?: string;
  /** What to call the reservation (early_res names entries; bootmem ignores it). */
  label?: string;
}

export interface Placement {
  base: Addr;
  size: Addr;
  /** The node whose bitmap / block / list served the request (null: not node-specific). */
  servedBy: number | null;
  /** The request named a node, and the allocator fell back to memory it knows is another node's. */
  fallback: boolean;
}

export interface OpResult {
  ok: boolean;
  /** What the kernel would have said or done (BUG, panic, silent double reserve...). */
  note?: string;
}

/** Memory the allocator takes for itself (bitmaps, a grown early_res array). */
export interface Overhead extends Range {
  label: string;
  nid?: number;
}

export interface BootAllocator {
  readonly model: AllocatorModelName;
  /** reserve_bootmem / reserve_early / memblock_reserve of a fixed range. */
  reserve(base: Addr, size: Addr, label?: string): OpResult;
  /** free_bootmem / free_early / memblock_free before the hand-off. */
  free(base: Addr, size: Addr): OpResult;
  /** An allocation; null when it fails. */
  alloc(req: BootRequest): Placement | null;
  /** Called once before the first allocation: the allocator sets itself up (bootmem places its bitmaps). */
  activate(): Overhead[];
  /** Memory the allocator took for itself so far. */
  overhead(): Overhead[];
  /** An independent copy (for predictions). */
  clone(): BootAllocator;
}

export const PAGE_SIZE_DEFAULT = 4096n;
export const SMP_CACHE_BYTES_DEFAULT = 64n;

/** Node spans: [lowest base, highest end) of each node's ranges, sorted by start (then nid). */
export function nodeSpans(memory: readonly NodeBlock[]): { nid: number; base: Addr; end: Addr }[] {
  const spans = new Map<number, { nid: number; base: Addr; end: Addr }>();
  for (const block of memory) {
    if (block.size <= 0n) continue;
    const end = block.base + block.size;
    const span = spans.get(block.nid);
    if (!span) spans.set(block.nid, { nid: block.nid, base: block.base, end });
    else {
      if (block.base < span.base) span.base = block.base;
      if (end > span.end) span.end = end;
    }
  }
  return [...spans.values()].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : a.nid - b.nid));
}

/** RAM ranges sorted by base. */
export function sortedBlocks(memory: readonly NodeBlock[]): NodeBlock[] {
  return memory.filter((b) => b.size > 0n).map((b) => ({ ...b })).sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
}
