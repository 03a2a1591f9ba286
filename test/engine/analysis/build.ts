// Hand-built boots for the analysis tests: each helper makes one event as the parser would, with
// consecutive line numbers so findings can be asserted by line.

import type { Addr, Boot, MemoryEvent, Owner, Region } from '../../../src/engine/types';
import { MAX_NUMNODES } from '../../../src/engine/types';
import type { Reservation } from '../../../src/engine/replay/replay';

export const KiB = 1024n;
export const MiB = 1024n * 1024n;

type Without<T> = T extends unknown ? Omit<T, 'line' | 'endLine'> : never;

/** A boot whose events get lines 1, 2, 3... in order (the first line is `Linux version`). */
export function bootOf(events: Without<MemoryEvent>[], options: Partial<Boot> = {}): Boot {
  const numbered = events.map((e, i) => ({ ...e, line: i + 2, endLine: i + 2 }) as MemoryEvent);
  return {
    index: 0,
    startLine: 1,
    endLine: numbered.length + 1,
    kernelVersion: '6.1.0',
    arch: 'x86_64',
    events: numbered,
    unread: [],
    unreadCount: 0,
    truncatedStart: false,
    ...options,
  };
}

export const add = (base: Addr, size: Addr): Without<MemoryEvent> => ({ kind: 'add', api: 'memblock_add', base, size, caller: 'e820__memblock_setup+0x65/0x7d' });

export const reserve = (base: Addr, size: Addr, caller?: string, extra: object = {}): Without<MemoryEvent> => ({
  kind: 'reserve',
  api: 'memblock_reserve',
  base,
  size,
  caller,
  ...extra,
});

/** An allocation request line followed by the kernel's reserve line for it. */
export function alloc(size: Addr, at: Addr, caller: string, extra: { align?: Addr; nid?: number | null; exactNid?: boolean; from?: Addr; maxAddr?: Addr; api?: string } = {}): Without<MemoryEvent>[] {
  return [request(size, caller, extra), reserve(at, size, 'memblock_alloc_range_nid+0xb0/0x13d')];
}

export function request(size: Addr, caller: string, extra: { align?: Addr; nid?: number | null; exactNid?: boolean; from?: Addr; maxAddr?: Addr; api?: string } = {}): Without<MemoryEvent> {
  return {
    kind: 'alloc',
    api: extra.api ?? 'memblock_alloc_try_nid',
    size,
    align: extra.align ?? 0x1000n,
    nid: extra.nid === undefined ? -1 : extra.nid,
    exactNid: extra.exactNid ?? false,
    from: extra.from ?? 0n,
    maxAddr: extra.maxAddr ?? 0n,
    caller,
  };
}

export const free = (base: Addr, size: Addr, caller = 'some_fn+0x1/0x2'): Without<MemoryEvent> => ({ kind: 'free', api: 'memblock_phys_free', base, size, caller });

export const region = (base: Addr, size: Addr, nid = MAX_NUMNODES, flags = 0): Region => ({ base, size, nid, flags });

export const dump = (memory: Region[], reserved: Region[]): Without<MemoryEvent> => ({
  kind: 'checkpoint',
  source: 'dump',
  memory,
  reserved,
  hasNid: false,
  hasFlags: true,
  complete: true,
});

export const hint = (owner: Owner, base: Addr, size: Addr, label?: string): Without<MemoryEvent> => ({ kind: 'owner-hint', owner, base, size, label });

export const accounting = (totalKiB: number, reservedKiB: number, extra: object = {}): Without<MemoryEvent> => ({
  kind: 'accounting',
  availableKiB: totalKiB - reservedKiB,
  totalKiB,
  reservedKiB,
  cmaReservedKiB: 0,
  truncated: false,
  ...extra,
});

/** A reservation record as the replay makes them, for classifying without a replay. */
export function reservation(base: Addr, size: Addr, fields: Partial<Reservation> = {}): Reservation {
  return {
    id: 0,
    origin: 'reserve',
    eventIndex: -1,
    line: 1,
    base,
    size,
    claimed: size,
    frees: [],
    lateFrees: [],
    freedBytes: 0n,
    ...fields,
  };
}
