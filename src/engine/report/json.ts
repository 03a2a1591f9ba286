// The versioned JSON form of an analysis (`analyze --json`). docs/analysis-json.md describes it.
// Every address and size is a hex string, so 64-bit values survive JSON parsers that use doubles.

import type { Analysis, BootAnalysis } from '../analyze';
import type { Region } from '../types';
import { hex } from '../util/hex';
import { liveRegions, printedNid } from '../replay/checkpoint';
import { summarizeNodes } from './nodes';

export const ANALYSIS_SCHEMA = 'bootmem-lens/analysis';
export const ANALYSIS_SCHEMA_VERSION = 1;

export interface RegionJson {
  base: string;
  size: string;
  nid: number | null;
  flags: string;
}

export function regionJson(region: Region): RegionJson {
  return { base: hex(region.base), size: hex(region.size), nid: printedNid(region.nid), flags: hex(BigInt(region.flags)) };
}

/** Deep copy with bigints as hex strings (the report types use bigint everywhere). */
export function toJsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return hex(value);
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = toJsonValue(item);
    return out;
  }
  return value;
}

export function analysisJson(analysis: Analysis, file: string): unknown {
  return {
    schema: ANALYSIS_SCHEMA,
    version: ANALYSIS_SCHEMA_VERSION,
    file,
    lineCount: analysis.parse.lineCount,
    unreadMemoryLines: analysis.parse.unreadCount,
    envelopes: analysis.parse.envelopes,
    boots: analysis.boots.map(bootJson),
  };
}

function bootJson(analysis: BootAnalysis): unknown {
  const { boot, replay, topology, report } = analysis;
  const handoff = replay.handoff.model;
  const eventCounts: Record<string, number> = {};
  for (const event of boot.events) eventCounts[event.kind] = (eventCounts[event.kind] ?? 0) + 1;
  const judged = replay.allocs.filter((a) => a.status === 'match' || a.status === 'mismatch');
  const afterSync = judged.filter((a) => a.afterSync);
  return toJsonValue({
    index: boot.index,
    startLine: boot.startLine,
    endLine: boot.endLine,
    kernelVersion: boot.kernelVersion,
    arch: boot.arch,
    cmdline: boot.cmdline,
    truncatedStart: boot.truncatedStart,
    unreadMemoryLines: boot.unreadCount,
    eventCounts,
    topology: { nodeSource: topology.nodeSource, zones: topology.zones },
    nodes: summarizeNodes(topology, liveRegions(handoff, 'memory'), liveRegions(handoff, 'reserved')),
    firmware: topology.firmware,
    predictions: {
      requests: replay.allocs.length,
      judged: judged.length,
      matched: judged.filter((a) => a.status === 'match').length,
      judgedAfterFirstCheckpoint: afterSync.length,
      matchedAfterFirstCheckpoint: afterSync.filter((a) => a.status === 'match').length,
      failed: replay.allocs.filter((a) => a.status === 'failed').length,
      unpaired: replay.allocs.filter((a) => a.status === 'unpaired').length,
      misses: judged
        .filter((a) => a.status === 'mismatch')
        .map((a) => ({ line: a.line, reserveLine: a.reserveLine, api: a.request.api, size: a.request.size, align: a.request.align, nid: a.request.nid, predicted: a.predicted, actual: a.actual, afterFirstCheckpoint: a.afterSync })),
    },
    checkpoints: replay.checkpoints.map((c) => ({ line: c.line, source: c.source, role: c.role, differences: c.diffs })),
    inferred: replay.inferred,
    preDebugBytes: replay.preDebugBytes,
    handoffLine: replay.handoffIndex >= 0 ? boot.events[replay.handoffIndex].line : null,
    handoffState: { memory: liveRegions(handoff, 'memory').map(regionJson), reserved: liveRegions(handoff, 'reserved').map(regionJson) },
    reservations: replay.reservations.map((r) => ({
      id: r.id,
      origin: r.origin,
      line: r.line,
      base: r.base,
      size: r.size,
      caller: r.caller,
      request: r.request && { eventIndex: r.request.eventIndex, line: r.request.line, api: r.request.api, caller: r.request.caller, nid: r.request.nid },
      freedBytes: r.freedBytes,
      owner: report.owners[r.id]?.owner,
      ownerReason: report.owners[r.id]?.reason,
    })),
    leaks: report.leaks,
    findings: report.findings,
    accounting: report.accounting,
  });
}

/**
 * JSON.stringify(value, null, 2) + '\n', as a sequence of chunks of about `chunkSize` characters.
 * A report of a million-line log is larger than the longest string V8 can hold, so it is never
 * built as one string: the CLI and the export write it piece by piece.
 */
export function* jsonChunks(value: unknown, chunkSize = 1 << 16): Generator<string> {
  let buffer = '';
  for (const piece of jsonPieces(value, '')) {
    buffer += piece;
    if (buffer.length >= chunkSize) {
      yield buffer;
      buffer = '';
    }
  }
  yield buffer + '\n';
}

function* jsonPieces(value: unknown, indent: string): Generator<string> {
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return yield '[]';
    yield '[';
    for (let i = 0; i < value.length; i++) {
      yield (i === 0 ? '\n' : ',\n') + inner;
      // Like JSON.stringify: holes and non-JSON values inside arrays print as null.
      yield* jsonPieces(value[i] === undefined || typeof value[i] === 'function' ? null : value[i], inner);
    }
    return yield '\n' + indent + ']';
  }
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function');
    if (entries.length === 0) return yield '{}';
    yield '{';
    let first = true;
    for (const [key, item] of entries) {
      yield (first ? '\n' : ',\n') + inner + JSON.stringify(key) + ': ';
      first = false;
      yield* jsonPieces(item, inner);
    }
    return yield '\n' + indent + '}';
  }
  yield JSON.stringify(value) ?? 'null';
}
