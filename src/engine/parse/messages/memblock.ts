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
import { hasAt } from '../../util/text';
import { big, decRunEnd, decSpan, decValue, exclusiveSpan, hexEnd, hexOf, hexSpan, inclusiveSpan, readHex, skipBlanks, type Span } from './scan';
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
  const api = apiName(text, colon);
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

/**
 * The messages that make up most of a memblock=debug log, read before anything else looks at the
 * line: told apart by the length of the name and confirmed by one comparison of the whole name.
 * null when the line is none of them (readMemblock reads them too, more slowly).
 */
export function readFrequentMemblock(text: string, rec: LogRecord, era: MemblockEra): MemoryEvent | null | undefined {
  switch (text.indexOf(':')) {
    case 16:
      return hasAt(text, 0, 'memblock_reserve') ? readRangeLine(text, 17, rec, era, 'memblock_reserve', 'reserve') : null;
    case 18:
      return hasAt(text, 0, 'memblock_phys_free') ? readRangeLine(text, 19, rec, era, 'memblock_phys_free', 'free') : null;
    case 22:
      return hasAt(text, 0, 'memblock_alloc_try_nid') ? readAllocRequest(text, 23, rec, 'memblock_alloc_try_nid', false) : null;
    case 25:
      return hasAt(text, 0, 'memblock_phys_alloc_range') ? readAllocRequest(text, 26, rec, 'memblock_phys_alloc_range', false) : null;
    case 26:
      return hasAt(text, 0, 'memblock_alloc_try_nid_raw') ? readAllocRequest(text, 27, rec, 'memblock_alloc_try_nid_raw', false) : null;
    case 28:
      return hasAt(text, 0, 'memblock_alloc_exact_nid_raw') ? readAllocRequest(text, 29, rec, 'memblock_alloc_exact_nid_raw', true) : null;
    default:
      return null;
  }
}

// API names repeat on every line: events share one flat string each instead of a slice that
// keeps the whole message alive.
const apiNames = new Map<string, string>();

function apiName(text: string, colon: number): string {
  const sliced = text.slice(0, colon);
  const known = apiNames.get(sliced);
  if (known !== undefined) return known;
  if (apiNames.size >= 10_000) apiNames.clear();
  const own = (' ' + sliced).slice(1);
  apiNames.set(own, own);
  return own;
}

// ---------------------------------------------------------------------------------------------
// Range lines

type RangeKind = 'reserve' | 'free' | 'free-late' | 'add' | 'remove';

/** Fields after `]`: flags/nid (era dependent) and where the caller (or x86 name) starts. */
interface Tail {
  flags: number; // -1 when not printed
  nid: number; // NaN when not printed
  restAt: number; // -1 when nothing follows
}

// Scratch for readTail: the hot path reads one line at a time, so one shared record avoids an
// allocation per line.
const tail: Tail = { flags: -1, nid: NaN, restAt: -1 };

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
  const start = readHex(text, startAt);
  const startEnd = hexEnd;
  pos = skipBlanks(text, startEnd);
  if (text.charCodeAt(pos) !== 45 /* - */) return undefined;
  pos = skipBlanks(text, pos + 1);
  if (text.charCodeAt(pos) !== 48 || (text.charCodeAt(pos + 1) | 0x20) !== 120) return undefined;
  const endAt = pos + 2;
  const end = readHex(text, endAt);
  const endEnd = hexEnd;
  if (text.charCodeAt(endEnd) !== 93 /* ] */ || start === -1 || end === -1) return undefined;

  readTail(text, endEnd + 1);
  // end / 4096 is exact for a safe integer, and cheaper than `%` on values past 2^31 (a call to fmod).
  const pageAlignedEnd = end >= 0 ? Number.isInteger(end / 4096) : text.endsWith('000', endEnd);
  const exclusive =
    (api === 'memblock_reserve' || api === 'memblock_free') && endIsExclusive(era, api, startEnd - startAt, tail.flags >= 0, pageAlignedEnd);
  const span =
    start >= 0 && end >= 0
      ? numberSpan(start, end, exclusive)
      : bigSpan(hexSpan(text, startAt, startEnd)!, hexSpan(text, endAt, endEnd)!, exclusive);
  const caller = tail.restAt >= 0 ? callerAt(text, tail.restAt) : undefined;
  return buildRangeEvent(kind, api, span, caller, rec, exclusive);
}

// Reused for the common (safe-integer, well-formed) case so that no Span is allocated per line.
const scratchSpan: Span = { base: 0n, size: 0n };

/** Base and size from safe integers; the shared scratch span unless the range is inverted. */
function numberSpan(start: number, end: number, exclusive: boolean): Span {
  const last = exclusive ? end - 1 : end; // inclusive last byte; start − 1 means empty
  if (last >= start - 1) {
    scratchSpan.base = big(start);
    scratchSpan.size = big(last - start + 1);
    return scratchSpan;
  }
  return { base: big(start), size: 0n, inverted: true, rawEnd: big(end) };
}

function bigSpan(start: bigint, end: bigint, exclusive: boolean): Span {
  return exclusive ? exclusiveSpan(start, end) : inclusiveSpan(start, end);
}

function readTail(text: string, from: number): void {
  tail.flags = -1;
  tail.nid = NaN;
  tail.restAt = -1;
  let pos = skipBlanks(text, from);
  // Most lines have only a caller here: one character test keeps them off the comparisons.
  const first = text.charCodeAt(pos);
  if (first !== 102 /* f */ && first !== 110 /* n */) {
    if (pos < text.length) tail.restAt = pos;
    return;
  }
  if (hasAt(text, pos, 'flags 0x')) {
    // 3.14–4.10: `flags 0xh` before the caller.
    tail.flags = Math.max(0, readHex(text, pos + 8));
    pos = skipBlanks(text, hexEnd);
  }
  if (hasAt(text, pos, 'nid=')) {
    const neg = text.charCodeAt(pos + 4) === 45;
    const digitsAt = pos + 4 + (neg ? 1 : 0);
    const end = decRunEnd(text, digitsAt);
    tail.nid = (neg ? -1 : 1) * decValue(text, digitsAt, end);
    pos = skipBlanks(text, end);
  }
  if (hasAt(text, pos, 'flags=')) {
    // 5.16+ memblock_add_node and 6.16+ __memblock_reserve: bare hex.
    tail.flags = Math.max(0, readHex(text, pos + 6));
    pos = skipBlanks(text, hexEnd);
  }
  if (pos < text.length) tail.restAt = pos;
}

// Callers repeat (`memblock_alloc_range_nid+0xe8/0x17c` on every allocation): events share one
// string per caller instead of each keeping a slice, and with it the whole message, alive.
const callerStrings = new Map<string, string>();
const CALLER_CACHE_LIMIT = 50_000;

// Callers seen lately, in a small table indexed by a hash of a few characters of the line's tail,
// compared in place before anything is sliced or hashed for the map. A collision only costs a
// trip through internCaller.
const CALLER_SLOT_BITS = 8;
const callerSlots: string[] = new Array<string>(1 << CALLER_SLOT_BITS).fill('');

/** The caller symbol (or x86 range name) from `at` to the end, without trailing blanks. */
function callerAt(text: string, at: number): string {
  const slot = callerSlot(text, at);
  const known = callerSlots[slot]!;
  if (known.length === text.length - at && hasAt(text, at, known)) return known;
  const caller = internCaller(text, at);
  callerSlots[slot] = caller;
  return caller;
}

/** Hash of the length and a few characters: `sym+0xoff/0xlen` differ at the start and the end. */
function callerSlot(text: string, at: number): number {
  const end = text.length;
  let h = end - at;
  h = Math.imul(h, 31) + text.charCodeAt(at);
  h = Math.imul(h, 31) + text.charCodeAt(at + 2);
  h = Math.imul(h, 31) + text.charCodeAt(end - 1);
  h = Math.imul(h, 31) + text.charCodeAt(end - 2);
  h = Math.imul(h, 31) + text.charCodeAt(end - 6);
  return Math.imul(h, 0x9e3779b1) >>> (32 - CALLER_SLOT_BITS);
}

function internCaller(text: string, at: number): string {
  const last = text.charCodeAt(text.length - 1);
  const caller = last === 32 || last === 9 ? text.slice(at).trimEnd() : text.slice(at);
  const known = callerStrings.get(caller);
  if (known !== undefined) return known;
  if (callerStrings.size >= CALLER_CACHE_LIMIT) callerStrings.clear();
  // Flatten into a string of its own so the cache does not pin the message either.
  const own = (' ' + caller).slice(1);
  callerStrings.set(own, own);
  return own;
}

/**
 * 3.3–3.13 printed `memblock_reserve`/`memblock_free` with an exclusive end (fixed in 3.14). Known
 * kernel versions decide; otherwise the X14 width (`%#016llx`, 14 digits) without `flags` marks the
 * old era for reserves, and frees follow the reserves seen so far, then page alignment of the end.
 */
function endIsExclusive(era: MemblockEra, api: string, digits: number, hasFlags: boolean, pageAlignedEnd: boolean): boolean {
  if (era.version !== undefined) return era.version >= v(3, 3) && era.version < v(3, 14);
  if (digits !== 14) return false;
  if (api === 'memblock_reserve') {
    era.x14EndExclusive = !hasFlags;
    return !hasFlags;
  }
  if (era.x14EndExclusive !== undefined) return era.x14EndExclusive;
  return pageAlignedEnd;
}

/**
 * The event for a range line. The caller goes into the object literal itself: a property added
 * afterwards would cost every one of the (possibly million) retained events an extra backing store.
 */
function buildRangeEvent(kind: RangeKind, api: string, span: Span, caller: string | undefined, rec: LogRecord, exclusive: boolean): MemoryEvent {
  const { line, endLine } = rec;
  const { base, size } = span;
  let event: ReserveEvent | FreeEvent | FreeLateEvent | AddEvent | RemoveEvent;
  switch (kind) {
    case 'reserve': {
      const reserve: ReserveEvent =
        caller === undefined || api === 'memblock_x86_reserve_range'
          ? { kind, api: api as ReserveApi, base, size, line, endLine }
          : { kind, api: api as ReserveApi, base, size, line, endLine, caller };
      if (tail.nid === tail.nid) reserve.nid = tail.nid; // not NaN
      if (tail.flags >= 0) reserve.flags = tail.flags;
      if (api === 'memblock_x86_reserve_range' && caller) reserve.name = caller;
      if (exclusive) reserve.exclusiveEnd = true;
      event = reserve;
      break;
    }
    case 'free': {
      const free: FreeEvent =
        caller === undefined
          ? { kind, api: api as FreeApi, base, size, line, endLine }
          : { kind, api: api as FreeApi, base, size, line, endLine, caller };
      if (exclusive) free.exclusiveEnd = true;
      event = free;
      break;
    }
    case 'free-late':
      event =
        caller === undefined
          ? { kind, api: api as FreeLateEvent['api'], base, size, line, endLine }
          : { kind, api: api as FreeLateEvent['api'], base, size, line, endLine, caller };
      break;
    case 'add': {
      const add: AddEvent =
        caller === undefined
          ? { kind, api: api as AddEvent['api'], base, size, line, endLine }
          : { kind, api: api as AddEvent['api'], base, size, line, endLine, caller };
      if (tail.nid === tail.nid) add.nid = tail.nid;
      if (tail.flags >= 0) add.flags = tail.flags;
      event = add;
      break;
    }
    case 'remove':
      event = caller === undefined ? { kind, base, size, line, endLine } : { kind, base, size, line, endLine, caller };
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
function readAllocRequest(text: string, from: number, rec: LogRecord, api: string, exactNid = api.includes('exact_nid')): AllocEvent | undefined {
  let pos = skipBlanks(text, from);
  const sizeEnd = decRunEnd(text, pos);
  const size = decSpan(text, pos, sizeEnd);
  if (size === undefined || !hasAt(text, sizeEnd, ' bytes align=0x')) return undefined;
  const align = hexAt(text, sizeEnd + 15);
  pos = skipBlanks(text, hexEnd);
  let nid: number | null = null;
  if (text.charCodeAt(pos) === 110 /* n */ && hasAt(text, pos, 'nid=')) {
    const neg = text.charCodeAt(pos + 4) === 45;
    const digitsAt = pos + 4 + (neg ? 1 : 0);
    const end = decRunEnd(text, digitsAt);
    if (end === digitsAt) return undefined;
    nid = (neg ? -1 : 1) * decValue(text, digitsAt, end);
    pos = skipBlanks(text, end);
  }
  if (!hasAt(text, pos, 'from=0x')) return undefined;
  const min = hexAt(text, pos + 7);
  pos = skipBlanks(text, hexEnd);
  if (!hasAt(text, pos, 'max_addr=0x')) return undefined;
  const max = hexAt(text, pos + 11);
  if (align === undefined || min === undefined || max === undefined) return undefined;
  pos = skipBlanks(text, hexEnd);
  const { line, endLine } = rec;
  // Caller inside the literal, for the same reason as in buildRangeEvent.
  if (pos >= text.length) return { kind: 'alloc', api, size, align, nid, exactNid, from: min, maxAddr: max, line, endLine };
  const caller = callerAt(text, pos);
  return { kind: 'alloc', api, size, align, nid, exactNid, from: min, maxAddr: max, line, endLine, caller };
}

/** Hex digits at `pos` as a bigint through the Number fast path (end position left in hexEnd). */
function hexAt(text: string, pos: number): bigint | undefined {
  const value = readHex(text, pos);
  if (value >= 0) return big(value);
  if (value === -1) return undefined;
  return hexSpan(text, pos, hexEnd);
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
