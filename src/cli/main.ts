// bootmem-lens: the command-line front end of the engine.
//
//   analyze FILE [--json]             summary of every boot in a log (or the versioned JSON report)
//   state FILE --line N --json        memblock state after lines 1..N
//   simulate SCENARIO.json --json     replay a conformance scenario through the model
//   synth --nodes N --events M        write a synthetic memblock=debug log (stdout or --out FILE)
//   whatif FILE --model M [...]       replay a boot under another allocator / layout / command line
//   diff A [B] [--boots I,J] [--json] compare two boots
//
// Every error is one line on stderr and exit code 2.

import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { checkTextFile, UsageError } from './input';
import { analyzeFile } from '../engine/analyze-node';
import { stateAtLine } from '../engine/analyze';
import { regionJson, analysisJson, jsonChunks } from '../engine/report/json';
import { formatAnalysis } from '../engine/report/text';
import { simulateFile } from '../engine/simulate';
import { synthesizeLog } from '../engine/synth';
import { whatifCommand } from './whatif';
import { diffCommand } from './diff';

const USAGE = `usage: bootmem-lens <command> [options]
  analyze FILE [--json]              reconstruct every boot in FILE and summarise it
  state FILE --line N --json         memblock state after lines 1..N (1-based)
  simulate SCENARIO.json --json      replay a memblock conformance scenario
  synth --nodes N --events M [--seed S] [--style dmesg|kernlog] [--out FILE]
                                     write a synthetic memblock=debug log
  whatif FILE --model bootmem|bootmem-2008|bootmem2|early_res|memblock
         [--layout "0:0-2G,4G-6G;1:2G-4G,6G-8G" | --layout even:N]
         [--cmdline "crashkernel=… cma=… mem=… memmap=…"] [--bottom-up] [--boot N] [--json]
                                     replay a boot's requests under another allocator or layout
  diff A [B] [--boots I,J] [--json]  compare two boots (two files, or two boots of one file)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'analyze':
      return analyzeCommand(rest);
    case 'state':
      return stateCommand(rest);
    case 'simulate':
      return simulateCommand(rest);
    case 'synth':
      return synthCommand(rest);
    case 'whatif':
      return whatifCommand(rest);
    case 'diff':
      return diffCommand(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE + '\n');
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command '${command}' (try: analyze, state, simulate, synth, whatif, diff)`);
  }
}

type Options = Record<string, { type: 'string' | 'boolean' }>;

function parse(args: string[], options: Options, positionals: number) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(positionals === 1 ? 'expected exactly one FILE argument' : 'unexpected arguments: ' + parsed.positionals.join(' '));
  }
  return parsed;
}

async function analyzeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' } }, 1);
  const file = positionals[0];
  checkTextFile(file);
  const analysis = await analyzeFile(file);
  if (values.json) writeJson(analysisJson(analysis, file));
  else process.stdout.write(formatAnalysis(analysis, file));
  return 0;
}

async function stateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { line: { type: 'string' }, json: { type: 'boolean' } }, 1);
  const file = positionals[0];
  const line = Number(values.line);
  if (values.line === undefined || !Number.isInteger(line) || line < 1) throw new UsageError('--line N needs a line number >= 1');
  checkTextFile(file);
  const analysis = await analyzeFile(file);
  if (line > analysis.parse.lineCount + 1) throw new UsageError(`--line ${line}: ${file} has only ${analysis.parse.lineCount} lines`);
  const state = stateAtLine(analysis, line);
  const body = { memory: state.memory.map(regionJson), reserved: state.reserved.map(regionJson) };
  if (values.json) writeJson(body);
  else process.stdout.write(formatState(body, state.bootIndex, state.eventIndex));
  return 0;
}

function simulateCommand(args: string[]): number {
  const { positionals } = parse(args, { json: { type: 'boolean' } }, 1);
  const file = positionals[0];
  checkTextFile(file);
  let scenario: unknown;
  try {
    scenario = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
  let result;
  try {
    result = simulateFile(scenario);
  } catch (error) {
    throw new UsageError(`${file}: not a memblock scenario (${(error as Error).message})`);
  }
  writeJson(result);
  return 0;
}

async function synthCommand(args: string[]): Promise<number> {
  const { values } = parse(
    args,
    { nodes: { type: 'string' }, events: { type: 'string' }, seed: { type: 'string' }, style: { type: 'string' }, out: { type: 'string' } },
    0,
  );
  const nodes = positiveInt(String(values.nodes ?? '2'), '--nodes');
  const events = positiveInt(String(values.events ?? '10000'), '--events');
  const seed = positiveInt(String(values.seed ?? '1'), '--seed');
  const style = String(values.style ?? 'dmesg');
  if (style !== 'dmesg' && style !== 'kernlog') throw new UsageError('--style must be dmesg or kernlog');
  if (nodes > 64) throw new UsageError('--nodes: at most 64');
  if (values.out) {
    const { synthesizeToFile } = await import('../engine/synth-node');
    await synthesizeToFile(String(values.out), { nodes, events, seed, style });
  } else {
    synthesizeLog({ nodes, events, seed, style }, (chunk) => process.stdout.write(chunk));
  }
  return 0;
}

function positiveInt(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${flag} needs a whole number >= 1`);
  return value;
}

function formatState(body: { memory: ReturnType<typeof regionJson>[]; reserved: ReturnType<typeof regionJson>[] }, boot: number, event: number): string {
  const rows = (name: string, list: ReturnType<typeof regionJson>[]) =>
    list.map((r, i) => ` ${name}[${i}]\t${r.base} size ${r.size}${r.nid === null ? '' : ' on node ' + r.nid} flags ${r.flags}`).join('\n');
  return `boot ${boot}, after event ${event}\n memory.cnt = ${body.memory.length}\n${rows('memory', body.memory)}\n reserved.cnt = ${body.reserved.length}\n${rows('reserved', body.reserved)}\n`;
}

function writeJson(value: unknown): void {
  for (const chunk of jsonChunks(value)) process.stdout.write(chunk);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof UsageError ? error.message : `internal error: ${(error as Error)?.message ?? String(error)}`;
    process.stderr.write(`bootmem-lens: ${message}\n`);
    process.exitCode = 2;
  },
);
