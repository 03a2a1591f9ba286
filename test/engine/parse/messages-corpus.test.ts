// The recognizers over every record of every corpus log, behind a deliberately trivial envelope
// stripper (CR, `[  time]`, leading spaces). The qemu logs are clean serial captures, so their event
// counts are pinned; the numbers were taken with grep over the files and checked by hand:
// e.g. reserves = lines with `] memblock_reserve:`, allocs = `] memblock_(alloc|phys_alloc)…:`,
// node ranges = SRAT rows + `NUMA: Node` merges + `node   N:` rows + `Initmem setup` lines.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MessageParser } from '../../../src/engine/parse/messages/index';
import type { CheckpointEvent, MemoryEvent } from '../../../src/engine/types';

const CORPUS = path.resolve(__dirname, '../../fixtures/corpus');

interface Run {
  events: MemoryEvent[];
  unread: string[];
}

function runFile(file: string): Run {
  const parser = new MessageParser({});
  const events: MemoryEvent[] = [];
  const unread: string[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const text = raw.replace(/\r/g, '').replace(/^\[ *[0-9.]+\] ?/, '').replace(/^ +/, '');
      const result = parser.push({ line: i + 1, endLine: i + 1, text });
      events.push(...result.events);
      if (result.unread) unread.push(text);
    });
  events.push(...parser.end());
  return { events, unread };
}

function countKinds(events: MemoryEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
  return counts;
}

function logsIn(dir: string): string[] {
  return readdirSync(path.join(CORPUS, dir))
    .filter((name) => name.endsWith('.log'))
    .sort();
}

describe('every corpus file', () => {
  for (const dir of ['real', 'qemu']) {
    for (const name of logsIn(dir)) {
      it(`${dir}/${name} parses without throwing and with well-formed events`, () => {
        const { events } = runFile(path.join(CORPUS, dir, name));
        for (const e of events) {
          expect(e.line).toBeGreaterThan(0);
          expect(e.endLine).toBeGreaterThanOrEqual(e.line);
          if ('size' in e && typeof e.size === 'bigint') expect(e.size >= 0n).toBe(true);
        }
      });
    }
  }
});

const QEMU_COUNTS: Record<string, Record<string, number>> = {
  'arm64-1node-1g-cma-memblock-debug.log': {
    reserve: 501, alloc: 498, free: 5, 'node-data': 1, zone: 3, 'node-range': 2, 'owner-hint': 1,
    checkpoint: 2, percpu: 1, setting: 1, accounting: 1, freeing: 2,
  },
  'arm64-2node-2g-memblock-debug-dropped.log': {
    dropped: 1, reserve: 476, alloc: 472, free: 6, 'node-data': 2, zone: 3, 'node-range': 4, 'owner-hint': 1,
    checkpoint: 2, percpu: 1, setting: 1, accounting: 1, freeing: 2,
  },
  'arm64-2node-2g-memblock-debug.log': {
    reserve: 496, alloc: 492, free: 6, 'node-data': 2, zone: 3, 'node-range': 4, 'owner-hint': 1,
    checkpoint: 2, percpu: 1, setting: 1, accounting: 1, freeing: 2,
  },
  'x86_64-1node-1g-memblock-debug.log': {
    setting: 2, firmware: 9, reserve: 63, add: 2, checkpoint: 2, alloc: 51, free: 4, 'owner-hint': 8,
    'node-range': 6, 'node-data': 1, zone: 4, percpu: 1, accounting: 1, freeing: 6,
  },
  'x86_64-2node-2g-memblock-debug.log': {
    setting: 2, firmware: 9, reserve: 66, add: 2, checkpoint: 2, alloc: 53, free: 5, 'owner-hint': 8,
    'node-range': 9, 'node-data': 2, zone: 4, percpu: 1, accounting: 1, freeing: 6,
  },
  'x86_64-4node-4g-plain.log': {
    setting: 2, firmware: 10, 'owner-hint': 9, 'node-range': 15, 'node-data': 4, zone: 4, percpu: 1, accounting: 1, freeing: 6,
  },
  'x86_64-uefi-2node-3g-memblock-debug.log': {
    setting: 2, firmware: 299, reserve: 195, add: 11, checkpoint: 2, alloc: 70, free: 5, 'owner-hint': 9,
    'node-range': 14, 'node-data': 2, zone: 4, percpu: 1, accounting: 1, freeing: 6,
  },
};

/** [memory rows, reserved rows] of the debugfs listing at the end of each arm64 log. */
const DEBUGFS_ROWS: Record<string, [number, number]> = {
  'arm64-1node-1g-cma-memblock-debug.log': [1, 18],
  'arm64-2node-2g-memblock-debug-dropped.log': [2, 21],
  'arm64-2node-2g-memblock-debug.log': [2, 20],
};

describe('qemu corpus counts', () => {
  it('covers every qemu log', () => {
    expect(Object.keys(QEMU_COUNTS).sort()).toEqual(logsIn('qemu'));
  });

  for (const [name, expected] of Object.entries(QEMU_COUNTS)) {
    describe(name, () => {
      const run = runFile(path.join(CORPUS, 'qemu', name));

      it('yields the pinned number of events of each kind', () => {
        expect(countKinds(run.events)).toEqual(expected);
      });

      it('leaves no memory line unread', () => {
        expect(run.unread).toEqual([]);
      });

      it('reads every MEMBLOCK dump completely', () => {
        const dumps = run.events.filter((e): e is CheckpointEvent => e.kind === 'checkpoint' && e.source === 'dump');
        for (const dump of dumps) {
          expect(dump.complete).toBe(true);
          expect(dump.hasFlags).toBe(true);
          // The reserved header is the sum of its rows. (The memory header is not always: x86 trims
          // regions to whole pages without fixing memory.total_size, memblock-semantics §8.8.)
          const reservedTotal = dump.reserved!.reduce((sum, r) => sum + r.size, 0n);
          expect(reservedTotal).toBe(dump.reservedSize);
        }
      });

      if (DEBUGFS_ROWS[name]) {
        it('reads the debugfs listing: memory file, then reserved file', () => {
          const listing = run.events.find((e): e is CheckpointEvent => e.kind === 'checkpoint' && e.source === 'debugfs');
          expect(listing).toBeDefined();
          expect([listing!.memory!.length, listing!.reserved!.length]).toEqual(DEBUGFS_ROWS[name]);
          expect(listing!.hasNid).toBe(false);
        });
      }
    });
  }
});

describe('x86_64 qemu dumps before and after NUMA init', () => {
  it('sees node ids only in the second dump', () => {
    const { events } = runFile(path.join(CORPUS, 'qemu', 'x86_64-2node-2g-memblock-debug.log'));
    const dumps = events.filter((e): e is CheckpointEvent => e.kind === 'checkpoint');
    expect(dumps.map((d) => d.hasNid)).toEqual([false, true]);
  });
});

describe('ia64 5.15 log without timestamps', () => {
  it('reads its memblock lines', () => {
    const { events, unread } = runFile(path.join(CORPUS, 'real', 'ia64-ski-memblock-debug-no-timestamps-5.15.log'));
    const counts = countKinds(events);
    // grep -c: memblock_reserve 31, memblock_alloc_* 26, memblock_free 2, memblock_add_node 1
    expect(counts).toMatchObject({ reserve: 31, alloc: 26, free: 2, add: 1, accounting: 1 });
    expect(unread).toEqual([]);
  });
});
