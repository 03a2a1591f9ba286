// `diff A B [--boots I,J] [--json]` and `diff A [--boots I,J] [--json]`: compare two boots.

import { checkTextFile, UsageError } from './input';
import { analyzeFile } from '../engine/analyze-node';
import type { Analysis } from '../engine/analyze';
import { diffBoots } from '../engine/diff/diff';
import { diffJson, formatDiff } from '../engine/diff/json';
import { parseCli } from './whatif';

function bootIndexes(text: string | undefined): [number, number] | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+),(\d+)$/.exec(text.trim());
  if (!m) throw new UsageError('--boots needs two boot numbers: I,J');
  return [Number(m[1]), Number(m[2])];
}

function boot(analysis: Analysis, file: string, index: number) {
  if (analysis.boots.length === 0) throw new UsageError(`${file}: no kernel boot found in the log`);
  if (index >= analysis.boots.length) throw new UsageError(`--boots: ${file} has ${analysis.boots.length} boot(s) (0..${analysis.boots.length - 1})`);
  return analysis.boots[index];
}

export async function diffCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(args, { boots: { type: 'string' }, json: { type: 'boolean' } }, { min: 1, max: 2, what: 'one FILE with two boots, or two FILEs: diff A [B]' });
  const picked = bootIndexes(values.boots as string | undefined);
  const [fileA, fileB] = positionals;
  checkTextFile(fileA);
  if (fileB !== undefined) checkTextFile(fileB);
  const a = await analyzeFile(fileA);
  let left;
  let right;
  if (fileB === undefined) {
    if (a.boots.length < 2 && !picked) throw new UsageError(`${fileA}: holds ${a.boots.length} boot(s); diff needs two (give a second FILE or --boots I,J)`);
    const [i, j] = picked ?? [a.boots.length - 2, a.boots.length - 1];
    left = boot(a, fileA, i);
    right = boot(a, fileA, j);
  } else {
    const b = await analyzeFile(fileB);
    const [i, j] = picked ?? [a.boots.length - 1, b.boots.length - 1];
    left = boot(a, fileA, Math.max(i, 0));
    right = boot(b, fileB, Math.max(j, 0));
  }
  const files = { a: fileA, b: fileB ?? fileA };
  const diff = diffBoots(left, right);
  if (values.json) process.stdout.write(JSON.stringify(diffJson(diff, files), null, 2) + '\n');
  else process.stdout.write(formatDiff(diff, files));
  return 0;
}
