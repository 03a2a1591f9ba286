// Message recognizers: clean kernel messages (envelope already stripped by the reader) in,
// MemoryEvents out. MessageParser owns the state that spans records: MEMBLOCK dumps, debugfs
// listings, zone / node-map / early_res row blocks, the node a bare NODE_DATA line belongs to,
// and a NODE_DATA(N) line held back one record in case `NODE_DATA(N) on node M` follows.
//
// Dispatch is on the first character, then a prefix comparison, so the lines that dominate a
// memblock=debug log (memblock_reserve / memblock_*alloc* / memblock_phys_free) reach their
// hand-written scanner after one comparison of their name.

import type { LogRecord, MemoryEvent, NodeDataEvent } from '../../types';
import { readCommandLine, readDropped, readFailure, readFreeing, readLimitSetting, readMemoryLine, readPercpu } from './accounting';
import { earlyResHeader, readBootmem, readEarlyResNotice, readEarlyResRow, readSubtractPlainRow } from './bootmem';
import { DebugfsCollector, debugfsFileHint, readDebugfsRow } from './debugfs';
import { DumpCollector, isDumpHeader } from './dump';
import { readE820Edit, readE820Row, readEfi, readFdtIgnored, readMipsRow } from './firmware';
import { readFrequentMemblock, readMemblock, type MemblockEra } from './memblock';
import {
  nodeDataEvent,
  readArchNumaAdd,
  readEarlyNodeRow,
  readFaking,
  readNodeData,
  readNodeDataOn,
  readNodeSetup,
  readNumaMerge,
  readPfnNodeRow,
  readSrat,
  readZoneRow,
} from './numa';
import {
  isCrashLine,
  readAcpiTable,
  readBootmap,
  readCmaReserved,
  readCrashkernel,
  readOfReservedMem,
  readRamdisk,
  readReservedPool,
  readSwiotlb,
} from './owners';
import { hasAt } from '../../util/text';
import { pageShift } from './scan';
import { looksLikeMemory } from './shape';
import { versionCode } from './version';

export { needsContinuation } from './shape';

/** What the reader has learnt about the running kernel; it may update the same object mid-file (new boot). */
export interface MessageContext {
  kernelVersion?: string;
  arch?: string;
}

export interface PushResult {
  /** Events completed by this record (read-only: no-event results share one frozen array). */
  events: MemoryEvent[];
  /** The text looks like a memory message but nothing could read it. */
  unread: boolean;
}

const NO_EVENTS = Object.freeze([]) as unknown as MemoryEvent[];
const NOTHING: PushResult = Object.freeze({ events: NO_EVENTS, unread: false }) as PushResult;
const UNREAD: PushResult = Object.freeze({ events: NO_EVENTS, unread: true }) as PushResult;

/** Row blocks that follow a header line and end at the first line that is not a row. */
type RowMode = 'zones' | 'node-map' | 'movable' | 'early-res-bootmem' | 'early-res-subtract' | null;

/** What a recognizer did with a line: an event, several, or "read, nothing to report" (null). */
type Outcome = MemoryEvent | null | undefined;

const MOVABLE_ROW = /^Node \d+: (?:0x[0-9a-fA-F]+|\d+)\s*$/;

export class MessageParser {
  private readonly ctx: MessageContext;
  private readonly era: MemblockEra = { version: undefined, x14EndExclusive: undefined };
  private block: DumpCollector | DebugfsCollector | null = null;
  private rowMode: RowMode = null;
  private pendingNodeData: NodeDataEvent | null = null;
  /** Node of the last `Initmem/Bootmem setup node N` line: owner of a following bare `NODE_DATA [..]`. */
  private setupNid: number | undefined;
  /** arm64 arch_numa prints `NUMA: NODE_DATA [mem]` without a node: nodes come in order. */
  private implicitNid = 0;
  private debugfsHint: 'memory' | 'reserved' | 'physmem' | undefined;
  /** The kernelVersion the per-boot state belongs to. */
  private seenVersion: string | undefined;

  constructor(ctx: MessageContext) {
    this.ctx = ctx;
  }

  push(rec: LogRecord): PushResult {
    const out: MemoryEvent[] = [];
    const unread = this.pushTo(rec, out);
    if (out.length === 0) return unread ? UNREAD : NOTHING;
    return { events: out, unread };
  }

  /**
   * push() for the reader: appends the events completed by this record to `events` (no result
   * object or array per line) and returns the unread verdict. Appends come last, so a recognizer
   * that throws leaves `events` as it was.
   */
  pushTo(rec: LogRecord, events: MemoryEvent[]): boolean {
    if (this.ctx.kernelVersion !== this.seenVersion) this.startBoot();
    let finished: MemoryEvent | null = null;
    let released: MemoryEvent | null = null;

    if (this.block !== null) {
      if (this.acceptIntoBlock(rec)) return false;
      finished = this.block.finish();
      this.block = null;
    }
    if (this.pendingNodeData !== null) {
      const placed = this.placeNodeData(rec);
      released = this.pendingNodeData;
      this.pendingNodeData = null;
      if (placed) {
        appendTo(events, finished, released, null);
        return false;
      }
    }

    const outcome = this.read(rec.text, rec);
    let unread = false;
    let read: MemoryEvent | null = null;
    if (outcome === undefined) unread = looksLikeMemory(rec.text);
    // NODE_DATA events wait one record for a possible `NODE_DATA(N) on node M`.
    else if (outcome !== null && outcome.kind === 'node-data') this.pendingNodeData = outcome;
    else read = outcome;
    appendTo(events, finished, released, read);
    return unread;
  }

  end(): MemoryEvent[] {
    const out: MemoryEvent[] = [];
    if (this.block !== null) out.push(this.block.finish());
    if (this.pendingNodeData !== null) out.push(this.pendingNodeData);
    this.block = null;
    this.pendingNodeData = null;
    this.resetBootState();
    return out;
  }

  /** The reader switched to another kernel (a new boot in the same file): forget per-boot evidence. */
  private startBoot(): void {
    this.seenVersion = this.ctx.kernelVersion;
    this.era.version = versionCode(this.seenVersion);
    this.resetBootState();
  }

  private resetBootState(): void {
    this.era.x14EndExclusive = undefined;
    this.rowMode = null;
    this.setupNid = undefined;
    this.implicitNid = 0;
    this.debugfsHint = undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Multi-record state

  private acceptIntoBlock(rec: LogRecord): boolean {
    const block = this.block!;
    if (block instanceof DumpCollector) return block.accept(rec);
    const accepted = block.accept(rec, this.debugfsHint);
    if (accepted) this.debugfsHint = undefined;
    return accepted;
  }

  /** `NODE_DATA(N) on node M` right after NODE_DATA(N): completes the held event. */
  private placeNodeData(rec: LogRecord): boolean {
    const pending = this.pendingNodeData!;
    if (!hasAt(rec.text, 0, 'NODE_DATA(') && !hasAt(rec.text, 0, 'NUMA: NODE_DATA(')) return false;
    const on = readNodeDataOn(rec.text);
    if (!on || on.nid !== pending.nid) return false;
    pending.onNode = on.onNode;
    pending.endLine = rec.endLine;
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Dispatch

  private read(text: string, rec: LogRecord): Outcome {
    if (this.rowMode !== null) {
      const row = this.readRow(text, rec);
      if (row !== undefined) return row;
      this.rowMode = null;
    }
    const outcome = this.readByFirstChar(text, rec);
    if (outcome !== undefined) return outcome;
    return this.readAnywhere(text, rec);
  }

  private readRow(text: string, rec: LogRecord): Outcome {
    switch (this.rowMode) {
      case 'zones':
        return readZoneRow(text, rec, pageShift(this.ctx.arch));
      case 'node-map':
        return readPfnNodeRow(text, rec, pageShift(this.ctx.arch)) ?? readEarlyNodeRow(text, rec);
      case 'movable':
        return MOVABLE_ROW.test(text) ? null : undefined;
      case 'early-res-bootmem':
        return readEarlyResRow(text, rec, 'bootmem');
      case 'early-res-subtract':
        return readEarlyResRow(text, rec, 'subtract') ?? readSubtractPlainRow(text, rec);
      default:
        return undefined;
    }
  }

  private readByFirstChar(text: string, rec: LogRecord): Outcome {
    switch (text.charCodeAt(0)) {
      case 109: { // m
        const frequent = readFrequentMemblock(text, rec, this.era);
        if (frequent !== null) return frequent;
        if (hasAt(text, 0, 'memblock')) return readMemblock(text, rec, this.era);
        if (hasAt(text, 0, 'memory: ')) return readMipsRow(text, rec);
        if (hasAt(text, 0, 'modified: ')) return readE820Row(text, rec);
        return this.startHeadlessDump(text, rec);
      }
      case 95: // _
        return hasAt(text, 0, '__memblock') ? readMemblock(text, rec, this.era) : undefined;
      case 114: // r
        if (hasAt(text, 0, 'reserve setup_data: ')) return readE820Row(text, rec);
        return this.startHeadlessDump(text, rec);
      case 112: // p
        if (hasAt(text, 0, 'percpu: ')) return readPercpu(text, rec);
        return this.startHeadlessDump(text, rec);
      case 80: // P
        return hasAt(text, 0, 'PERCPU: ') ? readPercpu(text, rec) : undefined;
      case 77: // M
        return this.readUpperM(text, rec);
      case 76: // L
        return isDumpHeader(text) ? this.startDump(rec) : undefined;
      case 66: // B
        return this.readUpperB(text, rec);
      case 101: // e
        return this.readLowerE(text, rec);
      case 69: // E
        return this.readUpperE(text, rec);
      case 117: // u
        return hasAt(text, 0, 'user: ') ? readE820Row(text, rec) : hasAt(text, 0, 'user-defined physical RAM map') ? null : undefined;
      case 88: // X
        return hasAt(text, 0, 'Xen: ') ? readE820Row(text, rec) : undefined;
      case 79: // O
        return this.readOf(text, rec);
      case 82: // R
        if (hasAt(text, 0, 'RAMDISK: ')) return readRamdisk(text, rec);
        if (hasAt(text, 0, 'Reserved memory: created')) return readReservedPool(text, rec);
        if (hasAt(text, 0, 'Reserving ')) return readCrashkernel(text, rec);
        return undefined;
      case 99: // c
        if (hasAt(text, 0, 'cma: ')) return readCmaReserved(text, rec) ?? readFailure(text, rec) ?? (text.includes('MiB') ? null : undefined);
        if (hasAt(text, 0, 'crash')) return readCrashkernel(text, rec) ?? (hasAt(text, 0, 'crashkernel CMA reserved') ? null : undefined);
        return undefined;
      case 65: // A
        if (hasAt(text, 0, 'ACPI: SRAT: ')) return readSrat(text, rec);
        if (hasAt(text, 0, 'ACPI: Reserving ')) return readAcpiTable(text, rec);
        if (hasAt(text, 0, 'Allocated new RAMDISK')) return readRamdisk(text, rec);
        return undefined;
      case 83: // S
        if (hasAt(text, 0, 'SRAT: Node')) return readSrat(text, rec);
        return this.readEarlyResHeader(text);
      case 78: // N
        return this.readUpperN(text, rec);
      case 110: // n
        return hasAt(text, 0, 'node ') ? readEarlyNodeRow(text, rec) : undefined;
      case 70: // F
        if (hasAt(text, 0, 'Freeing ')) return readFreeing(text, rec);
        if (hasAt(text, 0, 'Faking ')) return readFaking(text, rec);
        return undefined;
      case 73: // I
        return hasAt(text, 0, 'Initmem setup node') ? this.readSetup(text, rec) : undefined;
      case 90: // Z
        return this.readZoneHeader(text);
      case 75: // K
      case 67: // C
        return readCommandLine(text, rec);
      case 42: // *
        return readDropped(text, rec);
      case 35: // #
        return readEarlyResRow(text, rec, 'bootmem');
      case 40: // (
        return this.readEarlyResHeader(text);
      case 98: // b
        if (hasAt(text, 0, 'bootmem::')) return readBootmem(text, rec);
        if (hasAt(text, 0, 'bootmap [')) return readBootmap(text, rec);
        return undefined;
      case 115: // s
        if (hasAt(text, 0, 'software IO TLB')) return readSwiotlb(text, rec);
        return isCrashLine(text) ? readCrashkernel(text, rec) : undefined;
      case 107: // k
        return isCrashLine(text) ? readCrashkernel(text, rec) : undefined;
      default:
        return this.readDigit(text, rec);
    }
  }

  /** Failures can sit behind any prefix (`Kernel panic - not syncing: early_alloc: Failed to allocate …`). */
  private readAnywhere(text: string, rec: LogRecord): Outcome {
    if (text.includes('ailed') || hasAt(text, 0, 'Could not allocate')) {
      const failure = readFailure(text, rec);
      if (failure) return failure;
    }
    if (text.includes('debug/memblock/')) {
      this.debugfsHint = debugfsFileHint(text);
      return null;
    }
    return readLimitSetting(text, rec);
  }

  // -------------------------------------------------------------------------------------------
  // Per-prefix readers

  private readUpperM(text: string, rec: LogRecord): Outcome {
    if (isDumpHeader(text)) return this.startDump(rec);
    if (hasAt(text, 0, 'Memory: ')) return readMemoryLine(text, rec) ?? (text.includes('total') ? null : undefined);
    if (hasAt(text, 0, 'Move RAMDISK')) return readRamdisk(text, rec);
    if (hasAt(text, 0, 'Movable zone start')) {
      this.rowMode = 'movable';
      return null;
    }
    return undefined;
  }

  private readUpperB(text: string, rec: LogRecord): Outcome {
    if (hasAt(text, 0, 'BIOS-provided physical RAM map')) return null;
    if (hasAt(text, 0, 'BIOS-')) return readE820Row(text, rec);
    if (hasAt(text, 0, 'Bootmem setup node')) return this.readSetup(text, rec);
    return undefined;
  }

  private readLowerE(text: string, rec: LogRecord): Outcome {
    if (hasAt(text, 0, 'efi: ')) return readEfi(text, rec);
    if (hasAt(text, 0, 'e820')) {
      if (hasAt(text, 0, 'e820: update') || hasAt(text, 0, 'e820: remove') || hasAt(text, 0, 'e820 update') || hasAt(text, 0, 'e820 remove')) {
        return readE820Edit(text, rec);
      }
      return undefined;
    }
    if (hasAt(text, 0, 'extended physical RAM map')) return null;
    if (hasAt(text, 0, 'early_node_map[')) {
      this.rowMode = 'node-map';
      return null;
    }
    if (hasAt(text, 0, 'early')) return readEarlyResNotice(text, rec);
    return undefined;
  }

  private readUpperE(text: string, rec: LogRecord): Outcome {
    if (hasAt(text, 0, 'Early memory node ranges') || hasAt(text, 0, 'Early memory PFN ranges')) {
      this.rowMode = 'node-map';
      return null;
    }
    if (hasAt(text, 0, 'EFI: mem')) return readEfi(text, rec);
    return undefined; // `ERROR: Failed to allocate …` is read by readAnywhere
  }

  private readOf(text: string, rec: LogRecord): Outcome {
    if (hasAt(text, 0, 'OF: fdt: Ignoring memory')) return readFdtIgnored(text, rec);
    if (hasAt(text, 0, 'OF: reserved mem: 0x')) return readOfReservedMem(text, rec);
    return undefined;
  }

  private readUpperN(text: string, rec: LogRecord): Outcome {
    if (hasAt(text, 0, 'NUMA: ')) {
      const rest = text.charCodeAt(6);
      if (rest === 78 /* N */) {
        if (hasAt(text, 0, 'NUMA: Node ')) return readNumaMerge(text, rec);
        if (hasAt(text, 0, 'NUMA: NODE_DATA')) return this.readNodeDataLine(text, rec);
        if (hasAt(text, 0, 'NUMA: No NUMA configuration')) return null;
      }
      if (hasAt(text, 0, 'NUMA: Faking')) return readFaking(text, rec);
      if (hasAt(text, 0, 'NUMA: Initmem setup node')) return this.readSetup(text, rec);
      if (hasAt(text, 0, 'NUMA: Adding memblock')) return readArchNumaAdd(text, rec);
      return undefined;
    }
    if (hasAt(text, 0, 'NODE_DATA')) return this.readNodeDataLine(text, rec);
    if (hasAt(text, 0, 'No NUMA configuration')) return null;
    return undefined;
  }

  private readDigit(text: string, rec: LogRecord): Outcome {
    const c = text.charCodeAt(0);
    if (c < 48 || c > 57) return undefined;
    const row = readDebugfsRow(text);
    if (!row) return undefined;
    this.block = new DebugfsCollector(rec, row, this.debugfsHint);
    this.debugfsHint = undefined;
    return null;
  }

  // -------------------------------------------------------------------------------------------
  // Headers that open a block

  private startDump(rec: LogRecord): null {
    this.block = new DumpCollector(rec);
    return null;
  }

  /** A dump row or count with no header before it (log starts mid-dump): collect it anyway. */
  private startHeadlessDump(text: string, rec: LogRecord): Outcome {
    if (!/^(?:memory|reserved|physmem)(?:\[0x|\.cnt)/.test(text)) return undefined;
    const dump = new DumpCollector(rec);
    if (!dump.accept(rec)) return undefined;
    this.block = dump;
    return null;
  }

  private readZoneHeader(text: string): Outcome {
    if (hasAt(text, 0, 'Zone ranges:') || hasAt(text, 0, 'Zone PFN ranges:')) {
      this.rowMode = 'zones';
      return null;
    }
    return undefined;
  }

  private readEarlyResHeader(text: string): Outcome {
    const table = earlyResHeader(text);
    if (table === undefined) return undefined;
    this.rowMode = table === 'subtract' ? 'early-res-subtract' : 'early-res-bootmem';
    return null;
  }

  private readSetup(text: string, rec: LogRecord): Outcome {
    const setup = readNodeSetup(text, rec);
    if (!setup) return undefined;
    this.setupNid = setup.nid;
    // arch_numa announces a memory-less node right before its (nid-less) NODE_DATA line.
    if (setup.event.kind === 'memoryless-node' && hasAt(text, 0, 'NUMA: ')) this.implicitNid = setup.nid;
    return setup.event;
  }

  private readNodeDataLine(text: string, rec: LogRecord): Outcome {
    const line = readNodeData(text);
    if (!line) return readNodeDataOn(text) ? null : undefined; // an `on node` line with nothing held
    let nid = line.nid;
    if (nid === undefined && line.arm64) nid = this.implicitNid++;
    if (nid === undefined) nid = this.setupNid ?? 0;
    return nodeDataEvent(nid, line.span, rec);
  }
}

/** The events one record completed, in order: a finished block, a released NODE_DATA, the record's own. */
function appendTo(events: MemoryEvent[], finished: MemoryEvent | null, released: MemoryEvent | null, read: MemoryEvent | null): void {
  if (finished !== null) events.push(finished);
  if (released !== null) events.push(released);
  if (read !== null) events.push(read);
}
