// bootmem, 2008 rewrite (mm/bootmem.c 2.6.27–4.19) and the classic pre-2.6.27 allocator. Every
// scenario was worked out by hand from the rules in docs/allocators.md, which names the kernel
// source (file and version) each rule was read from; test names cite the version read.

import { describe, expect, it } from 'vitest';
import { Bootmem } from '../../../src/engine/allocators/bootmem';
import { G, M, PAGE, SEED_LAYOUT, block, req } from './helpers';

const oneNode = (end: bigint) => new Bootmem({ memory: [block(0, 0n, end)], placeBitmaps: false }, '2008');

describe('bootmem (2008 rewrite)', () => {
  it('init_bootmem_core reserves every page of the span; only the RAM the arch frees is allocatable (holes stay reserved)', () => {
    const bm = new Bootmem({ memory: [block(0, 0n, 1n * M), block(0, 2n * M, 16n * M)], placeBitmaps: false }, '2008');
    // 1 MiB at goal 0 fits exactly in [0,1M); the next must skip the hole [1M,2M).
    expect(bm.alloc(req(1n * M, { align: PAGE }))?.base).toBe(0n);
    expect(bm.alloc(req(PAGE, { align: PAGE }))?.base).toBe(2n * M);
  });

  it('reserve_bootmem rounds outwards (PFN_DOWN start, PFN_UP end); free_bootmem rounds inwards, so a partial page stays reserved', () => {
    const bm = oneNode(1n * M);
    bm.reserve(0x1800n, 0x1000n); // pages 1 and 2
    bm.free(0x1800n, 0x1000n); // [PFN_UP(0x1800), PFN_DOWN(0x2800)) = [2,2): nothing
    expect(bm.alloc(req(PAGE, { align: PAGE }))?.base).toBe(0n);
    expect(bm.alloc(req(PAGE, { align: PAGE }))?.base).toBe(0x3000n);
  });

  it('alloc_bootmem_bdata searches bottom-up, first fit, starting at the goal', () => {
    const bm = oneNode(64n * M);
    expect(bm.alloc(req(PAGE, { goal: 16n * M }))?.base).toBe(16n * M);
    expect(bm.alloc(req(PAGE, { align: PAGE, goal: 16n * M }))?.base).toBe(16n * M + PAGE);
  });

  it('___alloc_bootmem drops the goal (goal = 0) when nothing fits above it', () => {
    const bm = oneNode(32n * M);
    bm.reserve(16n * M, 16n * M);
    expect(bm.alloc(req(PAGE, { goal: 16n * M }))?.base).toBe(0n);
  });

  it('sub-page packing: a small block continues in the partial last page of the previous one (align_off on the absolute address)', () => {
    const bm = oneNode(1n * M);
    expect(bm.alloc(req(100n, { align: 64n }))?.base).toBe(0n);
    expect(bm.alloc(req(100n, { align: 64n }))?.base).toBe(0x80n); // ALIGN(100, 64)
    // 0x80+100 = 0xe4 -> ALIGN 64 = 0x100; it spills into page 1, which is reserved; page 0 is not reserved twice
    expect(bm.alloc(req(4096n, { align: 64n }))?.base).toBe(0x100n);
    expect(bm.node(0)!.map.intervals()).toEqual([{ start: 0n, end: 2n }]);
  });

  it('sub-page packing needs the page right after the partial page to be the first free one found', () => {
    const bm = oneNode(1n * M);
    bm.alloc(req(100n, { align: 64n })); // 0x0, last_end_off 0x64
    bm.reserve(0x1000n, 0x1000n); // page 1 busy: the search finds page 2, not PFN_DOWN(0x64)+1
    expect(bm.alloc(req(100n, { align: 64n }))?.base).toBe(0x2000n);
  });

  it('alignment is absolute: align_idx rounds node_min_pfn + idx, not idx', () => {
    const bm = new Bootmem({ memory: [block(0, PAGE, 1n * M)], placeBitmaps: false }, '2008');
    expect(bm.alloc(req(PAGE, { align: 0x4000n }))?.base).toBe(0x4000n);
  });

  it('the search starts at hint_idx when it lies above the goal, then once more from the goal', () => {
    const bm = oneNode(16n * PAGE);
    expect(bm.alloc(req(PAGE, { align: PAGE, goal: 12n * PAGE }))?.base).toBe(12n * PAGE); // hint_idx = 13
    // 4 pages from the hint: only 13..15 remain -> fallback to the original start
    expect(bm.alloc(req(4n * PAGE, { align: PAGE }))?.base).toBe(0n);
  });

  it('free_bootmem lowers hint_idx, so the next search starts at the freed page', () => {
    const bm = oneNode(1n * M);
    expect(bm.alloc(req(3n * PAGE, { align: PAGE }))?.base).toBe(0n);
    bm.free(0n, PAGE);
    expect(bm.alloc(req(PAGE, { align: PAGE }))?.base).toBe(0n);
  });

  it('alloc_bootmem_core tries the node holding the goal first (nodes ending below the goal are skipped)', () => {
    const bm = new Bootmem({ memory: [block(0, 0n, 32n * M), block(1, 32n * M, 64n * M)], placeBitmaps: false }, '2008');
    const p = bm.alloc(req(PAGE, { goal: 40n * M }));
    expect(p).toMatchObject({ base: 40n * M, servedBy: 1, fallback: false });
  });

  it('a node request tries its own node, then every node in address order (a fallback off-node)', () => {
    const bm = new Bootmem({ memory: [block(0, 0n, 32n * M), block(1, 32n * M, 64n * M)], placeBitmaps: false }, '2008');
    bm.reserve(32n * M, 32n * M);
    expect(bm.alloc(req(PAGE, { nid: 1 }))).toMatchObject({ base: 0n, servedBy: 0, fallback: true });
    expect(bm.alloc(req(PAGE, { nid: 1, exact: true }))).toBeNull();
  });

  it('the limit caps the search (max = PFN_DOWN(limit))', () => {
    const bm = oneNode(64n * M);
    bm.reserve(0n, 1n * M);
    expect(bm.alloc(req(PAGE, { limit: 1n * M }))).toBeNull();
    expect(bm.alloc(req(PAGE, { limit: 2n * M }))?.base).toBe(1n * M);
  });

  it('mark_bootmem: a reserve may cross node boundaries when the PFN range is contiguous', () => {
    const bm = new Bootmem({ memory: [block(0, 0n, 32n * M), block(1, 32n * M, 64n * M)], placeBitmaps: false }, '2008');
    expect(bm.reserve(30n * M, 4n * M).ok).toBe(true);
    expect(bm.node(0)!.map.has((31n * M) / PAGE)).toBe(true);
    expect(bm.node(1)!.map.has(0n)).toBe(true);
  });

  it('mark_bootmem: a range that runs into a gap between nodes is a BUG', () => {
    const bm = new Bootmem({ memory: [block(0, 0n, 16n * M), block(1, 32n * M, 48n * M)], placeBitmaps: false }, '2008');
    const r = bm.reserve(8n * M, 32n * M);
    expect(r.ok).toBe(false);
    expect(r.note).toMatch(/BUG/);
  });

  it('with overlapping nodes, a PFN is marked in the first node (list order) whose span holds it', () => {
    // node 0 span [0,6G), node 1 span [2G,8G); free_bootmem_node frees each node's own ranges.
    const bm = new Bootmem({ memory: SEED_LAYOUT, placeBitmaps: false }, '2008');
    // reserve_bootmem of 3G goes to node 0's bitmap (already set there), node 1 still sees it free
    bm.reserve(3n * G, PAGE);
    expect(bm.alloc(req(PAGE, { align: PAGE, nid: 1, goal: 3n * G }))?.base).toBe(3n * G);
  });

  it('2.6.28–4.19 __free: a free_bootmem of less than a page clears nothing but still lowers hint_idx, so the next search starts at that page', () => {
    const bm = oneNode(1n * M);
    expect(bm.alloc(req(2n * PAGE, { align: PAGE }))?.base).toBe(0n); // pages 0-1, hint 2
    expect(bm.alloc(req(PAGE, { align: PAGE }))?.base).toBe(2n * PAGE); // page 2, hint 3
    bm.free(0n, 2n * PAGE); // hint 0
    expect(bm.alloc(req(PAGE, { align: PAGE }))?.base).toBe(0n); // page 0, hint 1
    expect(bm.alloc(req(2n * PAGE, { align: PAGE }))?.base).toBe(3n * PAGE); // [1,3) hits page 2: pages 3-4, hint 5; page 1 stays free
    // [PFN_UP(0x800), PFN_DOWN(0x900)) = [1, 0): nothing to clear, hint_idx drops to 1
    expect(bm.free(0x800n, 0x100n).ok).toBe(true);
    expect(bm.alloc(req(PAGE, { align: PAGE }))?.base).toBe(PAGE); // from the hint (5) it would be page 5
  });

  it('2.6.28–4.19 mark_bootmem: past a node\'s end the range must go on in the next node of the list; a node nested in the span comes next here, so a reserve from node 0 into node 2 is a BUG', () => {
    // spans: node 0 [0,16M) (RAM 0-4M, 8-16M), node 1 [4M,8M), node 2 [16M,32M); list order 0, 1, 2
    const bm = new Bootmem({ memory: [block(0, 0n, 4n * M), block(1, 4n * M, 8n * M), block(0, 8n * M, 16n * M), block(2, 16n * M, 32n * M)], placeBitmaps: false }, '2008');
    expect(bm.bdata.map((b) => b.nid)).toEqual([0, 1, 2]);
    const r = bm.reserve(12n * M, 8n * M); // node 0 to its end (16M); node 1 does not hold 16M: BUG
    expect(r.ok).toBe(false);
    expect(r.note).toMatch(/BUG/);
    // the model still marks node 2's part so a what-if can go on
    expect(bm.node(2)!.map.has(0n)).toBe(true);
    // a range that stays inside node 0 is fine
    expect(bm.reserve(9n * M, PAGE).ok).toBe(true);
  });

  it('2.6.28–2.6.30 ___alloc_bootmem_node: own node with the goal, then every node with the goal, then every node from 0, so node 0 serves it; 3.x–4.19 retry the own node without the goal first', () => {
    const layout = [block(0, 0n, 32n * M), block(1, 32n * M, 64n * M)];
    const make = (bootmemRevision: '2.6.2x' | '4.19') => {
      const bm = new Bootmem({ memory: layout, placeBitmaps: false, bootmemRevision }, '2008');
      bm.reserve(48n * M, 16n * M); // nothing on node 1 at or above the goal
      return bm;
    };
    expect(make('2.6.2x').alloc(req(PAGE, { align: PAGE, nid: 1, goal: 48n * M }))).toMatchObject({ base: 0n, servedBy: 0, fallback: true });
    expect(make('4.19').alloc(req(PAGE, { align: PAGE, nid: 1, goal: 48n * M }))).toMatchObject({ base: 32n * M, servedBy: 1, fallback: false });
  });

  it('3.x–4.19 ___alloc_bootmem_node_nopanic drops a limit that goal + size passes (alloc_bootmem_bdata would BUG on it)', () => {
    const bm = oneNode(64n * M);
    // limit 16M + 2K < goal + 4K: limit dropped, the goal holds
    expect(bm.alloc(req(PAGE, { align: PAGE, nid: 0, goal: 16n * M, limit: 16n * M + 0x800n }))?.base).toBe(16n * M);
  });

  it('x86-32 NUMA, 2.6.28–3.7 alloc_arch_preferred_bootmem: every allocation tries node 0 first, even a node-1 request or a goal on node 1', () => {
    const layout = [block(0, 0n, 32n * M), block(1, 32n * M, 64n * M)];
    const bm = new Bootmem({ memory: layout, placeBitmaps: false, bootmemPreferredNid: 0 }, '2008');
    expect(bm.alloc(req(PAGE, { align: PAGE, nid: 1 }))).toMatchObject({ base: 0n, servedBy: 0, fallback: true });
    // the goal (40M) is not inside node 0: its search starts at the node start
    expect(bm.alloc(req(PAGE, { align: PAGE, goal: 40n * M }))).toMatchObject({ base: PAGE, servedBy: 0 });
  });

  it('activate() places each node bitmap (one bit per page, long-aligned) in the node\'s lowest free pages', () => {
    const bm = new Bootmem({ memory: [block(0, 0n, 64n * M)] }, '2008');
    bm.reserve(0n, 1n * M);
    const placed = bm.activate();
    // 16384 pages -> 2048 bytes -> one page at 1 MiB
    expect(placed).toEqual([{ base: 1n * M, size: PAGE, label: 'bootmem bitmap (node 0)', nid: 0 }]);
  });
});

describe('bootmem (classic, before 2.6.27)', () => {
  it('free_bootmem and reserve_bootmem act on every node whose span holds the range (overlapping spans see a PFN twice)', () => {
    const bm = new Bootmem({ memory: SEED_LAYOUT, placeBitmaps: false }, 'classic');
    // node 1 spans [2G,8G): 4–6G (node 0's RAM) is free in its bitmap too
    const n1 = bm.node(1)!;
    expect(n1.map.has((4n * G) / PAGE - n1.min)).toBe(false);
    bm.reserve(5n * G, PAGE);
    expect(bm.node(0)!.map.has((5n * G) / PAGE)).toBe(true);
    expect(n1.map.has((5n * G) / PAGE - n1.min)).toBe(true);
  });

  it('__alloc_bootmem satisfies the goal only if it is on the first node that has room', () => {
    const layout = [block(0, 0n, 32n * M), block(1, 32n * M, 64n * M)];
    const classic = new Bootmem({ memory: layout, placeBitmaps: false }, 'classic');
    expect(classic.alloc(req(PAGE, { goal: 40n * M }))?.base).toBe(0n);
    const rewrite = new Bootmem({ memory: layout, placeBitmaps: false }, '2008');
    expect(rewrite.alloc(req(PAGE, { goal: 40n * M }))?.base).toBe(40n * M);
  });

  it('an allocation marks only the serving node\'s bitmap, so an overlapping node can hand out the same page again', () => {
    const bm = new Bootmem({ memory: SEED_LAYOUT, placeBitmaps: false }, 'classic');
    const a = bm.alloc(req(PAGE, { align: PAGE, nid: 1 }));
    expect(a).toMatchObject({ base: 2n * G, servedBy: 1 });
    const b = bm.alloc(req(PAGE, { align: PAGE, nid: 0, goal: 2n * G }));
    expect(b).toMatchObject({ base: 2n * G, servedBy: 0 });
  });

  it('a node-1 request can be served from 4–6G, which is physically node 0 (the seed\'s complaint)', () => {
    const bm = new Bootmem({ memory: SEED_LAYOUT, placeBitmaps: false }, 'classic');
    expect(bm.alloc(req(2n * G, { align: PAGE, nid: 1 }))?.base).toBe(2n * G);
    const p = bm.alloc(req(1n * G, { align: PAGE, nid: 1 }));
    expect(p).toMatchObject({ base: 4n * G, servedBy: 1, fallback: false });
  });

  it('partial pages are packed through last_pos/last_offset only when align < PAGE_SIZE', () => {
    const bm = new Bootmem({ memory: [block(0, 0n, 1n * M)], placeBitmaps: false }, 'classic');
    expect(bm.alloc(req(100n, { align: 64n }))?.base).toBe(0n);
    expect(bm.alloc(req(100n, { align: 64n }))?.base).toBe(0x80n);
    expect(bm.alloc(req(100n, { align: PAGE }))?.base).toBe(PAGE);
  });

  it('2.6.26 __alloc_bootmem_core: the scan restarts from the node start when nothing fits above the preferred start', () => {
    const bm = new Bootmem({ memory: [block(0, 0n, 32n * M)], placeBitmaps: false }, 'classic');
    bm.reserve(16n * M, 16n * M);
    expect(bm.alloc(req(PAGE, { goal: 16n * M }))?.base).toBe(0n);
  });

  it('2.6.26 __alloc_bootmem_core: a goal below the node still lets last_success choose the start, so the search resumes after the node\'s last block', () => {
    const bm = new Bootmem({ memory: [block(0, 0n, 32n * M), block(1, 32n * M, 64n * M)], placeBitmaps: false }, 'classic');
    expect(bm.alloc(req(PAGE, { align: PAGE, nid: 1, goal: 40n * M }))?.base).toBe(40n * M); // last_success(node 1) = 40M
    // goal 16M lies below node 1: preferred = 0, then last_success (40M) - node start >= 0 -> start at 40M
    expect(bm.alloc(req(PAGE, { align: PAGE, nid: 1, goal: 16n * M }))?.base).toBe(40n * M + PAGE);
    // a goal above the node's end: no preferred start and no last_success, the node start
    expect(bm.alloc(req(PAGE, { align: PAGE, nid: 1, goal: 80n * M }))?.base).toBe(32n * M);
  });

  it('2.6.26 __alloc_bootmem_core: with a limit last_success is practically never used (the limit\'s PFN is compared with its byte address)', () => {
    const fresh = () => {
      const bm = new Bootmem({ memory: [block(0, 0n, 64n * M)], placeBitmaps: false }, 'classic');
      expect(bm.alloc(req(PAGE, { align: PAGE, goal: 16n * M }))?.base).toBe(16n * M); // last_success = 16M
      return bm;
    };
    expect(fresh().alloc(req(PAGE, { align: PAGE, goal: 1n * M }))?.base).toBe(16n * M + PAGE);
    expect(fresh().alloc(req(PAGE, { align: PAGE, goal: 1n * M, limit: 32n * M }))?.base).toBe(1n * M);
  });

  it('2.6.26 free_bootmem_core: a free below last_success moves it down to the freed address', () => {
    const bm = new Bootmem({ memory: [block(0, 0n, 64n * M)], placeBitmaps: false }, 'classic');
    expect(bm.alloc(req(PAGE, { align: PAGE, goal: 8n * M }))?.base).toBe(8n * M);
    expect(bm.alloc(req(PAGE, { align: PAGE, goal: 16n * M }))?.base).toBe(16n * M); // last_success 16M
    bm.free(8n * M, PAGE); // last_success 8M
    expect(bm.alloc(req(PAGE, { align: PAGE, goal: 4n * M }))?.base).toBe(8n * M);
  });

  it('2.6.26 __alloc_bootmem_core: on a node starting at PFN 1 a 2 MiB-aligned block is tested and marked in a bitmap view moved by whole longs (448 pages) while the start moved 511: the bits set lie 63 pages below the block returned', () => {
    const bm = new Bootmem({ memory: [block(0, PAGE, 64n * M)], placeBitmaps: false }, 'classic');
    expect(bm.alloc(req(4n * PAGE, { align: 2n * M }))?.base).toBe(2n * M);
    const n0 = bm.node(0)!; // map index = PFN - 1
    expect(n0.map.intervals()).toEqual([{ start: 448n, end: 452n }]); // PFNs 0x1c1-0x1c4, i.e. 0x1c1000-0x1c4fff
    // so the block's own first page is still free in the bitmap and is handed out again
    expect(bm.alloc(req(PAGE, { align: PAGE, goal: 2n * M }))?.base).toBe(2n * M);
    // with 32-bit longs the view moves 480 pages: 31 pages below
    const bm32 = new Bootmem({ memory: [block(0, PAGE, 64n * M)], placeBitmaps: false, bitsPerLong: 32 }, 'classic');
    bm32.alloc(req(4n * PAGE, { align: 2n * M }));
    expect(bm32.node(0)!.map.intervals()).toEqual([{ start: 480n, end: 484n }]);
  });

  it('x86-32 NUMA before 2.6.27 (HAVE_ARCH_BOOTMEM_NODE macros): every alloc_bootmem* goes through node 0 first', () => {
    const bm = new Bootmem({ memory: [block(0, 0n, 32n * M), block(1, 32n * M, 64n * M)], placeBitmaps: false, bootmemPreferredNid: 0 }, 'classic');
    expect(bm.alloc(req(PAGE, { align: PAGE, nid: 1, goal: 40n * M }))).toMatchObject({ base: 0n, servedBy: 0, fallback: true });
  });
});
