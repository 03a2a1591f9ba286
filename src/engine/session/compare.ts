// compareWith: a boot of the session's log compared with a boot of another log, which is read for
// that one call. The checks and the comparison itself are shared by the in-process session
// (EngineSession.compareWith, text only) and the worker (rpc.ts, which streams a path or the text in
// steps with progress and cancellation). Pure TypeScript, no `vscode`.

import type { Analysis } from '../analyze';
import { diffBoots } from '../diff/diff';
import type { CompareView } from '../../protocol/messages';
import type { CompareWithOptions } from './api';
import { compareView } from './views';

/** The other log is judged binary from this many leading characters (bytes). */
export const SNIFF_CHARS = 65536;

/** compareWith was cancelled (the host aborted it). */
export class CompareCancelled extends Error {
  constructor() {
    super('comparison cancelled');
    this.name = 'AbortError';
  }
}

/**
 * Why `sample` (the first characters of the other log) is not a text log, or undefined. A text log
 * may carry a few NULs or escape bytes (serial captures do); a binary file is dense with them, or with
 * bytes that are not UTF-8 (decoded as U+FFFD). The same rule as the CLI's input check.
 */
export function otherLogProblem(sample: string, name: string): string | undefined {
  if (sample.length === 0) return `${name} is empty.`;
  const n = Math.min(sample.length, SNIFF_CHARS);
  let control = 0;
  let replaced = 0;
  for (let i = 0; i < n; i++) {
    const c = sample.charCodeAt(i);
    if (c < 8 || (c > 13 && c < 27) || (c > 27 && c < 32)) control++;
    else if (c === 0xfffd) replaced++;
  }
  if (control / n > 0.05 || replaced / n > 0.3) return `${name} looks like a binary file, not a text log.`;
  return undefined;
}

/** Text of the first bytes of a file, for otherLogProblem (undecodable bytes become U+FFFD). */
export function sniffBytes(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes.subarray(0, SNIFF_CHARS), { stream: true });
}

/** Boot A of `a` (this log) compared with boot B of `b` (the other log). Throws a one-line reason. */
export function compareAnalyses(a: Analysis, b: Analysis, options: CompareWithOptions): CompareView {
  const { names } = options;
  if (b.boots.length === 0) throw new Error(`${names.b} holds no kernel boot (no "Linux version" banner or memory messages): is it a boot log?`);
  if (a.boots.length === 0) throw new Error(`${names.a} holds no kernel boot.`);
  const bootA = options.bootA ?? a.boots.length - 1;
  const bootB = options.bootB ?? b.boots.length - 1;
  if (!a.boots[bootA]) throw new Error(`${names.a} has no boot ${bootA} (it has ${a.boots.length}).`);
  if (!b.boots[bootB]) throw new Error(`${names.b} has no boot ${bootB} (it has ${b.boots.length}).`);
  return compareView(diffBoots(a.boots[bootA], b.boots[bootB]), names, false, 'a');
}

/** Checks compareWith's options as they arrive over the RPC (plain JSON from the host). */
export function parseCompareWithOptions(x: unknown): CompareWithOptions {
  const o = (x && typeof x === 'object' ? x : {}) as Record<string, unknown>;
  const names = (o.names && typeof o.names === 'object' ? o.names : {}) as Record<string, unknown>;
  const boot = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);
  return {
    names: { a: typeof names.a === 'string' ? names.a : 'this log', b: typeof names.b === 'string' ? names.b : 'the other log' },
    bootA: boot(o.bootA),
    bootB: boot(o.bootB),
  };
}
