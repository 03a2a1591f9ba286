// Content detection for logs too large for VS Code to sync (their language is never set).
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { looksLikeKernelLog } from '../../src/engine/sniff';

const FIXTURES = path.join(__dirname, '../fixtures');
const head = (file: string) => readFileSync(file).subarray(0, 64 * 1024).toString('utf8');
const logs = ['corpus/qemu', 'corpus/real', 'sample'].flatMap((dir) =>
  readdirSync(path.join(FIXTURES, dir))
    .filter((f) => f.endsWith('.log') || f.endsWith('.txt'))
    .map((f) => path.join(FIXTURES, dir, f)),
);

describe('looksLikeKernelLog', () => {
  it.each(logs.map((f) => [path.relative(FIXTURES, f), f]))('recognises %s', (_name, file) => {
    expect(looksLikeKernelLog(head(file))).toBe(true);
  });

  it('recognises a log that starts mid-boot (no banner) from its timestamps', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `[   12.${String(i).padStart(6, '0')}] usb 1-1: new high-speed USB device number ${i}`);
    expect(looksLikeKernelLog(lines.join('\n'))).toBe(true);
  });

  it('rejects files that are not kernel logs', () => {
    const root = path.join(__dirname, '../..');
    for (const file of ['package.json', 'README.md', 'tsconfig.json', 'src/engine/types.ts']) {
      expect(looksLikeKernelLog(head(path.join(root, file))), file).toBe(false);
    }
    const access = Array.from({ length: 50 }, (_, i) => `10.0.0.${i} - - [23/Nov/2026:10:00:${String(i % 60).padStart(2, '0')} +0000] "GET / HTTP/1.1" 200 612`).join('\n');
    expect(looksLikeKernelLog(access)).toBe(false);
    const app = Array.from({ length: 50 }, (_, i) => `2026-11-23T10:00:${String(i % 60).padStart(2, '0')}Z app[${i}]: request served`).join('\n');
    expect(looksLikeKernelLog(app)).toBe(false);
    expect(looksLikeKernelLog('')).toBe(false);
    expect(looksLikeKernelLog('\u0000\u0001\u0002binary'.repeat(100))).toBe(false);
  });
});
