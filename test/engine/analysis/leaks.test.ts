import { describe, expect, it } from 'vitest';
import { replayBoot } from '../../../src/engine/replay/replay';
import { classifyAll, ownerContext } from '../../../src/engine/analysis/owners';
import { leakReport, reconcile, type ModelView } from '../../../src/engine/analysis/leaks';
import { Flag } from '../../../src/engine/types';
import type { Boot } from '../../../src/engine/types';
import { MiB, accounting, add, alloc, bootOf, free, hint, region, reserve } from './build';

function report(boot: Boot) {
  const replay = replayBoot(boot);
  const owners = classifyAll(replay.reservations, ownerContext(boot, replay.reservations));
  return { replay, leaks: leakReport({ boot, replay, owners }) };
}

function heldAt(leaks: ReturnType<typeof leakReport>, base: bigint) {
  const held = leaks.held.find((h) => h.base === base);
  if (!held) throw new Error(`nothing held at 0x${base.toString(16)}`);
  return held;
}

const INITRD = 0x0800_0000n;
const KERNEL = 0x0100_0000n;

function sampleBoot(extra: Parameters<typeof bootOf>[0] = []) {
  return bootOf([
    add(0x10_0000n, 255n * MiB),
    reserve(KERNEL, 16n * MiB, 'setup_arch+0x7e0/0xd4f'),
    hint('initrd', INITRD, 4n * MiB, 'RAMDISK'),
    reserve(INITRD, 4n * MiB, 'reserve_initrd+0x55/0x1a0'),
    ...alloc(0x1000n, 0x0fff_f000n, 'pcpu_build_alloc_info+0x346/0x488'),
    ...alloc(0x1000n, 0x0fff_e000n, 'acpi_parse_madt+0x10/0x20'),
    ...alloc(0x1000n, 0x0fff_d000n, 'acpi_parse_madt+0x10/0x20'),
    free(0x0fff_e000n, 0x1000n, 'acpi_parse_madt+0x40/0x80'),
    ...alloc(MiB, 0x0fe0_0000n, 'setup_log_buf+0x112/0x337'),
    ...alloc(0x100n, 0x0fdf_ff00n, 'alloc_large_system_hash+0x198/0x304', { align: 0x40n }),
    accounting(262_144, 21 * 1024 + 12),
    ...extra,
  ]);
}

describe('leakReport', () => {
  it('groups what is held at the hand-off by owner and by requester', () => {
    const { leaks } = report(sampleBoot());
    expect(leaks.handoffLine).toBeDefined();
    const byOwner = Object.fromEntries(leaks.byOwner.map((o) => [o.owner, o.bytes]));
    expect(byOwner['kernel-image']).toBe(16n * MiB);
    expect(byOwner['initrd']).toBe(4n * MiB);
    expect(byOwner['log-buffer']).toBe(MiB);
    expect(leaks.byOwner[0].owner).toBe('kernel-image'); // largest first
    const caller = leaks.byCaller.find((c) => c.caller === 'acpi_parse_madt');
    expect(caller).toMatchObject({ bytes: 0x1000n, count: 1 });
    expect(leaks.heldBytes).toBe(16n * MiB + 4n * MiB + 0x1000n + 0x1000n + MiB + 0x100n);
  });

  it('calls an initrd with no `Freeing initrd memory` line a suspect, and released-later with one', () => {
    const kept = report(sampleBoot()).leaks;
    expect(heldAt(kept, INITRD)).toMatchObject({ owner: 'initrd', disposition: 'suspect' });
    const freed = report(sampleBoot([{ kind: 'freeing', name: 'initrd', kib: 4096 }])).leaks;
    const initrd = heldAt(freed, INITRD);
    expect(initrd.disposition).toBe('released-later');
    expect(initrd.why).toContain('Freeing initrd memory');
  });

  it('counts a later free_initrd_mem line as the release', () => {
    const { leaks } = report(sampleBoot([free(INITRD, 4n * MiB, 'free_initrd_mem+0x34/0x5c')]));
    expect(heldAt(leaks, INITRD).disposition).toBe('released-later');
  });

  it('flags scratch buffers of call sites that free them, and siblings of freed reservations', () => {
    const { leaks } = report(sampleBoot());
    const scratch = heldAt(leaks, 0x0fff_f000n);
    expect(scratch).toMatchObject({ disposition: 'suspect', caller: 'pcpu_build_alloc_info' });
    const sibling = heldAt(leaks, 0x0fff_d000n);
    expect(sibling.disposition).toBe('suspect');
    expect(sibling.why).toContain('same call site');
    expect(leaks.suspects.map((s) => s.base)).toEqual(expect.arrayContaining([INITRD, 0x0fff_f000n, 0x0fff_d000n]));
  });

  it('keeps permanent and unclassified apart', () => {
    const { leaks } = report(sampleBoot());
    expect(heldAt(leaks, KERNEL).disposition).toBe('permanent');
    expect(heldAt(leaks, 0x0fe0_0000n).disposition).toBe('permanent');
    expect(heldAt(leaks, 0x0fdf_ff00n)).toMatchObject({ owner: 'other', disposition: 'unclassified', caller: 'alloc_large_system_hash' });
    expect(leaks.totals.permanent.bytes).toBe(17n * MiB);
    expect(leaks.totals.suspect.count).toBe(3);
  });

  it('takes the state at the Memory: line, not at the end of the log', () => {
    const { leaks } = report(sampleBoot([reserve(0x0900_0000n, MiB, 'late_reserver+0x1/0x2')]));
    expect(leaks.held.some((h) => h.base === 0x0900_0000n)).toBe(false);
  });

  it('reconciles with the kernel figure page for page', () => {
    const { leaks } = report(sampleBoot());
    const rec = leaks.reconciliation;
    // 16 MiB + 4 MiB + 1 MiB + two pages + one partly used page, all inside memory.
    expect(rec.keptPages).toBe(21n * MiB + 3n * 4096n);
    expect(rec.partialPages).toBe(4096n - 0x100n);
    expect(rec.kernelReserved).toBe((21n * 1024n + 12n) * 1024n);
    expect(rec.difference).toBe(0n);
  });
});

describe('reconcile', () => {
  const model = (extra: ModelView['memory']['regions'] = []): ModelView => {
    const memory = [region(0x1000n, 0x9e000n), region(0x10_0000n, 0xff0_0000n), ...extra];
    const reserved = [region(0n, 0x10_0000n), region(0x20_0000n, 0x800n), region(0xffff_f000n, 0x1000n)];
    return { memory: { regions: memory, cnt: memory.length }, reserved: { regions: reserved, cnt: reserved.length }, options: { pageSize: 4096n } };
  };

  it('counts partial pages whole and leaves reserved firmware ranges outside memory out', () => {
    const boot = bootOf([accounting(0, 636)]);
    const rec = reconcile(model(), boot, 0);
    expect(rec.reservedOutsideMemory).toBe(0x1000n + 0x62000n); // [0xfffff000] and [0x9f000-0xfffff]
    expect(rec.reservedInMemory).toBe(0x9e800n);
    expect(rec.partialPages).toBe(0x800n);
    expect(rec.expectedReserved).toBe(0x9f000n);
    expect(rec.difference).toBe(0n);
    expect(rec.explanation[0]).toContain('exactly');
  });

  it('adds NOMAP memory and subtracts CMA', () => {
    const boot = bootOf([accounting(0, 636 + 1024 - 512, { cmaReservedKiB: 512 })]);
    const rec = reconcile(model([region(0x1000_0000n, MiB, 0, Flag.NOMAP)]), boot, 0);
    expect(rec.nomapNotReserved).toBe(MiB);
    expect(rec.cmaBytes).toBe(512n * 1024n);
    expect(rec.expectedReserved).toBe(0x9f000n + MiB - 512n * 1024n);
    expect(rec.difference).toBe(0n);
  });

  it('explains a surplus on the kernel side in pages', () => {
    const boot = bootOf([accounting(0, 636 + 8)]);
    const rec = reconcile(model(), boot, 0);
    expect(rec.difference).toBe(8192n);
    expect(rec.explanation.join(' ')).toContain('2 pages');
  });

  it('compares nothing when the log has no memblock state', () => {
    const empty: ModelView = { memory: { regions: [], cnt: 0 }, reserved: { regions: [], cnt: 0 } };
    const rec = reconcile(empty, bootOf([accounting(1000, 100)]), 0);
    expect(rec.difference).toBeUndefined();
    expect(rec.explanation[0]).toContain('no memblock lines');
  });
});
