// NUMA node and zone layout lines (printk-formats.md §6). Pure line readers; the row blocks
// (`Zone ranges:` rows, early_node_map rows) and the node id implied by NODE_DATA lines are
// tracked by MessageParser.

import type { LogRecord, MemorylessNodeEvent, NodeDataEvent, NodeRangeEvent, ZoneEvent } from '../../types';
import { exclusiveSpan, hexOf, inclusiveSpan, MEM_RANGE, type Span } from './scan';

type NodeSource = NodeRangeEvent['source'];

export function nodeRange(source: NodeSource, nid: number, span: Span, rec: LogRecord): NodeRangeEvent {
  const event: NodeRangeEvent = { kind: 'node-range', source, nid, base: span.base, size: span.size, line: rec.line, endLine: rec.endLine };
  if (span.inverted) {
    event.inverted = true;
    event.rawEnd = span.rawEnd;
  }
  return event;
}

export function memoryless(nid: number, rec: LogRecord): MemorylessNodeEvent {
  return { kind: 'memoryless-node', nid, line: rec.line, endLine: rec.endLine };
}

// ---------------------------------------------------------------------------------------------
// SRAT, merges, fake nodes

const SRAT_NEW = new RegExp(String.raw`^(?:ACPI: )?SRAT: Node (\d+) PXM (\d+) ${MEM_RANGE}(.*)$`);
const SRAT_OLD = /^SRAT: Node (\d+) PXM (\d+) ([0-9a-fA-F]+)-([0-9a-fA-F]+)(.*)$/;

/** SRAT memory affinity: `[ACPI: ]SRAT: Node N PXM P [mem a-b][ hotplug][ non-volatile]` or ≤3.4 `h-h` (exclusive). */
export function readSrat(text: string, rec: LogRecord): NodeRangeEvent | undefined {
  let m = SRAT_NEW.exec(text);
  let span: Span;
  let suffix: string;
  if (m) {
    span = inclusiveSpan(hexOf(m[3]!), hexOf(m[4]!));
    suffix = m[5]!;
  } else {
    m = SRAT_OLD.exec(text);
    if (!m) return undefined;
    span = exclusiveSpan(hexOf(m[3]!), hexOf(m[4]!));
    suffix = m[5]!;
  }
  const event = nodeRange('srat', Number(m[1]), span, rec);
  if (suffix.includes('hotplug')) event.hotplug = true;
  if (suffix.includes('non-volatile')) event.nonVolatile = true;
  return event;
}

const MERGE_NEW = new RegExp(String.raw`^NUMA: Node (\d+) ${MEM_RANGE} \+ ${MEM_RANGE} -> ${MEM_RANGE}`);
const MERGE_OLD = /^NUMA: Node (\d+) \[([0-9a-fA-F]+),\s*([0-9a-fA-F]+)\) \+ \[([0-9a-fA-F]+),\s*([0-9a-fA-F]+)\) -> \[([0-9a-fA-F]+),\s*([0-9a-fA-F]+)\)/;

/** `NUMA: Node N [mem a] + [mem b] -> [mem c]` (≤3.4: half-open `[h,h)`): the merged block c. */
export function readNumaMerge(text: string, rec: LogRecord): NodeRangeEvent | undefined {
  let m = MERGE_NEW.exec(text);
  if (m) return nodeRange('numa-merge', Number(m[1]), inclusiveSpan(hexOf(m[6]!), hexOf(m[7]!)), rec);
  m = MERGE_OLD.exec(text);
  if (m) return nodeRange('numa-merge', Number(m[1]), exclusiveSpan(hexOf(m[6]!), hexOf(m[7]!)), rec);
  return undefined;
}

const FAKE_SINGLE_NEW = new RegExp(String.raw`^(?:NUMA: )?Faking a node at ${MEM_RANGE}`);
const FAKE_SINGLE_OLD = /^(?:NUMA: )?Faking a node at ([0-9a-fA-F]+)-([0-9a-fA-F]+)/;
const FAKE_NODE_NEW = new RegExp(String.raw`^Faking node (\d+) at ${MEM_RANGE}`);
const FAKE_NODE_OLD = /^Faking node (\d+) at ([0-9a-fA-F]+)-([0-9a-fA-F]+)/;

/** `Faking a node at …` (no NUMA found: one node 0) and numa=fake `Faking node N at …` (old forms exclusive). */
export function readFaking(text: string, rec: LogRecord): NodeRangeEvent | undefined {
  let m = FAKE_SINGLE_NEW.exec(text);
  if (m) return nodeRange('faking-single', 0, inclusiveSpan(hexOf(m[1]!), hexOf(m[2]!)), rec);
  m = FAKE_SINGLE_OLD.exec(text);
  if (m) return nodeRange('faking-single', 0, exclusiveSpan(hexOf(m[1]!), hexOf(m[2]!)), rec);
  m = FAKE_NODE_NEW.exec(text);
  if (m) return nodeRange('fake', Number(m[1]), inclusiveSpan(hexOf(m[2]!), hexOf(m[3]!)), rec);
  m = FAKE_NODE_OLD.exec(text);
  if (m) return nodeRange('fake', Number(m[1]), exclusiveSpan(hexOf(m[2]!), hexOf(m[3]!)), rec);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Node setup and NODE_DATA

const SETUP_NEW = new RegExp(String.raw`^(?:NUMA: )?(Initmem|Bootmem) setup node (\d+) ${MEM_RANGE}`);
const SETUP_OLD = /^(?:NUMA: )?(Initmem|Bootmem) setup node (\d+) ([0-9a-fA-F]+)-([0-9a-fA-F]+)/;
const SETUP_MEMORYLESS = /^(?:NUMA: )?Initmem setup node (\d+) (?:as memoryless|\[<memory-less node>\])/;

export interface NodeSetup {
  nid: number;
  event: NodeRangeEvent | MemorylessNodeEvent;
}

/** `Initmem setup node N [mem a-b]`, `… as memoryless`, `[<memory-less node>]`, ≤3.4/`Bootmem` exclusive forms. */
export function readNodeSetup(text: string, rec: LogRecord): NodeSetup | undefined {
  let m = SETUP_NEW.exec(text);
  if (m) {
    const nid = Number(m[2]);
    const start = hexOf(m[3]!);
    const end = hexOf(m[4]!);
    // 4.x prints an empty node as [0x0-0x0] (end_pfn ? end-1 : 0): that is "no memory", not one byte.
    if (start === 0n && end === 0n) return { nid, event: memoryless(nid, rec) };
    return { nid, event: nodeRange(m[1] === 'Bootmem' ? 'bootmem-setup' : 'initmem', nid, inclusiveSpan(start, end), rec) };
  }
  m = SETUP_OLD.exec(text);
  if (m) {
    const nid = Number(m[2]);
    return { nid, event: nodeRange(m[1] === 'Bootmem' ? 'bootmem-setup' : 'initmem', nid, exclusiveSpan(hexOf(m[3]!), hexOf(m[4]!)), rec) };
  }
  m = SETUP_MEMORYLESS.exec(text);
  if (m) return { nid: Number(m[1]), event: memoryless(Number(m[1]), rec) };
  return undefined;
}

const NODE_DATA_ALLOCATED = new RegExp(String.raw`^NODE_DATA\((\d+)\) allocated ${MEM_RANGE}`);
const NODE_DATA_BARE = new RegExp(String.raw`^(NUMA: )?NODE_DATA ${MEM_RANGE}`);
const NODE_DATA_OLD = /^NODE_DATA \[([0-9a-fA-F]+) - ([0-9a-fA-F]+)\]/;
const NODE_DATA_ON = /^(?:NUMA: )?NODE_DATA\((\d+)\) on node (\d+)/;

export interface NodeDataLine {
  /** Node id when printed; otherwise the caller supplies it from context. */
  nid?: number;
  /** `NUMA: NODE_DATA [mem]` (arm64 arch_numa, nid implied by order) vs x86 `NODE_DATA [..]` after a setup line. */
  arm64: boolean;
  span: Span;
}

/** NODE_DATA allocation lines; all inclusive. */
export function readNodeData(text: string): NodeDataLine | undefined {
  let m = NODE_DATA_ALLOCATED.exec(text);
  if (m) return { nid: Number(m[1]), arm64: false, span: inclusiveSpan(hexOf(m[2]!), hexOf(m[3]!)) };
  m = NODE_DATA_BARE.exec(text);
  if (m) return { arm64: m[1] !== undefined, span: inclusiveSpan(hexOf(m[2]!), hexOf(m[3]!)) };
  m = NODE_DATA_OLD.exec(text);
  if (m) return { arm64: false, span: inclusiveSpan(hexOf(m[1]!), hexOf(m[2]!)) };
  return undefined;
}

export function nodeDataEvent(nid: number, span: Span, rec: LogRecord): NodeDataEvent {
  const event: NodeDataEvent = { kind: 'node-data', nid, base: span.base, size: span.size, line: rec.line, endLine: rec.endLine };
  if (span.inverted) {
    event.inverted = true;
    event.rawEnd = span.rawEnd;
  }
  return event;
}

/** `    NODE_DATA(N) on node M`: the previous NODE_DATA(N) was placed off-node. */
export function readNodeDataOn(text: string): { nid: number; onNode: number } | undefined {
  const m = NODE_DATA_ON.exec(text);
  return m ? { nid: Number(m[1]), onNode: Number(m[2]) } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Zones and node ranges

const ZONE_NAMES = String.raw`DMA32|DMA|Normal|HighMem|Movable|Device`;
const ZONE_ROW = new RegExp(String.raw`^(${ZONE_NAMES})\s+(?:${MEM_RANGE}|(empty)|0x([0-9a-fA-F]+) -> 0x([0-9a-fA-F]+))`);

/** A row under `Zone ranges:` (bytes, inclusive) or `Zone PFN ranges:` (PFNs, exclusive). */
export function readZoneRow(text: string, rec: LogRecord, pageShift: bigint): ZoneEvent | undefined {
  const m = ZONE_ROW.exec(text);
  if (!m) return undefined;
  const event: ZoneEvent = { kind: 'zone', zone: m[1]!, line: rec.line, endLine: rec.endLine };
  let span: Span | undefined;
  if (m[2] !== undefined) span = inclusiveSpan(hexOf(m[2]), hexOf(m[3]!));
  else if (m[5] !== undefined) span = exclusiveSpan(hexOf(m[5]) << pageShift, hexOf(m[6]!) << pageShift);
  // `empty` zones and PFN rows with start = end have no range.
  if (span && (span.size > 0n || span.inverted)) {
    event.base = span.base;
    event.size = span.size;
    if (span.inverted) {
      event.inverted = true;
      event.rawEnd = span.rawEnd;
    }
  }
  return event;
}

const NODE_ROW = new RegExp(String.raw`^node\s+(\d+): ${MEM_RANGE}`);
const PFN_ROW = /^(\d+): 0x([0-9a-fA-F]+) -> 0x([0-9a-fA-F]+)/;

/** `node   N: [mem a-b]` under `Early memory node ranges` (stateless: the row is distinctive). */
export function readEarlyNodeRow(text: string, rec: LogRecord): NodeRangeEvent | undefined {
  const m = NODE_ROW.exec(text);
  return m ? nodeRange('early-node-ranges', Number(m[1]), inclusiveSpan(hexOf(m[2]!), hexOf(m[3]!)), rec) : undefined;
}

/** `N: 0xPFN -> 0xPFN` under `early_node_map[K] active PFN ranges` / `Early memory PFN ranges` (exclusive). */
export function readPfnNodeRow(text: string, rec: LogRecord, pageShift: bigint): NodeRangeEvent | undefined {
  const m = PFN_ROW.exec(text);
  if (!m) return undefined;
  return nodeRange('early-node-ranges', Number(m[1]), exclusiveSpan(hexOf(m[2]!) << pageShift, hexOf(m[3]!) << pageShift), rec);
}

const ARCH_NUMA_ADD = /^NUMA: Adding memblock \[(0x[0-9a-fA-F]+) - (0x[0-9a-fA-F]+)\] on node (\d+)/;

/** arm64/riscv arch_numa (≈4.7–5.x): `NUMA: Adding memblock [0xa - 0xb] on node N` (inclusive). */
export function readArchNumaAdd(text: string, rec: LogRecord): NodeRangeEvent | undefined {
  const m = ARCH_NUMA_ADD.exec(text);
  return m ? nodeRange('arch-numa', Number(m[3]), inclusiveSpan(hexOf(m[1]!), hexOf(m[2]!)), rec) : undefined;
}
