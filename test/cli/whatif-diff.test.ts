// The whatif and diff commands through the built CLI (run `npm run build` first).

import { describe, expect, it, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const QEMU = path.resolve(ROOT, 'test/fixtures/corpus/qemu');
const TWO = path.join(QEMU, 'x86_64-2node-2g-memblock-debug.log');
const ONE = path.join(QEMU, 'x86_64-1node-1g-memblock-debug.log');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  if (!existsSync(CLI)) spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
});

describe('bootmem-lens whatif', () => {
  it('--json follows docs/whatif-json.md: schema, per-request rows, totals with the largest free block per node', () => {
    const r = run('whatif', TWO, '--model', 'bootmem2', '--layout', '0:0-512M,1G-1536M;1:512M-1G,1536M-2G', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json).toMatchObject({ schema: 'bootmem-lens/whatif', version: 1, model: 'bootmem2', layout: { source: 'option' } });
    expect(json.requests).toHaveLength(53);
    for (const key of ['line', 'requestedNode', 'predicted', 'failed', 'physicalNode', 'localityViolation']) expect(json.requests[0]).toHaveProperty(key);
    expect(json.totals).toMatchObject({ failures: 0, localityViolations: 0 });
    expect(json.totals.largestFreeBlockPerNode.map((n: { nid: number }) => n.nid)).toEqual([0, 1]);
  });

  it('classic bootmem on interleaved nodes reports locality violations in the text summary', () => {
    const r = run('whatif', TWO, '--model', 'bootmem', '--layout', '0:0-512M,1G-1536M;1:512M-1G,1536M-2G');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/LOCALITY VIOLATION/);
  });

  it('--cmdline answers the crashkernel question', () => {
    const json = JSON.parse(run('whatif', TWO, '--model', 'memblock', '--cmdline', 'crashkernel=512M', '--json').out);
    expect(json.cmdline[0]).toMatchObject({ param: 'crashkernel=512M', below4G: true });
  });

  it('--bottom-up is accepted', () => {
    expect(run('whatif', TWO, '--model', 'memblock', '--bottom-up', '--json').code).toBe(0);
  });

  it.each([
    [['whatif', TWO], /--model is required/],
    [['whatif', TWO, '--model', 'slab'], /unknown model/],
    [['whatif', TWO, '--model', 'bootmem', '--layout', '0:0-2G;1:1G-3G'], /--layout: ranges overlap/],
    [['whatif', TWO, '--model', 'bootmem', '--cmdline', 'crashkernel=lots'], /--cmdline: crashkernel=lots/],
    [['whatif', TWO, '--model', 'bootmem', '--boot', '3'], /--boot 3: .* has 1 boot/],
    [['whatif', '/nonexistent.log', '--model', 'bootmem'], /no such file/],
  ])('%j fails with one line and exit 2', (args, message) => {
    const r = run(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});

describe('bootmem-lens diff', () => {
  it('diff A B --json: the 2-node boot holds more memmap than the 1-node boot', () => {
    const r = run('diff', ONE, TWO, '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.schema).toBe('bootmem-lens/diff');
    expect(json.rows.find((row: { owner: string; caller: string }) => row.owner === 'memmap' && row.caller === 'sparse_init_nid').change).toBe('grew');
    expect(json.waterfall.length).toBeGreaterThan(8);
  });

  it('diff A with two boots in one file, and --boots I,J', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bml-diff-'));
    const both = path.join(dir, 'kern.log');
    writeFileSync(both, readFileSync(ONE, 'utf8') + '\n' + readFileSync(TWO, 'utf8'));
    const r = run('diff', both);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/accounting waterfall/);
    expect(run('diff', both, '--boots', '1,0', '--json').code).toBe(0);
    const one = run('diff', ONE);
    expect(one.code).toBe(2);
    expect(one.err).toMatch(/holds 1 boot/);
  });
});
