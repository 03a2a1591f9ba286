// Node worker_threads entry (bundled to dist/worker-node.js): serves one EngineSession over the
// parent port. `{ path }` loads stream the file in 1 MiB chunks (never one big string).
// Usage from the extension host: see the top of rpc.ts.

import { createReadStream, statSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { portFromNode, serveSession } from './rpc';

const CHUNK_BYTES = 1 << 20;

if (!parentPort) throw new Error('worker-node.js must run as a worker thread');

serveSession(portFromNode(parentPort), {
  openFile: (path) => ({
    size: statSync(path).size,
    chunks: createReadStream(path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Uint8Array>,
  }),
});
