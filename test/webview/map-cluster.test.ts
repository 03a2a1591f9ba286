// The map's level of detail: reservations too narrow to draw become one cluster mark whose
// tooltip says how many there are and whose bytes they hold.
import { describe, expect, it } from 'vitest';
import { clusterInfo, describe as describeItem, type HitInfo } from '../../webview/map';

const res = (base: bigint, size: bigint, owner?: string): HitInfo => ({ kind: 'reserved', base, size, owner });

describe('clusters of small reservations', () => {
  it('span the first base to the last end and rank owners by bytes', () => {
    const info = clusterInfo([res(0x1000n, 0x40n, 'memmap'), res(0x2000n, 0x1000n, 'percpu'), res(0x1800n, 0x100n, 'memmap'), res(0x4000n, 0x80n)]);
    expect(info).toMatchObject({ kind: 'cluster', base: 0x1000n, size: 0x3080n, count: 4 });
    expect(info.owners).toEqual([
      { owner: 'percpu', bytes: 0x1000n },
      { owner: 'memmap', bytes: 0x140n },
      { owner: 'reserved', bytes: 0x80n },
    ]);
  });

  it('describe a cluster by count and owners, never more than four by name', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f'].map((o, k) => res(BigInt(k) * 0x1000n, BigInt(6 - k) * 0x100n, o));
    const lines = describeItem(clusterInfo(items));
    expect(lines[0]).toBe('6 reservations too small to draw at this zoom (click to zoom in)');
    expect(lines[1]).toBe('a 1.5 KiB · b 1.25 KiB · c 1 KiB · d 768 bytes · 2 more owners');
    expect(lines[2]).toBe("[0x0000000000000000-0x00000000000050ff]");
  });
});
