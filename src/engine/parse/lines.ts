// Streaming line splitting: chunks in, numbered physical lines out.
//
// Line numbers must match what VS Code shows for the same file, because every event points back
// at a line the user can click. VS Code counts `\r\n`, `\n` and a lone `\r` each as one break, so
// `\r\r\n` is two breaks (an empty line between) and a serial capture's `text\r   \r\n` is two
// lines. A break after the last character does not open a new line here: `lineCount` is the
// number of the last line that has content (VS Code shows one more, empty, line in that case).
//
// The splitter never holds more than one unfinished line: a chunk boundary can fall anywhere,
// including between the `\r` and `\n` of one break or inside a UTF-8 sequence.

import { Utf8Windows } from './utf8';

/** Lines longer than this are cut (a 200 MB "line" of binary junk must not be copied around). */
export const MAX_LINE_LENGTH = 64 * 1024;

/** Receives each physical line without its terminator. */
export type LineSink = (text: string, lineNo: number) => void;

export interface LineStats {
  lf: number;
  crlf: number;
  /** `\r` not followed by `\n` (includes the first `\r` of `\r\r\n`). */
  bareCr: number;
  /** Lines cut at MAX_LINE_LENGTH. */
  truncated: number;
  /** The byte input held sequences that are not UTF-8 (decoded as U+FFFD). */
  invalidUtf8: boolean;
  bom: boolean;
}

const LF = 10;
const CR = 13;

export class LineSplitter {
  readonly stats: LineStats = { lf: 0, crlf: 0, bareCr: 0, truncated: 0, invalidUtf8: false, bom: false };
  private lineNo = 0;
  /** Start of the unfinished line (at most MAX_LINE_LENGTH chars). */
  private carry = '';
  /** The unfinished line already passed MAX_LINE_LENGTH: drop text until its break. */
  private overflow = false;
  /** The previous chunk ended with `\r`: a `\n` opening this chunk completes that break. */
  private swallowLf = false;
  private started = false;
  private utf8?: Utf8Windows;
  private readonly onDecoded = (text: string): void => {
    if (!this.stats.invalidUtf8 && text.indexOf('\uFFFD') >= 0) this.stats.invalidUtf8 = true;
    this.pushText(text);
  };

  constructor(private readonly sink: LineSink) {}

  /** Physical lines emitted so far. */
  get lineCount(): number {
    return this.lineNo;
  }

  /** Takes text, or UTF-8 bytes (invalid bytes become U+FFFD, a BOM is dropped); `chunk` is not kept. */
  push(chunk: string | Uint8Array): void {
    if (typeof chunk !== 'string') {
      (this.utf8 ??= new Utf8Windows()).push(chunk, this.onDecoded);
    } else if (chunk.length > 0) {
      this.pushText(chunk);
    }
  }

  /** Flushes the decoder and the last line when it has no terminator. */
  end(): void {
    this.utf8?.end(this.onDecoded);
    if (this.carry.length > 0 || this.overflow) this.emit('');
    this.carry = '';
    this.overflow = false;
  }

  private pushText(text: string): void {
    let pos = 0;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) {
        this.stats.bom = true;
        pos = 1;
      }
    }
    if (this.swallowLf) {
      this.swallowLf = false;
      if (text.charCodeAt(pos) === LF) {
        pos++;
        this.stats.crlf++;
        this.stats.bareCr--; // counted as bare when the chunk ended
      }
    }
    this.scan(text, pos);
  }

  /** Finds breaks with indexOf (native, near memchr speed) and remembers both next positions. */
  private scan(text: string, start: number): void {
    const len = text.length;
    let pos = start;
    let lf = text.indexOf('\n', pos);
    let cr = text.indexOf('\r', pos);
    while (lf >= 0 || cr >= 0) {
      let brk: number;
      let next: number;
      if (cr < 0 || (lf >= 0 && lf < cr)) {
        brk = lf;
        next = lf + 1;
        this.stats.lf++;
      } else {
        brk = cr;
        if (cr + 1 < len) {
          if (text.charCodeAt(cr + 1) === LF) {
            next = cr + 2;
            this.stats.crlf++;
          } else {
            next = cr + 1;
            this.stats.bareCr++;
          }
        } else {
          // A `\r` ends the chunk: it is a break either way; a leading `\n` next time belongs to it.
          next = len;
          this.swallowLf = true;
          this.stats.bareCr++;
        }
      }
      this.emitSlice(text, pos, brk);
      pos = next;
      if (lf >= 0 && lf < pos) lf = text.indexOf('\n', pos);
      if (cr >= 0 && cr < pos) cr = text.indexOf('\r', pos);
    }
    if (pos < len) this.keep(text, pos, len);
  }

  private emitSlice(text: string, from: number, to: number): void {
    if (this.carry.length === 0 && !this.overflow) {
      if (to - from > MAX_LINE_LENGTH) {
        this.stats.truncated++;
        this.sinkLine(text.slice(from, from + MAX_LINE_LENGTH));
      } else {
        this.sinkLine(text.slice(from, to));
      }
      return;
    }
    this.keep(text, from, to);
    this.emit('');
  }

  /** Appends part of a chunk to the unfinished line, up to the cap. */
  private keep(text: string, from: number, to: number): void {
    if (this.overflow) return;
    const room = MAX_LINE_LENGTH - this.carry.length;
    if (to - from > room) {
      this.carry += text.slice(from, from + room);
      this.overflow = true;
    } else {
      this.carry += text.slice(from, to);
    }
  }

  private emit(tail: string): void {
    let line = this.carry + tail;
    if (this.overflow) this.stats.truncated++;
    if (line.length > MAX_LINE_LENGTH) line = line.slice(0, MAX_LINE_LENGTH);
    this.carry = '';
    this.overflow = false;
    this.sinkLine(line);
  }

  private sinkLine(line: string): void {
    this.sink(line, ++this.lineNo);
  }
}

/** Splits a whole string (tests, small inputs). */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  splitter.push(text);
  splitter.end();
  return lines;
}
