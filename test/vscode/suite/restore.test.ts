/// <reference types="mocha" />
// The What-if and Compare tabs after a window reload. The webview persists the what-if's inputs and
// what the comparison compared (never the results); the WebviewPanelSerializer hands that state back
// to MapPanel.revive, which validates it and runs both again once the new webview is ready. Here the
// reload is simulated the way the serializer does it: the panel is closed, then a new webview panel is
// revived with the state (mapPanelTesting.revive).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { BootMemoryLensApi } from '../../../src/extension/extension';
import { Commands } from '../../../src/extension/ids';
import { parseHostMessage, parsePersistedState, type PersistedState } from '../../../src/protocol/messages';
import { activateExtension as api, cli, lastOf, waitFor, workspaceFile } from './helpers';

async function closeAll(a: BootMemoryLensApi): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await waitFor('every map closed', () => a.mapPanels().length === 0);
}

/** Revives a map from `state` and waits until its webview completed the handshake. */
async function revive(a: BootMemoryLensApi, uri: vscode.Uri, state: unknown): Promise<void> {
  await a.mapPanelTesting.revive(state);
  await waitFor('the revived map\'s handshake', () => a.mapPanels().find((p) => p.documentUri === uri.toString() && p.handshakeDone), 45_000);
  await waitFor('its first state', () => lastOf(a, uri, 'state'));
}

suite('Memory Map panel: What-if and Compare after a reload', () => {
  let a: BootMemoryLensApi;

  suiteSetup(async function () {
    this.timeout(90_000);
    a = await api();
  });

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the revived panel runs the what-if and the comparison again: same inputs, same results', async function () {
    this.timeout(150_000);
    const uri = workspaceFile('dmesg.txt');
    const otherUri = workspaceFile('compare', 'x86_64-1node-1g-memblock-debug.log');
    const layout = '0:0-1G;1:1G-2G';
    assert.equal(await vscode.commands.executeCommand(Commands.whatIf, { uri, model: 'bootmem', layout }), true);
    assert.equal(await vscode.commands.executeCommand(Commands.compareBoots, { uri, otherUri }), true);
    const whatIf = await waitFor('a whatIf message', () => lastOf(a, uri, 'whatIf'));
    const compare = await waitFor('a compare message', () => lastOf(a, uri, 'compare'));
    assert.ok(compare.source);

    // What webview/main.ts persists from these two messages (plus its own view and tab).
    const state: PersistedState = {
      documentUri: uri.toString(),
      bootIndex: 0,
      eventIndex: 120,
      tab: 'compare',
      whatIf: { bootIndex: whatIf.view.bootIndex, request: whatIf.request },
      compare: compare.source,
    };
    assert.deepEqual(parsePersistedState(JSON.parse(JSON.stringify(state))), state);

    await closeAll(a);
    await revive(a, uri, JSON.parse(JSON.stringify(state)));
    const whatIf2 = await waitFor('the what-if again', () => lastOf(a, uri, 'whatIf'), 60_000);
    const compare2 = await waitFor('the comparison again', () => lastOf(a, uri, 'compare'), 60_000);
    // Marked restored: the webview keeps the tab it restored instead of jumping to the newest result.
    assert.equal(whatIf2.restored, true);
    assert.equal(compare2.restored, true);
    assert.deepEqual(whatIf2.request, whatIf.request);
    assert.deepEqual(whatIf2.view, whatIf.view);
    assert.deepEqual(compare2.view, compare.view);
    assert.deepEqual(compare2.source, compare.source);
    // Still what the CLI says.
    assert.deepEqual(compare2.view.totals, cli('diff', uri.fsPath, otherUri.fsPath, '--json').totals);
    assert.equal(whatIf2.view.totals.moved, (cli('whatif', uri.fsPath, '--model', 'bootmem', '--layout', layout, '--json').totals as { moved: number }).moved);
    for (const m of [whatIf2, compare2]) assert.ok(parseHostMessage(JSON.parse(JSON.stringify(m))), m.type);
  });

  test('two boots of one log are compared again after a reload', async function () {
    this.timeout(120_000);
    const uri = workspaceFile('compare', 'two-boots-5.11.dmesg');
    await revive(a, uri, { documentUri: uri.toString(), tab: 'compare', compare: { kind: 'boots', bootA: 1, bootB: 0 } });
    const compare = await waitFor('the comparison', () => lastOf(a, uri, 'compare'), 60_000);
    assert.equal(compare.restored, true);
    assert.deepEqual([compare.view.a.bootIndex, compare.view.b.bootIndex], [1, 0]);
    assert.deepEqual(compare.view.totals, cli('diff', uri.fsPath, '--boots', '1,0', '--json').totals);
    assert.equal(lastOf(a, uri, 'whatIf'), undefined);
  });

  test('a tampered or stale state restores the map; what cannot run again says so in its tab', async function () {
    this.timeout(120_000);
    const uri = workspaceFile('dmesg.txt');
    // An unknown model is dropped by the guard; a URI with a scheme that is no log's is refused.
    await revive(a, uri, {
      documentUri: uri.toString(),
      whatIf: { bootIndex: 0, request: { model: 'slab', layout: '<script>' } },
      compare: { kind: 'document', otherUri: 'command:workbench.action.quit', bootA: 0, bootB: 0 },
    });
    const refused = await waitFor('a compareError', () => lastOf(a, uri, 'compareError'));
    assert.equal(refused.restored, true);
    assert.match(refused.message, /cannot be read/);
    assert.equal(lastOf(a, uri, 'whatIf'), undefined);
    assert.equal(lastOf(a, uri, 'whatIfError'), undefined);
    assert.equal(lastOf(a, uri, 'compare'), undefined);
    await closeAll(a);

    // Well-formed but stale: the log has one boot now, the layout does not parse, the other log is gone.
    await revive(a, uri, {
      documentUri: uri.toString(),
      whatIf: { bootIndex: 0, request: { model: 'bootmem', layout: '0:zz' } },
      compare: { kind: 'boots', bootA: 0, bootB: 7 },
    });
    const whatIfError = await waitFor('a whatIfError', () => lastOf(a, uri, 'whatIfError'));
    const compareError = await waitFor('a compareError', () => lastOf(a, uri, 'compareError'));
    assert.equal(whatIfError.restored, true);
    assert.equal(compareError.restored, true);
    assert.match(compareError.message, /no boot 7/);
    await closeAll(a);

    await revive(a, uri, {
      documentUri: uri.toString(),
      compare: { kind: 'document', otherUri: workspaceFile('compare', 'deleted-meanwhile.log').toString(), bootA: 0, bootB: 0 },
    });
    const gone = await waitFor('a compareError', () => lastOf(a, uri, 'compareError'));
    assert.match(gone.message, /^deleted-meanwhile\.log cannot be read/);
    assert.ok(a.mapPanels().some((p) => p.documentUri === uri.toString() && p.rejectedMessages === 0));
  });

  test('the persisted state guard keeps valid what-if inputs and compare sources, and drops the rest', () => {
    const base = { documentUri: 'file:///a' };
    const whatIf = { bootIndex: 0, request: { model: 'memblock', layout: 'even:2', cmdline: 'crashkernel=256M', bottomUp: true } };
    assert.deepEqual(parsePersistedState({ ...base, whatIf, tab: 'whatif' }), { ...base, whatIf, tab: 'whatif' });
    assert.deepEqual(parsePersistedState({ ...base, compare: { kind: 'boots', bootA: 0, bootB: 1 } }), { ...base, compare: { kind: 'boots', bootA: 0, bootB: 1 } });
    const doc = { kind: 'document', otherUri: 'file:///logs/b.log', bootA: 0, bootB: 2 };
    assert.deepEqual(parsePersistedState({ ...base, compare: doc }), { ...base, compare: doc });
    const bad: unknown[] = [
      { whatIf: { bootIndex: -1, request: { model: 'bootmem' } } },
      { whatIf: { bootIndex: 0, request: { model: 'slab' } } },
      { whatIf: { bootIndex: 0, request: { model: 'bootmem', layout: 'x'.repeat(5000) } } },
      { whatIf: { bootIndex: 0 } },
      { compare: { kind: 'boots', bootA: 0 } },
      { compare: { kind: 'boots', bootA: 0, bootB: 1.5 } },
      { compare: { kind: 'document', otherUri: '/no/scheme.log', bootA: 0, bootB: 0 } },
      { compare: { kind: 'document', otherUri: `file:///${'x'.repeat(9000)}`, bootA: 0, bootB: 0 } },
      { compare: { kind: 'document', otherUri: 'file:///a\nb', bootA: 0, bootB: 0 } },
      { compare: { kind: 'other', bootA: 0, bootB: 0 } },
      { compare: 'file:///b.log' },
    ];
    for (const extra of bad) assert.deepEqual(parsePersistedState({ ...base, ...(extra as object) }), base, JSON.stringify(extra).slice(0, 80));
  });
});
