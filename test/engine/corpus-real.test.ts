// Every real log of the corpus (test/fixtures/corpus/real, SOURCES.md says what each shows) parses
// without error and keeps showing what it shows: its boots, kernel, nodes, the memory events read,
// and the problems (warnings and errors) its bug should raise. Checked by hand against SOURCES.md once.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeText } from '../../src/engine/analyze';

const REAL = path.resolve(__dirname, '../fixtures/corpus/real');

interface Pin {
  version: string | null;
  arch: string | null;
  nodes: number;
  truncatedStart: boolean;
  events: Record<string, number>;
  /** Finding codes at warning or error level. */
  problems: string[];
}

const PINS: Record<string, Pin[]> = {

  'arm32-brcmstb-no-map-region-as-ram-memblock-dump-mailwrapped-5.4.log': [
    { version: null, arch: null, nodes: 1, truncatedStart: true, events: { checkpoint: 2, failure: 1 }, problems: ['alloc-failed', 'checkpoint-mismatch'] },
  ],
  'arm32-rpi2-efi-memblock-debug-early_alloc-panic-5.2.log': [
    { version: '5.2.1-lpae', arch: 'arm', nodes: 1, truncatedStart: false, events: { reserve: 5, checkpoint: 2, remove: 1, firmware: 6, add: 6, failure: 2, alloc: 1 }, problems: ['alloc-failed', 'checkpoint-mismatch'] },
  ],
  'arm64-mediatek-kukui-memblock-debug-mailwrapped-inverted-range-warn-4.19.log': [
    { version: null, arch: 'arm64', nodes: 0, truncatedStart: true, events: { remove: 2, reserve: 3 }, problems: ['inverted-range', 'truncated-log'] },
  ],
  'i386-pentium3-2.6.35-early_res-subtract-nobootmem-forumjunk-crlf.log': [
    { version: '2.6.35-24-generic', arch: 'i386', nodes: 1, truncatedStart: false, events: { firmware: 20, 'owner-hint': 1, zone: 3, 'node-range': 3, 'early-res': 38, percpu: 1, setting: 1, accounting: 1, freeing: 1 }, problems: [] },
  ],
  'ia64-ski-memblock-debug-no-timestamps-5.15.log': [
    { version: '5.15.146-26c690eff0a5-ia64-ski-dirty', arch: 'ia64', nodes: 1, truncatedStart: false, events: { reserve: 31, add: 1, alloc: 26, zone: 2, 'node-range': 2, free: 2, setting: 1, accounting: 1, freeing: 1 }, problems: [] },
  ],
  'mips32r6-qemu-boston-memblock_virt_alloc-highmem-hang-4.19.log': [
    { version: '4.19.0-rc1-00008-g82d0f342eecd', arch: 'mips', nodes: 0, truncatedStart: false, events: { firmware: 2, reserve: 3, alloc: 1 }, problems: ['alloc-mismatch'] },
  ],
  'mips64-loongson3-mem-overwrite-memblock-debug-mailwrapped-5.17.log': [
    { version: '5.17.0-rc3+', arch: 'mips', nodes: 1, truncatedStart: false, events: { add: 1, reserve: 3, alloc: 2 }, problems: ['alloc-mismatch', 'outside-memory'] },
  ],
  'ppc64-power9-lpar-32node-31memoryless-mailflowed-6.18next.log': [
    { version: '6.18.0-rc4-next-20251103', arch: 'ppc64', nodes: 32, truncatedStart: false, events: { 'owner-hint': 1, 'node-data': 2, zone: 2, 'node-range': 2, 'memoryless-node': 31, percpu: 1, setting: 1 }, problems: [] },
  ],
  'riscv64-qemu-memblock-resize-before-linear-map-oops-6.4.log': [
    { version: null, arch: 'riscv64', nodes: 0, truncatedStart: true, events: { reserve: 12, 'owner-hint': 1, alloc: 1, double: 1 }, problems: ['truncated-log'] },
  ],
  'riscv64-sv39-two-banks-alloc-outside-linear-map-oops-6.10.log': [
    { version: '6.10.0-rc2-gd3b8dd5b51dd-dirty', arch: 'riscv64', nodes: 1, truncatedStart: false, events: { add: 2, alloc: 1, reserve: 1 }, problems: ['alloc-mismatch'] },
  ],
  'x86_64-8node-6memoryless-nodedata-on-node5-zonelist-debug-4.20.log': [
    { version: null, arch: null, nodes: 8, truncatedStart: true, events: { 'node-range': 2, 'node-data': 8, 'memoryless-node': 6, percpu: 1 }, problems: ['truncated-log'] },
  ],
  'x86_64-athlon64-2.6.32-early_res-bootmem-node-ubuntuforums.log': [
    { version: '2.6.32-25-generic', arch: 'x86_64', nodes: 1, truncatedStart: false, events: { setting: 2, firmware: 18, 'owner-hint': 2, 'node-range': 5, 'node-data': 1, 'early-res': 8, zone: 3, percpu: 1, accounting: 1 }, problems: [] },
  ],
  'x86_64-chromebook-coral-kernelci-lava-linenum-kmsg-prefix-e820-type16.log': [
    { version: null, arch: 'x86_64', nodes: 0, truncatedStart: true, events: { firmware: 13 }, problems: ['truncated-log'] },
  ],
  'x86_64-hp-notebook-journalctl-pager-truncated-type20-4.18.log': [
    { version: '4.18.0-8-generic', arch: 'x86_64', nodes: 0, truncatedStart: false, events: { setting: 1, firmware: 12 }, problems: [] },
  ],
  'x86_64-kdump-hp-z210-dmesg-T-memblock-debug-big-reserved.log': [
    { version: null, arch: 'x86_64', nodes: 1, truncatedStart: true, events: { firmware: 2, reserve: 3, add: 4, checkpoint: 1 }, problems: [] },
  ],
  'x86_64-qemu-2node-memblock-debug-6.6.log': [
    { version: '6.6.41-dirty', arch: 'x86_64', nodes: 2, truncatedStart: false, events: { setting: 2, reserve: 68, firmware: 10, add: 3, checkpoint: 2, alloc: 52, free: 8, 'owner-hint': 7, 'node-range': 12, 'node-data': 2, zone: 3, percpu: 1, accounting: 1, freeing: 1 }, problems: [] },
  ],
  'x86_64-qemu-2node-midsection-boundary-overlapping-node-spans-5.11.log': [
    { version: null, arch: 'x86_64', nodes: 2, truncatedStart: true, events: { firmware: 8, 'node-range': 11, 'node-data': 2, zone: 4 }, problems: ['truncated-log'] },
    { version: null, arch: 'x86_64', nodes: 2, truncatedStart: true, events: { firmware: 8, 'node-range': 12, 'node-data': 2, zone: 4 }, problems: ['overlapping-nodes', 'truncated-log'] },
  ],
  'x86_64-rhel9-kvm-2node-64G-dmesg-T-termwrapped-5.14.log': [
    { version: '5.14.0-505.el9.x86_64', arch: 'x86_64', nodes: 2, truncatedStart: false, events: { setting: 1, firmware: 10, 'owner-hint': 2, 'node-range': 12, 'node-data': 2, zone: 4, accounting: 1, freeing: 5 }, problems: [] },
  ],
  'xtensa-bootmem-debug-free_all_bootmem_core-double-free-3.8.log': [
    { version: null, arch: null, nodes: 0, truncatedStart: true, events: { bootmem: 1 }, problems: ['truncated-log'] },
  ],
};

describe.each(Object.keys(PINS))('%s', (name) => {
  const analysis = analyzeText(readFileSync(path.join(REAL, name), 'latin1'));

  it('reads every memory-looking line', () => {
    expect(analysis.parse.unreadCount).toBe(0);
  });

  it('shows its boots, kernel, nodes, events and problems', () => {
    const actual = analysis.boots.map((b) => {
      const events: Record<string, number> = {};
      for (const e of b.boot.events) events[e.kind] = (events[e.kind] ?? 0) + 1;
      const problems = [...new Set(b.report.findings.filter((f) => f.severity !== 'info').map((f) => f.code))].sort();
      return { version: b.boot.kernelVersion ?? null, arch: b.boot.arch ?? null, nodes: b.topology.nodes.length, truncatedStart: b.boot.truncatedStart, events, problems };
    });
    expect(actual).toEqual(PINS[name]);
  });
});
