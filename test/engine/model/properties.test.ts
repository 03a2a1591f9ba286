// Property tests: random operation sequences against a byte-level reference model.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Memblock, type AllocRequest } from '../../../src/engine/model/memblock';
import type { RegionArray } from '../../../src/engine/model/regions';
import { Flag, MAX_NUMNODES, MEMBLOCK_ALLOC_ANYWHERE, NUMA_NO_NODE } from '../../../src/engine/types';
import { alignDown, alignUp } from '../../../src/engine/util/hex';

/** Everything happens inside [0, SPACE) so a per-byte reference stays small. */
const SPACE = 0x400;
const PAGE = 0x10n;
const SMALL = { pageSize: PAGE, smpCacheBytes: PAGE, regionStructSize: 1 };

type Kind = 'add' | 'reserve' | 'remove' | 'free' | 'setNode' | 'setFlag' | 'clearFlag';
interface Op {
  kind: Kind;
  type: 'memory' | 'reserved';
  base: number;
  size: number;
  nid: number;
  flags: number;
}

const opArb: fc.Arbitrary<Op> = fc
  .record({
    kind: fc.constantFrom<Kind>('add', 'add', 'reserve', 'reserve', 'remove', 'free', 'setNode', 'setFlag', 'clearFlag'),
    type: fc.constantFrom<'memory' | 'reserved'>('memory', 'reserved'),
    // Multiples of 8 make touching neighbours (merge candidates) common.
    base: fc.integer({ min: 0, max: SPACE / 8 - 1 }).map((k) => k * 8),
    size: fc.integer({ min: 0, max: 24 }).map((k) => k * 8),
    nid: fc.constantFrom(0, 1, 2, MAX_NUMNODES, NUMA_NO_NODE),
    flags: fc.constantFrom(0, 0, Flag.HOTPLUG, Flag.NOMAP, Flag.RSRV_KERN),
  })
  .map((op) => ({ ...op, size: Math.min(op.size, SPACE - op.base) }));

/** Per-byte attributes ("nid/flags", or null when uncovered) of memory and reserved. */
class Reference {
  memory: (string | null)[] = new Array(SPACE).fill(null);
  reserved: (string | null)[] = new Array(SPACE).fill(null);
  constructor(private readonly numa: boolean) {}

  private node(nid: number): number {
    return this.numa ? nid : 0;
  }

  fill(type: 'memory' | 'reserved', base: number, size: number, nid: number, flags: number): void {
    const bytes = this[type];
    for (let i = base; i < base + size; i++) if (bytes[i] === null) bytes[i] = `${this.node(nid)}/${flags}`;
  }

  clear(type: 'memory' | 'reserved', base: number, size: number): void {
    this[type].fill(null, base, base + size);
  }

  map(type: 'memory' | 'reserved', base: number, size: number, f: (nid: number, flags: number) => [number, number]): void {
    const bytes = this[type];
    for (let i = base; i < base + size; i++) {
      const cell = bytes[i];
      if (cell === null) continue;
      const [nid, flags] = cell.split('/').map(Number);
      const [n, fl] = f(nid, flags);
      bytes[i] = `${n}/${fl}`;
    }
  }
}

function applyToModel(mb: Memblock, op: Op): boolean {
  const base = BigInt(op.base);
  const size = BigInt(op.size);
  switch (op.kind) {
    case 'add':
      return mb.addNode(base, size, op.nid, op.flags);
    case 'reserve':
      return mb.reserveExact(base, size, op.nid, op.flags);
    case 'remove':
      return mb.remove(base, size);
    case 'free':
      return mb.free(base, size);
    case 'setNode':
      return mb.setNode(op.type, base, size, op.nid);
    case 'setFlag':
      return mb.setFlag(op.type, base, size, op.flags);
    case 'clearFlag':
      return mb.clearFlag(op.type, base, size, op.flags);
  }
}

function applyToReference(ref: Reference, op: Op, numa: boolean): void {
  switch (op.kind) {
    case 'add':
      return ref.fill('memory', op.base, op.size, op.nid, op.flags);
    case 'reserve':
      return ref.fill('reserved', op.base, op.size, op.nid, op.flags);
    case 'remove':
      return ref.clear('memory', op.base, op.size);
    case 'free':
      return ref.clear('reserved', op.base, op.size);
    case 'setNode':
      if (numa) ref.map(op.type, op.base, op.size, (_n, fl) => [op.nid, fl]);
      return;
    case 'setFlag':
      return ref.map(op.type, op.base, op.size, (n, fl) => [n, fl | op.flags]);
    case 'clearFlag':
      return ref.map(op.type, op.base, op.size, (n, fl) => [n, fl & ~op.flags]);
  }
}

/** Sorted, non-overlapping, merged, counted, and byte-for-byte equal to the reference. */
function checkArray(a: RegionArray, expected: (string | null)[]): void {
  const rs = a.regions;
  let sum = 0n;
  for (let i = 0; i < rs.length; i++) {
    expect(rs[i].size > 0n).toBe(true);
    sum += rs[i].size;
    if (i === 0) continue;
    const prev = rs[i - 1];
    const prevEnd = prev.base + prev.size;
    expect(prevEnd <= rs[i].base).toBe(true);
    const mergeable = prevEnd === rs[i].base && prev.nid === rs[i].nid && prev.flags === rs[i].flags;
    expect(mergeable).toBe(false);
  }
  expect(a.totalSize).toBe(sum);
  expect(a.cnt <= a.max).toBe(true);
  const actual: (string | null)[] = new Array(SPACE).fill(null);
  for (const r of rs) {
    expect(r.base + r.size <= BigInt(SPACE)).toBe(true);
    for (let i = Number(r.base); i < Number(r.base + r.size); i++) actual[i] = `${r.nid}/${r.flags}`;
  }
  expect(actual).toEqual(expected);
}

function replay(ops: Op[], numa: boolean, initRegions: number) {
  const mb = new Memblock({ ...SMALL, numa, initRegions });
  mb.allowResize = true;
  const ref = new Reference(numa);
  const arrays: Record<string, { base: number; size: number } | undefined> = {};
  // A doubling frees the previous dynamic array and reserves the new one (RSRV_KERN, any node).
  mb.onDouble = (name, _max, base, size) => {
    const old = arrays[name];
    if (old) ref.clear('reserved', old.base, old.size);
    const placed = { base: Number(base), size: Number(alignUp(size, PAGE)) };
    ref.fill('reserved', placed.base, placed.size, NUMA_NO_NODE, Flag.RSRV_KERN);
    arrays[name] = placed;
  };
  return { mb, ref, apply: (op: Op) => applyToModel(mb, op) && (applyToReference(ref, op, numa), true) };
}

describe('region arrays under random operations', () => {
  for (const numa of [true, false]) {
    it(`stay sorted, merged and equal to a byte-level reference (numa=${numa})`, () => {
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 100 }), (ops) => {
          // Small arrays (max 4) so that doubling happens often.
          const { mb, ref, apply } = replay(ops, numa, 4);
          for (const op of ops) {
            apply(op);
            checkArray(mb.memory, ref.memory);
            checkArray(mb.reserved, ref.reserved);
          }
        }),
        { numRuns: 300 },
      );
    });
  }

  it('trim_memory leaves total_size stale only for regions it shrinks', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), fc.constantFrom(8n, 16n, 32n), (ops, align) => {
        const { mb, apply } = replay(ops, true, 128);
        ops.forEach(apply);
        const before = mb.memory.regions.slice();
        const total = mb.memory.totalSize;
        mb.trimMemory(align);
        const dropped = before
          .filter((r) => alignUp(r.base, align) >= alignDown(r.base + r.size, align))
          .reduce((s, r) => s + r.size, 0n);
        expect(mb.memory.totalSize).toBe(total - dropped);
        for (const r of mb.memory.regions) {
          expect(r.base % align).toBe(0n);
          expect(r.size % align).toBe(0n);
        }
      }),
      { numRuns: 200 },
    );
  });
});

const requestArb: fc.Arbitrary<AllocRequest & { bottomUp: boolean; limit: bigint }> = fc.record({
  api: fc.constantFrom('memblock_alloc_try_nid', 'memblock_alloc_exact_nid_raw', 'memblock_phys_alloc_range'),
  size: fc.bigInt({ min: 1n, max: 0x80n }),
  align: fc.constantFrom(0n, 1n, 8n, 0x10n, 0x40n),
  from: fc.bigInt({ min: 0n, max: BigInt(SPACE) }),
  maxAddr: fc.oneof(fc.constant(0n), fc.constant(MEMBLOCK_ALLOC_ANYWHERE), fc.bigInt({ min: 0n, max: BigInt(SPACE) })),
  nid: fc.constantFrom(null, 0, 1, 2),
  exactNid: fc.boolean(),
  bottomUp: fc.boolean(),
  limit: fc.oneof(fc.constant(MEMBLOCK_ALLOC_ANYWHERE), fc.bigInt({ min: 0x100n, max: BigInt(SPACE) })),
});

describe('predictAlloc', () => {
  it('never mutates and matches what the allocation then reserves', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), requestArb, fc.boolean(), (ops, req, numa) => {
        // 128 slots: no doubling, so the reservation of a found block cannot fail.
        const { mb, apply } = replay(ops, numa, 128);
        ops.forEach(apply);
        mb.bottomUp = req.bottomUp;
        mb.currentLimit = req.limit;
        const snapshot = JSON.stringify([mb.memory.regions, mb.reserved.regions], (_k, v) =>
          typeof v === 'bigint' ? v.toString(16) : v,
        );
        const before = mb.clone();
        const predicted = mb.predictAlloc(req);
        expect(JSON.stringify([mb.memory.regions, mb.reserved.regions], (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v))).toBe(snapshot);

        const addr = mb.alloc(req);
        expect(addr).toBe(predicted?.addr ?? 0n);
        if (!predicted) return;
        const align = req.align === 0n ? PAGE : req.align;
        expect(addr % align).toBe(0n);
        expect(addr >= PAGE).toBe(true);
        const end = addr + req.size;
        // The block was free, inside a single memory region.
        expect(before.reserved.overlaps(addr, req.size)).toBe(false);
        expect(before.memory.regions.some((m) => m.base <= addr && end <= m.base + m.size)).toBe(true);
        // It is now reserved with the predicted nid, flagged RSRV_KERN.
        const holder = mb.reserved.regions.find((r) => r.base <= addr && end <= r.base + r.size);
        expect(holder?.flags).toBe(Flag.RSRV_KERN);
        expect(holder?.nid).toBe(predicted.nid);
      }),
      { numRuns: 500 },
    );
  });
});
