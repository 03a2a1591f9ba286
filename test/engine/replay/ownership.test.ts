// The ownership map against a byte-array reference: random claims and releases must leave every
// byte owned by the first live claimant, and report exactly the bytes each release took.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OwnershipMap } from '../../../src/engine/replay/ownership';

const SPACE = 4096;

type Op = { kind: 'claim' | 'release'; base: number; size: number };

const op = fc.record({
  kind: fc.constantFrom<'claim' | 'release'>('claim', 'claim', 'release'),
  base: fc.integer({ min: 0, max: SPACE - 1 }),
  size: fc.integer({ min: 0, max: 300 }),
});

function check(ops: Op[]): void {
  const map = new OwnershipMap();
  const ref = new Int32Array(SPACE).fill(-1);
  ops.forEach((o, id) => {
    const end = Math.min(SPACE, o.base + o.size);
    if (o.kind === 'claim') {
      let expected = 0;
      for (let a = o.base; a < end; a++) if (ref[a] < 0) { ref[a] = id; expected++; }
      expect(map.claim(BigInt(o.base), BigInt(end), id)).toBe(BigInt(expected));
    } else {
      const lostRef = new Map<number, number>();
      for (let a = o.base; a < end; a++) if (ref[a] >= 0) { lostRef.set(ref[a], (lostRef.get(ref[a]) ?? 0) + 1); ref[a] = -1; }
      const lost = new Map<number, number>();
      for (const p of map.release(BigInt(o.base), BigInt(end))) lost.set(p.owner, (lost.get(p.owner) ?? 0) + Number(p.end - p.base));
      expect(lost).toEqual(lostRef);
    }
  });
  const actual = new Int32Array(SPACE).fill(-1);
  let previousEnd = -1n;
  for (const p of map.all()) {
    expect(p.base).toBeGreaterThanOrEqual(previousEnd);
    expect(p.end).toBeGreaterThan(p.base);
    previousEnd = p.end;
    for (let a = Number(p.base); a < Number(p.end); a++) actual[a] = p.owner;
  }
  expect(Array.from(actual)).toEqual(Array.from(ref));
}

describe('OwnershipMap', () => {
  it('matches a byte-array reference under random claims and releases', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 120 }), check), { numRuns: 200 });
  });

  it('stays correct across chunk splits (thousands of small pieces)', () => {
    const ops: Op[] = [];
    for (let i = 0; i < 1500; i++) ops.push({ kind: 'claim', base: (i * 2) % SPACE, size: 1 });
    for (let i = 0; i < 200; i++) ops.push({ kind: 'release', base: (i * 37) % SPACE, size: 9 });
    check(ops);
  });
});
