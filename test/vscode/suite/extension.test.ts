/// <reference types="mocha" />
// Runs inside a real VS Code extension host (code-server via the shim, or a desktop VS Code).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMAND_CATEGORY, CommandTitles, Commands, EXTENSION_ID, LANGUAGE_ID, LANGUAGE_NAME, MAP_VIEW_TYPE } from '../../../src/extension/ids';
import { parseWebviewMessage } from '../../../src/protocol/messages';
import { activateExtension, waitFor, workspaceFile } from './helpers';

function mapTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(MAP_VIEW_TYPE));
}

suite('manifest', () => {
  test('package.json and src/extension/ids.ts declare the same ids', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const pkg = ext.packageJSON as {
      contributes: { commands: { command: string; title: string; category: string }[]; languages: { id: string; aliases: string[] }[] };
      activationEvents: string[];
    };
    const declared = pkg.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(declared, Object.values(Commands).sort());
    for (const c of pkg.contributes.commands) {
      assert.equal(c.category, COMMAND_CATEGORY);
      assert.equal(c.title, CommandTitles[c.command as keyof typeof CommandTitles]);
    }
    const lang = pkg.contributes.languages.find((l) => l.id === LANGUAGE_ID);
    assert.ok(lang, 'bootlog language contributed');
    assert.equal(lang.aliases[0], LANGUAGE_NAME);
    assert.ok(pkg.activationEvents.includes(`onWebviewPanel:${MAP_VIEW_TYPE}`));
  });

  test('the extension activates and registers its commands', async () => {
    await activateExtension();
    const all = await vscode.commands.getCommands(true);
    for (const id of Object.values(Commands)) assert.ok(all.includes(id), `command ${id} registered`);
    assert.ok((await vscode.languages.getLanguages()).includes(LANGUAGE_ID));
  });
});

suite('language detection', () => {
  suiteSetup(activateExtension);

  test('a corpus log named dmesg.txt is a Linux Boot Log', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('dmesg.txt'));
    assert.equal(doc.languageId, LANGUAGE_ID);
  });

  test('kern.log is a Linux Boot Log', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('kern.log'));
    assert.equal(doc.languageId, LANGUAGE_ID);
  });

  test('a file without extension whose first line is the kernel banner is a Linux Boot Log', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('console-capture'));
    assert.equal(doc.languageId, LANGUAGE_ID);
  });

  test('an ordinary app.log is not claimed', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('app.log'));
    assert.notEqual(doc.languageId, LANGUAGE_ID);
  });
});

suite('Open Memory Map', () => {
  suiteSetup(activateExtension);

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('opens a webview panel for the active boot log and completes the ready/init handshake', async () => {
    const api = await activateExtension();
    const uri = workspaceFile('dmesg.txt');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const before = doc.getText();

    await vscode.commands.executeCommand(Commands.openMap);

    const tab = await waitFor('the Memory Map tab', () => mapTabs()[0]);
    assert.equal(tab.label, `Memory Map: ${path.posix.basename(uri.path)}`);
    // The handshake proves the webview script ran under the CSP (nonce) and the protocol round trip works.
    const info = await waitFor('the ready/init handshake', () =>
      api.mapPanels().find((p) => p.documentUri === uri.toString() && p.handshakeDone),
    );
    assert.equal(info.rejectedMessages, 0);
    // The log was only read.
    assert.equal(doc.isDirty, false);
    assert.equal(doc.getText(), before);
  });

  test('running it twice for one document reuses the panel', async () => {
    const uri = workspaceFile('kern.log');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await vscode.commands.executeCommand(Commands.openMap);
    await waitFor('first panel', () => mapTabs().length === 1);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    await vscode.commands.executeCommand(Commands.openMap);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(mapTabs().length, 1);
  });

  test('accepts a Uri argument (explorer context menu)', async function () {
    this.timeout(60_000);
    const api = await activateExtension();
    // From a clean layout, as from the Explorer: no editor is active, the Uri alone names the log.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const uri = workspaceFile('console-capture');
    await vscode.commands.executeCommand(Commands.openMap, uri);
    // A fresh webview on a cold, loaded machine can take a while to run its script.
    await waitFor('panel for the Uri', () => api.mapPanels().find((p) => p.documentUri === uri.toString() && p.handshakeDone), 45_000);
  });

  test('with no editor open it opens nothing', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand(Commands.openMap);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(mapTabs().length, 0);
  });
});

suite('protocol validation', () => {
  test('accepts well-formed webview messages', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'revealLine', line: 12 }), { type: 'revealLine', line: 12 });
  });

  test('rejects malformed or unknown messages', () => {
    for (const bad of [null, 42, 'ready', [], {}, { type: 'nope' }, { type: 'revealLine' }, { type: 'revealLine', line: 0 }, { type: 'revealLine', line: 1.5 }, { type: 'revealLine', line: '3' }]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
    }
  });
});

suite('environment', () => {
  test('reports where the suite runs', () => {
    // uiKind 2 = Web (code-server through the shim); 1 = Desktop.
    console.log(`[env] VS Code ${vscode.version}, uiKind=${vscode.env.uiKind}, appHost=${vscode.env.appHost}, remoteName=${vscode.env.remoteName ?? '-'}`);
    assert.ok(vscode.version);
  });
});

suite('openMapOnOpen setting', () => {
  teardown(async () => {
    await vscode.workspace.getConfiguration('bootMemoryLens').update('openMapOnOpen', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('opens the map beside a boot log when it is opened, and only then', async () => {
    const api = await activateExtension();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const kern = workspaceFile('kern.log');
    // Off (the default): opening a log shows no map.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(kern));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(api.mapPanels().filter((p) => p.documentUri === kern.toString()).length, 0);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // On: the map follows the log.
    await vscode.workspace.getConfiguration('bootMemoryLens').update('openMapOnOpen', true, vscode.ConfigurationTarget.Global);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(kern));
    await waitFor('the map of kern.log', () => api.mapPanels().some((p) => p.documentUri === kern.toString()));
  });
});
