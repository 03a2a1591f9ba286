import { describe, expect, it } from 'vitest';
import { replayBoot } from '../../../src/engine/replay/replay';
import { liveRegions } from '../../../src/engine/replay/checkpoint';
import { buildTopology, type Topology } from '../../../src/engine/topology';
import { findings, type Finding, type FindingCode } from '../../../src/engine/analysis/findings';
import type { Boot } from '../../../src/engine/types';
import { MiB, accounting, add, bootOf, dump, free, region, request, reserve } from './build';

const MEM_BASE = 0x10_0000n;
const MEM_SIZE = 255n * MiB; // memory is [1 MiB, 256 MiB)

function run(boot: Boot, topology?: Topology): Finding[] {
  const replay = replayBoot(boot);
  return findings(boot, replay, topology ?? buildTopology(boot.events, liveRegions(replay.final, 'memory')));
}

function only(list: Finding[], code: FindingCode): Finding[] {
  return list.filter((f) => f.code === code);
}

/** Memory, then a dump that tells the replay the full state (so later predictions count). */
const synced = (reserved = [] as ReturnType<typeof region>[]) => [add(MEM_BASE, MEM_SIZE), dump([region(MEM_BASE, MEM_SIZE)], reserved)];

describe('overlapping-reserve', () => {
  it('warns on a partial overlap and names the earlier reservation', () => {
    const boot = bootOf([...synced(), reserve(0x200_0000n, 2n * MiB, 'first_fn+0x1/0x2'), reserve(0x210_0000n, 2n * MiB, 'second_fn+0x1/0x2')]);
    const [finding] = only(run(boot), 'overlapping-reserve');
    expect(finding).toMatchObject({ severity: 'warning', line: 5 });
    expect(finding.message).toContain('[mem 0x02100000-0x022fffff]');
    expect(finding.message).toContain('second_fn');
    expect(finding.related).toEqual([{ line: 4, message: expect.stringContaining('1 MiB of it already reserved') }]);
  });

  it('is only info when the range lies entirely inside reserved memory', () => {
    const boot = bootOf([...synced(), reserve(0x200_0000n, 2n * MiB, 'a+0x1/0x2'), reserve(0x200_0000n, MiB, 'b+0x1/0x2')]);
    expect(only(run(boot), 'overlapping-reserve').map((f) => f.severity)).toEqual(['info']);
  });

  it('treats x86 re-reserving the first megabyte as routine', () => {
    const boot = bootOf([reserve(0x9f000n, 0x61000n, 'reserve_bios_regions+0x1/0x2'), reserve(0n, MiB, 'setup_arch+0x7e0/0xd4f'), ...synced()]);
    const [finding] = only(run(boot), 'overlapping-reserve');
    expect(finding.severity).toBe('info');
    expect(finding.message).toContain('first megabyte');
  });
});

describe('free-unreserved', () => {
  it('warns after the first dump and points at the nearest reservation', () => {
    const boot = bootOf([...synced(), reserve(0x300_0000n, MiB, 'owner_fn+0x1/0x2'), free(0x310_0000n, 0x1000n, 'freer_fn+0x1/0x2')]);
    const [finding] = only(run(boot), 'free-unreserved');
    expect(finding).toMatchObject({ severity: 'warning', line: 5 });
    expect(finding.message).toContain('freer_fn');
    expect(finding.related?.[0]).toMatchObject({ line: 4, message: expect.stringContaining('owner_fn') });
  });

  it('is info before the first dump (the range may predate memblock=debug)', () => {
    const boot = bootOf([add(MEM_BASE, MEM_SIZE), free(0x310_0000n, 0x1000n)]);
    expect(only(run(boot), 'free-unreserved')[0].severity).toBe('info');
  });

  it('says nothing when the free releases reserved bytes', () => {
    const boot = bootOf([...synced(), reserve(0x300_0000n, MiB), free(0x300_0000n, 0x1000n)]);
    expect(only(run(boot), 'free-unreserved')).toEqual([]);
  });
});

describe('outside-memory', () => {
  it('is info for a reservation (firmware ranges are legal) and an error for an allocation', () => {
    const boot = bootOf([...synced(), reserve(0x2000_0000n, 0x1000n, 'acpi_reserve_initial_tables+0x1/0x2'), request(0x1000n, 'some_init+0x1/0x2'), reserve(0x2000_1000n, 0x1000n, 'memblock_alloc_range_nid+0x1/0x2')]);
    const list = only(run(boot), 'outside-memory');
    expect(list.map((f) => [f.line, f.severity])).toEqual([
      [4, 'info'],
      [6, 'error'],
    ]);
    expect(list[1].message).toContain('some_init');
  });

  it('only warns for an allocation outside memory when no dump confirmed the memory', () => {
    const boot = bootOf([add(MEM_BASE, MEM_SIZE), request(0x1000n, 'some_init+0x1/0x2'), reserve(0x2000_1000n, 0x1000n, 'memblock_alloc_range_nid+0x1/0x2')], { arch: 'mips' });
    expect(only(run(boot), 'outside-memory')[0].severity).toBe('warning');
  });
});

describe('not-physical', () => {
  it('flags kernel virtual addresses in reserve lines as errors', () => {
    const boot = bootOf([...synced(), reserve(0xffff_8880_0100_0000n, 0x1000n, 'buggy_fn+0x1/0x2')]);
    const [finding] = only(run(boot), 'not-physical');
    expect(finding.severity).toBe('error');
    expect(finding.message).toContain('virtual');
  });

  it('flags addresses above the physical address width', () => {
    const boot = bootOf([...synced(), free(1n << 53n, 0x1000n)]);
    expect(only(run(boot), 'not-physical')[0].message).toContain('52-bit');
  });

  it('is info for a virtual from= bound, which memblock drops', () => {
    const boot = bootOf([...synced(), request(0x1000n, 'memmap_alloc+0x28/0x3c', { from: 0xffff_b56d_4000_0000n })], { arch: 'arm64' });
    expect(only(run(boot), 'not-physical')[0].severity).toBe('info');
  });
});

describe('allocation outcomes', () => {
  it('alloc-mismatch names the request and both addresses', () => {
    const boot = bootOf([...synced(), request(0x1000n, 'setup_thing+0x1/0x2'), reserve(0x500_0000n, 0x1000n, 'memblock_alloc_range_nid+0x1/0x2')]);
    const [finding] = only(run(boot), 'alloc-mismatch');
    expect(finding.severity).toBe('warning');
    expect(finding.message).toContain('memblock_alloc_try_nid(4 KiB');
    expect(finding.message).toContain('setup_thing');
    expect(finding.message).toContain('[mem 0x05000000-0x05000fff]');
    expect(finding.message).toContain('[mem 0x0ffff000-0x0fffffff]'); // top-down prediction
    expect(finding.related?.[0].line).toBe(5);
  });

  it('a predicted allocation that matches raises nothing', () => {
    const boot = bootOf([...synced(), request(0x1000n, 'setup_thing+0x1/0x2'), reserve(0xfff_f000n, 0x1000n, 'memblock_alloc_range_nid+0x1/0x2')]);
    expect(only(run(boot), 'alloc-mismatch')).toEqual([]);
  });

  it('alloc-failed is an error tied to the failure line', () => {
    const boot = bootOf([
      ...synced(),
      request(0x1000n, 'early_alloc+0x1/0x2'),
      { kind: 'failure', text: 'early_alloc: Failed to allocate 4096 bytes' },
      { kind: 'failure', text: 'cma: Failed to reserve 64 MiB', size: 64n * MiB },
    ]);
    const list = only(run(boot), 'alloc-failed');
    expect(list.map((f) => [f.line, f.severity])).toEqual([
      [4, 'error'],
      [6, 'error'],
    ]);
    expect(list[0].related?.[0].line).toBe(5);
    expect(list[1].message).toContain('64 MiB');
  });

  it('unpaired-alloc when a request has neither reserve nor failure', () => {
    const boot = bootOf([...synced(), request(0x1000n, 'lonely_fn+0x1/0x2'), request(0x2000n, 'next_fn+0x1/0x2'), reserve(0xfff_e000n, 0x2000n, 'memblock_alloc_range_nid+0x1/0x2'), accounting(262_144, 8)]);
    const [finding] = only(run(boot), 'unpaired-alloc');
    expect(finding).toMatchObject({ line: 4, severity: 'warning' });
    expect(finding.message).toContain('lonely_fn');
  });
});

describe('log shape', () => {
  it('inverted-range explains the ULLONG_MAX wrap', () => {
    const base = 1n << 48n;
    const boot = bootOf([{ kind: 'remove', base, size: 0n, inverted: true, rawEnd: base - 2n, caller: 'arm64_memblock_init+0x28/0x224' }]);
    const [finding] = only(run(boot), 'inverted-range');
    expect(finding).toMatchObject({ severity: 'warning', line: 2 });
    expect(finding.message).toContain('ULLONG_MAX');
  });

  it('truncated-log for dropped messages, a late start and a missing hand-off', () => {
    const boot = bootOf([add(MEM_BASE, MEM_SIZE), { kind: 'dropped', count: 1181 }], { truncatedStart: true, kernelVersion: undefined });
    const list = only(run(boot), 'truncated-log');
    expect(list.map((f) => [f.line, f.severity])).toEqual([
      [1, 'warning'],
      [3, 'warning'],
      [3, 'info'],
    ]);
    expect(list[1].message).toContain('1181');
  });

  it('no truncated-log for a complete boot with a hand-off', () => {
    expect(only(run(bootOf([...synced(), accounting(262_144, 0)])), 'truncated-log')).toEqual([]);
  });

  it('checkpoint-mismatch lists the differing regions', () => {
    const boot = bootOf([
      ...synced(),
      reserve(0x300_0000n, MiB, 'known_fn+0x1/0x2'),
      dump([region(MEM_BASE, MEM_SIZE)], [region(0x400_0000n, MiB)]),
    ]);
    const [finding] = only(run(boot), 'checkpoint-mismatch');
    expect(finding).toMatchObject({ severity: 'warning', line: 5 });
    const related = finding.related!.map((r) => r.message).join('\n');
    expect(related).toContain('kernel has reserved [mem 0x04000000-0x040fffff]');
    expect(related).toContain('reconstruction has reserved [mem 0x03000000-0x030fffff]');
    expect(finding.related!.find((r) => r.message.startsWith('reconstruction'))!.line).toBe(4);
  });
});

describe('NUMA', () => {
  const twoNodes: Topology = {
    nodes: [
      { nid: 0, blocks: [{ base: MEM_BASE, size: 127n * MiB }], memoryless: false },
      { nid: 1, blocks: [{ base: 128n * MiB, size: 128n * MiB }], memoryless: false },
    ],
    nodeSource: 'srat',
    firmware: [],
    zones: [],
  };

  it('cross-node for a range spanning two nodes', () => {
    const boot = bootOf([...synced(), reserve(127n * MiB, 2n * MiB, 'reserve_crashkernel+0x1/0x2')]);
    const [finding] = only(run(boot, twoNodes), 'cross-node');
    expect(finding.message).toContain('spans nodes 0 and 1');
  });

  it('wrong-node: warning for an exact-node request, info for a legal fallback', () => {
    const boot = bootOf([
      ...synced(),
      request(0x1000n, 'sparse_init_nid+0x1/0x2', { nid: 0, exactNid: true, api: 'memblock_alloc_exact_nid_raw' }),
      reserve(0xfff_f000n, 0x1000n, 'memblock_alloc_range_nid+0x1/0x2'),
      request(0x1000n, 'sparse_index_alloc+0x1/0x2', { nid: 0 }),
      reserve(0xfff_e000n, 0x1000n, 'memblock_alloc_range_nid+0x1/0x2'),
    ]);
    const list = only(run(boot, twoNodes), 'wrong-node');
    expect(list.map((f) => f.severity)).toEqual(['warning', 'info']);
    expect(list[0].message).toContain('placed on node 1');
  });

  it('wrong-node info for NODE_DATA of a memoryless node placed elsewhere', () => {
    const boot = bootOf([{ kind: 'memoryless-node', nid: 0 }, { kind: 'node-data', nid: 0, base: 0x87efd4000n, size: 0x2b000n, onNode: 5 }]);
    const [finding] = only(run(boot), 'wrong-node');
    expect(finding.severity).toBe('info');
    expect(finding.message).toContain('NODE_DATA(0)');
    expect(finding.message).toContain('no memory');
  });

  it('overlapping-nodes when Initmem spans share a section', () => {
    const boot = bootOf([
      { kind: 'node-range', source: 'initmem', nid: 0, base: 0x1000n, size: 0x1_4800_0000n - 0x1000n },
      { kind: 'node-range', source: 'initmem', nid: 1, base: 0x1_4000_0000n, size: 0x1_0000_0000n },
    ]);
    const [finding] = only(run(boot), 'overlapping-nodes');
    expect(finding.message).toContain('[mem 0x140000000-0x147ffffff] (128 MiB)');
  });
});
