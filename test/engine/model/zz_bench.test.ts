import { it } from 'vitest';
import { Memblock } from '../../../src/engine/model/memblock';
it('bench', () => {
  const mb = new Memblock();
  mb.allowResize = true;
  for (let n = 0; n < 4; n++) mb.addNode(BigInt(n) * 0x100000000n + 0x100000n, 0x100000000n - 0x100000n, n, 0);
  let seed = 1;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const t0 = performance.now();
  const live: [bigint, bigint][] = [];
  let allocs = 0, fails = 0;
  for (let i = 0; i < 1_000_000; i++) {
    const p = rnd();
    if (p < 0.45) {
      const size = BigInt(Math.floor(rnd() * 0x10000) + 1);
      const req = { api: 'memblock_alloc_try_nid', size, align: 64n, from: 0n, maxAddr: 0n, nid: Math.floor(rnd() * 4), exactNid: false };
      const pred = mb.predictAlloc(req);
      if (pred) { mb.reserveExact(pred.addr, size, pred.nid, 0x20); live.push([pred.addr, size]); allocs++; } else fails++;
    } else if (p < 0.7) {
      const base = BigInt(Math.floor(rnd() * 0x3_0000_0000));
      const size = BigInt(Math.floor(rnd() * 0x1000) + 1);
      mb.reserve(base, size); live.push([base, size]);
    } else if (live.length) {
      const k = Math.floor(rnd() * live.length);
      const [b, s] = live[k]; live[k] = live[live.length - 1]; live.pop();
      mb.free(b, s);
    }
  }
  console.log('ms', Math.round(performance.now() - t0), 'reserved cnt', mb.reserved.cnt, 'max', mb.reserved.max, allocs, fails);
  const t1 = performance.now();
  for (let i = 0; i < 1000; i++) mb.clone();
  console.log('clone ms/1000', Math.round(performance.now() - t1));
}, 120000);
