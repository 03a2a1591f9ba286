// x86 early_res (kernel/early_res.c as of 2.6.35, find_e820_area from arch/x86/kernel/e820.c) and
// its NO_BOOTMEM allocation path, checked by hand and against the early_res tables of two real logs.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EarlyRes } from '../../../src/engine/allocators/early-res';
import { parseText } from '../../../src/engine/parse/index';
import type { EarlyResEvent } from '../../../src/engine/types';
import { M, PAGE, block, req } from './helpers';

const REAL = path.resolve(__dirname, '../../fixtures/corpus/real');
const i386 = parseText(readFileSync(path.join(REAL, 'i386-pentium3-2.6.35-early_res-subtract-nobootmem-forumjunk-crlf.log'), 'utf8')).boots[0];
const athlon = parseText(readFileSync(path.join(REAL, 'x86_64-athlon64-2.6.32-early_res-bootmem-node-ubuntuforums.log'), 'utf8')).boots[0];
const rows = (boot: typeof i386) => boot.events.filter((e): e is EarlyResEvent => e.kind === 'early-res' && e.table !== 'doubled');

// The i386 log's modified e820 map: usable RAM.
const I386_RAM = [block(0, 0x1000n, 0x2000n), block(0, 0x10000n, 0x9fc00n), block(0, 0x100000n, 0x1ffd0000n)];

describe('early_res', () => {
  it('reserve_early on a range that overlaps an entry is a panic ("Overlapping early reservations"); reported, not thrown', () => {
    const er = new EarlyRes({ memory: [block(0, 0n, 64n * M)] });
    expect(er.reserve(16n * M, 1n * M, 'TEXT DATA BSS').ok).toBe(true);
    const r = er.reserve(16n * M + PAGE, PAGE, 'RAMDISK');
    expect(r.ok).toBe(false);
    expect(r.note).toMatch(/Overlapping early reservations 1001000-1001fff RAMDISK to 1000000-10fffff TEXT DATA BSS/);
  });

  it('find_early_area starts at round_up(start, align) and steps past every entry in the way (bottom-up first fit)', () => {
    const er = new EarlyRes({ memory: [block(0, 0n, 64n * M)] });
    er.reserve(0x1000n, 0x1000n, 'A');
    er.reserve(0x2100n, 0x100n, 'B');
    expect(er.findE820Area(0x1000n, 64n * M, 0x100n, 0x100n)).toBe(0x2000n); // fits below B
    expect(er.findE820Area(0x1000n, 64n * M, 0x200n, 0x100n)).toBe(0x2200n); // 0x2000 hits B: round_up(B end, 0x100)
    expect(er.findE820Area(0x1000n, 64n * M, 0x1000n, 0x1000n)).toBe(0x3000n);
  });

  it('2.6.35 free_early needs one whole entry; free_early_partial keeps the head of a split entry in its slot and appends the tail at the end of the table', () => {
    const er = new EarlyRes({ memory: [block(0, 0n, 64n * M)] });
    er.reserve(0x10000n, 0x4000n, 'X');
    er.reserve(0x20000n, 0x1000n, 'Y');
    expect(er.free(0x11000n, 0x1000n).note).toMatch(/free_early_partial/);
    expect(er.entries.map((e) => [e.start, e.end, e.name])).toEqual([[0x10000n, 0x11000n, 'X'], [0x20000n, 0x21000n, 'Y'], [0x12000n, 0x14000n, 'X']]);
    expect(er.free(0x30000n, 0x1000n)).toMatchObject({ ok: false });
    expect(er.free(0x10000n, 0x1000n)).toEqual({ ok: true });
  });

  it('2.6.35 free_early takes the first overlapping entry in table order: when that one is not the exact range, free_early_partial trims it, and since it covers the whole range the walk ends there: the later exact entry stays', () => {
    const er = new EarlyRes({ memory: [block(0, 0n, 64n * M)] });
    // as a printed table can hold them: an entry and a later one inside it
    er.record(0x10000n, 0x4000n, 'A');
    er.record(0x11000n, 0x1000n, 'B');
    expect(er.free(0x11000n, 0x1000n).note).toMatch(/free_early_partial/);
    expect(er.entries.map((e) => [e.start, e.end, e.name])).toEqual([[0x10000n, 0x11000n, 'A'], [0x11000n, 0x12000n, 'B'], [0x12000n, 0x14000n, 'A']]);
  });

  it('2.6.35 reserve_early: overlap_ok entries in the way lose the overlapped part (their other parts come back at the end of the table), without a panic', () => {
    const er = new EarlyRes({ memory: [block(0, 0n, 64n * M)] });
    er.reserveOverlapOk(0x1000n, 0x3000n, 'OK');
    expect(er.reserve(0x2000n, 0x1000n, 'X')).toEqual({ ok: true });
    expect(er.entries.map((e) => [e.start, e.end, e.name, e.overlapOk ?? false])).toEqual([
      [0x1000n, 0x2000n, 'OK', true],
      [0x3000n, 0x4000n, 'OK', true],
      [0x2000n, 0x3000n, 'X', false],
    ]);
  });

  it('2.6.35 reserve_early_overlap_ok only lets later reservations overlap it: overlapping an ordinary entry still panics', () => {
    const er = new EarlyRes({ memory: [block(0, 0n, 64n * M)] });
    er.reserve(0x1000n, 0x1000n, 'A');
    const r = er.reserveOverlapOk(0x1800n, 0x1000n, 'B');
    expect(r.ok).toBe(false);
    expect(r.note).toMatch(/Overlapping early reservations 1800-27ff B to 1000-1fff A/);
  });

  it('NO_BOOTMEM: the BOOTMEM entries #9–#26 of the i386 2.6.35 Subtract table come out of find_early_area with goal 16 MiB, align 64', () => {
    const er = new EarlyRes({ memory: I386_RAM });
    const table = rows(i386);
    const fixed = table.filter((r) => r.name !== 'BOOTMEM');
    for (const r of fixed) er.reserve(r.base, r.size, r.name);
    const boots = table.filter((r) => r.name === 'BOOTMEM' && r.index! >= 9 && r.index! <= 26);
    expect(boots).toHaveLength(18);
    for (const r of boots) {
      const align = r.size % PAGE === 0n ? PAGE : 64n;
      const p = er.alloc(req(r.size, { align, goal: 16n * M }));
      expect(p?.base, `#${r.index}`).toBe(r.base);
    }
    expect(er.entries.at(-1)?.name).toBe('BOOTMEM');
  });

  it('2.6.34–2.6.36 __alloc_memory_core_early (inferred from its 2.6.37 successor): the active ranges are searched in address order, so a block without a goal lands in the lowest range', () => {
    const er = new EarlyRes({ memory: [block(0, 0n, 16n * M), block(0, 32n * M, 64n * M)] });
    expect(er.alloc(req(PAGE, { align: PAGE }))?.base).toBe(0n);
    er.reserve(0n, 16n * M, 'FULL');
    expect(er.alloc(req(PAGE, { align: PAGE }))?.base).toBe(32n * M);
  });

  it('2.6.35 __check_and_double_early_res: the 32-entry array is doubled when at most max(32/8, 2) = 4 slots are left, i.e. before the 29th entry; 64 × 32 bytes at the lowest 32-byte-aligned hole below the new entry: 0x16000 on the i386 machine', () => {
    const er = new EarlyRes({ memory: I386_RAM });
    for (const r of rows(i386).slice(0, 8)) er.reserve(r.base, r.size, r.name);
    let addr = 0x1000000n;
    while (er.entries.length < 28) {
      er.reserve(addr, 0x40n, 'BOOTMEM');
      addr += 0x40n;
    }
    expect(er.overhead()).toEqual([]);
    er.reserve(addr, 0x40n, 'BOOTMEM');
    const logged = i386.events.find((e): e is EarlyResEvent => e.kind === 'early-res' && e.table === 'doubled')!;
    expect(er.overhead()).toEqual([{ base: logged.base, size: logged.size, label: 'early_res array doubled to 64' }]);
    expect(er.maxEntries).toBe(64);
    expect(er.entries[0]).toMatchObject({ start: 0x16000n, end: 0x16800n, array: true });
    expect(er.entries).toHaveLength(30);
  });

  it('2.6.35 __check_and_double_early_res: the array needs 32-byte alignment only, and goes above the new entry when nothing below it has room', () => {
    const er = new EarlyRes({ memory: [block(0, 0n, 1n * M)] });
    er.reserve(0n, 0x1010n, 'LOW');
    for (let k = 0n; er.entries.length < 28; k++) er.reserve(0x80000n + k * 0x100n, 0x100n, 'E');
    er.reserve(0x90000n, 0x100n, 'NEXT');
    expect(er.entries[0]).toMatchObject({ start: 0x1020n, end: 0x1820n, array: true });
    // a fresh table whose only free memory below the entry is too small: above the entry
    const up = new EarlyRes({ memory: [block(0, 0n, 1n * M)] });
    up.reserve(0n, 0x80000n, 'LOW');
    for (let k = 0n; up.entries.length < 28; k++) up.reserve(0x80000n + k * 0x100n, 0x100n, 'E'); // up to 0x81b00
    up.reserve(0x81b00n, 0x100n, 'NEXT'); // [0, 0x81b00) is full: the array goes above NEXT
    expect(up.entries[0]).toMatchObject({ start: 0x81c00n, end: 0x82400n, array: true });
  });

  it('2.6.35 __check_and_double_early_res: a second doubling looks above the current array, makes the new array entry #0 and drops the old one, whose memory is free again', () => {
    const er = new EarlyRes({ memory: [block(0, 0n, 1n * M)] });
    for (let k = 0n; !er.overhead().some((o) => o.label.endsWith('128')); k++) er.reserve(0x80000n + k * 0x100n, 0x100n, 'E');
    expect(er.entries[0]).toMatchObject({ start: 0x800n, end: 0x1800n, array: true });
    expect(er.entries.filter((e) => e.array)).toHaveLength(1);
    expect(er.findE820Area(0n, 1n * M, 0x800n, 32n)).toBe(0n);
  });

  it('the i386 2.6.35 doubling happened at the percpu chunk: #1–#26, the two one-page pcpu temporaries (28 entries), then the 4 MiB chunk, aligned to 4 MiB, at 0x1800000; the array went to 0x16000 as logged', () => {
    const er = new EarlyRes({ memory: I386_RAM });
    const table = rows(i386);
    for (const r of table.filter((r) => r.name !== 'BOOTMEM')) er.reserve(r.base, r.size, r.name);
    for (const r of table.filter((r) => r.name === 'BOOTMEM' && r.index! <= 26)) er.alloc(req(r.size, { align: r.size % PAGE === 0n ? PAGE : 64n, goal: 16n * M }));
    expect(er.alloc(req(PAGE, { align: 64n, goal: 16n * M }))?.base).toBe(0x1402dc0n);
    expect(er.alloc(req(PAGE, { align: 64n, goal: 16n * M }))?.base).toBe(0x1403dc0n);
    expect(er.entries).toHaveLength(28);
    expect(er.overhead()).toEqual([]);
    expect(er.alloc(req(4n * M, { align: 4n * M, goal: 16n * M }))?.base).toBe(0x1800000n);
    expect(er.overhead()).toEqual([{ base: 0x16000n, size: 0x800n, label: 'early_res array doubled to 64' }]);
    // the chunk's unused tail given back: free_early_partial trims the entry in place
    er.free(0x180e000n, 4n * M - 0xe000n);
    expect(er.entries.at(-1)).toMatchObject({ start: 0x1800000n, end: 0x180e000n, name: 'BOOTMEM' });
  });

  it('2.6.35 early_res_to_bootmem skips entry #0 when it is the grown array itself: that memory is free in bootmem', () => {
    const er = new EarlyRes({ memory: [block(0, 0n, 1n * M)] });
    for (let k = 0n; er.entries.length < 29; k++) er.reserve(0x80000n + k * 0x100n, 0x100n, 'E');
    expect(er.entries[0]).toMatchObject({ start: 0n, array: true });
    const { bootmem, converted } = er.toBootmem('2008');
    expect(converted.some((c) => c.entry.array)).toBe(false);
    expect(bootmem.alloc(req(PAGE, { align: PAGE }))?.base).toBe(0n);
  });

  it('early_res_to_bootmem reserves every entry in bootmem (athlon64 2.6.32 table); the next default allocation (goal 16 MiB) skips the kernel and BRK', () => {
    const ram = [block(0, 0x10000n, 0x9f800n), block(0, 0x100000n, 0x3fff0000n)];
    const er = new EarlyRes({ memory: ram });
    for (const r of rows(athlon)) er.reserve(r.base, r.size, r.name);
    const { bootmem, converted } = er.toBootmem('2008');
    expect(converted).toHaveLength(8);
    expect(bootmem.alloc(req(PAGE, { align: PAGE, goal: 16n * M }))?.base).toBe(0x1a2e000n);
  });

  it('names longer than 14 characters are cut (char name[15])', () => {
    const er = new EarlyRes({ memory: [block(0, 0n, 64n * M)] });
    er.reserve(0n, PAGE, 'A VERY LONG NAME INDEED');
    expect(er.entries[0].name).toBe('A VERY LONG NA');
  });
});
