// The simulator on op kinds and expectations the public conformance third does not contain.
import { describe, expect, it } from 'vitest';
import { checkScenario, simulateFile, type Scenario, type ScenarioOp } from '../../../src/engine/simulate';

const BASE = 0x100000000n;
const h = (v: bigint) => '0x' + v.toString(16);

/** memblock_set_node_check from tools/testing/memblock/tests/basic_api.c, in the file's op format. */
function setNodeScenario(allReserved: Record<string, unknown>): Scenario {
  const ops: ScenarioOp[] = [
    { op: 'reset_regions' },
    { op: 'allow_resize' },
    { op: 'add', base: h(BASE), size: '0x8000', nid: 'MAX_NUMNODES', flags: '0x0' },
    { op: 'set_node', type: 'memory', base: h(BASE), size: '0x4000', nid: 0 },
    { op: 'set_node', type: 'memory', base: h(BASE + 0x4000n), size: '0x4000', nid: 1 },
  ];
  for (let i = 0n; i < 125n; i++) {
    ops.push({ op: 'reserve', base: h(BASE + i * 16n), size: '0x8', nid: -1, flags: '0x0', api: 'memblock_reserve' });
  }
  ops.push({ op: 'reserve', base: h(BASE + 0x4000n - 8n), size: '0x10', nid: -1, flags: '0x0', api: 'memblock_reserve' });
  ops.push({ op: 'set_node_reserved_from_memory' });
  ops.push({ op: 'overlaps_region', type: 'memory', base: h(BASE - 0x1000n), size: '0x1000', expect: false });
  ops.push({ op: 'overlaps_region', type: 'memory', base: h(BASE - 0x1000n), size: '0x1001', expect: true });
  ops.push({ op: 'set_bottom_up', value: true });
  ops.push({ op: 'query_bottom_up', expect: true });
  return {
    id: 'memblock_set_node_check',
    setup: { config: { numa: true } },
    ops,
    expect: {
      memory: { cnt: 2, regions: [{ index: 0, base: h(BASE), size: '0x4000', nid: 0 }, { index: 1, nid: 1 }] },
      reserved: { max: 256 },
      numa_only: { 'memory.regions[1].nid': 1 },
      all_reserved: allReserved,
    },
  };
}

describe('simulateScenario', () => {
  it('runs set_node, the reserved node pass, overlaps and bottom-up queries', () => {
    const good = setNodeScenario({ numa_valid_node: true, last_nid: 1, others_nid: 0 });
    expect(checkScenario(good).mismatches).toEqual([]);
  });

  it('reports wrong expectations', () => {
    const bad = setNodeScenario({ last_nid: 0, mystery: 3 });
    bad.ops.push({ op: 'query_bottom_up', expect: false });
    bad.ops.push({ op: 'frobnicate' });
    const mismatches = checkScenario(bad).mismatches;
    expect(mismatches.some((m) => m.includes('all_reserved.last_nid'))).toBe(true);
    expect(mismatches.some((m) => m.includes('all_reserved.mystery'))).toBe(true);
    expect(mismatches.some((m) => m.includes('bottom_up: expected false'))).toBe(true);
    expect(mismatches.some((m) => m.includes('unsupported op "frobnicate"'))).toBe(true);
  });

  it('prints regions as hex with null for "no node", and accepts a single-scenario file', () => {
    const [result] = simulateFile(JSON.stringify({
      id: 'tiny',
      setup: { config: { numa: true } },
      ops: [
        { op: 'add', base: '0x1000', size: '0x1000', nid: 'MAX_NUMNODES', flags: '0x0' },
        { op: 'alloc', api: 'memblock_alloc', size: '0x10', align: '0x0', min_addr: '0x0', max_addr: '0x0', nid: -1, exact_nid: false },
      ],
    }));
    expect(result.memory).toEqual([{ base: '0x1000', size: '0x1000', nid: null, flags: '0x0' }]);
    // align 0 -> SMP_CACHE_BYTES (0x20 in the conformance constants)
    expect(result.allocs).toEqual([{ opIndex: 1, addr: '0x1fe0' }]);
    expect(result.reserved).toEqual([{ base: '0x1fe0', size: '0x10', nid: null, flags: '0x20' }]);
  });
});
