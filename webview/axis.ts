// The map's address axis: physical address space from 4 KiB to terabytes on one line.
//
// Holes between known ranges (node blocks, firmware entries) are collapsed to a fixed-width gap
// marker. Each remaining segment gets a width that grows with the logarithm of its size (so 640 KiB of
// low memory and 1 TiB of RAM are both visible) and is linear inside. Positions are fractions 0..1 of
// the whole axis; the map's zoom is a window [start, end] on that fraction line.

export interface AxisSegment {
  base: bigint;
  /** Exclusive end. */
  end: bigint;
  x0: number;
  x1: number;
}

export interface AxisGap {
  /** The hole [base, end) that was collapsed. */
  base: bigint;
  end: bigint;
  x0: number;
  x1: number;
}

export interface Range {
  base: bigint;
  size: bigint;
}

const PAGE = 4096n;
/** Fraction of the axis each collapsed hole takes. */
const GAP_WEIGHT_SHARE = 0.03;

function log2big(v: bigint): number {
  // log2 of a bigint without losing range: bit length + fraction of the top bits.
  if (v <= 0n) return 0;
  const bits = v.toString(2).length;
  if (bits <= 52) return Math.log2(Number(v));
  const top = Number(v >> BigInt(bits - 52));
  return Math.log2(top) + (bits - 52);
}

function weightOf(size: bigint, ram: boolean): number {
  const pages = size > PAGE ? size / PAGE : 1n;
  const w = log2big(pages) + 1;
  return w * w * (ram ? 1 : 0.4);
}

export class Axis {
  readonly segments: AxisSegment[] = [];
  readonly gaps: AxisGap[] = [];

  /**
   * @param ranges everything that should get room on the axis
   * @param splits addresses where a merged range is cut into separately weighted segments (node
   *   boundaries), so a small node next to a big one still gets a readable width
   * @param isRam whether a segment is RAM (weighted higher than firmware-only ranges)
   */
  constructor(ranges: readonly Range[], splits: readonly bigint[] = [], isRam: (base: bigint, end: bigint) => boolean = () => true) {
    const sorted = ranges.filter((r) => r.size > 0n).map((r) => ({ base: r.base, end: r.base + r.size })).sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
    const merged: { base: bigint; end: bigint }[] = [];
    for (const r of sorted) {
      const last = merged[merged.length - 1];
      if (last && r.base <= last.end) {
        if (r.end > last.end) last.end = r.end;
      } else merged.push({ ...r });
    }
    if (merged.length === 0) merged.push({ base: 0n, end: 1n << 30n });
    const cuts = [...new Set(splits.map((s) => s.toString()))].map((s) => BigInt(s)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const pieces: { base: bigint; end: bigint; gapBefore: boolean }[] = [];
    merged.forEach((m, i) => {
      let start = m.base;
      let first = true;
      for (const c of cuts) {
        if (c > start && c < m.end) {
          pieces.push({ base: start, end: c, gapBefore: first && i > 0 });
          first = false;
          start = c;
        }
      }
      pieces.push({ base: start, end: m.end, gapBefore: first && i > 0 });
    });
    // A gap before the first range too, when it does not start at 0: the reader sees memory is not at 0.
    const leadingGap = merged[0].base > 0n;
    const weights = pieces.map((p) => weightOf(p.end - p.base, isRam(p.base, p.end)));
    const total = weights.reduce((a, b) => a + b, 0);
    const gapCount = pieces.filter((p) => p.gapBefore).length + (leadingGap ? 1 : 0);
    const gapShare = Math.min(0.2, GAP_WEIGHT_SHARE * gapCount);
    const gapWidth = gapCount > 0 ? gapShare / gapCount : 0;
    const segShare = 1 - gapShare;
    let x = 0;
    if (leadingGap) {
      this.gaps.push({ base: 0n, end: merged[0].base, x0: 0, x1: gapWidth });
      x = gapWidth;
    }
    pieces.forEach((p, i) => {
      if (p.gapBefore) {
        const prev = pieces[i - 1];
        this.gaps.push({ base: prev.end, end: p.base, x0: x, x1: x + gapWidth });
        x += gapWidth;
      }
      const w = (weights[i] / total) * segShare;
      this.segments.push({ base: p.base, end: p.end, x0: x, x1: x + w });
      x += w;
    });
    // Rounding: pin the last edge to 1.
    const last = this.segments[this.segments.length - 1];
    if (last) last.x1 = 1;
  }

  /** True when [base, base+size) lies inside the axis' segments (nothing would be drawn in a gap). */
  covers(base: bigint, size: bigint): boolean {
    const end = base + (size > 0n ? size : 1n);
    return this.segments.some((s) => base >= s.base && end <= s.end) || this.spans(base, end);
  }

  private spans(base: bigint, end: bigint): boolean {
    // Covered by consecutive segments without a gap in between.
    let at = base;
    for (const s of this.segments) {
      if (s.end <= at) continue;
      if (s.base > at) return false;
      at = s.end;
      if (at >= end) return true;
    }
    return false;
  }

  private segmentIndex(addr: bigint): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid].base <= addr) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Axis fraction of an address. Addresses in a hole map to the hole marker's edge. */
  toX(addr: bigint): number {
    const segs = this.segments;
    if (segs.length === 0) return 0;
    if (addr <= segs[0].base) {
      if (this.gaps.length > 0 && this.gaps[0].end === segs[0].base && addr < segs[0].base) return this.gaps[0].x0 + (this.gaps[0].x1 - this.gaps[0].x0) * 0.5;
      return segs[0].x0;
    }
    const i = this.segmentIndex(addr);
    const s = segs[i];
    if (addr >= s.end) {
      // In the hole after s (or beyond the last segment).
      const next = segs[i + 1];
      if (!next) return s.x1;
      return s.x1 + (next.x0 - s.x1) * 0.5;
    }
    const span = s.end - s.base;
    const off = addr - s.base;
    // Fraction with 2^-40 resolution, enough for 4 KiB inside a few PiB.
    const frac = Number((off << 40n) / span) / 2 ** 40;
    return s.x0 + (s.x1 - s.x0) * frac;
  }

  /** [x0, x1] of a range (x1 ≥ x0). */
  rangeX(base: bigint, size: bigint): [number, number] {
    return [this.toX(base), this.toX(base + size)];
  }

  /** The address at an axis fraction, or the gap under it. */
  at(x: number): { addr: bigint } | { gap: AxisGap } | undefined {
    for (const g of this.gaps) if (x >= g.x0 && x < g.x1) return { gap: g };
    for (const s of this.segments) {
      if (x >= s.x0 && x <= s.x1) {
        const frac = s.x1 > s.x0 ? (x - s.x0) / (s.x1 - s.x0) : 0;
        const span = s.end - s.base;
        return { addr: s.base + (span * BigInt(Math.floor(frac * 2 ** 40))) / 2n ** 40n };
      }
    }
    return undefined;
  }

  /** Bytes per axis unit in the segment at x (for choosing tick steps). */
  bytesPerUnitAt(x: number): number {
    const s = this.segments.find((g) => x >= g.x0 && x <= g.x1) ?? this.segments[0];
    if (!s || s.x1 <= s.x0) return 1;
    return Number(s.end - s.base) / (s.x1 - s.x0);
  }
}
