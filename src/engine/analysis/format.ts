// Small helpers the analysis shares: how a kernel engineer expects ranges and callers to read,
// and interval arithmetic on half-open [base, end) ranges.

import type { Addr, Range, Region } from '../types';
import { humanSize } from '../util/hex';

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
  return '0x' + value.toString(16).padStart(8, '0');
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
  return name;
}

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

export { humanSize };
