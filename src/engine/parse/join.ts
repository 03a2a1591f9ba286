// Re-joining kernel messages that a mail client, a forum or a terminal broke over several
// physical lines (printk-formats.md section 1, "Continuation lines").
//
// A physical line continues the message before it only when all of these hold:
// - it has no kernel envelope of its own (no timestamp, syslog or kmsg prefix) while the message
//   before it has one: in a log without timestamps nothing can be told apart, so nothing is joined;
// - it sits at the same mail quote depth (mail clients re-wrap inside the quote: `>> 0xbdfff000 bytes…`);
// - and the message before it is visibly unfinished, in one of three ways:
//   * a terminal wrap: the line before was cut at the terminal width (it is as long as the longest
//     line seen, and long: 100+ columns, where mail clients wrap at ≤ 80). The cut falls anywhere,
//     even inside a word (`console` / `=tty0`), so the parts are concatenated as they are;
//   * a format=flowed soft break: the line before ends with a space. One space joins them;
//   * the recognizers say the message is cut short (needsContinuation: missing `]`, caller, `bytes
//     flags`...), or a `Linux version` banner has unbalanced parentheses or no build date yet.
//     Mail clients drop the space where they wrap, so one space joins them.
// A complete message is never extended, and a blank line ends any message.

import type { LogRecord } from '../types';
import type { Stripped } from './envelope';

/** A stripped logical line with its physical span and its length as written (for wrap widths). */
export type Piece = Stripped;

/** A LogRecord plus what the reader needs for boot splitting and unread filtering. */
export interface ReaderRecord extends LogRecord {
  /** The first physical line had a kernel envelope of its own. */
  kernel: boolean;
}

/** Terminals narrower than this are rare; mail clients wrap at 72–78. */
const TERMINAL_MIN_WIDTH = 100;

export class LineJoiner {
  // The message being built, and what the next piece is matched against. Kept as fields rather
  // than a per-message object: the joiner sees every line of the log.
  private rec: ReaderRecord | undefined;
  private quoteDepth = 0;
  private softBreak = false;
  private lastRawLength = 0;
  private widest = 0;

  constructor(
    private readonly needsContinuation: (text: string) => boolean,
    private readonly emit: (rec: ReaderRecord) => void,
    private readonly layers: Set<string>,
  ) {}

  /** Takes one stripped line. `piece` is only read, never kept (the reader reuses it). */
  push(piece: Piece): void {
    const prev = this.rec;
    if (prev !== undefined && piece.text.length > 0) {
      const sep = this.separator(prev, piece);
      if (sep !== undefined) {
        this.extend(prev, piece, sep);
        if (piece.rawLength > this.widest) this.widest = piece.rawLength;
        return;
      }
    }
    if (piece.rawLength > this.widest) this.widest = piece.rawLength;
    this.flush();
    if (piece.text.length === 0) return;
    this.rec = { line: piece.line, endLine: piece.endLine, text: piece.text, time: piece.time, kernel: piece.kernel };
    this.quoteDepth = piece.quoteDepth;
    this.softBreak = piece.softBreak;
    this.lastRawLength = piece.rawLength;
  }

  /** Emits the message being built (call at the end, and before markers). */
  flush(): void {
    const rec = this.rec;
    if (rec === undefined) return;
    this.rec = undefined;
    this.emit(rec);
  }

  /** The text that glues `piece` to `prev`, or undefined when it starts a message of its own. */
  private separator(prev: ReaderRecord, piece: Piece): string | undefined {
    if (piece.kernel || !prev.kernel || piece.quoteDepth !== this.quoteDepth) return undefined;
    if (this.softBreak) {
      this.layers.add('format-flowed');
      return ' ';
    }
    if (this.lastRawLength >= TERMINAL_MIN_WIDTH && this.lastRawLength >= this.widest) {
      this.layers.add('terminal-wrap');
      return piece.leadingBlank ? ' ' : '';
    }
    if (this.needsContinuation(prev.text) || bannerIncomplete(prev.text)) {
      this.layers.add('wrapped');
      return ' ';
    }
    return undefined;
  }

  private extend(prev: ReaderRecord, piece: Piece, sep: string): void {
    prev.text = prev.text + sep + piece.text;
    prev.endLine = piece.endLine;
    this.softBreak = piece.softBreak;
    this.lastRawLength = piece.rawLength;
  }
}

const BUILD_DATE = /#\S*.*\b(?:19|20)\d\d\b/;

/** `Linux version 5.17.0-rc3+ (loongson@linux) (gcc (GCC) 7.3.1` — the banner ends with `#N … <year>`. */
export function bannerIncomplete(text: string): boolean {
  if (!text.startsWith('Linux version ')) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41) depth--;
  }
  return depth > 0 || !BUILD_DATE.test(text);
}
