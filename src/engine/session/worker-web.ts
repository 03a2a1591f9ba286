// Web worker entry (bundled to dist/web/worker.js, browser iife): serves one EngineSession to the
// web extension host. Only text loads (there is no file system). Usage: see the top of rpc.ts.

import { serveSession } from './rpc';

interface WorkerScope {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

const scope = self as unknown as WorkerScope;

serveSession({
  postMessage: (message) => scope.postMessage(message),
  onMessage: (callback) => {
    scope.onmessage = (event) => callback(event.data);
  },
});
