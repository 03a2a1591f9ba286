// Node-only entry: stream a file from disk through the parser, then analyse it.

import { parseFile } from './parse/node';
import { analyzeParsed, type Analysis } from './analyze';

export async function analyzeFile(path: string): Promise<Analysis> {
  return analyzeParsed(await parseFile(path));
}
