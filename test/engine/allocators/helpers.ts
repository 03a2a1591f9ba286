import type { NodeBlock } from '../../../src/engine/topology';

export const K = 1024n;
export const M = 1024n * K;
export const G = 1024n * M;
export const PAGE = 4096n;

export function block(nid: number, base: bigint, end: bigint): NodeBlock {
  return { nid, base, size: end - base };
}

/** The seed's example: node 0 owns 0–2G and 4–6G, node 1 owns 2–4G and 6–8G. */
export const SEED_LAYOUT: NodeBlock[] = [block(0, 0n, 2n * G), block(1, 2n * G, 4n * G), block(0, 4n * G, 6n * G), block(1, 6n * G, 8n * G)];

export function req(size: bigint, opts: { align?: bigint; goal?: bigint; limit?: bigint; nid?: number | null; exact?: boolean } = {}) {
  return { size, align: opts.align ?? 0n, goal: opts.goal ?? 0n, limit: opts.limit ?? 0n, nid: opts.nid ?? null, exact: opts.exact };
}
