// Bundles the CLI (and, as they exist, the extension and webview) with esbuild.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const common = { bundle: true, sourcemap: true, logLevel: 'warning', target: 'node20' };
const jobs = [
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', banner: { js: '#!/usr/bin/env node' } }),
];
if (existsSync('src/cli/bench.ts')) {
  jobs.push(build({ ...common, entryPoints: ['src/cli/bench.ts'], outfile: 'dist/bench.js', platform: 'node', format: 'cjs' }));
}
await Promise.all(jobs);
