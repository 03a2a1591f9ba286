#!/usr/bin/env node
// A "fake VS Code executable" for @vscode/test-electron's runTests({ vscodeExecutablePath }) and
// @vscode/test-cli's useInstallation.fromPath, on machines where desktop VS Code cannot be downloaded.
//
// It takes the arguments test-electron passes to `code`:
//   <workspace> --extensionDevelopmentPath=DIR --extensionTestsPath=FILE --extensions-dir=DIR
//   --user-data-dir=DIR [--no-sandbox --disable-gpu-sandbox --skip-welcome ... ignored]
// starts code-server (VS Code's server + web workbench) on a free loopback port, opens the workbench in
// Debian's Chromium through playwright-core with a URL payload carrying the same two settings, so the
// tests run in the server's Node extension host, and exits with the code the workbench reports
// through window.codeAutomationExit (0 = the suite's run() resolved).
// Recipe: /work/shared/docs/testing-in-real-vscode.md, research Appendix A.
//
// Environment:
//   SHIM_CODE_SERVER  code-server launcher (default: <repo>/.vscode-test/code-server/node_modules/.bin/code-server)
//   SHIM_CHROMIUM     Chromium binary (default /usr/bin/chromium)
//   SHIM_PLAYWRIGHT   module path of playwright-core (default: resolved from the repo)
//   SHIM_TIMEOUT_MS   give up after this long, exit 124 (default 240000)
//   SHIM_VERBOSE=1    also print the server log and the page console
// Everything else in the environment (including runTests' extensionTestsEnv) reaches the server and
// so the extension host under test.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const util = require('node:util');

const repo = path.resolve(__dirname, '..', '..');
const verbose = !!process.env.SHIM_VERBOSE;
const timeoutMs = Number(process.env.SHIM_TIMEOUT_MS || 240_000);
const t0 = Date.now();
const log = (...a) => console.log(`[code-shim +${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

// ---- arguments ------------------------------------------------------------------------------------
const argv = process.argv.slice(2);
function opt(name) {
  const values = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith(`--${name}=`)) values.push(a.slice(name.length + 3));
    else if (a === `--${name}` && i + 1 < argv.length) values.push(argv[++i]);
  }
  return values;
}
const devPaths = opt('extensionDevelopmentPath');
const testsPath = opt('extensionTestsPath')[0];
const folder = argv.find((a, i) => !a.startsWith('-') && !(i > 0 && /^--(extensions-dir|user-data-dir|extensionDevelopmentPath|extensionTestsPath)$/.test(argv[i - 1])));
const codeServer = process.env.SHIM_CODE_SERVER || path.join(repo, '.vscode-test', 'code-server', 'node_modules', '.bin', 'code-server');
if (argv.includes('--version')) {
  // `code --version` shape: version, commit, arch (the VS Code inside code-server).
  let version = 'unknown';
  try {
    version = require(path.join(path.dirname(fs.realpathSync(codeServer)), '..', '..', 'lib', 'vscode', 'package.json')).version;
  } catch {}
  console.log(`${version}\ncode-shim\n${process.arch}`);
  process.exit(0);
}
if (!testsPath || devPaths.length === 0) {
  console.error('code-shim: expected --extensionDevelopmentPath=DIR and --extensionTestsPath=FILE');
  process.exit(2);
}
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'bootmem-shim-'));
const userDataDir = path.resolve(opt('user-data-dir')[0] || path.join(tmpRoot, 'user-data'));
const extensionsDir = path.resolve(opt('extensions-dir')[0] || path.join(tmpRoot, 'extensions'));

// A fresh extensions dir without extensions.json once made the dev extension go unregistered.
fs.mkdirSync(extensionsDir, { recursive: true });
if (!fs.existsSync(path.join(extensionsDir, 'extensions.json'))) fs.writeFileSync(path.join(extensionsDir, 'extensions.json'), '[]');
fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
const settingsFile = path.join(userDataDir, 'User', 'settings.json');
if (!fs.existsSync(settingsFile)) {
  fs.writeFileSync(settingsFile, JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.enableExperiments': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
  }, null, 2));
}

if (!fs.existsSync(codeServer)) {
  console.error(`code-shim: code-server not found at ${codeServer}; run scripts/vscode-test/install.sh`);
  process.exit(2);
}
const chromiumPath = process.env.SHIM_CHROMIUM || '/usr/bin/chromium';
const { chromium } = require(process.env.SHIM_PLAYWRIGHT || require.resolve('playwright-core', { paths: [repo, __dirname] }));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

let server;
let browser;
let serverLog = '';
async function cleanup() {
  try {
    if (browser) await browser.close();
  } catch {}
  if (server && server.exitCode === null) {
    try {
      process.kill(-server.pid, 'SIGTERM'); // the server and its extension host: our own process group
    } catch {}
  }
  fs.rmSync(tmpRoot, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => cleanup().finally(() => process.exit(130)));
}

(async () => {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  server = spawn(codeServer, [
    '--auth', 'none', '--bind-addr', host,
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--ignore-last-opened',
  ], {
    detached: true, // own process group, so cleanup() can stop the extension host too
    stdio: ['ignore', 'pipe', 'pipe'],
    // code-server writes $XDG_CONFIG_HOME/code-server/config.yaml on start: keep it out of ~/.config.
    env: { ...process.env, XDG_CONFIG_HOME: path.join(tmpRoot, 'config') },
  });
  const ready = new Promise((resolve, reject) => {
    const onData = (d) => {
      const s = d.toString();
      serverLog += s;
      if (verbose) process.stderr.write(`[server] ${s}`);
      if (/HTTP server listening|Web UI available/.test(serverLog)) resolve();
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.on('exit', (code) => reject(new Error(`code-server exited early (${code}):\n${serverLog}`)));
  });
  await ready;
  log(`code-server ready on ${host}`);

  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext();
  let finish;
  const exited = new Promise((r) => (finish = r));
  // Register the automation hooks before the page loads: the workbench looks them up on start.
  // Workbench chatter that says nothing about the tests (set SHIM_VERBOSE=1 to see it).
  const noise = /ENOTFOUND open-vsx\.org|^(Resolving|Resolved) connection token|^Creating a socket|^Updating additional builtin extensions cache|^\[Service Worker\]|^ChatSessionStore:/;
  await context.exposeFunction('codeAutomationLog', (_type, args) => {
    const text = util.format(...(Array.isArray(args) ? args : [args]));
    if (verbose || !noise.test(text)) console.log(text);
  });
  await context.exposeFunction('codeAutomationExit', (code) => finish(Number(code)));
  const remote = (p) => `vscode-remote://${host}${path.resolve(p)}`;
  const payload = [
    ...devPaths.map((d) => ['extensionDevelopmentPath', remote(d)]),
    ['extensionTestsPath', remote(testsPath)],
    ['skipWelcome', 'true'],
  ];
  const query = (folder ? `folder=${encodeURIComponent(path.resolve(folder))}` : 'ew=true') +
    `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const page = await context.newPage();
  if (verbose) page.on('console', (m) => console.log(`[page:${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => verbose && console.log(`[page:error] ${e.message}`));
  log(`opening workbench (folder ${folder ? path.resolve(folder) : '-'})`);
  await page.goto(`http://${host}/?${query}`);
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r(124), timeoutMs))]);
  if (code === 124) {
    log(`timed out after ${timeoutMs} ms; last server log lines:\n${serverLog.split('\n').slice(-30).join('\n')}`);
    try {
      fs.mkdirSync(path.join(repo, 'test-results'), { recursive: true });
      await page.screenshot({ path: path.join(repo, 'test-results', 'code-shim-timeout.png') });
    } catch {}
  }
  log(`workbench reported exit code ${code}`);
  await cleanup();
  process.exit(code);
})().catch(async (e) => {
  console.error('code-shim:', e);
  await cleanup();
  process.exit(1);
});
