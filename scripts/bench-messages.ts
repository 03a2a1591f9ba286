// Micro-benchmark for the message recognizers (not a test): 1,000,000 memblock=debug messages in
// the mix of a real arm64 log, timed against a plain split of the same text.
//   npx vite-node scripts/bench-messages.ts
import { MessageParser } from '../src/engine/parse/messages/index';
import type { MemoryEvent } from '../src/engine/types';

const SAMPLES = [
  'memblock_reserve: [0x00000000bfdc7000-0x00000000bfdc7fff] memblock_alloc_range_nid+0xe8/0x17c',
  'memblock_phys_alloc_range: 4096 bytes align=0x1000 from=0x0000000000000000 max_addr=0x0000000000000001 early_pgtable_alloc+0x2c/0xb0',
  'memblock_reserve: [0x00000000bfdc6000-0x00000000bfdc6fff] memblock_alloc_range_nid+0xe8/0x17c',
  'memblock_alloc_try_nid: 16384 bytes align=0x40 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 sparse_init+0x3f8/0x490',
  'memblock_phys_free: [0x000000007dc36000-0x000000007dcfffff] pcpu_embed_first_chunk+0x1d8/0x610',
  'memblock_add: [0x0000000000001000-0x000000000009fbff] e820__memblock_setup+0x6e/0xb0',
];
const N = 1_000_000;
const parts: string[] = [];
for (let i = 0; i < N; i++) parts.push('[    0.000000] ' + SAMPLES[i % SAMPLES.length]!);
const text = parts.join('\n');

// CPU time, not wall time: the numbers stay comparable on a loaded machine
// (run with --single-threaded-gc for the steadiest figures).
function now(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function run(): void {
  let t0 = now();
  const lines = text.split('\n');
  const split = now() - t0;
  t0 = now();
  const parser = new MessageParser({ kernelVersion: '6.1.0' });
  // Events are kept, as the real pipeline keeps them: most of the cost is retaining them.
  const events: MemoryEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const r = parser.push({ line: i + 1, endLine: i + 1, text: raw.slice(15) });
    for (const e of r.events) events.push(e);
  }
  events.push(...parser.end());
  const parse = now() - t0;
  // Floor: one retained object with a bigint per line, no parsing at all.
  t0 = now();
  const floor: { base: bigint; line: number }[] = [];
  for (let i = 0; i < lines.length; i++) floor.push({ base: BigInt(i * 4096), line: i });
  const retain = now() - t0;
  console.log(
    `split ${split.toFixed(0)} ms, parse ${parse.toFixed(0)} ms (${((parse * 1e6) / N).toFixed(0)} ns/line, ${events.length} events), ` +
      `floor (retain 1 object + bigint per line) ${retain.toFixed(0)} ms`,
  );
}
for (let i = 0; i < 3; i++) run();
