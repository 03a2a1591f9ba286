import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter, MAX_LINE_LENGTH, splitLines } from '../../../src/engine/parse/lines';

const CORPUS = path.resolve(__dirname, '../../fixtures/corpus');
const corpusFiles = ['real', 'qemu'].flatMap((dir) =>
  readdirSync(path.join(CORPUS, dir))
    .filter((f) => f.endsWith('.log'))
    .map((f) => path.join(CORPUS, dir, f)),
);

/** What VS Code shows: `\r\n`, `\n` and a lone `\r` each break a line; the empty line after a final break is not counted. */
function vscodeLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function splitChunks(chunks: Array<string | Uint8Array>): { lines: string[]; numbers: number[]; splitter: LineSplitter } {
  const lines: string[] = [];
  const numbers: number[] = [];
  const splitter = new LineSplitter((text, no) => {
    lines.push(text);
    numbers.push(no);
  });
  for (const c of chunks) splitter.push(c);
  splitter.end();
  return { lines, numbers, splitter };
}

/** Cuts bytes into pieces of pseudo-random sizes (1..max), deterministic per seed. */
function cut(bytes: Uint8Array, seed: number, max: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let state = seed;
  for (let i = 0; i < bytes.length; ) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    const n = 1 + (state % max);
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

describe('line splitting: VS Code line numbers', () => {
  it.each([
    ['a\nb\nc', ['a', 'b', 'c']],
    ['a\r\nb\r\n', ['a', 'b']],
    ['a\rb', ['a', 'b']],
    // \r\r\n is two breaks in VS Code: an empty line between.
    ['a\r\r\nb', ['a', '', 'b']],
    // A serial console's `text\r   \r\n` (iPXE prompt redraw) is two lines.
    ['Press Ctrl-B\r     \r\nBooting', ['Press Ctrl-B', '     ', 'Booting']],
    ['\n\n', ['', '']],
    ['', []],
    ['x', ['x']],
    ['\uFEFFbom first', ['bom first']],
  ])('%j', (input, expected) => {
    expect(splitLines(input)).toEqual(expected);
  });

  it('numbers lines from 1, counting every break', () => {
    const { numbers, splitter } = splitChunks(['a\r\n\rb\n', 'c']);
    expect(numbers).toEqual([1, 2, 3, 4]);
    expect(splitter.lineCount).toBe(4);
    expect(splitter.stats).toMatchObject({ crlf: 1, bareCr: 1, lf: 1 });
  });

  it('keeps a CRLF whole when a chunk ends between \\r and \\n', () => {
    const { lines, splitter } = splitChunks(['one\r', '\ntwo\r', '\r', '\nthree\r']);
    expect(lines).toEqual(['one', 'two', '', 'three']);
    expect(splitter.stats.crlf).toBe(2);
    expect(splitter.stats.bareCr).toBe(2);
  });

  it('gives the same lines for any chunking of any text (property)', () => {
    const alphabet = fc.constantFrom('a', 'b', ' ', '\r', '\n', '\t', 'é', '😀');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 200 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1 }), (chars, sizes) => {
        const text = chars.join('');
        const chunks: string[] = [];
        for (let i = 0, k = 0; i < text.length; k++) {
          const n = sizes[k % sizes.length];
          chunks.push(text.slice(i, i + n));
          i += n;
        }
        expect(splitChunks(chunks).lines).toEqual(vscodeLines(text));
      }),
      { numRuns: 300 },
    );
  });

  it.each(corpusFiles.map((f) => [path.relative(CORPUS, f), f]))('%s: lines and numbers match VS Code, whatever the byte chunking', (_name, file) => {
    const bytes = readFileSync(file);
    const expected = vscodeLines(bytes.toString('utf8'));
    const whole = splitChunks([bytes.toString('utf8')]);
    expect(whole.lines).toEqual(expected);
    expect(whole.splitter.lineCount).toBe(expected.length);
    // Byte chunks that cut UTF-8 sequences and CRLF pairs anywhere.
    for (const [seed, max] of [[1, 7], [2, 100], [3, 4096]]) {
      expect(splitChunks(cut(bytes, seed, max)).lines).toEqual(expected);
    }
  });

  it('counts the bare CR of the qemu x86 iPXE prompt as VS Code does', () => {
    const file = path.join(CORPUS, 'qemu/x86_64-1node-1g-memblock-debug.log');
    const { lines } = splitChunks([readFileSync(file)]);
    // grep -n says 9 for the banner line; VS Code (and we) say 10 because of `…(PCI 00:03.0)...\r   \r\n`.
    expect(lines.findIndex((l) => l.includes('Linux version')) + 1).toBe(10);
    expect(lines[4]).toBe('Press Ctrl-B to configure iPXE (PCI 00:03.0)...');
    expect(lines[5].trim()).toBe('');
  });
});

describe('line splitting: hostile input', () => {
  it('decodes UTF-8 split across chunks, and replaces invalid bytes without throwing', () => {
    const euro = new TextEncoder().encode('€ ok\n');
    const { lines, splitter } = splitChunks([euro.subarray(0, 1), euro.subarray(1, 2), euro.subarray(2), new Uint8Array([0xff, 0xfe, 0x41, 0x0a])]);
    expect(lines).toEqual(['€ ok', '\uFFFD\uFFFDA']);
    expect(splitter.stats.invalidUtf8).toBe(true);
  });

  it('cuts an absurd line at 64 KiB, in one string or streamed, and counts it', () => {
    const huge = 'x'.repeat(3 * MAX_LINE_LENGTH + 5);
    const one = splitChunks([huge + '\nnext']);
    expect(one.lines.map((l) => l.length)).toEqual([MAX_LINE_LENGTH, 4]);
    expect(one.splitter.stats.truncated).toBe(1);
    const chunks: string[] = [];
    for (let i = 0; i < huge.length; i += 1000) chunks.push(huge.slice(i, i + 1000));
    const streamed = splitChunks([...chunks, '\r\nnext']);
    expect(streamed.lines.map((l) => l.length)).toEqual([MAX_LINE_LENGTH, 4]);
    expect(streamed.numbers).toEqual([1, 2]);
    expect(streamed.splitter.stats.truncated).toBe(1);
  });

  it('streams a 200 MB single line in constant memory', () => {
    const chunk = new Uint8Array(1 << 20).fill(0x41);
    const lines: number[] = [];
    const splitter = new LineSplitter((text) => lines.push(text.length));
    for (let i = 0; i < 200; i++) splitter.push(chunk);
    splitter.end();
    expect(lines).toEqual([MAX_LINE_LENGTH]);
    expect(splitter.stats.truncated).toBe(1);
  });
});
