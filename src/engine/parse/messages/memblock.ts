// memblock=debug per-call lines, every era (printk-formats.md §2, memblock-semantics.md §7):
//   memblock_reserve: [S-E] [flags 0xh] SYM          __memblock_reserve: [S-E] nid=D flags=h SYM
//   memblock_free / memblock_phys_free / __memblock_free_early / (__)memblock_free_late: [S-E] SYM
//   memblock_add / memblock_add_node [nid=D [flags=h]] / memblock_physmem_add / memblock_remove
//   memblock_x86_reserve_range: [S-E] NAME            memblock_x86_free_range: [S-E]
//   <alloc api>: D bytes align=0xh [nid=D] from=0xh max_addr=0xh SYM
//   memblock_alloc_hugetlb: D bytes, nid=D, exact_nid=D SYM
//   memblock: reserved is doubled to N at [S-E]      memblock: memory array is doubled to N at [S-E]
//
// These lines dominate a memblock=debug log, so they are read with a hand-written scanner
// (one pass, no regex, no intermediate strings except the caller).

import type {
  AddEvent,
  AllocEvent,
  DoubleEvent,
  FailureEvent,
  FreeApi,
  FreeEvent,
  FreeLateEvent,
  HugetlbAllocEvent,
  LogRecord,
  MemoryEvent,
  RemoveEvent,
  ReserveApi,
  ReserveEvent,
  SettingEvent,
} from '../../types';
import { decRunEnd, decSpan, exclusiveSpan, hexOf, hexRunEnd, hexSpan, inclusiveSpan, skipBlanks, type Span } from './scan';
import { v } from './version';

/** What the parser has learnt about the end convention of X14-wide reserve/free lines. */
export interface MemblockEra {
  /** major*1000+minor of the running kernel, when the reader knows it. */
  version: number | undefined;
  /** Evidence from earlier lines of this boot: X14 reserves with flags (3.14+) or without (3.3–3.13). */
  x14EndExclusive: boolean | undefined;
}

/**
 * Reads a line starting with `memblock` or `__memblock`: the event, null for a known notice that
 * carries no event, undefined when it is none of the known forms.
 */
export function readMemblock(text: string, rec: LogRecord, era: MemblockEra): MemoryEvent | null | undefined {
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const api = text.slice(0, colon);
  switch (api) {
    case 'memblock_reserve':
    case '__memblock_reserve':
    case 'memblock_x86_reserve_range':
      return readRangeLine(text, colon + 1, rec, era, api, 'reserve');
    case 'memblock_free':
    case 'memblock_phys_free':
    case '__memblock_free_early':
    case 'memblock_x86_free_range':
      return readRangeLine(text, colon + 1, rec, era, api, 'free');
    case 'memblock_free_late':
    case '__memblock_free_late':
      return readRangeLine(text, colon + 1, rec, era, api, 'free-late');
    case 'memblock_add':
    case 'memblock_add_node':
    case 'memblock_physmem_add':
      return readRangeLine(text, colon + 1, rec, era, api, 'add');
    case 'memblock_remove':
      return readRangeLine(text, colon + 1, rec, era, api, 'remove');
    case 'memblock':
      return readMemblockNotice(text, colon + 1, rec);
    case 'memblock_alloc_hugetlb':
      return readHugetlb(text, colon + 1, rec);
    default:
      return api.includes('alloc') ? readAllocRequest(text, colon + 1, rec, api) : undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Range lines

type RangeKind = 'reserve' | 'free' | 'free-late' | 'add' | 'remove';

/** Fields of the tail after `]`: flags/nid (era dependent) and the caller or x86 name. */
interface Tail {
  flags?: number;
  nid?: number;
  rest?: string;
}

function readRangeLine(
  text: string,
  from: number,
  rec: LogRecord,
  era: MemblockEra,
  api: string,
  kind: RangeKind,
): MemoryEvent | undefined {
  let pos = skipBlanks(text, from);
  if (text.charCodeAt(pos) !== 91 /* [ */ || text.charCodeAt(pos + 1) !== 48 || (text.charCodeAt(pos + 2) | 0x20) !== 120) return undefined;
  const startAt = pos + 3;
  const startEnd = hexRunEnd(text, startAt);
  pos = skipBlanks(text, startEnd);
  if (text.charCodeAt(pos) !== 45 /* - */) return undefined;
  pos = skipBlanks(text, pos + 1);
  if (text.charCodeAt(pos) !== 48 || (text.charCodeAt(pos + 1) | 0x20) !== 120) return undefined;
  const endAt = pos + 2;
  const endEnd = hexRunEnd(text, endAt);
  if (text.charCodeAt(endEnd) !== 93 /* ] */) return undefined;
  const start = hexSpan(text, startAt, startEnd);
  const end = hexSpan(text, endAt, endEnd);
  if (start === undefined || end === undefined) return undefined;

  const tail = readTail(text, endEnd + 1);
  const exclusive = (api === 'memblock_reserve' || api === 'memblock_free') && endIsExclusive(era, api, startEnd - startAt, tail.flags !== undefined, end);
  const span = exclusive ? exclusiveSpan(start, end) : inclusiveSpan(start, end);
  return buildRangeEvent(kind, api, span, tail, rec, exclusive);
}

function readTail(text: string, from: number): Tail {
  const tail: Tail = {};
  let pos = skipBlanks(text, from);
  if (text.startsWith('flags 0x', pos)) {
    // 3.14–4.10: `flags 0xh` before the caller.
    const end = hexRunEnd(text, pos + 8);
    tail.flags = Number(hexSpan(text, pos + 8, end) ?? 0n);
    pos = skipBlanks(text, end);
  }
  if (text.startsWith('nid=', pos)) {
    const neg = text.charCodeAt(pos + 4) === 45;
    const digitsAt = pos + 4 + (neg ? 1 : 0);
    const end = decRunEnd(text, digitsAt);
    tail.nid = (neg ? -1 : 1) * Number(text.slice(digitsAt, end) || '0');
    pos = skipBlanks(text, end);
  }
  if (text.startsWith('flags=', pos)) {
    // 5.16+ memblock_add_node and 6.16+ __memblock_reserve: bare hex.
    const end = hexRunEnd(text, pos + 6);
    tail.flags = Number(hexSpan(text, pos + 6, end) ?? 0n);
    pos = skipBlanks(text, end);
  }
  if (pos < text.length) tail.rest = text.slice(pos).trimEnd();
  return tail;
}

/**
 * 3.3–3.13 printed `memblock_reserve`/`memblock_free` with an exclusive end (fixed in 3.14). Known
 * kernel versions decide; otherwise the X14 width (`%#016llx`, 14 digits) without `flags` marks the
 * old era for reserves, and frees follow the reserves seen so far, then page alignment of the end.
 */
function endIsExclusive(era: MemblockEra, api: string, digits: number, hasFlags: boolean, end: bigint): boolean {
  if (era.version !== undefined) return era.version >= v(3, 3) && era.version < v(3, 14);
  if (digits !== 14) return false;
  if (api === 'memblock_reserve') {
    era.x14EndExclusive = !hasFlags;
    return !hasFlags;
  }
  if (era.x14EndExclusive !== undefined) return era.x14EndExclusive;
  return (end & 0xfffn) === 0n;
}

function buildRangeEvent(kind: RangeKind, api: string, span: Span, tail: Tail, rec: LogRecord, exclusive: boolean): MemoryEvent {
  const line = rec.line;
  const endLine = rec.endLine;
  let event: ReserveEvent | FreeEvent | FreeLateEvent | AddEvent | RemoveEvent;
  switch (kind) {
    case 'reserve': {
      const reserve: ReserveEvent = { kind, api: api as ReserveApi, base: span.base, size: span.size, line, endLine };
      if (tail.nid !== undefined) reserve.nid = tail.nid;
      if (tail.flags !== undefined) reserve.flags = tail.flags;
      if (api === 'memblock_x86_reserve_range') {
        if (tail.rest) reserve.name = tail.rest;
      } else if (tail.rest) reserve.caller = tail.rest;
      if (exclusive) reserve.exclusiveEnd = true;
      event = reserve;
      break;
    }
    case 'free': {
      const free: FreeEvent = { kind, api: api as FreeApi, base: span.base, size: span.size, line, endLine };
      if (tail.rest) free.caller = tail.rest;
      if (exclusive) free.exclusiveEnd = true;
      event = free;
      break;
    }
    case 'free-late':
      event = { kind, api: api as FreeLateEvent['api'], base: span.base, size: span.size, line, endLine };
      if (tail.rest) event.caller = tail.rest;
      break;
    case 'add': {
      const add: AddEvent = { kind, api: api as AddEvent['api'], base: span.base, size: span.size, line, endLine };
      if (tail.nid !== undefined) add.nid = tail.nid;
      if (tail.flags !== undefined) add.flags = tail.flags;
      if (tail.rest) add.caller = tail.rest;
      event = add;
      break;
    }
    case 'remove':
      event = { kind, base: span.base, size: span.size, line, endLine };
      if (tail.rest) event.caller = tail.rest;
      break;
  }
  if (span.inverted) {
    event.inverted = true;
    event.rawEnd = span.rawEnd;
  }
  return event;
}

// ---------------------------------------------------------------------------------------------
// Allocation requests

/** `D bytes align=0xh [nid=D] from=0xh max_addr=0xh [SYM]`; undefined when the layout differs. */
function readAllocRequest(text: string, from: number, rec: LogRecord, api: string): AllocEvent | undefined {
  let pos = skipBlanks(text, from);
  const sizeEnd = decRunEnd(text, pos);
  const size = decSpan(text, pos, sizeEnd);
  if (size === undefined || !text.startsWith(' bytes align=0x', sizeEnd)) return undefined;
  pos = sizeEnd + 15;
  let end = hexRunEnd(text, pos);
  const align = hexSpan(text, pos, end);
  pos = skipBlanks(text, end);
  let nid: number | null = null;
  if (text.startsWith('nid=', pos)) {
    const neg = text.charCodeAt(pos + 4) === 45;
    const digitsAt = pos + 4 + (neg ? 1 : 0);
    end = decRunEnd(text, digitsAt);
    if (end === digitsAt) return undefined;
    nid = (neg ? -1 : 1) * Number(text.slice(digitsAt, end));
    pos = skipBlanks(text, end);
  }
  if (!text.startsWith('from=0x', pos)) return undefined;
  end = hexRunEnd(text, pos + 7);
  const min = hexSpan(text, pos + 7, end);
  pos = skipBlanks(text, end);
  if (!text.startsWith('max_addr=0x', pos)) return undefined;
  end = hexRunEnd(text, pos + 11);
  const max = hexSpan(text, pos + 11, end);
  if (align === undefined || min === undefined || max === undefined) return undefined;
  pos = skipBlanks(text, end);
  const event: AllocEvent = {
    kind: 'alloc',
    api,
    size,
    align,
    nid,
    exactNid: api.includes('exact_nid'),
    from: min,
    maxAddr: max,
    line: rec.line,
    endLine: rec.endLine,
  };
  if (pos < text.length) event.caller = text.slice(pos).trimEnd();
  return event;
}

const HUGETLB = /^\s*(\d+) bytes, nid=(-?\d+), exact_nid=(\d+)(?:\s+(\S.*))?$/;

function readHugetlb(text: string, from: number, rec: LogRecord): HugetlbAllocEvent | undefined {
  const m = HUGETLB.exec(text.slice(from));
  if (!m) return undefined;
  const event: HugetlbAllocEvent = {
    kind: 'alloc-hugetlb',
    size: BigInt(m[1]!),
    nid: Number(m[2]),
    exactNid: m[3] !== '0',
    line: rec.line,
    endLine: rec.endLine,
  };
  if (m[4]) event.caller = m[4].trimEnd();
  return event;
}

// ---------------------------------------------------------------------------------------------
// `memblock: …` notices

const DOUBLED = /^\s*(memory|reserved|physmem)(?: array)? is doubled to (\d+) at \[(0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)\]/;

function readMemblockNotice(text: string, from: number, rec: LogRecord): MemoryEvent | null | undefined {
  const rest = text.slice(from);
  const m = DOUBLED.exec(rest);
  if (m) {
    const span = inclusiveSpan(hexOf(m[3]!), hexOf(m[4]!));
    const event: DoubleEvent = {
      kind: 'double',
      array: m[1] as DoubleEvent['array'],
      newMax: Number(m[2]),
      base: span.base,
      size: span.size,
      line: rec.line,
      endLine: rec.endLine,
    };
    if (span.inverted) {
      event.inverted = true;
      event.rawEnd = span.rawEnd;
    }
    return event;
  }
  if (rest.includes('Failed to double')) {
    const failure: FailureEvent = { kind: 'failure', text, line: rec.line, endLine: rec.endLine };
    return failure;
  }
  if (rest.includes('bottom-up allocation failed')) {
    // Only printed when bottom-up mode is on (movable_node), so it reveals the setting.
    const setting: SettingEvent = { kind: 'setting', name: 'bottom-up', value: 'on', line: rec.line, endLine: rec.endLine };
    return setting;
  }
  // 5.11-era warning about reservations outside memory: known, no allocator state change.
  if (rest.includes(' is not in memory')) return null;
  return undefined;
}
