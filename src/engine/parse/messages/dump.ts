// `MEMBLOCK configuration:` dumps (memblock_dump_all) and `LMB configuration:` (≤2.6.34), every
// era (printk-formats.md §2.4). A dump spans many records; it is collected here and handed out as
// one CheckpointEvent when the first line that does not belong to it arrives (or at end()).
//
//   MEMBLOCK configuration:
//    memory size = 0x… reserved size = 0x…          (older: ` memory size = 0x…`, LMB: ` rmo_size = 0x…`, ` memory.size = 0x…`)
//    memory.cnt  = 0x4
//    memory[0x0]<TAB>[0x…-0x…], 0x… bytes[ on node D][ flags: 0xh]
//    memory[0x0]<TAB>0x… - 0x…, 0x… bytes           (2.6.35–2.6.36 / LMB)
//    reserved.cnt  = 0x6 …  physmem.cnt  = 0x… …

import type { Addr, CheckpointEvent, LogRecord, Region } from '../../types';
import { MAX_NUMNODES } from '../../types';
import { hexOf } from './scan';

type ArrayName = 'memory' | 'reserved' | 'physmem';

const ROW =
  /^(memory|reserved|physmem)\[0x([0-9a-fA-F]+)\]\s*(?:\[\s*(0x[0-9a-fA-F]+)\s*-\s*(0x[0-9a-fA-F]+)\s*\]|(0x[0-9a-fA-F]+)\s*-\s*(0x[0-9a-fA-F]+)),\s*(0x[0-9a-fA-F]+)\s*bytes(?:\s+on node (\d+))?(?:\s+flags:\s*(0x[0-9a-fA-F]+))?/;
const COUNT = /^(memory|reserved|physmem)\.cnt\s*=\s*(0x[0-9a-fA-F]+)/;
const SIZES = /^memory(?: size|\.size)\s*=\s*(0x[0-9a-fA-F]+)(?:\s+reserved size\s*=\s*(0x[0-9a-fA-F]+))?/;

/** True for the first line of a dump. */
export function isDumpHeader(text: string): boolean {
  return text.startsWith('MEMBLOCK configuration:') || text.startsWith('LMB configuration:');
}

export class DumpCollector {
  private readonly line: number;
  private endLine: number;
  private readonly arrays: Partial<Record<ArrayName, Region[]>> = {};
  private readonly counts: Partial<Record<ArrayName, number>> = {};
  private readonly rowsSeen: Partial<Record<ArrayName, number>> = {};
  private memorySize?: Addr;
  private reservedSize?: Addr;
  private hasNid = false;
  private hasFlags = false;

  constructor(header: LogRecord) {
    this.line = header.line;
    this.endLine = header.endLine;
  }

  /** Takes a record that continues the dump; false when the record is not part of it. */
  accept(rec: LogRecord): boolean {
    const text = rec.text;
    if (this.acceptRow(text) || this.acceptCount(text) || this.acceptHeader(text)) {
      this.endLine = rec.endLine;
      return true;
    }
    return false;
  }

  finish(): CheckpointEvent {
    const event: CheckpointEvent = {
      kind: 'checkpoint',
      source: 'dump',
      hasNid: this.hasNid,
      hasFlags: this.hasFlags,
      complete: this.isComplete(),
      line: this.line,
      endLine: this.endLine,
    };
    if (this.arrays.memory) event.memory = this.arrays.memory;
    if (this.arrays.reserved) event.reserved = this.arrays.reserved;
    if (this.arrays.physmem) event.physmem = this.arrays.physmem;
    if (this.memorySize !== undefined) event.memorySize = this.memorySize;
    if (this.reservedSize !== undefined) event.reservedSize = this.reservedSize;
    return event;
  }

  /** Both mandatory arrays announced, and every announced array has all its rows. */
  private isComplete(): boolean {
    if (this.counts.memory === undefined || this.counts.reserved === undefined) return false;
    for (const name of Object.keys(this.counts) as ArrayName[]) {
      if ((this.rowsSeen[name] ?? 0) < this.counts[name]!) return false;
    }
    return true;
  }

  private acceptRow(text: string): boolean {
    const m = ROW.exec(text);
    if (!m) return false;
    const name = m[1] as ArrayName;
    this.rowsSeen[name] = (this.rowsSeen[name] ?? 0) + 1;
    const list = (this.arrays[name] ??= []);
    const size = hexOf(m[7]!);
    // Older kernels list an empty array as one zero-size slot; that slot is not a region.
    if (size === 0n) return true;
    const region: Region = {
      base: hexOf((m[3] ?? m[5])!),
      size,
      nid: m[8] !== undefined ? Number(m[8]) : MAX_NUMNODES,
      flags: m[9] !== undefined ? Number(hexOf(m[9])) : 0,
    };
    if (m[8] !== undefined) this.hasNid = true;
    if (m[9] !== undefined) this.hasFlags = true;
    list.push(region);
    return true;
  }

  private acceptCount(text: string): boolean {
    const m = COUNT.exec(text);
    if (!m) return false;
    const name = m[1] as ArrayName;
    this.counts[name] = Number(hexOf(m[2]!));
    this.arrays[name] ??= [];
    return true;
  }

  private acceptHeader(text: string): boolean {
    const m = SIZES.exec(text);
    if (m) {
      this.memorySize = hexOf(m[1]!);
      if (m[2] !== undefined) this.reservedSize = hexOf(m[2]);
      return true;
    }
    return text.startsWith('rmo_size') || text.startsWith('reserved.size');
  }
}
