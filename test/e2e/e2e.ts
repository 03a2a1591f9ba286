// End-to-end UI test in a real VS Code (code-server 4.100.3 = VS Code 1.100.3) driven through Debian
// Chromium with playwright-core. The extension is installed the way a user gets it (an unpacked
// folder in --extensions-dir), not loaded as a development extension.
//
//   npm run test:e2e        (needs scripts/vscode-test/install.sh once)
//
// For each theme (light, dark): open a corpus boot log, wait for the language status to say
// "Linux Boot Log", run "Boot Memory: Open Memory Map" from F1, check the webview shows the document,
// reload the page and check the panel is restored; run a what-if and a comparison, reload again and
// check both results (and the Compare tab) are back. Screenshots go to test-results/e2e-*.png.
// Also checks that log text is rendered as text (an HTML-looking banner is not interpreted) and
// that the log file is never modified.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import { COMMAND_CATEGORY, CommandTitles, Commands, EXTENSION_ID, LANGUAGE_NAME } from '../../src/extension/ids';

const root = path.resolve(__dirname, '..', '..', '..');
const results = path.join(root, 'test-results');
const codeServer =
  process.env.SHIM_CODE_SERVER ?? path.join(root, '.vscode-test', 'code-server', 'node_modules', '.bin', 'code-server');
const chromiumPath = process.env.SHIM_CHROMIUM ?? '/usr/bin/chromium';
const verbose = !!process.env.E2E_VERBOSE;

const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  publisher: string;
  version: string;
};
const extensionId = `${pkg.publisher}.${pkg.name}`;
if (extensionId !== EXTENSION_ID) throw new Error(`package.json says ${extensionId}, ids.ts says ${EXTENSION_ID}`);
const COMMAND_TITLE = `${COMMAND_CATEGORY}: ${CommandTitles[Commands.openMap]}`;
const LOG_NAME = 'dmesg-x86_64-2node-2g.txt';
const XSS_NAME = 'dmesg-escaping.txt';
/** A second corpus log for "Compare Boots…". */
const OTHER_NAME = 'dmesg-x86_64-1node-1g.txt';

const t0 = Date.now();
const log = (msg: string) => console.log(`[e2e +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
let passed = 0;
let failed = 0;
let currentPage: Page | undefined;

async function step(name: string, fn: () => Promise<void>): Promise<boolean> {
  const start = Date.now();
  try {
    await fn();
    passed++;
    log(`PASS ${name} (${Date.now() - start} ms)`);
    return true;
  } catch (e) {
    failed++;
    if (currentPage) {
      const slug = name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase().slice(0, 60);
      await currentPage.screenshot({ path: path.join(results, `e2e-FAIL-${slug}.png`) }).catch(() => undefined);
    }
    log(`FAIL ${name}: ${e instanceof Error ? e.message.split('\n').slice(0, 6).join('\n  ') : String(e)}`);
    return false;
  }
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** Copies the built extension into the extensions dir as publisher.name-version (what a VSIX install gives). */
function installExtension(extensionsDir: string): void {
  const target = path.join(extensionsDir, `${extensionId}-${pkg.version}`);
  mkdirSync(target, { recursive: true });
  for (const f of ['package.json', 'language-configuration.json', 'README.md', 'LICENSE']) {
    if (existsSync(path.join(root, f))) cpSync(path.join(root, f), path.join(target, f));
  }
  for (const d of ['dist', 'syntaxes', 'media']) {
    cpSync(path.join(root, d), path.join(target, d), { recursive: true, filter: (src) => !src.endsWith('.map') });
  }
  // No extensions.json: on its first scan the server finds the folder and writes the manifest itself.
  // (An existing `[]` manifest would hide the copied folder.)
  rmSync(path.join(extensionsDir, 'extensions.json'), { force: true });
}

interface Server {
  host: string;
  process: ChildProcess;
  stop(): void;
}

async function startServer(userDataDir: string, extensionsDir: string, configDir: string): Promise<Server> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const child = spawn(
    codeServer,
    ['--auth', 'none', '--bind-addr', host, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
      '--disable-getting-started-override', '--ignore-last-opened'],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_CONFIG_HOME: configDir } },
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (verbose) process.stderr.write(`[server] ${d.toString()}`);
      if (/HTTP server listening/.test(out)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`code-server exited (${code}):\n${out}`)));
    setTimeout(() => reject(new Error(`code-server did not start:\n${out}`)), 60_000);
  });
  return {
    host,
    process: child,
    stop: () => {
      try {
        if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    },
  };
}

function mapWebview(page: Page): FrameLocator {
  // The Welcome page is a webview too: scope by our extension id.
  return page
    .frameLocator(`iframe.webview.ready[src*="extensionId=${extensionId}"]`)
    .frameLocator('iframe#active-frame');
}

async function shot(page: Page, name: string): Promise<void> {
  const file = path.join(results, `e2e-${name}.png`);
  await page.screenshot({ path: file });
  log(`screenshot ${path.relative(root, file)}`);
}

async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** Opens the workspace (no URL payload, so a later reload restores editors) and the log from the Explorer. */
async function openWorkspace(page: Page, host: string, workspace: string): Promise<void> {
  await page.goto(`http://${host}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
}

async function openLog(page: Page, file: string): Promise<void> {
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: file }).first();
  await row.waitFor({ timeout: 30_000 });
  await row.dblclick(); // double click: a pinned editor, not a preview
  await page.locator('.tab', { hasText: file }).first().waitFor({ timeout: 30_000 });
  // The remote extension scan finishes after the first editor opens: wait for our language.
  await page.locator('#status\\.editor\\.mode', { hasText: LANGUAGE_NAME }).waitFor({ timeout: 60_000 });
}

type Theme = 'light' | 'dark' | 'hc';
const THEME_NAMES: Record<Theme, string> = { light: 'Default Light Modern', dark: 'Default Dark Modern', hc: 'Default High Contrast' };
const BODY_CLASS: Record<Theme, string> = { light: 'vscode-light', dark: 'vscode-dark', hc: 'vscode-high-contrast' };

async function runTheme(browser: Browser, tmp: string, extensionsDir: string, workspace: string, theme: Theme): Promise<void> {
  const userDataDir = path.join(tmp, `user-data-${theme}`);
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.colorTheme': THEME_NAMES[theme],
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'telemetry.telemetryLevel': 'off',
      'chat.commandCenter.enabled': false,
      'window.commandCenter': false,
    }),
  );
  const server = await startServer(userDataDir, extensionsDir, path.join(tmp, 'config'));
  log(`[${theme}] code-server on ${server.host}`);
  const context = await browser.newContext({ viewport: { width: 1600, height: 960 } });
  const page = await context.newPage();
  currentPage = page;
  if (verbose) page.on('console', (m) => console.log(`[page:${m.type()}] ${m.text()}`));
  const logFile = path.join(workspace, LOG_NAME);
  const before = sha256(logFile);
  // VS Code's line count: CRLF, LF and a lone CR all end a line (the SeaBIOS preamble has lone CRs).
  const expectedLines = readFileSync(logFile, 'utf8').split(/\r\n|\r|\n/).length;
  try {
    const opened = await step(`[${theme}] a corpus log opens with the "${LANGUAGE_NAME}" language`, async () => {
      await openWorkspace(page, server.host, workspace);
      await openLog(page, LOG_NAME);
      // The grammar is applied (tokenization is asynchronous): memblock_reserve and the range's start
      // address get theme colours, not the default foreground (mtk1).
      const colour = async (text: string) => {
        const token = page.locator('.view-lines span[class^="mtk"]', { hasText: new RegExp(`^${text}$`) }).first();
        await token.waitFor({ timeout: 10_000 });
        return (await token.getAttribute('class')) ?? '';
      };
      const deadline = Date.now() + 20_000;
      let classes: string[] = [];
      do {
        classes = [await colour('memblock_reserve'), await colour('0x00000000000f5b80'), await colour('smp_scan_config')];
        if (!classes.includes('mtk1')) break;
        await page.waitForTimeout(250);
      } while (Date.now() < deadline);
      if (classes.includes('mtk1')) throw new Error(`log not colourised: ${classes.join(', ')}`);
      if (verbose) log(`token classes: ${classes.join(', ')}`);
      await shot(page, `${theme}-1-log`);
    });
    if (!opened) return;

    const mapOpened = await step(`[${theme}] F1 "${COMMAND_TITLE}" opens the map showing the document`, async () => {
      await page.locator('.monaco-editor .view-lines').first().click();
      await runCommand(page, COMMAND_TITLE);
      const wv = mapWebview(page);
      await wv.locator('#doc-name', { hasText: LOG_NAME }).waitFor({ timeout: 30_000 });
      await wv.locator('#doc-meta', { hasText: `${expectedLines} lines` }).waitFor({ timeout: 5_000 });
      await wv.locator('.banner', { hasText: 'Linux version 6.1.0-56-amd64' }).waitFor({ timeout: 5_000 });
      await page.locator('.tab', { hasText: `Memory Map: ${LOG_NAME}` }).waitFor({ timeout: 5_000 });
      // Our stylesheet loaded under the CSP, and the webview follows the workbench theme.
      const radius = await wv.locator('#map').evaluate((e) => getComputedStyle(e).borderTopLeftRadius);
      if (radius !== '4px') throw new Error(`dist/webview.css not applied (border radius ${radius})`);
      const bodyClass = (await wv.locator('body').getAttribute('class')) ?? '';
      if (!bodyClass.includes(BODY_CLASS[theme])) throw new Error(`webview body class "${bodyClass}" lacks ${BODY_CLASS[theme]}`);
    });
    if (!mapOpened) return;

    await step(`[${theme}] the map shows the log's 2 NUMA nodes, a legend and the accounting waterfall`, async () => {
      const wv = mapWebview(page);
      await wv.locator('.node-band[data-nid="0"]').waitFor({ state: 'attached', timeout: 30_000 });
      await wv.locator('.node-band[data-nid="1"]').waitFor({ state: 'attached', timeout: 5_000 });
      // (A third band, data-nid -1, holds reservations outside every node's memory, e.g. ACPI tables.)
      const bands = await wv.locator('.node-band:not([data-nid="-1"])').count();
      if (bands !== 2) throw new Error(`expected 2 node bands, got ${bands}`);
      const label = (await wv.locator('.node-band[data-nid="1"]').getAttribute('aria-label')) ?? '';
      if (!/^Node 1: 1023(\.\d+)? MiB|^Node 1: 1 GiB|^Node 1: /.test(label)) throw new Error(`node 1 band label: ${label}`);
      await wv.locator('#legend li[data-owner="kernel-image"]').waitFor({ timeout: 5_000 });
      await wv.locator('#accounting tr', { hasText: 'Handed to the page allocator' }).waitFor({ timeout: 5_000 });
      // The default view is the hand-off (last event): reservations are on the map.
      await wv.locator('#app[data-playhead="169"]').waitFor({ timeout: 10_000 });
      const reserved = Number(await wv.locator('#app').getAttribute('data-reserved'));
      if (!(reserved > 10)) throw new Error(`expected reserved regions at the hand-off, got ${reserved}`);
      await wv.locator('.timeline-list .vrow[data-line]').first().waitFor({ timeout: 10_000 });
      await page.waitForTimeout(400);
      await shot(page, `${theme}-2-map`);
    });

    // The editor's cursor line: its active line number (the status bar hides "Ln" while the webview
    // has focus).
    const cursorLine = async (): Promise<number> => {
      const el = page.locator('.monaco-editor .margin .line-numbers.active-line-number').first();
      if ((await el.count()) === 0) return -1;
      const text = (await el.textContent()) ?? '';
      return Number(text.trim()) || -1;
    };
    const waitCursor = async (line: number) => {
      const deadline = Date.now() + 10_000;
      let now = -1;
      while (Date.now() < deadline) {
        now = await cursorLine();
        if (now === line) return;
        await page.waitForTimeout(100);
      }
      throw new Error(`editor cursor on line ${now}, expected ${line}`);
    };

    await step(`[${theme}] keyboard steps move the playhead, the announcement, the state and the editor cursor`, async () => {
      const wv = mapWebview(page);
      await wv.locator('#timeline-heading').click();
      await page.keyboard.press('Home');
      await wv.locator('#app[data-playhead="0"]').waitFor({ timeout: 10_000 });
      const before = (await wv.locator('#status').textContent()) ?? '';
      const reservedBefore = await wv.locator('#app').getAttribute('data-reserved');
      if (!before.startsWith('Event 1 of 170')) throw new Error(`announcement at the start: ${before}`);
      for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowRight');
      await wv.locator('#app[data-playhead="12"]').waitFor({ timeout: 10_000 });
      const after = (await wv.locator('#status').textContent()) ?? '';
      if (!after.startsWith('Event 13 of 170') || after === before) throw new Error(`announcement after 12 steps: ${after}`);
      if ((await wv.locator('#status').getAttribute('aria-live')) !== 'polite') throw new Error('the announcement is not a live region');
      const reservedAfter = await wv.locator('#app').getAttribute('data-reserved');
      if (reservedAfter === reservedBefore) throw new Error(`map state did not change (reserved regions ${reservedBefore} -> ${reservedAfter})`);
      const line = Number(await wv.locator('#app').getAttribute('data-line'));
      await wv.locator(`.timeline-list .vrow.active[data-index="12"][data-line="${line}"]`).waitFor({ timeout: 5_000 });
      await waitCursor(line);
      await page.waitForTimeout(300);
      await shot(page, `${theme}-3-stepped`);
    });

    await step(`[${theme}] clicking a timeline event moves the editor cursor to its line`, async () => {
      const wv = mapWebview(page);
      const row = wv.locator('.timeline-list .vrow[data-index="20"]');
      await row.waitFor({ timeout: 5_000 });
      const line = Number(await row.getAttribute('data-line'));
      await row.click();
      await wv.locator('#app[data-playhead="20"]').waitFor({ timeout: 10_000 });
      await waitCursor(line);
    });

    await step(`[${theme}] moving the editor cursor moves the playhead`, async () => {
      const wv = mapWebview(page);
      await page.locator('.monaco-editor .view-lines').first().click();
      await page.keyboard.press('Control+G');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ timeout: 10_000 });
      await input.fill(':200');
      await page.keyboard.press('Enter');
      await waitCursor(200);
      // Line 200 is inside event 122 (the engine's eventAtLine).
      await wv.locator('#app[data-playhead="122"]').waitFor({ timeout: 10_000 });
      await wv.locator('.timeline-list .vrow.active[data-index="122"]').waitFor({ timeout: 5_000 });
      await page.waitForTimeout(300);
      await shot(page, `${theme}-4-cursor-sync`);
    });

    await step(`[${theme}] after a reload the panel is restored with its document`, async () => {
      // "Developer: Reload Window" shuts the workbench down properly (state saved), then reloads.
      await runCommand(page, 'Developer: Reload Window');
      await page.waitForEvent('load', { timeout: 30_000 });
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await page.locator('.tab', { hasText: `Memory Map: ${LOG_NAME}` }).waitFor({ timeout: 30_000 });
      const wv = mapWebview(page);
      await wv.locator('#doc-name', { hasText: LOG_NAME }).waitFor({ timeout: 60_000 });
      await wv.locator('#doc-meta', { hasText: `${expectedLines} lines` }).waitFor({ timeout: 10_000 });
      // The view state came back with it: same playhead, same nodes.
      await wv.locator('#app[data-playhead="122"]').waitFor({ timeout: 30_000 });
      await wv.locator('.node-band[data-nid="1"]').waitFor({ state: 'attached', timeout: 5_000 });
      await page.waitForTimeout(400);
      await shot(page, `${theme}-5-restored`);
    });

    if (theme === 'light' || theme === 'dark') {
      await step(`[${theme}] the What-if form replays the boot under bootmem with another layout`, async () => {
        const wv = mapWebview(page);
        // (The tab strip sits below the fold of the webview; select the tab the way the panel does.)
        await wv.locator('#details vscode-tabs').evaluate((e) => {
          (e as unknown as { selectedIndex: number }).selectedIndex = 2;
        });
        await wv.locator('#whatif-run').scrollIntoViewIfNeeded();
        await wv.locator('#whatif-model').evaluate((e) => {
          (e as unknown as { value: string }).value = 'bootmem';
        });
        await wv.locator('#whatif-layout input').fill('0:0-1G;1:1G-2G');
        await wv.locator('#whatif-run').click();
        await wv.locator('#whatif[data-moved="53"]').waitFor({ timeout: 30_000 });
        await wv.locator('.whatif-row.whatif-moved').first().waitFor({ timeout: 10_000 });
        await wv.locator('.whatif-list').scrollIntoViewIfNeeded();
        await page.waitForTimeout(400);
        await shot(page, `${theme}-8-whatif`);
      });

      await step(`[${theme}] "Compare Boots…" compares the log with another open log`, async () => {
        await openLog(page, OTHER_NAME);
        // From the first log's editor: it is the log to compare; the other open log is offered.
        await page.locator('.tab', { hasText: LOG_NAME }).first().click();
        await page.locator('.monaco-editor .view-lines').first().click();
        await runCommand(page, `${COMMAND_CATEGORY}: ${CommandTitles[Commands.compareBoots]}`);
        await page.locator('.quick-input-list .monaco-list-row', { hasText: OTHER_NAME }).first().waitFor({ timeout: 10_000 });
        await page.keyboard.press('Enter');
        const wv = mapWebview(page);
        await wv.locator('#compare[data-rows]').waitFor({ timeout: 30_000 });
        await wv.locator('.compare-side', { hasText: OTHER_NAME }).waitFor({ timeout: 5_000 });
        await wv.locator('.compare-waterfall-table').scrollIntoViewIfNeeded();
        await page.waitForTimeout(400);
        await shot(page, `${theme}-9-compare`);
      });
    }

    if (theme === 'light') {
      await step(`[${theme}] after a reload the What-if and Compare results come back, on the Compare tab`, async () => {
        await page.locator('.monaco-editor .view-lines').first().click();
        await runCommand(page, 'Developer: Reload Window');
        await page.waitForEvent('load', { timeout: 30_000 });
        await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
        await page.locator('.tab', { hasText: `Memory Map: ${LOG_NAME}` }).waitFor({ timeout: 30_000 });
        const wv = mapWebview(page);
        // Only the inputs were persisted: the host replayed the what-if and compared the logs again.
        await wv.locator('#whatif[data-moved="53"]').waitFor({ state: 'attached', timeout: 60_000 });
        await wv.locator('.compare-side', { hasText: OTHER_NAME }).waitFor({ state: 'attached', timeout: 30_000 });
        const tab = await wv.locator('#details vscode-tabs').evaluate((e) => (e as unknown as { selectedIndex: number }).selectedIndex);
        if (tab !== 3) throw new Error(`the restored panel shows tab ${tab}, not Compare (3)`);
        await wv.locator('.compare-waterfall-table').scrollIntoViewIfNeeded();
        await page.waitForTimeout(400);
        await shot(page, `${theme}-10-compare-restored`);
      });
    }

    if (theme === 'dark') {
      await step('[dark] log text is shown as text, never as HTML', async () => {
        await runCommand(page, 'View: Close All Editors');
        await page.locator('.tab').first().waitFor({ state: 'detached', timeout: 10_000 });
        await openLog(page, XSS_NAME);
        await page.locator('.monaco-editor .view-lines').first().click();
        await runCommand(page, COMMAND_TITLE);
        const wv = mapWebview(page);
        await wv.locator('#doc-name', { hasText: XSS_NAME }).waitFor({ timeout: 30_000 });
        await wv.locator('.banner', { hasText: '<img id="injected"' }).waitFor({ timeout: 10_000 });
        const injected = await wv.locator('#injected').count();
        if (injected !== 0) throw new Error('banner HTML was interpreted');
        await shot(page, 'dark-6-escaping');
      });
    }

    await step(`[${theme}] the log file was not modified`, async () => {
      if (sha256(logFile) !== before) throw new Error(`${LOG_NAME} changed`);
    });

    if (theme !== 'dark') {
      await step(`[${theme}] a wide panel puts the timeline beside the map`, async () => {
        const wv = mapWebview(page);
        await page.locator('.tab', { hasText: `Memory Map: ${LOG_NAME}` }).click();
        await wv.locator('#timeline-heading').click();
        await runCommand(page, 'View: Maximize Editor Group and Hide Side Bars');
        await page.waitForTimeout(1200);
        const mapBox = await wv.locator('#map').boundingBox();
        const tlBox = await wv.locator('#timeline').boundingBox();
        if (!mapBox || !tlBox || !(tlBox.x > mapBox.x + mapBox.width - 1)) throw new Error(`timeline not beside the map: ${JSON.stringify({ mapBox, tlBox })}`);
        await shot(page, `${theme}-7-wide`);
      });
    }
  } finally {
    await context.close();
    server.stop();
  }
}

async function main(): Promise<void> {
  if (!existsSync(codeServer)) throw new Error(`code-server not found at ${codeServer}: run scripts/vscode-test/install.sh`);
  if (!existsSync(path.join(root, 'dist', 'extension.js'))) throw new Error('dist/ is missing: run node scripts/build.mjs');
  mkdirSync(results, { recursive: true });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bootmem-e2e-'));
  const extensionsDir = path.join(tmp, 'extensions');
  const workspace = path.join(tmp, 'workspace');
  mkdirSync(workspace, { recursive: true });
  installExtension(extensionsDir);
  cpSync(path.join(root, 'test', 'fixtures', 'sample', 'x86_64-2node-2g-memblock-debug.log'), path.join(workspace, LOG_NAME));
  cpSync(path.join(root, 'test', 'fixtures', 'corpus', 'qemu', 'x86_64-1node-1g-memblock-debug.log'), path.join(workspace, OTHER_NAME));
  writeFileSync(
    path.join(workspace, XSS_NAME),
    '[    0.000000] Linux version 6.6.0 <img id="injected" src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>\n' +
      '[    0.000000] memblock_reserve: [0x0000000001000000-0x0000000001ffffff] setup_arch+0x1a/0x2b\n',
  );

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  try {
    const themes = (process.env.E2E_THEMES ?? 'light,dark,hc').split(',') as Theme[];
    for (const theme of themes) await runTheme(browser, tmp, extensionsDir, workspace, theme);
  } finally {
    await browser.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main()
  .catch((e: unknown) => {
    failed++;
    log(`ERROR ${e instanceof Error ? e.message : String(e)}`);
  })
  .finally(() => {
    console.log(`\n${passed} passed, ${failed} failed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
  });
