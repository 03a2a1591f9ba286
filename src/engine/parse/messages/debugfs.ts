// Listings of /sys/kernel/debug/memblock/{memory,reserved,physmem} (printk-formats.md §2.5), as
// captured in logs by `cat`: one row per region, decimal index, inclusive end.
//   3.x–6.4:  `   0: 0x0000000040000000..0x000000007fffffff`
//   6.5+:     `   1: 0x0000000090200000..0x00000000905fffff    0 NOMAP`   (nid or `x`, flag names)
// The files carry no header, so several listed back to back are told apart by the index restarting
// at 0; they are taken as memory, reserved, physmem in that order unless a preceding line named the
// file (`cat /sys/kernel/debug/memblock/reserved`).

import type { CheckpointEvent, LogRecord, Region } from '../../types';
import { Flag, MAX_NUMNODES } from '../../types';
import { hexOf } from './scan';

type ArrayName = 'memory' | 'reserved' | 'physmem';
const ORDER: ArrayName[] = ['memory', 'reserved', 'physmem'];

const ROW = /^(\d+): (0x[0-9a-fA-F]+)\.\.(0x[0-9a-fA-F]+)(?:\s+(-?\d+|x)\s+([A-Z_|]+))?\s*$/;

/** Flag names as memblock_debug_show prints them (6.5+). */
const FLAG_NAMES: Record<string, number> = {
  NONE: Flag.NONE,
  HOTPLUG: Flag.HOTPLUG,
  MIRROR: Flag.MIRROR,
  NOMAP: Flag.NOMAP,
  DRV_MNG: Flag.DRIVER_MANAGED,
  RSV_NIT: Flag.RSRV_NOINIT,
  RSV_KERN: Flag.RSRV_KERN,
  KHO_SCRATCH: Flag.KHO_SCRATCH,
};

interface DebugfsRow {
  index: number;
  region: Region;
  hasNid: boolean;
}

/** Parses one listing row; undefined when the text is not one. */
export function readDebugfsRow(text: string): DebugfsRow | undefined {
  const m = ROW.exec(text);
  if (!m) return undefined;
  const start = hexOf(m[2]!);
  const end = hexOf(m[3]!);
  const hasNid = m[4] !== undefined;
  const region: Region = {
    base: start,
    size: end >= start ? end - start + 1n : 0n,
    nid: hasNid && m[4] !== 'x' ? Number(m[4]) : MAX_NUMNODES,
    flags: hasNid ? flagsOf(m[5]!) : 0,
  };
  return { index: Number(m[1]), region, hasNid };
}

function flagsOf(names: string): number {
  let flags = 0;
  for (const name of names.split('|')) flags |= FLAG_NAMES[name] ?? 0;
  return flags;
}

/** The debugfs file named in a shell line such as `cat /sys/kernel/debug/memblock/reserved`. */
export function debugfsFileHint(text: string): ArrayName | undefined {
  const at = text.indexOf('debug/memblock/');
  if (at < 0) return undefined;
  const name = text.slice(at + 15).split(/[^a-z]/)[0];
  return name === 'memory' || name === 'reserved' || name === 'physmem' ? name : undefined;
}

export class DebugfsCollector {
  private readonly line: number;
  private endLine: number;
  private readonly arrays: Partial<Record<ArrayName, Region[]>> = {};
  private current: ArrayName;
  private lastIndex = -1;
  private hasNid = false;

  constructor(first: LogRecord, row: DebugfsRow, hint: ArrayName | undefined) {
    this.line = first.line;
    this.endLine = first.endLine;
    this.current = hint ?? 'memory';
    this.add(row);
  }

  /** Takes the next row of the listing; false when the record is not a row. */
  accept(rec: LogRecord, hint: ArrayName | undefined): boolean {
    const row = readDebugfsRow(rec.text);
    if (!row) return false;
    if (row.index <= this.lastIndex) this.current = hint ?? nextArray(this.current);
    this.endLine = rec.endLine;
    this.add(row);
    return true;
  }

  finish(): CheckpointEvent {
    const event: CheckpointEvent = {
      kind: 'checkpoint',
      source: 'debugfs',
      hasNid: this.hasNid,
      hasFlags: this.hasNid, // 6.5+ prints both columns together
      complete: true,
      line: this.line,
      endLine: this.endLine,
    };
    if (this.arrays.memory) event.memory = this.arrays.memory;
    if (this.arrays.reserved) event.reserved = this.arrays.reserved;
    if (this.arrays.physmem) event.physmem = this.arrays.physmem;
    return event;
  }

  private add(row: DebugfsRow): void {
    this.lastIndex = row.index;
    if (row.hasNid) this.hasNid = true;
    (this.arrays[this.current] ??= []).push(row.region);
  }
}

function nextArray(name: ArrayName): ArrayName {
  return ORDER[Math.min(ORDER.indexOf(name) + 1, ORDER.length - 1)]!;
}
