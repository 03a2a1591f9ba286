// The CLI as a user runs it: the bundled dist/cli.js in a child process (built by `npm test`'s
// build step; built here too when missing).

import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const SAMPLE = path.join(ROOT, 'test/fixtures/sample/x86_64-2node-2g-memblock-debug.log');
const CONFORMANCE = path.join(ROOT, 'test/fixtures/conformance/memblock-public.json');

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  if (!existsSync(CLI)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
});

describe('analyze', () => {
  it('summarises the sample: two nodes, every prediction right, the kernel reserved figure matched', () => {
    const { code, stdout } = run('analyze', SAMPLE);
    expect(code).toBe(0);
    expect(stdout).toContain('Boot 0: Linux 6.1.0-56-amd64 (x86_64)');
    expect(stdout).toContain('after the first checkpoint 53/53 placed where the model predicted (100.0%)');
    expect(stdout).toMatch(/node 0: \[mem 0x1000-0x9efff\] \[mem 0x100000-0x3fffffff\]/);
    expect(stdout).toMatch(/node 1: \[mem 0x40000000-0x7ffdffff\]/);
    expect(stdout).toContain('the kernel says 125500K reserved; reconstructed 125500K');
  });

  it('--json follows the documented, versioned schema with hex-string addresses', () => {
    const { code, stdout } = run('analyze', SAMPLE, '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.schema).toBe('bootmem-lens/analysis');
    expect(report.version).toBe(1);
    expect(report.boots).toHaveLength(1);
    const boot = report.boots[0];
    expect(boot.nodes.map((n: { nid: number }) => n.nid)).toEqual([0, 1]);
    expect(boot.predictions.matchedAfterFirstCheckpoint).toBe(53);
    expect(boot.checkpoints.map((c: { role: string }) => c.role)).toEqual(['sync', 'compare']);
    expect(boot.handoffState.reserved[0]).toEqual({ base: '0x0', size: '0x100000', nid: 0, flags: '0x0' });
    for (const r of boot.reservations) expect(r.base).toMatch(/^0x[0-9a-f]+$/);
  });
});

describe('state', () => {
  it('gives the arrays after line N, matching the dump printed at that point', () => {
    // Lines 35-44 are the first MEMBLOCK dump (memory.cnt 2, reserved.cnt 4).
    const { code, stdout } = run('state', SAMPLE, '--line', '44', '--json');
    expect(code).toBe(0);
    const state = JSON.parse(stdout);
    expect(state.memory).toEqual([
      { base: '0x1000', size: '0x9e000', nid: null, flags: '0x0' },
      { base: '0x100000', size: '0x7fee0000', nid: null, flags: '0x0' },
    ]);
    expect(state.reserved.map((r: { base: string }) => r.base)).toEqual(['0x0', '0x9f000', '0x8c00000', '0x7fee4000']);
  });

  it('before the dump is complete the state is what the printed lines built', () => {
    const state = JSON.parse(run('state', SAMPLE, '--line', '34', '--json').stdout);
    expect(state.memory.map((r: { size: string }) => r.size)).toEqual(['0x9ec00', '0x7fee0000']);
  });

  it('rejects a line past the end', () => {
    const { code, stderr } = run('state', SAMPLE, '--line', '99999', '--json');
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('simulate', () => {
  it('replays one scenario and prints its allocations and final arrays', () => {
    const all = JSON.parse(readFileSync(CONFORMANCE, 'utf8'));
    const scenario = all.tests.find((t: { id: string }) => t.id.startsWith('alloc_nid_bottom_up_reserved_no_space_check'));
    const dir = mkdtempSync(path.join(tmpdir(), 'bml-'));
    const file = path.join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(scenario));
    const { code, stdout } = run('simulate', file, '--json');
    expect(code).toBe(0);
    const [result] = JSON.parse(stdout);
    expect(result.allocs[0].addr).toBe('0x100000000');
    expect(result.reserved.map((r: { base: string }) => r.base)).toEqual(['0x100000000', '0x100007f20', '0x100007fc0']);
  });
});

describe('synth', () => {
  it('writes a log the analysis replays without a single misprediction', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bml-'));
    const file = path.join(dir, 'synth.log');
    expect(run('synth', '--nodes', '3', '--events', '3000', '--out', file).code).toBe(0);
    const report = JSON.parse(run('analyze', file, '--json').stdout);
    const p = report.boots[0].predictions;
    expect(p.judged).toBeGreaterThan(1000);
    expect(p.matched).toBe(p.judged);
    expect(report.boots[0].nodes).toHaveLength(3);
    expect(report.boots[0].checkpoints.every((c: { differences: unknown[] }) => c.differences.length === 0)).toBe(true);
  });
});

describe('bad input: one line on stderr, exit code 2', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bml-'));
  const empty = path.join(dir, 'empty.log');
  writeFileSync(empty, '');
  const binary = path.join(dir, 'blob.log');
  writeFileSync(binary, Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 256)));
  const notJson = path.join(dir, 'x.json');
  writeFileSync(notJson, '{ nope');
  mkdirSync(path.join(dir, 'folder'));
  const cases: [string, string[], RegExp][] = [
    ['missing file', ['analyze', path.join(dir, 'nope.log')], /no such file/],
    ['directory', ['analyze', path.join(dir, 'folder')], /is a directory/],
    ['empty file', ['analyze', empty], /empty/],
    ['binary file', ['analyze', binary], /binary/],
    ['unknown flag', ['analyze', SAMPLE, '--frobnicate'], /Unknown option/],
    ['unknown command', ['frobnicate'], /unknown command/],
    ['missing --line', ['state', SAMPLE, '--json'], /--line/],
    ['bad --line', ['state', SAMPLE, '--line', 'abc'], /--line/],
    ['scenario not JSON', ['simulate', notJson, '--json'], /not valid JSON/],
    ['bad --events', ['synth', '--events', '-5'], /--events/],
  ];
  it.each(cases)('%s', (_name, args, message) => {
    const { code, stderr, stdout } = run(...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).toBe('');
  });
});
