// `whatif FILE --model M [--layout L] [--cmdline "..."] [--bottom-up] [--boot N] [--json]`:
// replay a boot's request stream under another allocator, layout or command line.

import { parseArgs } from 'node:util';
import { checkTextFile, UsageError } from './input';
import { analyzeFile } from '../engine/analyze-node';
import type { Analysis, BootAnalysis } from '../engine/analyze';
import { ALLOCATOR_MODELS, type AllocatorModelName } from '../engine/allocators/types';
import { LayoutError, parseLayout, type LayoutSpec } from '../engine/whatif/layout';
import { parseWhatIfCmdline } from '../engine/whatif/cmdline';
import { whatIfBoot } from '../engine/whatif/whatif';
import { formatWhatIf, whatIfJson } from '../engine/whatif/json';

type Options = Record<string, { type: 'string' | 'boolean' }>;

/** parseArgs with every problem turned into a one-line UsageError. */
export function parseCli(args: string[], options: Options, positionals: { min: number; max: number; what: string }) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
  const n = parsed.positionals.length;
  if (n < positionals.min || n > positionals.max) throw new UsageError(`expected ${positionals.what}`);
  return parsed;
}

/** The boot `--boot N` names (default: the last boot of the file). */
export function pickBoot(analysis: Analysis, file: string, text: string | undefined): BootAnalysis {
  if (analysis.boots.length === 0) throw new UsageError(`${file}: no kernel boot found in the log`);
  if (text === undefined) return analysis.boots[analysis.boots.length - 1];
  const index = Number(text);
  if (!Number.isInteger(index) || index < 0) throw new UsageError('--boot needs a boot number >= 0');
  if (index >= analysis.boots.length) throw new UsageError(`--boot ${index}: ${file} has ${analysis.boots.length} boot(s) (0..${analysis.boots.length - 1})`);
  return analysis.boots[index];
}

export async function whatifCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(
    args,
    { model: { type: 'string' }, layout: { type: 'string' }, cmdline: { type: 'string' }, 'bottom-up': { type: 'boolean' }, boot: { type: 'string' }, json: { type: 'boolean' } },
    { min: 1, max: 1, what: 'exactly one FILE argument' },
  );
  const file = positionals[0];
  const model = values.model as string | undefined;
  if (model === undefined) throw new UsageError(`--model is required (${ALLOCATOR_MODELS.join(', ')})`);
  if (!(ALLOCATOR_MODELS as readonly string[]).includes(model)) throw new UsageError(`--model ${model}: unknown model (${ALLOCATOR_MODELS.join(', ')})`);
  let layout: LayoutSpec | undefined;
  const checked = <T>(flag: string, f: () => T): T => {
    try {
      return f();
    } catch (error) {
      if (error instanceof LayoutError) throw new UsageError(`${flag}: ${error.message}`);
      throw error;
    }
  };
  if (values.layout !== undefined) layout = checked('--layout', () => parseLayout(String(values.layout)));
  if (values.cmdline !== undefined) checked('--cmdline', () => parseWhatIfCmdline(String(values.cmdline)));
  checkTextFile(file);
  const analysis = await analyzeFile(file);
  const boot = pickBoot(analysis, file, values.boot as string | undefined);
  const result = whatIfBoot(boot, {
    model: model as AllocatorModelName,
    layout,
    cmdline: values.cmdline as string | undefined,
    bottomUp: Boolean(values['bottom-up']),
  });
  if (values.json) process.stdout.write(JSON.stringify(whatIfJson(result, { file, boot: boot.boot.index, kernelVersion: boot.boot.kernelVersion }), null, 2) + '\n');
  else process.stdout.write(formatWhatIf(result, file, boot.boot.index));
  return 0;
}
