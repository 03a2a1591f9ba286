// Firmware memory maps (printk-formats.md §5.1–5.4): x86 e820 tables and edits, EFI memory map
// rows (x86 `memNN:` and arm64/riscv `efi:   0x…-0x… [Type|…]`), MIPS `memory: SIZE @ START`,
// DT `OF: fdt: Ignoring memory …`, Xen dom0 tables.

import type { FirmwareEvent, LogRecord } from '../../types';
import { exclusiveSpan, hexOf, inclusiveSpan, MEM_RANGE, type Span } from './scan';

type Source = FirmwareEvent['source'];

function firmwareEvent(source: Source, table: string, span: Span, type: string, rec: LogRecord): FirmwareEvent {
  const event: FirmwareEvent = { kind: 'firmware', source, table, base: span.base, size: span.size, type, line: rec.line, endLine: rec.endLine };
  if (span.inverted) {
    event.inverted = true;
    event.rawEnd = span.rawEnd;
  }
  return event;
}

// ---------------------------------------------------------------------------------------------
// e820

/** 7.0-era names back to the long-standing ones, `(usable)` parentheses removed. */
export function normaliseE820Type(raw: string): string {
  const type = raw.trim().replace(/^\((.*)\)$/, '$1').trim();
  switch (type) {
    case 'System RAM':
      return 'usable';
    case 'device reserved':
      return 'reserved';
    default:
      // `persistent (type 12)` keeps only the name; `type 16` stays as printed.
      return type.replace(/\s*\(type \d+\)$/, '');
  }
}

/** Tables that reuse the e820 row format: `TABLE: [mem S-E] TYPE` or (≤3.4) ` TABLE: S16 - E16 (TYPE)`. */
const E820_TABLES = ['BIOS-e820', 'BIOS-88', 'BIOS-e801', 'user', 'modified', 'extended', 'reserve setup_data', 'Xen'];

const E820_ROW_NEW = new RegExp(String.raw`^(${E820_TABLES.join('|')}): ${MEM_RANGE}\s*(.*)$`);
const E820_ROW_OLD = new RegExp(String.raw`^(${E820_TABLES.join('|')}): ([0-9a-fA-F]{8,16}) - ([0-9a-fA-F]{8,16})\s*(.*)$`);
const E820_GAP = /^BIOS-e820: \[gap /;

/** An e820-format table row; null for a 7.0 `[gap …]` row (a hole, not an entry). */
export function readE820Row(text: string, rec: LogRecord): FirmwareEvent | null | undefined {
  let m = E820_ROW_NEW.exec(text);
  if (m) {
    const table = m[1]!;
    return firmwareEvent(table === 'Xen' ? 'xen' : 'e820', table, inclusiveSpan(hexOf(m[2]!), hexOf(m[3]!)), normaliseE820Type(m[4]!), rec);
  }
  m = E820_ROW_OLD.exec(text);
  if (m) {
    const table = m[1]!;
    return firmwareEvent(table === 'Xen' ? 'xen' : 'e820', table, exclusiveSpan(hexOf(m[2]!), hexOf(m[3]!)), normaliseE820Type(m[4]!), rec);
  }
  return E820_GAP.test(text) ? null : undefined;
}

const E820_EDIT_NEW = new RegExp(String.raw`^e820: (update|remove) ${MEM_RANGE}\s*(.*?)(?:\s*==>\s*(.*))?$`);
const E820_EDIT_OLD = /^e820 (update|remove) range: ([0-9a-fA-F]+) - ([0-9a-fA-F]+)\s*(\([^)]*\))?(?:\s*==>\s*(\([^)]*\)))?/;

/** `e820: update [mem …] usable ==> reserved`, `e820: remove [mem …] [TYPE]` and the ≤3.4 exclusive forms. */
export function readE820Edit(text: string, rec: LogRecord): FirmwareEvent | undefined {
  let m = E820_EDIT_NEW.exec(text);
  let span: Span;
  if (m) span = inclusiveSpan(hexOf(m[2]!), hexOf(m[3]!));
  else {
    m = E820_EDIT_OLD.exec(text);
    if (!m) return undefined;
    span = exclusiveSpan(hexOf(m[2]!), hexOf(m[3]!));
  }
  const edit = m[1] as 'update' | 'remove';
  // A remove without a type removes whatever type is there.
  const type = m[4] ? normaliseE820Type(m[4]) : 'any';
  const event = firmwareEvent('e820', 'e820', span, type, rec);
  event.edit = edit;
  if (m[5]) event.newType = normaliseE820Type(m[5]);
  return event;
}

// ---------------------------------------------------------------------------------------------
// EFI

/** UEFI memory type numbers (≤3.18 `type=N` rows) to the 12-char names of later kernels. */
const EFI_TYPE_NAMES = [
  'Reserved', 'Loader Code', 'Loader Data', 'Boot Code', 'Boot Data', 'Runtime Code', 'Runtime Data',
  'Conventional', 'Unusable', 'ACPI Reclaim', 'ACPI Mem NVS', 'MMIO', 'MMIO Port', 'PAL Code', 'Persistent', 'Unaccepted',
];

/** The 19-char names of ≤4.19 kernels mapped to the 12-char ones, so all eras compare equal. */
const EFI_LONG_NAMES: Record<string, string> = {
  'Conventional Memory': 'Conventional',
  'ACPI Reclaim Memory': 'ACPI Reclaim',
  'ACPI Memory NVS': 'ACPI Mem NVS',
  'Memory Mapped I/O': 'MMIO',
  'MMIO Port Space': 'MMIO Port',
  'Persistent Memory': 'Persistent',
  'Unusable Memory': 'Unusable',
};

export function normaliseEfiType(raw: string): string {
  const name = raw.trim();
  return EFI_LONG_NAMES[name] ?? name;
}

const EFI_MEM_NUMBERED = /^(?:efi|EFI): mem\d+: type=(\d+), attr=0x[0-9a-fA-F]+, range=\[(0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)([)\]])/;
const EFI_MEM_NAMED = /^(?:efi|EFI): mem\d+: \[([^|\]]*)[^\]]*\] range=\[(0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)([)\]])/;
const EFI_MEM_ARM = /^efi:\s+(0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+) \[([^|\]]*)/;
const EFI_REMOVE = /^efi: Remove mem\d+: (.*?) range=\[(0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)([)\]])/;

/** EFI memory map rows; `)` closes an exclusive range (≤4.4), `]` an inclusive one. */
export function readEfi(text: string, rec: LogRecord): FirmwareEvent | null | undefined {
  let m = EFI_MEM_NAMED.exec(text);
  if (m) return firmwareEvent('efi', 'efi', efiSpan(m[2]!, m[3]!, m[4]!), normaliseEfiType(m[1]!), rec);
  m = EFI_MEM_NUMBERED.exec(text);
  if (m) {
    const type = EFI_TYPE_NAMES[Number(m[1])] ?? `type ${m[1]}`;
    return firmwareEvent('efi', 'efi', efiSpan(m[2]!, m[3]!, m[4]!), type, rec);
  }
  m = EFI_MEM_ARM.exec(text);
  if (m) return firmwareEvent('efi', 'efi', inclusiveSpan(hexOf(m[1]!), hexOf(m[2]!)), normaliseEfiType(m[3]!), rec);
  m = EFI_REMOVE.exec(text);
  if (m) {
    const event = firmwareEvent('efi', 'efi', efiSpan(m[2]!, m[3]!, m[4]!), normaliseEfiType(m[1]!), rec);
    event.edit = 'remove';
    return event;
  }
  // Known efi: lines without map content (attribute table, "Not removing", headers).
  if (text.startsWith('efi: memattr:') || text.startsWith('efi: Not removing') || text.startsWith('efi: Processing EFI memory map')) return null;
  return undefined;
}

function efiSpan(start: string, end: string, close: string): Span {
  return close === ')' ? exclusiveSpan(hexOf(start), hexOf(end)) : inclusiveSpan(hexOf(start), hexOf(end));
}

// ---------------------------------------------------------------------------------------------
// MIPS and device tree

const MIPS_ROW = /^memory: ([0-9a-fA-F]+) @ ([0-9a-fA-F]+) \(([^)]*)\)/;

/** MIPS `memory: SIZE @ START (usable)`: size first, both bare hex. */
export function readMipsRow(text: string, rec: LogRecord): FirmwareEvent | undefined {
  const m = MIPS_ROW.exec(text);
  if (!m) return undefined;
  const base = hexOf(m[2]!);
  return firmwareEvent('mips', 'mips', { base, size: hexOf(m[1]!) }, m[3]!.trim(), rec);
}

const FDT_IGNORED = /^OF: fdt: Ignoring memory (?:block|range) (0x[0-9a-fA-F]+) - (0x[0-9a-fA-F]+)/;

/** `OF: fdt: Ignoring memory block|range a - b` (exclusive): DT memory the kernel drops; type 'ignored'. */
export function readFdtIgnored(text: string, rec: LogRecord): FirmwareEvent | undefined {
  const m = FDT_IGNORED.exec(text);
  if (!m) return undefined;
  return firmwareEvent('dt', 'fdt', exclusiveSpan(hexOf(m[1]!), hexOf(m[2]!)), 'ignored', rec);
}
