// Helpers shared by the in-host suites (this file has no tests; index.ts loads only *.test.js).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { BootMemoryLensApi } from '../../../src/extension/extension';
import { EXTENSION_ID } from '../../../src/extension/ids';

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

/** Polls `probe` until it returns something truthy (mocha's own timeout still bounds a test). */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 40_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
