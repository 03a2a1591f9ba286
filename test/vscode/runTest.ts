// Launches the in-host suite (out/test/vscode/suite/index.js) with @vscode/test-electron's runTests.
//
//   npm run test:vscode                          code-server + Chromium through the shim (offline)
//   VSCODE_TEST_EXECUTABLE=/path/to/code npm run test:vscode   a desktop VS Code already installed
//   VSCODE_TEST_DOWNLOAD=stable npm run test:vscode            let test-electron download VS Code
//
// The suite, its fixtures and the runTests call are the same in all three cases.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { prepareWorkspace } from '../shared/workspace';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(__dirname, '..', '..', '..');
const cache = path.join(root, '.vscode-test');


async function main(): Promise<void> {
  const t0 = Date.now();
  const workspace = prepareWorkspace(path.join(cache, 'workspace'));
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
