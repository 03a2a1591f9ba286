// Kernel version and architecture decide which memblock rules apply (RSRV_KERN from 6.16, the empty
// array's dummy entry before 6.11) and the constants allocations depend on (cache line, page size).

import type { Boot } from '../types';
import type { MemblockOptions } from '../model/memblock';

/** "6.1.0-56-amd64" -> [6, 1]; undefined when the boot printed no version. */
export function versionOf(boot: Pick<Boot, 'kernelVersion'>): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)/.exec(boot.kernelVersion ?? '');
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export function atLeast(version: [number, number] | undefined, major: number, minor: number): boolean {
  if (!version) return false;
  return version[0] > major || (version[0] === major && version[1] >= minor);
}

// SMP_CACHE_BYTES (the default alignment of memblock_alloc) by architecture.
const CACHE_LINE: Record<string, number> = { ppc64: 128, powerpc: 128, s390: 256, ia64: 128, arm: 64 };
// PAGE_SIZE where distributions commonly build with something other than 4 KiB.
const PAGE_SIZE: Record<string, number> = { ppc64: 65536, ia64: 65536 };

export function modelOptionsFor(boot: Pick<Boot, 'kernelVersion' | 'arch' | 'events'>): Partial<MemblockOptions> {
  const version = versionOf(boot);
  const arch = boot.arch ?? '';
  // With no version line, the printed reserve format tells the era: __memblock_reserve is 6.16+.
  const newest = version ? atLeast(version, 6, 16) : boot.events.some((e) => e.kind === 'reserve' && e.api === '__memblock_reserve');
  return {
    rsrvKern: newest,
    emptyDummy: version ? !atLeast(version, 6, 11) : !newest,
    smpCacheBytes: BigInt(CACHE_LINE[arch] ?? 64),
    pageSize: BigInt(PAGE_SIZE[arch] ?? 4096),
    numa: true,
  };
}
