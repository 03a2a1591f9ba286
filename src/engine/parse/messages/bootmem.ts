// The allocators before memblock (printk-formats.md §3–4): bootmem_debug lines and the x86
// early_res tables. Parsed into events only; a later issue models them.

import type { BootmemEvent, EarlyResEvent, LogRecord } from '../../types';
import { exclusiveSpan, hexOf, inclusiveSpan, type Span } from './scan';

// ---------------------------------------------------------------------------------------------
// bootmem::fn k=v …

const FIELD = /(\w+)=(\S+)/g;

/**
 * `bootmem::<function> k=v … [N pages] …`: values stay as printed (PFNs and byte values are both
 * bare hex, see the spec's unit table); `[N pages]` becomes `pages`, any other words `text`.
 */
export function readBootmem(text: string, rec: LogRecord): BootmemEvent | undefined {
  const space = text.indexOf(' ');
  const fn = text.slice(9, space < 0 ? text.length : space);
  if (fn.length === 0) return undefined;
  const rest = space < 0 ? '' : text.slice(space + 1);
  const fields: Record<string, string> = {};
  for (const m of rest.matchAll(FIELD)) fields[m[1]!] = m[2]!;
  const pages = /\[(\d+) pages\]/.exec(rest);
  if (pages) fields.pages = pages[1]!;
  const words = rest.replace(FIELD, '').replace(/\[\d+ pages\]/, '').trim();
  if (words.length > 0) fields.text = words;
  return { kind: 'bootmem', fn, fields, line: rec.line, endLine: rec.endLine };
}

// ---------------------------------------------------------------------------------------------
// early_res

function earlyRes(span: Span, name: string, table: EarlyResEvent['table'], rec: LogRecord, index?: number): EarlyResEvent {
  const event: EarlyResEvent = { kind: 'early-res', base: span.base, size: span.size, name, table, line: rec.line, endLine: rec.endLine };
  if (index !== undefined) event.index = index;
  if (span.inverted) {
    event.inverted = true;
    event.rawEnd = span.rawEnd;
  }
  return event;
}

const TABLE_ROW = /^#(\d+) \[([0-9a-fA-F]+) - ([0-9a-fA-F]+)\]\s+(.*?)(?:\s+==>\s+\[[0-9a-fA-F]+ - [0-9a-fA-F]+\])?\s*$/;

/**
 * `#I [H10 - H10] NAME[ ==> [H10 - H10]]` (exclusive): rows of the `==> bootmem` handover table
 * (2.6.27–2.6.36) or of the NO_BOOTMEM `Subtract` table (2.6.34–2.6.36); the clipped part after
 * `==>` is the same entry cut to the node and is not kept.
 */
export function readEarlyResRow(text: string, rec: LogRecord, table: 'bootmem' | 'subtract'): EarlyResEvent | undefined {
  const m = TABLE_ROW.exec(text);
  if (!m) return undefined;
  return earlyRes(exclusiveSpan(hexOf(m[2]!), hexOf(m[3]!)), m[4]!, table, rec, Number(m[1]));
}

const SUBTRACT_PLAIN_ROW = /^\[([0-9a-fA-F]{6,16})\s*-\s*([0-9a-fA-F]{6,16})\]\s*$/;

/** 2.6.37–3.2 `Subtract` rows: `[H10-H10]` (inclusive, no name). */
export function readSubtractPlainRow(text: string, rec: LogRecord): EarlyResEvent | undefined {
  const m = SUBTRACT_PLAIN_ROW.exec(text);
  return m ? earlyRes(inclusiveSpan(hexOf(m[1]!), hexOf(m[2]!)), '', 'subtract', rec) : undefined;
}

const EARLY_RES_2626 = /^early res: (\d+) \[([0-9a-fA-F]+)-([0-9a-fA-F]+)\] (.*)$/;
const EARLY_RES_DOUBLED = /^early_res array is doubled to (\d+) at \[([0-9a-fA-F]+) - ([0-9a-fA-F]+)\]/;

/** 2.6.26 `early res: D [h-h] NAME` and `early_res array is doubled to N at [h - h]` (both inclusive). */
export function readEarlyResNotice(text: string, rec: LogRecord): EarlyResEvent | undefined {
  let m = EARLY_RES_2626.exec(text);
  if (m) return earlyRes(inclusiveSpan(hexOf(m[2]!), hexOf(m[3]!)), m[4]!.trim(), 'early-res', rec, Number(m[1]));
  m = EARLY_RES_DOUBLED.exec(text);
  if (m) return earlyRes(inclusiveSpan(hexOf(m[2]!), hexOf(m[3]!)), 'early_res array', 'doubled', rec);
  return undefined;
}

/** `(N early reservations) ==> bootmem [a - b]` / `(N/MAX early reservations) …` / `Subtract (N early reservations)`. */
export function earlyResHeader(text: string): 'bootmem' | 'subtract' | undefined {
  if (text.startsWith('Subtract (') && text.includes('early reservations)')) return 'subtract';
  if (text.startsWith('(') && text.includes('early reservations) ==> bootmem')) return 'bootmem';
  return undefined;
}
