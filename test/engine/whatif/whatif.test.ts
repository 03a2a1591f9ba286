// What-if replay: the seed's overlapping-node example, the --layout and command-line syntax, and a
// qemu corpus boot replayed under every allocator model.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeText } from '../../../src/engine/analyze';
import { ALLOCATOR_MODELS } from '../../../src/engine/allocators/types';
import { parseLayout, parseSize, evenLayout, formatLayout, LayoutError } from '../../../src/engine/whatif/layout';
import { parseWhatIfCmdline, crashkernelSize } from '../../../src/engine/whatif/cmdline';
import { runWhatIf, whatIfBoot, type StreamOp, whatIfJson } from '../../../src/engine/whatif/index';
import { G, M, SEED_LAYOUT, block } from '../allocators/helpers';

const QEMU = path.resolve(__dirname, '../../fixtures/corpus/qemu');
const twoNode = analyzeText(readFileSync(path.join(QEMU, 'x86_64-2node-2g-memblock-debug.log'), 'utf8')).boots[0];
const oneNode = analyzeText(readFileSync(path.join(QEMU, 'x86_64-1node-1g-memblock-debug.log'), 'utf8')).boots[0];

const alloc = (line: number, size: bigint, nid: number | null, label = 'test'): StreamOp => ({
  kind: 'alloc',
  line,
  request: { size, align: 4096n, goal: 0n, limit: 0n, nid },
  original: null,
  label,
});

describe('--layout syntax', () => {
  it('reads NID:START-END[,START-END] per node, separated by ";", sizes with K/M/G/T suffixes or 0x hex', () => {
    const spec = parseLayout('0:0-2G,4G-6G;1:2G-4G,6G-8G');
    expect(spec).toEqual({ kind: 'explicit', blocks: SEED_LAYOUT });
    expect(parseLayout('0:0x0-0x1000;1:4K-1M')).toEqual({ kind: 'explicit', blocks: [block(0, 0n, 0x1000n), block(1, 0x1000n, 1n * M)] });
    expect(parseSize('1.5G')).toBe(1536n * M);
    expect(parseSize('512MiB')).toBe(512n * M);
  });

  it('rejects overlapping ranges, a node listed twice, an empty range and bad sizes', () => {
    expect(() => parseLayout('0:0-2G;1:1G-3G')).toThrow(LayoutError);
    expect(() => parseLayout('0:0-1G;0:2G-3G')).toThrow(/twice/);
    expect(() => parseLayout('0:2G-1G')).toThrow(/above/);
    expect(() => parseLayout('0:0-2X')).toThrow(/size/);
  });

  it('even:N cuts the RAM into N nodes of nearly equal size, holes kept', () => {
    const ram = [block(0, 0x1000n, 0x9f000n), block(0, 1n * M, 1n * G)];
    const blocks = evenLayout(ram, 2);
    expect(new Set(blocks.map((b) => b.nid))).toEqual(new Set([0, 1]));
    const per = (nid: number) => blocks.filter((b) => b.nid === nid).reduce((t, b) => t + b.size, 0n);
    expect(per(0) + per(1)).toBe(0x9e000n + 1n * G - 1n * M);
    expect(per(0) - per(1) < 8192n && per(1) - per(0) < 8192n).toBe(true);
    expect(formatLayout([block(0, 0n, 1n * G)])).toBe('0:0x0-0x40000000');
  });
});

describe('command-line parameters', () => {
  it('reads crashkernel= (size, @offset, ,high, ranges), cma=, mem= and memmap=', () => {
    const params = parseWhatIfCmdline('quiet crashkernel=512M-2G:64M,2G-:256M cma=64M@0x10000000 mem=1G memmap=16M$0x20000000,exactmap');
    expect(params.map((p) => p.kind)).toEqual(['crashkernel', 'cma', 'mem', 'memmap', 'memmap']);
    const ck = params[0] as Extract<(typeof params)[0], { kind: 'crashkernel' }>;
    expect(crashkernelSize(ck, 1n * G)).toBe(64n * M);
    expect(crashkernelSize(ck, 4n * G)).toBe(256n * M);
    expect(crashkernelSize(ck, 256n * M)).toBeUndefined();
    expect(parseWhatIfCmdline('crashkernel=1G,high')[0]).toMatchObject({ size: 1n * G, high: true });
    expect(params[3]).toMatchObject({ op: 'remove', base: 0x20000000n, size: 16n * M, type: 'reserved' });
  });
});

describe("the seed's overlapping nodes (node 0: 0–2G, 4–6G; node 1: 2–4G, 6–8G)", () => {
  // Node 1 asks for 2 GiB, then 1 GiB; node 0 then asks for 2.5 GiB.
  const stream: StreamOp[] = [alloc(1, 2n * G, 1, 'first'), alloc(2, 1n * G, 1, 'second'), alloc(3, 512n * M, 1, 'third')];
  const run = (model: (typeof ALLOCATOR_MODELS)[number]) => runWhatIf(stream, SEED_LAYOUT, { model, placeBitmaps: false });

  it('classic bootmem: node 1\'s bitmap spans 2–8G, so its second request lands at 4G, physically on node 0 (a locality violation)', () => {
    const r = run('bootmem');
    expect(r.requests.map((q) => q.predicted)).toEqual([2n * G, 4n * G, 5n * G]);
    expect(r.requests[1]).toMatchObject({ requestedNode: 1, servedBy: 1, physicalNode: 0, localityViolation: true, fallback: false });
    expect(r.totals.localityViolations).toBe(2);
  });

  it('bootmem2: a node request must fit in one of the node\'s blocks, so node 1 never gets node 0\'s memory', () => {
    const r = run('bootmem2');
    expect(r.requests.map((q) => q.predicted)).toEqual([2n * G, 6n * G, 7n * G]);
    expect(r.totals.offNode).toBe(0);
    expect(r.totals.localityViolations).toBe(0);
  });

  it('bootmem 2008 (per-node frees) and memblock keep node 1\'s requests on node 1', () => {
    expect(run('bootmem-2008').totals.localityViolations).toBe(0);
    expect(run('memblock').totals.offNode).toBe(0);
    expect(run('early_res').totals.offNode).toBe(0);
  });

  it('classic bootmem hands the same page out twice across overlapping bitmaps (reported as a conflict)', () => {
    const r = runWhatIf([alloc(1, 4096n, 1), { ...alloc(2, 4096n, 0), request: { size: 4096n, align: 4096n, goal: 2n * G, limit: 0n, nid: 0 } } as StreamOp], SEED_LAYOUT, { model: 'bootmem', placeBitmaps: false });
    expect(r.requests.map((q) => q.predicted)).toEqual([2n * G, 2n * G]);
    expect(r.requests[1].conflict).toBe(true);
    expect(r.totals.conflicts).toBe(1);
  });

  it('the qemu 2-node log re-laid out with interleaved nodes shows the same: classic bootmem puts node-0 memmap on node 1, bootmem2 never', () => {
    const layout = '0:0-512M,1G-1536M;1:512M-1G,1536M-2G';
    const classic = whatIfBoot(twoNode, { model: 'bootmem', layout });
    expect(classic.totals.localityViolations).toBeGreaterThan(0);
    expect(classic.requests.filter((r) => r.localityViolation).every((r) => r.requestedNode === 0 && r.physicalNode === 1)).toBe(true);
    const b2 = whatIfBoot(twoNode, { model: 'bootmem2', layout });
    expect(b2.totals.offNode).toBe(0);
  });
});

describe('what-if replay of qemu x86_64-2node-2g-memblock-debug.log', () => {
  it('under memblock with the log\'s own layout, every request lands where the kernel put it', () => {
    const r = whatIfBoot(twoNode, { model: 'memblock' });
    expect(r.layoutSource).toBe('log');
    expect(formatLayout(r.layout)).toBe('0:0x1000-0x9f000,0x100000-0x40000000;1:0x40000000-0x7ffe0000');
    expect(r.totals).toMatchObject({ requests: 53, placed: 53, failures: 0, moved: 0, offNode: 0, conflicts: 0 });
    expect(r.measuredAt).toBe('handoff');
    expect(r.nodes[1].largestFreeBlock).toEqual({ base: 0x40000000n, size: 968n * M });
  });

  it.each(ALLOCATOR_MODELS)('under %s: every request placed, none off-node, no double allocation (classic bootmem: see below)', (model) => {
    const r = whatIfBoot(twoNode, { model });
    expect(r.totals).toMatchObject({ requests: 53, placed: 53, failures: 0, offNode: 0, localityViolations: 0, conflicts: model === 'bootmem' ? 2 : 0 });
    expect(r.nodes.map((n) => n.nid)).toEqual([0, 1]);
    for (const n of r.nodes) expect(n.largestFreeBlock!.size).toBeGreaterThan(512n * M);
    if (model !== 'memblock') expect(r.totals.moved).toBe(53); // bottom-up allocators put everything elsewhere
  });

  it('2.6.26 __alloc_bootmem_core: node 0 starts at PFN 1, so a 2 MiB-aligned block is searched in a bitmap view moved by whole longs (448 pages) while the start moved 511: the bits set lie 63 pages below the block returned, and two later page allocations are handed out inside it', () => {
    const r = whatIfBoot(twoNode, { model: 'bootmem' });
    const big = r.requests.find((q) => q.line === 113)!;
    expect(big).toMatchObject({ size: 16n * M, align: 2n * M, predicted: 0x38200000n });
    const twice = r.requests.filter((q) => q.conflict);
    expect(twice.map((q) => [q.line, q.predicted])).toEqual([[115, 0x391c1000n], [117, 0x391c2000n]]);
    // 0x38200000 + 16 MiB = 0x39200000: both pages lie inside the 2 MiB-aligned block, in its last 63 pages
    for (const q of twice) expect(q.predicted! >= 0x39200000n - 63n * 4096n && q.predicted! < 0x39200000n).toBe(true);
  });

  it('bootmem places its bitmaps (one per node) as overhead; bootmem2 one bitmap; early_res its grown arrays', () => {
    expect(whatIfBoot(twoNode, { model: 'bootmem-2008' }).overhead.map((o) => o.nid)).toEqual([0, 1]);
    expect(whatIfBoot(twoNode, { model: 'bootmem2' }).overhead).toHaveLength(1);
    // 53 requests and the fixed reservations overflow the 32-entry early_res array: it doubles (to 64, then 128)
    expect(whatIfBoot(twoNode, { model: 'early_res' }).overhead.map((o) => o.label)).toEqual(['early_res array doubled to 64', 'early_res array doubled to 128']);
  });

  it('--bottom-up moves memblock\'s allocations low', () => {
    const r = whatIfBoot(twoNode, { model: 'memblock', bottomUp: true });
    expect(r.totals.moved).toBe(53);
    expect(r.totals.failures).toBe(0);
  });

  it('"will crashkernel=1G still fit below 4G?" no: neither node has 1 GiB of contiguous free memory; 512M does', () => {
    const big = whatIfBoot(twoNode, { model: 'memblock', cmdline: 'crashkernel=1G' });
    expect(big.cmdline[0]).toMatchObject({ param: 'crashkernel=1G', base: null });
    expect(big.totals.failures).toBe(1);
    const small = whatIfBoot(twoNode, { model: 'memblock', cmdline: 'crashkernel=512M' });
    expect(small.cmdline[0]).toMatchObject({ below4G: true });
    expect(small.cmdline[0].base! % (16n * M)).toBe(0n);
    expect(small.totals.failures).toBe(0);
  });

  it('crashkernel=SIZE@OFFSET is a fixed reservation; one that runs past the end of RAM is flagged', () => {
    const ok = whatIfBoot(twoNode, { model: 'memblock', cmdline: 'crashkernel=64M@0x70000000' });
    expect(ok.reservations.find((x) => x.source === 'cmdline')).toMatchObject({ base: 0x70000000n, size: 64n * M, outsideRam: false, overlapsAllocation: false });
    expect(ok.cmdline[0]).toMatchObject({ base: 0x70000000n, below4G: true });
    const past = whatIfBoot(twoNode, { model: 'memblock', cmdline: 'crashkernel=64M@0x7c000000' });
    expect(past.reservations.find((x) => x.source === 'cmdline')).toMatchObject({ outsideRam: true });
    expect(past.cmdline[0].effect).toMatch(/not free RAM/);
  });

  it('mem=1G drops node 1: its requests fall back to node 0 (flagged as fallbacks) or fail', () => {
    const r = whatIfBoot(twoNode, { model: 'memblock', cmdline: 'mem=1G' });
    expect(r.nodes.map((n) => n.nid)).toEqual([0]);
    expect(r.totals.fallbacks).toBeGreaterThan(0);
    expect(r.totals.localityViolations).toBe(0);
  });

  it('--layout even:2 splits a one-node machine in two', () => {
    const r = whatIfBoot(oneNode, { model: 'bootmem2', layout: 'even:2' });
    expect(r.nodes.map((n) => n.nid)).toEqual([0, 1]);
    expect(r.totals.failures).toBe(0);
  });

  it('the JSON form carries schema, version, per-request rows and totals with hex strings', () => {
    const json = whatIfJson(whatIfBoot(twoNode, { model: 'bootmem2' }), { file: 'x.log', boot: 0 }) as Record<string, any>;
    expect(json.schema).toBe('bootmem-lens/whatif');
    expect(json.version).toBe(1);
    expect(json.requests[0]).toHaveProperty('predicted');
    expect(typeof json.requests[0].size).toBe('string');
    expect(json.totals.largestFreeBlockPerNode).toHaveLength(2);
  });
});
