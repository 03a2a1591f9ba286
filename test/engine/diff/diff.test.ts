// Comparing two boots: the qemu 1-node and 2-node x86_64 logs (same kernel, 1 GiB vs 2 GiB, 1 vs 2 nodes).

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeText } from '../../../src/engine/analyze';
import { diffBoots, diffJson, formatDiff } from '../../../src/engine/diff/index';

const QEMU = path.resolve(__dirname, '../../fixtures/corpus/qemu');
const read = (name: string) => readFileSync(path.join(QEMU, name), 'utf8');
const one = analyzeText(read('x86_64-1node-1g-memblock-debug.log')).boots[0];
const two = analyzeText(read('x86_64-2node-2g-memblock-debug.log')).boots[0];
const MiB = 1024n * 1024n;

describe('diff of qemu x86_64-1node-1g vs x86_64-2node-2g', () => {
  const diff = diffBoots(one, two);
  const row = (owner: string, caller: string) => diff.rows.find((r) => r.owner === owner && r.caller === caller);

  it('matches reservations by owner and caller: the second node doubles the memmap, per-cpu chunk and NODE_DATA', () => {
    expect(row('memmap', 'sparse_init_nid')).toMatchObject({ change: 'grew', delta: 16n * MiB + 448n, a: { count: 2 }, b: { count: 4 } }); // 16 MiB memmap + 448 B mem_section per node
    expect(row('percpu', 'pcpu_fc_alloc')).toMatchObject({ change: 'grew', a: { count: 1 }, b: { count: 2 } });
    expect(row('node-data', '-')).toMatchObject({ change: 'grew', a: { count: 1 }, b: { count: 2 } });
  });

  it('the kernel image and the log buffer are the same on both sides', () => {
    expect(diff.rows.filter((r) => r.owner === 'kernel-image' || r.owner === 'log-buffer').every((r) => r.change === 'same')).toBe(true);
  });

  it('totals: net change equals the difference of the bytes held at the hand-off', () => {
    expect(diff.totals.netBytes).toBe(diff.b.heldBytes - diff.a.heldBytes);
    const sum = diff.rows.reduce((t, r) => t + r.delta, 0n);
    expect(sum).toBe(diff.totals.netBytes);
    expect(diff.totals.grew.count).toBeGreaterThanOrEqual(3);
  });

  it('the waterfall puts each side\'s accounting next to the other: 1 GiB more RAM, and the kernel\'s own reserved figure', () => {
    const w = (label: string) => diff.waterfall.find((r) => r.label === label)!;
    const memory = w('memblock.memory at the hand-off');
    expect(memory.delta).toBe(memory.b! - memory.a!);
    expect(memory.delta! > 1000n * MiB && memory.delta! < 1100n * MiB).toBe(true);
    expect(w('reserved at the hand-off').delta).toBe(diff.totals.netBytes);
    expect(w('kernel: reserved').a).toBeDefined();
    expect(w('kernel: reserved').b).toBeDefined();
    expect(diff.waterfall.some((r) => r.label.includes('held by memmap'))).toBe(true);
  });

  it('JSON and text forms', () => {
    const json = diffJson(diff, { a: 'a.log', b: 'b.log' }) as Record<string, any>;
    expect(json.schema).toBe('bootmem-lens/diff');
    expect(json.rows.length).toBe(diff.rows.length);
    expect(typeof json.totals.netBytes).toBe('string');
    expect(formatDiff(diff, { a: 'a.log', b: 'b.log' })).toMatch(/grew\s+memmap\/sparse_init_nid/);
  });

  it('two boots in one file (a kern.log with both boots) give the same comparison', () => {
    const both = analyzeText(read('x86_64-1node-1g-memblock-debug.log') + '\n' + read('x86_64-2node-2g-memblock-debug.log'));
    expect(both.boots).toHaveLength(2);
    const again = diffBoots(both.boots[0], both.boots[1]);
    expect(again.totals.netBytes).toBe(diff.totals.netBytes);
  });

  it('a boot compared with itself has only unchanged rows', () => {
    const self = diffBoots(one, one);
    expect(self.rows.every((r) => r.change === 'same')).toBe(true);
    expect(self.totals.netBytes).toBe(0n);
  });
});
