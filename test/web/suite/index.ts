/// <reference types="mocha" />
// Entry of the web-host test suite: the web worker extension host (vscode.dev's, run by
// @vscode/test-web) loads this module (extensionTestsPath) and awaits run(). The bundle
// (scripts/web-test/build.mjs -> out/test/web/suite/index.js) is one CommonJS file whose only
// run-time import is `vscode`: the web extension host can load nothing else.
//
// Mocha is its browser build, which defines the `mocha` global; the test files are required only
// after mocha.setup() has defined `suite`/`test`.
import 'mocha/mocha.js';

/** WEB_TEST_GREP at bundle time (scripts/web-test/build.mjs): the suite cannot read the environment. */
declare const __WEB_TEST_GREP__: string;

export function run(): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      mocha.setup({ ui: 'tdd', reporter: 'spec', color: false, timeout: 60_000 });
      if (__WEB_TEST_GREP__) mocha.grep(__WEB_TEST_GREP__);
      require('./web.test');
      const runner = mocha.run((failures) => {
        const { passes = 0, pending = 0 } = runner.stats ?? {};
        // The plain closing line CI looks for.
        console.log(`web: ${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}`);
        if (failures > 0) reject(new Error(`${failures} test(s) failed`));
        else resolve();
      });
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}
