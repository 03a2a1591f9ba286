// Hand-checked cases the conformance set does not pin down.
import { describe, expect, it } from 'vitest';
import { Memblock } from '../../../src/engine/model/memblock';
import { Flag, MAX_NUMNODES, MEMBLOCK_ALLOC_ANYWHERE, NUMA_NO_NODE, PHYS_ADDR_MAX, type Region } from '../../../src/engine/types';

const ANY = NUMA_NO_NODE;

function plain(rs: readonly Region[]): Array<[bigint, bigint, number, number]> {
  return rs.map((r) => [r.base, r.size, r.nid, r.flags]);
}

function request(over: Partial<Parameters<Memblock['predictAlloc']>[0]> = {}) {
  return {
    api: 'memblock_alloc_try_nid',
    size: 0x1000n,
    align: 0x1000n,
    from: 0n,
    maxAddr: 0n,
    nid: null,
    exactNid: false,
    ...over,
  };
}

describe('free-space search', () => {
  it('top-down never crosses a boundary between contiguous memory regions', () => {
    const mb = new Memblock();
    mb.addNode(0x100000n, 0x10000n, 0, 0);
    mb.addNode(0x110000n, 0x10000n, 1, 0);
    // 0x10000 of contiguous free space, split over two memory regions.
    mb.reserve(0x100000n, 0x8000n);
    mb.reserve(0x118000n, 0x8000n);
    expect(mb.findInRangeNode(0x10000n, 0x1000n, 0n, PHYS_ADDR_MAX, ANY, 0)).toBe(0n);
    expect(mb.findInRangeNode(0x8000n, 0x1000n, 0n, PHYS_ADDR_MAX, ANY, 0)).toBe(0x110000n);
  });

  it('top-down takes round_down(free_end - size, align); bottom-up round_up(free_start)', () => {
    const mb = new Memblock();
    mb.add(0x100000n, 0x10000n);
    mb.reserve(0x10f800n, 0x800n);
    mb.reserve(0x100000n, 0x123n);
    // Highest free range [0x100123, 0x10f800): round_down(0x10f800 - 0x100, 0x1000).
    expect(mb.findInRangeNode(0x100n, 0x1000n, 0n, 0n, ANY, 0)).toBe(0x10f000n);
    expect(mb.findInRangeNode(0x100n, 0x10n, 0n, 0n, ANY, 0)).toBe(0x10f700n);
    mb.bottomUp = true;
    expect(mb.findInRangeNode(0x100n, 0x1000n, 0n, 0n, ANY, 0)).toBe(0x101000n);
    expect(mb.findInRangeNode(0x100n, 0x20n, 0n, 0n, ANY, 0)).toBe(0x100140n);
  });

  it('never returns the first page', () => {
    const mb = new Memblock();
    mb.add(0n, 0x3000n);
    mb.bottomUp = true;
    expect(mb.findInRangeNode(0x100n, 0x10n, 0n, 0n, ANY, 0)).toBe(0x1000n);
  });

  it('end 0 (ACCESSIBLE) means current_limit', () => {
    const mb = new Memblock();
    mb.add(0x100000n, 0x100000n);
    mb.currentLimit = 0x180000n;
    expect(mb.findInRangeNode(0x1000n, 0x1000n, 0n, 0n, ANY, 0)).toBe(0x17f000n);
    expect(mb.findInRangeNode(0x1000n, 0x1000n, 0n, MEMBLOCK_ALLOC_ANYWHERE, ANY, 0)).toBe(0x1ff000n);
  });

  it('skips NOMAP always, and HOTPLUG only with movable_node', () => {
    for (const movableNode of [false, true]) {
      const mb = new Memblock({ movableNode });
      mb.addNode(0x100000n, 0x10000n, 0, 0);
      mb.addNode(0x110000n, 0x10000n, 0, Flag.HOTPLUG);
      mb.addNode(0x120000n, 0x10000n, 0, Flag.NOMAP);
      const found = mb.findInRangeNode(0x1000n, 0x1000n, 0n, 0n, ANY, 0);
      expect(found).toBe(movableNode ? 0x10f000n : 0x11f000n);
    }
  });

  it('3.13–5.10 bottom-up starts above the kernel end, then falls back to top-down', () => {
    const mb = new Memblock({ bottomUpAboveKernelEnd: 0x180000n });
    mb.add(0x100000n, 0x100000n);
    mb.bottomUp = true;
    expect(mb.findInRangeNode(0x1000n, 0x1000n, 0n, 0n, ANY, 0)).toBe(0x180000n);
    mb.reserve(0x180000n, 0x80000n);
    // Nothing above the kernel end: the whole range is searched top-down.
    expect(mb.findInRangeNode(0x1000n, 0x1000n, 0n, 0n, ANY, 0)).toBe(0x17f000n);
  });
});

describe('allocation', () => {
  it('records the requested nid, and NUMA_NO_NODE after falling back to any node (6.16+)', () => {
    const mb = new Memblock();
    mb.addNode(0x100000n, 0x10000n, 0, 0);
    mb.addNode(0x110000n, 0x10000n, 1, 0);
    expect(mb.predictAlloc(request({ nid: 0 }))).toEqual({ addr: 0x10f000n, nid: 0, attempt: 1 });
    expect(mb.allocInternal(0x1000n, 0x1000n, 0n, 0n, 0, false)).toBe(0x10f000n);
    // Node 0 is too small for 0x20000: any node, also too small -> null.
    expect(mb.predictAlloc(request({ nid: 0, size: 0x20000n }))).toBeNull();
    mb.reserve(0x100000n, 0xf000n);
    expect(mb.predictAlloc(request({ nid: 0 }))).toEqual({ addr: 0x11f000n, nid: ANY, attempt: 2 });
    expect(mb.predictAlloc(request({ nid: 0, exactNid: true }))).toBeNull();
  });

  it('drops min_addr only after both node attempts failed (attempts 3 and 4)', () => {
    const mb = new Memblock();
    mb.addNode(0x100000n, 0x10000n, 0, 0);
    mb.addNode(0x110000n, 0x10000n, 1, 0);
    const req = request({ nid: 0, from: 0x120000n, maxAddr: MEMBLOCK_ALLOC_ANYWHERE });
    expect(mb.predictAlloc(req)).toEqual({ addr: 0x10f000n, nid: 0, attempt: 3 });
    mb.reserve(0x100000n, 0x10000n);
    expect(mb.predictAlloc(req)).toEqual({ addr: 0x11f000n, nid: ANY, attempt: 4 });
  });

  it('phys_alloc APIs neither clamp to current_limit nor drop min_addr', () => {
    const mb = new Memblock();
    mb.add(0x100000n, 0x100000n);
    mb.currentLimit = 0x180000n;
    const phys = request({ api: 'memblock_phys_alloc_range', maxAddr: MEMBLOCK_ALLOC_ANYWHERE });
    expect(mb.predictAlloc(phys)?.addr).toBe(0x1ff000n);
    expect(mb.predictAlloc({ ...phys, api: 'memblock_alloc_try_nid' })?.addr).toBe(0x17f000n);
    const high = request({ api: 'memblock_phys_alloc_range', from: 0x300000n, maxAddr: MEMBLOCK_ALLOC_ANYWHERE });
    expect(mb.predictAlloc(high)).toBeNull();
    expect(mb.predictAlloc({ ...high, api: 'memblock_alloc_try_nid' })?.attempt).toBe(3);
  });

  it('align 0 means SMP_CACHE_BYTES', () => {
    const mb = new Memblock({ smpCacheBytes: 0x40 });
    mb.add(0x100000n, 0x1000n);
    mb.reserve(0x100fc0n, 0x30n); // free end 0x100fc0
    expect(mb.allocInternal(0x10n, 0n, 0n, 0n, ANY, false)).toBe(0x100f80n);
  });

  it('6.16+: allocations (RSRV_KERN) do not merge with plain reservations', () => {
    const mb = new Memblock({ numa: false });
    mb.add(0x100000n, 0x2000n);
    mb.reserve(0x101000n, 0x1000n);
    expect(mb.allocInternal(0x1000n, 0x1000n, 0n, 0n, ANY, false)).toBe(0x100000n);
    expect(plain(mb.reserved.regions)).toEqual([
      [0x100000n, 0x1000n, 0, Flag.RSRV_KERN],
      [0x101000n, 0x1000n, 0, 0],
    ]);
  });

  it('before 6.16 (rsrvKern false): allocations are plain reserves and merge with them', () => {
    const mb = new Memblock({ rsrvKern: false });
    mb.addNode(0x100000n, 0x2000n, 0, 0);
    mb.reserve(0x101000n, 0x1000n);
    expect(mb.reserved.regions[0].nid).toBe(MAX_NUMNODES);
    expect(mb.predictAlloc(request({ nid: 0 }))).toEqual({ addr: 0x100000n, nid: MAX_NUMNODES, attempt: 1 });
    expect(mb.allocInternal(0x1000n, 0x1000n, 0n, 0n, 0, false)).toBe(0x100000n);
    expect(plain(mb.reserved.regions)).toEqual([[0x100000n, 0x2000n, MAX_NUMNODES, 0]]);
  });

  it('prefers mirrored memory once some exists, then falls back', () => {
    const mb = new Memblock();
    mb.add(0x100000n, 0x20000n);
    mb.setFlag('memory', 0x100000n, 0x1000n, Flag.MIRROR);
    expect(mb.allocInternal(0x1000n, 0x1000n, 0n, 0n, ANY, false)).toBe(0x100000n);
    expect(mb.allocInternal(0x1000n, 0x1000n, 0n, 0n, ANY, false)).toBe(0x11f000n);
  });
});

describe('array doubling', () => {
  /** Fills reserved with `n` separate 0x100-byte reservations at 0x200 steps from `base`. */
  function fillReserved(mb: Memblock, base: bigint, n: number): void {
    for (let i = 0; i < n; i++) mb.reserve(base + BigInt(i) * 0x200n, 0x100n);
  }

  it('reserved doubling places the new array above the triggering range, else below it', () => {
    const mb = new Memblock({ numa: false });
    mb.allowResize = true;
    const seen: unknown[] = [];
    mb.onDouble = (array, newMax, base, size) => seen.push([array, newMax, base, size]);
    mb.add(0x100000n, 0x100000n);
    fillReserved(mb, 0x100000n, 128);
    // The 129th region: the array is searched for above [0x1f0000, 0x200000) -> nothing there;
    // so below it, top-down: just under 0x1f0000.
    mb.reserve(0x1f0000n, 0x10000n);
    expect(seen).toEqual([['reserved', 256, 0x1ee000n, 0x1800n]]);
    expect(mb.reserved.max).toBe(256);
    expect(mb.reserved.cnt).toBe(130);
    const arrayRegion = mb.reserved.regions.find((r) => r.base === 0x1ee000n);
    expect(arrayRegion).toEqual({ base: 0x1ee000n, size: 0x2000n, nid: 0, flags: Flag.RSRV_KERN });
  });

  it('memory doubling ignores the pending range and frees the previous dynamic array', () => {
    const mb = new Memblock({ initRegions: 4 });
    mb.allowResize = true;
    mb.add(0x100000n, 0x100000n);
    for (let i = 1; i <= 3; i++) mb.add(0x300000n + BigInt(i) * 0x10000n, 0x1000n);
    // cnt 4 = max and the add needs one more slot: memory doubles. Its new array goes to the
    // top of free memory, inside the very range being added (only reserved avoids it).
    mb.add(0x330000n, 0x2000n);
    expect(mb.memory.max).toBe(8);
    expect(plain(mb.reserved.regions)).toEqual([[0x330000n, 0x1000n, ANY, Flag.RSRV_KERN]]);
    for (let i = 1; i <= 5; i++) mb.add(0x500000n + BigInt(i) * 0x10000n, 0x1000n);
    // Second doubling: the old memblock-allocated array is freed, the new one reserved.
    expect(mb.memory.max).toBe(16);
    expect(mb.reserved.regions.map((r) => r.base)).toEqual([0x540000n]); // top of memory before the pending add
  });

  it('isolate doubles when cnt + 2 > max even if no split is needed', () => {
    const mb = new Memblock({ initRegions: 4 });
    mb.allowResize = true;
    mb.add(0x100000n, 0x100000n);
    fillReserved(mb, 0x100000n, 3);
    expect(mb.reserved.max).toBe(4);
    mb.free(0x100000n, 0x100n); // removes a whole region, yet 3 + 2 > 4
    expect(mb.reserved.max).toBe(8);
  });

  it('fails (without changing anything) when resizing is not allowed', () => {
    const mb = new Memblock({ initRegions: 4 });
    mb.add(0x100000n, 0x100000n);
    fillReserved(mb, 0x100000n, 4);
    const before = plain(mb.reserved.regions);
    expect(mb.reserve(0x180000n, 0x100n)).toBe(false);
    expect(plain(mb.reserved.regions)).toEqual(before);
  });
});

describe('array bookkeeping', () => {
  it('before 6.11 an empty array reads cnt 1 (the dummy entry)', () => {
    const mb = new Memblock({ emptyDummy: true });
    expect(mb.memory.cnt).toBe(1);
    mb.add(0x1000n, 0x1000n);
    expect(mb.memory.cnt).toBe(1);
    mb.add(0x3000n, 0x1000n);
    expect(mb.memory.cnt).toBe(2);
    mb.remove(0n, 0x10000n);
    expect(mb.memory.cnt).toBe(1);
    expect(mb.memory.slot(0)).toEqual({ base: 0n, size: 0n, nid: MAX_NUMNODES, flags: 0 });
    expect(new Memblock().memory.cnt).toBe(0);
  });

  it('trim_memory keeps the stale total_size of shrunk regions', () => {
    const mb = new Memblock();
    mb.add(0x1010n, 0x2000n);
    mb.add(0x8000n, 0x10n);
    mb.trimMemory(0x1000n);
    expect(plain(mb.memory.regions)).toEqual([[0x2000n, 0x1000n, MAX_NUMNODES, 0]]);
    expect(mb.memory.totalSize).toBe(0x2000n);
  });

  it('without NUMA, nid writes are ignored and read as 0', () => {
    const mb = new Memblock({ numa: false });
    mb.addNode(0x1000n, 0x1000n, 3, 0);
    mb.addNode(0x2000n, 0x1000n, 5, 0);
    expect(plain(mb.memory.regions)).toEqual([[0x1000n, 0x2000n, 0, 0]]);
    mb.setNode('memory', 0x1000n, 0x800n, 7);
    expect(mb.memory.regions).toHaveLength(1);
  });

  it('overlaps: touching is not overlapping; ranges are capped at PHYS_ADDR_MAX', () => {
    const mb = new Memblock();
    mb.add(0x1000n, 0x1000n);
    expect(mb.overlaps('memory', 0n, 0x1000n)).toBe(false);
    expect(mb.overlaps('memory', 0x2000n, 0x1000n)).toBe(false);
    expect(mb.overlaps('memory', 0x1fffn, 0x1n)).toBe(true);
    mb.add(PHYS_ADDR_MAX - 0x1000n, 0x2000n);
    expect(mb.memory.regions[1].size).toBe(0x1000n);
    expect(mb.overlaps('memory', PHYS_ADDR_MAX - 0x10n, 0x100n)).toBe(true);
  });

  it('set_node on reserved from memory repeats until reserved.max is stable', () => {
    const mb = new Memblock();
    mb.allowResize = true;
    mb.add(0x100000n, 0x8000n);
    mb.setNode('memory', 0x100000n, 0x4000n, 0);
    mb.setNode('memory', 0x104000n, 0x4000n, 1);
    for (let i = 0n; i < 125n; i++) mb.reserve(0x100000n + i * 0x10n, 0x8n);
    mb.reserve(0x104000n - 0x8n, 0x10n);
    mb.setNodeReservedFromMemory();
    expect(mb.reserved.max).toBe(256);
    const rs = mb.reserved.regions;
    expect(rs.every((r) => r.nid === 0 || r.nid === 1)).toBe(true);
    expect(rs[rs.length - 1].nid).toBe(1);
    expect(rs.slice(0, -1).every((r) => r.nid === 0)).toBe(true);
  });

  it('one reservation can swallow thousands of regions', () => {
    const mb = new Memblock({ numa: false });
    mb.allowResize = true;
    mb.add(0x1000000n, 0x1000000n);
    for (let i = 0n; i < 6000n; i++) mb.reserve(0x100000n + i * 0x20n, 0x10n);
    expect(mb.reserved.cnt).toBeGreaterThan(6000);
    expect(mb.reserved.max).toBe(8192);
    mb.reserve(0x100000n, 6000n * 0x20n);
    expect(plain(mb.reserved.regions).slice(0, 1)).toEqual([[0x100000n, 6000n * 0x20n, 0, 0]]);
    expect(mb.reserved.totalSize).toBe(mb.reserved.regions.reduce((s, r) => s + r.size, 0n));
  });

  it('clone() is independent of the original', () => {
    const mb = new Memblock();
    mb.add(0x100000n, 0x10000n);
    const copy = mb.clone();
    copy.reserve(0x100000n, 0x1000n);
    copy.setFlag('memory', 0x100000n, 0x1000n, Flag.NOMAP);
    expect(mb.reserved.regions).toHaveLength(0);
    expect(plain(mb.memory.regions)).toEqual([[0x100000n, 0x10000n, MAX_NUMNODES, 0]]);
    expect(copy.memory.regions).toHaveLength(2);
  });
});
