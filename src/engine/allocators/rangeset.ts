// A set of integers kept as sorted, disjoint, half-open intervals. Used as a bitmap (one bit per
// page frame: a set bit is a reserved page) that costs nothing for huge, sparsely touched ranges,
// and as a byte-range set by the what-if replay.

export interface Interval {
  start: bigint;
  end: bigint;
}

export class RangeSet {
  private items: Interval[] = [];

  clone(): RangeSet {
    const copy = new RangeSet();
    copy.items = this.items.map((i) => ({ ...i }));
    return copy;
  }

  intervals(): readonly Interval[] {
    return this.items;
  }

  /** Index of the first interval ending after `x`. */
  private firstEndingAfter(x: bigint): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.items[mid].end <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Sets [start, end). Returns how many values were already set. */
  add(start: bigint, end: bigint): bigint {
    if (end <= start) return 0n;
    const already = this.count(start, end);
    let i = this.firstEndingAfter(start - 1n);
    let s = start;
    let e = end;
    let j = i;
    // Merge every interval touching or overlapping [s, e).
    while (j < this.items.length && this.items[j].start <= e) {
      if (this.items[j].start < s) s = this.items[j].start;
      if (this.items[j].end > e) e = this.items[j].end;
      j++;
    }
    this.items.splice(i, j - i, { start: s, end: e });
    return already;
  }

  /** Clears [start, end). Returns how many values were set. */
  remove(start: bigint, end: bigint): bigint {
    if (end <= start) return 0n;
    const had = this.count(start, end);
    if (had === 0n) return 0n;
    const i = this.firstEndingAfter(start);
    const replacement: Interval[] = [];
    let j = i;
    while (j < this.items.length && this.items[j].start < end) {
      const it = this.items[j];
      if (it.start < start) replacement.push({ start: it.start, end: start });
      if (it.end > end) replacement.push({ start: end, end: it.end });
      j++;
    }
    this.items.splice(i, j - i, ...replacement);
    return had;
  }

  /** How many values of [start, end) are set. */
  count(start: bigint, end: bigint): bigint {
    let total = 0n;
    for (let i = this.firstEndingAfter(start); i < this.items.length; i++) {
      const it = this.items[i];
      if (it.start >= end) break;
      const s = it.start > start ? it.start : start;
      const e = it.end < end ? it.end : end;
      if (e > s) total += e - s;
    }
    return total;
  }

  has(x: bigint): boolean {
    const i = this.firstEndingAfter(x);
    return i < this.items.length && this.items[i].start <= x;
  }

  /** The first set value in [start, end), or null. */
  firstSetIn(start: bigint, end: bigint): bigint | null {
    const i = this.firstEndingAfter(start);
    if (i >= this.items.length) return null;
    const it = this.items[i];
    const first = it.start > start ? it.start : start;
    return first < end ? first : null;
  }

  /** The first clear value >= start (always exists: the set is finite). */
  nextClear(start: bigint): bigint {
    const i = this.firstEndingAfter(start);
    if (i < this.items.length && this.items[i].start <= start) return this.items[i].end;
    return start;
  }

  /** Intervals overlapping [start, end), clipped to it. */
  overlapping(start: bigint, end: bigint): Interval[] {
    const out: Interval[] = [];
    for (let i = this.firstEndingAfter(start); i < this.items.length; i++) {
      const it = this.items[i];
      if (it.start >= end) break;
      out.push({ start: it.start > start ? it.start : start, end: it.end < end ? it.end : end });
    }
    return out;
  }

  /** The clear parts of [start, end). */
  gaps(start: bigint, end: bigint): Interval[] {
    const out: Interval[] = [];
    let cursor = start;
    for (const it of this.overlapping(start, end)) {
      if (it.start > cursor) out.push({ start: cursor, end: it.start });
      cursor = it.end;
    }
    if (cursor < end) out.push({ start: cursor, end });
    return out;
  }
}
