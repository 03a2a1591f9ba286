/// <reference types="mocha" />
// Language features on the corpus log (dmesg.txt in the fixture workspace), in a real VS Code:
// Problems, hover, definition/references, CodeLens, outline, folding, tree, status bar, commands.
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { BootMemoryLensApi } from '../../../src/extension/extension';
import { CONFIG_SECTION, Commands, DIAGNOSTIC_SOURCE, EXTENSION_ID, InternalCommands, LANGUAGE_ID, Settings } from '../../../src/extension/ids';
import { RESERVATION_PAGE } from '../../../src/extension/tree';
import { synthesizeLog } from '../../../src/engine/synth';
import type { TreeNode } from '../../../src/extension/tree';
import { addressAt } from '../../../src/extension/addresses';
import { AnalysisCancelled, openSession } from '../../../src/extension/sessionHost';
import { escapeMarkdown } from '../../../src/extension/format';
import { activateExtension, waitFor, workspaceFile } from './helpers';
import { headLooksLikeKernelLog, looksLikeBootLogName } from '../../../src/extension/analysisService';

/** 0-based index of the first line containing `needle`. */
function lineOf(doc: vscode.TextDocument, needle: string): number {
  for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(needle)) return i;
  throw new Error(`no line contains ${needle}`);
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

function locationLine(l: vscode.Location | vscode.LocationLink): number {
  return 'targetUri' in l ? l.targetRange.start.line : l.range.start.line;
}

suite('language features (dmesg.txt)', () => {
  let api: BootMemoryLensApi;
  let doc: vscode.TextDocument;
  let before: string;
  let onDisk: Buffer;

  suiteSetup(async () => {
    api = await activateExtension();
    onDisk = fs.readFileSync(workspaceFile('dmesg.txt').fsPath);
    doc = await vscode.workspace.openTextDocument(workspaceFile('dmesg.txt'));
    assert.equal(doc.languageId, LANGUAGE_ID);
    before = doc.getText();
    await vscode.window.showTextDocument(doc);
    const analysis = await api.features.analysis.analysis(doc);
    assert.ok(analysis, 'the log was analysed');
    console.log(`[language] analysed ${doc.lineCount} lines in ${analysis.durationMs} ms (${analysis.host})`);
    // The Node extension host (where this suite runs) analyses in a worker thread, off its own thread.
    assert.equal(analysis.host, 'node-worker');
  });

  suiteTeardown(async () => {
    // The extension only ever read the log.
    assert.equal(doc.isDirty, false);
    assert.equal(doc.getText(), before);
    assert.ok(fs.readFileSync(doc.uri.fsPath).equals(onDisk));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the analysis is cached by document version', async () => {
    const a = await api.features.analysis.analysis(doc);
    const b = await api.features.analysis.analysis(doc);
    assert.ok(a);
    assert.equal(a, b);
    assert.equal(a.version, doc.version);
    assert.equal(api.features.analysis.latest(doc.uri), a);
    assert.ok(await api.features.analysis.session(doc));
  });

  test('findings are in the Problems panel with their codes, lines and related information', async () => {
    const diags = await waitFor('8 diagnostics', () => {
      const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === DIAGNOSTIC_SOURCE);
      return d.length >= 8 && d;
    });
    const codes = diags.map((d) => String(d.code)).sort();
    assert.deepEqual(codes, ['outside-memory', 'outside-memory', 'outside-memory', 'outside-memory', 'outside-memory', 'outside-memory', 'outside-memory', 'overlapping-reserve']);
    for (const d of diags) assert.equal(d.severity, vscode.DiagnosticSeverity.Information);
    const overlap = diags.find((d) => d.code === 'overlapping-reserve');
    assert.ok(overlap);
    assert.equal(overlap.range.start.line, lineOf(doc, 'memblock_reserve: [0x0000000000000000-0x00000000000fffff] setup_arch'));
    assert.ok(overlap.relatedInformation && overlap.relatedInformation.length > 0, 'related information links the earlier reservations');
    for (const r of overlap.relatedInformation) {
      assert.equal(r.location.uri.toString(), doc.uri.toString());
      assert.ok(r.location.range.start.line < overlap.range.start.line);
    }
    for (const d of diags.filter((x) => x.code === 'outside-memory')) {
      assert.match(doc.lineAt(d.range.start.line).text, /memblock_reserve/);
    }
  });

  test('diagnostics.includeInfo=false hides the info findings, and true brings them back', async () => {
    const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
    await config.update(Settings.diagnosticsIncludeInfo, false, vscode.ConfigurationTarget.Global);
    try {
      await waitFor('no diagnostics', () => vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === DIAGNOSTIC_SOURCE).length === 0);
    } finally {
      await config.update(Settings.diagnosticsIncludeInfo, undefined, vscode.ConfigurationTarget.Global);
    }
    await waitFor('8 diagnostics again', () => vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === DIAGNOSTIC_SOURCE).length === 8);
  });

  test('hover on an address in node 1 says node 1, its owner and size', async () => {
    const line = lineOf(doc, 'memblock_reserve: [0x000000007fc00000-0x000000007fdfffff]');
    const col = doc.lineAt(line).text.indexOf('0x000000007fc00000') + 4;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, col));
    const text = hoverText(hovers);
    assert.match(text, /node 1/);
    assert.match(text, /2 MiB/);
    assert.match(text, /Boot Memory/);
  });

  test('hover on a single address of the firmware map names the firmware type', async () => {
    const line = lineOf(doc, 'BIOS-e820: [mem 0x0000000000100000-0x000000007ffdffff] usable');
    const col = doc.lineAt(line).text.indexOf('0x0000000000100000') + 3;
    const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, col)));
    assert.match(text, /usable/);
    assert.match(text, /node 0/);
  });

  test('no hover on caller offsets or plain words', async () => {
    const line = lineOf(doc, 'memblock_reserve: [0x0000000000000000-0x00000000000fffff] setup_arch');
    const offset = doc.lineAt(line).text.indexOf('+0x') + 2;
    const none = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, offset));
    assert.doesNotMatch(hoverText(none), /Boot Memory/);
  });

  test('definition goes from a free to the reserve just above it; references from the reserve to the free', async () => {
    const free = lineOf(doc, 'memblock_phys_free: [0x000000007fc00000-0x000000007fdfffff] init_mem_mapping');
    const reserve = lineOf(doc, 'memblock_reserve: [0x000000007fc00000-0x000000007fdfffff]');
    assert.equal(reserve, free - 1);
    const defs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', doc.uri, new vscode.Position(free, 5));
    assert.deepEqual(defs.map(locationLine), [reserve]);
    const refs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', doc.uri, new vscode.Position(reserve, 5));
    assert.ok(refs.map((r) => r.range.start.line).includes(free), 'the reserve references its free');
  });

  test('"Go to Matching Reserve/Free" moves the cursor from the free to its reserve', async () => {
    const free = lineOf(doc, 'memblock_phys_free: [0x000000007fc00000-0x000000007fdfffff] init_mem_mapping');
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(free, 3, free, 3);
    await vscode.commands.executeCommand(Commands.goToMatching);
    await waitFor('the cursor on the reserve', () => vscode.window.activeTextEditor?.selection.active.line === free - 1);
  });

  test('CodeLenses show sizes, "freed at line N" and a "Show in map" action with { uri, line }', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 1000);
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.some((t) => /freed at line \d+/.test(t)), 'a lens says "freed at line N"');
    assert.ok(titles.some((t) => /never freed/.test(t)), 'a lens says "never freed"');
    const map = lenses.find((l) => l.command?.title === 'Show in map');
    assert.ok(map && map.command);
    assert.equal(map.command.command, Commands.openMap);
    const arg = map.command.arguments?.[0] as { uri: vscode.Uri; line: number };
    assert.equal(arg.uri.toString(), doc.uri.toString());
    assert.equal(arg.line, map.range.start.line + 1);
    const reserve = lineOf(doc, 'memblock_reserve: [0x000000007fc00000-0x000000007fdfffff]');
    const here = lenses.filter((l) => l.range.start.line === reserve).map((l) => l.command?.title ?? '');
    assert.ok(here.some((t) => t.includes(`freed at line ${reserve + 2}`)), `lens on the reserve: ${here.join(' | ')}`);
  });

  test('codeLens.enabled=false removes the lenses', async () => {
    const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
    await config.update(Settings.codeLensEnabled, false, vscode.ConfigurationTarget.Global);
    try {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      assert.equal(lenses.length, 0);
    } finally {
      await config.update(Settings.codeLensEnabled, undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('the outline lists the boot and its sections', async () => {
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', doc.uri);
    assert.equal(symbols.length, 1);
    assert.match(symbols[0].name, /^Boot 0: Linux 6\.1/);
    const names = symbols[0].children.map((c) => c.name);
    for (const want of ['Firmware map (e820)', 'memblock timeline', 'NUMA', 'Zones', 'Accounting']) assert.ok(names.includes(want), `section ${want} in ${names.join(', ')}`);
    const timeline = symbols[0].children.find((c) => c.name === 'memblock timeline');
    assert.ok(timeline && timeline.children.some((c) => c.name.startsWith('MEMBLOCK dump')));
  });

  test('folding ranges include the MEMBLOCK dump and the firmware map', async () => {
    const ranges = await vscode.commands.executeCommand<vscode.FoldingRange[]>('vscode.executeFoldingRangeProvider', doc.uri);
    const dump = lineOf(doc, 'MEMBLOCK configuration:');
    assert.ok(ranges.some((r) => r.start === dump && r.end > dump + 5), `a range starts at the dump (line ${dump}): ${JSON.stringify(ranges)}`);
    const e820 = lineOf(doc, 'BIOS-e820:');
    assert.ok(ranges.some((r) => r.start === e820));
  });

  test('the tree shows the boot with 2 nodes, blocks, reservations, Leaks and Findings', async () => {
    await vscode.window.showTextDocument(doc);
    const tree = api.features.tree;
    const roots = await waitFor('tree roots', async () => {
      const r = await tree.getChildren();
      return r.length > 0 && r;
    });
    assert.equal(roots.length, 1);
    const children = await tree.getChildren(roots[0]);
    const nodes = children.filter((c) => c.kind === 'node');
    assert.equal(nodes.length, 2);
    assert.deepEqual(nodes.map((n) => tree.getTreeItem(n).label), ['Node 0', 'Node 1']);
    const blocks = await tree.getChildren(nodes[1]);
    assert.ok(blocks.length >= 1);
    const reservations = (await tree.getChildren(blocks[0])).filter((r): r is Extract<TreeNode, { kind: 'reservation' }> => r.kind === 'reservation');
    assert.ok(reservations.length > 0, 'node 1 holds reservations');
    const item = tree.getTreeItem(reservations[0]);
    assert.equal(item.command?.command, 'vscode.open');
    const findings = children.find((c) => c.kind === 'findings');
    assert.ok(findings);
    assert.equal((await tree.getChildren(findings)).length, 8);
    const leaks = children.find((c) => c.kind === 'leaks');
    assert.ok(leaks);
    assert.ok((await tree.getChildren(leaks)).length > 0);
  });

  test('a block with thousands of reservations comes in pages; "Show N more" appends the next page', async () => {
    const chunks: string[] = [];
    synthesizeLog({ nodes: 1, events: 4000, seed: 3, style: 'dmesg' }, (chunk) => chunks.push(chunk));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bml-tree-')), 'dmesg-many.txt');
    fs.writeFileSync(file, chunks.join(''));
    const big = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(big);
    const tree = api.features.tree;
    const root = await waitFor('tree shows the synthetic log', async () => {
      const r = await tree.getChildren();
      return r.length === 1 && tree.uri?.fsPath === file && r[0];
    });
    const node = (await tree.getChildren(root)).find((c) => c.kind === 'node');
    assert.ok(node);
    let block: TreeNode | undefined;
    for (const b of await tree.getChildren(node)) if ((await tree.getChildren(b)).some((k) => k.kind === 'more')) block = b;
    assert.ok(block, 'some block has more reservations than one page');
    const first = await tree.getChildren(block);
    const more = first[first.length - 1];
    assert.equal(more.kind, 'more');
    assert.equal(first.filter((k) => k.kind === 'reservation').length, RESERVATION_PAGE);
    assert.match(String(tree.getTreeItem(more).label), /^Show [\d,]+ more$/);
    assert.equal(tree.getTreeItem(more).command?.command, InternalCommands.treeShowMore);
    const total = more.kind === 'more' ? more.remaining + RESERVATION_PAGE : 0;

    await vscode.commands.executeCommand(InternalCommands.treeShowMore, more);
    const second = await tree.getChildren(block);
    const ids = second.filter((k) => k.kind === 'reservation').map((k) => k.id);
    assert.equal(ids.length, Math.min(total, 2 * RESERVATION_PAGE));
    assert.equal(new Set(ids).size, ids.length, 'no reservation twice');
    assert.deepEqual(ids.slice(0, RESERVATION_PAGE), first.filter((k) => k.kind === 'reservation').map((k) => k.id), 'the first page stays in place');
    assert.equal(second[second.length - 1].kind === 'more', total > 2 * RESERVATION_PAGE);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('"Show Leaks" reveals the Leaks group', async () => {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand(Commands.showLeaks);
    const selected = await waitFor('the Leaks group selected', () => api.features.treeView.selection[0]);
    assert.equal(selected.kind, 'leaks');
    assert.ok(api.features.treeView.visible, 'the Boot Memory view is shown');
  });

  test('the status bar shows nodes, reserved total and findings while the log is active', async () => {
    await vscode.window.showTextDocument(doc);
    const text = await waitFor('status bar text', () => {
      const t = api.features.statusBarText();
      return t.includes('nodes') && t;
    });
    assert.match(text, /2 nodes · [\d.]+ [KMG]iB reserved · 8 findings/);
  });

  test('"Export Analysis as JSON" writes the analysis JSON (schema bootmem-lens/analysis) to another file', async () => {
    const target = vscode.Uri.file(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bootmem-export-')), 'dmesg.bootmem.json'));
    const written = await vscode.commands.executeCommand<vscode.Uri | undefined>(Commands.exportAnalysis, { uri: doc.uri, target });
    assert.equal(written?.toString(), target.toString());
    const json = JSON.parse(fs.readFileSync(target.fsPath, 'utf8')) as { schema: string; version: number; boots: { nodes: unknown[]; findings: unknown[] }[] };
    assert.equal(json.schema, 'bootmem-lens/analysis');
    assert.equal(json.boots.length, 1);
    assert.equal(json.boots[0].nodes.length, 2);
    assert.equal(json.boots[0].findings.length, 8);
    // Refuses to write over the log itself.
    const refused = await vscode.commands.executeCommand<vscode.Uri | undefined>(Commands.exportAnalysis, { uri: doc.uri, target: doc.uri });
    assert.equal(refused, undefined);
    assert.ok(fs.readFileSync(doc.uri.fsPath).equals(onDisk), 'the log file is unchanged');
  });
});

suite('language features (edits and untrusted text)', () => {
  let api: BootMemoryLensApi;
  suiteSetup(async () => {
    api = await activateExtension();
  });
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  const banner = '[    0.000000] Linux version 6.1.0 (test@example) #1 SMP\n';
  const body = [
    '[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable',
    '[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000003fffffff] usable',
    // A hostile firmware type: the hover quotes it, and must render it as plain text.
    '[    0.000000] BIOS-e820: [mem 0x0000000040000000-0x000000004fffffff] <img src=x onerror=alert(1)>*b*[l](http://x)',
    '[    0.000000] memblock_add: [0x0000000000100000-0x000000003fffffff] e820__memblock_setup+0x65/0x7d',
    '[    0.000000] memblock_reserve: [0x0000000001000000-0x0000000001000fff] foo_bar+0x1/0x2',
    '[    0.000000] memblock_reserve: [0x0000000002000000-0x0000000002000fff] setup_arch+0x1/0x2',
    '',
  ].join('\n');

  test('an edited boot log is re-analysed (debounced) and the result follows the version', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: LANGUAGE_ID, content: banner + body });
    await vscode.window.showTextDocument(doc);
    const first = await api.features.analysis.analysis(doc);
    assert.ok(first);
    const events = first.summary.boots[0]?.eventCount ?? 0;
    const seen = new Promise<number>((resolve) => {
      const sub = api.features.analysis.onDidAnalyze((a) => {
        if (a.uri.toString() === doc.uri.toString() && a.version === doc.version) {
          sub.dispose();
          resolve(a.summary.boots[0]?.eventCount ?? 0);
        }
      });
    });
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(doc.lineCount - 1, 0), '[    0.000000] memblock_reserve: [0x0000000003000000-0x0000000003000fff] setup_arch+0x1/0x2\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const after = await Promise.race([seen, new Promise<number>((_, reject) => setTimeout(() => reject(new Error('no re-analysis')), 15_000))]);
    assert.equal(after, events + 1);
    assert.equal((await api.features.analysis.analysis(doc))?.version, doc.version);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('log text in hovers is escaped (no HTML, no links, no formatting)', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: LANGUAGE_ID, content: banner + body });
    const line = lineOf(doc, '<img src=x');
    const col = doc.lineAt(line).text.indexOf('0x0000000040000000') + 4;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, col));
    assert.ok(hovers.length > 0);
    assert.match(hoverText(hovers), /&lt;img src=x onerror=alert\\\(1\\\)&gt;/, 'the firmware type is shown, escaped');
    for (const c of hovers.flatMap((h) => h.contents)) {
      if (typeof c === 'string') continue;
      const md = c as vscode.MarkdownString;
      assert.ok(!md.isTrusted, 'hover markdown is not trusted');
      assert.ok(!md.supportHtml, 'hover markdown renders no HTML');
      assert.doesNotMatch(md.value, /<img/);
      assert.doesNotMatch(md.value, /\]\(http/);
    }
  });

  test('suspect leaks are Information diagnostics with code "leak" (setting diagnostics.leaks)', async () => {
    const content = [
      '[    0.000000] Linux version 6.1.0 (test@example) #1 SMP',
      '[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000003fffffff] usable',
      '[    0.000000] memblock_add: [0x0000000000100000-0x000000003fffffff] e820__memblock_setup+0x65/0x7d',
      '[    0.000000] memblock_reserve: [0x0000000001000000-0x0000000001ffffff] setup_arch+0x7e0/0xd4f',
      '[    0.000000] RAMDISK: [mem 0x08000000-0x083fffff]',
      '[    0.000000] memblock_reserve: [0x0000000008000000-0x00000000083fffff] reserve_initrd+0x55/0x1a0',
      '[    0.000000] Memory: 1000000K/1048576K available (12288K kernel code, 2000K rwdata, 4000K rodata, 2000K init, 2000K bss, 48576K reserved, 0K cma-reserved)',
      '',
    ].join('\n');
    const doc = await vscode.workspace.openTextDocument({ language: LANGUAGE_ID, content });
    await api.features.analysis.analysis(doc);
    const leak = await waitFor('a leak diagnostic', () => vscode.languages.getDiagnostics(doc.uri).find((d) => d.code === 'leak'));
    assert.equal(leak.severity, vscode.DiagnosticSeverity.Information);
    assert.equal(leak.range.start.line, lineOf(doc, 'reserve_initrd'));
    assert.match(leak.message, /initrd/);
    const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
    await config.update(Settings.diagnosticsLeaks, false, vscode.ConfigurationTarget.Global);
    try {
      await waitFor('no leak diagnostic', () => !vscode.languages.getDiagnostics(doc.uri).some((d) => d.code === 'leak'));
    } finally {
      await config.update(Settings.diagnosticsLeaks, undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('a log without a TextDocument (as VS Code leaves files above ~50 MB) is analysed from disk', async () => {
    // Not opened as a document: the Node worker streams it from its path.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootmem-large-'));
    const file = path.join(dir, 'big-dmesg.txt');
    fs.copyFileSync(workspaceFile('dmesg.txt').fsPath, file);
    const uri = vscode.Uri.file(file);
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString()));
    const analysis = await api.features.analysis.analyzeUri(uri);
    assert.ok(analysis);
    assert.equal(analysis.version, -1);
    assert.equal(analysis.summary.nodeCount, 2);
    assert.equal(analysis.host, 'node-worker');
    assert.deepEqual(await analysis.session.matching(lineOf(await vscode.workspace.openTextDocument(workspaceFile('dmesg.txt')), 'memblock_phys_free: [0x000000007fc00000') + 1), [
      lineOf(await vscode.workspace.openTextDocument(workspaceFile('dmesg.txt')), 'memblock_reserve: [0x000000007fc00000') + 1,
    ]);
    await waitFor('its diagnostics', () => vscode.languages.getDiagnostics(uri).length === 8);
  });
});

suite('large logs under any name', () => {
  test('the head of a local file tells a kernel log whose name says nothing (console captures, serial.out)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootmem-sniff-'));
    const capture = path.join(dir, 'serial-console.out');
    fs.copyFileSync(workspaceFile('dmesg.txt').fsPath, capture);
    assert.equal(looksLikeBootLogName(vscode.Uri.file(capture)), false, 'the name alone does not claim it');
    assert.equal(await headLooksLikeKernelLog(vscode.Uri.file(capture)), true);
    const notes = path.join(dir, 'notes.out');
    fs.writeFileSync(notes, 'shopping list\n'.repeat(100));
    assert.equal(await headLooksLikeKernelLog(vscode.Uri.file(notes)), false);
    assert.equal(await headLooksLikeKernelLog(vscode.Uri.file(path.join(dir, 'missing.out'))), false);
    assert.equal(await headLooksLikeKernelLog(vscode.Uri.parse('untitled:serial.out')), false, 'only local files are sniffed');
  });
});

suite('address tokens and escaping (pure)', () => {
  const at = (line: string, needle: string, delta = 1) => addressAt(line, line.indexOf(needle) + delta);

  test('[mem a-b], [a-b], a..b, bare pairs and single addresses', () => {
    const e820 = 'BIOS-e820: [mem 0x0000000000100000-0x000000007ffdffff] usable';
    assert.deepEqual(at(e820, '0x000000007ffd'), { start: e820.indexOf('['), end: e820.indexOf(']') + 1, base: 0x100000n, last: 0x7ffdffffn });
    const mb = 'memblock_reserve: [0x0000000000000000-0x00000000000fffff] setup_arch+0x7e0/0xd4f';
    assert.equal(at(mb, '0x00000000000fffff')?.last, 0xfffffn);
    const of = 'OF: reserved mem: 0x0000000080000000..0x000000008007ffff (512 KiB) nomap';
    assert.deepEqual([at(of, '..')?.base, at(of, '..')?.last], [0x80000000n, 0x8007ffffn]);
    // early_res prints an exclusive end without 0x.
    const early = '#0 [0000000000 - 0000001000]   BIOS data page';
    assert.deepEqual([at(early, '0000001000')?.base, at(early, '0000001000')?.last], [0n, 0xfffn]);
    const single = 'memblock_alloc_try_nid: 8388608 bytes align=0x8 nid=-1 from=0x0000000000100000 max_addr=0x0';
    assert.equal(at(single, 'from=0x', 6)?.base, 0x100000n);
  });

  test('caller offsets, alignments and small bracketed numbers are not addresses', () => {
    const mb = 'memblock_reserve: [0x0000000000000000-0x00000000000fffff] setup_arch+0x7e0/0xd4f';
    assert.equal(at(mb, '+0x7e0', 2), undefined);
    assert.equal(at(mb, '/0xd4f', 2), undefined);
    assert.equal(at('memblock_alloc: 4096 bytes align=0x1000 nid=0', 'align=0x', 7), undefined);
    assert.equal(at('x86/PAT: Configuration [0-7]: WB  WC', '[0-7]'), undefined);
    assert.equal(addressAt('no address here', 3), undefined);
  });

  test('escapeMarkdown neutralises HTML, links and formatting', () => {
    const out = escapeMarkdown('<img src=x onerror=alert(1)> *b* [l](http://x) `c` # h\nnext');
    assert.doesNotMatch(out, /<|\n/);
    assert.ok(out.includes('&lt;img'));
    assert.ok(out.includes('\\[l\\]\\(http\\:'));
  });
});

suite('session hosting', () => {
  const text = () => fs.readFileSync(workspaceFile('dmesg.txt').fsPath, 'utf8');
  const extensionUri = () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    return ext.extensionUri;
  };

  test('cancelling a running analysis terminates its worker', async () => {
    const cts = new vscode.CancellationTokenSource();
    const opening = openSession({ kind: 'text', text: text() }, { extensionUri: extensionUri(), token: cts.token });
    setTimeout(() => cts.cancel(), 5);
    await assert.rejects(opening, (e: unknown) => e instanceof AnalysisCancelled);
  });

  test('without the worker bundles the engine runs in process', async () => {
    const cts = new vscode.CancellationTokenSource();
    const nowhere = vscode.Uri.file(fs.mkdtempSync(path.join(os.tmpdir(), 'bootmem-noworker-')));
    const handle = await openSession({ kind: 'text', text: text() }, { extensionUri: nowhere, token: cts.token });
    try {
      assert.equal(handle.host, 'in-process');
      assert.equal((await handle.session.summary()).nodeCount, 2);
      const json = (await handle.analysisJson('dmesg.txt')) as { schema: string };
      assert.equal(json.schema, 'bootmem-lens/analysis');
    } finally {
      handle.dispose();
    }
  });

  test('a worker session answers like the engine and stops answering once disposed', async () => {
    const cts = new vscode.CancellationTokenSource();
    const handle = await openSession({ kind: 'text', text: text() }, { extensionUri: extensionUri(), token: cts.token });
    assert.equal(handle.host, 'node-worker');
    assert.equal((await handle.session.diagnostics()).length, 8);
    handle.dispose();
    await assert.rejects(handle.session.summary());
  });
});
