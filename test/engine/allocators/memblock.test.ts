// memblock behind the common interface.

import { describe, expect, it } from 'vitest';
import { MemblockAllocator } from '../../../src/engine/allocators/memblock';
import { createAllocator, ALLOCATOR_MODELS } from '../../../src/engine/allocators/index';
import { G, M, SEED_LAYOUT, block, req } from './helpers';

describe('memblock allocator adapter', () => {
  it('searches top-down by default and bottom-up when asked', () => {
    expect(new MemblockAllocator({ memory: [block(0, 0n, 64n * M)] }).alloc(req(1n * M))?.base).toBe(63n * M);
    expect(new MemblockAllocator({ memory: [block(0, 0n, 64n * M)], bottomUp: true }).alloc(req(1n * M))?.base).toBe(4096n);
  });

  it('a node request searches only that node\'s regions (attempt 1), so it never lands on another node unless it falls back', () => {
    const mb = new MemblockAllocator({ memory: SEED_LAYOUT });
    expect(mb.alloc(req(1n * G, { nid: 1 }))).toMatchObject({ base: 7n * G, servedBy: 1, fallback: false });
    expect(mb.alloc(req(1n * G, { nid: 1 }))).toMatchObject({ base: 6n * G, servedBy: 1 });
    expect(mb.alloc(req(2n * G, { nid: 1 }))).toMatchObject({ base: 2n * G, servedBy: 1 });
    expect(mb.alloc(req(1n * G, { nid: 1 }))).toMatchObject({ base: 5n * G, servedBy: null, fallback: true });
  });

  it('createAllocator knows every model name', () => {
    for (const name of ALLOCATOR_MODELS) expect(createAllocator(name, { memory: SEED_LAYOUT }).model).toBe(name);
  });
});
