// Node-only entry point: streams a file from disk (never holds it in one string).

import { open, type FileHandle } from 'node:fs/promises';
import type { ParseResult } from '../types';
import { parseLog } from './index';

/** Chunk size for reading: large enough that per-chunk overhead vanishes, small enough to stream. */
const CHUNK_BYTES = 1 << 20;

/** Parses a log file by streaming its bytes (UTF-8; invalid bytes are replaced, never fatal). */
export async function parseFile(path: string): Promise<ParseResult> {
  const file = await open(path, 'r');
  try {
    return await parseLog(chunksOf(file));
  } finally {
    await file.close();
  }
}

/**
 * The file's bytes, every chunk read into the same buffer. The reader decodes a chunk completely
 * before it asks for the next, so one buffer is enough, and reading a large file does not make
 * (and page in) a fresh megabyte per chunk as a read stream does.
 */
async function* chunksOf(file: FileHandle): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(CHUNK_BYTES);
  for (;;) {
    const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, null);
    if (bytesRead === 0) return;
    yield buffer.subarray(0, bytesRead);
  }
}
