// The log reader: raw chunks in, boots with memory events out.
//
//   LineSplitter  →  QuotedPrintable  →  EnvelopeStripper  →  LineJoiner  →  BootSplitter → recognizers
//   (physical        (soft breaks,        (timestamps,          (wrapped        (boots, banner facts,
//    lines)           =3D)                 prefixes, quotes)     lines)           MessageParser per boot)
//
// Everything streams: one unfinished physical line and one unfinished message are the only state
// carried between chunks, so a file of any size is read in constant memory (events aside).
// The recognizers are injected (see index.ts for the real ones) so the reader is testable alone.

import type { ParseResult } from '../types';
import { BootSplitter, type CreateMessageParser } from './boots';
import { blankStripped, EnvelopeStripper, QuotedPrintable, type Stripped } from './envelope';
import { LineJoiner } from './join';
import { LineSplitter } from './lines';

export interface Recognizers {
  createParser: CreateMessageParser;
  /** A message cut short, that the next physical line may continue. */
  needsContinuation(text: string): boolean;
}

export class LogReader {
  private readonly splitter: LineSplitter;
  private readonly qp = new QuotedPrintable();
  private readonly envelope = new EnvelopeStripper();
  private readonly joiner: LineJoiner;
  private readonly boots: BootSplitter;
  private ended: ParseResult | undefined;
  private readonly flushQp: () => void;
  /** One stripped line at a time: the joiner copies what it keeps, so one object serves every line. */
  private readonly piece: Stripped = blankStripped();

  constructor(recognizers: Recognizers) {
    const onLogical = (text: string, line: number, endLine: number) => this.onLogicalLine(text, line, endLine);
    this.splitter = new LineSplitter((text, no) => this.qp.feed(text, no, onLogical));
    this.flushQp = () => this.qp.flush(onLogical);
    this.boots = new BootSplitter(recognizers.createParser);
    this.joiner = new LineJoiner(recognizers.needsContinuation, (rec) => this.boots.push(rec), this.envelope.layers);
  }

  push(chunk: string | Uint8Array): void {
    this.splitter.push(chunk);
  }

  end(): ParseResult {
    if (this.ended) return this.ended;
    this.splitter.end();
    this.flushQp();
    this.joiner.flush();
    const boots = this.boots.end();
    this.ended = {
      boots,
      lineCount: this.splitter.lineCount,
      unreadCount: boots.reduce((sum, b) => sum + b.unreadCount, 0),
      envelopes: this.envelopeNames(),
    };
    return this.ended;
  }

  private onLogicalLine(text: string, line: number, endLine: number): void {
    const piece = this.piece;
    this.strip(text, piece);
    if (piece.marker) {
      this.joiner.flush();
      this.boots.marker(line);
      return;
    }
    if (piece.skip) return;
    piece.line = line;
    piece.endLine = endLine;
    piece.rawLength = text.length;
    this.joiner.push(piece);
  }

  /** Never lets a line stop the file: if stripping fails, the line is kept as plain text. */
  private strip(text: string, out: Stripped): void {
    try {
      this.envelope.stripInto(text, out);
    } catch {
      out.text = text.trim();
      out.time = undefined;
      out.kernel = false;
      out.quoteDepth = 0;
      out.softBreak = false;
      out.leadingBlank = false;
      out.skip = false;
      out.marker = undefined;
    }
  }

  private envelopeNames(): string[] {
    const names = new Set(this.envelope.layers);
    const stats = this.splitter.stats;
    if (stats.crlf > 0) names.add('crlf');
    if (stats.bareCr > 0) names.add('bare-cr');
    if (stats.truncated > 0) names.add('truncated-line');
    if (stats.invalidUtf8) names.add('invalid-utf8');
    if (stats.bom) names.add('bom');
    if (this.qp.active) names.add('quoted-printable');
    return [...names].sort();
  }
}

/** Reads a whole string with the given recognizers. */
export function readText(text: string, recognizers: Recognizers): ParseResult {
  const reader = new LogReader(recognizers);
  reader.push(text);
  return reader.end();
}

/** Reads chunks (strings or UTF-8 bytes) with the given recognizers. */
export function readChunks(chunks: Iterable<string | Uint8Array>, recognizers: Recognizers): ParseResult {
  const reader = new LogReader(recognizers);
  for (const chunk of chunks) reader.push(chunk);
  return reader.end();
}

/** Reads a sync or async stream of chunks. */
export async function readStream(
  source: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
  recognizers: Recognizers,
): Promise<ParseResult> {
  const reader = new LogReader(recognizers);
  if (Symbol.asyncIterator in source) {
    for await (const chunk of source as AsyncIterable<string | Uint8Array>) reader.push(chunk);
  } else {
    for (const chunk of source as Iterable<string | Uint8Array>) reader.push(chunk);
  }
  return reader.end();
}
