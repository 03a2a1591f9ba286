// `diff --json` and the text form of a boot comparison.

import { toJsonValue } from '../report/json';
import { humanSize } from '../util/hex';
import type { BootDiff } from './diff';

export const DIFF_SCHEMA = 'bootmem-lens/diff';
export const DIFF_SCHEMA_VERSION = 1;

export function diffJson(diff: BootDiff, files: { a: string; b: string }): unknown {
  return toJsonValue({ schema: DIFF_SCHEMA, version: DIFF_SCHEMA_VERSION, files, ...diff });
}

const signed = (v: bigint) => (v > 0n ? '+' : v < 0n ? '-' : '±') + humanSize(v < 0n ? -v : v);

export function formatDiff(diff: BootDiff, files: { a: string; b: string }): string {
  const lines = [
    `A: ${files.a} boot ${diff.a.bootIndex}${diff.a.kernelVersion ? ` (${diff.a.kernelVersion})` : ''}: ${humanSize(diff.a.heldBytes)} held at the hand-off in ${diff.a.reservations} reservations`,
    `B: ${files.b} boot ${diff.b.bootIndex}${diff.b.kernelVersion ? ` (${diff.b.kernelVersion})` : ''}: ${humanSize(diff.b.heldBytes)} held at the hand-off in ${diff.b.reservations} reservations`,
    '',
    'reservations (matched by owner and caller):',
  ];
  for (const row of diff.rows.filter((r) => r.change !== 'same')) {
    lines.push(`  ${row.change.padEnd(11)} ${row.owner}/${row.caller}: ${humanSize(row.a.bytes)} (${row.a.count}) -> ${humanSize(row.b.bytes)} (${row.b.count}) ${signed(row.delta)}`);
  }
  const same = diff.rows.filter((r) => r.change === 'same').length;
  if (same) lines.push(`  (${same} unchanged)`);
  const t = diff.totals;
  lines.push(
    `  totals: appeared ${t.appeared.count} (${humanSize(t.appeared.bytes)}), disappeared ${t.disappeared.count} (${humanSize(t.disappeared.bytes)}), grew ${t.grew.count} (${humanSize(t.grew.bytes)}), shrank ${t.shrank.count} (${humanSize(t.shrank.bytes)}), net ${signed(t.netBytes)}`,
    '',
    'accounting waterfall:',
  );
  const width = Math.max(...diff.waterfall.map((w) => w.label.length));
  const cell = (v?: bigint) => (v === undefined ? '-' : humanSize(v)).padStart(12);
  lines.push(`  ${''.padEnd(width)} ${'A'.padStart(12)} ${'B'.padStart(12)}  change`);
  for (const w of diff.waterfall) lines.push(`  ${w.label.padEnd(width)} ${cell(w.a)} ${cell(w.b)}  ${w.delta === undefined ? '' : signed(w.delta)}`);
  return lines.join('\n') + '\n';
}
