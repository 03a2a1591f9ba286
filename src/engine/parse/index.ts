// Public entry points of the log reader, wired to the message recognizers.
// Pure TypeScript: runs in Node, the extension host and a web worker. File access is in node.ts.

import type { ParseResult } from '../types';
import { MessageParser, needsContinuation } from './messages/index';
import { readChunks, readStream, readText, type Recognizers } from './reader';

export { LogReader, type Recognizers } from './reader';
export { MAX_LINE_LENGTH } from './lines';
export { UNREAD_KEEP } from './boots';

/** The real recognizers (src/engine/parse/messages). */
export const recognizers: Recognizers = {
  createParser: (ctx) => new MessageParser(ctx),
  needsContinuation,
};

/** Parses a whole log held in a string. */
export function parseText(text: string): ParseResult {
  return readText(text, recognizers);
}

/** Parses a log given as chunks (strings, or UTF-8 bytes that may split characters anywhere). */
export function parseChunks(chunks: Iterable<string | Uint8Array>): ParseResult {
  return readChunks(chunks, recognizers);
}

/** Parses a sync or async stream of chunks; same result as parseText on the concatenation. */
export function parseLog(
  source: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
): Promise<ParseResult> {
  return readStream(source, recognizers);
}
