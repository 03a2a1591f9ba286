/// <reference types="mocha" />
// "Boot Memory: Compare Boots…" in a real extension host:
//   - a log with two boots: the command asks for boot A then boot B in two quick picks (driven here
//     through the real quick input with workbench.action.acceptSelectedQuickOpenItem);
//   - another log: read and parsed by the engine's worker (never opened as a document on the host),
//     with progress; a bad other file gives a one-line error, not a crash.
// Every result is checked against the CLI's `diff --json` for the same boots.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BootMemoryLensApi } from '../../../src/extension/extension';
import { Commands } from '../../../src/extension/ids';
import { parseHostMessage, type CompareView } from '../../../src/protocol/messages';
import { activateExtension as api, cli, lastOf, sentOf, sleep, waitFor, workspaceFile } from './helpers';

/** The corpus log with two boots (runTest.ts copies it into the workspace under this name). */
const TWO_BOOTS = 'two-boots-5.11.dmesg';
const ONE_NODE = 'x86_64-1node-1g-memblock-debug.log';
const TWO_NODES = 'x86_64-2node-2g-memblock-debug.log';

/** The view against `diff --json`: boots, totals, rows, the waterfall (labels and values). */
function assertLikeCli(view: CompareView, expected: Record<string, unknown>): void {
  const side = (s: Record<string, unknown>) => ({ bootIndex: s.bootIndex, heldBytes: s.heldBytes, reservations: s.reservations });
  assert.deepEqual(side(view.a as unknown as Record<string, unknown>), side(expected.a as Record<string, unknown>));
  assert.deepEqual(side(view.b as unknown as Record<string, unknown>), side(expected.b as Record<string, unknown>));
  assert.deepEqual(view.totals, expected.totals);
  assert.equal(view.rows.length, (expected.rows as unknown[]).length);
  assert.deepEqual(JSON.parse(JSON.stringify(view.waterfall)), expected.waterfall);
}

suite('Compare Boots', () => {
  let a: BootMemoryLensApi;
  let tmp: string;

  suiteSetup(async function () {
    this.timeout(90_000);
    a = await api();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'bootmem-compare-'));
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(tmp, { recursive: true, force: true });
  });

  test('a log with two boots: quick picks for boot A, then boot B; the result is `diff --boots 0,1`', async function () {
    this.timeout(120_000);
    const uri = workspaceFile('compare', TWO_BOOTS);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    // No argument: the active log. It holds two boots, so the command asks for boot A, then for boot B
    // among the others. Accept the first item of each pick as it shows: boot 0, then boot 1. (An accept
    // while no quick input is open, or before its items arrived, does nothing.)
    let done = false;
    const running = Promise.resolve(vscode.commands.executeCommand<boolean>(Commands.compareBoots)).finally(() => {
      done = true;
    });
    const deadline = Date.now() + 90_000;
    let accepts = 0;
    while (!done && Date.now() < deadline) {
      await sleep(400);
      if (done) break;
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      accepts++;
    }
    assert.equal(await running, true, `the command completed (after ${accepts} accepts)`);
    const message = await waitFor('a compare message', () => lastOf(a, uri, 'compare'));
    assert.equal(message.view.sameLog, true);
    assert.deepEqual([message.view.a.bootIndex, message.view.b.bootIndex], [0, 1]);
    assert.equal(message.view.a.name, TWO_BOOTS);
    // What the webview persists for a reload.
    assert.deepEqual(message.source, { kind: 'boots', bootA: 0, bootB: 1 });
    assertLikeCli(message.view, cli('diff', uri.fsPath, '--boots', '0,1', '--json'));
    assert.ok(parseHostMessage(JSON.parse(JSON.stringify(message))));
    assert.equal(doc.isDirty, false);
  });

  test('another log is parsed in the engine worker, never opened on the host; totals as `diff A B --json`', async function () {
    this.timeout(120_000);
    // The map's log is a boot log (so the analysis service runs it in its worker); the other log is
    // any file: it is never opened as a document, its language does not matter.
    const uri = workspaceFile('dmesg.txt');
    const otherUri = workspaceFile('compare', ONE_NODE);
    const isOpen = (u: vscode.Uri) => vscode.workspace.textDocuments.some((d) => d.uri.toString() === u.toString());
    assert.equal(isOpen(otherUri), false, 'the other log is not open before');
    assert.equal(await vscode.commands.executeCommand(Commands.compareBoots, { uri, otherUri }), true);
    const message = await waitFor('a compare message', () => lastOf(a, uri, 'compare'));
    assertLikeCli(message.view, cli('diff', uri.fsPath, otherUri.fsPath, '--json'));
    assert.equal(message.view.sameLog, false);
    assert.equal(message.view.local, 'a');
    assert.deepEqual([message.view.a.name, message.view.b.name], ['dmesg.txt', ONE_NODE]);
    assert.deepEqual(message.source, { kind: 'document', otherUri: otherUri.toString(), bootA: 0, bootB: 0 });
    // The other log was streamed to the worker by path: no TextDocument (and no second analysis) here.
    assert.equal(isOpen(otherUri), false, 'the other log was not opened as a document');
    assert.equal(a.features.analysis.latest(uri)?.host, 'node-worker');
    // Again, once the panel is up: the worker's progress reaches the panel too.
    await waitFor('the handshake', () => a.mapPanels().find((p) => p.documentUri === uri.toString() && p.handshakeDone), 45_000);
    a.mapPanelTesting.clearSent(uri.toString());
    assert.equal(await vscode.commands.executeCommand(Commands.compareBoots, { uri, otherUri }), true);
    const progress = sentOf(a, uri, 'progress').map((m) => m.message);
    assert.ok(progress.some((m) => m.startsWith(`Reading ${ONE_NODE}`)), progress.join(' | '));
    assert.ok(progress.some((m) => m.startsWith(`Analysing ${ONE_NODE}`)), progress.join(' | '));
    assert.deepEqual(lastOf(a, uri, 'compare')?.view.totals, message.view.totals);
  });

  test('a bad other file (empty, binary, not a boot log, a directory, gone) gives a one-line error, not a crash', async function () {
    this.timeout(120_000);
    const uri = workspaceFile('dmesg.txt');
    const files: [string, (p: string) => void, RegExp][] = [
      ['empty.log', (p) => writeFileSync(p, ''), /^empty\.log is empty\.$/],
      ['blob.bin', (p) => writeFileSync(p, Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 37) % 256))), /^blob\.bin looks like a binary file, not a text log\.$/],
      ['notes.txt', (p) => writeFileSync(p, 'shopping list\n- milk\n- 0x1000 eggs\n'), /^notes\.txt holds no kernel boot/],
      ['folder', (p) => mkdirSync(p), /^folder is a directory, not a log file\.$/],
      ['gone.log', () => undefined, /^gone\.log cannot be read/],
    ];
    for (const [name, make, expected] of files) {
      const file = path.join(tmp, name);
      make(file);
      a.mapPanelTesting.clearSent(uri.toString());
      const ok = await vscode.commands.executeCommand(Commands.compareBoots, { uri, otherUri: vscode.Uri.file(file) });
      assert.equal(ok, false, name);
      const error = await waitFor(`a compareError for ${name}`, () => lastOf(a, uri, 'compareError'));
      assert.match(error.message, expected);
      assert.equal(error.restored, false);
      assert.equal(lastOf(a, uri, 'compare'), undefined, `no comparison for ${name}`);
    }
    // The panel and its worker are fine: a good log still compares.
    a.mapPanelTesting.clearSent(uri.toString());
    assert.equal(await vscode.commands.executeCommand(Commands.compareBoots, { uri, otherUri: workspaceFile('compare', TWO_NODES) }), true);
    assertLikeCli(lastOf(a, uri, 'compare')!.view, cli('diff', uri.fsPath, workspaceFile('compare', TWO_NODES).fsPath, '--json'));
    assert.ok(lastOf(a, uri, 'compare'));
    assert.ok(a.mapPanels().some((p) => p.documentUri === uri.toString() && p.handshakeDone));
  });
});
