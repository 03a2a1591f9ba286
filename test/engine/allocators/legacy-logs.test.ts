// The older log formats through analyzeText (legacy replay): real logs from the corpus pinned, and
// a hand-written bootmem_debug log whose allocations the bootmem model must predict.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeText, stateAtLine } from '../../../src/engine/analyze';
import { isLegacyBoot } from '../../../src/engine/replay/legacy';
import { requestStream } from '../../../src/engine/whatif/stream';
import { whatIfBoot } from '../../../src/engine/whatif/whatif';

const REAL = path.resolve(__dirname, '../../fixtures/corpus/real');
const FIXTURES = path.resolve(__dirname, '../../fixtures/legacy');
const real = (name: string) => analyzeText(readFileSync(path.join(REAL, name), 'utf8'));
const K = 1024n;

describe('i386 2.6.35 NO_BOOTMEM log (early_res Subtract table, doubled array)', () => {
  const analysis = real('i386-pentium3-2.6.35-early_res-subtract-nobootmem-forumjunk-crlf.log');
  const b = analysis.boots[0];

  it('is replayed by the legacy path: memory from the modified e820 map, one reservation per table entry plus the grown array', () => {
    expect(isLegacyBoot(b.boot)).toBe(true);
    expect(b.replay.reservations).toHaveLength(38);
    expect(b.replay.reservations.filter((r) => r.origin === 'doubling')).toMatchObject([{ base: 0x16000n, size: 0x800n }]);
    expect(b.replay.handoffIndex).toBeGreaterThan(0);
  });

  it('the 29 BOOTMEM entries are allocations whose request is inferred; the early_res model reproduces 21 of them (#9–#26 and more)', () => {
    const allocs = b.replay.allocs;
    expect(allocs).toHaveLength(29);
    expect(allocs.every((a) => a.inferred)).toBe(true);
    expect(allocs.filter((a) => a.status === 'match')).toHaveLength(21);
    // guessed requests that miss are not reported as kernel/model disagreements
    expect(b.report.findings.filter((f) => f.code === 'alloc-mismatch')).toEqual([]);
  });

  it('owners come from the entry names; the reconstruction is within one page of the kernel\'s reserved figure', () => {
    const byOwner = Object.fromEntries(b.report.accounting.reservedByOwner.map((o) => [o.owner, o.bytes]));
    expect(byOwner['initrd']).toBe(0xa42000n);
    expect(byOwner['memblock-array']).toBe(0x800n);
    const rec = b.report.leaks.reconciliation;
    expect(rec.kernelReserved).toBe(26512n * K);
    expect(rec.expectedReserved).toBe(26516n * K);
  });

  it('the state at a line shows the table\'s reservations once it has been printed', () => {
    expect(stateAtLine(analysis, 170).reserved.length).toBeLessThan(stateAtLine(analysis, 211).reserved.length);
    expect(stateAtLine(analysis, 211).memory.map((r) => [r.base, r.size])).toEqual([[0x1000n, 0x1000n], [0x10000n, 0x8f000n], [0x100000n, 0x1fed0000n]]);
  });
});

describe('x86_64 athlon64 2.6.32 log (early_res ==> bootmem table, Bootmem setup node)', () => {
  const analysis = real('x86_64-athlon64-2.6.32-early_res-bootmem-node-ubuntuforums.log');
  const b = analysis.boots[0];

  it('the 8 table entries, NODE_DATA and the bootmap become reservations with owners from their names', () => {
    expect(b.replay.reservations).toHaveLength(10);
    const owners = b.replay.reservations.map((r) => b.report.owners[r.id].owner);
    // NODE_DATA (line 72) and the bootmap (line 73) come first; both sit below 1 MiB, which x86 attributes to the BIOS area
    expect(owners).toEqual(['bios', 'bios', 'bios', 'real-mode', 'kernel-image', 'initrd', 'bios', 'kernel-image', 'page-tables', 'node-data']);
    expect(b.replay.reservations[2]).toMatchObject({ base: 0n, size: 0x1000n, caller: 'BIOS data page' });
    expect(b.topology.nodeSource).toBe('early-node-ranges');
  });

  it('the hand-off is the Memory: line; 1 node of 1023.5 MiB', () => {
    expect(b.report.accounting.memoryBytes).toBe(0x8f000n + 0x3fef0000n);
    expect(b.report.leaks.handoffLine).toBe(138);
  });
});

describe('xtensa 3.8 bootmem_debug line (free_all_bootmem_core)', () => {
  const b = real('xtensa-bootmem-debug-free_all_bootmem_core-double-free-3.8.log').boots[0];

  it('is parsed (one bootmem event) and its free_all_bootmem_core is the hand-off', () => {
    expect(b.boot.events).toMatchObject([{ kind: 'bootmem', fn: 'free_all_bootmem_core', fields: { nid: '0', start: '1', end: '8000' } }]);
    expect(isLegacyBoot(b.boot)).toBe(true);
    expect(b.replay.handoffIndex).toBe(0);
    expect(b.report.findings.map((f) => f.code)).toContain('truncated-log');
  });
});

describe('a bootmem_debug log with allocations (synthetic, hand-checked)', () => {
  const analysis = analyzeText(readFileSync(path.join(FIXTURES, 'bootmem-debug-synthetic.log'), 'utf8'));
  const b = analysis.boots[0];

  it('the bootmem model predicts every allocation: goal 16 MiB, then the next page, then a block packed into that page (empty __reserve)', () => {
    expect(b.replay.allocs.map((a) => [a.status, a.actual])).toEqual([
      ['match', 0x1a00000n],
      ['match', 0x1a01000n],
      ['match', 0x1a01040n],
    ]);
  });

  it('reservations: the whole span at init, the kernel, three blocks; the frees take pages back', () => {
    const r = b.replay.reservations;
    expect(r.map((x) => x.origin)).toEqual(['reserve', 'reserve', 'alloc', 'alloc', 'alloc']);
    expect(r[0]).toMatchObject({ base: 0n, size: 0x8000000n, caller: 'init_bootmem_core' });
    expect(r[0].freedBytes).toBe(0x8000000n - 0x100000n);
    expect(r[2].freedBytes).toBe(0x1000n);
    expect(b.replay.handoffIndex).toBe(b.boot.events.length - 1);
  });

  it('the state at a line follows the bitmap: after the first allocation its page is reserved, after the free it is not', () => {
    const held = (line: number) => stateAtLine(analysis, line).reserved.some((r) => r.base <= 0x1a00000n && r.base + r.size > 0x1a00000n);
    expect(held(9)).toBe(true);
    expect(held(15)).toBe(false);
  });

  it('its request stream replays under every model; bootmem-2008 puts the blocks where the kernel did', () => {
    const stream = requestStream(b);
    expect(stream.filter((op) => op.kind === 'alloc')).toHaveLength(3);
    const r = whatIfBoot(b, { model: 'bootmem-2008', placeBitmaps: false });
    expect(r.requests.map((q) => q.predicted)).toEqual([0x1a00000n, 0x1a01000n, 0x1a01040n]);
    expect(r.totals.moved).toBe(0);
  });
});
