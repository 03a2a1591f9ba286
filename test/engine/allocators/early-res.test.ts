// x86 early_res (kernel/early_res.c, 2.6.34–2.6.36) and its NO_BOOTMEM allocation path, checked by
// hand and against the early_res tables of two real logs.

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

  it('free_early needs one whole entry; anything else goes through free_early_partial, and an unreserved range is reported', () => {
    const er = new EarlyRes({ memory: [block(0, 0n, 64n * M)] });
    er.reserve(0x10000n, 0x4000n, 'X');
    expect(er.free(0x11000n, 0x1000n).note).toMatch(/free_early_partial/);
    expect(er.entries.map((e) => [e.start, e.end])).toEqual([[0x10000n, 0x11000n], [0x12000n, 0x14000n]]);
    expect(er.free(0x20000n, 0x1000n)).toMatchObject({ ok: false });
    expect(er.free(0x10000n, 0x1000n)).toEqual({ ok: true });
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

  it('NO_BOOTMEM searches the active ranges from the highest down: a low goal still lands in the top range first', () => {
    const er = new EarlyRes({ memory: [block(0, 0n, 16n * M), block(0, 32n * M, 64n * M)] });
    expect(er.alloc(req(PAGE, { align: PAGE }))?.base).toBe(32n * M);
  });

  it('the 33rd entry doubles the array to 64 (32-byte entries), placed at the lowest free page: 0x16000 on the i386 machine', () => {
    const er = new EarlyRes({ memory: I386_RAM });
    for (const r of rows(i386).slice(0, 8)) er.reserve(r.base, r.size, r.name);
    let addr = 0x1000000n;
    while (er.entries.length < 32) {
      er.reserve(addr, 0x40n, 'BOOTMEM');
      addr += 0x40n;
    }
    expect(er.overhead()).toEqual([]);
    er.reserve(addr, 0x40n, 'BOOTMEM');
    const logged = i386.events.find((e): e is EarlyResEvent => e.kind === 'early-res' && e.table === 'doubled')!;
    expect(er.overhead()).toEqual([{ base: logged.base, size: logged.size, label: 'early_res array doubled to 64' }]);
    expect(er.maxEntries).toBe(64);
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
