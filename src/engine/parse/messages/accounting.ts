// End-of-boot accounting and other single-line facts (printk-formats.md §7): `Memory:` totals,
// `Freeing … memory`, the per-CPU first chunk, dropped-message markers, failures, settings.

import type { AccountingEvent, DroppedEvent, FailureEvent, FreeingEvent, LogRecord, PercpuEvent, SettingEvent } from '../../types';
import { hexOf } from './scan';

// ---------------------------------------------------------------------------------------------
// Memory: F/T available (...)

const MEMORY_HEAD = /^Memory: (\d+)[kK]\/(\d+)[kK] available/;
const MEMORY_ITEM = /(\d+)[kK] ([a-z][a-z -]*[a-z])/g;

type KiBField = Exclude<keyof AccountingEvent, 'kind' | 'line' | 'endLine' | 'availableKiB' | 'totalKiB' | 'truncated'>;

/** Item names of every era (`data` is the ≤3.10 name of rwdata). */
const ITEM_FIELDS: Record<string, KiBField> = {
  'kernel code': 'kernelCodeKiB',
  rwdata: 'rwdataKiB',
  data: 'rwdataKiB',
  rodata: 'rodataKiB',
  init: 'initKiB',
  bss: 'bssKiB',
  reserved: 'reservedKiB',
  'cma-reserved': 'cmaReservedKiB',
  highmem: 'highmemKiB',
  absent: 'absentKiB',
};

/**
 * `Memory: FK/TK available (…)` in all eras, including lower-case `k`, the ARM ≤3.10 form without
 * parentheses, and lines cut short by the log (the items read so far are kept, truncated = true).
 * ARM's `Memory: 384MB = 384MB total` and `efi: Memory: …mirrored` do not match.
 */
export function readMemoryLine(text: string, rec: LogRecord): AccountingEvent | undefined {
  const m = MEMORY_HEAD.exec(text);
  if (!m) return undefined;
  const event: AccountingEvent = {
    kind: 'accounting',
    availableKiB: Number(m[1]),
    totalKiB: Number(m[2]),
    truncated: false,
    line: rec.line,
    endLine: rec.endLine,
  };
  const rest = text.slice(m[0].length);
  for (const item of rest.matchAll(MEMORY_ITEM)) {
    const field = ITEM_FIELDS[item[2]!];
    if (field) event[field] = Number(item[1]);
  }
  event.truncated = isCutShort(rest);
  return event;
}

/** An opened `(` never closed, or a last item whose name was cut (`0K cma-r)`). */
function isCutShort(rest: string): boolean {
  const trimmed = rest.trimEnd();
  if (!trimmed.includes('(')) return false;
  if (!trimmed.endsWith(')')) return true;
  const inner = trimmed.slice(0, -1);
  const last = /(\d+)[kK] ([^,]*)$/.exec(inner);
  return last !== null && ITEM_FIELDS[last[2]!.trim()] === undefined;
}

// ---------------------------------------------------------------------------------------------
// Freeing … memory

const FREEING = /^Freeing (.+?)(?: memory)?: (\d+)[kK](?:[bB])?(?: freed)?(?:\s|$)/;

/** `Freeing NAME memory: NK`, `… NK (a - b)`, old `Freeing NAME: Nk freed`, MIPS `Nkb freed`. */
export function readFreeing(text: string, rec: LogRecord): FreeingEvent | undefined {
  const m = FREEING.exec(text);
  return m ? { kind: 'freeing', name: m[1]!, kib: Number(m[2]), line: rec.line, endLine: rec.endLine } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Per-CPU first chunk

const PERCPU_EMBED = /^(?:percpu|PERCPU): Embedded (\d+) pages(?:\/cpu)?\b(.*)$/;
const PERCPU_PAGE = /^(?:percpu|PERCPU): (\d+) \d+K pages\/cpu\b(.*)$/;

/** `percpu: Embedded N pages/cpu [@addr] sS rR dD uU` and the page-first-chunk form. */
export function readPercpu(text: string, rec: LogRecord): PercpuEvent | undefined {
  const m = PERCPU_EMBED.exec(text) ?? PERCPU_PAGE.exec(text);
  if (!m) return undefined;
  const event: PercpuEvent = { kind: 'percpu', pagesPerCpu: Number(m[1]), line: rec.line, endLine: rec.endLine };
  const unit = /\su(\d+)\b/.exec(m[2]!);
  if (unit) event.unitSize = Number(unit[1]);
  return event;
}

// ---------------------------------------------------------------------------------------------
// Dropped messages

const DROPPED = /^\*\* (\d+) printk messages dropped \*\*/;

export function readDropped(text: string, rec: LogRecord): DroppedEvent | undefined {
  const m = DROPPED.exec(text);
  return m ? { kind: 'dropped', count: Number(m[1]), line: rec.line, endLine: rec.endLine } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Failures

const FAILED_ALLOCATE = /Failed to allocate (0x[0-9a-fA-F]+|\d+) bytes/;
const BOOTMEM_FAILED = /^bootmem alloc of (\d+) bytes failed/;
const MIRRORED = /^Could not allocate (0x[0-9a-fA-F]+|\d+) bytes of mirrored memory/;
const CMA_FAILED = /^cma: Failed to reserve (\d+) MiB/;
const OF_FAILED = /^OF: (?:fdt: |reserved mem: )?(?:Reserved memory: )?failed to (?:allocate|reserve) memory for node '[^']*'(?:: base (0x[0-9a-fA-F]+), size (\d+) MiB|: size (\d+) MiB)?/;

/** Early allocator failures and panics; undefined for lines that are not one. */
export function readFailure(text: string, rec: LogRecord): FailureEvent | undefined {
  let m = FAILED_ALLOCATE.exec(text) ?? MIRRORED.exec(text);
  if (m) return failure(text, rec, sizeOf(m[1]!));
  m = BOOTMEM_FAILED.exec(text);
  if (m) return failure(text, rec, BigInt(m[1]!));
  m = CMA_FAILED.exec(text);
  if (m) return failure(text, rec, BigInt(m[1]!) << 20n);
  m = OF_FAILED.exec(text);
  if (m) {
    const mib = m[2] ?? m[3];
    return failure(text, rec, mib !== undefined ? BigInt(mib) << 20n : undefined);
  }
  return undefined;
}

function sizeOf(printed: string): bigint {
  return printed.startsWith('0x') ? hexOf(printed) : BigInt(printed);
}

function failure(text: string, rec: LogRecord, size: bigint | undefined): FailureEvent {
  const event: FailureEvent = { kind: 'failure', text, line: rec.line, endLine: rec.endLine };
  if (size !== undefined) event.size = size;
  return event;
}

// ---------------------------------------------------------------------------------------------
// Settings

/** `Kernel command line: …` / `Command line: …` (x86 prints both; the first is the raw boot_command_line). */
export function readCommandLine(text: string, rec: LogRecord): SettingEvent | undefined {
  let value: string | undefined;
  if (text.startsWith('Kernel command line:')) value = text.slice(20);
  else if (text.startsWith('Command line:')) value = text.slice(13);
  if (value === undefined) return undefined;
  return { kind: 'setting', name: 'cmdline', value: value.trim(), line: rec.line, endLine: rec.endLine };
}

const MEMORY_LIMITED = /^Memory limited to (\d+MB)/;

/** arm64 `mem=`: `Memory limited to NMB`; x86 `numa=off`: `NUMA turned off`. */
export function readLimitSetting(text: string, rec: LogRecord): SettingEvent | undefined {
  const m = MEMORY_LIMITED.exec(text);
  if (m) return { kind: 'setting', name: 'mem-limit', value: m[1]!, line: rec.line, endLine: rec.endLine };
  if (text.startsWith('NUMA turned off')) return { kind: 'setting', name: 'numa-off', value: 'off', line: rec.line, endLine: rec.endLine };
  return undefined;
}
