// The versioned JSON form of a what-if run (`whatif --json`); docs/whatif-json.md describes it.

import { toJsonValue } from '../report/json';
import { hex, humanSize } from '../util/hex';
import { formatLayout } from './layout';
import type { WhatIfResult } from './whatif';

export const WHATIF_SCHEMA = 'bootmem-lens/whatif';
export const WHATIF_SCHEMA_VERSION = 1;

export function whatIfJson(result: WhatIfResult, context: { file: string; boot: number; kernelVersion?: string }): unknown {
  return toJsonValue({
    schema: WHATIF_SCHEMA,
    version: WHATIF_SCHEMA_VERSION,
    file: context.file,
    boot: context.boot,
    kernelVersion: context.kernelVersion,
    model: result.model,
    bottomUp: result.bottomUp,
    layout: { source: result.layoutSource, text: formatLayout(result.layout), ranges: result.layout },
    cmdline: result.cmdline,
    totals: {
      ...result.totals,
      largestFreeBlockPerNode: result.nodes.map((n) => ({ nid: n.nid, size: n.largestFreeBlock?.size ?? 0n, base: n.largestFreeBlock?.base ?? null })),
    },
    measuredAt: result.measuredAt,
    nodes: result.nodes,
    requests: result.requests,
    reservations: result.reservations,
    overhead: result.overhead,
    notes: result.notes,
  });
}

export function formatWhatIf(result: WhatIfResult, file: string, boot: number): string {
  const t = result.totals;
  const lines = [
    `${file}: boot ${boot} replayed under ${result.model}${result.bottomUp ? ' (bottom-up)' : ''}, layout from ${result.layoutSource === 'log' ? 'the log' : '--layout'}`,
    `  layout: ${formatLayout(result.layout) || '(no RAM)'}`,
    `  ${t.requests} requests: ${t.placed} placed (${t.moved} elsewhere than in the log), ${t.failures} failed`,
    `  off-node: ${t.offNode} (${t.fallbacks} fallbacks, ${t.localityViolations} locality violations), double allocations: ${t.conflicts}`,
  ];
  for (const c of result.cmdline) lines.push(`  ${c.param}: ${c.effect}${c.below4G === undefined ? '' : c.below4G ? ' (below 4 GiB)' : ' (above 4 GiB)'}`);
  lines.push(`  free memory at the ${result.measuredAt === 'handoff' ? 'hand-off' : 'end of the log'}:`);
  for (const n of result.nodes) {
    const big = n.largestFreeBlock ? `${humanSize(n.largestFreeBlock.size)} at ${hex(n.largestFreeBlock.base)}` : 'none';
    lines.push(`    node ${n.nid}: ${humanSize(n.freeBytes)} free of ${humanSize(n.ramBytes)}, largest block ${big}`);
  }
  const interesting = result.requests.filter((r) => r.failed || r.offNode || r.conflict);
  if (interesting.length > 0) lines.push('  requests to look at:');
  for (const r of interesting.slice(0, 50)) {
    const where = r.failed ? 'FAILS' : `${hex(r.predicted!)} on node ${r.physicalNodes.join('+') || '?'}`;
    const why = [r.localityViolation ? 'LOCALITY VIOLATION' : '', r.fallback ? 'fallback' : '', r.conflict ? 'DOUBLE ALLOCATION' : ''].filter(Boolean).join(', ');
    lines.push(`    ${r.source === "cmdline" ? "cmdline" : `line ${r.line}`}: ${r.label ?? '?'} ${humanSize(r.size)}${r.requestedNode === null ? '' : ` for node ${r.requestedNode}`} -> ${where}${why ? ` (${why})` : ''}`);
  }
  if (interesting.length > 50) lines.push(`    ... ${interesting.length - 50} more (use --json)`);
  for (const note of result.notes) lines.push(`  note: ${note}`);
  return lines.join('\n') + '\n';
}
