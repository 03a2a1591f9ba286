// bootmem2: Johannes Weiner's RFC of 5 May 2008 (seeds/001 is its cover letter; the rules below are
// read from its patch 2/3, mm/bootmem2.c): one bitmap for all PFNs, nodes as contiguous blocks.
// Every expected address was worked out by hand.

import { describe, expect, it } from 'vitest';
import { Bootmem2 } from '../../../src/engine/allocators/bootmem2';
import { G, M, PAGE, SEED_LAYOUT, block, req } from './helpers';

describe('bootmem2 (RFC, May 2008)', () => {
  it('bootmem_register_block: one block per contiguous range of a node, numbered node by node as in the cover letter (node 0: blocks 0 and 1, node 1: blocks 2 and 3)', () => {
    const b2 = new Bootmem2({ memory: SEED_LAYOUT, placeBitmaps: false });
    expect(b2.blocks.map((b) => [b.index, b.nid, b.nodeIndex, b.start * PAGE])).toEqual([
      [0, 0, 0, 0n],
      [1, 0, 1, 4n * G],
      [2, 1, 0, 2n * G],
      [3, 1, 1, 6n * G],
    ]);
    expect(b2.maxPfn).toBe((8n * G) / PAGE);
  });

  it('adjacent ranges of one node make one block', () => {
    const b2 = new Bootmem2({ memory: [block(0, 0n, 1n * G), block(0, 1n * G, 2n * G)], placeBitmaps: false });
    expect(b2.blocks).toHaveLength(1);
  });

  it('one bitmap: a reserved PFN is reserved for every node (a PFN stays unique)', () => {
    const b2 = new Bootmem2({ memory: SEED_LAYOUT, placeBitmaps: false });
    b2.reserve(3n * G, PAGE);
    expect(b2.alloc(req(PAGE, { align: PAGE, nid: 1, goal: 3n * G }))?.base).toBe(3n * G + PAGE);
  });

  it('bootmem_alloc_node: a node request must fit entirely inside one block of that node', () => {
    const b2 = new Bootmem2({ memory: SEED_LAYOUT, placeBitmaps: false });
    expect(b2.alloc(req(1536n * M, { align: PAGE, nid: 1 }))).toMatchObject({ base: 2n * G, servedBy: 1, fallback: false });
    // 0.5G left in block 2; the next 1.5G goes to block 3 (6G), never across 4G into node 0's block
    expect(b2.alloc(req(1536n * M, { align: PAGE, nid: 1 }))).toMatchObject({ base: 6n * G, servedBy: 1, fallback: false });
  });

  it('bootmem_alloc_node: a node request that fits none of its node\'s blocks fails; it never falls back to another node', () => {
    const b2 = new Bootmem2({ memory: [block(0, 0n, 1n * G), block(1, 1n * G, 1n * G + 64n * M)], placeBitmaps: false });
    expect(b2.alloc(req(128n * M, { nid: 1 }))).toBeNull();
    expect(b2.alloc(req(128n * M, { nid: 1, exact: true }))).toBeNull();
    expect(b2.alloc(req(128n * M))?.base).toBe(0n); // without a node it is placed
  });

  it('bootmem_alloc_node: the search starts at the node\'s block holding the goal and goes on to the node\'s later blocks only, never back to earlier ones', () => {
    const b2 = new Bootmem2({ memory: SEED_LAYOUT, placeBitmaps: false });
    b2.reserve(4n * G, 2n * G); // node 0's block 1 is full; block 0 (0-2G) is free
    expect(b2.alloc(req(PAGE, { align: PAGE, nid: 0, goal: 5n * G }))).toBeNull();
    // a goal in no block of the node is dropped and the search starts at the node's first block
    expect(b2.alloc(req(PAGE, { align: PAGE, nid: 0, goal: 3n * G }))?.base).toBe(0n);
  });

  it('bootmem_alloc_block: inside the goal\'s block, first fit from the goal, then once more from the block start', () => {
    const b2 = new Bootmem2({ memory: SEED_LAYOUT, placeBitmaps: false });
    expect(b2.alloc(req(PAGE, { align: PAGE, nid: 1, goal: 3n * G }))?.base).toBe(3n * G);
    b2.reserve(3n * G, 1n * G);
    expect(b2.alloc(req(PAGE, { align: PAGE, nid: 1, goal: 3n * G }))?.base).toBe(2n * G);
  });

  it('bootmem_alloc_block(-1): a request without a node searches the whole bitmap, first fit from the goal, then from the lowest PFN; a block may run from one node\'s block into the next', () => {
    const b2 = new Bootmem2({ memory: [block(0, 0n, 1n * G), block(1, 1n * G, 2n * G)], placeBitmaps: false });
    b2.reserve(0n, 1n * G - PAGE);
    expect(b2.alloc(req(2n * PAGE, { align: PAGE }))).toMatchObject({ base: 1n * G - PAGE, servedBy: null, fallback: false });
    const seed = new Bootmem2({ memory: SEED_LAYOUT, placeBitmaps: false });
    seed.reserve(0n, 8n * G);
    seed.free(1n * G, PAGE);
    seed.free(7n * G, PAGE);
    expect(seed.alloc(req(PAGE, { align: PAGE, goal: 5n * G }))?.base).toBe(7n * G); // above the goal first, in any block
    expect(seed.alloc(req(PAGE, { align: PAGE, goal: 5n * G }))?.base).toBe(1n * G); // then from the bottom
  });

  it('__bootmem_alloc_block: partial pages are packed per block; requests without a node use block 0\'s slot', () => {
    const b2 = new Bootmem2({ memory: SEED_LAYOUT, placeBitmaps: false });
    expect(b2.alloc(req(100n, { align: 64n }))?.base).toBe(0n); // slot of block 0 ends at 0x64
    expect(b2.alloc(req(100n, { align: 64n, nid: 1 }))?.base).toBe(2n * G); // block 2's own slot
    expect(b2.alloc(req(100n, { align: 64n }))?.base).toBe(0x80n); // continues in page 0
    expect(b2.alloc(req(100n, { align: 64n, nid: 0 }))?.base).toBe(0x100n); // node 0's block 0 shares that slot
    expect(b2.alloc(req(100n, { align: 64n, nid: 1 }))?.base).toBe(2n * G + 0x80n);
  });

  it('bootmem_reserve / bootmem_free reaching outside [min_pfn, max_pfn) is a BUG (check_bootmem_parms); freeing a free page is a BUG', () => {
    const b2 = new Bootmem2({ memory: [block(0, 1n * M, 2n * M)], placeBitmaps: false });
    expect(b2.reserve(0n, PAGE)).toMatchObject({ ok: false });
    expect(b2.free(1n * M, PAGE).note).toMatch(/double free/);
  });

  it('enabling places the one bitmap for all PFNs in the lowest free pages (placement by the arch: inferred)', () => {
    const b2 = new Bootmem2({ memory: SEED_LAYOUT });
    // 2M pages -> 256 KiB of bitmap
    expect(b2.activate()).toEqual([{ base: 0n, size: 256n * 1024n, label: 'bootmem2 bitmap (all nodes)', nid: 0 }]);
  });
});
