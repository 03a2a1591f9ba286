// Checks a path before the engine reads it, so every bad input gets one clear line, not a stack trace.

import { isUtf8 } from 'node:buffer';
import { closeSync, openSync, readSync, statSync } from 'node:fs';

export class UsageError extends Error {}

/** Throws UsageError with a one-line reason when `path` is not a readable, non-empty text file. */
export function checkTextFile(path: string): void {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new UsageError(`${path}: no such file`);
  }
  if (stat.isDirectory()) throw new UsageError(`${path}: is a directory, not a log file`);
  if (!stat.isFile()) throw new UsageError(`${path}: not a regular file`);
  if (stat.size === 0) throw new UsageError(`${path}: the file is empty`);
  if (looksBinary(path)) throw new UsageError(`${path}: looks like a binary file, not a text log`);
}

/**
 * A text log may carry a few NULs or escape bytes (serial captures do); a binary file is dense with
 * them. Judge the first 64 KiB.
 */
function looksBinary(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(65536);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    let control = 0;
    let high = 0;
    for (let i = 0; i < length; i++) {
      const byte = buffer[i];
      if (byte < 8 || (byte > 13 && byte < 27) || (byte > 27 && byte < 32)) control++;
      else if (byte >= 0x80) high++;
    }
    if (length === 0) return false;
    if (control / length > 0.05) return true;
    // Many high bytes that do not form UTF-8: not text in any encoding a kernel prints.
    return high / length > 0.3 && !isUtf8(buffer.subarray(0, length));
  } finally {
    closeSync(fd);
  }
}
