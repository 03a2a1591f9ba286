// compareWith: the session's log compared with another log read for that call only, in process and
// over the RPC (text in steps, a streamed path), with progress, cancellation and one-line errors for
// files that are not boot logs.

import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { SessionClient, portFromNode, serveSession, type LoadProgress } from '../../../src/engine/session/rpc';
import { EngineSession } from '../../../src/engine/session/session';
import { analyzeText } from '../../../src/engine/analyze';
import { diffBoots } from '../../../src/engine/diff/diff';
import { diffJson } from '../../../src/engine/diff/json';
import { compareView } from '../../../src/engine/session/views';
import { otherLogProblem } from '../../../src/engine/session/compare';

const QEMU = path.resolve(__dirname, '../../fixtures/corpus/qemu');
const A = path.join(QEMU, 'x86_64-1node-1g-memblock-debug.log');
const B = path.join(QEMU, 'x86_64-2node-2g-memblock-debug.log');
const TWO_BOOTS = path.resolve(__dirname, '../../fixtures/corpus/real/x86_64-qemu-2node-midsection-boundary-overlapping-node-spans-5.11.log');
const textA = readFileSync(A, 'utf8');
const textB = readFileSync(B, 'utf8');
const names = { a: 'a.log', b: 'b.log' };
const expected = compareView(diffBoots(analyzeText(textA).boots[0], analyzeText(textB).boots[0]), names, false, 'a');

const open: MessagePort[] = [];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'bootmem-compare-'));
afterEach(() => {
  for (const port of open.splice(0)) port.close();
});

function pair(options: Parameters<typeof serveSession>[1] = {}) {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  serveSession(portFromNode(port2), options);
  return new SessionClient(portFromNode(port1));
}

function fileOpener(chunk = 5000): Parameters<typeof serveSession>[1] {
  return {
    openFile: (p) => {
      const bytes = readFileSync(p);
      return {
        size: bytes.length,
        chunks: (function* () {
          for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
        })(),
      };
    },
  };
}

const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256));

describe('compareWith in process', () => {
  const session = EngineSession.fromText(textA);

  it('equals the comparison of the two analyses (the last boots, as `diff A B`)', () => {
    expect(session.compareWith({ text: textB }, { names })).toEqual(expected);
    // The same totals as the CLI's JSON.
    const json = JSON.parse(JSON.stringify(diffJson(diffBoots(analyzeText(textA).boots[0], analyzeText(textB).boots[0]), { a: A, b: B }))) as { totals: unknown };
    expect(session.compareWith({ text: textB }, { names }).totals).toEqual(json.totals);
  });

  it('picks the boots asked for and refuses the ones that are not there', () => {
    const two = readFileSync(TWO_BOOTS, 'utf8');
    const view = session.compareWith({ text: two }, { names, bootB: 0 });
    expect(view.b.bootIndex).toBe(0);
    expect(session.compareWith({ text: two }, { names }).b.bootIndex).toBe(1);
    expect(() => session.compareWith({ text: two }, { names, bootB: 2 })).toThrow('b.log has no boot 2 (it has 2).');
  });

  it('gives one-line reasons for files that are not boot logs, and cannot read paths', () => {
    expect(() => session.compareWith({ text: '' }, { names })).toThrow('b.log is empty.');
    expect(() => session.compareWith({ text: binary.toString('latin1') }, { names })).toThrow('b.log looks like a binary file, not a text log.');
    expect(() => session.compareWith({ text: 'GET / HTTP/1.1 200\nhello world\n' }, { names })).toThrow(/^b\.log holds no kernel boot/);
    expect(() => session.compareWith({ path: B }, { names })).toThrow(/cannot read files/);
  });

  it('judges text like the CLI: a few control bytes are fine, a dense run is binary', () => {
    expect(otherLogProblem(`${textA.slice(0, 2000)}\u0000\u001b[0m`, 'x')).toBeUndefined();
    expect(otherLogProblem('\uFFFD'.repeat(100), 'x')).toMatch(/binary/);
  });
});

describe('compareWith over the RPC', () => {
  it('reads the other text in steps with progress, answers like in process, keeps the session', async () => {
    const client = pair({ chunkSize: 4096 });
    const summary = await client.load(textA);
    const progress: LoadProgress[] = [];
    const view = await client.api.compareWith({ text: textB }, { names }, { onProgress: (p) => progress.push(p) });
    expect(view).toEqual(expected);
    expect(progress.length).toBeGreaterThan(5);
    expect(progress[0].message).toBe('Reading b.log…');
    expect(progress[progress.length - 1].message).toMatch(/^Analysing b\.log: 1 boot\(s\)/);
    expect(await client.api.summary()).toEqual(summary);
  });

  it('streams a path through openFile', async () => {
    const client = pair(fileOpener());
    await client.load(textA);
    const progress: LoadProgress[] = [];
    expect(await client.compareWith({ path: B }, { names }, { onProgress: (p) => progress.push(p) })).toEqual(expected);
    expect(progress.filter((p) => p.fraction > 0 && p.fraction < 1).length).toBeGreaterThan(3);
  });

  it('bad other files come back as one-line errors (text and path)', async () => {
    const client = pair(fileOpener());
    await client.load(textA);
    const empty = path.join(tmp, 'empty.log');
    const bin = path.join(tmp, 'blob.bin');
    const notLog = path.join(tmp, 'app.log');
    writeFileSync(empty, '');
    writeFileSync(bin, binary);
    writeFileSync(notLog, 'INFO starting app\nINFO listening on :8080\n');
    await expect(client.compareWith({ path: empty }, { names: { a: 'a', b: 'empty.log' } })).rejects.toThrow('empty.log is empty.');
    await expect(client.compareWith({ path: bin }, { names: { a: 'a', b: 'blob.bin' } })).rejects.toThrow('blob.bin looks like a binary file, not a text log.');
    await expect(client.compareWith({ path: notLog }, { names: { a: 'a', b: 'app.log' } })).rejects.toThrow(/^app\.log holds no kernel boot/);
    await expect(client.compareWith({ text: '' }, { names })).rejects.toThrow('b.log is empty.');
    await expect(client.api.compareWith({ nonsense: 1 } as never, { names })).rejects.toThrow(/needs the other log/);
    // A worker without a file reader (the web worker) refuses paths.
    const web = pair();
    await web.load(textA);
    await expect(web.compareWith({ path: B }, { names })).rejects.toThrow(/cannot read files/);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('can be cancelled while it reads; the session keeps answering', async () => {
    const client = pair({ chunkSize: 1024 });
    await client.load(textA);
    const controller = new AbortController();
    let steps = 0;
    const running = client.compareWith({ text: textB }, { names }, {
      signal: controller.signal,
      onProgress: () => {
        if (++steps === 3) controller.abort();
      },
    });
    await expect(running).rejects.toThrow('comparison cancelled');
    expect(steps).toBeLessThan(10);
    expect((await client.api.summary()).boots).toHaveLength(1);
    // Already aborted: refused without a round trip.
    await expect(client.compareWith({ text: textB }, { names }, { signal: controller.signal })).rejects.toThrow('comparison cancelled');
    // And the next comparison runs.
    expect((await client.compareWith({ text: textB }, { names })).totals).toEqual(expected.totals);
  });
});

const WORKER = path.resolve(__dirname, '../../../dist/worker-node.js');

describe.skipIf(!existsSync(WORKER))('dist/worker-node.js', () => {
  it('compares with a file it streams from disk', async () => {
    const worker = new Worker(WORKER);
    const client = new SessionClient(portFromNode(worker));
    try {
      await client.load({ path: A });
      expect(await client.compareWith({ path: B }, { names })).toEqual(expected);
    } finally {
      await worker.terminate();
    }
  });
});
