// The streamed JSON writer must print exactly what JSON.stringify(value, null, 2) prints, because
// the CLI's --json output and the exported report are read by other tools.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { analyzeText } from '../../src/engine/analyze';
import { analysisJson, jsonChunks } from '../../src/engine/report/json';

const SAMPLE = path.resolve(__dirname, '../fixtures/sample/x86_64-2node-2g-memblock-debug.log');

const streamed = (value: unknown, chunk?: number) => [...jsonChunks(value, chunk)].join('');

describe('jsonChunks', () => {
  it('prints the sample analysis exactly as JSON.stringify does', () => {
    const report = analysisJson(analyzeText(readFileSync(SAMPLE, 'utf8')), 'sample.log');
    expect(streamed(report)).toBe(JSON.stringify(report, null, 2) + '\n');
  });

  it('matches JSON.stringify on arbitrary JSON values, whatever the chunk size', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 1, max: 64 }), (value, chunk) => {
        expect(streamed(value, chunk)).toBe(JSON.stringify(value, null, 2) + '\n');
      }),
      { numRuns: 300 },
    );
  });

  it('leaves out undefined fields and prints undefined array items as null, like JSON.stringify', () => {
    const value = { a: undefined, b: [undefined, 1, {}], c: [], d: { e: 'x"y' } };
    expect(streamed(value)).toBe(JSON.stringify(value, null, 2) + '\n');
  });

  it('yields chunks, not one string, for a large value', () => {
    const big = { rows: Array.from({ length: 20_000 }, (_, i) => ({ i, base: '0x' + i.toString(16) })) };
    const chunks = [...jsonChunks(big, 1 << 12)];
    expect(chunks.length).toBeGreaterThan(50);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(1 << 13);
  });
});
