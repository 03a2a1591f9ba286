// The --layout syntax and sizes as the kernel command line writes them.
//
//   LAYOUT := NODE (';' NODE)*          NODE := NID ':' RANGE (',' RANGE)*
//   RANGE  := START '-' END             (half-open: END is the first byte after the range)
//   START, END, SIZE := number with an optional K/M/G/T suffix (binary), or 0x-hex bytes
//   e.g. "0:0-2G,4G-6G;1:2G-4G,6G-8G"
//   or   "even:N": the log's RAM cut into N nodes of (nearly) equal size, in address order.

import type { Addr } from '../types';
import type { NodeBlock } from '../topology';

export class LayoutError extends Error {}

const SUFFIX: Record<string, bigint> = { '': 1n, K: 1n << 10n, M: 1n << 20n, G: 1n << 30n, T: 1n << 40n, P: 1n << 50n, E: 1n << 60n };

/** "2G", "512M", "0x1000", "4096", "1.5G" (a fraction must come out whole bytes). */
export function parseSize(text: string): Addr {
  const t = text.trim();
  const hex = /^0x([0-9a-f]+)([KMGTPE]?)$/i.exec(t);
  if (hex) return BigInt('0x' + hex[1]) * SUFFIX[hex[2].toUpperCase()];
  const dec = /^(\d+)(?:\.(\d+))?([KMGTPE]?)(?:i?B)?$/i.exec(t);
  if (!dec) throw new LayoutError(`'${text}' is not a size (e.g. 512M, 2G, 0x80000000)`);
  const unit = SUFFIX[dec[3].toUpperCase()];
  const whole = BigInt(dec[1]) * unit;
  if (!dec[2]) return whole;
  const scale = 10n ** BigInt(dec[2].length);
  const frac = BigInt(dec[2]) * unit;
  if (frac % scale !== 0n) throw new LayoutError(`'${text}' is not a whole number of bytes`);
  return whole + frac / scale;
}

export type LayoutSpec = { kind: 'explicit'; blocks: NodeBlock[] } | { kind: 'even'; nodes: number };

export function parseLayout(text: string): LayoutSpec {
  const t = text.trim();
  const even = /^even:(\d+)$/i.exec(t);
  if (even) {
    const nodes = Number(even[1]);
    if (nodes < 1 || nodes > 1024) throw new LayoutError('even:N needs 1 <= N <= 1024');
    return { kind: 'even', nodes };
  }
  const blocks: NodeBlock[] = [];
  const seen = new Set<number>();
  for (const part of t.split(';')) {
    const node = part.trim();
    if (!node) continue;
    const m = /^(\d+)\s*:\s*(.+)$/.exec(node);
    if (!m) throw new LayoutError(`'${node}' is not NID:START-END[,START-END...]`);
    const nid = Number(m[1]);
    if (seen.has(nid)) throw new LayoutError(`node ${nid} is listed twice`);
    seen.add(nid);
    for (const range of m[2].split(',')) {
      const r = /^\s*([^-\s]+)\s*-\s*([^-\s]+)\s*$/.exec(range);
      if (!r) throw new LayoutError(`'${range.trim()}' is not START-END`);
      const base = parseSize(r[1]);
      const end = parseSize(r[2]);
      if (end <= base) throw new LayoutError(`'${range.trim()}': END must be above START`);
      blocks.push({ nid, base, size: end - base });
    }
  }
  if (blocks.length === 0) throw new LayoutError('the layout names no ranges');
  const sorted = [...blocks].sort((a, b) => (a.base < b.base ? -1 : 1));
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (sorted[i].base < prev.base + prev.size) {
      throw new LayoutError(`ranges overlap at ${'0x' + sorted[i].base.toString(16)}: a byte of RAM sits on one node (overlapping node spans come from interleaving ranges)`);
    }
  }
  return { kind: 'explicit', blocks: sorted };
}

/** The RAM of `ram` cut into `nodes` contiguous parts of nearly equal size (page-aligned cuts). */
export function evenLayout(ram: readonly NodeBlock[], nodes: number, page = 4096n): NodeBlock[] {
  const sorted = [...ram].filter((r) => r.size > 0n).sort((a, b) => (a.base < b.base ? -1 : 1));
  const total = sorted.reduce((t, r) => t + r.size, 0n);
  const share = ((total / BigInt(nodes)) / page) * page;
  const out: NodeBlock[] = [];
  let nid = 0;
  let used = 0n;
  for (const r of sorted) {
    let base = r.base;
    const end = r.base + r.size;
    while (base < end) {
      const room = nid === nodes - 1 ? end - base : share - used;
      const take = room < end - base ? room : end - base;
      if (take > 0n) out.push({ nid, base, size: take });
      base += take;
      used += take;
      if (used >= share && nid < nodes - 1) {
        nid++;
        used = 0n;
      }
    }
  }
  return out;
}

/** "0:0x0-0x80000000,...;1:..." the canonical form of a layout (hex bytes). */
export function formatLayout(blocks: readonly NodeBlock[]): string {
  const byNode = new Map<number, NodeBlock[]>();
  for (const b of blocks) byNode.set(b.nid, [...(byNode.get(b.nid) ?? []), b]);
  return [...byNode.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([nid, list]) => `${nid}:` + list.map((b) => `0x${b.base.toString(16)}-0x${(b.base + b.size).toString(16)}`).join(','))
    .join(';');
}
