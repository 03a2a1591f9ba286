// Comparing the reconstruction with a printed checkpoint, and adopting a checkpoint's state.

import type { Memblock } from '../model/memblock';
import type { CheckpointEvent, Region } from '../types';
import { MAX_NUMNODES } from '../types';

export interface RegionDiff {
  array: 'memory' | 'reserved';
  /** missing: the kernel has it, we do not; extra: we have it, the kernel does not; different: same base, other size/nid/flags. */
  kind: 'missing' | 'extra' | 'different';
  expected?: Region;
  actual?: Region;
}

/** A nid the dump would print (`on node N`), or null. */
export function printedNid(nid: number): number | null {
  return nid >= 0 && nid < MAX_NUMNODES ? nid : null;
}

export function compareArrays(model: Memblock, checkpoint: CheckpointEvent): RegionDiff[] {
  const diffs: RegionDiff[] = [];
  if (checkpoint.memory) diffs.push(...compareOne('memory', liveRegions(model, 'memory'), checkpoint.memory, checkpoint));
  if (checkpoint.reserved) diffs.push(...compareOne('reserved', liveRegions(model, 'reserved'), checkpoint.reserved, checkpoint));
  return diffs;
}

/** The model's regions of one array, without the zero-size dummy slot of an empty array. */
export function liveRegions(model: Memblock, array: 'memory' | 'reserved'): Region[] {
  return model[array].regions.filter((r) => r.size > 0n);
}

function compareOne(
  array: 'memory' | 'reserved',
  actual: readonly Region[],
  printed: readonly Region[],
  checkpoint: CheckpointEvent,
): RegionDiff[] {
  const diffs: RegionDiff[] = [];
  const byBase = new Map<bigint, Region>();
  for (const region of actual) byBase.set(region.base, region);
  const seen = new Set<bigint>();
  for (const expected of printed) {
    if (expected.size === 0n) continue;
    const region = byBase.get(expected.base);
    if (!region) {
      diffs.push({ array, kind: 'missing', expected });
      continue;
    }
    seen.add(region.base);
    const sameNid = !checkpoint.hasNid || printedNid(region.nid) === printedNid(expected.nid);
    const sameFlags = !checkpoint.hasFlags || region.flags === expected.flags;
    if (region.size !== expected.size || !sameNid || !sameFlags) diffs.push({ array, kind: 'different', expected, actual: region });
  }
  for (const region of actual) if (!seen.has(region.base)) diffs.push({ array, kind: 'extra', actual: region });
  return diffs;
}

/** Replaces one array of the model with the printed regions (keeping the model's capacity when it suffices). */
export function loadArray(model: Memblock, array: 'memory' | 'reserved', printed: readonly Region[], hasNid: boolean, hasFlags: boolean): void {
  const previous = new Map<bigint, Region>();
  for (const region of liveRegions(model, array)) previous.set(region.base, region);
  const regions = printed
    .filter((r) => r.size > 0n)
    .map((r) => {
      const old = previous.get(r.base);
      return {
        base: r.base,
        size: r.size,
        // Listings that print no nid or flags keep what the reconstruction had.
        nid: hasNid ? r.nid : (old?.nid ?? MAX_NUMNODES),
        flags: hasFlags ? r.flags : (old?.flags ?? 0),
      };
    });
  const type = model[array];
  type.regions = regions;
  type.totalSize = regions.reduce((sum, r) => sum + r.size, 0n);
  // The printed count says nothing of capacity; grow ours only as far as the regions need.
  while (type.max < regions.length) type.max *= 2;
}
