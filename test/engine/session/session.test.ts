// EngineSession on real logs: the sample (x86_64, 2 nodes, memblock=debug) with hand-checked lines,
// the qemu corpus (every MEMBLOCK dump / debugfs listing must equal stateAt at that event), and the
// real-world corpus as a no-throw sweep over every query.

import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EngineSession } from '../../../src/engine/session/session';
import { stateAtEvent } from '../../../src/engine/replay/timeline';
import { liveRegions, printedNid } from '../../../src/engine/replay/checkpoint';
import { synthesizeLog } from '../../../src/engine/synth';
import { hex } from '../../../src/engine/util/hex';
import type { Region } from '../../../src/engine/types';

const SAMPLE = path.resolve(__dirname, '../../fixtures/sample/x86_64-2node-2g-memblock-debug.log');
const QEMU = path.resolve(__dirname, '../../fixtures/corpus/qemu');
const REAL = path.resolve(__dirname, '../../fixtures/corpus/real');

const qemuLogs = readdirSync(QEMU).filter((f) => f.endsWith('.log'));
const realLogs = readdirSync(REAL).filter((f) => f.endsWith('.log'));

const sample = EngineSession.fromText(readFileSync(SAMPLE, 'utf8'));

function rowAtLine(session: EngineSession, line: number) {
  const at = session.eventAtLine(line)!;
  return session.timelinePage(at.bootIndex, at.eventIndex, 1)[0];
}

describe('sample log', () => {
  it('summarises the log', () => {
    const summary = sample.summary();
    expect(summary.lineCount).toBe(552);
    expect(summary.boots).toHaveLength(1);
    expect(summary.boots[0]).toMatchObject({ index: 0, startLine: 10, kernelVersion: '6.1.0-56-amd64', arch: 'x86_64', eventCount: 170 });
    expect(summary.findings).toEqual({ error: 0, warning: 0, info: 8 });
    expect(summary.nodeCount).toBe(2);
  });

  it('bootView: nodes and blocks as the log prints them', () => {
    const view = sample.bootView(0);
    expect(view.nodes).toEqual([
      { nid: 0, memoryless: false, blocks: [{ base: '0x1000', size: '0x9e000' }, { base: '0x100000', size: '0x3ff00000' }] },
      { nid: 1, memoryless: false, blocks: [{ base: '0x40000000', size: '0x3ffe0000' }] },
    ]);
    // e820 after `update [0-0xfff] usable ==> reserved` and `remove [0xa0000-0xfffff]`.
    expect(view.firmware.slice(0, 2)).toEqual([
      { base: '0x0', size: '0x1000', type: 'reserved', usable: false },
      { base: '0x1000', size: '0x9ec00', type: 'usable', usable: true },
    ]);
    expect(view.firmware.filter((f) => f.usable).map((f) => f.base)).toEqual(['0x1000', '0x100000']);
  });

  it('bootView: waterfall, legend, findings, leaks, overview', () => {
    const view = sample.bootView(0);
    const steps = view.accounting;
    expect(steps[0]).toEqual({ label: 'Installed RAM (firmware map)', bytes: '0x7ff7ec00' });
    expect(steps[1].bytes).toBe('0x7ff7e000');
    expect(steps[steps.length - 1].label).toBe('Handed to the page allocator');
    const ownerSteps = steps.filter((s) => s.owner);
    expect(ownerSteps[0]).toMatchObject({ owner: 'kernel-image', bytes: hex(0x3411000n) });
    expect(view.owners.slice(0, 3)).toEqual(['kernel-image', 'log-buffer', 'memmap']);
    expect(view.owners).toEqual([...new Set(view.owners)]);

    expect(view.findings).toHaveLength(8);
    const overlap = view.findings[0];
    expect(overlap).toMatchObject({ id: 0, code: 'overlapping-reserve', line: 47, eventIndex: 18, owner: 'bios', caller: 'setup_arch', size: '0x100000' });
    const acpi = view.findings.filter((f) => f.code === 'outside-memory');
    expect(acpi).toHaveLength(7);
    for (const f of acpi) expect(f.owner).toBe('acpi');

    expect(view.leaks.length).toBeGreaterThan(0);
    const initrd = view.leaks.find((l) => l.owner === 'initrd')!;
    expect(initrd).toMatchObject({ base: '0x7fee4000', nid: 1, disposition: 'released-later' });
    expect(sample.timelinePage(0, initrd.eventIndex, 1)[0].line).toBe(initrd.line);

    const total = Object.values(view.overview.kinds).reduce((t, counts) => t + counts.reduce((a, b) => a + b, 0), 0);
    expect(total).toBe(170);
    expect(view.overview.buckets).toBe(170);
    expect(view.overview.kinds.alloc.reduce((a, b) => a + b, 0)).toBe(53);
  });

  it('timelinePage: every event is a row, with labels, status, owner and flags', () => {
    const all = sample.timelinePage(0, 0, 10_000);
    expect(all).toHaveLength(170);
    expect(all.map((r) => r.index)).toEqual(all.map((_, i) => i));
    expect(sample.timelinePage(0, 160, 50)).toHaveLength(10);
    expect(sample.timelinePage(0, 500, 5)).toEqual([]);

    expect(rowAtLine(sample, 13)).toMatchObject({ kind: 'other', label: 'e820 usable [mem 0x00000000-0x0009fbff]' });
    expect(rowAtLine(sample, 24).label).toBe('e820 update [mem 0x00000000-0x00000fff] usable → reserved');
    expect(rowAtLine(sample, 32)).toMatchObject({ kind: 'reserve', label: 'reserve [mem 0x0c000000-0x0c010fff] 68 KiB setup_arch', owner: 'kernel-image' });
    expect(rowAtLine(sample, 35)).toMatchObject({ kind: 'checkpoint', label: 'MEMBLOCK dump (synced)' });
    expect(rowAtLine(sample, 47)).toMatchObject({ kind: 'reserve', owner: 'bios', flagged: true });
    expect(rowAtLine(sample, 48)).toMatchObject({
      kind: 'alloc',
      label: 'alloc 2 MiB align 0x200000 → 0x7fc00000 (init_mem_mapping)',
      status: 'match',
      base: '0x7fc00000',
      size: '0x200000',
      nid: 1,
      owner: 'page-tables',
    });
    // The reserve row of an allocation carries the allocation's status.
    expect(rowAtLine(sample, 49)).toMatchObject({ kind: 'reserve', label: 'reserve [mem 0x7fc00000-0x7fdfffff] 2 MiB init_mem_mapping', status: 'match', owner: 'page-tables', nid: 1 });
    expect(rowAtLine(sample, 50)).toMatchObject({ kind: 'free', label: 'free [mem 0x7fc00000-0x7fdfffff] 2 MiB init_mem_mapping', nid: 1 });
    expect(rowAtLine(sample, 50).status).toBeUndefined();
    expect(rowAtLine(sample, 94)).toMatchObject({ kind: 'checkpoint', label: 'MEMBLOCK dump (matches)' });
    expect(rowAtLine(sample, 115).label).toBe('alloc 4 KiB align 0x1000 nid 0 → 0x3ffd2000 (vmemmap_alloc_block_zero)');
    expect(rowAtLine(sample, 250)).toMatchObject({ kind: 'other' });
    expect(rowAtLine(sample, 250).label).toMatch(/^Memory: .* \(hand-off\)$/);
    expect(all.filter((r) => r.flagged)).toHaveLength(8);
  });

  it('eventAtLine: cursor → playhead', () => {
    expect(sample.eventAtLine(5)).toBeUndefined();
    expect(sample.eventAtLine(10)).toEqual({ bootIndex: 0, eventIndex: -1 });
    expect(sample.eventAtLine(49)).toEqual({ bootIndex: 0, eventIndex: 20 });
    // Inside a multi-line dump: the dump itself.
    expect(sample.eventAtLine(94)).toEqual({ bootIndex: 0, eventIndex: 51 });
    expect(sample.eventAtLine(100)).toEqual({ bootIndex: 0, eventIndex: 51 });
    expect(sample.eventAtLine(10_000)).toEqual({ bootIndex: 0, eventIndex: 169 });
  });

  it('stateAt the second dump equals the dump, with owners and lines on reserved regions', () => {
    const at = sample.eventAtLine(94)!;
    const state = sample.stateAt(0, at.eventIndex);
    expect(state).toMatchObject({ type: 'state', bootIndex: 0, eventIndex: 51, line: 94 });
    expect(state.announcement).toBe('Event 52 of 170, line 94: MEMBLOCK dump (matches)');
    expect(state.memory.map((r) => [r.base, r.size, r.nid])).toEqual([
      ['0x1000', '0x9e000', 0],
      ['0x100000', '0x3ff00000', 0],
      ['0x40000000', '0x3ffe0000', 1],
    ]);
    expect(state.reserved.map((r) => [r.base, r.size, r.owner, r.line])).toEqual([
      ['0x0', '0x100000', 'bios', 47],
      ['0x8c00000', '0x3411000', 'kernel-image', 35],
      ['0x3ffd5000', '0x2b000', 'node-data', 90],
      ['0x7dab9000', '0x2b000', 'node-data', 92],
      ['0x7dae4000', '0x24fc000', 'log-buffer', 56],
      ['0x7ffe0000', '0x1c2f', 'acpi', 75],
    ]);
  });

  it('stateAt: changed range and announcement of allocator events', () => {
    const alloc = sample.stateAt(0, 19);
    expect(alloc.changed).toEqual({ kind: 'alloc', base: '0x7fc00000', size: '0x200000' });
    expect(alloc.announcement).toBe('Event 20 of 170, line 48: alloc 2 MiB on node 1 at 0x7fc00000 (init_mem_mapping)');
    const reserve = sample.stateAt(0, 20);
    expect(reserve.changed).toEqual({ kind: 'reserve', base: '0x7fc00000', size: '0x200000' });
    expect(reserve.reserved.some((r) => r.base === '0x7fc00000' && r.owner === 'page-tables' && r.line === 49)).toBe(true);
    const free = sample.stateAt(0, 21);
    expect(free.changed).toEqual({ kind: 'free', base: '0x7fc00000', size: '0x200000' });
    expect(free.reserved.some((r) => r.base === '0x7fc00000')).toBe(false);
    const before = sample.stateAt(0, -1);
    expect(before).toMatchObject({ eventIndex: -1, memory: [], reserved: [], line: 10 });
    expect(before.changed).toBeUndefined();
    // Out of range indexes clamp.
    expect(sample.stateAt(0, 1e9).eventIndex).toBe(169);
    expect(sample.stateAt(0, -7).eventIndex).toBe(-1);
  });

  it('stateAt stepping (cached states) equals stateAtEvent at every event', () => {
    const session = EngineSession.fromText(readFileSync(SAMPLE, 'utf8'));
    const boot = session.analysis.boots[0];
    for (let i = -1; i < boot.boot.events.length; i++) {
      const state = session.regionsAt(0, i);
      const model = stateAtEvent(boot.boot, boot.replay, i);
      expect(state.memory.map((r) => r.base + '+' + r.size)).toEqual(liveRegions(model, 'memory').map((r) => hex(r.base) + '+' + hex(r.size)));
      expect(state.reserved.map((r) => r.base + '+' + r.size)).toEqual(liveRegions(model, 'reserved').map((r) => hex(r.base) + '+' + hex(r.size)));
    }
  });

  it('every reserved region at the hand-off has an owner and a line', () => {
    const boot = sample.analysis.boots[0];
    const { reserved } = sample.regionsAt(0, boot.replay.handoffIndex);
    expect(reserved.length).toBeGreaterThan(5);
    for (const r of reserved) {
      expect(r.owner).toBeDefined();
      expect(r.line).toBeGreaterThanOrEqual(30);
    }
  });

  it('matching links the 2 MiB init_mem_mapping reserve with its free', () => {
    expect(sample.matching(49)).toEqual([50]);
    expect(sample.matching(50)).toEqual([49]);
    // The request line: its reserve line, then the free.
    expect(sample.matching(48)).toEqual([49, 50]);
    expect(sample.matching(52)).toEqual([]);
    expect(sample.matching(3)).toEqual([]);
    // percpu: pcpu_embed_first_chunk frees the tail of each 2 MiB unit.
    expect(sample.matching(191)).toEqual([188]);
    expect(sample.matching(188)).toEqual([191]);
  });

  it('lenses for event lines', () => {
    const lenses = sample.lenses(45, 56);
    expect(lenses.map((l) => l.line)).toEqual([45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56]);
    const at = (line: number) => lenses.find((l) => l.line === line)!;
    expect(at(48)).toMatchObject({ bootIndex: 0, eventIndex: 19, text: '2 MiB · node 1 · predicted ✓ · freed at line 50', related: [49, 50] });
    expect(at(49).text).toBe('2 MiB · node 1 · page-tables · freed at line 50');
    expect(at(49).related).toEqual([50]);
    expect(at(50)).toMatchObject({ text: '2 MiB · node 1 · releases line 49', related: [49] });
    expect(at(52).text).toBe('8 MiB · node 1 · log-buffer · never freed');
    expect(sample.lenses(188, 188)[0].text).toContain('partly freed');
    expect(sample.lenses(1, 29)).toEqual([]);
  });

  it('addressInfo: node, block, firmware type, state at the line', () => {
    const info = sample.addressInfo(200, '0x7f000000')!;
    expect(info).toMatchObject({
      address: '0x7f000000',
      nid: 1,
      block: { base: '0x40000000', size: '0x3ffe0000' },
      firmwareType: 'usable',
      inMemory: true,
      reserved: { base: '0x7dae4000', size: '0x1600000', owner: 'log-buffer', line: 56 },
    });
    expect(info.lines.join('\n')).toContain('node 1');
    expect(info.lines.join('\n')).toContain('owner log-buffer');

    expect(sample.addressInfo(49, '0x7fc00000')!.reserved).toMatchObject({ owner: 'page-tables', line: 49, base: '0x7fc00000' });
    const freed = sample.addressInfo(50, '0x7fc00000')!;
    expect(freed.reserved).toBeUndefined();
    expect(freed.inMemory).toBe(true);
    expect(freed.lines.some((l) => l.startsWith('Free memory after line 50'))).toBe(true);
    // Before memblock_add: not in memory yet.
    expect(sample.addressInfo(31, '0x40000000')!.inMemory).toBe(false);
    expect(sample.addressInfo(40, '0x40000000')!.inMemory).toBe(true);
    // Node 0, first megabyte: reserved by setup_arch (line 47) over the pre-debug reservation.
    expect(sample.addressInfo(100, '0x2000')).toMatchObject({ nid: 0, firmwareType: 'usable', reserved: { owner: 'bios', line: 47 } });
    // Page 0 is in no node block (memblock.memory starts at 0x1000) but the firmware map has it.
    expect(sample.addressInfo(100, '0x500')).toMatchObject({ nid: undefined, firmwareType: 'reserved', inMemory: false });
    expect(sample.addressInfo(100, 'zzz')).toBeUndefined();
    expect(sample.addressInfo(3, '0x1000')).toBeUndefined();
  });

  it('diagnostics: every finding, with boot, end line and related lines', () => {
    const diags = sample.diagnostics();
    expect(diags).toHaveLength(8);
    expect(diags.map((d) => d.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(diags[0]).toMatchObject({ bootIndex: 0, line: 47, endLine: 47, code: 'overlapping-reserve', severity: 'info' });
    expect(diags[0].related.map((r) => r.line)).toContain(46);
  });

  it('sections: the outline of the boot', () => {
    const [boot] = sample.sections();
    expect(boot).toMatchObject({ name: 'Boot 0: Linux 6.1.0-56-amd64 (x86_64)', kind: 'boot', startLine: 10, endLine: 552 });
    expect(boot.children!.map((c) => c.name)).toEqual(['Firmware map (e820)', 'memblock timeline', 'NUMA', 'Zones', 'Accounting']);
    const fw = boot.children![0];
    expect([fw.startLine, fw.endLine]).toEqual([13, 25]);
    const mb = boot.children![1];
    expect([mb.startLine, mb.endLine]).toEqual([30, 246]);
    expect(mb.children!.map((c) => [c.name, c.startLine, c.endLine])).toEqual([
      ['MEMBLOCK dump (line 35)', 35, 44],
      ['MEMBLOCK dump (line 94)', 94, 106],
    ]);
    expect(boot.children!.find((c) => c.kind === 'accounting')!.startLine).toBe(250);
    for (const c of boot.children!) {
      expect(c.startLine).toBeGreaterThanOrEqual(boot.startLine);
      expect(c.endLine).toBeLessThanOrEqual(boot.endLine);
    }
  });

  it('folding ranges cover the dumps and the firmware table', () => {
    const ranges = sample.foldingRanges();
    expect(ranges).toContainEqual({ start: 35, end: 44 });
    expect(ranges).toContainEqual({ start: 94, end: 106 });
    expect(ranges).toContainEqual({ start: 13, end: 19 });
    expect(ranges).toContainEqual({ start: 124, end: 127 });
    for (const r of ranges) expect(r.end).toBeGreaterThan(r.start);
  });

  it('reservations for the tree view, per node, with the freed flag', () => {
    const all = sample.reservations(0);
    const boot = sample.analysis.boots[0];
    expect(all).toHaveLength(boot.replay.reservations.filter((r) => r.eventIndex <= boot.replay.handoffIndex).length);
    const node1 = sample.reservations(0, 1);
    expect(node1.length).toBeGreaterThan(0);
    expect(node1.every((r) => BigInt(r.base) >= 0x40000000n)).toBe(true);
    expect(node1.find((r) => r.line === 49)).toMatchObject({ owner: 'page-tables', caller: 'init_mem_mapping', freed: true, size: '0x200000' });
    expect(node1.find((r) => r.line === 52)).toMatchObject({ owner: 'log-buffer', freed: false });
    expect(sample.reservations(0, 0).length + node1.length).toBeLessThanOrEqual(all.length);
  });

  it('pages a node\'s reservations per block and outside its blocks; the pages add up to the node\'s list', () => {
    const boot = sample.bootView(0);
    for (const node of boot.nodes) {
      const expected = sample.reservations(0, node.nid);
      const scopes = [...node.blocks.map((b) => ({ block: b })), { outside: true as const }];
      const seen: number[] = [];
      for (const scope of scopes) {
        const first = sample.reservationPage(0, node.nid, scope, 0, 0);
        let offset = 0;
        for (;;) {
          const page = sample.reservationPage(0, node.nid, scope, offset, 3);
          expect(page.total).toBe(first.total);
          expect(page.offset).toBe(offset);
          if (page.items.length === 0) break;
          for (const r of page.items) {
            const base = BigInt(r.base);
            if ('block' in scope) expect(base >= BigInt(scope.block.base) && base < BigInt(scope.block.base) + BigInt(scope.block.size)).toBe(true);
            else expect(node.blocks.some((b) => base >= BigInt(b.base) && base < BigInt(b.base) + BigInt(b.size))).toBe(false);
            seen.push(r.id);
          }
          offset += page.items.length;
        }
        expect(offset).toBe(first.total);
      }
      expect(seen.sort((a, b) => a - b)).toEqual(expected.map((r) => r.id).sort((a, b) => a - b));
      expect(sample.reservationPage(0, node.nid, scopes[0], 0, 2).items).toEqual(expected.filter((r) => 'block' in scopes[0] && BigInt(r.base) >= BigInt(scopes[0].block.base) && BigInt(r.base) < BigInt(scopes[0].block.base) + BigInt(scopes[0].block.size)).slice(0, 2));
    }
    expect(() => sample.reservationPage(0, 0, { block: { base: 'zz', size: '0x1' } }, 0, 5)).toThrow(/bad block/);
    expect(sample.reservationPage(0, 0, { outside: true }, 1e9, 5)).toMatchObject({ items: [] });
  });

  it('refuses a boot that does not exist', () => {
    expect(() => sample.bootView(3)).toThrow(/no boot 3/);
  });
});

describe.each(qemuLogs)('qemu corpus %s', (name) => {
  const session = EngineSession.fromText(readFileSync(path.join(QEMU, name), 'utf8'));

  it('stateAt every MEMBLOCK dump / debugfs listing equals what the kernel printed', () => {
    let checked = 0;
    session.analysis.boots.forEach((boot, b) => {
      boot.boot.events.forEach((event, i) => {
        if (event.kind !== 'checkpoint') return;
        expect(session.eventAtLine(event.line)).toEqual({ bootIndex: b, eventIndex: i });
        const state = session.stateAt(b, i);
        const same = (printed: Region[] | undefined, got: typeof state.memory) => {
          if (!printed) return;
          const live = printed.filter((r) => r.size > 0n);
          expect(got.map((r) => [r.base, r.size])).toEqual(live.map((r) => [hex(r.base), hex(r.size)]));
          if (event.hasNid) expect(got.map((r) => r.nid)).toEqual(live.map((r) => printedNid(r.nid)));
          if (event.hasFlags) expect(got.map((r) => r.flags)).toEqual(live.map((r) => hex(BigInt(r.flags))));
        };
        same(event.memory, state.memory);
        same(event.reserved, state.reserved);
        checked++;
      });
    });
    if (!name.includes('plain')) expect(checked).toBeGreaterThan(0);
  });

  it('diagnostics count = findings of every boot', () => {
    const total = session.analysis.boots.reduce((t, b) => t + b.report.findings.length, 0);
    const diags = session.diagnostics();
    expect(diags).toHaveLength(total);
    const summary = session.summary().findings;
    expect(summary.error + summary.warning + summary.info).toBe(total);
    for (const d of diags) {
      if (d.eventIndex !== undefined) {
        const row = session.timelinePage(d.bootIndex, d.eventIndex, 1)[0];
        expect(row.flagged).toBe(true);
        expect(row.line).toBeLessThanOrEqual(d.line);
      }
    }
  });

  it('bootView nodes equal the topology; folding covers every multi-line dump', () => {
    session.analysis.boots.forEach((boot, b) => {
      const view = session.bootView(b);
      expect(view.nodes.map((n) => [n.nid, n.blocks.map((bl) => bl.base + '+' + bl.size)])).toEqual(
        boot.topology.nodes.map((n) => [n.nid, n.blocks.map((bl) => hex(bl.base) + '+' + hex(bl.size))]),
      );
      expect(session.timelinePage(b, 0, 1e7)).toHaveLength(boot.boot.events.length);
    });
    const ranges = session.foldingRanges();
    for (const boot of session.analysis.boots) {
      for (const e of boot.boot.events) if (e.kind === 'checkpoint' && e.endLine > e.line) expect(ranges).toContainEqual({ start: e.line, end: e.endLine });
    }
  });

  it('addressInfo in the last node', () => {
    const boot = session.analysis.boots[session.analysis.boots.length - 1];
    const node = boot.topology.nodes[boot.topology.nodes.length - 1];
    if (!node || node.blocks.length === 0) return;
    const block = node.blocks[0];
    const info = session.addressInfo(boot.boot.endLine, hex(block.base + block.size / 2n))!;
    expect(info.nid).toBe(node.nid);
    expect(info.block).toEqual({ base: hex(block.base), size: hex(block.size) });
  });
});

describe('synthetic log with replay snapshots', () => {
  const parts: string[] = [];
  synthesizeLog({ nodes: 2, events: 12_000, seed: 7 } as Parameters<typeof synthesizeLog>[0], (c) => parts.push(c));
  const session = EngineSession.fromText(parts.join(''));
  const boot = session.analysis.boots[0];

  it('has snapshots to start from', () => {
    expect(boot.replay.snapshots.length).toBeGreaterThan(1);
  });

  it('stateAt equals stateAtEvent, stepping forward, backward and jumping', () => {
    const n = boot.boot.events.length;
    const picks = [n - 1, 0, 2047, 2048, 2049, 5000, 5001, 5002, 4999, 9000, Math.floor(n / 2), Math.floor(n / 2) + 300, n - 2];
    for (const i of picks) {
      const got = session.regionsAt(0, i);
      const model = stateAtEvent(boot.boot, boot.replay, i);
      expect(got.reserved.map((r) => r.base + '+' + r.size + '/' + r.nid)).toEqual(
        liveRegions(model, 'reserved').map((r) => hex(r.base) + '+' + hex(r.size) + '/' + printedNid(r.nid)),
      );
      expect(got.memory).toHaveLength(liveRegions(model, 'memory').length);
    }
  });

  it('owners: the region start lies inside the reservation named by its line', () => {
    const i = boot.boot.events.length - 1;
    const { reserved } = session.regionsAt(0, i);
    let owned = 0;
    for (const r of reserved) {
      if (r.line === undefined) continue;
      owned++;
      const base = BigInt(r.base);
      const at = session.eventAtLine(r.line)!;
      const candidates = boot.replay.reservations.filter((res) => res.line === r.line);
      expect(candidates.some((res) => res.base <= base && base < res.base + res.size)).toBe(true);
      expect(at.bootIndex).toBe(0);
    }
    expect(owned).toBeGreaterThan(reserved.length * 0.9);
  });
});

describe.each(realLogs)('real corpus %s: every query answers', (name) => {
  it('runs every method without throwing', () => {
    const session = EngineSession.fromText(readFileSync(path.join(REAL, name), 'utf8'));
    const summary = session.summary();
    expect(summary.boots.length).toBe(session.analysis.boots.length);
    session.diagnostics();
    session.sections();
    session.foldingRanges();
    session.lenses(1, summary.lineCount);
    session.analysis.boots.forEach((boot, b) => {
      const view = session.bootView(b);
      expect(JSON.parse(JSON.stringify(view))).toEqual(view);
      const rows = session.timelinePage(b, 0, boot.boot.events.length);
      expect(rows).toHaveLength(boot.boot.events.length);
      const n = boot.boot.events.length;
      for (const i of [-1, 0, Math.floor(n / 3), Math.floor(n / 2), n - 1]) {
        const state = session.stateAt(b, i);
        expect(typeof state.announcement).toBe('string');
      }
      for (const e of boot.boot.events.slice(0, 400)) session.matching(e.line);
      session.reservations(b);
      for (const node of boot.topology.nodes) {
        session.reservations(b, node.nid);
        const block = node.blocks[0];
        if (block) session.addressInfo(boot.boot.endLine, hex(block.base));
      }
    });
  });
});

describe('several boots (kern.log)', () => {
  const parts: string[] = [];
  synthesizeLog({ nodes: 2, events: 3000, seed: 3, style: 'kernlog', boots: 3 }, (c) => parts.push(c));
  const session = EngineSession.fromText(parts.join(''));
  const boots = session.analysis.boots;

  it('maps lines to their boot and numbers findings across boots', () => {
    expect(boots.length).toBe(3);
    for (const boot of boots) {
      const e = boot.boot.events[Math.floor(boot.boot.events.length / 2)];
      expect(session.eventAtLine(e.line)!.bootIndex).toBe(boot.boot.index);
      expect(session.stateAt(boot.boot.index, 10).bootIndex).toBe(boot.boot.index);
    }
    const ids = session.diagnostics().map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    const fromViews = boots.flatMap((_, b) => session.bootView(b).findings.map((f) => f.id));
    expect(fromViews).toEqual(ids);
    expect(session.sections().map((s) => s.startLine)).toEqual(boots.map((b) => b.boot.startLine));
    const lenses = session.lenses(1, session.summary().lineCount);
    expect(new Set(lenses.map((l) => l.bootIndex))).toEqual(new Set([0, 1, 2]));
  });
});
