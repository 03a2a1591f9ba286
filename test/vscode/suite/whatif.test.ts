/// <reference types="mocha" />
// "Boot Memory: What-if Replay…" and "Boot Memory: Compare Boots…" in a real extension host: the
// commands (with their test-hook arguments) post views to the Memory Map whose totals match the
// CLI's JSON (`whatif --json`, `diff --json`) for the same inputs.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { BootMemoryLensApi } from '../../../src/extension/extension';
import { Commands } from '../../../src/extension/ids';
import { parseWebviewMessage, type CompareMessage, type WhatIfMessage } from '../../../src/protocol/messages';
import { activateExtension as api, cli, lastOf, waitFor, workspaceFile } from './helpers';

const last = lastOf;

suite('What-if replay and boot comparison', () => {
  let a: BootMemoryLensApi;

  suiteSetup(async function () {
    this.timeout(90_000);
    a = await api();
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the what-if command posts a view whose totals match `whatif --json`', async function () {
    this.timeout(90_000);
    const uri = workspaceFile('dmesg.txt');
    const layout = '0:0-1G;1:1G-2G';
    const ok = await vscode.commands.executeCommand(Commands.whatIf, { uri, model: 'bootmem', layout });
    assert.equal(ok, true);
    const message = await waitFor('a whatIf message', () => last(a, uri, 'whatIf')) as WhatIfMessage;
    const expected = cli('whatif', uri.fsPath, '--model', 'bootmem', '--layout', layout, '--json');
    const { largestFreeBlockPerNode, ...totals } = expected.totals as Record<string, unknown>;
    assert.deepEqual(message.view.totals, totals);
    assert.ok(message.view.totals.moved > 0, 'the case moves at least one request');
    assert.equal(message.view.rows.length, (expected.requests as unknown[]).length);
    assert.equal(message.view.rows.filter((r) => r.moved).length, message.view.totals.moved);
    // Largest free block per node after the replay: as the CLI says.
    const after = message.view.nodes.filter((n) => n.after).map((n) => ({ nid: n.nid, size: BigInt(n.after!.largest) }));
    assert.deepEqual(after, (largestFreeBlockPerNode as { nid: number; size: string }[]).map((n) => ({ nid: n.nid, size: BigInt(n.size) })));
    assert.ok(message.view.nodes.every((n) => n.before), 'the logged boot has both nodes');
    assert.equal(message.request.layout, layout);
  });

  test('the panel form runs a what-if; bad input comes back as an error, not a view', async function () {
    this.timeout(60_000);
    const uri = workspaceFile('dmesg.txt');
    a.mapPanelTesting.clearSent(uri.toString());
    await a.mapPanelTesting.receive(uri.toString(), { type: 'runWhatIf', bootIndex: 0, model: 'memblock', bottomUp: true });
    const view = await waitFor('a whatIf message', () => last(a, uri, 'whatIf'));
    const expected = cli('whatif', uri.fsPath, '--model', 'memblock', '--bottom-up', '--json');
    assert.equal(view.view.totals.moved, (expected.totals as { moved: number }).moved);
    assert.equal(view.view.bottomUp, true);
    await a.mapPanelTesting.receive(uri.toString(), { type: 'runWhatIf', bootIndex: 0, model: 'bootmem', layout: '0:zz' });
    const error = await waitFor('a whatIfError message', () => last(a, uri, 'whatIfError'));
    assert.ok(error.message.length > 0);
    // Malformed form messages are dropped by the guard.
    assert.equal(parseWebviewMessage({ type: 'runWhatIf', bootIndex: 0, model: 'slab' }), undefined);
    assert.equal(parseWebviewMessage({ type: 'runWhatIf', bootIndex: -1, model: 'bootmem' }), undefined);
    assert.equal(parseWebviewMessage({ type: 'runWhatIf', bootIndex: 0, model: 'bootmem', layout: 'x'.repeat(5000) }), undefined);
    assert.equal(parseWebviewMessage({ type: 'runWhatIf', bootIndex: 0, model: 'bootmem', bottomUp: 'yes' }), undefined);
  });

  test('a bad layout given to the command is refused before anything runs', async () => {
    const uri = workspaceFile('dmesg.txt');
    const ok = await vscode.commands.executeCommand(Commands.whatIf, { uri, model: 'bootmem', layout: 'nonsense' });
    assert.equal(ok, false);
  });

  test('the compare command posts a comparison whose totals match `diff A B --json`', async function () {
    this.timeout(90_000);
    const uri = workspaceFile('compare', 'x86_64-1node-1g-memblock-debug.log');
    const otherUri = workspaceFile('compare', 'x86_64-2node-2g-memblock-debug.log');
    const ok = await vscode.commands.executeCommand(Commands.compareBoots, { uri, otherUri });
    assert.equal(ok, true);
    const message = await waitFor('a compare message', () => last(a, uri, 'compare')) as CompareMessage;
    const expected = cli('diff', uri.fsPath, otherUri.fsPath, '--json');
    assert.deepEqual(message.view.totals, expected.totals);
    assert.equal(message.view.rows.length, (expected.rows as unknown[]).length);
    assert.deepEqual(message.view.waterfall.map((w) => w.label), (expected.waterfall as { label: string }[]).map((w) => w.label));
    assert.equal(message.view.a.name, 'x86_64-1node-1g-memblock-debug.log');
    assert.equal(message.view.b.name, 'x86_64-2node-2g-memblock-debug.log');
  });
});
