// Bundles the web-host test suite and its launcher (npm run test:web):
//   out/test/web/suite/index.js  the suite, for the web worker extension host: one CommonJS file whose
//                                only run-time import is `vscode` (mocha's browser build is inlined)
//   out/test/web/runTest.js      the launcher, run by node (@vscode/test-web stays external)
// WEB_TEST_GREP=<text> bakes a mocha grep into the suite (it cannot read the environment).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('out/test/web', { recursive: true, force: true });
const common = { bundle: true, sourcemap: true, logLevel: 'warning' };
await Promise.all([
  build({
    ...common,
    entryPoints: ['test/web/suite/index.ts'],
    outfile: 'out/test/web/suite/index.js',
    platform: 'browser',
    format: 'cjs',
    target: 'es2022',
    external: ['vscode'],
    mainFields: ['browser', 'module', 'main'],
    define: { __WEB_TEST_GREP__: JSON.stringify(process.env.WEB_TEST_GREP ?? '') },
  }),
  build({ ...common, entryPoints: ['test/web/runTest.ts'], outfile: 'out/test/web/runTest.js', platform: 'node', format: 'cjs', target: 'node20', packages: 'external' }),
]);
