// The qemu corpus: logs printed by real Debian 6.1 kernels, whose MEMBLOCK dumps and debugfs
// listings are the kernel's own state. The reconstruction must match every one of them exactly.

import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { analyzeText } from '../../../src/engine/analyze';
import { hex } from '../../../src/engine/util/hex';

const QEMU = path.resolve(__dirname, '../../fixtures/corpus/qemu');
const logs = readdirSync(QEMU).filter((f) => f.endsWith('.log'));

// Allocation requests after the first checkpoint whose reserve line the log shows (counted by hand
// from the files: request lines after the first `MEMBLOCK configuration:`, each with its reserve).
const JUDGED_AFTER_SYNC: Record<string, number> = {
  'arm64-1node-1g-cma-memblock-debug.log': 24,
  'arm64-2node-2g-memblock-debug-dropped.log': 20,
  'arm64-2node-2g-memblock-debug.log': 23,
  'x86_64-1node-1g-memblock-debug.log': 51,
  'x86_64-2node-2g-memblock-debug.log': 53,
  'x86_64-4node-4g-plain.log': 0,
  'x86_64-uefi-2node-3g-memblock-debug.log': 70,
};

function describeDiff(d: { array: string; kind: string; expected?: { base: bigint; size: bigint; nid: number; flags: number }; actual?: { base: bigint; size: bigint; nid: number; flags: number } }) {
  const r = (x?: { base: bigint; size: bigint; nid: number; flags: number }) => (x ? `${hex(x.base)}+${hex(x.size)} nid ${x.nid} flags ${x.flags}` : '-');
  return `${d.array} ${d.kind}: kernel ${r(d.expected)} / ours ${r(d.actual)}`;
}

describe.each(logs)('%s', (name) => {
  const analysis = analyzeText(readFileSync(path.join(QEMU, name), 'utf8'));

  it('holds exactly one boot', () => {
    expect(analysis.boots).toHaveLength(1);
  });

  it('matches every checkpoint after the first exactly', () => {
    const { replay } = analysis.boots[0];
    if (name.includes('memblock-debug')) expect(replay.checkpoints.length).toBeGreaterThanOrEqual(2);
    const compares = replay.checkpoints.filter((c) => c.role === 'compare');
    const diffs = compares.flatMap((c) => c.diffs.map((d) => `line ${c.line} (${c.source}): ${describeDiff(d)}`));
    expect(diffs).toEqual([]);
  });

  it('predicts at least 99% of allocations after the first checkpoint', () => {
    const { replay } = analysis.boots[0];
    const judged = replay.allocs.filter((a) => a.afterSync && (a.status === 'match' || a.status === 'mismatch'));
    const misses = judged.filter((a) => a.status === 'mismatch').map((a) => `line ${a.line} ${a.request.api} ${a.request.size}: predicted ${a.predicted === null ? 'failure' : hex(a.predicted)}, kernel ${a.actual === null ? '-' : hex(a.actual)}`);
    expect(judged).toHaveLength(JUDGED_AFTER_SYNC[name]);
    if (judged.length > 0) expect(misses.length / judged.length, misses.join('\n')).toBeLessThanOrEqual(0.01);
  });
});

describe('arm64 debugfs listings', () => {
  for (const name of logs.filter((f) => f.startsWith('arm64'))) {
    it(`${name}: the final reserved list equals the kernel's debugfs listing`, () => {
      const { replay } = analyzeText(readFileSync(path.join(QEMU, name), 'utf8')).boots[0];
      const debugfs = replay.checkpoints.filter((c) => c.source === 'debugfs');
      expect(debugfs.length).toBeGreaterThan(0);
      for (const c of debugfs) expect(c.diffs.map((d) => describeDiff(d))).toEqual([]);
    });
  }
});
