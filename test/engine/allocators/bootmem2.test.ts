// bootmem2 (the 2008 RFC in seeds/001): one bitmap for all PFNs, nodes as contiguous blocks.

import { describe, expect, it } from 'vitest';
import { Bootmem2 } from '../../../src/engine/allocators/bootmem2';
import { G, M, PAGE, SEED_LAYOUT, block, req } from './helpers';

describe('bootmem2', () => {
  it('registers one block per contiguous range of a node, in address order (node 0: blocks 0 and 2, node 1: blocks 1 and 3 in the seed layout)', () => {
    const b2 = new Bootmem2({ memory: SEED_LAYOUT, placeBitmaps: false });
    expect(b2.blocks.map((b) => [b.index, b.nid])).toEqual([[0, 0], [1, 1], [2, 0], [3, 1]]);
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

  it('a node request must fit entirely inside one block of that node', () => {
    const b2 = new Bootmem2({ memory: SEED_LAYOUT, placeBitmaps: false });
    expect(b2.alloc(req(1536n * M, { align: PAGE, nid: 1 }))).toMatchObject({ base: 2n * G, servedBy: 1, fallback: false });
    // 0.5G left in block 1; the next 1.5G goes to block 3 (6G), never across 4G into node 0's block
    expect(b2.alloc(req(1536n * M, { align: PAGE, nid: 1 }))).toMatchObject({ base: 6n * G, servedBy: 1, fallback: false });
  });

  it('a request larger than every block of the node falls back to another node only as a flagged fallback (exact requests fail)', () => {
    const b2 = new Bootmem2({ memory: [block(0, 0n, 1n * G), block(1, 1n * G, 1n * G + 64n * M)], placeBitmaps: false });
    expect(b2.alloc(req(128n * M, { nid: 1, exact: true }))).toBeNull();
    expect(b2.alloc(req(128n * M, { nid: 1 }))).toMatchObject({ base: 0n, servedBy: 0, fallback: true });
  });

  it('the goal picks the block holding it first; the goal is dropped when nothing fits above it', () => {
    const b2 = new Bootmem2({ memory: SEED_LAYOUT, placeBitmaps: false });
    expect(b2.alloc(req(PAGE, { goal: 5n * G }))?.base).toBe(5n * G);
    b2.reserve(0n, 8n * G);
    b2.free(1n * G, PAGE);
    expect(b2.alloc(req(PAGE, { goal: 5n * G }))?.base).toBe(1n * G);
  });

  it('enabling places the one bitmap for all PFNs in the lowest free pages', () => {
    const b2 = new Bootmem2({ memory: SEED_LAYOUT });
    // 2M pages -> 256 KiB of bitmap
    expect(b2.activate()).toEqual([{ base: 0n, size: 256n * 1024n, label: 'bootmem2 bitmap (all nodes)', nid: 0 }]);
  });
});
