// Messages that say who owns a physical range (printk-formats.md §5.3, §5.5): initrd, crash
// kernel, ACPI tables, swiotlb, CMA and DT reserved-memory, the old bootmem bitmap.

import type { LogRecord, Owner, OwnerHintEvent } from '../../types';
import { exclusiveSpan, hexOf, inclusiveSpan, MEM_RANGE, unitBytes, type Span } from './scan';

export function ownerHint(owner: Owner, span: Span, rec: LogRecord, label?: string): OwnerHintEvent {
  const event: OwnerHintEvent = { kind: 'owner-hint', owner, base: span.base, size: span.size, line: rec.line, endLine: rec.endLine };
  if (label !== undefined) event.label = label;
  if (span.inverted) {
    event.inverted = true;
    event.rawEnd = span.rawEnd;
  }
  return event;
}

// ---------------------------------------------------------------------------------------------
// initrd

const RAMDISK_NEW = new RegExp(String.raw`^RAMDISK: ${MEM_RANGE}`);
const RAMDISK_OLD = /^RAMDISK: ([0-9a-fA-F]+) - ([0-9a-fA-F]+)/;
const RAMDISK_ALLOCATED = new RegExp(String.raw`^Allocated new RAMDISK: ${MEM_RANGE}`);
const RAMDISK_MOVE = new RegExp(String.raw`^Move RAMDISK from ${MEM_RANGE} to ${MEM_RANGE}`);

/** x86 `RAMDISK: [mem a-b]` (≤3.4 `RAMDISK: h - h`, exclusive), `Allocated new RAMDISK`, `Move RAMDISK … to …`. */
export function readRamdisk(text: string, rec: LogRecord): OwnerHintEvent | undefined {
  let m = RAMDISK_NEW.exec(text) ?? RAMDISK_ALLOCATED.exec(text);
  if (m) return ownerHint('initrd', inclusiveSpan(hexOf(m[1]!), hexOf(m[2]!)), rec, 'RAMDISK');
  m = RAMDISK_MOVE.exec(text);
  if (m) return ownerHint('initrd', inclusiveSpan(hexOf(m[3]!), hexOf(m[4]!)), rec, 'RAMDISK');
  m = RAMDISK_OLD.exec(text);
  if (m) return ownerHint('initrd', exclusiveSpan(hexOf(m[1]!), hexOf(m[2]!)), rec, 'RAMDISK');
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Crash kernel

/** pr_fmt prefixes some architectures put before the crashkernel lines. */
const CRASH_PREFIX = /^(?:setup|kexec_core|kexec|crashkernel|crash_core): /;
const CRASH_MB = /^Reserving (\d+)MB of (low )?memory at (\d+)MB for crashkernel/;
const CRASH_HEX = /^crashkernel (low memory )?reserved: (0x[0-9a-fA-F]+)\s*-\s*(0x[0-9a-fA-F]+)/;
const ELFCOREHDR = /^Reserving (\d+)KB of memory at (0x[0-9a-fA-F]+) for elfcorehdr/;

/** `Reserving NMB of [low ]memory at NMB for crashkernel …`, `crashkernel [low memory ]reserved: a - b` (exclusive), elfcorehdr. */
export function readCrashkernel(text: string, rec: LogRecord): OwnerHintEvent | undefined {
  const body = text.replace(CRASH_PREFIX, '');
  let m = CRASH_MB.exec(body);
  if (m) {
    const base = BigInt(m[3]!) << 20n;
    return ownerHint('crashkernel', { base, size: BigInt(m[1]!) << 20n }, rec, m[2] ? 'crashkernel low' : 'crashkernel');
  }
  m = CRASH_HEX.exec(body);
  if (m) return ownerHint('crashkernel', exclusiveSpan(hexOf(m[2]!), hexOf(m[3]!)), rec, m[1] ? 'crashkernel low' : 'crashkernel');
  m = ELFCOREHDR.exec(body);
  if (m) return ownerHint('crashkernel', { base: hexOf(m[2]!), size: BigInt(m[1]!) << 10n }, rec, 'elfcorehdr');
  return undefined;
}

/** Whether a line (after the arch prefix) is a crashkernel/elfcorehdr line at all, to route it here. */
export function isCrashLine(text: string): boolean {
  const body = text.replace(CRASH_PREFIX, '');
  return body.startsWith('Reserving ') || body.startsWith('crashkernel ');
}

// ---------------------------------------------------------------------------------------------
// ACPI, swiotlb

const ACPI_TABLE = new RegExp(String.raw`^ACPI: Reserving (\S+) table memory at ${MEM_RANGE}`);

/** `ACPI: Reserving FACP table memory at [mem a-b]`. */
export function readAcpiTable(text: string, rec: LogRecord): OwnerHintEvent | undefined {
  const m = ACPI_TABLE.exec(text);
  return m ? ownerHint('acpi', inclusiveSpan(hexOf(m[2]!), hexOf(m[3]!)), rec, m[1]) : undefined;
}

const SWIOTLB = new RegExp(String.raw`^software IO TLB(?::)? (?:mapped )?${MEM_RANGE}\s*\((\d+)MB\)`);

/**
 * `software IO TLB: mapped [mem a-b] (64MB)` (5.x+) and 3.x `software IO TLB [mem a-b] (64MB) mapped at …`.
 * The newer form prints start+bytes (exclusive), the older start+bytes−1; the printed MB decides.
 */
export function readSwiotlb(text: string, rec: LogRecord): OwnerHintEvent | undefined {
  const m = SWIOTLB.exec(text);
  if (!m) return undefined;
  const start = hexOf(m[1]!);
  const end = hexOf(m[2]!);
  const printed = BigInt(m[3]!) << 20n;
  const span = end - start === printed ? exclusiveSpan(start, end) : inclusiveSpan(start, end);
  return ownerHint('swiotlb', span, rec, 'swiotlb');
}

// ---------------------------------------------------------------------------------------------
// CMA and DT reserved-memory

const CMA_RESERVED = /^cma: (?:CMA: )?[Rr]eserved (\d+) ([KMG]i?B) at (?:0x)?([0-9a-fA-F]+)(?: on node (-?\d+))?/;
const RESERVED_POOL = /^Reserved memory: created (CMA|DMA) memory pool at (0x[0-9a-fA-F]+), size (\d+) ([KMG]i?B)/;
const OF_RESERVED = /^OF: reserved mem: (0x[0-9a-fA-F]+)\.\.(0x[0-9a-fA-F]+) \((\d+) KiB\) (map|nomap) (reusable|non-reusable) (\S+)/;

/** `cma: Reserved N MiB at PA [on node D]` (3.5–3.15 `cma: CMA: reserved N MiB at H8`). */
export function readCmaReserved(text: string, rec: LogRecord): OwnerHintEvent | undefined {
  const m = CMA_RESERVED.exec(text);
  if (!m) return undefined;
  const event = ownerHint('cma', { base: hexOf(m[3]!), size: unitBytes(BigInt(m[1]!), m[2]!) }, rec, 'cma');
  if (m[4] !== undefined) event.nid = Number(m[4]);
  return event;
}

/** `Reserved memory: created CMA|DMA memory pool at PA, size N MiB`. */
export function readReservedPool(text: string, rec: LogRecord): OwnerHintEvent | undefined {
  const m = RESERVED_POOL.exec(text);
  if (!m) return undefined;
  const owner: Owner = m[1] === 'CMA' ? 'cma' : 'dt-reserved';
  return ownerHint(owner, { base: hexOf(m[2]!), size: unitBytes(BigInt(m[3]!), m[4]!) }, rec, `${m[1]} pool`);
}

/** ≈6.2+ `OF: reserved mem: a..b (N KiB) map|nomap reusable|non-reusable NAME` (inclusive). */
export function readOfReservedMem(text: string, rec: LogRecord): OwnerHintEvent | undefined {
  const m = OF_RESERVED.exec(text);
  if (!m) return undefined;
  const name = m[6]!;
  const reusable = m[5] === 'reusable';
  const owner: Owner = reusable && name.includes('cma') ? 'cma' : 'dt-reserved';
  const event = ownerHint(owner, inclusiveSpan(hexOf(m[1]!), hexOf(m[2]!)), rec, name);
  event.nomap = m[4] === 'nomap';
  event.reusable = reusable;
  return event;
}

// ---------------------------------------------------------------------------------------------
// bootmem bitmap (2.6.2x x86-64)

const BOOTMAP = /^bootmap \[([0-9a-fA-F]+) -\s+([0-9a-fA-F]+)\] pages ([0-9a-fA-F]+)/;

/** `bootmap [H16 -  H16] pages h` (inclusive; two spaces; pages in hex): the bootmem bitmap, owner 'other'. */
export function readBootmap(text: string, rec: LogRecord): OwnerHintEvent | undefined {
  const m = BOOTMAP.exec(text);
  return m ? ownerHint('other', inclusiveSpan(hexOf(m[1]!), hexOf(m[2]!)), rec, 'bootmap') : undefined;
}

