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

  it('the 29 BOOTMEM entries are allocations whose request is inferred; the early_res model reproduces 28 of them', () => {
    const allocs = b.replay.allocs;
    expect(allocs).toHaveLength(29);
    expect(allocs.every((a) => a.inferred)).toBe(true);
    expect(allocs.filter((a) => a.status === 'match')).toHaveLength(28);
    // the one miss: #37, the page_cgroup table (2620460 bytes, "allocated 2620460 bytes of page_cgroup"),
    // asked for with PAGE_SIZE alignment, which a size that is no page multiple does not reveal
    expect(allocs.filter((a) => a.status !== 'match').map((a) => [a.line, a.actual, a.predicted])).toEqual([[210, 0x1466000n, 0x1465040n]]);
    // guessed requests that miss are not reported as kernel/model disagreements
    expect(b.report.findings.filter((f) => f.code === 'alloc-mismatch')).toEqual([]);
  });

  it('mm/percpu.c 2.6.33–2.6.36 pcpu_embed_first_chunk: #27 is the first chunk, 4 MiB (u4194304) aligned to 4 MiB and trimmed to its 14 pages; #28–#33 were made while its two one-page temporaries still held 0x1402dc0–0x1404dc0, which #34 then reuses', () => {
    const at = (line: number) => b.replay.allocs.find((a) => a.line === line)!;
    expect(at(200)).toMatchObject({ status: 'match', actual: 0x1800000n, request: { api: 'pcpu_fc_alloc', size: 4n << 20n, align: 4n << 20n } });
    expect([201, 202, 203, 204, 205, 206].map((l) => [at(l).status, at(l).actual])).toEqual([
      ['match', 0x1404dc0n],
      ['match', 0x1404e00n],
      ['match', 0x1404e40n],
      ['match', 0x1404e80n],
      ['match', 0x1404ec0n],
      ['match', 0x1404f80n],
    ]);
    expect(at(207)).toMatchObject({ status: 'match', actual: 0x1402dc0n, request: { size: 0x2000n } });
    // the reservation is what the table shows: the chunk's 14 used pages
    expect(b.replay.reservations.find((r) => r.line === 200)).toMatchObject({ base: 0x1800000n, size: 0xe000n });
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

describe('bootmem_debug: a __free line with start == end (free_bootmem of less than a page)', () => {
  const log = [
    '[    0.000000] Linux version 2.6.30-synthetic (test@example) (gcc version 4.3.2) #1 SMP',
    '[    0.000000] bootmem::init_bootmem_core nid=0 start=0 map=100 end=8000 mapsize=1000',
    '[    0.000000] bootmem::__free nid=0 start=100 end=8000',
    '[    0.000000] bootmem::__reserve nid=0 start=1000 end=1a00 flags=0',
    // A: two pages at the goal's first free page
    '[    0.000000] bootmem::alloc_bootmem_bdata nid=0 size=2000 [2 pages] align=1000 goal=1000000 limit=0',
    '[    0.000000] bootmem::__reserve nid=0 start=1a00 end=1a02 flags=1',
    // B: from hint_idx 1a02
    '[    0.000000] bootmem::alloc_bootmem_bdata nid=0 size=1000 [1 pages] align=1000 goal=1000000 limit=0',
    '[    0.000000] bootmem::__reserve nid=0 start=1a02 end=1a03 flags=1',
    // A freed: hint 1a00; C takes 1a00; D (two pages) skips 1a01-1a02 and takes 1a03-1a04: hint 1a05
    '[    0.000000] bootmem::__free nid=0 start=1a00 end=1a02',
    '[    0.000000] bootmem::alloc_bootmem_bdata nid=0 size=1000 [1 pages] align=1000 goal=1000000 limit=0',
    '[    0.000000] bootmem::__reserve nid=0 start=1a00 end=1a01 flags=1',
    '[    0.000000] bootmem::alloc_bootmem_bdata nid=0 size=2000 [2 pages] align=1000 goal=1000000 limit=0',
    '[    0.000000] bootmem::__reserve nid=0 start=1a03 end=1a05 flags=1',
    // free_bootmem(0x1a00800, 0x900): [PFN_UP, PFN_DOWN) = [1a01, 1a01), nothing cleared, hint 1a01
    '[    0.000000] bootmem::mark_bootmem_node nid=0 start=1a01 end=1a01 reserve=0 flags=0',
    '[    0.000000] bootmem::__free nid=0 start=1a01 end=1a01',
    // E: from hint 1a01, the free page 1a01 (from 1a05 it would be 1a05)
    '[    0.000000] bootmem::alloc_bootmem_bdata nid=0 size=1000 [1 pages] align=1000 goal=1000000 limit=0',
    '[    0.000000] bootmem::__reserve nid=0 start=1a01 end=1a02 flags=1',
  ].join('\n');
  const b = analyzeText(log).boots[0];

  it('2.6.28–4.19 __free lowers hint_idx even when it clears nothing: the replay follows it and predicts every block', () => {
    expect(b.replay.allocs.map((a) => [a.status, a.actual])).toEqual([
      ['match', 0x1a00000n],
      ['match', 0x1a02000n],
      ['match', 0x1a00000n],
      ['match', 0x1a03000n],
      ['match', 0x1a01000n],
    ]);
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
