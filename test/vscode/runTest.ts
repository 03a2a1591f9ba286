// Launches the in-host suite (out/test/vscode/suite/index.js) with @vscode/test-electron's runTests.
//
//   npm run test:vscode                          code-server + Chromium through the shim (offline)
//   VSCODE_TEST_EXECUTABLE=/path/to/code npm run test:vscode   a desktop VS Code already installed
//   VSCODE_TEST_DOWNLOAD=stable npm run test:vscode            let test-electron download VS Code
//
// The suite, its fixtures and the runTests call are the same in all three cases.
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(__dirname, '..', '..', '..');
const cache = path.join(root, '.vscode-test');

function prepareWorkspace(): string {
  const ws = path.join(cache, 'workspace');
  rmSync(ws, { recursive: true, force: true });
  cpSync(path.join(root, 'test', 'fixtures', 'vscode-workspace'), ws, { recursive: true });
  // The corpus log, under a dmesg-like name the language must claim.
  cpSync(path.join(root, 'test', 'fixtures', 'sample', 'x86_64-2node-2g-memblock-debug.log'), path.join(ws, 'dmesg.txt'));
  // Two corpus logs for "Compare Boots" (whatif.test.ts), in a folder of their own.
  mkdirSync(path.join(ws, 'compare'), { recursive: true });
  for (const name of ['x86_64-1node-1g-memblock-debug.log', 'x86_64-2node-2g-memblock-debug.log']) {
    cpSync(path.join(root, 'test', 'fixtures', 'corpus', 'qemu', name), path.join(ws, 'compare', name));
  }
  // The corpus log that holds two boots (compare.test.ts: the boot A / boot B quick picks), named so
  // that it gets the bootlog language.
  cpSync(
    path.join(root, 'test', 'fixtures', 'corpus', 'real', 'x86_64-qemu-2node-midsection-boundary-overlapping-node-spans-5.11.log'),
    path.join(ws, 'compare', 'two-boots-5.11.dmesg'),
  );
  return ws;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const workspace = prepareWorkspace();
  const userDataDir = path.join(cache, 'user-data');
  const extensionsDir = path.join(cache, 'extensions');
  rmSync(userDataDir, { recursive: true, force: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(path.join(extensionsDir, 'extensions.json'), '[]');

  const executable = process.env.VSCODE_TEST_EXECUTABLE;
  const download = process.env.VSCODE_TEST_DOWNLOAD;
  const vscodeExecutablePath = executable
    ? path.resolve(executable)
    : download
      ? undefined
      : path.join(root, 'scripts', 'vscode-test', 'code-shim.js');
  console.log(`[runTest] VS Code: ${vscodeExecutablePath ?? `download (${download})`}`);

  const code = await runTests({
    vscodeExecutablePath,
    version: download || undefined,
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out', 'test', 'vscode', 'suite', 'index.js'),
    extensionTestsEnv: { BOOTMEM_TEST_RUN: '1' },
    launchArgs: [
      workspace,
      `--user-data-dir=${userDataDir}`,
      `--extensions-dir=${extensionsDir}`,
      '--disable-extensions', // other installed extensions stay off (desktop); the dev extension still loads
    ],
  });
  console.log(`[runTest] exit code ${code} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  process.exitCode = code;
}

main().catch((e: unknown) => {
  console.error(`[runTest] failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
