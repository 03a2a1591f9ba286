// Entry of the in-host test suite: VS Code loads this module (extensionTestsPath) inside the
// extension host and awaits run(). Same contract for @vscode/test-electron on a desktop VS Code and
// for scripts/vscode-test/code-shim.js on code-server.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    timeout: Number(process.env.BOOTMEM_TEST_TIMEOUT ?? 30_000),
    grep: process.env.BOOTMEM_TEST_GREP || undefined,
  });
  // esbuild writes one bundle per *.test.ts next to this file.
  for (const f of fs.readdirSync(__dirname).sort()) {
    if (f.endsWith('.test.js')) mocha.addFile(path.join(__dirname, f));
  }
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => {
        console.log(`[bootmem-lens suite] ${failures === 0 ? 'all passed' : `${failures} failed`}`);
        if (failures > 0) reject(new Error(`${failures} test(s) failed`));
        else resolve();
      });
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}
