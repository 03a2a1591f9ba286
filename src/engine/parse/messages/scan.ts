// Number and range scanning shared by the recognizers.
//
// The memblock=debug hot path (hundreds of thousands of reserve/alloc lines) avoids regexes and
// string copies: digits are read straight out of the message with charCodeAt, and values below
// 2^53 (nearly every physical address) become bigints through a Number, which is much cheaper
// than BigInt('0x' + text). Longer values fall back to the exact BigInt parse.

import type { Addr, RangeAnomaly } from '../../types';
import { parseHex } from '../../util/hex';

/** Value of a hex digit char code, or -1. */
export function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

/** Where the last readHex stopped (the first non-hex character). */
export let hexEnd = 0;

/**
 * Reads the hex digits starting at `pos` in one pass: their value as a Number (-1 when there are
 * none, -2 when the value reaches 2^53 and must be re-read with hexSpan), end position in `hexEnd`.
 */
export function readHex(text: string, pos: number): number {
  let value = 0;
  let i = pos;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let digit: number;
    if (code >= 48 && code <= 57) digit = code - 48;
    else {
      const lower = code | 0x20;
      if (lower < 97 || lower > 102) break;
      digit = lower - 87;
    }
    value = value * 16 + digit;
  }
  hexEnd = i;
  if (i === pos) return -1;
  return value <= Number.MAX_SAFE_INTEGER ? value : -2;
}

/**
 * bigints for 0 … 2^16: alignments, small sizes and zero limits repeat on almost every line. Sized
 * up front: filling an empty array at scattered indexes would turn it into a slow dictionary.
 */
const SMALL_LIMIT = 1 << 16;
const SMALL_BIGINTS: Array<bigint | undefined> = new Array<bigint | undefined>(SMALL_LIMIT + 1).fill(undefined);

// Larger values repeat too: limits (`from=0x1000000`, `max_addr=0x100000000`), page-sized sizes,
// a range freed at the base it was reserved at. A direct-mapped cache of recent values lets events
// share one bigint each (every bigint is a heap object that the events keep alive): about a third
// of the large values of a memblock=debug log are found here.
const RECENT_BITS = 10;
const recentKeys = new Float64Array(1 << RECENT_BITS).fill(-1);
const recentBigints: bigint[] = new Array<bigint>(1 << RECENT_BITS).fill(0n);

/** A non-negative safe integer as a bigint, sharing the small ones and recent large ones. */
export function big(value: number): bigint {
  if (value <= SMALL_LIMIT) {
    let cached = SMALL_BIGINTS[value];
    if (cached === undefined) SMALL_BIGINTS[value] = cached = BigInt(value);
    return cached;
  }
  const slot = recentSlot(value);
  if (recentKeys[slot] === value) return recentBigints[slot]!;
  const fresh = BigInt(value);
  recentKeys[slot] = value;
  recentBigints[slot] = fresh;
  return fresh;
}

/** Multiplicative hash of both 32-bit halves (`| 0` keeps the low half, exactly, for any safe integer). */
function recentSlot(value: number): number {
  const low = value | 0;
  const high = (value / 4294967296) | 0;
  return Math.imul(low ^ Math.imul(high, 0x85ebca6b), 0x9e3779b1) >>> (32 - RECENT_BITS);
}

/** Hex digits in text[start, end) (no `0x`) as a bigint; undefined when empty or not hex. */
export function hexSpan(text: string, start: number, end: number): bigint | undefined {
  if (end <= start || end - start > 32) return undefined;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = hexDigit(text.charCodeAt(i));
    if (digit < 0) return undefined;
    value = value * 16 + digit;
  }
  // Accumulation is exact while below 2^53; anything larger is re-read exactly.
  return value <= Number.MAX_SAFE_INTEGER ? big(value) : BigInt('0x' + text.slice(start, end));
}

/** End of the run of decimal digits starting at `pos`. */
export function decRunEnd(text: string, pos: number): number {
  let i = pos;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  return i;
}

/** Decimal digits in text[start, end) (checked by the caller) as a Number, read in place when short. */
export function decValue(text: string, start: number, end: number): number {
  // Up to 15 digits the running value stays exact; longer runs take Number()'s correct rounding.
  if (end - start > 15) return Number(text.slice(start, end));
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + (text.charCodeAt(i) - 48);
  return value;
}

/** Decimal digits in text[start, end) as a bigint (exact for any length). */
export function decSpan(text: string, start: number, end: number): bigint | undefined {
  if (end <= start || end - start > 40) return undefined;
  if (end - start <= 15) {
    let value = 0;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return undefined;
      value = value * 10 + c;
    }
    return big(value);
  }
  const digits = text.slice(start, end);
  return /^[0-9]+$/.test(digits) ? BigInt(digits) : undefined;
}

/** A regex capture like `0x1f`, `1f` or `0X1F` as a bigint (0n when malformed; captures are pre-validated). */
export function hexOf(capture: string): bigint {
  return parseHex(capture) ?? 0n;
}

/** Skips spaces and TABs. */
export function skipBlanks(text: string, pos: number): number {
  let i = pos;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

// ---------------------------------------------------------------------------------------------
// Ranges

/** base/size of a printed range plus the anomaly marks; spread into events. */
export interface Span extends RangeAnomaly {
  base: Addr;
  size: Addr;
}

/**
 * [start, end] with an inclusive end. end = start − 1 is the kernel's way of printing an empty
 * range (size 0); anything lower is garbage and is marked inverted.
 */
export function inclusiveSpan(start: Addr, end: Addr): Span {
  if (end >= start) return { base: start, size: end - start + 1n };
  if (end === start - 1n) return { base: start, size: 0n };
  return { base: start, size: 0n, inverted: true, rawEnd: end };
}

/** [start, end) with an exclusive end: end = start is empty, lower is inverted. */
export function exclusiveSpan(start: Addr, end: Addr): Span {
  if (end >= start) return { base: start, size: end - start };
  return { base: start, size: 0n, inverted: true, rawEnd: end };
}

/** Regex source for `[mem 0xS-0xE]`, tolerant of the extra space left where a wrapped line was joined. */
export const MEM_RANGE = String.raw`\[mem\s*(0x[0-9a-fA-F]+)\s*-\s*(0x[0-9a-fA-F]+)\s*\]`;

/** Sizes printed with a unit (`64MB`, `640 MiB`, `512 KiB`, `4KB`, `2G`) in bytes. */
export function unitBytes(count: bigint, unit: string): bigint {
  switch (unit.charAt(0).toUpperCase()) {
    case 'K':
      return count << 10n;
    case 'M':
      return count << 20n;
    case 'G':
      return count << 30n;
    case 'T':
      return count << 40n;
    default:
      return count;
  }
}

/** Page shift used to turn PFNs into addresses: 4 KiB unless the architecture's usual default differs. */
export function pageShift(arch: string | undefined): bigint {
  if (!arch) return 12n;
  if (arch.startsWith('ia64')) return 14n; // 16 KiB default
  if (arch.startsWith('ppc64') || arch.startsWith('powerpc64')) return 16n; // distro 64 KiB pages
  if (arch.startsWith('sparc64') || arch.startsWith('alpha')) return 13n;
  return 12n;
}
