// Topology: which NUMA node owns which physical block, and what the firmware said each range is.
// The log states node membership in several places of varying authority; we take the most
// authoritative one present (the kernel's own "Early memory node ranges" first, firmware tables last).

import type { Addr, FirmwareEvent, MemoryEvent, NodeRangeEvent, Range, Region } from './types';
import { MAX_NUMNODES } from './types';

export interface NodeBlock extends Range {
  nid: number;
}

export interface NodeInfo {
  nid: number;
  /** Contiguous physical ranges that belong to this node, sorted. */
  blocks: Range[];
  memoryless: boolean;
  /** Where NODE_DATA(nid) was placed, and on which node it physically sits when the kernel said so. */
  nodeData?: Range & { onNode?: number };
}

export interface FirmwareEntry extends Range {
  source: FirmwareEvent['source'];
  type: string;
  line: number;
}

export interface Topology {
  nodes: NodeInfo[];
  /** Which kind of line the node blocks came from. */
  nodeSource: string;
  /** The firmware map after the edits the log shows (e820 update/remove), sorted by base. */
  firmware: FirmwareEntry[];
  zones: { zone: string; base?: Addr; size?: Addr }[];
}

/** Which node a physical address belongs to, or undefined. Blocks are few, so a scan is fine. */
export function nodeOf(topology: Topology, addr: Addr): number | undefined {
  for (const node of topology.nodes) {
    for (const block of node.blocks) {
      if (addr >= block.base && addr < block.base + block.size) return node.nid;
    }
  }
  return undefined;
}

/** The nodes a range touches, in address order. */
export function nodesOfRange(topology: Topology, base: Addr, size: Addr): number[] {
  const end = base + (size === 0n ? 1n : size);
  const touched = new Set<number>();
  for (const node of topology.nodes) {
    for (const block of node.blocks) {
      if (base < block.base + block.size && block.base < end) touched.add(node.nid);
    }
  }
  return [...touched].sort((a, b) => a - b);
}

export function firmwareAt(topology: Topology, addr: Addr): FirmwareEntry | undefined {
  return topology.firmware.find((entry) => addr >= entry.base && addr < entry.base + entry.size);
}

// Sources in the order we trust them: what the kernel finally used before what firmware proposed.
const NODE_SOURCE_RANK: NodeRangeEvent['source'][] = [
  'early-node-ranges',
  'initmem',
  'numa-merge',
  'srat',
  'fake',
  'arch-numa',
  'bootmem-setup',
  'faking-single',
];

/**
 * Builds the topology of one boot from its events and, when the log names no nodes at all,
 * from the memory regions of the final reconstructed state (their nids, or one node 0).
 */
export function buildTopology(events: readonly MemoryEvent[], finalMemory: readonly Region[]): Topology {
  const bySource = new Map<string, NodeBlock[]>();
  const memoryless = new Set<number>();
  const nodeData = new Map<number, NodeInfo['nodeData']>();
  const zones: Topology['zones'] = [];
  for (const event of events) {
    if (event.kind === 'node-range') {
      const list = bySource.get(event.source) ?? [];
      list.push({ nid: event.nid, base: event.base, size: event.size });
      bySource.set(event.source, list);
    } else if (event.kind === 'memoryless-node') {
      memoryless.add(event.nid);
    } else if (event.kind === 'node-data') {
      nodeData.set(event.nid, { base: event.base, size: event.size, onNode: event.onNode });
    } else if (event.kind === 'zone') {
      zones.push({ zone: event.zone, base: event.base, size: event.size });
    }
  }
  let nodeSource = 'none';
  let blocks: NodeBlock[] = [];
  const best = NODE_SOURCE_RANK.find((source) => bySource.has(source));
  if (best === 'numa-merge' || best === 'srat') {
    blocks = applyNumaMerges(bySource.get('srat') ?? [], bySource.get('numa-merge') ?? []);
    nodeSource = bySource.has('srat') ? 'srat' : 'numa-merge';
  } else if (best) {
    blocks = bySource.get(best)!;
    nodeSource = best;
  } else {
    blocks = blocksFromMemory(finalMemory);
    nodeSource = blocks.some((b) => b.nid !== 0) ? 'memblock-nid' : 'single-node';
  }
  return {
    nodes: groupByNode(blocks, memoryless, nodeData),
    nodeSource,
    firmware: buildFirmwareMap(events),
    zones,
  };
}

/** x86 merges SRAT blocks of one node ("NUMA: Node 0 [a] + [b] -> [c]"); apply those merges. */
export function applyNumaMerges(srat: readonly NodeBlock[], merges: readonly NodeBlock[]): NodeBlock[] {
  const result = srat.map((b) => ({ ...b }));
  for (const merged of merges) {
    const end = merged.base + merged.size;
    const kept = result.filter((b) => !(b.nid === merged.nid && b.base >= merged.base && b.base + b.size <= end));
    kept.push({ ...merged });
    result.length = 0;
    result.push(...kept);
  }
  return result.sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
}

function blocksFromMemory(memory: readonly Region[]): NodeBlock[] {
  const blocks: NodeBlock[] = [];
  for (const region of memory) {
    const nid = region.nid >= 0 && region.nid < MAX_NUMNODES ? region.nid : 0;
    const last = blocks[blocks.length - 1];
    if (last && last.nid === nid && last.base + last.size === region.base) last.size += region.size;
    else blocks.push({ nid, base: region.base, size: region.size });
  }
  return blocks;
}

function groupByNode(
  blocks: readonly NodeBlock[],
  memoryless: ReadonlySet<number>,
  nodeData: ReadonlyMap<number, NodeInfo['nodeData']>,
): NodeInfo[] {
  const nodes = new Map<number, NodeInfo>();
  const ensure = (nid: number): NodeInfo => {
    let node = nodes.get(nid);
    if (!node) {
      node = { nid, blocks: [], memoryless: false, nodeData: nodeData.get(nid) };
      nodes.set(nid, node);
    }
    return node;
  };
  for (const block of [...blocks].sort((a, b) => (a.base < b.base ? -1 : 1))) {
    const node = ensure(block.nid);
    const last = node.blocks[node.blocks.length - 1];
    if (last && last.base + last.size >= block.base) {
      const end = block.base + block.size > last.base + last.size ? block.base + block.size : last.base + last.size;
      last.size = end - last.base;
    } else {
      node.blocks.push({ base: block.base, size: block.size });
    }
  }
  for (const nid of memoryless) ensure(nid).memoryless = true;
  for (const nid of nodeData.keys()) ensure(nid);
  for (const node of nodes.values()) if (node.blocks.length === 0) node.memoryless = true;
  return [...nodes.values()].sort((a, b) => a.nid - b.nid);
}

/**
 * The firmware map: the last complete table the log printed (BIOS-e820, then a `modified`/`user`
 * reprint supersedes it), with later e820 update/remove edits applied. EFI and others are kept as is.
 */
export function buildFirmwareMap(events: readonly MemoryEvent[]): FirmwareEntry[] {
  let e820: FirmwareEntry[] = [];
  let table = '';
  const other: FirmwareEntry[] = [];
  for (const event of events) {
    if (event.kind !== 'firmware') continue;
    if (event.source !== 'e820') {
      if (!event.edit) other.push(entryOf(event));
      continue;
    }
    if (event.edit) {
      e820 = applyE820Edit(e820, event);
    } else {
      if (event.table !== table && !isSupplementTable(event.table)) {
        e820 = [];
        table = event.table;
      }
      if (!isSupplementTable(event.table)) e820.push(entryOf(event));
    }
  }
  const firmware = e820.length > 0 ? [...e820, ...other.filter((e) => e.source !== 'efi' || e820.length === 0)] : other;
  return firmware.sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
}

// `reserve setup_data` reprints the table with setup_data carved out; it is not a new map.
function isSupplementTable(table: string): boolean {
  return table.includes('setup_data');
}

function entryOf(event: FirmwareEvent): FirmwareEntry {
  return { base: event.base, size: event.size, type: event.type, source: event.source, line: event.line };
}

/** e820 update/remove on a sorted, non-overlapping table: split entries at the edit's bounds. */
function applyE820Edit(table: FirmwareEntry[], edit: FirmwareEvent): FirmwareEntry[] {
  const start = edit.base;
  const end = edit.base + edit.size;
  const result: FirmwareEntry[] = [];
  for (const entry of table) {
    const entryEnd = entry.base + entry.size;
    const matches = edit.type === '' || edit.type === entry.type;
    if (entryEnd <= start || entry.base >= end || !matches) {
      result.push(entry);
      continue;
    }
    if (entry.base < start) result.push({ ...entry, size: start - entry.base });
    const innerBase = entry.base > start ? entry.base : start;
    const innerEnd = entryEnd < end ? entryEnd : end;
    if (edit.edit === 'update' && edit.newType) {
      result.push({ ...entry, base: innerBase, size: innerEnd - innerBase, type: edit.newType, line: edit.line });
    }
    if (entryEnd > end) result.push({ ...entry, base: end, size: entryEnd - end });
  }
  return result;
}
