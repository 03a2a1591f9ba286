// Findings: what in a boot's memory story deserves a kernel engineer's attention, each anchored to
// the log line that shows it. Codes are stable strings (the UI and CLI filter on them).
//
// Severity policy: 'error' when the kernel's own behaviour is wrong or failed (failed allocations,
// allocations outside RAM, addresses no RAM can have); 'warning' when the log and the
// reconstruction disagree or something is suspicious; 'info' when it is legal and routine but
// worth knowing (re-reserving a reserved range, firmware ranges outside RAM, a memoryless node's
// pgdat placed elsewhere).
//
// This file runs the checks and holds those read from the events, the allocations and the
// checkpoints; overlaps.ts has overlapping-reserve and free-unreserved, reservation-checks.ts the
// checks that visit every reservation (outside-memory, cross-node). The output is sorted by line,
// stably, so the order the groups are listed in below decides ties.

import type { Addr, Boot, CheckpointEvent, MemoryEvent, Region } from '../types';
import type { AllocOutcome, CheckpointOutcome, ReplayResult } from '../replay/replay';
import type { RegionDiff } from '../replay/checkpoint';
import type { Topology } from '../topology';
import { at, functionName, humanSize, memRange, memRangeSized, spanOf } from './format';
import { physBits, scanEvents, type EventScan } from './events';
import { overlapAndFreeFindings } from './overlaps';
import { checkReservations, NodeBlocks } from './reservation-checks';

export { physBits };

export type FindingCode =
  | 'overlapping-reserve'
  | 'free-unreserved'
  | 'outside-memory'
  | 'not-physical'
  | 'cross-node'
  | 'wrong-node'
  | 'alloc-mismatch'
  | 'alloc-failed'
  | 'inverted-range'
  | 'truncated-log'
  | 'unpaired-alloc'
  | 'checkpoint-mismatch'
  | 'overlapping-nodes';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  code: FindingCode;
  severity: Severity;
  line: number;
  endLine: number;
  message: string;
  related?: { line: number; message: string }[];
}

export type ReplayView = Pick<ReplayResult, 'reservations' | 'allocs' | 'checkpoints' | 'doubles' | 'syncIndex' | 'handoffIndex' | 'handoff' | 'inferred'> &
  Partial<Pick<ReplayResult, 'overlaps' | 'unreservedFrees'>>;

/** How many regions a checkpoint-mismatch lists before summarising. */
const MAX_RELATED = 16;

export function findings(boot: Boot, replay: ReplayView, topology: Topology, scan: EventScan = scanEvents(boot)): Finding[] {
  const blocks = new NodeBlocks(topology);
  // The walks over every reservation and every allocation come first; their findings keep their places below.
  const reservations = checkReservations(boot, replay, topology, scan, blocks);
  const allocations = allocationFindings(boot, replay, scan, blocks);
  const out: Finding[] = [
    ...truncationFindings(boot, replay, scan),
    ...invertedFindings(boot, scan),
    ...notPhysicalFindings(boot, scan),
    ...overlapAndFreeFindings(boot, replay, reservations.table),
    ...reservations.outside,
    ...reservations.crossNode,
    ...overlappingNodeFindings(boot, topology, scan),
    ...allocations.wrongNode,
    ...nodeDataFindings(boot, topology, scan),
    ...allocations.other,
    ...checkpointFindings(boot, replay),
  ];
  return out.sort((a, b) => a.line - b.line || severityRank(a.severity) - severityRank(b.severity));
}

function severityRank(severity: Severity): number {
  return severity === 'error' ? 0 : severity === 'warning' ? 1 : 2;
}

// ---------------------------------------------------------------------------------------------
// truncated-log

function truncationFindings(boot: Boot, replay: ReplayView, scan: EventScan): Finding[] {
  const out: Finding[] = [];
  const synced = replay.syncIndex >= 0;
  if (boot.truncatedStart || boot.kernelVersion === undefined) {
    out.push({
      code: 'truncated-log',
      severity: synced ? 'info' : 'warning',
      line: boot.startLine,
      endLine: boot.startLine,
      message:
        'The log does not start at the kernel\'s first line (no `Linux version`): early reservations are missing' +
        (synced ? '; the first MEMBLOCK dump restores the state from there on.' : ' and no MEMBLOCK dump restores them, so the reconstruction is partial.'),
    });
  }
  for (const index of scan.truncations) {
    const event = boot.events[index];
    if (event.kind === 'dropped') {
      out.push({
        code: 'truncated-log',
        severity: 'warning',
        ...at(event),
        message: `${event.count} printk messages were dropped here (log buffer overflow): reserve/free lines in between are lost; use log_buf_len= to keep them.`,
      });
    } else if (event.kind === 'checkpoint' && !event.complete) {
      out.push({ code: 'truncated-log', severity: 'warning', ...at(event), message: 'This MEMBLOCK listing is incomplete (fewer rows than its count header says).' });
    } else if (event.kind === 'accounting' && event.truncated) {
      out.push({ code: 'truncated-log', severity: 'info', ...at(event), message: 'The `Memory:` line is cut short; only its leading figures were read.' });
    }
  }
  if (replay.handoffIndex < 0 && boot.events.length > 0) {
    const last = boot.events[boot.events.length - 1];
    out.push({
      code: 'truncated-log',
      severity: 'info',
      ...at(last),
      message:
        'No `Memory:` line: the log ends (or the boot stopped) before memblock handed memory to the page allocator; the leak report shows the state at the last memory line.',
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// inverted-range

function invertedFindings(boot: Boot, scan: EventScan): Finding[] {
  const out: Finding[] = [];
  for (const index of scan.inverted) {
    const event = boot.events[index];
    if (!('inverted' in event) || !event.inverted) continue;
    const base = (event as { base: Addr }).base;
    const rawEnd = event.rawEnd;
    const printed = rawEnd !== undefined ? `[0x${base.toString(16)}-0x${rawEnd.toString(16)}]` : `at 0x${base.toString(16)}`;
    // memblock_remove(base, ULLONG_MAX) prints base + ~0 - 1 = base - 2 as the inclusive end.
    const wrapped = rawEnd !== undefined && (rawEnd === base - 2n || rawEnd === base - 1n);
    out.push({
      code: 'inverted-range',
      severity: 'warning',
      ...at(event),
      message:
        `${describeKind(event)} range ${printed} ends below its start` +
        (wrapped ? ': a size running to ULLONG_MAX wrapped past 2^64 (the kernel caps it to the top of the address space).' : ': garbage firmware data or a size that wrapped past 2^64; the event was not applied.'),
    });
  }
  return out;
}

function describeKind(event: MemoryEvent): string {
  switch (event.kind) {
    case 'reserve':
    case 'free':
    case 'free-late':
    case 'add':
      return event.api;
    case 'remove':
      return 'memblock_remove';
    case 'firmware':
      return `${event.table}`;
    default:
      return event.kind;
  }
}

// ---------------------------------------------------------------------------------------------
// not-physical

const KERNEL_VIRTUAL = 0xffff_0000_0000_0000n;

function notPhysicalFindings(boot: Boot, scan: EventScan): Finding[] {
  const out: Finding[] = [];
  const limit = 1n << BigInt(physBits(boot.arch));
  for (const index of scan.notPhysical) {
    const event = boot.events[index];
    if (event.kind === 'alloc') {
      if (event.from >= limit) {
        out.push({
          code: 'not-physical',
          severity: 'info',
          ...at(event),
          message: `${event.api} asks for memory from=0x${event.from.toString(16)}, which is no physical address (${boundHint(event.from, limit)}); memblock retries from 0, so the bound is ignored.`,
        });
      }
      continue;
    }
    if (event.kind !== 'add' && event.kind !== 'reserve' && event.kind !== 'free' && event.kind !== 'free-late') continue;
    if (event.inverted || event.size === 0n) continue;
    const end = event.base + event.size;
    if (event.base < limit && end <= limit) continue;
    out.push({
      code: 'not-physical',
      severity: 'error',
      ...at(event),
      message: `${event.api} of ${memRange(event.base, event.size)}${event.caller ? ` from ${functionName(event.caller) ?? event.caller}` : ''}: no physical memory can be there (${virtualHint(event.base, limit)}).`,
    });
  }
  return out;
}

function boundHint(addr: Addr, limit: Addr): string {
  if (addr >= KERNEL_VIRTUAL) return 'a kernel virtual address: the caller converted a virtual bound such as MAX_DMA_ADDRESS with __pa() where it does not apply';
  return `above the ${limit.toString(2).length - 1}-bit physical address limit`;
}

function virtualHint(addr: Addr, limit: Addr): string {
  if (addr >= KERNEL_VIRTUAL) return 'it looks like a kernel virtual address — a pointer passed where a physical address belongs (memblock_free takes a pointer since 5.16, memblock_phys_free a physical address)';
  return `above the ${limit.toString(2).length - 1}-bit physical address limit`;
}

// ---------------------------------------------------------------------------------------------
// wrong-node, overlapping-nodes (cross-node: reservation-checks.ts)

/**
 * Nodes whose blocks (or `Initmem setup node` spans, which are rounded to sections) overlap: a
 * node boundary inside a memory section gives pages two nodes.
 */
function overlappingNodeFindings(boot: Boot, topology: Topology, scan: EventScan): Finding[] {
  const fromSpans = overlapPairs(scan.initmemSpans.map((s) => ({ nid: s.nid, base: s.base, size: s.size, line: s.line })), 'Initmem node spans');
  if (fromSpans.length > 0) return fromSpans;
  const line = scan.firstNodeRange >= 0 ? boot.events[scan.firstNodeRange].line : boot.startLine;
  const blocks = topology.nodes.flatMap((n) => n.blocks.map((b) => ({ ...b, nid: n.nid, line })));
  return overlapPairs(blocks, topology.nodeSource);
}

function overlapPairs(blocks: readonly { nid: number; base: Addr; size: Addr; line: number }[], source: string): Finding[] {
  const out: Finding[] = [];
  for (let i = 0; i < blocks.length; i++) {
    for (let j = i + 1; j < blocks.length; j++) {
      const a = blocks[i];
      const b = blocks[j];
      if (a.nid === b.nid || a.base >= b.base + b.size || b.base >= a.base + a.size) continue;
      const lo = a.base > b.base ? a.base : b.base;
      const hi = a.base + a.size < b.base + b.size ? a.base + a.size : b.base + b.size;
      out.push({
        code: 'overlapping-nodes',
        severity: 'warning',
        line: b.line,
        endLine: b.line,
        message: `Nodes ${a.nid} and ${b.nid} both claim ${memRangeSized(lo, hi - lo)} (${source}): a node boundary inside a memory section, or conflicting firmware tables.`,
        related: a.line !== b.line ? [{ line: a.line, message: `node ${a.nid}: ${memRange(a.base, a.size)}` }] : undefined,
      });
    }
  }
  return out;
}

/** A node's pgdat placed on another node. */
function nodeDataFindings(boot: Boot, topology: Topology, scan: EventScan): Finding[] {
  const out: Finding[] = [];
  for (const index of scan.nodeData) {
    const event = boot.events[index];
    if (event.kind !== 'node-data' || event.onNode === undefined || event.onNode === event.nid) continue;
    const memoryless = topology.nodes.find((n) => n.nid === event.nid)?.memoryless;
    out.push({
      code: 'wrong-node',
      severity: 'info',
      ...at(event),
      message: `NODE_DATA(${event.nid}) ${memRange(event.base, event.size)} sits on node ${event.onNode}` + (memoryless ? ` because node ${event.nid} has no memory (the kernel's normal fallback).` : `: node ${event.nid} had no room for its own pgdat.`),
    });
  }
  return out;
}

/** An allocation with a node id placed on another node, or undefined. */
function wrongNodeFinding(boot: Boot, outcome: AllocOutcome, blocks: NodeBlocks): Finding | undefined {
  const nid = outcome.request.nid;
  if (nid === null || nid < 0 || outcome.actual === null) return undefined;
  const placed = blocks.nodeAt(outcome.actual);
  if (placed === undefined || placed === nid) return undefined;
  const exact = outcome.request.exactNid;
  return {
    code: 'wrong-node',
    severity: exact ? 'warning' : 'info',
    ...spanOf(boot, outcome.reserveEventIndex ?? outcome.eventIndex, outcome.line),
    message:
      `${outcome.request.api}(${humanSize(outcome.request.size)}, nid=${nid})${callerOf(outcome)} was placed on node ${placed} at ${memRange(outcome.actual, outcome.request.size)}` +
      (exact ? ': an exact-node request must not fall back to another node.' : ': node ' + nid + ' had no room (or no memory), so memblock fell back to any node.'),
    related: [{ line: outcome.line, message: 'the request' }],
  };
}

function callerOf(outcome: AllocOutcome): string {
  const name = functionName(outcome.request.caller);
  return name ? ` from ${name}` : '';
}

// ---------------------------------------------------------------------------------------------
// alloc-mismatch, alloc-failed, unpaired-alloc (and wrong-node, in the same walk over the allocations)

function allocationFindings(boot: Boot, replay: ReplayView, scan: EventScan, blocks: NodeBlocks): { wrongNode: Finding[]; other: Finding[] } {
  const wrongNode: Finding[] = [];
  const out: Finding[] = [];
  const usedFailures = new Set<number>();
  const partial: AllocOutcome[] = [];
  let lastAllocator: number | undefined;
  // Indexed loops over the big arrays: until the optimiser has compiled a loop (late, on a busy
  // machine), for-of allocates an iterator result per element.
  const allocs = replay.allocs;
  for (let i = 0; i < allocs.length; i++) {
    const outcome = allocs[i];
    const misplaced = wrongNodeFinding(boot, outcome, blocks);
    if (misplaced) wrongNode.push(misplaced);
    if (outcome.status === 'match') continue;
    if (outcome.inferred && outcome.status === 'mismatch') continue; // the request was guessed, not printed
    if (outcome.status === 'mismatch' && isPartialState(boot, replay, outcome)) partial.push(outcome);
    else if (outcome.status === 'mismatch') out.push(mismatchFinding(boot, outcome));
    else if (outcome.status === 'failed') out.push(failedFinding(boot, outcome, usedFailures));
    else if (outcome.status === 'unpaired') out.push(unpairedFinding(boot, outcome, (lastAllocator ??= lastAllocatorEvent(boot))));
  }
  if (partial.length > 0) out.push(partialMismatchFinding(boot, partial));
  for (const index of scan.failures) {
    const event = boot.events[index];
    if (event.kind !== 'failure' || usedFailures.has(index)) continue;
    out.push({
      code: 'alloc-failed',
      severity: 'error',
      ...at(event),
      message: `Early allocation failure: ${event.text}${event.size !== undefined ? ` (${humanSize(event.size)})` : ''}.`,
    });
  }
  for (const double of replay.doubles) {
    if (double.match) continue;
    const event = boot.events[double.eventIndex];
    out.push({
      code: 'alloc-mismatch',
      severity: 'info',
      ...(event ? at(event) : { line: double.line, endLine: double.line }),
      message:
        double.predictedBase === undefined
          ? `memblock doubled an array at 0x${double.actualBase.toString(16)}; the reconstruction did not expect it to be full (regions the log never printed).`
          : `memblock placed the doubled array at 0x${double.actualBase.toString(16)}; the model predicted 0x${double.predictedBase.toString(16)}.`,
    });
  }
  return { wrongNode, other: out };
}

function describeRequest(outcome: AllocOutcome): string {
  const r = outcome.request;
  const nid = r.nid === null ? '' : `, nid=${r.nid}${r.exactNid ? ' exact' : ''}`;
  return `${r.api}(${humanSize(r.size)}, align=0x${r.align.toString(16)}${nid})${callerOf(outcome)}`;
}

/** Before the first dump of a log that starts late, the model runs on a state printed only in part. */
function isPartialState(boot: Boot, replay: ReplayView, outcome: AllocOutcome): boolean {
  return !outcome.afterSync && (replay.syncIndex >= 0 || boot.truncatedStart);
}

function mismatchText(outcome: AllocOutcome): string {
  const size = outcome.request.size;
  return (
    `${describeRequest(outcome)}: the kernel placed it at ${memRange(outcome.actual!, size)}, the model predicted ` +
    (outcome.predicted === null ? 'no fit in memblock.memory as reconstructed (memory added before memblock=debug is not in the log)' : memRange(outcome.predicted, size))
  );
}

function mismatchFinding(boot: Boot, outcome: AllocOutcome): Finding {
  return {
    code: 'alloc-mismatch',
    severity: 'warning',
    line: outcome.line,
    endLine: spanOf(boot, outcome.reserveEventIndex ?? outcome.eventIndex, outcome.line).endLine,
    message: `${mismatchText(outcome)}.`,
    related: outcome.reserveLine !== undefined ? [{ line: outcome.reserveLine, message: 'the kernel\'s reserve line' }] : undefined,
  };
}

/** One finding for all predictions made before the state was known: they say little one by one. */
function partialMismatchFinding(boot: Boot, outcomes: readonly AllocOutcome[]): Finding {
  const first = outcomes[0];
  const related = outcomes.slice(0, MAX_RELATED).map((o) => ({ line: o.line, message: mismatchText(o) }));
  if (outcomes.length > MAX_RELATED) related.push({ line: outcomes[MAX_RELATED].line, message: `… and ${outcomes.length - MAX_RELATED} more` });
  return {
    code: 'alloc-mismatch',
    severity: 'info',
    ...spanOf(boot, first.eventIndex, first.line),
    message:
      `${outcomes.length} allocation(s) before the first MEMBLOCK dump landed elsewhere than predicted: the log starts after reservations the model never saw, ` +
      `so predictions only become exact once the dump gives the full state. First: ${mismatchText(first)}.`,
    related,
  };
}

function failedFinding(boot: Boot, outcome: AllocOutcome, usedFailures: Set<number>): Finding {
  const failureIndex = followingFailure(boot, outcome.eventIndex);
  if (failureIndex >= 0) usedFailures.add(failureIndex);
  const failure = failureIndex >= 0 ? boot.events[failureIndex] : undefined;
  return {
    code: 'alloc-failed',
    severity: failure ? 'error' : 'warning',
    ...spanOf(boot, outcome.eventIndex, outcome.line),
    message: failure
      ? `${describeRequest(outcome)} failed.`
      : `${describeRequest(outcome)} got no reserve line and the model finds no free block that fits: it most likely failed.`,
    related: failure && failure.kind === 'failure' ? [{ line: failure.line, message: failure.text }] : undefined,
  };
}

/** The failure line that belongs to a request: after it, before the next request. */
function followingFailure(boot: Boot, requestIndex: number): number {
  for (let i = requestIndex + 1; i < boot.events.length; i++) {
    const event = boot.events[i];
    if (event.kind === 'failure') return i;
    if (event.kind === 'alloc' || event.kind === 'reserve') return -1;
  }
  return -1;
}

function unpairedFinding(boot: Boot, outcome: AllocOutcome, lastAllocator: number): Finding {
  const lost = droppedAfter(boot, outcome.eventIndex) || outcome.eventIndex === lastAllocator;
  return {
    code: 'unpaired-alloc',
    severity: lost ? 'info' : 'warning',
    ...spanOf(boot, outcome.eventIndex, outcome.line),
    message:
      `${describeRequest(outcome)} has no matching reserve line and no failure` +
      (lost ? ' (the log ends or drops messages right after it).' : `: the model would have placed it at ${outcome.predicted === null ? '(nowhere)' : memRange(outcome.predicted, outcome.request.size)}; a line is missing or the request's size/alignment did not match the reserve.`),
  };
}

function droppedAfter(boot: Boot, index: number): boolean {
  for (let i = index + 1; i < boot.events.length && i <= index + 3; i++) if (boot.events[i].kind === 'dropped') return true;
  return false;
}

function lastAllocatorEvent(boot: Boot): number {
  for (let i = boot.events.length - 1; i >= 0; i--) {
    const kind = boot.events[i].kind;
    if (kind === 'alloc' || kind === 'reserve' || kind === 'free') return i;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// checkpoint-mismatch

function checkpointFindings(boot: Boot, replay: ReplayView): Finding[] {
  const out: Finding[] = [];
  for (const checkpoint of replay.checkpoints) {
    if (checkpoint.role !== 'compare' || checkpoint.diffs.length === 0) continue;
    out.push(checkpointFinding(boot, replay, checkpoint));
  }
  return out;
}

function checkpointFinding(boot: Boot, replay: ReplayView, checkpoint: CheckpointOutcome): Finding {
  const event = boot.events[checkpoint.eventIndex] as CheckpointEvent | undefined;
  const related = checkpoint.diffs.slice(0, MAX_RELATED).map((diff) => ({
    line: diffLine(diff, replay, checkpoint.line),
    message: describeDiff(diff),
  }));
  if (checkpoint.diffs.length > MAX_RELATED) related.push({ line: checkpoint.line, message: `… and ${checkpoint.diffs.length - MAX_RELATED} more` });
  const arrays = [...new Set(checkpoint.diffs.map((d) => d.array))].join(' and ');
  const what = checkpoint.source === 'debugfs' ? 'The debugfs listing' : 'This MEMBLOCK dump';
  return {
    code: 'checkpoint-mismatch',
    severity: 'warning',
    ...(event ? at(event) : { line: checkpoint.line, endLine: checkpoint.line }),
    message: `${what} differs from the reconstruction in ${checkpoint.diffs.length} ${arrays} region(s): lines were lost or an operation was not printed. The reconstruction continues from the kernel's state.`,
    related,
  };
}

function describeDiff(diff: RegionDiff): string {
  const region = (r: Region) => `${diff.array} ${memRangeSized(r.base, r.size)}${r.nid >= 0 && r.nid < 1024 ? ` node ${r.nid}` : ''}${r.flags ? ` flags 0x${r.flags.toString(16)}` : ''}`;
  if (diff.kind === 'missing' && diff.expected) return `kernel has ${region(diff.expected)}; the reconstruction does not`;
  if (diff.kind === 'extra' && diff.actual) return `reconstruction has ${region(diff.actual)}; the kernel does not`;
  if (diff.expected && diff.actual) return `kernel has ${region(diff.expected)}; the reconstruction has ${region(diff.actual)}`;
  return `${diff.array} differs`;
}

/** Point an 'extra' region at the reservation that made it; everything else at the dump. */
function diffLine(diff: RegionDiff, replay: ReplayView, fallback: number): number {
  const region = diff.actual ?? diff.expected;
  if (diff.array !== 'reserved' || !region || diff.kind === 'missing') return fallback;
  // The last reservation (in replay order) made by then that overlaps the region: search from the end.
  const regionEnd = region.base + region.size;
  const reservations = replay.reservations;
  for (let i = reservations.length - 1; i >= 0; i--) {
    const r = reservations[i];
    if (r.line <= fallback && r.base < regionEnd && region.base < r.base + r.size) return r.line;
  }
  return fallback;
}
