// Number formatting for the Memory Map: addresses as the kernel prints them, sizes in binary units.
import type { Hex } from '../src/protocol/messages';

export function big(h: Hex | undefined): bigint {
  if (!h) return 0n;
  try {
    return BigInt(h);
  } catch {
    return 0n;
  }
}

/** `0x1f5b80`: lowercase, no padding (compact for labels). */
export function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** `0x00000000000f5b80`: 16 digits, as memblock=debug prints physical addresses. */
export function hex16(v: bigint): string {
  return `0x${v.toString(16).padStart(16, '0')}`;
}

/** `[0x…-0x…]` with the inclusive end, like `[mem 0x…-0x…]` in the log. */
export function rangeText(base: bigint, size: bigint): string {
  const end = size > 0n ? base + size - 1n : base;
  return `[${hex16(base)}-${hex16(end)}]`;
}

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** 4 KiB, 1.5 MiB, 2 GiB, 12 TiB (exact when it divides, else 3 significant digits). */
export function humanSize(bytes: bigint): string {
  if (bytes < 0n) return `-${humanSize(-bytes)}`;
  if (bytes < 1024n) return bytes === 1n ? '1 byte' : `${bytes} bytes`;
  let unit = 0;
  let div = 1n;
  while (unit < UNITS.length - 1 && bytes >= div * 1024n) {
    div *= 1024n;
    unit++;
  }
  if (bytes % div === 0n) return `${(bytes / div).toString()} ${UNITS[unit]}`;
  // Three significant digits without losing precision on huge values.
  const scaled = Number((bytes * 1000n) / div) / 1000;
  const digits = scaled >= 10 ? 1 : 2;
  return `${scaled.toFixed(digits).replace(/\.?0+$/, '')} ${UNITS[unit]}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Short, human words for timeline kinds. */
export const KIND_LABEL: Record<string, string> = {
  reserve: 'reserve',
  alloc: 'alloc',
  free: 'free',
  'free-late': 'free late',
  add: 'add',
  remove: 'remove',
  checkpoint: 'dump',
  other: 'other',
  flagged: 'flagged',
};

/** Codicon per timeline kind (shape as well as colour tells kinds apart). */
export const KIND_ICON: Record<string, string> = {
  reserve: 'lock',
  alloc: 'add',
  free: 'remove',
  'free-late': 'arrow-down',
  add: 'diff-added',
  remove: 'diff-removed',
  checkpoint: 'checklist',
  other: 'circle-small',
};
