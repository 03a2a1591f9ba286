// Helpers shared by the in-host suites (this file has no tests; index.ts loads only *.test.js).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BootMemoryLensApi } from '../../../src/extension/extension';
import { EXTENSION_ID } from '../../../src/extension/ids';
import type { HostToWebview } from '../../../src/protocol/messages';

/** A file of the workspace runTest.ts prepared (first folder). */
export function workspaceFile(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test run must open the fixture workspace folder');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

/** Activates the extension explicitly: activation can race the first command otherwise. */
export async function activateExtension(): Promise<BootMemoryLensApi> {
  const ext = vscode.extensions.getExtension<BootMemoryLensApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

export { waitFor } from '../../shared/wait';

/** Runs the bundled CLI (dist/cli.js) of this extension and parses its JSON output. */
export function cli(...args: string[]): Record<string, unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext);
  const out = execFileSync(process.execPath, [path.join(ext.extensionPath, 'dist', 'cli.js'), ...args], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as Record<string, unknown>;
}

/** The messages of one type the host posted to a document's map, oldest first. */
export function sentOf<T extends HostToWebview['type']>(a: BootMemoryLensApi, uri: vscode.Uri, type: T): Extract<HostToWebview, { type: T }>[] {
  return a.mapPanelTesting.sent(uri.toString()).filter((m): m is Extract<HostToWebview, { type: T }> => m.type === type);
}

/** The last message of one type the host posted to a document's map. */
export function lastOf<T extends HostToWebview['type']>(a: BootMemoryLensApi, uri: vscode.Uri, type: T): Extract<HostToWebview, { type: T }> | undefined {
  const all = sentOf(a, uri, type);
  return all[all.length - 1];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
