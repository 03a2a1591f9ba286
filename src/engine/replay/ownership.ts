// Which reservation owns each reserved byte. memblock itself forgets this the moment two
// neighbouring reservations merge; to tell a leak's owner we keep our own map, with the same
// "first one wins" rule memblock applies to attributes of an already covered range.
//
// Pieces are kept sorted in chunks so that a log with hundreds of thousands of live reservations
// still costs O(sqrt n)-ish per operation instead of one big array shift.

import type { Addr } from '../types';

export interface Piece {
  base: Addr;
  end: Addr;
  owner: number;
}

const CHUNK = 512;

export class OwnershipMap {
  private chunks: Piece[][] = [];

  /**
   * Claims the parts of [base, end) nobody owns yet for `owner`. Returns the bytes claimed.
   * `overlapped`, when given, receives the pieces that already owned bytes of the range (address order).
   */
  claim(base: Addr, end: Addr, owner: number, overlapped?: Piece[]): Addr {
    if (end <= base) return 0n;
    if (this.chunks.length === 0) {
      this.chunks.push([{ base, end, owner }]);
      return end - base;
    }
    let claimed = 0n;
    let cursor = base;
    let gaps: Piece[] | undefined;
    let single: Piece | undefined;
    for (let ci = this.chunkIndex(base); ci < this.chunks.length; ci++) {
      const chunk = this.chunks[ci];
      let i = firstEndingAfter(chunk, base);
      for (; i < chunk.length; i++) {
        const piece = chunk[i];
        if (piece.base >= end) break;
        if (overlapped) overlapped.push(piece);
        if (piece.base > cursor) {
          const gap = { base: cursor, end: piece.base, owner };
          if (single === undefined) single = gap;
          else (gaps ??= [single]).push(gap);
        }
        if (piece.end > cursor) cursor = piece.end;
      }
      if (i < chunk.length) break;
    }
    if (cursor < end) {
      const gap = { base: cursor, end, owner };
      if (single === undefined) single = gap;
      else (gaps ??= [single]).push(gap);
    }
    if (gaps) {
      for (const gap of gaps) {
        this.insert(gap);
        claimed += gap.end - gap.base;
      }
    } else if (single) {
      this.insert(single);
      claimed = single.end - single.base;
    }
    return claimed;
  }

  /** Releases [base, end); returns what each owner lost, in address order. */
  release(base: Addr, end: Addr): Piece[] {
    const lost: Piece[] = [];
    if (end <= base) return lost;
    let ci = this.chunkIndex(base);
    while (ci < this.chunks.length) {
      const chunk = this.chunks[ci];
      if (chunk[0].base >= end) break;
      const first = firstEndingAfter(chunk, base);
      let last = first;
      while (last < chunk.length && chunk[last].base < end) last++;
      if (first === last) {
        ci++;
        continue;
      }
      const originalLength = chunk.length;
      const replacement: Piece[] = [];
      for (let i = first; i < last; i++) {
        const piece = chunk[i];
        const from = piece.base > base ? piece.base : base;
        const to = piece.end < end ? piece.end : end;
        lost.push({ base: from, end: to, owner: piece.owner });
        if (piece.base < from) replacement.push({ base: piece.base, end: from, owner: piece.owner });
        if (piece.end > to) replacement.push({ base: to, end: piece.end, owner: piece.owner });
      }
      chunk.splice(first, last - first, ...replacement);
      if (chunk.length === 0) {
        this.chunks.splice(ci, 1);
        continue;
      }
      // A piece past the range remained in this chunk: nothing further can overlap.
      if (last < originalLength) break;
      ci++;
    }
    return lost;
  }

  /** Pieces overlapping [base, end), in address order. */
  overlapping(base: Addr, end: Addr): Piece[] {
    const found: Piece[] = [];
    for (let ci = this.chunkIndex(base); ci < this.chunks.length; ci++) {
      const chunk = this.chunks[ci];
      for (let i = firstEndingAfter(chunk, base); i < chunk.length; i++) {
        const piece = chunk[i];
        if (piece.base >= end) return found;
        found.push(piece);
      }
    }
    return found;
  }

  *all(): Generator<Piece> {
    for (const chunk of this.chunks) yield* chunk;
  }

  clone(): OwnershipMap {
    const copy = new OwnershipMap();
    // Pieces are never mutated (release and claim replace them), so copies share them.
    copy.chunks = this.chunks.map((chunk) => chunk.slice());
    return copy;
  }

  /** First chunk whose last piece ends after `addr` (pieces never overlap, so ends are sorted too). */
  private chunkIndex(addr: Addr): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const chunk = this.chunks[mid];
      if (chunk[chunk.length - 1].end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insert(piece: Piece): void {
    if (this.chunks.length === 0) {
      this.chunks.push([piece]);
      return;
    }
    let ci = this.chunkIndex(piece.base);
    if (ci === this.chunks.length) ci--;
    const chunk = this.chunks[ci];
    let lo = 0;
    let hi = chunk.length;
    // Insert before the first piece that starts after the new one.
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (chunk[mid].base < piece.base) lo = mid + 1;
      else hi = mid;
    }
    chunk.splice(lo, 0, piece);
    if (chunk.length > CHUNK * 2) this.chunks.splice(ci, 1, chunk.slice(0, CHUNK), chunk.slice(CHUNK));
  }
}

/** Index of the first piece in a chunk whose end lies above `addr` (binary search; ends are sorted). */
function firstEndingAfter(chunk: readonly Piece[], addr: Addr): number {
  let lo = 0;
  let hi = chunk.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (chunk[mid].end <= addr) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
