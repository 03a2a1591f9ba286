// Benchmark: how fast and how lean the engine is on big logs, next to what Node needs just to read them.
//
//   npm run bench            (= build, then node --expose-gc dist/bench.js)
//   node --expose-gc dist/bench.js [--lines N] [--quick] [--only dmesg|kernlog]
//
// 1. Generates (once, cached under .bench/) a ~1,000,000-line synthetic dmesg-style memblock=debug log
//    and a ~1,000,000-line rsyslog kern.log mixing several boots with noise. Generation runs in a child
//    process so its garbage does not distort the memory figures.
// 2. For each file: the FLOOR (stream read + split on \n, counting lines; best of 3), the full analysis
//    (`analyzeFile`) with lines/s, MB/s, peak RSS / heap (sampled during the run, after a gc() before)
//    and the ratio analysis/floor, then the state at 20 random lines (`stateAtLine`; max and median).
// Prints a table with the targets next to the figures. Exit code 0 whatever the figures (it is a report).

import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { synthesizeLog, type SynthOptions, type SynthStats } from '../engine/synth';
import { synthesizeToFile } from '../engine/synth-node';
import { analyzeFile } from '../engine/analyze-node';
import { stateAtLine, type Analysis } from '../engine/analyze';

/** Bump when the generator's output changes, so cached files are rebuilt. */
const CACHE_TAG = 'synth-v2';
const TARGET_RATIO = 3;
const TARGET_MB = 300;
const TARGET_STATE_MS = 50;
const STATE_SAMPLES = 20;
const RESULT_MARK = '@@bench-result ';

interface BenchFile {
  name: string;
  path: string;
  opts: SynthOptions;
}

interface Args {
  lines: number;
  only?: 'dmesg' | 'kernlog';
  generateOnly: boolean;
  quick: boolean;
  /** Child mode: measure this one file and print the result as JSON on the last line. */
  measure?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { lines: 1_000_000, generateOnly: false, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--lines') args.lines = Math.max(1000, Number(argv[++i]) || args.lines);
    else if (a === '--only') args.only = argv[++i] === 'kernlog' ? 'kernlog' : 'dmesg';
    else if (a === '--generate-only') args.generateOnly = true;
    else if (a === '--quick') args.quick = true;
    else if (a === '--measure') args.measure = argv[++i];
  }
  if (args.quick) args.lines = Math.min(args.lines, 100_000);
  return args;
}

// ---------------------------------------------------------------------------------------------
// Inputs

/** Events that give about `lines` lines: measured on a small sample (the ratio is stable). */
function eventsForLines(opts: Omit<SynthOptions, 'events'>, lines: number): number {
  const sample = 20_000;
  const stats = synthesizeLog({ ...opts, events: sample }, () => {});
  return Math.max(1, Math.round((lines * sample) / stats.lines));
}

function benchFiles(dir: string, lines: number): BenchFile[] {
  const tag = lines >= 1_000_000 && lines % 1_000_000 === 0 ? `${lines / 1_000_000}m` : `${Math.round(lines / 1000)}k`;
  return [
    { name: 'dmesg', path: join(dir, `dmesg-${tag}.log`), opts: { nodes: 2, events: 0, seed: 1, style: 'dmesg' as const } },
    { name: 'kernlog', path: join(dir, `kernlog-${tag}.log`), opts: { nodes: 2, events: 0, seed: 2, style: 'kernlog' as const, boots: 4 } },
  ].map((f) => ({ ...f, opts: { ...f.opts, events: eventsForLines(f.opts, lines) } }));
}

function cacheMeta(file: BenchFile): string {
  return JSON.stringify({ tag: CACHE_TAG, opts: file.opts });
}

function isCached(file: BenchFile): boolean {
  const meta = file.path + '.json';
  if (!existsSync(file.path) || !existsSync(meta)) return false;
  try {
    return JSON.parse(readFileSync(meta, 'utf8')).key === cacheMeta(file);
  } catch {
    return false;
  }
}

function generate(file: BenchFile): SynthStats {
  const t0 = performance.now();
  const stats = synthesizeToFile(file.path, file.opts);
  writeFileSync(file.path + '.json', JSON.stringify({ key: cacheMeta(file), stats }, null, 1));
  const secs = (performance.now() - t0) / 1000;
  console.log(`  generated ${file.path}: ${fmtInt(stats.lines)} lines, ${fmtMB(stats.bytes)} MB, ${fmtInt(stats.events)} memblock events, ${stats.boots} boot(s) in ${secs.toFixed(1)} s`);
  return stats;
}

// ---------------------------------------------------------------------------------------------
// Measurements

/** Stream the file and split it into lines, counting them: the least any line-based reader pays. */
async function floorOnce(path: string): Promise<{ ms: number; lines: number }> {
  const t0 = performance.now();
  let lines = 0;
  let carry = '';
  const stream = createReadStream(path, { highWaterMark: 1 << 20, encoding: 'utf8' });
  for await (const chunk of stream as AsyncIterable<string>) {
    const parts = (carry + chunk).split('\n');
    carry = parts.pop()!;
    lines += parts.length;
  }
  if (carry.length) lines++;
  return { ms: performance.now() - t0, lines };
}

const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
};

/**
 * Samples the process RSS from a worker thread (it keeps ticking while the main thread is busy in
 * synchronous code) and the main thread's heap whenever the event loop gets a turn.
 */
class MemorySampler {
  peakRss = 0;
  peakHeap = 0;
  private worker?: Worker;
  private timer?: NodeJS.Timeout;
  private readonly shared = new Int32Array(new SharedArrayBuffer(8));

  start(): void {
    this.sampleHeap();
    this.peakRss = process.memoryUsage.rss();
    const code = `
      const { workerData } = require('node:worker_threads');
      const a = new Int32Array(workerData);
      const tick = () => {
        const mb = Math.ceil(process.memoryUsage.rss() / 65536); // 64 KiB units fit an Int32
        if (mb > Atomics.load(a, 0)) Atomics.store(a, 0, mb);
        if (Atomics.load(a, 1) === 0) setTimeout(tick, 5);
      };
      tick();`;
    this.worker = new Worker(code, { eval: true, workerData: this.shared.buffer });
    this.timer = setInterval(() => this.sampleHeap(), 10);
  }

  sampleHeap(): void {
    const m = process.memoryUsage();
    if (m.heapUsed > this.peakHeap) this.peakHeap = m.heapUsed;
    if (m.rss > this.peakRss) this.peakRss = m.rss;
  }

  async stop(): Promise<void> {
    this.sampleHeap();
    if (this.timer) clearInterval(this.timer);
    Atomics.store(this.shared, 1, 1);
    const fromWorker = Atomics.load(this.shared, 0) * 65536;
    if (fromWorker > this.peakRss) this.peakRss = fromWorker;
    await this.worker?.terminate();
  }
}

interface Result {
  file: { name: string; path: string };
  bytes: number;
  lines: number;
  floorMs: number;
  analysisMs: number;
  boots: number;
  events: number;
  baseRss: number;
  baseHeap: number;
  peakRss: number;
  peakHeap: number;
  retainedHeap: number;
  stateMs: number[];
  error?: string;
}

async function benchOne(file: BenchFile): Promise<Result> {
  const bytes = statSync(file.path).size;
  let floorMs = Infinity;
  let lines = 0;
  for (let i = 0; i < 3; i++) {
    const f = await floorOnce(file.path);
    floorMs = Math.min(floorMs, f.ms);
    lines = f.lines;
  }

  gc();
  const base = process.memoryUsage();
  const sampler = new MemorySampler();
  sampler.start();
  const t0 = performance.now();
  let analysis: Analysis | undefined;
  let error: string | undefined;
  try {
    analysis = await analyzeFile(file.path);
  } catch (e) {
    error = (e as Error).stack ?? String(e);
  }
  const analysisMs = performance.now() - t0;
  await sampler.stop();
  gc();
  const retainedHeap = process.memoryUsage().heapUsed;

  const stateMs: number[] = [];
  if (analysis) {
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    for (let i = 0; i < STATE_SAMPLES; i++) {
      const line = 1 + Math.floor(rand() * lines);
      const t = performance.now();
      stateAtLine(analysis, line);
      stateMs.push(performance.now() - t);
    }
  }
  const events = analysis ? analysis.boots.reduce((n, b) => n + b.boot.events.length, 0) : 0;
  return {
    file: { name: file.name, path: file.path }, bytes, lines, floorMs, analysisMs, error, stateMs, retainedHeap,
    boots: analysis?.boots.length ?? 0,
    events,
    baseRss: base.rss,
    baseHeap: base.heapUsed,
    peakRss: sampler.peakRss,
    peakHeap: sampler.peakHeap,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmtMB = (bytes: number): string => (bytes / 1048576).toFixed(1);
const fmtMs = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISSED');

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r, i) => {
      const line = r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   ');
      return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('   ')}` : line;
    })
    .join('\n');
}

function report(results: Result[]): string {
  const rows: string[][] = [['', ...results.map((r) => r.file.name)]];
  const add = (label: string, f: (r: Result) => string) => rows.push([label, ...results.map(f)]);
  add('file', (r) => r.file.path);
  add('lines', (r) => fmtInt(r.lines));
  add('size (MB)', (r) => fmtMB(r.bytes));
  add('boots / memory events', (r) => (r.error ? 'error' : `${r.boots} / ${fmtInt(r.events)}`));
  add('floor: read+split (best of 3)', (r) => fmtMs(r.floorMs));
  add('floor lines/s', (r) => fmtInt(r.lines / (r.floorMs / 1000)));
  add('analysis (analyzeFile)', (r) => (r.error ? 'FAILED' : fmtMs(r.analysisMs)));
  add('analysis lines/s', (r) => fmtInt(r.lines / (r.analysisMs / 1000)));
  add('analysis MB/s', (r) => (r.bytes / 1048576 / (r.analysisMs / 1000)).toFixed(1));
  add(`ratio analysis/floor  [target <= ${TARGET_RATIO}x]`, (r) => `${(r.analysisMs / r.floorMs).toFixed(1)}x ${verdict(!r.error && r.analysisMs / r.floorMs <= TARGET_RATIO)}`);
  add(`peak RSS (MB)  [target < ${TARGET_MB}]`, (r) => `${fmtMB(r.peakRss)} ${verdict(r.peakRss < TARGET_MB * 1048576)}`);
  add('  RSS before analysis (MB)', (r) => fmtMB(r.baseRss));
  add('peak heap used, sampled (MB)', (r) => fmtMB(r.peakHeap));
  add('  heap before / retained after (MB)', (r) => `${fmtMB(r.baseHeap)} / ${fmtMB(r.retainedHeap)}`);
  add(`state at line: max  [target < ${TARGET_STATE_MS} ms]`, (r) => (r.stateMs.length ? `${fmtMs(Math.max(...r.stateMs))} ${verdict(Math.max(...r.stateMs) < TARGET_STATE_MS)}` : 'n/a'));
  add(`state at line: median (${STATE_SAMPLES} random lines)`, (r) => (r.stateMs.length ? fmtMs(median(r.stateMs)) : 'n/a'));
  return table(rows);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = resolve('.bench');
  mkdirSync(dir, { recursive: true });
  const files = benchFiles(dir, args.lines).filter((f) => !args.only || f.name === args.only);

  if (args.generateOnly) {
    for (const f of files) if (!isCached(f)) generate(f);
    return;
  }
  const missing = files.filter((f) => !isCached(f));
  if (missing.length) {
    console.log(`generating ${missing.length} benchmark input(s) under ${dir} (cached for later runs)...`);
    // In a child process, so the generator's garbage does not count against the analysis.
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1], ...process.argv.slice(2), '--generate-only'], { stdio: 'inherit' });
    if (child.status !== 0) {
      for (const f of missing) generate(f); // fall back to generating here
    }
  }

  if (args.measure) {
    const file = files.find((f) => f.name === args.measure);
    if (!file) throw new Error(`no bench file named ${args.measure}`);
    const r = await benchOne(file);
    process.stdout.write('\n' + RESULT_MARK + JSON.stringify(r) + '\n');
    return;
  }

  if (!(globalThis as { gc?: unknown }).gc) console.log('note: run with --expose-gc for clean memory baselines');
  console.log(`Boot Memory Lens benchmark — node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}`);
  const results: Result[] = [];
  for (const f of files) {
    // Each file in a fresh process: memory figures then belong to that analysis alone.
    console.log(`  measuring ${f.name} (${f.path}) in a fresh process...`);
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1], ...process.argv.slice(2), '--measure', f.name], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const mark = child.stdout?.lastIndexOf(RESULT_MARK) ?? -1;
    if (child.status !== 0 || mark < 0) {
      console.log(`  measuring ${f.name} failed (exit ${child.status}${child.signal ? ', ' + child.signal : ''}):\n${child.stdout ?? ''}`);
      continue;
    }
    const r = JSON.parse(child.stdout.slice(mark + RESULT_MARK.length).split('\n')[0]) as Result;
    if (r.error) console.log(`  analysis failed on ${f.name}:\n${r.error}`);
    results.push(r);
  }
  console.log('');
  if (results.length) console.log(report(results));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error((error as Error).stack ?? String(error));
    process.exit(0);
  },
);
