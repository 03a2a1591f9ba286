// The workspace the real-VS Code suites open (desktop/code-server and web host): the fixture folder
// plus corpus logs under the names the tests expect. Rebuilt from scratch for every run.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const fixture = (...parts: string[]) => path.join(root, 'test', 'fixtures', ...parts);

/** Builds the test workspace in `ws` (removed first) and returns it. */
export function prepareWorkspace(ws: string): string {
  rmSync(ws, { recursive: true, force: true });
  cpSync(fixture('vscode-workspace'), ws, { recursive: true });
  // The corpus log, under a dmesg-like name the language must claim.
  cpSync(fixture('sample', 'x86_64-2node-2g-memblock-debug.log'), path.join(ws, 'dmesg.txt'));
  // Two corpus logs for "Compare Boots", in a folder of their own.
  mkdirSync(path.join(ws, 'compare'), { recursive: true });
  for (const name of ['x86_64-1node-1g-memblock-debug.log', 'x86_64-2node-2g-memblock-debug.log']) {
    cpSync(fixture('corpus', 'qemu', name), path.join(ws, 'compare', name));
  }
  // The corpus log that holds two boots (the boot A / boot B quick picks), named so that it gets the
  // bootlog language.
  cpSync(fixture('corpus', 'real', 'x86_64-qemu-2node-midsection-boundary-overlapping-node-spans-5.11.log'), path.join(ws, 'compare', 'two-boots-5.11.dmesg'));
  return ws;
}
