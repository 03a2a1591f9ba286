// Finds the physical address or address range under the cursor in one line of a boot log.
// Pure (no `vscode`), so it is shared by the hover, and easy to test.
//
// Shapes recognised (the kernel prints all of them):
//   [mem 0x00000000-0x000fffff] ...     e820, NUMA, zones, RAMDISK, NODE_DATA (inclusive end)
//   [0x0000000000000000-0x00000000000fffff]   memblock=debug (inclusive end)
//   [0000000000 - 0000001000]           early_res (exclusive end), other bracketed pairs
//   0x80000000..0x8007ffff              OF reserved-memory (inclusive end)
//   0x7fee4000-0x7ffdffff               bare pairs
//   0x0000000000100000                  a single address (but not caller offsets `+0x1ee/0x31f`)

export interface AddressToken {
  /** 0-based character span of the token in the line, end exclusive. */
  start: number;
  end: number;
  /** First address of the token (the one the engine is asked about). */
  base: bigint;
  /** Last byte of a range (inclusive); undefined for a single address. */
  last?: bigint;
}

const HEX = '(?:0x)?[0-9a-fA-F]+';
const RANGE_PATTERNS: RegExp[] = [
  // [mem a-b] with optional trailing words inside the brackets ("[mem 0x..-0x.. 64bit pref]").
  /\[mem\s+(0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)[^\]]*\]/g,
  // [a-b] / [a - b], with or without 0x (at least 5 digits without it, so "[0-7]" is no range).
  new RegExp(`\\[\\s*(${HEX})\\s*-\\s*(${HEX})\\s*\\]`, 'g'),
  // a..b and a-b with 0x on both sides.
  /(0x[0-9a-fA-F]+)\s*(?:\.\.|-)\s*(0x[0-9a-fA-F]+)/g,
];
const SINGLE = /0x[0-9a-fA-F]+/g;

/** Limits the work on absurd lines (the engine already caps its own). */
const MAX_SCAN = 4096;

function parse(text: string): bigint | undefined {
  const digits = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text;
  if (digits.length === 0 || digits.length > 16) return undefined;
  if (!text.startsWith('0x') && !text.startsWith('0X') && digits.length < 5) return undefined;
  try {
    return BigInt('0x' + digits);
  } catch {
    return undefined;
  }
}

/** Whether a printed range end is inclusive: the kernel prints inclusive ends as ...fff (odd). */
function inclusiveEnd(base: bigint, end: bigint, bracketWithout0x: boolean): bigint {
  // early_res prints "[start - end]" with an exclusive end and no 0x; everything else is inclusive.
  if (bracketWithout0x && (end & 1n) === 0n && end > base) return end - 1n;
  return end;
}

/** The address token covering character `column` (0-based) of `line`, if any. */
export function addressAt(line: string, column: number): AddressToken | undefined {
  const text = line.length > MAX_SCAN ? line.slice(0, MAX_SCAN) : line;
  if (column < 0 || column > text.length) return undefined;
  for (const pattern of RANGE_PATTERNS) {
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      if (column < start || column >= end) continue;
      const base = parse(m[1]!);
      const endValue = parse(m[2]!);
      if (base === undefined || endValue === undefined || endValue < base) continue;
      const without0x = m[0].startsWith('[') && !m[0].startsWith('[mem') && !/0x/i.test(m[1]!);
      return { start, end, base, last: inclusiveEnd(base, endValue, without0x) };
    }
  }
  SINGLE.lastIndex = 0;
  for (let m = SINGLE.exec(text); m; m = SINGLE.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    if (column < start || column >= end) continue;
    const before = text[start - 1];
    // Caller offsets (setup_arch+0x7e0/0xd4f), alignments and sizes are not addresses.
    if (before === '+' || before === '/') return undefined;
    if (/(?:align|size|cnt)\s*=\s*$/i.test(text.slice(Math.max(0, start - 8), start))) return undefined;
    const base = parse(m[0]);
    if (base === undefined) return undefined;
    return { start, end, base };
  }
  return undefined;
}

export function hexOf(value: bigint): string {
  return '0x' + value.toString(16);
}
