// Bundles the CLI, the extension (Node and web hosts) and the webview with esbuild.
//   node scripts/build.mjs           dist/ only (what the extension and the CLI ship)
//   node scripts/build.mjs --tests   dist/ plus out/test/** (in-host suite, launcher, e2e driver)
//   --no-cli                         skip the CLI bundles (the extension tests do not need them)
import { build } from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';

const withTests = process.argv.includes('--tests');
const withCli = !process.argv.includes('--no-cli');

const common = { bundle: true, sourcemap: true, logLevel: 'warning', target: 'node20' };
const jobs = [];
if (withCli && existsSync('src/cli/main.ts')) {
  jobs.push(build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', banner: { js: '#!/usr/bin/env node' } }));
}
if (withCli && existsSync('src/cli/bench.ts')) {
  jobs.push(build({ ...common, entryPoints: ['src/cli/bench.ts'], outfile: 'dist/bench.js', platform: 'node', format: 'cjs' }));
}

// Extension host bundles. `vscode` is provided by the host at run time.
jobs.push(
  build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode'] }),
  // Web extension host (vscode.dev, web worker): no Node built-ins may be pulled in.
  build({
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/web/extension.js',
    platform: 'browser',
    format: 'cjs',
    target: 'es2022',
    external: ['vscode'],
    mainFields: ['browser', 'module', 'main'],
  }),
  // Webview app (+ dist/webview.css from its CSS import).
  build({ ...common, entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' }),
  // Codicons for the webview (the font is copied next to the CSS; the page links it with the id
  // vscode-elements' <vscode-icon> looks for).
  build({ ...common, entryPoints: ['node_modules/@vscode/codicons/dist/codicon.css'], outfile: 'dist/codicon.css', loader: { '.ttf': 'file' }, assetNames: '[name]', sourcemap: false }),
);

// Analysis workers (src/engine/session/rpc.ts): Node worker thread for the desktop host, web worker for vscode.dev.
jobs.push(
  build({ ...common, entryPoints: ['src/engine/session/worker-node.ts'], outfile: 'dist/worker-node.js', platform: 'node', format: 'cjs' }),
  build({ ...common, entryPoints: ['src/engine/session/worker-web.ts'], outfile: 'dist/web/worker.js', platform: 'browser', format: 'iife', target: 'es2022' }),
);

if (withTests) {
  rmSync('out/test', { recursive: true, force: true });
  const node = { ...common, platform: 'node', format: 'cjs' };
  const suiteDir = 'test/vscode/suite';
  const suiteFiles = readdirSync(suiteDir).filter((f) => f.endsWith('.ts')).map((f) => `${suiteDir}/${f}`);
  jobs.push(
    // In-host mocha suite: index.js (the `run()` entry) plus one file per *.test.ts, loaded by mocha.
    build({ ...node, entryPoints: suiteFiles, outdir: 'out/test/vscode/suite', external: ['vscode', 'mocha'] }),
    // Launchers run by plain node.
    build({ ...node, entryPoints: ['test/vscode/runTest.ts'], outfile: 'out/test/vscode/runTest.js', packages: 'external' }),
    build({ ...node, entryPoints: ['test/e2e/e2e.ts'], outfile: 'out/test/e2e/e2e.js', packages: 'external' }),
  );
}

await Promise.all(jobs);
