// Checks the packaged extension (npm run package): the .vsix must hold everything the extension
// loads at run time on both hosts, and nothing of the development tree. Exits 1 with the reasons.
//
//   node scripts/web-test/check-vsix.mjs [file.vsix] [--extract DIR]
//
// Default file: <name>-<version>.vsix from package.json (what `vsce package` writes). --extract DIR
// unpacks the extension (the vsix's extension/ folder) into DIR, replacing it: test/web/runTest.ts
// runs the web-host suite against that copy, so the test covers what ships.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';

const args = process.argv.slice(2);
const extractAt = args.indexOf('--extract');
const extractDir = extractAt >= 0 ? args.splice(extractAt, 2)[1] : undefined;
if (extractAt >= 0 && !extractDir) fail(['--extract needs a folder']);
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const file = args[0] ?? `${pkg.name}-${pkg.version}.vsix`;

/** Every file the extension needs at run time (package.json's entries, the webview, the grammar…). */
const REQUIRED = [
  'extension/package.json',
  'extension/readme.md',
  'extension/LICENSE.txt',
  'extension/language-configuration.json',
  `extension/${norm(pkg.main)}`, // dist/extension.js (Node extension host)
  `extension/${norm(pkg.browser)}`, // dist/web/extension.js (web worker extension host)
  'extension/dist/worker-node.js', // analysis worker, Node
  'extension/dist/web/worker.js', // analysis worker, web
  'extension/dist/webview.js', // Memory Map app
  'extension/dist/webview.css',
  'extension/dist/codicon.css',
  'extension/dist/codicon.ttf',
  ...pkg.contributes.grammars.map((g) => `extension/${norm(g.path)}`), // syntaxes/bootlog.tmLanguage.json
  ...[...new Set(Object.values(pkg.contributes.viewsContainers).flat().map((c) => `extension/${norm(c.icon)}`))], // media/*.svg
];
/** What must never ship: sources, tests and their fixtures, dependencies, build and test caches. */
const FORBIDDEN = [/^extension\/node_modules\//, /^extension\/(src|test|webview|scripts|docs|out|\.vscode-test|\.vscode-test-web|test-results|\.ci|\.bench)\//, /\.map$/, /\.ts$/, /\.vsix$/, /\.log$/];
const MAX_BYTES = 4 * 1024 * 1024;

function norm(p) {
  return path.posix.normalize(p).replace(/^\.\//, '');
}

function fail(reasons) {
  for (const r of reasons) console.error(`[check-vsix] ${r}`);
  process.exit(1);
}

/** The entries of a zip file (central directory), with a reader for each one's bytes. */
function readZip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt central directory');
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    entries.push({
      name,
      size,
      data() {
        const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
        const raw = buf.subarray(start, start + compressed);
        if (method === 0) return raw;
        if (method === 8) return inflateRawSync(raw);
        throw new Error(`${name}: unsupported compression method ${method}`);
      },
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

let bytes;
try {
  bytes = readFileSync(file);
} catch {
  fail([`${file} not found: run npm run package first`]);
}
const entries = readZip(bytes);
const names = new Set(entries.map((e) => e.name));
const problems = [];
for (const r of REQUIRED) if (!names.has(r)) problems.push(`missing ${r}`);
for (const n of names) if (FORBIDDEN.some((re) => re.test(n))) problems.push(`must not ship ${n}`);
for (const e of entries) if (e.size === 0 && !e.name.endsWith('/')) problems.push(`empty file ${e.name}`);
if (bytes.length > MAX_BYTES) problems.push(`${file} is ${bytes.length} bytes (limit ${MAX_BYTES}): check .vscodeignore`);
const shipped = JSON.parse(entries.find((e) => e.name === 'extension/package.json')?.data().toString('utf8') ?? '{}');
if (shipped.version !== pkg.version) problems.push(`the vsix is of version ${shipped.version}, package.json says ${pkg.version}: stale file?`);
if (problems.length) fail([`${file}:`, ...problems]);

const total = entries.reduce((s, e) => s + e.size, 0);
console.log(`[check-vsix] ${file}: ${entries.length} files, ${(bytes.length / 1024).toFixed(0)} KiB packed, ${(total / 1024).toFixed(0)} KiB unpacked; every run-time file present, nothing extra`);

if (extractDir) {
  rmSync(extractDir, { recursive: true, force: true });
  for (const e of entries) {
    if (!e.name.startsWith('extension/') || e.name.endsWith('/')) continue;
    const rel = e.name.slice('extension/'.length);
    if (rel.split('/').includes('..')) fail([`unsafe path ${e.name}`]);
    const out = path.join(extractDir, rel);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, e.data());
  }
  console.log(`[check-vsix] extracted the extension to ${extractDir}`);
}
