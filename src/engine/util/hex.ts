// Exact conversions between printed numbers and bigint addresses.

/** Parses hex with or without `0x`; returns undefined for anything that is not hex. */
export function parseHex(text: string): bigint | undefined {
  const digits = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text;
  if (digits.length === 0 || digits.length > 32 || !/^[0-9a-fA-F]+$/.test(digits)) return undefined;
  return BigInt('0x' + digits);
}

/** Parses a decimal integer (optionally negative). */
export function parseDec(text: string): bigint | undefined {
  if (!/^-?[0-9]{1,40}$/.test(text)) return undefined;
  return BigInt(text);
}

/** `0x` + lower-case hex, no padding: the JSON form of addresses and sizes. */
export function hex(value: bigint): string {
  return (value < 0n ? '-0x' + (-value).toString(16) : '0x' + value.toString(16));
}

/** `0x` + 16 zero-padded digits, as the kernel's %pa prints a 64-bit phys_addr_t. */
export function hex16(value: bigint): string {
  return '0x' + value.toString(16).padStart(16, '0');
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** Human size: 4096n -> "4 KiB", 0x1800000n -> "24 MiB", 1536n -> "1.5 KiB". */
export function humanSize(bytes: bigint): string {
  let unit = 0;
  let whole = bytes < 0n ? -bytes : bytes;
  let scaled = Number(whole);
  while (unit < UNITS.length - 1 && whole >= 1024n) {
    whole /= 1024n;
    unit++;
  }
  scaled = Number(bytes < 0n ? -bytes : bytes) / 1024 ** unit;
  const text = Number.isInteger(scaled) ? String(scaled) : scaled.toFixed(scaled < 10 ? 2 : 1).replace(/\.?0+$/, '');
  return (bytes < 0n ? '-' : '') + text + ' ' + UNITS[unit];
}

export function alignDown(value: bigint, align: bigint): bigint {
  return align <= 1n ? value : value - (value % align);
}

export function alignUp(value: bigint, align: bigint): bigint {
  if (align <= 1n) return value;
  const rem = value % align;
  return rem === 0n ? value : value + (align - rem);
}
