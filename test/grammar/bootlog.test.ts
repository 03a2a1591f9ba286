// The TextMate grammar, tokenized with the same engine VS Code uses (vscode-textmate + oniguruma).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { GRAMMAR_SCOPE, LANGUAGE_ID } from '../../src/extension/ids';

const root = join(__dirname, '..', '..');
const grammarPath = join(root, 'syntaxes', 'bootlog.tmLanguage.json');
const require_ = createRequire(__filename);

let grammar: textmate.IGrammar;

beforeAll(async () => {
  const wasm = readFileSync(require_.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) =>
      scopeName === GRAMMAR_SCOPE ? textmate.parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath) : null,
  });
  const g = await registry.loadGrammar(GRAMMAR_SCOPE);
  if (!g) throw new Error('grammar did not load');
  grammar = g;
});

interface Tok {
  text: string;
  scopes: string[];
}

function tokenize(line: string): Tok[] {
  const r = grammar.tokenizeLine(line, textmate.INITIAL);
  return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
}

/** Scopes of the token that covers `text` exactly (fails when the text is split or merged). */
function scopesOf(line: string, text: string): string[] {
  const toks = tokenize(line);
  const t = toks.find((x) => x.text === text);
  if (!t) throw new Error(`no token "${text}" in ${JSON.stringify(toks.map((x) => x.text))}`);
  return t.scopes;
}

function hasScope(line: string, text: string, prefix: string): boolean {
  return scopesOf(line, text).some((s) => s === prefix || s.startsWith(`${prefix}.`));
}

describe('bootlog grammar file', () => {
  it('is valid JSON with the scope name and language the manifest declares', () => {
    const raw = JSON.parse(readFileSync(grammarPath, 'utf8'));
    expect(raw.scopeName).toBe(GRAMMAR_SCOPE);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const contributed = pkg.contributes.grammars.find((g: { language: string }) => g.language === LANGUAGE_ID);
    expect(contributed).toMatchObject({ scopeName: GRAMMAR_SCOPE, path: './syntaxes/bootlog.tmLanguage.json' });
  });

  it('compiles every rule (a bad regex throws while tokenizing)', () => {
    const sample = readFileSync(join(root, 'test/fixtures/sample/x86_64-2node-2g-memblock-debug.log'), 'utf8');
    let state = textmate.INITIAL;
    for (const line of sample.split(/\r?\n/)) state = grammar.tokenizeLine(line, state).ruleStack;
    expect(state).toBeDefined();
  });
});

describe('memblock lines', () => {
  const line = '[    0.000000] memblock_reserve: [0x00000000000f5b80-0x00000000000f5b8f] smp_scan_config+0xa7/0xff';

  it('scopes the timestamp', () => {
    expect(hasScope(line, '0.000000', 'constant.numeric.timestamp')).toBe(true);
  });

  it('scopes the memblock call', () => {
    expect(hasScope(line, 'memblock_reserve', 'support.function.memblock')).toBe(true);
  });

  it('scopes both ends of the range as addresses', () => {
    expect(hasScope(line, '0x00000000000f5b80', 'constant.numeric.address.start')).toBe(true);
    expect(hasScope(line, '0x00000000000f5b8f', 'constant.numeric.address.end')).toBe(true);
    expect(hasScope(line, '0x00000000000f5b80', 'meta.range')).toBe(true);
  });

  it('scopes the caller symbol, its offset and length', () => {
    expect(hasScope(line, 'smp_scan_config', 'entity.name.function.caller')).toBe(true);
    expect(hasScope(line, '0xa7', 'constant.numeric.hex.offset')).toBe(true);
    expect(hasScope(line, '0xff', 'constant.numeric.hex.length')).toBe(true);
  });

  it('prefers the caller scope for a memblock_* caller', () => {
    const l = '[    0.000000] memblock_reserve: [0x0000000000098000-0x000000000009efff] memblock_alloc_range_nid+0xb0/0x13d';
    expect(hasScope(l, 'memblock_alloc_range_nid', 'entity.name.function.caller')).toBe(true);
  });

  it('scopes sizes and key=value parameters of allocation requests', () => {
    const l = '[    0.000000] memblock_alloc_try_nid: 8388608 bytes align=0x8 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 setup_log_buf+0x112/0x337';
    expect(hasScope(l, '8388608', 'constant.numeric.size')).toBe(true);
    expect(hasScope(l, 'bytes', 'keyword.other.unit')).toBe(true);
    expect(hasScope(l, 'align', 'variable.parameter')).toBe(true);
    expect(hasScope(l, 'max_addr', 'variable.parameter')).toBe(true);
    expect(hasScope(l, 'setup_log_buf', 'entity.name.function.caller')).toBe(true);
  });

  it('scopes memblock dump rows', () => {
    const l = ' reserved[0x1]\t[0x000000000009f000-0x00000000000fffff], 0x0000000000061000 bytes flags: 0x0';
    expect(hasScope(l, 'reserved', 'variable.other.region-array')).toBe(true);
    expect(hasScope(l, '0x000000000009f000', 'constant.numeric.address.start')).toBe(true);
    expect(hasScope(l, '0x0000000000061000', 'constant.numeric.size')).toBe(true);
  });
});

describe('other kernel lines', () => {
  it('scopes [mem a-b] ranges and e820 keywords', () => {
    const l = '[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007ffdffff] usable';
    expect(hasScope(l, 'BIOS-e820', 'keyword.other.firmware')).toBe(true);
    expect(hasScope(l, 'mem', 'storage.type.range')).toBe(true);
    expect(hasScope(l, '0x0000000000100000', 'constant.numeric.address.start')).toBe(true);
    expect(hasScope(l, '0x000000007ffdffff', 'constant.numeric.address.end')).toBe(true);
    expect(hasScope(l, 'usable', 'constant.language.memory-type')).toBe(true);
  });

  it('scopes SRAT / NUMA keywords', () => {
    const l = '[    0.000000] ACPI: SRAT: Node 1 PXM 1 [mem 0x40000000-0x7fffffff]';
    expect(hasScope(l, 'SRAT', 'keyword.other.firmware')).toBe(true);
    expect(hasScope(l, 'Node', 'keyword.other.numa')).toBe(true);
    expect(hasScope('[    0.000000] NUMA: Node 0 [mem 0x00000000-0x0009ffff]', 'NUMA', 'keyword.other.numa')).toBe(true);
  });

  it('scopes a..b ranges and early_res [a - b] ranges', () => {
    const l = 'node 0: 0x0000000000001000..0x000000000009efff';
    expect(hasScope(l, '0x0000000000001000', 'constant.numeric.address.start')).toBe(true);
    const e = '(6 early reservations) ==> bootmem [0000000000 - 0037ee0000]';
    expect(hasScope(e, '0000000000', 'constant.numeric.address.start')).toBe(true);
    expect(hasScope(e, '0037ee0000', 'constant.numeric.address.end')).toBe(true);
  });

  it('scopes MiB and K sizes', () => {
    const l = '[    0.012345] Memory: 1983456K/2096632K available (14336K kernel code, 112916K reserved)';
    expect(hasScope(l, '1983456', 'constant.numeric.size')).toBe(true);
    expect(hasScope(l, '2096632', 'constant.numeric.size')).toBe(true);
    expect(hasScope(l, 'Memory:', 'keyword.other.milestone')).toBe(true);
    expect(hasScope('[    0.000000] cma: Reserved 64 MiB at 0x00000000b8000000', '64', 'constant.numeric.size')).toBe(true);
  });

  it('scopes printk levels and syslog/journal prefixes', () => {
    expect(hasScope('<3>[    1.234567] BUG: unable to handle page fault', '3', 'constant.language.loglevel.error')).toBe(true);
    expect(hasScope('<6>[    0.000000] Linux version 6.1.0', '6', 'constant.language.loglevel.info')).toBe(true);
    const s = 'Nov 23 14:00:01 buildhost kernel: [    0.000000] Linux version 6.1.0';
    expect(hasScope(s, 'Nov 23 14:00:01', 'constant.numeric.date')).toBe(true);
    expect(hasScope(s, 'kernel', 'keyword.other.facility')).toBe(true);
    expect(hasScope(s, 'Linux version', 'keyword.other.milestone')).toBe(true);
  });

  it('scopes bootmem:: and bootmem calls', () => {
    const l = 'bootmem::alloc_bootmem_core nid=0 size=1000 [1 pages] align=40 goal=0 limit=0';
    expect(hasScope(l, 'alloc_bootmem_core', 'support.function.bootmem')).toBe(true);
    expect(hasScope('free_all_bootmem_core done', 'free_all_bootmem_core', 'support.function.bootmem')).toBe(true);
  });

  it('scopes warnings, errors and traces', () => {
    expect(hasScope('[    0.100000] WARNING: CPU: 0 PID: 0 at mm/memblock.c:606 memblock_add_range+0x1a/0x2b', 'WARNING:', 'invalid.deprecated.warning')).toBe(true);
    expect(hasScope('[    0.200000] Kernel panic - not syncing: Out of memory', 'Kernel panic - not syncing', 'invalid.illegal.error')).toBe(true);
    expect(hasScope('[    0.200000] Oops: 0000 [#1] SMP', 'Oops', 'invalid.illegal.error')).toBe(true);
    expect(hasScope('[    0.200000] BUG: kernel NULL pointer dereference', 'BUG:', 'invalid.illegal.error')).toBe(true);
    expect(hasScope('[    0.200000] Call Trace:', 'Call Trace:', 'keyword.control.trace')).toBe(true);
    expect(hasScope('[    0.200000]  ? __warn+0x7d/0xc0 [nfs]', 'nfs', 'entity.name.namespace.module')).toBe(true);
  });
});
