// The terminal summary of `analyze FILE`: per boot, what the log is, how well the reconstruction
// agrees with the kernel, the nodes, who holds the reserved memory, the leaks and the findings.

import type { Analysis, BootAnalysis } from '../analyze';
import { humanSize, hex } from '../util/hex';
import { liveRegions } from '../replay/checkpoint';
import { summarizeNodes } from './nodes';
import type { Addr } from '../types';

const TOP_OWNERS = 10;
const TOP_LEAKS = 10;
const TOP_FINDINGS = 25;

export function formatAnalysis(analysis: Analysis, file: string): string {
  const out: string[] = [];
  const boots = analysis.boots.length;
  out.push(`${file}: ${analysis.parse.lineCount} lines, ${boots} boot${boots === 1 ? '' : 's'}` +
    (analysis.parse.unreadCount ? `, ${analysis.parse.unreadCount} memory-looking lines not understood` : ''));
  if (boots === 0) out.push('  no kernel boot found in this file');
  for (const boot of analysis.boots) out.push('', ...formatBoot(boot));
  return out.join('\n') + '\n';
}

function formatBoot(analysis: BootAnalysis): string[] {
  const { boot } = analysis;
  const out: string[] = [];
  const version = boot.kernelVersion ? `Linux ${boot.kernelVersion}` : 'kernel version not in the log';
  out.push(`Boot ${boot.index}: ${version}${boot.arch ? ` (${boot.arch})` : ''}, lines ${boot.startLine}-${boot.endLine}` +
    (boot.truncatedStart ? ' [log starts mid-boot]' : ''));
  if (boot.cmdline) out.push(`  command line: ${boot.cmdline}`);
  out.push('  ' + eventSummary(analysis));
  out.push(...predictionSummary(analysis));
  out.push(...checkpointSummary(analysis));
  out.push(...nodeSummary(analysis));
  out.push(...ownerSummary(analysis));
  out.push(...leakSummary(analysis));
  out.push(...accountingSummary(analysis));
  out.push(...findingSummary(analysis));
  return out;
}

function eventSummary({ boot }: BootAnalysis): string {
  const counts = new Map<string, number>();
  for (const event of boot.events) counts.set(event.kind, (counts.get(event.kind) ?? 0) + 1);
  const order = ['reserve', 'alloc', 'free', 'free-late', 'add', 'remove', 'checkpoint', 'firmware', 'node-range'];
  const parts = order.filter((k) => counts.has(k)).map((k) => `${counts.get(k)} ${k}`);
  return `events: ${parts.join(', ') || 'no memory events'}`;
}

function predictionSummary({ replay }: BootAnalysis): string[] {
  const judged = replay.allocs.filter((a) => a.afterSync && (a.status === 'match' || a.status === 'mismatch'));
  if (replay.allocs.length === 0) return [];
  const matched = judged.filter((a) => a.status === 'match').length;
  const failed = replay.allocs.filter((a) => a.status === 'failed').length;
  const before = replay.allocs.filter((a) => !a.afterSync).length;
  const pct = judged.length ? ((100 * matched) / judged.length).toFixed(1) : '-';
  const lines = [`  allocations: ${replay.allocs.length} requests; after the first checkpoint ${matched}/${judged.length} placed where the model predicted (${pct}%)` +
    (before ? `; ${before} before it (state only partly printed)` : '') + (failed ? `; ${failed} failed` : '')];
  return lines;
}

function checkpointSummary({ replay }: BootAnalysis): string[] {
  if (replay.checkpoints.length === 0) return ['  checkpoints: none (no MEMBLOCK dump or debugfs listing in this boot)'];
  const parts = replay.checkpoints.map((c) =>
    `line ${c.line} ${c.source} ${c.role === 'sync' ? '(synced)' : c.diffs.length === 0 ? '(matches)' : `(${c.diffs.length} differences)`}`);
  const pre = replay.preDebugBytes > 0n ? `; ${humanSize(replay.preDebugBytes)} reserved before memblock=debug took effect` : '';
  return [`  checkpoints: ${parts.join(', ')}${pre}`];
}

function nodeSummary({ replay, topology }: BootAnalysis): string[] {
  const model = replay.handoff.model;
  const nodes = summarizeNodes(topology, liveRegions(model, 'memory'), liveRegions(model, 'reserved'));
  if (nodes.length === 0) return [];
  const out = [`  nodes (from ${topology.nodeSource}), at the hand-off:`];
  for (const node of nodes) {
    const blocks = node.blocks.map((b) => `[mem ${hex(b.base)}-${hex(b.base + b.size - 1n)}]`).join(' ');
    out.push(node.memoryless
      ? `    node ${node.nid}: memoryless`
      : `    node ${node.nid}: ${blocks}  memory ${humanSize(node.memoryBytes)}, reserved ${humanSize(node.reservedBytes)}, free ${humanSize(node.freeBytes)}`);
  }
  return out;
}

function ownerSummary({ report }: BootAnalysis): string[] {
  const owners = [...report.leaks.byOwner].sort((a, b) => compareBig(b.bytes, a.bytes)).slice(0, TOP_OWNERS);
  if (owners.length === 0) return [];
  return ['  reserved at the hand-off, by owner:', ...owners.map((o) => `    ${o.owner.padEnd(16)} ${humanSize(o.bytes).padStart(10)}  (${o.count})`)];
}

function leakSummary({ report }: BootAnalysis): string[] {
  const suspects = [...report.leaks.suspects].sort((a, b) => compareBig(b.heldBytes, a.heldBytes));
  const totals = report.leaks.totals;
  const out = [`  leaks: ${humanSize(totals.suspect.bytes)} in ${totals.suspect.count} reservations normally given back are still held` +
    ` (permanent by design: ${humanSize(totals.permanent.bytes)}; given back later: ${humanSize(totals['released-later'].bytes)}; unclassified: ${humanSize(totals.unclassified.bytes)})`];
  for (const leak of suspects.slice(0, TOP_LEAKS)) {
    out.push(`    line ${leak.line}: ${humanSize(leak.heldBytes)} ${leak.owner}${leak.caller ? ` by ${leak.caller}` : ''}: ${leak.why}`);
  }
  if (suspects.length > TOP_LEAKS) out.push(`    … ${suspects.length - TOP_LEAKS} more (see --json)`);
  return out;
}

function accountingSummary({ report }: BootAnalysis): string[] {
  const rec = report.leaks.reconciliation;
  if (rec.kernelReserved === undefined) return [];
  const kib = (b: Addr) => `${b / 1024n}K`;
  const out = [`  accounting: the kernel says ${kib(rec.kernelReserved)} reserved; reconstructed ${kib(rec.expectedReserved)}` +
    (rec.difference !== undefined ? ` (difference ${kib(rec.difference)})` : '')];
  for (const line of rec.explanation) out.push(`    ${line}`);
  return out;
}

function findingSummary({ report }: BootAnalysis): string[] {
  const findings = report.findings;
  if (findings.length === 0) return ['  findings: none'];
  const bySeverity = (s: string) => findings.filter((f) => f.severity === s).length;
  const out = [`  findings: ${bySeverity('error')} errors, ${bySeverity('warning')} warnings, ${bySeverity('info')} notes`];
  const rank = { error: 0, warning: 1, info: 2 } as const;
  const sorted = [...findings].sort((a, b) => rank[a.severity] - rank[b.severity] || a.line - b.line);
  for (const f of sorted.slice(0, TOP_FINDINGS)) out.push(`    line ${f.line}: ${f.severity} ${f.code}: ${f.message}`);
  if (findings.length > TOP_FINDINGS) out.push(`    … ${findings.length - TOP_FINDINGS} more (see --json)`);
  return out;
}

function compareBig(a: Addr, b: Addr): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
