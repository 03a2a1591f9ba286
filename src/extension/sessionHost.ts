// Where an engine session runs. The analysis service asks `openSession` for a session over some log
// text (or a file path / bytes for logs VS Code does not sync to extensions) and gets back an
// asynchronous view of EngineSessionApi, whichever way it is hosted:
//
//   1. a Node worker thread running dist/worker-node.js (desktop / remote extension host),
//   2. a web worker running dist/web/worker.js (vscode.dev / web extension host),
//   3. in process (EngineSession on the extension host thread), when neither worker bundle exists.
//
// Only this file knows about workers; everything else sees `SessionHandle`.
import * as vscode from 'vscode';
import type { EngineSessionApi } from '../engine/session/api';
import { EngineSession } from '../engine/session/session';
import { SessionClient, portFromNode, portFromWeb, type MessagePortLike } from '../engine/session/rpc';
import { analyzeText } from '../engine/analyze';
import { analysisJson } from '../engine/report/json';

/** EngineSessionApi with every answer behind a promise (a worker answers through messages). */
export type AsyncSession = {
  [K in keyof EngineSessionApi]: EngineSessionApi[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/** One live session and what it costs: dispose() terminates its worker. */
export interface SessionHandle extends vscode.Disposable {
  readonly session: AsyncSession;
  /** How it runs: 'node-worker' | 'web-worker' | 'in-process'. */
  readonly host: SessionHostKind;
  /** The versioned analysis JSON (schema `bootmem-lens/analysis`), as `analyze --json` writes it. */
  analysisJson(file: string): Promise<unknown>;
}

export type SessionHostKind = 'node-worker' | 'web-worker' | 'in-process';

/** What to analyse: the text of a synced document, the bytes of a file, or (Node) a path to stream. */
export type SessionSource = { kind: 'text'; text: string } | { kind: 'bytes'; bytes: Uint8Array } | { kind: 'path'; fsPath: string };

export interface OpenOptions {
  extensionUri: vscode.Uri;
  token: vscode.CancellationToken;
  /** Parse progress: fraction of the input read (0..1) and a message. */
  onProgress?: (fraction: number, message: string) => void;
}

export class AnalysisCancelled extends Error {
  constructor() {
    super('analysis cancelled');
  }
}

/**
 * Opens a session over `source`. Prefers a worker; falls back to running the engine in process when
 * the worker bundle is missing or cannot start. Cancelling `options.token` terminates the worker (the
 * promise then rejects with AnalysisCancelled).
 */
export async function openSession(source: SessionSource, options: OpenOptions): Promise<SessionHandle> {
  if (!forceInProcess) {
    const worker = await startWorker(options.extensionUri);
    if (worker) return loadInWorker(worker, source, options);
  }
  return openInProcess(source, options);
}

/** Tests and troubleshooting: run the engine on the extension host thread. */
let forceInProcess = false;
export function setForceInProcess(value: boolean): void {
  forceInProcess = value;
}

/** The two worker kinds behind one shape. */
interface WorkerLike {
  kind: 'node-worker' | 'web-worker';
  port: MessagePortLike;
  terminate(): void;
  /** Called once if the worker dies on its own (crash, out of memory). */
  onExit(listener: (reason: string) => void): void;
}

type NodeRequire = (id: string) => unknown;

/** `require` of the Node extension host; undefined in the web extension host (no Node built-ins). */
export function nodeRequire(): NodeRequire | undefined {
  if (!isNodeRuntime()) return undefined;
  // Indirect on purpose: the same source is bundled for the browser, where worker_threads does not exist.
  return typeof require === 'function' ? (require as NodeRequire) : undefined;
}

function isNodeRuntime(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

async function startWorker(extensionUri: vscode.Uri): Promise<WorkerLike | undefined> {
  try {
    const req = nodeRequire();
    if (req) {
      const script = vscode.Uri.joinPath(extensionUri, 'dist', 'worker-node.js');
      if (script.scheme !== 'file' || !(await exists(script))) return undefined;
      const { Worker } = req('worker_threads') as typeof import('node:worker_threads');
      const worker = new Worker(script.fsPath);
      worker.unref();
      return {
        kind: 'node-worker',
        port: portFromNode(worker),
        terminate: () => void worker.terminate(),
        onExit: (listener) => {
          worker.once('error', (e: Error) => listener(`analysis worker failed: ${e.message}`));
          worker.once('exit', (code: number) => listener(`analysis worker exited (code ${code})`));
        },
      };
    }
    const WebWorker = (globalThis as { Worker?: typeof Worker }).Worker;
    if (!WebWorker) return undefined;
    const script = vscode.Uri.joinPath(extensionUri, 'dist', 'web', 'worker.js');
    if (!(await exists(script))) return undefined;
    let worker: Worker;
    try {
      worker = new WebWorker(script.toString(true));
    } catch {
      // Cross-origin worker scripts are refused in some hosts: start it from a blob of its text.
      const code = await vscode.workspace.fs.readFile(script);
      const url = URL.createObjectURL(new Blob([new TextDecoder().decode(code)], { type: 'text/javascript' }));
      worker = new WebWorker(url);
    }
    return {
      kind: 'web-worker',
      port: portFromWeb(worker),
      terminate: () => worker.terminate(),
      onExit: (listener) => worker.addEventListener('error', (e) => listener(`analysis worker failed: ${e.message}`)),
    };
  } catch (e) {
    console.warn(`[Boot Memory Lens] no analysis worker (${e instanceof Error ? e.message : String(e)}); analysing in process`);
    return undefined;
  }
}

async function loadInWorker(worker: WorkerLike, source: SessionSource, options: OpenOptions): Promise<SessionHandle> {
  const client = new SessionClient(worker.port);
  let terminated = false;
  const terminate = (reason: string) => {
    if (terminated) return;
    terminated = true;
    worker.terminate();
    client.dispose(reason);
  };
  worker.onExit((reason) => {
    terminated = true;
    client.dispose(reason);
  });
  const cancel = options.token.onCancellationRequested(() => terminate('analysis cancelled'));
  try {
    if (options.token.isCancellationRequested) terminate('analysis cancelled');
    let load: string | { path: string };
    if (source.kind === 'text') load = source.text;
    else if (source.kind === 'path' && worker.kind === 'node-worker') load = { path: source.fsPath };
    else load = new TextDecoder('utf-8').decode(source.kind === 'bytes' ? source.bytes : await vscode.workspace.fs.readFile(vscode.Uri.file(source.fsPath)));
    await client.load(load, (p) => options.onProgress?.(p.fraction, p.message));
  } catch (e) {
    terminate('analysis failed');
    if (options.token.isCancellationRequested) throw new AnalysisCancelled();
    throw e;
  } finally {
    cancel.dispose();
  }
  // Only the Node worker reads files: any other worker gets the other log of compareWith as text.
  const session = worker.kind === 'node-worker' ? (client.api as AsyncSession) : readPathsOnHost(client.api as AsyncSession);
  return {
    session,
    host: worker.kind,
    // The worker protocol has no JSON export: build it from the same source in process, on demand.
    analysisJson: async (file) => analysisJson(analyzeText(await sourceText(source)), file),
    dispose: () => terminate('session disposed'),
  };
}

async function sourceText(source: SessionSource): Promise<string> {
  if (source.kind === 'text') return source.text;
  const bytes = source.kind === 'bytes' ? source.bytes : await vscode.workspace.fs.readFile(vscode.Uri.file(source.fsPath));
  return new TextDecoder('utf-8').decode(bytes);
}

async function openInProcess(source: SessionSource, options: OpenOptions): Promise<SessionHandle> {
  // Let the progress indicator paint before the (synchronous) engine run.
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (options.token.isCancellationRequested) throw new AnalysisCancelled();
  const text = await sourceText(source);
  if (options.token.isCancellationRequested) throw new AnalysisCancelled();
  const engine = EngineSession.fromText(text);
  const proxy = new Proxy({} as AsyncSession, {
    get(_target, name) {
      const member = (engine as unknown as Record<string | symbol, unknown>)[name];
      if (typeof member !== 'function') return undefined;
      return (...args: unknown[]) => {
        try {
          // Structured-clone-like isolation, as a worker would give: callers cannot mutate the engine's caches.
          return Promise.resolve(clone((member as (...a: unknown[]) => unknown).apply(engine, args)));
        } catch (e) {
          return Promise.reject(e);
        }
      };
    },
  });
  return {
    session: readPathsOnHost(proxy),
    host: 'in-process',
    analysisJson: async (file) => analysisJson(engine.analysis, file),
    dispose() {},
  };
}

/** compareWith with a `{ path }` other log, for sessions that cannot read files: the host reads it. */
function readPathsOnHost(session: AsyncSession): AsyncSession {
  const compareWith: AsyncSession['compareWith'] = async (other, options, control) => {
    const text = 'path' in other ? new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(vscode.Uri.file(other.path))) : undefined;
    return session.compareWith(text === undefined ? other : { text }, options, control);
  };
  return new Proxy(session, {
    get: (target, name) => (name === 'compareWith' ? compareWith : (target as unknown as Record<string | symbol, unknown>)[name]),
  });
}

function clone<T>(value: T): T {
  return value === undefined || value === null ? value : structuredClone(value);
}
