/// <reference types="mocha" />
// The Memory Map panel's host side, in a real extension host: the protocol answers (ready, pages,
// selection, seek, export), message validation, and the editor <-> playhead sync.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BootMemoryLensApi } from '../../../src/extension/extension';
import { Commands, LANGUAGE_ID, MAP_VIEW_TYPE } from '../../../src/extension/ids';
import {
  MAX_PAGE,
  parseHostMessage,
  parsePersistedState,
  parseWebviewMessage,
  type BootMessage,
  type HostToWebview,
  type StateMessage,
  type TimelinePageMessage,
} from '../../../src/protocol/messages';
import { activateExtension as api, waitFor, workspaceFile } from './helpers';

// The sample log (test/fixtures/sample) under the name runTest.ts gives it: 1 boot, 170 events, 2 nodes.
const EVENTS = 170;

/** Opens dmesg.txt and its map; resolves once the webview completed the handshake and got a state. */
async function openMap(a: BootMemoryLensApi): Promise<{ uri: vscode.Uri; doc: vscode.TextDocument }> {
  const uri = workspaceFile('dmesg.txt');
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
  await vscode.commands.executeCommand(Commands.openMap);
  await waitFor('handshake', () => a.mapPanels().find((p) => p.documentUri === uri.toString() && p.handshakeDone));
  await waitFor('first state', () => a.mapPanelTesting.sent(uri.toString()).some((m) => m.type === 'state'));
  return { uri, doc };
}

function sent<T extends HostToWebview['type']>(a: BootMemoryLensApi, uri: vscode.Uri, type: T): Extract<HostToWebview, { type: T }>[] {
  return a.mapPanelTesting.sent(uri.toString()).filter((m): m is Extract<HostToWebview, { type: T }> => m.type === type);
}

suite('Memory Map panel: protocol', () => {
  let a: BootMemoryLensApi;
  let uri: vscode.Uri;
  let doc: vscode.TextDocument;

  suiteSetup(async function () {
    this.timeout(90_000);
    a = await api();
    ({ uri, doc } = await openMap(a));
  });

  suiteTeardown(async () => {
    a.mapPanelTesting.setExportSink(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  setup(() => a.mapPanelTesting.clearSent(uri.toString()));

  test('answers ready with init, boot and state (default: the hand-off, last event)', async () => {
    await a.mapPanelTesting.receive(uri.toString(), { type: 'ready' });
    // (The live webview may be paging timeline rows meanwhile: only the handshake answers count here.)
    const types = a.mapPanelTesting.sent(uri.toString()).map((m) => m.type).filter((t) => t === 'init' || t === 'boot' || t === 'state');
    assert.deepEqual(types, ['init', 'boot', 'state']);
    const boot = sent(a, uri, 'boot')[0] as BootMessage;
    assert.equal(boot.view.boot.eventCount, EVENTS);
    assert.deepEqual(boot.view.nodes.map((n) => n.nid), [0, 1]);
    assert.ok(boot.view.accounting.length > 2, 'accounting waterfall');
    const state = sent(a, uri, 'state')[0] as StateMessage;
    assert.equal(state.eventIndex, EVENTS - 1);
    assert.ok(state.reserved.length > 0);
    assert.match(state.announcement, /^Event 170 of 170, line \d+/);
    // Everything the host sends passes the webview's own guard.
    for (const m of a.mapPanelTesting.sent(uri.toString())) assert.ok(parseHostMessage(JSON.parse(JSON.stringify(m))), m.type);
  });

  test('a restored ready (boot and event from the webview state) gets the state at that event', async () => {
    await a.mapPanelTesting.receive(uri.toString(), { type: 'ready', bootIndex: 0, eventIndex: 12 });
    const state = sent(a, uri, 'state').pop();
    assert.equal(state?.eventIndex, 12);
  });

  test('requestPage returns exactly the rows asked for', async () => {
    await a.mapPanelTesting.receive(uri.toString(), { type: 'requestPage', bootIndex: 0, start: 5, count: 7 });
    const page = sent(a, uri, 'timelinePage').pop() as TimelinePageMessage;
    assert.equal(page.start, 5);
    assert.deepEqual(page.events.map((e) => e.index), [5, 6, 7, 8, 9, 10, 11]);
    for (const e of page.events) assert.ok(e.line >= 1 && e.line <= doc.lineCount);
    // The end of the timeline: a short page, never past the last event.
    await a.mapPanelTesting.receive(uri.toString(), { type: 'requestPage', bootIndex: 0, start: EVENTS - 3, count: 100 });
    const tail = sent(a, uri, 'timelinePage').pop() as TimelinePageMessage;
    assert.deepEqual(tail.events.map((e) => e.index), [EVENTS - 3, EVENTS - 2, EVENTS - 1]);
  });

  test('invalid messages are rejected and answered with nothing', async () => {
    const before = a.mapPanels().find((p) => p.documentUri === uri.toString())?.rejectedMessages ?? 0;
    const bad: unknown[] = [
      null,
      'ready',
      { type: 'requestPage', bootIndex: 0, start: 0, count: MAX_PAGE + 1 },
      { type: 'requestPage', bootIndex: 0, start: -1, count: 5 },
      { type: 'requestPage', bootIndex: '0', start: 0, count: 5 },
      { type: 'selectEvent', bootIndex: 0, eventIndex: 3 },
      { type: 'selectEvent', bootIndex: 0, eventIndex: 1.5, reveal: true },
      { type: 'seek', bootIndex: 0, from: 0, direction: 2, target: 'reserve' },
      { type: 'seek', bootIndex: 0, from: 0, direction: 1, target: 'rm -rf' },
      { type: 'export', format: 'svg', data: '<script>alert(1)</script>' },
      { type: 'export', format: 'png', data: 'data:image/png;base64,@@@' },
      { type: 'export', format: 'gif', data: 'data:image/gif;base64,AAAA' },
      { type: 'revealLine', line: 0 },
      { type: 'openFile', path: '/etc/passwd' },
    ];
    for (const m of bad) await a.mapPanelTesting.receive(uri.toString(), m);
    const after = a.mapPanels().find((p) => p.documentUri === uri.toString())?.rejectedMessages ?? 0;
    assert.equal(after - before, bad.length);
    assert.deepEqual(a.mapPanelTesting.sent(uri.toString()), []);
  });

  test('selectEvent with reveal moves the editor cursor to the event line and answers with its state', async () => {
    await a.mapPanelTesting.receive(uri.toString(), { type: 'selectEvent', bootIndex: 0, eventIndex: 40, reveal: true });
    const state = sent(a, uri, 'state').pop() as StateMessage;
    assert.equal(state.eventIndex, 40);
    const editor = await waitFor('an editor on the log at the event line', () =>
      vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString() && e.selection.active.line === state.line - 1),
    );
    assert.equal(editor.document.isDirty, false);
  });

  test('seek finds the next event of a kind (and says so when there is none)', async () => {
    await a.mapPanelTesting.receive(uri.toString(), { type: 'seek', bootIndex: 0, from: 0, direction: 1, target: 'reserve' });
    const playhead = sent(a, uri, 'playhead').pop();
    assert.ok(playhead && playhead.eventIndex > 0);
    const page = await (async () => {
      await a.mapPanelTesting.receive(uri.toString(), { type: 'requestPage', bootIndex: 0, start: 0, count: playhead.eventIndex + 1 });
      return sent(a, uri, 'timelinePage').pop() as TimelinePageMessage;
    })();
    assert.equal(page.events[playhead.eventIndex].kind, 'reserve');
    assert.ok(page.events.slice(1, playhead.eventIndex).every((e) => e.kind !== 'reserve'), 'the first reserve after event 0');
    a.mapPanelTesting.clearSent(uri.toString());
    await a.mapPanelTesting.receive(uri.toString(), { type: 'seek', bootIndex: 0, from: EVENTS - 1, direction: 1, target: 'reserve' });
    const result = sent(a, uri, 'seekResult').pop();
    assert.equal(result?.found, false);
  });

  test('moving the editor cursor in the log moves the playhead', async () => {
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
    a.mapPanelTesting.clearSent(uri.toString());
    const line = 200; // 1-based; inside the percpu allocations
    editor.selection = new vscode.Selection(line - 1, 0, line - 1, 0);
    const playhead = await waitFor('a playhead message', () => sent(a, uri, 'playhead').pop());
    const state = await waitFor('its state', () => sent(a, uri, 'state').pop());
    assert.equal(state.eventIndex, playhead.eventIndex);
    assert.ok(state.line <= line, `event line ${state.line} at or before the cursor line ${line}`);
    assert.equal(a.mapPanels().find((p) => p.documentUri === uri.toString())?.eventIndex, playhead.eventIndex);
  });

  test('panel commands are forwarded to the map as actions', async () => {
    const panelCommands = [Commands.stepForward, Commands.stepBack, Commands.nextFinding, Commands.previousFinding, Commands.nextLeak, Commands.start, Commands.end, Commands.exportSvg, Commands.exportPng];
    for (const c of panelCommands) assert.equal(await vscode.commands.executeCommand(c), true, c);
    const actions = sent(a, uri, 'action').map((m) => m.action);
    assert.deepEqual(actions, ['stepForward', 'stepBack', 'nextFinding', 'previousFinding', 'nextLeak', 'start', 'end', 'exportSvg', 'exportPng']);
  });

  test('exports go through the save hook (SVG text and PNG bytes), never into the log', async () => {
    const saved: { format: string; bytes: Uint8Array }[] = [];
    a.mapPanelTesting.setExportSink((format, bytes) => {
      saved.push({ format, bytes });
      return `/tmp/map.${format}`;
    });
    await a.mapPanelTesting.receive(uri.toString(), { type: 'export', format: 'svg', data: '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>' });
    // A 1x1 PNG.
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
    await a.mapPanelTesting.receive(uri.toString(), { type: 'export', format: 'png', data: `data:image/png;base64,${png}` });
    assert.equal(saved.length, 2);
    assert.match(new TextDecoder().decode(saved[0].bytes), /^<svg /);
    assert.deepEqual([...saved[1].bytes.slice(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const results = sent(a, uri, 'exportResult');
    assert.deepEqual(results.map((r) => [r.format, r.saved]), [['svg', true], ['png', true]]);
    assert.equal(doc.isDirty, false);
  });
});

suite('Memory Map panel: open at a line', () => {
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('openMap with { uri, line } (CodeLens "Show in map") opens the map at that line\'s event', async () => {
    const a = await api();
    const uri = workspaceFile('dmesg.txt');
    await vscode.commands.executeCommand(Commands.openMap, { uri, line: 200 });
    const state = await waitFor('a state', () => a.mapPanelTesting.sent(uri.toString()).find((m): m is StateMessage => m.type === 'state'));
    assert.ok(state.eventIndex > 0 && state.eventIndex < EVENTS - 1, `event ${state.eventIndex}`);
    assert.ok(state.line <= 200);
    // Again on the open panel: the playhead moves there.
    a.mapPanelTesting.clearSent(uri.toString());
    await vscode.commands.executeCommand(Commands.openMap, { uri, line: 40 });
    const moved = await waitFor('a playhead', () => a.mapPanelTesting.sent(uri.toString()).find((m) => m.type === 'playhead'));
    assert.ok(moved.type === 'playhead' && moved.eventIndex < state.eventIndex);
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(MAP_VIEW_TYPE));
    assert.equal(tabs.length, 1);
  });

  test('mapping a kernel log that VS Code did not recognise switches it to the boot-log language (analysed in the worker)', async () => {
    const a = await api();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bootmem-capture-')), 'capture.out');
    fs.copyFileSync(workspaceFile('dmesg.txt').fsPath, file);
    const before = fs.readFileSync(file);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    assert.notEqual(doc.languageId, LANGUAGE_ID);
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand(Commands.openMap);
    const key = vscode.Uri.file(file).toString();
    await waitFor('handshake', () => a.mapPanels().find((p) => p.documentUri === key && p.handshakeDone));
    const now = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    assert.equal(now?.languageId, LANGUAGE_ID);
    const analysis = await waitFor('the analysis service has it', () => a.features.analysis.latest(vscode.Uri.file(file)));
    assert.equal(analysis.host, 'node-worker');
    assert.deepEqual(fs.readFileSync(file), before, 'the file is not touched');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});

suite('Memory Map panel: message guards', () => {
  test('accepts the well-formed webview messages', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'requestPage', bootIndex: 0, start: 0, count: 256 }), { type: 'requestPage', bootIndex: 0, start: 0, count: 256 });
    assert.deepEqual(parseWebviewMessage({ type: 'selectEvent', bootIndex: 1, eventIndex: -1, reveal: false }), { type: 'selectEvent', bootIndex: 1, eventIndex: -1, reveal: false });
    assert.deepEqual(parseWebviewMessage({ type: 'selectBoot', bootIndex: 2 }), { type: 'selectBoot', bootIndex: 2 });
    assert.deepEqual(parseWebviewMessage({ type: 'seek', bootIndex: 0, from: -1, direction: -1, target: 'flagged' }), { type: 'seek', bootIndex: 0, from: -1, direction: -1, target: 'flagged' });
    assert.deepEqual(parseWebviewMessage({ type: 'ready', bootIndex: 0, eventIndex: 5, extra: 'dropped' }), { type: 'ready', bootIndex: 0, eventIndex: 5 });
    assert.deepEqual(parseWebviewMessage({ type: 'ready', bootIndex: -4, eventIndex: 5 }), { type: 'ready' });
    const svg = parseWebviewMessage({ type: 'export', format: 'svg', data: '<svg/>' });
    assert.equal(svg?.type, 'export');
  });

  test('persisted state keeps the document and a valid view, and drops the rest', () => {
    assert.deepEqual(parsePersistedState({ documentUri: 'file:///a', bootIndex: 0, eventIndex: 9, zoom: { start: 0.1, end: 0.2 }, tab: 'leaks' }), {
      documentUri: 'file:///a',
      bootIndex: 0,
      eventIndex: 9,
      zoom: { start: 0.1, end: 0.2 },
      tab: 'leaks',
    });
    assert.deepEqual(parsePersistedState({ documentUri: 'file:///a', eventIndex: 'x', zoom: { start: 2, end: 1 }, tab: '<b>' }), { documentUri: 'file:///a' });
    assert.equal(parsePersistedState({ documentUri: '' }), undefined);
  });
});
