/// <reference types="mocha" />
// The extension in the web worker extension host (what vscode.dev and github.dev run), driven by
// @vscode/test-web (test/web/runTest.ts). Everything here goes through the `browser` entry
// (dist/web/extension.js) and the web worker engine (dist/web/worker.js), with the workspace folder
// served by test-web's file system provider (scheme vscode-test-web, not file:).
//
// The fixture workspace (prepared by runTest.ts): dmesg.txt (test/fixtures/sample), kern.log,
// console-capture, app.log (test/fixtures/vscode-workspace) and compare/ (two corpus logs).
import * as vscode from 'vscode';
import type { BootMemoryLensApi } from '../../../src/extension/extension';
import { Commands, DIAGNOSTIC_SOURCE, EXTENSION_ID, LANGUAGE_ID, MAP_VIEW_TYPE } from '../../../src/extension/ids';
import type { CompareMessage, HostToWebview, WhatIfMessage } from '../../../src/protocol/messages';
import * as assert from './assert';
import { waitFor } from '../../shared/wait';

function workspaceFile(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test run must open the fixture workspace folder (runTest.ts: folderPath)');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

async function activate(): Promise<BootMemoryLensApi> {
  const ext = vscode.extensions.getExtension<BootMemoryLensApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  return ext.activate();
}


function lineOf(doc: vscode.TextDocument, needle: string): number {
  for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(needle)) return i;
  throw new Error(`no line contains ${needle}`);
}

function last<T extends HostToWebview['type']>(api: BootMemoryLensApi, uri: vscode.Uri, type: T): Extract<HostToWebview, { type: T }> | undefined {
  const all = api.mapPanelTesting.sent(uri.toString()).filter((m): m is Extract<HostToWebview, { type: T }> => m.type === type);
  return all[all.length - 1];
}

function mapTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(MAP_VIEW_TYPE));
}

suite('web extension host', () => {
  test('the suite runs in the web worker extension host, not in Node', () => {
    const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
    console.log(
      `[env] VS Code ${vscode.version}, uiKind=${vscode.env.uiKind}, appHost=${vscode.env.appHost}, remoteName=${vscode.env.remoteName ?? '-'}, ` +
        `node=${p?.versions?.node ?? '-'}, worker=${typeof (globalThis as { importScripts?: unknown }).importScripts === 'function'}`,
    );
    assert.equal(vscode.env.uiKind, vscode.UIKind.Web);
    assert.equal(vscode.env.remoteName, undefined, 'no remote (server) extension host');
    assert.notEqual(typeof p?.versions?.node, 'string', 'no Node.js runtime');
    assert.equal(typeof (globalThis as { importScripts?: unknown }).importScripts, 'function', 'a web worker global scope');
  });

  test('the extension activates from its browser entry and registers its commands', async () => {
    const ext = vscode.extensions.getExtension<BootMemoryLensApi>(EXTENSION_ID);
    assert.ok(ext);
    assert.equal((ext.packageJSON as { browser?: string }).browser, './dist/web/extension.js');
    const api = await ext.activate();
    assert.ok(ext.isActive);
    assert.equal(typeof api.mapPanels, 'function', 'activate() returned the extension API');
    const all = await vscode.commands.getCommands(true);
    for (const id of Object.values(Commands)) assert.ok(all.includes(id), `command ${id} registered`);
    assert.ok((await vscode.languages.getLanguages()).includes(LANGUAGE_ID));
  });
});

suite('language detection (web)', () => {
  suiteSetup(activate);

  for (const [name, expected] of [
    ['dmesg.txt', true],
    ['kern.log', true],
    ['console-capture', true],
    ['app.log', false],
  ] as const) {
    test(`${name} ${expected ? 'is' : 'is not'} a Linux Boot Log`, async () => {
      const doc = await vscode.workspace.openTextDocument(workspaceFile(name));
      if (expected) assert.equal(doc.languageId, LANGUAGE_ID);
      else assert.notEqual(doc.languageId, LANGUAGE_ID);
    });
  }
});

suite('analysis in the web worker (dmesg.txt)', () => {
  let api: BootMemoryLensApi;
  let doc: vscode.TextDocument;
  let before: string;

  suiteSetup(async () => {
    api = await activate();
    doc = await vscode.workspace.openTextDocument(workspaceFile('dmesg.txt'));
    before = doc.getText();
    await vscode.window.showTextDocument(doc);
  });

  suiteTeardown(async () => {
    assert.equal(doc.isDirty, false, 'the log is never edited');
    assert.equal(doc.getText(), before);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the log is analysed in a web worker (dist/web/worker.js), not on the extension host thread', async () => {
    const analysis = await api.features.analysis.analysis(doc);
    assert.ok(analysis, 'the log was analysed');
    console.log(`[web] analysed ${doc.lineCount} lines in ${analysis.durationMs} ms (${analysis.host})`);
    assert.equal(analysis.host, 'web-worker');
    assert.equal(analysis.summary.boots.length, 1);
    assert.equal(analysis.summary.nodeCount, 2);
    assert.equal(analysis.version, doc.version);
  });

  test('findings are in the Problems panel with the engine codes', async () => {
    const diags = await waitFor('8 diagnostics', () => {
      const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === DIAGNOSTIC_SOURCE);
      return d.length >= 8 && d;
    });
    assert.deepEqual(
      diags.map((d) => String(d.code)).sort(),
      ['outside-memory', 'outside-memory', 'outside-memory', 'outside-memory', 'outside-memory', 'outside-memory', 'outside-memory', 'overlapping-reserve'],
    );
    const overlap = diags.find((d) => d.code === 'overlapping-reserve');
    assert.ok(overlap);
    assert.equal(overlap.range.start.line, lineOf(doc, 'memblock_reserve: [0x0000000000000000-0x00000000000fffff] setup_arch'));
    assert.ok(overlap.relatedInformation && overlap.relatedInformation.length > 0, 'related information links the earlier reservations');
  });

  test('the status bar shows nodes, reserved total and findings', async () => {
    await vscode.window.showTextDocument(doc);
    const text = await waitFor('status bar text', () => {
      const t = api.features.statusBarText();
      return t.includes('nodes') && t;
    });
    assert.match(text, /2 nodes · [\d.]+ [KMG]iB reserved · 8 findings/);
  });

  test('hover on an address is answered by the worker session (node, size)', async () => {
    const line = lineOf(doc, 'memblock_reserve: [0x000000007fc00000-0x000000007fdfffff]');
    const col = doc.lineAt(line).text.indexOf('0x000000007fc00000') + 4;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, col));
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : c.value))
      .join('\n');
    assert.match(text, /node 1/);
    assert.match(text, /2 MiB/);
  });

  test('the outline lists the boot and its sections', async () => {
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', doc.uri);
    assert.equal(symbols.length, 1);
    assert.match(symbols[0].name, /^Boot 0: Linux 6\.1/);
    const names = symbols[0].children.map((c) => c.name);
    for (const want of ['Firmware map (e820)', 'memblock timeline', 'NUMA']) assert.ok(names.includes(want), `section ${want} in ${names.join(', ')}`);
  });

  test('the tree shows the boot with its 2 NUMA nodes', async () => {
    const tree = api.features.tree;
    const roots = await waitFor('tree roots', async () => {
      const r = await tree.getChildren();
      return r.length > 0 && r;
    });
    const nodes = (await tree.getChildren(roots[0])).filter((c) => c.kind === 'node');
    assert.deepEqual(nodes.map((n) => tree.getTreeItem(n).label), ['Node 0', 'Node 1']);
  });
});

suite('Memory Map in the web host', () => {
  let api: BootMemoryLensApi;

  suiteSetup(async () => {
    api = await activate();
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('"Open Memory Map" opens the panel; the webview script runs and gets the boot and its state', async function () {
    this.timeout(90_000);
    const uri = workspaceFile('dmesg.txt');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await vscode.commands.executeCommand(Commands.openMap);
    const tab = await waitFor('the Memory Map tab', () => mapTabs()[0]);
    assert.equal(tab.label, 'Memory Map: dmesg.txt');
    // The handshake proves the webview script ran under its CSP in the web workbench's iframe.
    const info = await waitFor('the ready/init handshake', () => api.mapPanels().find((p) => p.documentUri === uri.toString() && p.handshakeDone), 75_000);
    assert.equal(info.rejectedMessages, 0);
    const boot = await waitFor('a boot message', () => last(api, uri, 'boot'));
    assert.deepEqual(boot.view.nodes.map((n) => n.nid), [0, 1]);
    await waitFor('a state message', () => last(api, uri, 'state'));
  });

  test('"What-if Replay…" replays the boot in the worker and posts the view to the map', async function () {
    this.timeout(90_000);
    const uri = workspaceFile('dmesg.txt');
    api.mapPanelTesting.clearSent(uri.toString());
    const ok = await vscode.commands.executeCommand(Commands.whatIf, { uri, model: 'bootmem', layout: '0:0-1G;1:1G-2G' });
    assert.equal(ok, true);
    const message = (await waitFor('a whatIf message', () => last(api, uri, 'whatIf'))) as WhatIfMessage;
    assert.ok(message.view.totals.moved > 0, 'the case moves at least one request');
    assert.ok(message.view.rows.length > 0);
  });

  test('"Compare Boots…" compares two logs of the workspace', async function () {
    this.timeout(90_000);
    const uri = workspaceFile('compare', 'x86_64-1node-1g-memblock-debug.log');
    const otherUri = workspaceFile('compare', 'x86_64-2node-2g-memblock-debug.log');
    const ok = await vscode.commands.executeCommand(Commands.compareBoots, { uri, otherUri });
    assert.equal(ok, true);
    const message = (await waitFor('a compare message', () => last(api, uri, 'compare'))) as CompareMessage;
    assert.equal(message.view.a.name, 'x86_64-1node-1g-memblock-debug.log');
    assert.equal(message.view.b.name, 'x86_64-2node-2g-memblock-debug.log');
    assert.ok(message.view.rows.length > 0);
  });
});
