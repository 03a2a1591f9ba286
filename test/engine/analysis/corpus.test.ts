// The analysis on real boot logs (test/fixtures/corpus, see SOURCES.md in each folder): the kernel's
// own `Memory: …K reserved` figure is the oracle for the reconciliation, and each buggy log must
// raise the finding its source describes.

import { readFileSync } from 'node:fs';
import nodePath from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseText } from '../../../src/engine/parse/index';
import { replayBoot } from '../../../src/engine/replay/replay';
import { liveRegions } from '../../../src/engine/replay/checkpoint';
import { buildTopology } from '../../../src/engine/topology';
import { analyzeBoot, type BootReport } from '../../../src/engine/analysis/index';
import type { Finding, FindingCode } from '../../../src/engine/analysis/findings';
import type { Owner } from '../../../src/engine/types';

const CORPUS = nodePath.resolve(__dirname, '../../fixtures/corpus');
const MiB = 1024n * 1024n;

function analyze(path: string, bootIndex = 0): BootReport {
  const boot = parseText(readFileSync(`${CORPUS}/${path}`, 'latin1')).boots[bootIndex];
  const replay = replayBoot(boot);
  return analyzeBoot(boot, replay, buildTopology(boot.events, liveRegions(replay.final, 'memory')));
}

const codes = (report: BootReport, code: FindingCode): Finding[] => report.findings.filter((f) => f.code === code);
const heldBy = (report: BootReport, owner: Owner): bigint => report.leaks.byOwner.find((o) => o.owner === owner)?.bytes ?? 0n;
const serious = (report: BootReport) => report.findings.filter((f) => f.severity !== 'info');

describe('real logs', () => {
  describe('reconciliation with `Memory: …K reserved` matches to the page', () => {
    it.each([
      'qemu/x86_64-1node-1g-memblock-debug.log',
      'qemu/x86_64-2node-2g-memblock-debug.log',
      'qemu/x86_64-uefi-2node-3g-memblock-debug.log',
      'qemu/arm64-1node-1g-cma-memblock-debug.log',
      'real/x86_64-qemu-2node-memblock-debug-6.6.log',
      'real/ia64-ski-memblock-debug-no-timestamps-5.15.log',
    ])('%s', (path) => {
      const rec = analyze(path).leaks.reconciliation;
      expect(rec.kernelReserved).toBeDefined();
      expect(rec.difference).toBe(0n);
      expect(rec.totalDifference).toBe(0n);
    });
  });

  it('x86_64 1 node: owners of what is held, initrd given back, nothing serious', () => {
    const report = analyze('qemu/x86_64-1node-1g-memblock-debug.log');
    expect(heldBy(report, 'kernel-image')).toBeGreaterThan(44n * MiB); // pre-debug image + brk
    expect(heldBy(report, 'log-buffer')).toBe(36n * MiB);
    expect(heldBy(report, 'memmap')).toBeGreaterThanOrEqual(16n * MiB);
    const initrd = report.leaks.held.find((h) => h.owner === 'initrd');
    expect(initrd).toMatchObject({ origin: 'pre-debug', disposition: 'released-later' });
    expect(report.owners.some((o) => o.owner === 'bios')).toBe(true);
    expect(serious(report)).toEqual([]);
    // The first-megabyte re-reservation is routine.
    expect(codes(report, 'overlapping-reserve').every((f) => f.severity === 'info')).toBe(true);
    expect(report.accounting.kernel?.reservedBytes).toBe(report.leaks.reconciliation.expectedReserved);
  });

  it('x86_64 2 nodes: NODE_DATA of both nodes, allocations on their nodes', () => {
    const report = analyze('qemu/x86_64-2node-2g-memblock-debug.log');
    expect(report.leaks.held.filter((h) => h.owner === 'node-data')).toHaveLength(2);
    expect(codes(report, 'wrong-node')).toEqual([]);
    expect(codes(report, 'cross-node').filter((f) => f.severity !== 'info')).toEqual([]);
    expect(serious(report)).toEqual([]);
  });

  it('x86_64 UEFI: EFI boot-services memory is held at the hand-off and attributed to efi', () => {
    const report = analyze('qemu/x86_64-uefi-2node-3g-memblock-debug.log');
    expect(heldBy(report, 'efi')).toBeGreaterThan(40n * MiB);
    const bootServices = report.leaks.held.filter((h) => h.caller === 'efi_reserve_boot_services');
    expect(bootServices.length).toBeGreaterThan(50);
    expect(bootServices.every((h) => h.disposition === 'released-later')).toBe(true);
  });

  it('arm64 CMA: CMA owns 128 MiB, counted separately, and the final debugfs listing agrees', () => {
    const report = analyze('qemu/arm64-1node-1g-cma-memblock-debug.log');
    expect(heldBy(report, 'cma')).toBe(128n * MiB);
    expect(report.leaks.reconciliation.cmaBytes).toBe(128n * MiB);
    expect(heldBy(report, 'kernel-image')).toBeGreaterThan(30n * MiB);
    expect(codes(report, 'checkpoint-mismatch')).toEqual([]);
    // The log starts mid-stream: one summary instead of one finding per early page-table page.
    expect(codes(report, 'truncated-log')[0]).toMatchObject({ line: 1, severity: 'info' });
    const early = codes(report, 'alloc-mismatch');
    expect(early).toHaveLength(1);
    expect(early[0].severity).toBe('info');
    expect(codes(report, 'not-physical').every((f) => f.severity === 'info' && f.message.includes('MAX_DMA_ADDRESS'))).toBe(true);
  });

  it('arm64 with dropped messages raises truncated-log at the drop', () => {
    const report = analyze('qemu/arm64-2node-2g-memblock-debug-dropped.log');
    const dropped = codes(report, 'truncated-log').find((f) => f.message.includes('dropped'));
    expect(dropped).toMatchObject({ severity: 'warning', line: 1 });
  });

  it('a log without memblock=debug compares nothing', () => {
    const report = analyze('qemu/x86_64-4node-4g-plain.log');
    expect(report.leaks.reconciliation.difference).toBeUndefined();
    expect(report.accounting.kernel?.reservedBytes).toBeGreaterThan(0n);
  });

  it('mediatek 4.19: the ULLONG_MAX memblock_remove is an inverted range', () => {
    const report = analyze('real/arm64-mediatek-kukui-memblock-debug-mailwrapped-inverted-range-warn-4.19.log');
    const inverted = codes(report, 'inverted-range');
    expect(inverted.length).toBeGreaterThanOrEqual(1);
    expect(inverted[0]).toMatchObject({ line: 19, severity: 'warning' });
    expect(inverted[0].message).toContain('ULLONG_MAX');
  });

  it('rpi2 5.2: the CMA failure and the early_alloc panic are alloc-failed errors', () => {
    const report = analyze('real/arm32-rpi2-efi-memblock-debug-early_alloc-panic-5.2.log');
    const failed = codes(report, 'alloc-failed');
    expect(failed.some((f) => f.severity === 'error' && f.message.includes('cma'))).toBe(true);
    expect(failed.some((f) => f.severity === 'error' && f.message.includes('early_alloc'))).toBe(true);
  });

  it('brcmstb 5.4: the second dump shows the no-map region as memory with flags 0x4', () => {
    const report = analyze('real/arm32-brcmstb-no-map-region-as-ram-memblock-dump-mailwrapped-5.4.log');
    const [mismatch] = codes(report, 'checkpoint-mismatch');
    expect(mismatch.severity).toBe('warning');
    expect(mismatch.related!.some((r) => r.message.includes('memory') && r.message.includes('flags 0x4'))).toBe(true);
  });

  it('loongson 5.17: allocations land outside the memory the log shows (mem= across a hole)', () => {
    const report = analyze('real/mips64-loongson3-mem-overwrite-memblock-debug-mailwrapped-5.17.log');
    const outside = codes(report, 'outside-memory').filter((f) => f.message.startsWith('Allocation'));
    expect(outside.map((f) => f.line)).toEqual([44, 49]);
    expect(outside[0].message).toContain('[mem 0x04000000-0x04002040]');
  });

  it.each([
    ['real/ppc64-power9-lpar-32node-31memoryless-mailflowed-6.18next.log', 1],
    ['real/x86_64-8node-6memoryless-nodedata-on-node5-zonelist-debug-4.20.log', 6],
  ])('%s: NODE_DATA of memoryless nodes on another node is wrong-node info', (path, count) => {
    const report = analyze(path);
    const wrong = codes(report, 'wrong-node');
    expect(wrong).toHaveLength(count);
    expect(wrong.every((f) => f.severity === 'info' && f.message.includes('no memory'))).toBe(true);
  });

  it('midsection boundary 5.11: node spans overlap by one section with the patch', () => {
    const report = analyze('real/x86_64-qemu-2node-midsection-boundary-overlapping-node-spans-5.11.log', 1);
    const [overlap] = codes(report, 'overlapping-nodes');
    expect(overlap.message).toContain('(128 MiB)');
    expect(codes(analyze('real/x86_64-qemu-2node-midsection-boundary-overlapping-node-spans-5.11.log', 0), 'overlapping-nodes')).toEqual([]);
  });

  it('riscv 6.4: the reserved array doubles without the reconstruction expecting it', () => {
    const report = analyze('real/riscv64-qemu-memblock-resize-before-linear-map-oops-6.4.log');
    expect(codes(report, 'alloc-mismatch').some((f) => f.message.includes('doubled'))).toBe(true);
    expect(codes(report, 'truncated-log').some((f) => f.message.includes('No `Memory:` line'))).toBe(true);
  });

  it('kdump 6.7: the ~122 MiB reserved region is held at the end of the log', () => {
    const report = analyze('real/x86_64-kdump-hp-z210-dmesg-T-memblock-debug-big-reserved.log');
    const big = report.leaks.held.filter((h) => h.heldBytes > 100n * MiB);
    expect(big).toHaveLength(1);
    expect(big[0].base).toBe(0x57b16000n);
  });
});
