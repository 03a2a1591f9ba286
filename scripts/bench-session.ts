// Benchmark of EngineSession queries on a big log (a report, not a test: exit code 0 whatever the figures).
//
//   npm run build && node dist/cli.js synth --nodes 4 --events 600000 --out /tmp/s.log     (~1M lines)
//   npx esbuild scripts/bench-session.ts --bundle --platform=node --outfile=/tmp/bench-session.js
//   node /tmp/bench-session.js /tmp/s.log [samples]
//
// Prints the analysis time, the first bootView (builds the per-boot indexes), stateAt at random
// events (cold: replay from the nearest snapshot) and while stepping (warm: from a cached state),
// and the editor queries (lenses, matching, addressInfo) at random lines. Target: stateAt < 50 ms.

import { analyzeFile } from '../src/engine/analyze-node';
import { EngineSession } from '../src/engine/session/session';

const TARGET_MS = 50;

function stats(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`;
}

function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const value = fn();
  return [value, performance.now() - t];
}

async function main(): Promise<void> {
  const file = process.argv[2];
  const samples = Number(process.argv[3] ?? 40) || 40;
  if (!file) {
    console.error('usage: node bench-session.js LOG [samples]');
    return;
  }
  let t = performance.now();
  const analysis = await analyzeFile(file);
  const analyseMs = performance.now() - t;
  const session = EngineSession.fromAnalysis(analysis);
  const summary = session.summary();
  console.log(`${file}: ${summary.lineCount} lines, ${summary.boots.length} boot(s), analysed in ${(analyseMs / 1000).toFixed(1)} s`);
  // The biggest boot.
  const b = summary.boots.reduce((best, boot) => (boot.eventCount > summary.boots[best].eventCount ? boot.index : best), 0);
  const boot = analysis.boots[b];
  const n = boot.boot.events.length;
  console.log(`boot ${b}: ${n} events, ${boot.replay.reservations.length} reservations, ${boot.replay.snapshots.length} replay snapshots`);

  const [, viewMs] = time(() => session.bootView(b));
  console.log(`bootView (builds the indexes): ${viewMs.toFixed(0)} ms`);
  const [, diagMs] = time(() => session.diagnostics());
  console.log(`diagnostics: ${diagMs.toFixed(0)} ms`);

  const cold: number[] = [];
  let maxRegions = 0;
  for (let k = 0; k < samples; k++) {
    const i = Math.floor(Math.random() * n);
    const [state, ms] = time(() => session.stateAt(b, i));
    cold.push(ms);
    maxRegions = Math.max(maxRegions, state.reserved.length);
  }
  console.log(`stateAt, random events: ${stats(cold)} (up to ${maxRegions} reserved regions)`);

  const warm: number[] = [];
  const start = Math.floor(Math.random() * Math.max(1, n - samples));
  for (let k = 0; k < samples; k++) warm.push(time(() => session.stateAt(b, start + k))[1]);
  console.log(`stateAt, stepping forward: ${stats(warm)}`);

  const page: number[] = [];
  for (let k = 0; k < samples; k++) page.push(time(() => session.timelinePage(b, Math.floor(Math.random() * n), 200))[1]);
  console.log(`timelinePage(200 rows): ${stats(page)}`);

  const editor: number[] = [];
  for (let k = 0; k < samples; k++) {
    const line = boot.boot.events[Math.floor(Math.random() * n)].line;
    editor.push(
      time(() => {
        session.lenses(line, line + 60);
        session.matching(line);
        const block = boot.topology.nodes[k % Math.max(1, boot.topology.nodes.length)]?.blocks[0];
        if (block) session.addressInfo(line, '0x' + (block.base + block.size / 2n).toString(16));
      })[1],
    );
  }
  console.log(`lenses(60 lines) + matching + addressInfo at a random line: ${stats(editor)}`);
  const worst = Math.max(...cold, ...warm);
  console.log(`stateAt target ${TARGET_MS} ms: ${worst <= TARGET_MS ? 'met' : `missed (worst ${worst.toFixed(1)} ms)`}`);
}

void main();
