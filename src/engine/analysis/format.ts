// Small helpers the analysis shares: how a kernel engineer expects ranges and callers to read,
// and interval arithmetic on half-open [base, end) ranges.

import type { Addr, Boot, Range, Region } from '../types';
import type { Reservation } from '../replay/replay';
import { humanSize as formatSize } from '../util/hex';

/** `[mem 0x7fee4000-0x7ffdffff]`: the kernel's own range style, inclusive end, at least 8 digits. */
export function memRange(base: Addr, size: Addr): string {
  const last = size > 0n ? base + size - 1n : base;
  return `[mem ${hex8(base)}-${hex8(last)}]`;
}

/** `[mem …] (2 MiB)`: a range and its size, the way findings quote them. */
export function memRangeSized(base: Addr, size: Addr): string {
  return `${memRange(base, size)} (${humanSize(size)})`;
}

function hex8(value: Addr): string {
  const digits = value.toString(16);
  return '0x' + (digits.length >= 8 ? digits : digits.padStart(8, '0'));
}

/**
 * The function name of a printed caller: `setup_log_buf+0x112/0x337` -> `setup_log_buf`,
 * `[<ffffffff81d3f7b5>] reserve_initrd+0x55/0x1a0` -> `reserve_initrd`, and compiler clones
 * (`.constprop.0`, `.isra.1`, `.part.2`) lose their suffix so rules see the source name.
 * Undefined for a bare address (no kallsyms), which names nothing.
 */
export function functionName(caller: string | undefined): string | undefined {
  if (!caller) return undefined;
  // Callers repeat by the hundred thousand on big logs (one string per call site): remember them.
  const known = functionNames.get(caller);
  if (known !== undefined || functionNames.has(caller)) return known;
  const name = parseFunctionName(caller);
  if (functionNames.size >= FUNCTION_NAME_CACHE) functionNames.clear();
  functionNames.set(caller, name);
  return name;
}

const functionNames = new Map<string, string | undefined>();
const FUNCTION_NAME_CACHE = 20_000;

function parseFunctionName(caller: string): string | undefined {
  const text = caller.replace(/\[<[0-9a-fA-Fx]+>\]/g, ' ').replace(/\b0x[0-9a-fA-F]+\b/g, ' ').trim();
  const match = /(?:^|\s)([A-Za-z_][A-Za-z0-9_.$]*)/.exec(text);
  if (!match) return undefined;
  const name = match[1].replace(/(\.(constprop|isra|part|cold|lto_priv|llvm)(\.\d+)?)+$/, '');
  if (/^[0-9a-fA-F]{8,}$/.test(name)) return undefined;
  return compactCopy(name);
}

/**
 * A copy of a short string stored one byte per character. The parser's text can be two-byte
 * strings even for an ASCII log (V8's streaming UTF-8 decoder returns big chunks that way), and
 * a message joined from one two-byte piece is two-byte throughout: names go into hundreds of
 * thousands of messages and reasons, so they are copied once here. The copy also stops a name
 * from keeping its whole source chunk alive.
 */
function compactCopy(text: string): string {
  if (text.length > 256) return text;
  const codes = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  return String.fromCharCode(...codes);
}

/**
 * A template literal built as one flat string: `flat\`${a} of ${b}\``. V8 builds a literal of
 * many pieces as a tree of string pieces, about three times the memory of its characters, while a
 * join writes one string. Findings live as long as their report, and a big log has hundreds of
 * thousands of messages.
 */
export function flat(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  const parts = new Array<string | number>(strings.length + values.length);
  parts[0] = strings[0];
  for (let i = 0; i < values.length; i++) {
    parts[2 * i + 1] = values[i];
    parts[2 * i + 2] = strings[i + 1];
  }
  return parts.join('');
}

/** A finding's line span: an event's. */
export function at(event: { line: number; endLine: number }): { line: number; endLine: number } {
  return { line: event.line, endLine: event.endLine };
}

/** The span of the event at an index, else the fallback line. */
export function spanOf(boot: Pick<Boot, 'events'>, eventIndex: number, fallbackLine: number): { line: number; endLine: number } {
  const event = boot.events[eventIndex];
  return event ? at(event) : { line: fallbackLine, endLine: fallbackLine };
}

/** ` by NAME`: the function that wanted a reservation, for messages ('' when none is named). */
export function who(reservation: Reservation): string {
  const name = functionName(reservation.request?.caller) ?? functionName(reservation.caller);
  if (!name) return '';
  let text = byNames.get(name);
  if (text === undefined) {
    if (byNames.size > 20_000) byNames.clear();
    byNames.set(name, (text = ` by ${name}`));
  }
  return text;
}

/** Tens of thousands of messages name the same few hundred callers. */
const byNames = new Map<string, string>();

export function rangeEnd(r: Range): Addr {
  return r.base + r.size;
}

/** Bytes shared by [a, a+as) and [b, b+bs). */
export function overlapBytes(aBase: Addr, aSize: Addr, bBase: Addr, bSize: Addr): Addr {
  const lo = aBase > bBase ? aBase : bBase;
  const aEnd = aBase + aSize;
  const bEnd = bBase + bSize;
  const hi = aEnd < bEnd ? aEnd : bEnd;
  return hi > lo ? hi - lo : 0n;
}

/** The parts of [base, end) that `cover` (sorted, non-overlapping) leaves uncovered. */
export function uncovered(base: Addr, end: Addr, cover: readonly Range[]): Range[] {
  const gaps: Range[] = [];
  let cursor = base;
  for (const r of cover) {
    const rEnd = r.base + r.size;
    if (rEnd <= cursor) continue;
    if (r.base >= end) break;
    if (r.base > cursor) gaps.push({ base: cursor, size: r.base - cursor });
    cursor = rEnd;
    if (cursor >= end) break;
  }
  if (cursor < end) gaps.push({ base: cursor, size: end - cursor });
  return gaps;
}

/** Whether [base, base+size) lies entirely inside the union of `regions` (sorted, merged or not). */
export function insideRegions(base: Addr, size: Addr, regions: readonly Range[]): boolean {
  return uncovered(base, base + size, sortRanges(regions)).length === 0;
}

export function sortRanges<T extends Range>(ranges: readonly T[]): T[] {
  return [...ranges].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
}

/** The live regions of a memblock array as plain ranges (skipping the empty dummy slot). */
export function liveOf(regions: readonly Region[], cnt: number): Region[] {
  return regions.slice(0, cnt).filter((r) => r.size > 0n);
}

export function sum(values: Iterable<Addr>): Addr {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}

/**
 * `4 KiB`, `1.5 MiB`: remembered per value, as a big log's messages repeat a few thousand sizes
 * (keyed by number: a Map hashes a bigint key far more slowly).
 */
export function humanSize(bytes: Addr): string {
  const key = smallKey(bytes);
  if (key === undefined) return formatSize(bytes);
  let text = humanSizes.get(key);
  if (text === undefined) {
    if (humanSizes.size >= 20_000) humanSizes.clear();
    humanSizes.set(key, (text = formatSize(bytes)));
  }
  return text;
}

const humanSizes = new Map<number, string>();

/** The value as a number when a double holds it exactly (0 ≤ value < 2^53), for keys and fast arithmetic. */
export function smallKey(value: Addr): number | undefined {
  // Checked on the double: a bigint above 2^53 - 1 converts to 2^53 or more, never less.
  const n = Number(value);
  return n >= 0 && n <= Number.MAX_SAFE_INTEGER ? n : undefined;
}
