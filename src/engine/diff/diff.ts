// Comparing two boots (two logs of one machine, or two boots in one kern.log): reservations held at
// the hand-off, matched by owner and requesting function; what appeared, disappeared, grew or
// shrank; and the accounting waterfall of each side next to the other.

import type { BootAnalysis } from '../analyze';
import type { Addr, Owner } from '../types';

export type Change = 'appeared' | 'disappeared' | 'grew' | 'shrank' | 'same';

export interface DiffSide {
  count: number;
  bytes: Addr;
  /** Lines of the reservations on this side (first few). */
  lines: number[];
}

export interface DiffRow {
  owner: Owner;
  /** The requesting function, or the name the log gave the range; '-' when none is known. */
  caller: string;
  a: DiffSide;
  b: DiffSide;
  change: Change;
  /** b.bytes - a.bytes. */
  delta: Addr;
}

export interface WaterfallRow {
  label: string;
  a?: Addr;
  b?: Addr;
  delta?: Addr;
}

export interface BootSummary {
  bootIndex: number;
  kernelVersion?: string;
  cmdline?: string;
  handoffLine?: number;
  heldBytes: Addr;
  reservations: number;
}

export interface BootDiff {
  a: BootSummary;
  b: BootSummary;
  rows: DiffRow[];
  totals: Record<Change, { count: number; bytes: Addr }> & { netBytes: Addr };
  waterfall: WaterfallRow[];
}

const MAX_LINES = 8;

function groups(analysis: BootAnalysis): Map<string, { owner: Owner; caller: string; side: DiffSide }> {
  const out = new Map<string, { owner: Owner; caller: string; side: DiffSide }>();
  for (const held of analysis.report.leaks.held) {
    const caller = held.caller ?? '-';
    const key = `${held.owner}\u0000${caller}`;
    let group = out.get(key);
    if (!group) {
      group = { owner: held.owner, caller, side: { count: 0, bytes: 0n, lines: [] } };
      out.set(key, group);
    }
    group.side.count++;
    group.side.bytes += held.heldBytes;
    if (group.side.lines.length < MAX_LINES) group.side.lines.push(held.line);
  }
  return out;
}

export function diffBoots(a: BootAnalysis, b: BootAnalysis): BootDiff {
  const ga = groups(a);
  const gb = groups(b);
  const keys = [...new Set([...ga.keys(), ...gb.keys()])];
  const empty = (): DiffSide => ({ count: 0, bytes: 0n, lines: [] });
  const rows: DiffRow[] = keys.map((key) => {
    const left = ga.get(key);
    const right = gb.get(key);
    const sa = left?.side ?? empty();
    const sb = right?.side ?? empty();
    const delta = sb.bytes - sa.bytes;
    const change: Change = !left ? 'appeared' : !right ? 'disappeared' : delta > 0n ? 'grew' : delta < 0n ? 'shrank' : 'same';
    return { owner: (left ?? right)!.owner, caller: (left ?? right)!.caller, a: sa, b: sb, change, delta };
  });
  const order: Record<Change, number> = { appeared: 0, disappeared: 1, grew: 2, shrank: 3, same: 4 };
  rows.sort((x, y) => order[x.change] - order[y.change] || absCompare(y.delta, x.delta) || x.owner.localeCompare(y.owner) || x.caller.localeCompare(y.caller));
  const totals = { appeared: zero(), disappeared: zero(), grew: zero(), shrank: zero(), same: zero(), netBytes: 0n };
  for (const row of rows) {
    totals[row.change].count++;
    totals[row.change].bytes += row.delta < 0n ? -row.delta : row.delta;
    totals.netBytes += row.delta;
  }
  return { a: summary(a), b: summary(b), rows, totals, waterfall: waterfall(a, b) };
}

function zero() {
  return { count: 0, bytes: 0n };
}

function absCompare(x: Addr, y: Addr): number {
  const ax = x < 0n ? -x : x;
  const ay = y < 0n ? -y : y;
  return ax > ay ? 1 : ax < ay ? -1 : 0;
}

function summary(analysis: BootAnalysis): BootSummary {
  return {
    bootIndex: analysis.boot.index,
    kernelVersion: analysis.boot.kernelVersion,
    cmdline: analysis.boot.cmdline,
    handoffLine: analysis.report.leaks.handoffLine,
    heldBytes: analysis.report.leaks.heldBytes,
    reservations: analysis.report.leaks.held.length,
  };
}

/** The accounting of both boots, row by row: RAM, what was reserved (by owner), what the page allocator got, what the kernel said. */
function waterfall(a: BootAnalysis, b: BootAnalysis): WaterfallRow[] {
  const A = a.report.accounting;
  const B = b.report.accounting;
  const row = (label: string, x?: Addr, y?: Addr): WaterfallRow => ({ label, a: x, b: y, delta: x !== undefined && y !== undefined ? y - x : undefined });
  const rows: WaterfallRow[] = [
    row('installed RAM (firmware usable, else memblock.memory)', A.installedBytes, B.installedBytes),
    row('firmware-reserved ranges', A.firmwareReservedBytes, B.firmwareReservedBytes),
    row('memblock.memory at the hand-off', A.memoryBytes, B.memoryBytes),
    row('reserved at the hand-off', A.reservedBytes, B.reservedBytes),
  ];
  const owners = [...new Set([...A.reservedByOwner.map((o) => o.owner), ...B.reservedByOwner.map((o) => o.owner)])];
  const bytesOf = (list: typeof A.reservedByOwner, owner: Owner) => list.find((o) => o.owner === owner)?.bytes ?? 0n;
  owners.sort((x, y) => absCompare(bytesOf(B.reservedByOwner, y) + bytesOf(A.reservedByOwner, y), bytesOf(B.reservedByOwner, x) + bytesOf(A.reservedByOwner, x)));
  for (const owner of owners) rows.push(row(`  held by ${owner}`, bytesOf(A.reservedByOwner, owner), bytesOf(B.reservedByOwner, owner)));
  rows.push(row('handed to the page allocator (reconstructed)', A.handedToPageAllocatorBytes, B.handedToPageAllocatorBytes));
  rows.push(row('kernel: total (Memory: line)', A.kernel?.totalBytes, B.kernel?.totalBytes));
  rows.push(row('kernel: available', A.kernel?.availableBytes, B.kernel?.availableBytes));
  rows.push(row('kernel: reserved', A.kernel?.reservedBytes, B.kernel?.reservedBytes));
  rows.push(row('kernel: cma-reserved', A.kernel?.cmaBytes, B.kernel?.cmaBytes));
  return rows;
}
