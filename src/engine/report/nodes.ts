// Per-node totals at a moment of the boot: how much of each node is memory, reserved and free.

import type { Addr, Region } from '../types';
import type { Topology } from '../topology';

export interface NodeSummary {
  nid: number;
  blocks: { base: Addr; size: Addr }[];
  memoryless: boolean;
  /** memblock.memory bytes inside the node's blocks. */
  memoryBytes: Addr;
  /** Reserved bytes inside the node's memory. */
  reservedBytes: Addr;
  freeBytes: Addr;
}

export function summarizeNodes(topology: Topology, memory: readonly Region[], reserved: readonly Region[]): NodeSummary[] {
  return topology.nodes.map((node) => {
    let memoryBytes = 0n;
    let reservedBytes = 0n;
    for (const block of node.blocks) {
      const blockEnd = block.base + block.size;
      for (const mem of memory) {
        const from = max(mem.base, block.base);
        const to = min(mem.base + mem.size, blockEnd);
        if (to <= from) continue;
        memoryBytes += to - from;
        reservedBytes += coveredBytes(reserved, from, to);
      }
    }
    return {
      nid: node.nid,
      blocks: node.blocks.map((b) => ({ base: b.base, size: b.size })),
      memoryless: node.memoryless,
      memoryBytes,
      reservedBytes,
      freeBytes: memoryBytes - reservedBytes,
    };
  });
}

/** Bytes of [from, to) covered by the sorted, non-overlapping regions. */
function coveredBytes(regions: readonly Region[], from: Addr, to: Addr): Addr {
  let total = 0n;
  for (const r of regions) {
    if (r.base >= to) break;
    const a = max(r.base, from);
    const b = min(r.base + r.size, to);
    if (b > a) total += b - a;
  }
  return total;
}

const max = (a: Addr, b: Addr) => (a > b ? a : b);
const min = (a: Addr, b: Addr) => (a < b ? a : b);
