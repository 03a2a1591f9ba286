import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizeLog, type SynthOptions } from '../../src/engine/synth';
import { synthesizeToFile } from '../../src/engine/synth-node';
import { Memblock, type AllocRequest } from '../../src/engine/model/memblock';
import { MAX_NUMNODES, type Region } from '../../src/engine/types';

function generate(opts: SynthOptions): { text: string; chunks: number; stats: ReturnType<typeof synthesizeLog> } {
  const parts: string[] = [];
  const stats = synthesizeLog(opts, (c) => parts.push(c));
  return { text: parts.join(''), chunks: parts.length, stats };
}

/** The message after the envelope (kernel timestamp, and the syslog prefix in kern.log). */
const ENVELOPE = /^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ kernel: )?\[\s*\d+\.\d{6}\] (.*)$/;
const REQUEST = /^(memblock_alloc_try_nid|memblock_alloc_try_nid_raw|memblock_alloc_exact_nid_raw|memblock_phys_alloc_range): (\d+) bytes align=0x([0-9a-f]+)(?: nid=(-?\d+))? from=0x([0-9a-f]{16}) max_addr=0x([0-9a-f]{16}) \S+$/;
const RANGE_OP = /^(memblock_add|memblock_reserve|memblock_phys_free): \[0x([0-9a-f]{16})-0x([0-9a-f]{16})\] (\S+)$/;
const DOUBLED = /^memblock: (memory|reserved) is doubled to (\d+) at \[0x([0-9a-f]{16})-0x([0-9a-f]{16})\]$/;
const DUMP_ROW = /^ (memory|reserved)\[0x[0-9a-f]+\]\t\[0x([0-9a-f]{16})-0x([0-9a-f]{16})\], 0x([0-9a-f]{16}) bytes(?: on node (\d+))? flags: 0x([0-9a-f]+)$/;
const DUMP_CNT = /^ (memory|reserved)\.cnt  = 0x([0-9a-f]+)$/;

function messages(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = ENVELOPE.exec(line);
    if (m) out.push(m[1]);
  }
  return out;
}

/** Counts memblock events the way the generator defines them (see SynthOptions.events). */
function countEvents(msgs: string[]): number {
  let n = 0;
  for (let i = 0; i < msgs.length; i++) {
    if (REQUEST.test(msgs[i])) {
      n++;
      continue;
    }
    const op = RANGE_OP.exec(msgs[i]);
    if (!op || op[4].startsWith('memblock_double_array+')) continue;
    if (op[1] === 'memblock_reserve' && op[4].startsWith('memblock_alloc_range_nid+') && i > 0 && REQUEST.test(msgs[i - 1])) continue;
    n++;
  }
  return n;
}

interface Dump {
  memory: Region[];
  reserved: Region[];
  cnt: { memory: number; reserved: number };
}

function readDump(msgs: string[], at: number): { dump: Dump; next: number } {
  const dump: Dump = { memory: [], reserved: [], cnt: { memory: 0, reserved: 0 } };
  let i = at + 2; // header + sizes line
  for (; i < msgs.length; i++) {
    const cnt = DUMP_CNT.exec(msgs[i]);
    if (cnt) {
      dump.cnt[cnt[1] as 'memory' | 'reserved'] = parseInt(cnt[2], 16);
      continue;
    }
    const row = DUMP_ROW.exec(msgs[i]);
    if (!row) break;
    const base = BigInt('0x' + row[2]);
    const size = BigInt('0x' + row[4]);
    expect(BigInt('0x' + row[3])).toBe(base + size - 1n);
    dump[row[1] as 'memory' | 'reserved'].push({ base, size, nid: row[5] === undefined ? MAX_NUMNODES : Number(row[5]), flags: parseInt(row[6], 16) });
  }
  return { dump, next: i };
}

const plain = (rs: readonly Region[]) => rs.map((r) => `${r.base.toString(16)}+${r.size.toString(16)}@${r.nid}/${r.flags}`);

/**
 * Replays one boot's messages through a fresh Memblock: syncs to the first two dumps (they carry
 * what the log does not print: reservations made before memblock=debug, memory trimming, NUMA
 * node assignment), then checks every allocation's printed address against predictAlloc, every
 * doubling against the model's own, and every later dump against the replayed state.
 */
function replayBoot(msgs: string[]): { allocs: number; dumpsChecked: number; doublings: number } {
  let model: Memblock | undefined;
  let dumps = 0;
  let dumpsChecked = 0;
  let allocs = 0;
  let doublings = 0;
  const doubles: Array<{ array: string; newMax: number; base: bigint }> = [];
  const homes = new Map<string, { max: number; base: bigint | null; size: bigint }>([
    ['memory', { max: 128, base: null, size: 0n }],
    ['reserved', { max: 128, base: null, size: 0n }],
  ]);

  const load = (dump: Dump): Memblock => {
    const m = new Memblock({ rsrvKern: false, emptyDummy: true });
    m.allowResize = true;
    for (const name of ['memory', 'reserved'] as const) {
      const arr = m.array(name);
      const home = homes.get(name)!;
      arr.regions = dump[name].map((r) => ({ ...r }));
      arr.totalSize = dump[name].reduce((s, r) => s + r.size, 0n);
      arr.max = home.max;
      arr.arrayBase = home.base;
      arr.arrayAllocSize = home.size;
    }
    m.onDouble = (array, newMax, base) => doubles.push({ array, newMax, base });
    return m;
  };

  for (let i = 0; i < msgs.length; i++) {
    const msg = msgs[i];
    if (msg === 'MEMBLOCK configuration:') {
      const { dump, next } = readDump(msgs, i);
      expect(dump.memory.length).toBe(dump.cnt.memory);
      expect(dump.reserved.length).toBe(dump.cnt.reserved);
      dumps++;
      if (dumps <= 2 || !model) model = load(dump);
      else {
        expect(plain(model.memory.regions)).toEqual(plain(dump.memory));
        expect(plain(model.reserved.regions)).toEqual(plain(dump.reserved));
        dumpsChecked++;
      }
      i = next - 1;
      continue;
    }
    const dbl = DOUBLED.exec(msg);
    if (dbl) {
      doublings++;
      const newMax = Number(dbl[2]);
      const base = BigInt('0x' + dbl[3]);
      expect(BigInt('0x' + dbl[4]) - base + 1n).toBe(BigInt(newMax) * 24n);
      const home = homes.get(dbl[1])!;
      home.max = newMax;
      home.base = base;
      home.size = (BigInt(newMax) * 24n + 4095n) & ~4095n;
      if (model && dumps >= 2) {
        expect(doubles.shift()).toEqual({ array: dbl[1], newMax, base });
      }
      continue;
    }
    const req = REQUEST.exec(msg);
    if (req) {
      const size = BigInt(req[2]);
      const align = BigInt('0x' + req[3]);
      const result = RANGE_OP.exec(msgs[i + 1]);
      expect(result, `reserve line after ${msg}`).not.toBeNull();
      expect(result![1]).toBe('memblock_reserve');
      expect(result![4]).toMatch(/^memblock_alloc_range_nid\+/);
      const base = BigInt('0x' + result![2]);
      const end = BigInt('0x' + result![3]);
      expect(end - base + 1n).toBe(size);
      expect(base % align).toBe(0n);
      allocs++;
      if (model && dumps >= 2) {
        const request: AllocRequest = {
          api: req[1],
          size,
          align,
          from: BigInt('0x' + req[5]),
          maxAddr: BigInt('0x' + req[6]),
          nid: req[4] === undefined ? null : Number(req[4]),
          exactNid: req[1] === 'memblock_alloc_exact_nid_raw',
        };
        const predicted = model.predictAlloc(request);
        expect(predicted?.addr, `line "${msg}"`).toBe(base);
        expect(model.alloc(request)).toBe(base);
      }
      i++;
      continue;
    }
    const op = RANGE_OP.exec(msg);
    if (op && model && dumps >= 2 && !op[4].startsWith('memblock_double_array+')) {
      const base = BigInt('0x' + op[2]);
      const size = BigInt('0x' + op[3]) - base + 1n;
      if (op[1] === 'memblock_reserve') model.reserve(base, size);
      else if (op[1] === 'memblock_phys_free') model.free(base, size);
      else model.add(base, size);
    }
  }
  expect(doubles).toEqual([]);
  return { allocs, dumpsChecked, doublings };
}

describe('synthesizeLog', () => {
  it('is deterministic for a seed and varies with it', () => {
    const a = generate({ nodes: 2, events: 3000, seed: 42 });
    const b = generate({ nodes: 2, events: 3000, seed: 42 });
    const c = generate({ nodes: 2, events: 3000, seed: 43 });
    const hash = (t: string) => createHash('sha256').update(t).digest('hex');
    expect(hash(a.text)).toBe(hash(b.text));
    expect(hash(a.text)).not.toBe(hash(c.text));
    expect(a.stats).toEqual(b.stats);
  });

  it('writes exactly the requested number of memblock events', () => {
    for (const events of [1, 17, 250, 5000, 60_000]) {
      const { text, stats } = generate({ nodes: 2, events, seed: 5 });
      expect(stats.events).toBe(events);
      expect(countEvents(messages(text))).toBe(events);
    }
    const kern = generate({ nodes: 3, events: 9000, seed: 9, style: 'kernlog' });
    expect(countEvents(messages(kern.text))).toBe(9000);
  });

  it('streams in bounded chunks of whole lines and reports what it wrote', () => {
    const { text, chunks, stats } = generate({ nodes: 2, events: 20_000, seed: 3 });
    expect(chunks).toBeGreaterThan(10);
    expect(text.endsWith('\n')).toBe(true);
    expect(stats.bytes).toBe(text.length);
    expect(stats.lines).toBe(text.split('\n').length - 1);
    const parts: string[] = [];
    synthesizeLog({ nodes: 2, events: 20_000, seed: 3 }, (c) => parts.push(c));
    for (const part of parts) {
      expect(part.length).toBeLessThan(70_000);
      expect(part.endsWith('\n')).toBe(true);
    }
  });

  it('looks like a Debian 6.1 memblock=debug boot', () => {
    const { text } = generate({ nodes: 2, events: 60_000, seed: 11 });
    const msgs = messages(text);
    expect(msgs.length).toBe(text.split('\n').length - 1); // every line has a kernel timestamp
    expect(msgs[0]).toMatch(/^Linux version 6\.1\.0/);
    expect(msgs[1]).toMatch(/^Command line: .*memblock=debug/);
    for (const needle of [
      /^BIOS-e820: \[mem 0x[0-9a-f]{16}-0x[0-9a-f]{16}\] usable$/,
      /^memblock_add: \[0x[0-9a-f]{16}-0x[0-9a-f]{16}\] e820__memblock_setup\+/,
      /^ACPI: SRAT: Node 1 PXM 1 \[mem 0x[0-9a-f]+-0x[0-9a-f]+\]$/,
      /^NODE_DATA\(1\) allocated \[mem 0x[0-9a-f]+-0x[0-9a-f]+\]$/,
      /^memblock_alloc_try_nid: \d+ bytes align=0x40 nid=-1 from=0x0{16} max_addr=0x0{16} \S+\+0x/,
      /^memblock_alloc_try_nid_raw: /,
      /^memblock_alloc_exact_nid_raw: /,
      /^memblock_phys_alloc_range: \d+ bytes align=0x[0-9a-f]+ from=/,
      /^memblock_phys_free: \[/,
      /^memblock: reserved is doubled to 256 at \[/,
      /^ reserved\[0x[0-9a-f]+\]\t\[0x[0-9a-f]{16}-0x[0-9a-f]{16}\], 0x[0-9a-f]{16} bytes on node 0 flags: 0x0$/,
      /^Zone ranges:$/,
      /^Early memory node ranges$/,
      /^  node   1: \[mem /,
      /^Memory: \d+K\/\d+K available \(.*K reserved, 0K cma-reserved\)$/,
      /^Freeing unused kernel image \(initmem\) memory: \d+K$/,
    ]) {
      expect(msgs.some((m) => needle.test(m)), String(needle)).toBe(true);
    }
    expect(msgs.filter((m) => m === 'MEMBLOCK configuration:').length).toBe(3); // first, after NUMA, at 50k events
    // kernel time never goes backwards
    let last = -1;
    for (const line of text.split('\n')) {
      const t = /^\[\s*(\d+\.\d+)\]/.exec(line);
      if (!t) continue;
      expect(Number(t[1])).toBeGreaterThanOrEqual(last);
      last = Number(t[1]);
    }
    // realistic proportions
    const count = (re: RegExp) => msgs.filter((m) => re.test(m)).length;
    const allocs = count(REQUEST);
    const frees = count(/^memblock_phys_free: /);
    expect(allocs / 60_000).toBeGreaterThan(0.5);
    expect(frees / 60_000).toBeGreaterThan(0.1);
  });

  it('every reserve after a request has its size and alignment, and a fresh Memblock predicts every address', () => {
    for (const nodes of [1, 2, 4]) {
      const { text, stats } = generate({ nodes, events: 25_000, seed: nodes * 7 });
      const result = replayBoot(messages(text));
      expect(result.allocs).toBe(stats.allocs);
      expect(result.doublings).toBe(stats.doublings);
      expect(result.doublings).toBeGreaterThan(0);
    }
  });

  it('checks later dumps against the replayed state', () => {
    const { text } = generate({ nodes: 2, events: 70_000, seed: 21 });
    const result = replayBoot(messages(text));
    expect(result.dumpsChecked).toBe(1);
  });

  it('kernlog style: several boots with syslog envelopes and noise, each replaying exactly', () => {
    const { text, stats } = generate({ nodes: 2, events: 30_000, seed: 8, style: 'kernlog' });
    expect(stats.boots).toBe(3);
    const lines = text.split('\n').slice(0, -1);
    expect(lines.every((l) => /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d lab \S+: /.test(l))).toBe(true);
    const user = lines.filter((l) => !/ kernel: \[/.test(l));
    expect(user.length).toBeGreaterThan(1000);
    const msgs = messages(text);
    expect(msgs.filter((m) => m.startsWith('Linux version ')).length).toBe(3);
    const noise = lines.filter((l) => !/memblock|MEMBLOCK| kernel: \[\s*\d+\.\d+\]  (memory|reserved)/.test(l));
    expect(noise.length / lines.length).toBeGreaterThan(0.3);
    // split at each boot and replay each on its own
    const starts = msgs.map((m, i) => (m.startsWith('Linux version ') ? i : -1)).filter((i) => i >= 0);
    let allocs = 0;
    starts.forEach((s, k) => {
      allocs += replayBoot(msgs.slice(s, starts[k + 1] ?? msgs.length)).allocs;
    });
    expect(allocs).toBe(stats.allocs);
  });

  it('keeps room to spare: a long run never fails an allocation and stays fast', () => {
    const t0 = performance.now();
    const { stats } = generate({ nodes: 1, events: 200_000, seed: 2 });
    expect(stats.events).toBe(200_000);
    expect(stats.failed).toBe(0);
    expect(stats.maxReserved).toBeLessThan(2000);
    expect(performance.now() - t0).toBeLessThan(45_000);
  });
});

describe('synthesizeToFile', () => {
  it('writes the same bytes as synthesizeLog', () => {
    const dir = mkdtempSync(join(tmpdir(), 'synth-'));
    try {
      const path = join(dir, 'x.log');
      const stats = synthesizeToFile(path, { nodes: 2, events: 2000, seed: 4, style: 'kernlog' });
      const text = readFileSync(path, 'utf8');
      expect(text).toBe(generate({ nodes: 2, events: 2000, seed: 4, style: 'kernlog' }).text);
      expect(stats.bytes).toBe(text.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
