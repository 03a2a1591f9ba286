// A tiny transport-agnostic RPC for EngineSession, so the analysis of a big log runs off the
// extension host's thread: in a Node worker thread (dist/worker-node.js, src/engine/session/worker-node.ts)
// or a web worker (dist/web/worker.js, src/engine/session/worker-web.ts). Anything with postMessage
// and a message callback works as the port (worker_threads Worker/parentPort/MessagePort, DOM Worker,
// MessagePort); nothing here imports `vscode`, Node or the DOM.
//
// Host side, Node extension host:
//
//   import { Worker } from 'node:worker_threads';
//   import { SessionClient, portFromNode } from '../engine/session/rpc';
//   const worker = new Worker(path.join(context.extensionPath, 'dist', 'worker-node.js'));
//   const client = new SessionClient(portFromNode(worker));
//   worker.on('exit', () => client.dispose('analysis worker exited'));
//   const summary = await client.load(document.getText(), (p) => report(p.fraction, p.message));
//   //   or, for a file too big to hold as a string: await client.load({ path: document.uri.fsPath }, …)
//   const state = await client.api.stateAt(0, 12);          // same signatures as EngineSessionApi, async
//   const rows = await client.call('timelinePage', 0, 0, 200);
//
// Host side, web extension host (vscode.dev):
//
//   const worker = new Worker(vscode.Uri.joinPath(context.extensionUri, 'dist/web/worker.js').toString(true));
//   const client = new SessionClient(portFromWeb(worker));
//
// Cancelling: `worker.terminate()` stops a parse or query at once (then `client.dispose()` rejects
// what is pending). Loading again supersedes a load in progress: the worker drops the older one at
// its next chunk boundary and that load's promise rejects with "superseded".
//
// Protocol (all plain JSON, addresses as hex strings):
//   host → worker  { type: 'load', id, text } | { type: 'load', id, path } | { type: 'call', id, method, args }
//                  { type: 'cancel', id }  (stops the compareWith call `id` at its next step)
//   worker → host  { type: 'progress', id, fraction, message } (load and compareWith; fraction of the input read, 0..1)
//                  { type: 'result', id, result } | { type: 'error', id, message }
// A call made while a load runs waits for it; a call before any load fails with "no log loaded".
// compareWith(other, options) reads another log ({ text } or, Node worker only, { path }) in steps like
// a load, compares it with the loaded one and drops it; the loaded session is untouched:
//
//   const view = await client.compareWith({ path: '/logs/b.log' }, { names: { a: 'a.log', b: 'b.log' } },
//     { onProgress: (p) => report(p), signal: abortController.signal });

import { analyzeParsed } from '../analyze';
import { LogReader, recognizers } from '../parse/index';
import type { ParseResult } from '../types';
import type { CompareView } from '../../protocol/messages';
import type { CompareControl, CompareWithOptions, EngineSessionApi, LogSummary, OtherLog } from './api';
import { CompareCancelled, otherLogProblem, parseCompareWithOptions, sniffBytes, SNIFF_CHARS } from './compare';
import { EngineSession } from './session';

/** The smallest thing messages go through. */
export interface MessagePortLike {
  postMessage(message: unknown): void;
  onMessage(callback: (message: unknown) => void): void;
}

export type SessionMethod = keyof EngineSessionApi;

/** The methods a client may call (anything else is refused by the worker). */
export const SESSION_METHODS: readonly SessionMethod[] = [
  'summary',
  'reservationPage',
  'bootView',
  'timelinePage',
  'stateAt',
  'eventAtLine',
  'diagnostics',
  'addressInfo',
  'lenses',
  'matching',
  'sections',
  'foldingRanges',
  'reservations',
  'regionsAt',
  'whatIf',
  'compare',
  'compareWith',
];

export type RpcRequest =
  | { type: 'load'; id: number; text: string }
  | { type: 'load'; id: number; path: string }
  | { type: 'call'; id: number; method: SessionMethod; args: unknown[] }
  | { type: 'cancel'; id: number };

export type RpcResponse =
  | { type: 'progress'; id: number; fraction: number; message: string }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; message: string };

export interface LoadProgress {
  fraction: number;
  message: string;
}

export type AsyncSessionApi = {
  [K in SessionMethod]: (...args: Parameters<EngineSessionApi[K]>) => Promise<ReturnType<EngineSessionApi[K]>>;
};

/** Adapts an EventEmitter-style port (worker_threads Worker, parentPort, MessagePort). */
export function portFromNode(port: { postMessage(message: unknown): void; on(event: 'message', listener: (message: unknown) => void): unknown }): MessagePortLike {
  return { postMessage: (m) => port.postMessage(m), onMessage: (cb) => void port.on('message', cb) };
}

/** Adapts a DOM-style port (Worker, MessagePort, a worker's global scope). */
export function portFromWeb(port: {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  start?: () => void;
}): MessagePortLike {
  return {
    postMessage: (m) => port.postMessage(m),
    onMessage: (cb) => {
      port.addEventListener('message', (e) => cb(e.data));
      port.start?.();
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Worker side

export interface ServeOptions {
  /** How a `{ path }` load reads the file (the Node worker streams it); without it path loads fail. */
  openFile?: (path: string) => { size: number; chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array> };
  /** Characters per parse step of a text load (progress is posted between steps). Default 1 MiB. */
  chunkSize?: number;
}

export interface SessionServer {
  /** The loaded session (undefined before the first load completes). */
  readonly session: EngineSession | undefined;
}

const DEFAULT_CHUNK = 1 << 20;

class Superseded extends Error {
  constructor() {
    super('superseded by a newer load');
  }
}

/** Answers RpcRequests arriving on `port` with one EngineSession. */
export function serveSession(port: MessagePortLike, options: ServeOptions = {}): SessionServer {
  let session: EngineSession | undefined;
  let loading: Promise<EngineSession | undefined> = Promise.resolve(undefined);
  let generation = 0;
  const chunkSize = Math.max(1024, options.chunkSize ?? DEFAULT_CHUNK);
  const post = (m: RpcResponse) => port.postMessage(m);

  /**
   * Parses a log from its text (in chunkSize steps) or from a file path (openFile's chunks), posting
   * progress between steps; `check` runs after each step (it throws to stop). `sniff` sees the first
   * characters (empty for an empty file) before anything is parsed.
   */
  const readLog = async (
    source: { text?: unknown; path?: unknown },
    what: string,
    progress: (fraction: number, message: string) => void,
    check: () => void,
    sniff?: (sample: string) => void,
  ): Promise<ParseResult> => {
    const reader = new LogReader(recognizers);
    if (typeof source.text === 'string') {
      const text = source.text;
      sniff?.(text.slice(0, SNIFF_CHARS));
      progress(0, `Reading ${what}…`);
      for (let offset = 0; offset < text.length; offset += chunkSize) {
        reader.push(text.slice(offset, offset + chunkSize));
        const fraction = Math.min(1, (offset + chunkSize) / text.length);
        progress(fraction, `Reading ${what}… ${Math.floor(fraction * 100)}%`);
        await yieldToLoop();
        check();
      }
    } else if (typeof source.path === 'string') {
      if (!options.openFile) throw new Error('this worker cannot read files; send the text instead');
      const file = options.openFile(source.path);
      let read = 0;
      progress(0, `Reading ${what}…`);
      for await (const chunk of file.chunks as AsyncIterable<string | Uint8Array>) {
        if (read === 0) sniff?.(typeof chunk === 'string' ? chunk.slice(0, SNIFF_CHARS) : sniffBytes(chunk));
        reader.push(chunk);
        read += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
        const fraction = file.size > 0 ? Math.min(1, read / file.size) : 1;
        progress(fraction, `Reading ${what}… ${Math.floor(fraction * 100)}%`);
        await yieldToLoop();
        check();
      }
      if (read === 0) sniff?.('');
    } else {
      throw new Error('needs `text` or `path`');
    }
    return reader.end();
  };

  const load = async (request: Extract<RpcRequest, { type: 'load' }>): Promise<void> => {
    const mine = ++generation;
    const check = () => {
      if (mine !== generation) throw new Superseded();
    };
    const progress = (fraction: number, message: string) => post({ type: 'progress', id: request.id, fraction, message });
    const run = (async () => {
      if (!('text' in request && typeof request.text === 'string') && !('path' in request && typeof request.path === 'string')) {
        throw new Error('load needs `text` or `path`');
      }
      const parsed = await readLog(request, 'the log', progress, check);
      progress(1, `Analysing ${parsed.boots.length} boot(s), ${parsed.lineCount} lines…`);
      await yieldToLoop();
      check();
      const next = new EngineSession(analyzeParsed(parsed));
      check();
      return next;
    })();
    loading = run.catch(() => session);
    try {
      session = await run;
      post({ type: 'result', id: request.id, result: session.summary() satisfies LogSummary });
    } catch (error) {
      post({ type: 'error', id: request.id, message: messageOf(error) });
    }
  };

  /** The session once the latest load settled (a newer load may replace `loading` while we wait). */
  const loaded = async (): Promise<EngineSession> => {
    let waited: Promise<EngineSession | undefined>;
    do {
      waited = loading;
      await waited;
    } while (waited !== loading);
    if (!session) throw new Error('no log loaded');
    return session;
  };

  /** compareWith calls in progress, and those of them the host cancelled. */
  const comparing = new Set<number>();
  const cancelled = new Set<number>();

  /** compareWith: the other log is read in steps like a load (progress, cancellable), then dropped. */
  const compareWith = async (request: Extract<RpcRequest, { type: 'call' }>): Promise<void> => {
    const { id } = request;
    comparing.add(id);
    try {
      const args = Array.isArray(request.args) ? request.args : [];
      const other = args[0] as { text?: unknown; path?: unknown } | null;
      if (!other || typeof other !== 'object' || (typeof other.text !== 'string' && typeof other.path !== 'string')) {
        throw new Error("compareWith needs the other log's `text` or `path`");
      }
      const opts = parseCompareWithOptions(args[1]);
      const check = () => {
        if (cancelled.has(id)) throw new CompareCancelled();
      };
      const current = await loaded();
      check();
      const name = opts.names.b;
      const progress = (fraction: number, message: string) => post({ type: 'progress', id, fraction, message });
      const parsed = await readLog(other, name, progress, check, (sample) => {
        const problem = otherLogProblem(sample, name);
        if (problem) throw new Error(problem);
      });
      progress(1, `Analysing ${name}: ${parsed.boots.length} boot(s), ${parsed.lineCount} lines…`);
      await yieldToLoop();
      check();
      const view = current.compareWithAnalysis(analyzeParsed(parsed), opts);
      check();
      post({ type: 'result', id, result: view });
    } catch (error) {
      post({ type: 'error', id, message: messageOf(error) });
    } finally {
      comparing.delete(id);
      cancelled.delete(id);
    }
  };

  const call = async (request: Extract<RpcRequest, { type: 'call' }>): Promise<void> => {
    if (request.method === 'compareWith') return compareWith(request);
    try {
      if (!SESSION_METHODS.includes(request.method)) throw new Error(`unknown method ${String(request.method)}`);
      const current = await loaded();
      const fn = current[request.method] as (...args: unknown[]) => unknown;
      const result = fn.apply(current, Array.isArray(request.args) ? request.args : []);
      post({ type: 'result', id: request.id, result: result === undefined ? null : result });
    } catch (error) {
      post({ type: 'error', id: request.id, message: messageOf(error) });
    }
  };

  port.onMessage((raw) => {
    const m = raw as Partial<RpcRequest> | null;
    if (!m || typeof m !== 'object' || typeof m.id !== 'number') return;
    if (m.type === 'load') void load(m as Extract<RpcRequest, { type: 'load' }>);
    else if (m.type === 'call') void call(m as Extract<RpcRequest, { type: 'call' }>);
    else if (m.type === 'cancel') {
      // Only compareWith is cancellable this way (a load is cancelled by terminating the worker).
      if (comparing.has(m.id)) cancelled.add(m.id);
    }    else post({ type: 'error', id: m.id, message: `unknown request ${String((m as { type?: unknown }).type)}` });
  });

  return {
    get session() {
      return session;
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Lets queued messages (a newer load, calls) in between parse steps. */
function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

// ------------------------------------------------------------------------------------------------
// Host side

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (progress: LoadProgress) => void;
}

export class SessionClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly progressListeners = new Set<(progress: LoadProgress) => void>();
  private disposed: string | undefined;
  /** The session's methods as promises: `await client.api.stateAt(0, 12)`. */
  readonly api: AsyncSessionApi;

  constructor(private readonly port: MessagePortLike) {
    port.onMessage((raw) => this.receive(raw));
    const api: Partial<Record<SessionMethod, (...args: unknown[]) => Promise<unknown>>> = {};
    for (const method of SESSION_METHODS) api[method] = (...args: unknown[]) => this.send({ type: 'call', method, args });
    // compareWith's third argument (progress, cancellation) stays on this side.
    api.compareWith = (...args: unknown[]) => this.compareWith(args[0] as OtherLog, args[1] as CompareWithOptions, args[2] as CompareControl | undefined);
    this.api = api as AsyncSessionApi;
  }

  /**
   * Compares the loaded log with another one (its text, or a path the Node worker streams), parsed in
   * the worker in steps: `control.onProgress` gets its progress, aborting `control.signal` cancels it
   * (the promise rejects at once with an AbortError; the worker stops at its next step).
   */
  compareWith(other: OtherLog, options: CompareWithOptions, control: CompareControl = {}): Promise<CompareView> {
    if (this.disposed) return Promise.reject(new Error(this.disposed));
    if (control.signal?.aborted) return Promise.reject(new CompareCancelled());
    const id = this.nextId++;
    return new Promise<CompareView>((resolve, reject) => {
      this.pending.set(id, { resolve: (v) => resolve(v as CompareView), reject, onProgress: control.onProgress });
      control.signal?.addEventListener?.(
        'abort',
        () => {
          if (!this.pending.delete(id)) return;
          this.port.postMessage({ type: 'cancel', id } satisfies RpcRequest);
          reject(new CompareCancelled());
        },
        { once: true },
      );
      this.port.postMessage({ type: 'call', id, method: 'compareWith', args: [other, options] } satisfies RpcRequest);
    });
  }

  /** Loads (and analyses) a log from its text, or from a file path (Node worker only). */
  load(source: string | { path: string }, onProgress?: (progress: LoadProgress) => void): Promise<LogSummary> {
    const request = typeof source === 'string' ? { type: 'load' as const, text: source } : { type: 'load' as const, path: source.path };
    return this.send(request, onProgress) as Promise<LogSummary>;
  }

  call<M extends SessionMethod>(method: M, ...args: Parameters<EngineSessionApi[M]>): Promise<ReturnType<EngineSessionApi[M]>> {
    return this.send({ type: 'call', method, args }) as Promise<ReturnType<EngineSessionApi[M]>>;
  }

  /** Progress of every load (in addition to the per-load callback). Returns an unsubscribe function. */
  onProgress(listener: (progress: LoadProgress) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  /** Rejects everything pending and refuses new requests (call it when the worker is terminated). */
  dispose(reason = 'session client disposed'): void {
    if (this.disposed) return;
    this.disposed = reason;
    const error = new Error(reason);
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    this.progressListeners.clear();
  }

  private send(request: { type: 'load'; text: string } | { type: 'load'; path: string } | { type: 'call'; method: SessionMethod; args: unknown[] }, onProgress?: (p: LoadProgress) => void): Promise<unknown> {
    if (this.disposed) return Promise.reject(new Error(this.disposed));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.port.postMessage({ ...request, id });
    });
  }

  private receive(raw: unknown): void {
    const m = raw as Partial<RpcResponse> | null;
    if (!m || typeof m !== 'object' || typeof m.id !== 'number') return;
    const p = this.pending.get(m.id);
    if (m.type === 'progress') {
      const progress = { fraction: Number(m.fraction) || 0, message: String(m.message ?? '') };
      p?.onProgress?.(progress);
      for (const listener of this.progressListeners) listener(progress);
      return;
    }
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === 'result') p.resolve(m.result === null ? undefined : m.result);
    else p.reject(new Error(m.type === 'error' ? String(m.message) : 'malformed response'));
  }
}
