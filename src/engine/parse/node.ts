// Node-only entry point: streams a file from disk (never holds it in one string).

import { createReadStream } from 'node:fs';
import type { ParseResult } from '../types';
import { parseLog } from './index';

/** Chunk size for reading: large enough that per-chunk overhead vanishes, small enough to stream. */
const CHUNK_BYTES = 1 << 20;

/** Parses a log file by streaming its bytes (UTF-8; invalid bytes are replaced, never fatal). */
export function parseFile(path: string): Promise<ParseResult> {
  return parseLog(createReadStream(path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Uint8Array>);
}
