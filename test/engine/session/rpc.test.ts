// The session RPC over a worker_threads MessageChannel (both ends in this thread), and once through
// the real Node worker bundle when it has been built.

import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { SessionClient, portFromNode, portFromWeb, serveSession, type LoadProgress } from '../../../src/engine/session/rpc';
import { EngineSession } from '../../../src/engine/session/session';

const SAMPLE = path.resolve(__dirname, '../../fixtures/sample/x86_64-2node-2g-memblock-debug.log');
const text = readFileSync(SAMPLE, 'utf8');
const local = EngineSession.fromText(text);

const open: MessagePort[] = [];
afterEach(() => {
  for (const port of open.splice(0)) port.close();
});

function pair(options: Parameters<typeof serveSession>[1] = {}) {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  const server = serveSession(portFromNode(port2), options);
  const client = new SessionClient(portFromNode(port1));
  return { client, server };
}

describe('session RPC over a MessageChannel', () => {
  it('loads text with progress, then answers like the in-process session', async () => {
    const { client, server } = pair({ chunkSize: 4096 });
    const progress: LoadProgress[] = [];
    const global: LoadProgress[] = [];
    client.onProgress((p) => global.push(p));
    const summary = await client.load(text, (p) => progress.push(p));
    expect(summary).toEqual(local.summary());
    expect(server.session).toBeDefined();

    // Several chunks: fractions rise to 1, then the analysis step.
    expect(progress.length).toBeGreaterThan(5);
    const fractions = progress.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions[0]).toBe(0);
    expect(fractions[fractions.length - 1]).toBe(1);
    expect(progress[progress.length - 1].message).toMatch(/^Analysing 1 boot/);
    expect(global).toEqual(progress);

    expect(await client.api.bootView(0)).toEqual(local.bootView(0));
    expect(await client.call('timelinePage', 0, 40, 20)).toEqual(local.timelinePage(0, 40, 20));
    expect(await client.api.stateAt(0, 51)).toEqual(local.stateAt(0, 51));
    expect(await client.api.matching(49)).toEqual([50]);
    expect(await client.api.eventAtLine(49)).toEqual({ bootIndex: 0, eventIndex: 20 });
    expect(await client.api.eventAtLine(2)).toBeUndefined();
    expect(await client.api.addressInfo(3, '0x1000')).toBeUndefined();
    expect(await client.api.lenses(48, 50)).toEqual(local.lenses(48, 50));
    expect(await client.api.diagnostics()).toHaveLength(8);
    expect(await client.api.sections()).toEqual(local.sections());
    expect(await client.api.foldingRanges()).toEqual(local.foldingRanges());
    expect(await client.api.reservations(0, 1)).toEqual(JSON.parse(JSON.stringify(local.reservations(0, 1))));
    expect(await client.api.regionsAt(0, 20)).toEqual(local.regionsAt(0, 20));
  });

  it('calls made during a load wait for it; errors come back as rejections', async () => {
    const { client } = pair({ chunkSize: 8192 });
    await expect(client.call('summary')).rejects.toThrow('no log loaded');
    const loading = client.load(text);
    const view = client.api.bootView(0);
    await loading;
    expect((await view).boot.eventCount).toBe(170);
    await expect(client.api.bootView(7)).rejects.toThrow(/no boot 7/);
    await expect((client as unknown as { call(m: string): Promise<unknown> }).call('constructor')).rejects.toThrow(/unknown method/);
    await expect(client.load({ path: SAMPLE })).rejects.toThrow(/cannot read files/);
  });

  it('a newer load supersedes one in progress', async () => {
    const { client } = pair({ chunkSize: 1024 });
    const first = client.load(text);
    const second = client.load('[    0.000000] Linux version 6.1.0 (x@y) #1\n[    0.000000] memblock_reserve: [0x0000000000001000-0x0000000000001fff] setup_arch+0x0/0x0\n');
    await expect(first).rejects.toThrow(/superseded/);
    const summary = await second;
    expect(summary.lineCount).toBe(2);
    expect((await client.api.bootView(0)).boot.eventCount).toBe(1);
  });

  it('loads a file path through openFile, with byte progress', async () => {
    const bytes = readFileSync(SAMPLE);
    const { client } = pair({
      openFile: () => ({
        size: bytes.length,
        chunks: (function* () {
          for (let i = 0; i < bytes.length; i += 5000) yield bytes.subarray(i, i + 5000);
        })(),
      }),
    });
    const progress: LoadProgress[] = [];
    const summary = await client.load({ path: '/anything' }, (p) => progress.push(p));
    expect(summary).toEqual(local.summary());
    expect(progress.filter((p) => p.fraction > 0 && p.fraction < 1).length).toBeGreaterThan(3);
  });

  it('dispose rejects pending calls and refuses new ones', async () => {
    const { client } = pair();
    const pending = client.load(text);
    client.dispose('worker terminated');
    await expect(pending).rejects.toThrow('worker terminated');
    await expect(client.api.summary()).rejects.toThrow('worker terminated');
  });

  it('portFromWeb adapts DOM-style ports', async () => {
    const { port1, port2 } = new MessageChannel();
    open.push(port1, port2);
    const web = (port: MessagePort) => ({
      postMessage: (m: unknown) => port.postMessage(m),
      addEventListener: (_: 'message', listener: (e: { data: unknown }) => void) => port.on('message', (data) => listener({ data })),
    });
    serveSession(portFromWeb(web(port2)));
    const client = new SessionClient(portFromWeb(web(port1)));
    expect((await client.load(text)).boots).toHaveLength(1);
  });
});

const WORKER = path.resolve(__dirname, '../../../dist/worker-node.js');

describe.skipIf(!existsSync(WORKER))('dist/worker-node.js', () => {
  it('streams a file path in a worker thread and can be terminated', async () => {
    const worker = new Worker(WORKER);
    const client = new SessionClient(portFromNode(worker));
    worker.on('exit', () => client.dispose('worker exited'));
    try {
      const progress: LoadProgress[] = [];
      const summary = await client.load({ path: SAMPLE }, (p) => progress.push(p));
      expect(summary.boots[0].eventCount).toBe(170);
      expect(progress.length).toBeGreaterThan(0);
      expect(await client.api.matching(50)).toEqual([49]);
      const pending = client.load(text);
      await worker.terminate();
      await expect(pending).rejects.toThrow();
    } finally {
      await worker.terminate();
    }
  });
});
