// UTF-8 bytes to text, one window of at most WINDOW_BYTES at a time.
//
// Why not one streaming TextDecoder (`decode(chunk, { stream: true })`)? In Node, a streaming
// decode goes through ICU and returns every chunk as a two-byte (UTF-16) string, even pure ASCII,
// while a one-shot decode takes a fast path and returns a one-byte string: half the memory for
// every line sliced from it, and faster searches in every later step. Small windows decode into
// ordinary young-generation strings instead of fresh large-object pages (a 1 MiB chunk is one).
//
// One-shot decodes need cut points where a streaming decoder would stand between characters. A
// window ends after its last `\n` when it has one, else before the unfinished character at its
// end; the bytes of a character cut at the end of a chunk wait for the next chunk. The text is the
// same, character for character, as one streaming decode of all the bytes: a BOM at the start is
// dropped, invalid sequences become U+FFFD.

/** Small enough that even a window of non-ASCII text decodes into a young-generation string. */
export const WINDOW_BYTES = 32 * 1024;

const LF = 10;

export class Utf8Windows {
  private readonly decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  /** Bytes of an unfinished character (or of a possible BOM) waiting for the next chunk. */
  private pending: Uint8Array | null = null;
  /** Whether the first character was seen (only that one can be a BOM). */
  private started = false;

  /** Decodes `bytes` (which may be reused by the caller once this returns) into `sink`. */
  push(bytes: Uint8Array, sink: (text: string) => void): void {
    let input = bytes;
    if (this.pending !== null) {
      input = concat(this.pending, bytes);
      this.pending = null;
    }
    const len = input.length;
    if (len === 0) return;
    let from = 0;
    if (!this.started) {
      if (len < 3 && isBomStart(input)) {
        this.pending = input.slice();
        return;
      }
      this.started = true;
      if (input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf) from = 3;
    }
    while (from < len) {
      let to = from + WINDOW_BYTES;
      if (to >= len) {
        to = len - incompleteTail(input, from, len);
        if (to < len) this.pending = input.slice(to);
        if (to > from) sink(this.decoder.decode(input.subarray(from, to)));
        return;
      }
      const lf = input.lastIndexOf(LF, to - 1);
      to = lf >= from ? lf + 1 : to - incompleteTail(input, from, to);
      sink(this.decoder.decode(input.subarray(from, to)));
      from = to;
    }
  }

  /** An unfinished character at the end of the input, which decodes as U+FFFD. */
  end(sink: (text: string) => void): void {
    const rest = this.pending;
    this.pending = null;
    if (rest !== null && rest.length > 0) sink(this.decoder.decode(rest));
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/** The first bytes of the stream could still become a BOM (EF BB BF). */
function isBomStart(bytes: Uint8Array): boolean {
  return bytes[0] === 0xef && (bytes.length < 2 || bytes[1] === 0xbb);
}

/**
 * How many bytes at the end of bytes[start, end) begin a character that is not finished (0–3):
 * a valid lead byte followed by fewer continuation bytes than it needs, all of them acceptable so
 * far. Anything else leaves a streaming decoder between characters (an invalid byte has already
 * become U+FFFD). bytes[start] is known to start a character or be invalid on its own.
 */
export function incompleteTail(bytes: Uint8Array, start: number, end: number): number {
  for (let k = 1; k <= 3 && end - k >= start; k++) {
    const c = bytes[end - k]!;
    if (c < 0x80) return 0;
    if (c < 0xc0) continue; // a continuation byte: its lead is further back
    if (c < 0xc2 || c > 0xf4) return 0; // never a lead
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    if (k >= need) return 0;
    return k === 1 || secondByteFits(c, bytes[end - k + 1]!) ? k : 0;
  }
  return 0;
}

/** The ranges WHATWG's decoder accepts right after E0, ED, F0 and F4 (no overlongs, surrogates, > U+10FFFF). */
function secondByteFits(lead: number, second: number): boolean {
  switch (lead) {
    case 0xe0:
      return second >= 0xa0;
    case 0xed:
      return second <= 0x9f;
    case 0xf0:
      return second >= 0x90;
    case 0xf4:
      return second <= 0x8f;
    default:
      return true;
  }
}
