// Message recognizers, one format at a time. Every line here is copied from a real log (the spec's
// "real" examples or the corpus under /work/shared/corpus) unless its comment says it was built
// from a format the spec gives without a captured example.

import { describe, expect, it } from 'vitest';
import { MessageParser, needsContinuation, type MessageContext } from '../../../src/engine/parse/messages/index';
import type { MemoryEvent } from '../../../src/engine/types';
import { MAX_NUMNODES } from '../../../src/engine/types';

/** All events of a sequence of clean messages (line numbers from 1). */
function parse(lines: string[], ctx: MessageContext = {}): MemoryEvent[] {
  const parser = new MessageParser(ctx);
  const events: MemoryEvent[] = [];
  lines.forEach((text, i) => events.push(...parser.push({ line: i + 1, endLine: i + 1, text }).events));
  events.push(...parser.end());
  return events;
}

/** The single event of one message. */
function one(text: string, ctx: MessageContext = {}): MemoryEvent {
  const events = parse([text], ctx);
  expect(events).toHaveLength(1);
  return events[0]!;
}

const at1 = { line: 1, endLine: 1 };

// -------------------------------------------------------------------------------------------------

describe('memblock reserve lines', () => {
  it('reads the PA form (≈4.12–6.15), inclusive end', () => {
    expect(one('memblock_reserve: [0x0000000001000000-0x00000000035fffff] setup_arch+0x275/0xf80')).toEqual({
      kind: 'reserve',
      api: 'memblock_reserve',
      base: 0x1000000n,
      size: 0x2600000n,
      caller: 'setup_arch+0x275/0xf80',
      ...at1,
    });
  });

  it('reads 32-bit PA widths', () => {
    expect(one('memblock_reserve: [0x00000000-0x00439fff] paging_init+0x172/0x462')).toMatchObject({ base: 0n, size: 0x43a000n });
  });

  it('reads the 3.3–3.13 X14 form as an exclusive end when the version is unknown', () => {
    const event = one('memblock_reserve: [0x00000003fdc000-0x00000003feb000] early_init_devtree+0x128/0x338');
    expect(event).toMatchObject({ kind: 'reserve', base: 0x3fdc000n, size: 0xf000n, exclusiveEnd: true, caller: 'early_init_devtree+0x128/0x338' });
  });

  it('decides the end convention by kernel version when known', () => {
    const line = 'memblock_reserve: [0x00000003fdc000-0x00000003feb000] early_init_devtree+0x128/0x338';
    expect(one(line, { kernelVersion: '3.10.99' })).toMatchObject({ size: 0xf000n, exclusiveEnd: true });
    expect(one(line, { kernelVersion: '4.4.155' })).toMatchObject({ size: 0xf001n });
    expect(one(line, { kernelVersion: '4.4.155' })).not.toHaveProperty('exclusiveEnd');
  });

  it('follows a kernel version the reader sets mid-file (a second boot)', () => {
    const ctx: MessageContext = { kernelVersion: '3.10.99' };
    const parser = new MessageParser(ctx);
    const line = 'memblock_reserve: [0x00000003fdc000-0x00000003feb000] early_init_devtree+0x128/0x338';
    expect(parser.push({ line: 1, endLine: 1, text: line }).events[0]).toMatchObject({ size: 0xf000n });
    ctx.kernelVersion = '3.14.65';
    expect(parser.push({ line: 2, endLine: 2, text: line }).events[0]).toMatchObject({ size: 0xf001n });
  });

  it('reads 3.14–4.9 `flags 0xh` as inclusive with flags', () => {
    expect(one('memblock_reserve: [0x00000088008000-0x0000008802bf3b] flags 0x0 arm_memblock_init+0xf/0x48')).toEqual({
      kind: 'reserve',
      api: 'memblock_reserve',
      base: 0x88008000n,
      size: 0x23f3cn,
      flags: 0,
      caller: 'arm_memblock_init+0xf/0x48',
      ...at1,
    });
  });

  it('reads ≈6.16 __memblock_reserve with nid and bare-hex flags (spec: synthetic)', () => {
    const event = one('__memblock_reserve: [0x000000013fff6000-0x000000013fff9fff] nid=-1 flags=20 memblock_alloc_range_nid+0x…/0x…');
    expect(event).toMatchObject({ kind: 'reserve', api: '__memblock_reserve', base: 0x13fff6000n, size: 0x4000n, nid: -1, flags: 0x20 });
  });

  it('keeps a garbage range from corrupted firmware data, marked inverted', () => {
    expect(one('memblock_reserve: [0xcc4f84ecc0511670-0x5f6e5214a7fd91f9] efi_config_parse_tables+0x244/0x278')).toEqual({
      kind: 'reserve',
      api: 'memblock_reserve',
      base: 0xcc4f84ecc0511670n,
      size: 0n,
      inverted: true,
      rawEnd: 0x5f6e5214a7fd91f9n,
      caller: 'efi_config_parse_tables+0x244/0x278',
      ...at1,
    });
  });

  it('reads a reserve at the very top of a 32-bit space (MIPS 4.19)', () => {
    expect(one('memblock_reserve: [0xbfffe340-0xbfffffe7] memblock_virt_alloc_internal+0x120/0x1ec')).toMatchObject({
      base: 0xbfffe340n,
      size: 0x1ca8n,
    });
  });
});

describe('memblock free lines', () => {
  it('reads memblock_phys_free (5.16+)', () => {
    expect(one('memblock_phys_free: [0x000000007dc36000-0x000000007dcfffff] pcpu_embed_first_chunk+0x1d8/0x610')).toEqual({
      kind: 'free',
      api: 'memblock_phys_free',
      base: 0x7dc36000n,
      size: 0xca000n,
      caller: 'pcpu_embed_first_chunk+0x1d8/0x610',
      ...at1,
    });
  });

  it('reads a zero-size free (E = S−1) as size 0, not as an error', () => {
    const event = one('memblock_free: [0x03245000-0x03244fff]');
    expect(event).toMatchObject({ kind: 'free', api: 'memblock_free', base: 0x3245000n, size: 0n });
    expect(event).not.toHaveProperty('inverted');
  });

  it('reads the ia64 5.15 memblock_free with memblock_free_ptr caller', () => {
    expect(one('memblock_free: [0x000000017f81a700-0x000000017f81a70a] memblock_free_ptr+0x40/0x60')).toMatchObject({
      api: 'memblock_free',
      base: 0x17f81a700n,
      size: 0xbn,
      caller: 'memblock_free_ptr+0x40/0x60',
    });
  });

  it('reads __memblock_free_early (3.14–5.0) as a free; X14 zero-size is inclusive here', () => {
    expect(one('__memblock_free_early: [0x00000067ebc000-0x00000067ebbfff] pcpu_dfl_fc_free+0xc/0x10')).toMatchObject({
      kind: 'free',
      api: '__memblock_free_early',
      base: 0x67ebc000n,
      size: 0n,
    });
  });

  it('reads __memblock_free_late and memblock_free_late as free-late', () => {
    expect(one('__memblock_free_late: [0x0000000074dd3000-0x0000000075becfff] efi_free_boot_services+0x126/0x1f8')).toEqual({
      kind: 'free-late',
      api: '__memblock_free_late',
      base: 0x74dd3000n,
      size: 0xe1a000n,
      caller: 'efi_free_boot_services+0x126/0x1f8',
      ...at1,
    });
    expect(one('memblock_free_late: [0x000000027ffcaf80-0x000000027ffcbfff] __efi_memmap_free+0x66/0x80')).toMatchObject({
      kind: 'free-late',
      api: 'memblock_free_late',
      size: 0x1080n,
    });
  });

  it('follows the reserves of the same boot for X14 frees of the exclusive era', () => {
    const events = parse([
      'memblock_reserve: [0x00000003fdc000-0x00000003feb000] early_init_devtree+0x128/0x338',
      'memblock_free: [0x00000003fdc000-0x00000003fdd000] early_init_devtree+0x128/0x338', // built from the 3.3–3.13 format
    ]);
    expect(events[1]).toMatchObject({ kind: 'free', size: 0x1000n, exclusiveEnd: true });
  });
});

describe('memblock memory-set lines', () => {
  it('reads memblock_add', () => {
    expect(one('memblock_add: [0x0000000000001000-0x000000000009fbff] e820__memblock_setup+0x6e/0xb0')).toEqual({
      kind: 'add',
      api: 'memblock_add',
      base: 0x1000n,
      size: 0x9ec00n,
      caller: 'e820__memblock_setup+0x6e/0xb0',
      ...at1,
    });
  });

  it('reads memblock_add_node with nid and flags', () => {
    expect(one('memblock_add_node: [0x0000000000000000-0x000000017fffffff] nid=0 flags=0 find_memory+0xb0/0x1a0')).toEqual({
      kind: 'add',
      api: 'memblock_add_node',
      base: 0n,
      size: 0x180000000n,
      nid: 0,
      flags: 0,
      caller: 'find_memory+0xb0/0x1a0',
      ...at1,
    });
  });

  it('reads a memblock_remove of everything but the last byte (rpi2 5.2)', () => {
    expect(one('memblock_remove: [0x0000000000000000-0xfffffffffffffffe] reserve_regions+0x68/0x23c')).toEqual({
      kind: 'remove',
      base: 0n,
      size: 0xffffffffffffffffn,
      caller: 'reserve_regions+0x68/0x23c',
      ...at1,
    });
  });

  it('keeps the wrapped-size memblock_remove of arm64 4.19 as an inverted event', () => {
    expect(one('memblock_remove: [0x0001000000000000-0x0000fffffffffffe] arm64_memblock_init+0x28/0x224')).toEqual({
      kind: 'remove',
      base: 0x1000000000000n,
      size: 0n,
      inverted: true,
      rawEnd: 0xfffffffffffen,
      caller: 'arm64_memblock_init+0x28/0x224',
      ...at1,
    });
  });

  it('reads the 2.6.37–3.2 x86 wrappers (spec: synthetic)', () => {
    expect(one('memblock_x86_reserve_range: [0x01000000-0x01bfcfff]    TEXT DATA BSS')).toEqual({
      kind: 'reserve',
      api: 'memblock_x86_reserve_range',
      base: 0x1000000n,
      size: 0xbfd000n,
      name: 'TEXT DATA BSS',
      ...at1,
    });
    expect(one('memblock_x86_free_range: [0x01000000-0x01bfcfff]')).toMatchObject({ kind: 'free', api: 'memblock_x86_free_range', size: 0xbfd000n });
  });
});

describe('allocation requests', () => {
  it('reads memblock_alloc_try_nid (6.6)', () => {
    expect(
      one('memblock_alloc_try_nid: 16384 bytes align=0x40 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 sparse_init+0x3f8/0x490'),
    ).toEqual({
      kind: 'alloc',
      api: 'memblock_alloc_try_nid',
      size: 16384n,
      align: 0x40n,
      nid: -1,
      exactNid: false,
      from: 0n,
      maxAddr: 0n,
      caller: 'sparse_init+0x3f8/0x490',
      ...at1,
    });
  });

  it('reads memblock_alloc_exact_nid_raw as exactNid', () => {
    expect(
      one(
        'memblock_alloc_exact_nid_raw: 33554432 bytes align=0x200000 nid=0 from=0x0000000001000000 max_addr=0x0000000000000000 sparse_init_nid+0x9f/0x390',
      ),
    ).toMatchObject({ api: 'memblock_alloc_exact_nid_raw', size: 33554432n, align: 0x200000n, nid: 0, exactNid: true, from: 0x1000000n, maxAddr: 0n });
  });

  it('reads memblock_phys_alloc_range with no nid (null)', () => {
    expect(
      one(
        'memblock_phys_alloc_range: 2097152 bytes align=0x200000 from=0x0000000000100000 max_addr=0x0000000140000000 init_mem_mapping+0x1a8/0x340',
      ),
    ).toEqual({
      kind: 'alloc',
      api: 'memblock_phys_alloc_range',
      size: 2097152n,
      align: 0x200000n,
      nid: null,
      exactNid: false,
      from: 0x100000n,
      maxAddr: 0x140000000n,
      caller: 'init_mem_mapping+0x1a8/0x340',
      ...at1,
    });
  });

  it('reads the 3.14 memblock_virt_alloc_try_nid_nopanic with unpadded from/max', () => {
    expect(
      one('memblock_virt_alloc_try_nid_nopanic: 32768 bytes align=0x1000 nid=-1 from=0xffffffff max_addr=0x0 setup_per_cpu_areas+0x21/0x5c'),
    ).toMatchObject({ api: 'memblock_virt_alloc_try_nid_nopanic', size: 32768n, align: 0x1000n, nid: -1, from: 0xffffffffn, maxAddr: 0n });
  });

  it('reads the 4.19 32-bit memblock_virt_alloc_try_nid', () => {
    expect(
      one('memblock_virt_alloc_try_nid: 7336 bytes align=0x40 nid=-1 from=0x00000000 max_addr=0x00000000 early_init_dt_alloc_memory_arch+0x20/0x2c'),
    ).toMatchObject({ api: 'memblock_virt_alloc_try_nid', size: 7336n, caller: 'early_init_dt_alloc_memory_arch+0x20/0x2c' });
  });

  it('reads the no-leak-trace limit and a virtual from= of arm64 6.1 verbatim', () => {
    expect(
      one(
        'memblock_alloc_exact_nid_raw: 16777216 bytes align=0x200000 nid=0 from=0xffffb56d40000000 max_addr=0x0000000000000000 memmap_alloc+0x28/0x3c',
      ),
    ).toMatchObject({ from: 0xffffb56d40000000n, maxAddr: 0n });
    expect(
      one(
        'memblock_phys_alloc_range: 4096 bytes align=0x1000 from=0x0000000000000000 max_addr=0x0000000000000001 early_pgtable_alloc+0x2c/0xb0',
      ),
    ).toMatchObject({ maxAddr: 1n });
  });

  it('reads memblock_alloc_hugetlb (built from the memblock-semantics §7 format)', () => {
    expect(one('memblock_alloc_hugetlb: 1073741824 bytes, nid=1, exact_nid=1 alloc_bootmem+0x5c/0x100')).toEqual({
      kind: 'alloc-hugetlb',
      size: 1073741824n,
      nid: 1,
      exactNid: true,
      caller: 'alloc_bootmem+0x5c/0x100',
      ...at1,
    });
  });

  it('reads array doubling with the printed (unaligned) size', () => {
    expect(one('memblock: reserved is doubled to 256 at [0x000000017fffd000-0x000000017fffe7ff]')).toEqual({
      kind: 'double',
      array: 'reserved',
      newMax: 256,
      base: 0x17fffd000n,
      size: 0x1800n,
      ...at1,
    });
    // 2.6.39–3.3 wording, built from the spec's format.
    expect(one('memblock: memory array is doubled to 256 at [0x1fffd000-0x1fffe7ff]')).toMatchObject({ array: 'memory', newMax: 256, size: 0x1800n });
  });
});

// -------------------------------------------------------------------------------------------------

const DUMP_66 = [
  'MEMBLOCK configuration:',
  'memory size = 0x00000000fff7ec00 reserved size = 0x0000000002714e95',
  'memory.cnt  = 0x4',
  'memory[0x0]\t[0x0000000000001000-0x000000000009efff], 0x000000000009e000 bytes on node 0 flags: 0x0',
  'memory[0x1]\t[0x0000000000100000-0x000000007fffffff], 0x000000007ff00000 bytes on node 0 flags: 0x0',
  'memory[0x2]\t[0x0000000080000000-0x00000000bffdffff], 0x000000003ffe0000 bytes on node 1 flags: 0x0',
  'memory[0x3]\t[0x0000000100000000-0x000000013fffffff], 0x0000000040000000 bytes on node 1 flags: 0x0',
  'reserved.cnt  = 0x6',
  'reserved[0x0]\t[0x0000000000000000-0x00000000000fffff], 0x0000000000100000 bytes on node 0 flags: 0x0',
  'reserved[0x1]\t[0x0000000001000000-0x0000000003608fff], 0x0000000002609000 bytes on node 0 flags: 0x0',
  'reserved[0x2]\t[0x000000007fffc000-0x000000007fffffff], 0x0000000000004000 bytes flags: 0x0',
  'reserved[0x3]\t[0x00000000bffe0000-0x00000000bffe1e94], 0x0000000000001e95 bytes on node 1 flags: 0x0',
  'reserved[0x4]\t[0x000000013fffa000-0x000000013fffdfff], 0x0000000000004000 bytes flags: 0x0',
  'reserved[0x5]\t[0x000000013fffe000-0x000000013fffffff], 0x0000000000002000 bytes on node 1 flags: 0x0',
];

describe('MEMBLOCK configuration dumps', () => {
  it('collects a 6.6 dump into one checkpoint spanning header to last row', () => {
    const events = parse([...DUMP_66, 'memblock_alloc_try_nid: 16384 bytes align=0x40 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 sparse_init+0x3f8/0x490']);
    expect(events.map((e) => e.kind)).toEqual(['checkpoint', 'alloc']);
    const dump = events[0]!;
    expect(dump).toMatchObject({ kind: 'checkpoint', source: 'dump', line: 1, endLine: 14, hasNid: true, hasFlags: true, complete: true });
    if (dump.kind !== 'checkpoint') throw new Error('not a checkpoint');
    expect(dump.memorySize).toBe(0xfff7ec00n);
    expect(dump.reservedSize).toBe(0x2714e95n);
    expect(dump.memory).toHaveLength(4);
    expect(dump.memory![2]).toEqual({ base: 0x80000000n, size: 0x3ffe0000n, nid: 1, flags: 0 });
    expect(dump.reserved).toHaveLength(6);
    expect(dump.reserved![2]).toEqual({ base: 0x7fffc000n, size: 0x4000n, nid: MAX_NUMNODES, flags: 0 });
  });

  it('marks a dump cut short (end of input before all rows) as incomplete', () => {
    const events = parse(DUMP_66.slice(0, 10));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'checkpoint', complete: false, line: 1, endLine: 10 });
  });

  it('reads NOMAP flags of the rpi2 5.2 dump (TAB expanded to spaces)', () => {
    const events = parse([
      'MEMBLOCK configuration:',
      'memory size = 0x000000003e000000 reserved size = 0x0000000000000010',
      'memory.cnt  = 0x1',
      'memory[0x0]     [0x0000000000000000-0x000000003dffffff], 0x000000003e000000 bytes flags: 0x0',
      'reserved.cnt  = 0x1',
      'reserved[0x0]   [0x000000003cb3d040-0x000000003cb3d04f], 0x0000000000000010 bytes flags: 0x0',
      'memblock_remove: [0x0000000000000000-0xfffffffffffffffe] reserve_regions+0x68/0x23c',
      'MEMBLOCK configuration:',
      'memory size = 0x000000003e000000 reserved size = 0x00000000019ff2c5',
      'memory.cnt  = 0x2',
      'memory[0x0]     [0x0000000000000000-0x0000000000000fff], 0x0000000000001000 bytes flags: 0x4',
      'memory[0x1]     [0x0000000000001000-0x0000000007ef5fff], 0x0000000007ef5000 bytes flags: 0x0',
    ]);
    expect(events.map((e) => e.kind)).toEqual(['checkpoint', 'remove', 'checkpoint']);
    expect(events[0]).toMatchObject({ complete: true, hasNid: false, hasFlags: true });
    const second = events[2]!;
    if (second.kind !== 'checkpoint') throw new Error('not a checkpoint');
    expect(second.memory![0]).toEqual({ base: 0n, size: 0x1000n, nid: MAX_NUMNODES, flags: 4 });
    expect(second.complete).toBe(false); // no reserved rows before the input ended
  });

  it('reads mail-wrapped rows once the reader re-joins them (brcmstb 5.4, LPAE X14)', () => {
    const row = 'memory[0x0]     [0x00000040000000-0x000000fdffefff],';
    expect(needsContinuation(row)).toBe(true);
    const events = parse([
      'MEMBLOCK configuration:',
      'memory size = 0xfdfff000 reserved size = 0x7ce4d20d',
      'memory.cnt  = 0x2',
      `${row} 0xbdfff000 bytes flags: 0x0`,
      'memory[0x1]     [0x00000100000000-0x0000013fffffff], 0x40000000 bytes flags: 0x0',
    ]);
    const dump = events[0]!;
    if (dump.kind !== 'checkpoint') throw new Error('not a checkpoint');
    expect(dump.memory).toEqual([
      { base: 0x40000000n, size: 0xbdfff000n, nid: MAX_NUMNODES, flags: 0 },
      { base: 0x100000000n, size: 0x40000000n, nid: MAX_NUMNODES, flags: 0 },
    ]);
    expect(dump.memorySize).toBe(0xfdfff000n);
  });

  it('reads the 2.6.35–2.6.36 / LMB row form `0xS - 0xE, 0xN bytes` (built from the spec format)', () => {
    const events = parse(['LMB configuration:', 'rmo_size    = 0x10000000', 'memory.size = 0x20000000', 'memory.cnt  = 0x1', 'memory[0x0]\t0x0000000000000000 - 0x000000001fffffff, 0x20000000 bytes', 'reserved.cnt  = 0x0']);
    expect(events[0]).toMatchObject({
      kind: 'checkpoint',
      source: 'dump',
      hasFlags: false,
      complete: true,
      memory: [{ base: 0n, size: 0x20000000n, nid: MAX_NUMNODES, flags: 0 }],
      memorySize: 0x20000000n,
    });
  });
});

describe('debugfs listings', () => {
  it('reads the arm64 6.1 memory then reserved files, split where the index restarts', () => {
    const events = parse([
      '=== MEMBLOCK DEBUGFS ===',
      'memory    reserved',
      '0: 0x0000000040000000..0x000000007fffffff',
      '0: 0x0000000040210000..0x000000004220afff',
      '1: 0x0000000048200000..0x00000000482fffff',
      '2: 0x0000000074800000..0x000000007fbfffff',
      '=== MEMINFO ===',
    ]);
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({
      kind: 'checkpoint',
      source: 'debugfs',
      hasNid: false,
      hasFlags: false,
      complete: true,
      line: 3,
      endLine: 6,
      memory: [{ base: 0x40000000n, size: 0x40000000n, nid: MAX_NUMNODES, flags: 0 }],
      reserved: [
        { base: 0x40210000n, size: 0x1ffb000n, nid: MAX_NUMNODES, flags: 0 },
        { base: 0x48200000n, size: 0x100000n, nid: MAX_NUMNODES, flags: 0 },
        { base: 0x74800000n, size: 0xb400000n, nid: MAX_NUMNODES, flags: 0 },
      ],
    });
  });

  it('reads 6.5+ rows with nid and flag names', () => {
    const events = parse(['cat /sys/kernel/debug/memblock/memory', '1: 0x0000000090200000..0x00000000905fffff    0 NOMAP']);
    expect(events[0]).toMatchObject({
      source: 'debugfs',
      hasNid: true,
      hasFlags: true,
      memory: [{ base: 0x90200000n, size: 0x400000n, nid: 0, flags: 4 }],
    });
  });
});

// -------------------------------------------------------------------------------------------------

describe('e820', () => {
  it('reads ≤3.4 rows (exclusive, parenthesised type)', () => {
    expect(one('BIOS-e820: 0000000000000000 - 000000000009fc00 (usable)')).toEqual({
      kind: 'firmware',
      source: 'e820',
      table: 'BIOS-e820',
      base: 0n,
      size: 0x9fc00n,
      type: 'usable',
      ...at1,
    });
    expect(one('modified: 000000001fff0c00 - 000000001fffc000 (ACPI NVS)')).toMatchObject({ table: 'modified', base: 0x1fff0c00n, size: 0xb400n, type: 'ACPI NVS' });
  });

  it('reads [mem] rows (inclusive) including type N and setup_data tables', () => {
    expect(one('BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable')).toMatchObject({ base: 0n, size: 0x9fc00n, type: 'usable' });
    expect(one('BIOS-e820: [mem 0x0000000000000000-0x0000000000000fff] type 16')).toMatchObject({ size: 0x1000n, type: 'type 16' });
    expect(one('reserve setup_data: [mem 0x00000000bda0f018-0x00000000bda4c057] usable')).toMatchObject({
      table: 'reserve setup_data',
      base: 0xbda0f018n,
      size: 0x3d040n,
    });
  });

  it('normalises the 7.0-era names and skips [gap] rows', () => {
    expect(one('BIOS-e820: [mem 0x0000000000100000-0x0000000009a7efff]  System RAM')).toMatchObject({ base: 0x100000n, size: 0x997f000n, type: 'usable' });
    expect(parse(['BIOS-e820: [gap 0x000000009d000000-0x000000009d78ffff]'])).toEqual([]);
    expect(one('e820: update [mem 0x00000000-0x00000fff] System RAM ==> device reserved')).toMatchObject({
      edit: 'update',
      type: 'usable',
      newType: 'reserved',
      size: 0x1000n,
    });
  });

  it('reads Xen dom0 rows as source xen', () => {
    expect(one('Xen: [mem 0x0000000000000000-0x0000000000090fff] usable')).toMatchObject({ source: 'xen', table: 'Xen', size: 0x91000n });
  });

  it('reads update/remove edits of both eras', () => {
    expect(one('e820: update [mem 0x00000000-0x00000fff] usable ==> reserved')).toEqual({
      kind: 'firmware',
      source: 'e820',
      table: 'e820',
      base: 0n,
      size: 0x1000n,
      type: 'usable',
      edit: 'update',
      newType: 'reserved',
      ...at1,
    });
    expect(one('e820: remove [mem 0x000a0000-0x000fffff] usable')).toMatchObject({ edit: 'remove', base: 0xa0000n, size: 0x60000n, type: 'usable' });
    expect(one('e820 update range: 0000000000000000 - 0000000000001000 (usable) ==> (reserved)')).toMatchObject({
      edit: 'update',
      size: 0x1000n,
      type: 'usable',
      newType: 'reserved',
    });
    expect(one('e820 remove range: 00000000000a0000 - 0000000000100000 (usable)')).toMatchObject({ edit: 'remove', base: 0xa0000n, size: 0x60000n });
  });
});

describe('EFI memory map', () => {
  it('reads x86 named rows with inclusive `]`', () => {
    expect(
      one('efi: mem01: [Conventional|   |  |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000000001000-0x0000000000086fff] (0MB)'),
    ).toEqual({ kind: 'firmware', source: 'efi', table: 'efi', base: 0x1000n, size: 0x86000n, type: 'Conventional', ...at1 });
  });

  it('maps the 19-char names of ≈4.1x to the short ones', () => {
    expect(
      one('efi: mem00: [Conventional Memory|   |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000000000000-0x0000000000000fff] (0MB)'),
    ).toMatchObject({ type: 'Conventional', size: 0x1000n });
  });

  it('reads `)`-closed ranges (≤4.4) and numbered types (≤3.18) as exclusive (built from the spec format)', () => {
    expect(one('efi: mem00: type=7, attr=0xf, range=[0x0000000000000000-0x000000000009f000) (0MB)')).toMatchObject({
      type: 'Conventional',
      size: 0x9f000n,
    });
  });

  it('reads arm64/arm32 `efi:   0x…-0x… [Type|…]` rows (inclusive)', () => {
    expect(one('efi:   0x000000001000-0x000000307fff [Conventional Memory|   |  |  |  |  |  |  |   |WB|  |  |  ]')).toMatchObject({
      source: 'efi',
      base: 0x1000n,
      size: 0x307000n,
      type: 'Conventional',
    });
  });

  it('reads `efi: Remove memN` as a remove edit', () => {
    expect(one('efi: Remove mem55: MMIO range=[0xe0000000-0xefffffff] (256MB) from e820 map')).toMatchObject({
      source: 'efi',
      edit: 'remove',
      type: 'MMIO',
      base: 0xe0000000n,
      size: 0x10000000n,
    });
  });
});

describe('other memory maps', () => {
  it('reads MIPS `memory: SIZE @ START`', () => {
    expect(one('memory: 30000000 @ 90000000 (usable)')).toEqual({
      kind: 'firmware',
      source: 'mips',
      table: 'mips',
      base: 0x90000000n,
      size: 0x30000000n,
      type: 'usable',
      ...at1,
    });
  });

  it('reads `OF: fdt: Ignoring memory` (exclusive; built from the spec format)', () => {
    expect(one('OF: fdt: Ignoring memory block 0x100000000 - 0x140000000')).toMatchObject({ source: 'dt', type: 'ignored', base: 0x100000000n, size: 0x40000000n });
  });
});

// -------------------------------------------------------------------------------------------------

describe('owner hints', () => {
  it('reads RAMDISK of both eras', () => {
    expect(one('RAMDISK: [mem 0xbfed4000-0xbffcffff]')).toEqual({ kind: 'owner-hint', owner: 'initrd', base: 0xbfed4000n, size: 0xfc000n, label: 'RAMDISK', ...at1 });
    expect(one('RAMDISK: 37870000 - 37feffed')).toMatchObject({ owner: 'initrd', base: 0x37870000n, size: 0x77ffedn });
  });

  it('reads ACPI table reservations', () => {
    expect(one('ACPI: Reserving FACP table memory at [mem 0xbf77a000-0xbf77a073]')).toEqual({
      kind: 'owner-hint',
      owner: 'acpi',
      base: 0xbf77a000n,
      size: 0x74n,
      label: 'FACP',
      ...at1,
    });
  });

  it('reads crashkernel in MB and hex (exclusive) forms', () => {
    expect(one('Reserving 512MB of memory at 2544MB for crashkernel (System RAM: 65535MB)')).toMatchObject({
      owner: 'crashkernel',
      base: 2544n << 20n,
      size: 512n << 20n,
    });
    expect(one('crashkernel reserved: 0x0000000bc5a00000 - 0x0000000bfd000000 (886 MB)')).toMatchObject({
      owner: 'crashkernel',
      base: 0xbc5a00000n,
      size: 886n << 20n,
    });
    // ppc64 6.18, format=flowed wrap re-joined by the reader (extra space where it broke).
    expect(needsContinuation('crashkernel reserved: 0x0000000018000000 - ')).toBe(true);
    expect(one('crashkernel reserved: 0x0000000018000000 -  0x0000000098000000 (2048 MB)')).toMatchObject({ base: 0x18000000n, size: 0x80000000n });
  });

  it('reads swiotlb (5.x+ prints an exclusive end; the MB count decides)', () => {
    expect(one('software IO TLB: mapped [mem 0x00000000bac00000-0x00000000bec00000] (64MB)')).toEqual({
      kind: 'owner-hint',
      owner: 'swiotlb',
      base: 0xbac00000n,
      size: 0x4000000n,
      label: 'swiotlb',
      ...at1,
    });
  });

  it('reads CMA and DT reserved-memory', () => {
    expect(one('cma: Reserved 128 MiB at 0x0000000076c00000')).toEqual({ kind: 'owner-hint', owner: 'cma', base: 0x76c00000n, size: 0x8000000n, label: 'cma', ...at1 });
    expect(one('cma: Reserved 64 MiB at 0x00000000fc000000 on node -1')).toMatchObject({ owner: 'cma', nid: -1 }); // ≈6.x form, built from the spec
    expect(one('Reserved memory: created CMA memory pool at 0x0000000096000000, size 640 MiB')).toMatchObject({ owner: 'cma', base: 0x96000000n, size: 640n << 20n });
    expect(one('OF: reserved mem: 0x0000002260000000..0x000000227fffffff (524288 KiB) map reusable linux,cma')).toEqual({
      kind: 'owner-hint',
      owner: 'cma',
      base: 0x2260000000n,
      size: 0x20000000n,
      label: 'linux,cma',
      nomap: false,
      reusable: true,
      ...at1,
    });
    expect(one('OF: reserved mem: 0x0000000080000000..0x000000008007ffff (512 KiB) map non-reusable mmode_resv0@80000000')).toMatchObject({
      owner: 'dt-reserved',
      size: 0x80000n,
      reusable: false,
    });
  });
});

// -------------------------------------------------------------------------------------------------

describe('NUMA nodes', () => {
  it('reads SRAT memory affinity of every era', () => {
    expect(one('ACPI: SRAT: Node 1 PXM 1 [mem 0x100000000-0x13fffffff]')).toEqual({
      kind: 'node-range',
      source: 'srat',
      nid: 1,
      base: 0x100000000n,
      size: 0x40000000n,
      ...at1,
    });
    expect(one('SRAT: Node 0 PXM 0 100000-40000000')).toMatchObject({ nid: 0, base: 0x100000n, size: 0x3ff00000n }); // 2.6.32, exclusive
    // hotplug suffix, built from the 4.4+ format
    expect(one('ACPI: SRAT: Node 1 PXM 1 [mem 0x100000000-0x13fffffff] hotplug')).toMatchObject({ hotplug: true });
  });

  it('reads merges, fake nodes and node setup', () => {
    expect(one('NUMA: Node 0 [mem 0x00000000-0x0009ffff] + [mem 0x00100000-0x7fffffff] -> [mem 0x00000000-0x7fffffff]')).toMatchObject({
      source: 'numa-merge',
      nid: 0,
      base: 0n,
      size: 0x80000000n,
    });
    expect(one('Faking a node at 0000000000000000-0000000120000000')).toMatchObject({ source: 'faking-single', nid: 0, size: 0x120000000n });
    expect(one('Initmem setup node 1 [mem 0x0000000080000000-0x000000013fffffff]')).toMatchObject({ source: 'initmem', nid: 1, base: 0x80000000n, size: 0xc0000000n });
    expect(one('Bootmem setup node 0 0000000000000000-000000003fff0000')).toMatchObject({ source: 'bootmem-setup', nid: 0, size: 0x3fff0000n });
    expect(one('Initmem setup node 0 as memoryless')).toEqual({ kind: 'memoryless-node', nid: 0, ...at1 });
    // 4.20 prints an empty node as [0-0]
    expect(one('Initmem setup node 0 [mem 0x0000000000000000-0x0000000000000000]')).toEqual({ kind: 'memoryless-node', nid: 0, ...at1 });
  });

  it('reads NODE_DATA(N) and folds `NODE_DATA(N) on node M` into it', () => {
    const events = parse(['NODE_DATA(0) allocated [mem 0x87efd4000-0x87effefff]', 'NODE_DATA(0) on node 5', 'NODE_DATA(1) allocated [mem 0x47ffd5000-0x47fffffff]']);
    expect(events).toEqual([
      { kind: 'node-data', nid: 0, base: 0x87efd4000n, size: 0x2b000n, onNode: 5, line: 1, endLine: 2 },
      { kind: 'node-data', nid: 1, base: 0x47ffd5000n, size: 0x2b000n, line: 3, endLine: 3 },
    ]);
  });

  it('reads the 3.x `Initmem setup node` + bare `NODE_DATA [mem]` pair (Xen PV, real)', () => {
    const events = parse(['Initmem setup node 0 [mem 0x00000000-0x6d3fffff]', 'NODE_DATA [mem 0x6c8b0000-0x6c8b6fff]']);
    expect(events).toEqual([
      { kind: 'node-range', source: 'initmem', nid: 0, base: 0n, size: 0x6d400000n, line: 1, endLine: 1 },
      { kind: 'node-data', nid: 0, base: 0x6c8b0000n, size: 0x7000n, line: 2, endLine: 2 },
    ]);
  });

  it('reads numa=fake, arch_numa and the old half-open merge (built from the spec formats)', () => {
    expect(one('Faking node 1 at [mem 0x0000000040000000-0x000000007fffffff] (1024MB)')).toMatchObject({ source: 'fake', nid: 1, size: 0x40000000n });
    expect(one('NUMA: Faking a node at [mem 0x0000000040000000-0x00000000bfffffff]')).toMatchObject({ source: 'faking-single', size: 0x80000000n });
    expect(one('NUMA: Node 0 [0,a0000) + [100000,40000000) -> [0,40000000)')).toMatchObject({ source: 'numa-merge', base: 0n, size: 0x40000000n });
    expect(one('NUMA: Adding memblock [0x40000000 - 0x7fffffff] on node 0')).toMatchObject({ source: 'arch-numa', nid: 0, size: 0x40000000n });
    const memoryless = parse(['NUMA: Initmem setup node 2 [<memory-less node>]', 'NUMA: NODE_DATA [mem 0xbfbee380-0xbfbf0fff]', 'NUMA: NODE_DATA(2) on node 1']);
    expect(memoryless).toEqual([
      { kind: 'memoryless-node', nid: 2, line: 1, endLine: 1 },
      { kind: 'node-data', nid: 2, base: 0xbfbee380n, size: 0x2c80n, onNode: 1, line: 2, endLine: 3 },
    ]);
  });

  it('gives nid-less NODE_DATA lines their node from context', () => {
    // arm64 arch_numa: nodes in order
    const arm = parse(['NUMA: NODE_DATA [mem 0x7fffd380-0x7fffffff]', 'NUMA: NODE_DATA [mem 0xbfbee380-0xbfbf0fff]']);
    expect(arm.map((e) => (e.kind === 'node-data' ? e.nid : -1))).toEqual([0, 1]);
    // 2.6.32 x86-64: the Bootmem setup line before it
    const old = parse(['Bootmem setup node 0 0000000000000000-000000003fff0000', 'NODE_DATA [0000000000011840 - 000000000001683f]']);
    expect(old[1]).toMatchObject({ kind: 'node-data', nid: 0, base: 0x11840n, size: 0x5000n });
  });
});

describe('zones and node ranges', () => {
  it('reads zone rows only after a `Zone ranges:` header', () => {
    const events = parse(['Zone ranges:', 'DMA      [mem 0x0000000000001000-0x0000000000ffffff]', 'Normal   empty', 'Movable zone start for each node', 'DMA      [mem 0x0000000000001000-0x0000000000ffffff]']);
    expect(events).toEqual([
      { kind: 'zone', zone: 'DMA', base: 0x1000n, size: 0xfff000n, line: 2, endLine: 2 },
      { kind: 'zone', zone: 'Normal', line: 3, endLine: 3 },
    ]);
  });

  it('reads `Zone PFN ranges:` rows as PFNs with an exclusive end', () => {
    const events = parse(['Zone PFN ranges:', 'DMA      0x00000001 -> 0x00001000', 'HighMem  empty']);
    expect(events[0]).toMatchObject({ zone: 'DMA', base: 0x1000n, size: 0xfff000n });
    expect(events[1]).toEqual({ kind: 'zone', zone: 'HighMem', line: 3, endLine: 3 });
  });

  it('reads early node ranges of both eras', () => {
    expect(one('node   1: [mem 0x0000000080000000-0x00000000bffdffff]')).toEqual({
      kind: 'node-range',
      source: 'early-node-ranges',
      nid: 1,
      base: 0x80000000n,
      size: 0x3ffe0000n,
      ...at1,
    });
    const events = parse(['early_node_map[2] active PFN ranges', '0: 0x00000010 -> 0x0000009f', '0: 0x00000100 -> 0x0003fff0']);
    expect(events).toMatchObject([
      { source: 'early-node-ranges', nid: 0, base: 0x10000n, size: 0x8f000n },
      { source: 'early-node-ranges', nid: 0, base: 0x100000n, size: 0x3fef0000n },
    ]);
  });
});

// -------------------------------------------------------------------------------------------------

describe('accounting and other single lines', () => {
  it('reads the generic Memory: line', () => {
    expect(
      one('Memory: 4021152K/4193784K available (18432K kernel code, 2739K rwdata, 6532K rodata, 2644K init, 1528K bss, 172376K reserved, 0K cma-reserved)'),
    ).toEqual({
      kind: 'accounting',
      availableKiB: 4021152,
      totalKiB: 4193784,
      kernelCodeKiB: 18432,
      rwdataKiB: 2739,
      rodataKiB: 6532,
      initKiB: 2644,
      bssKiB: 1528,
      reservedKiB: 172376,
      cmaReservedKiB: 0,
      truncated: false,
      ...at1,
    });
  });

  it('reads the lower-case 2.6.31 form', () => {
    expect(one('Memory: 3791916k/4718592k available (5313k kernel code, 787332k absent, 139344k reserved, 3011k data, 660k init)')).toMatchObject({
      availableKiB: 3791916,
      totalKiB: 4718592,
      absentKiB: 787332,
      reservedKiB: 139344,
      rwdataKiB: 3011,
      truncated: false,
    });
  });

  it('keeps a Memory: line cut short by the log, marked truncated', () => {
    // Head from the rhel9 log, tail `… 7820K reserved, 0K cma-r)` as the spec quotes it.
    expect(one('Memory: 2783248K/67107960K available (16384K kernel code, 5657K rwdata, 12972K rodata, 3980K init, 5696K bss, 7820K reserved, 0K cma-r)')).toMatchObject({
      reservedKiB: 7820,
      truncated: true,
    });
    expect(one('Memory: 2783248K/67107960K available (16384K kernel code, 5657K rwdata, 129')).toMatchObject({ rwdataKiB: 5657, truncated: true });
  });

  it('does not take lookalikes for the accounting line', () => {
    expect(parse(['efi: Memory: 2048M/16384M mirrored memory'])).toEqual([]);
    expect(parse(['Memory: 384MB = 384MB total'])).toEqual([]);
  });

  it('reads Freeing lines of every era', () => {
    expect(one('Freeing unused kernel image (initmem) memory: 2644K')).toEqual({ kind: 'freeing', name: 'unused kernel image (initmem)', kib: 2644, ...at1 });
    expect(one('Freeing SMP alternatives: 24k freed')).toMatchObject({ name: 'SMP alternatives', kib: 24 });
    expect(one('Freeing unused kernel memory: 528K (80b48000 - 80bcc000)')).toMatchObject({ name: 'unused kernel', kib: 528 });
  });

  it('reads percpu first chunks', () => {
    expect(one('percpu: Embedded 54 pages/cpu s183016 r8192 d29976 u1048576')).toEqual({ kind: 'percpu', pagesPerCpu: 54, unitSize: 1048576, ...at1 });
    expect(one('PERCPU: Embedded 30 pages/cpu @ffff880001c00000 s91544 r8192 d23144 u1048576')).toMatchObject({ pagesPerCpu: 30, unitSize: 1048576 });
  });

  it('reads dropped-message markers and command lines', () => {
    expect(one('** 1181 printk messages dropped **')).toEqual({ kind: 'dropped', count: 1181, ...at1 });
    expect(one('Kernel command line: console=ttyAMA0 loglevel=8 panic=-1 memblock=debug log_buf_len=8M cma=128M')).toEqual({
      kind: 'setting',
      name: 'cmdline',
      value: 'console=ttyAMA0 loglevel=8 panic=-1 memblock=debug log_buf_len=8M cma=128M',
      ...at1,
    });
    expect(one('Command line: root=/dev/md0 ro ro quiet splash rootflags=data=writeback ')).toMatchObject({ name: 'cmdline', value: 'root=/dev/md0 ro ro quiet splash rootflags=data=writeback' });
  });

  it('reads failures', () => {
    expect(one('Kernel panic - not syncing: early_alloc: Failed to allocate 4096 bytes align=0x1000')).toEqual({
      kind: 'failure',
      text: 'Kernel panic - not syncing: early_alloc: Failed to allocate 4096 bytes align=0x1000',
      size: 4096n,
      ...at1,
    });
    expect(one('cma: Failed to reserve 64 MiB')).toMatchObject({ kind: 'failure', size: 64n << 20n });
    // The next three are built from formats the spec quotes without a captured example.
    expect(one('ERROR: Failed to allocate 0x0000000000001000 bytes below 0x0000000000000000.')).toMatchObject({ kind: 'failure', size: 0x1000n });
    expect(one('bootmem alloc of 4096 bytes failed!')).toMatchObject({ kind: 'failure', size: 4096n });
    expect(one('memblock: Failed to double reserved array from 128 to 256 entries !')).toMatchObject({ kind: 'failure' });
  });
});

describe('bootmem and early_res', () => {
  it('reads bootmem:: lines into fields (xtensa 3.8)', () => {
    expect(one('bootmem::free_all_bootmem_core nid=0 start=1 end=8000')).toEqual({
      kind: 'bootmem',
      fn: 'free_all_bootmem_core',
      fields: { nid: '0', start: '1', end: '8000' },
      ...at1,
    });
    // spec synthetic
    expect(one('bootmem::alloc_bootmem_core nid=0 size=1000 [1 pages] align=1000 goal=1000000 limit=0')).toMatchObject({
      fn: 'alloc_bootmem_core',
      fields: { nid: '0', size: '1000', pages: '1', align: '1000', goal: '1000000', limit: '0' },
    });
  });

  it('reads the 2.6.32 `==> bootmem` table (exclusive)', () => {
    const events = parse(['(8 early reservations) ==> bootmem [0000000000 - 003fff0000]', '#2 [0001000000 - 0001a2ca64]    TEXT DATA BSS ==> [0001000000 - 0001a2ca64]']);
    expect(events).toEqual([{ kind: 'early-res', index: 2, base: 0x1000000n, size: 0xa2ca64n, name: 'TEXT DATA BSS', table: 'bootmem', line: 2, endLine: 2 }]);
  });

  it('reads the 2.6.35 Subtract table and the doubled early_res array', () => {
    const events = parse(['early_res array is doubled to 64 at [16000 - 167ff]', 'Subtract (38 early reservations)', '#10 [0001001000 - 0001401000]         BOOTMEM']);
    expect(events).toEqual([
      { kind: 'early-res', base: 0x16000n, size: 0x800n, name: 'early_res array', table: 'doubled', line: 1, endLine: 1 },
      { kind: 'early-res', index: 10, base: 0x1001000n, size: 0x400000n, name: 'BOOTMEM', table: 'subtract', line: 3, endLine: 3 },
    ]);
  });
});

// -------------------------------------------------------------------------------------------------

describe('needsContinuation', () => {
  it('asks for the rest of lines wrapped by mail clients (real wrap points)', () => {
    expect(needsContinuation('memblock_remove:')).toBe(true);
    expect(needsContinuation('memblock_reserve:')).toBe(true);
    expect(needsContinuation('memblock_reserve: [0x0000000040080000-0x00000000413c3fff]')).toBe(true);
    expect(needsContinuation('memblock_add: [0x0000000000200000-0x000000000231185f]')).toBe(true);
    expect(needsContinuation('memblock_alloc_try_nid: 8257 bytes align=0x40 nid=-1')).toBe(true);
    expect(needsContinuation('memblock_alloc_try_nid: 8257 bytes align=0x40 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000')).toBe(true);
    expect(needsContinuation('Initmem setup node 1 [mem ')).toBe(true);
    expect(needsContinuation('reserved[0x0]   [0x00000040003000-0x0000004000e494],')).toBe(true);
  });

  it('leaves complete lines alone', () => {
    expect(needsContinuation('memblock_reserve: [0x0000000040080000-0x00000000413c3fff] arm64_memblock_init+0x188/0x224')).toBe(false);
    expect(needsContinuation('memblock_alloc_try_nid: 8257 bytes align=0x40 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 early_init_dt_alloc_memory_arch+0x30/0x60')).toBe(false);
    expect(needsContinuation('memblock: reserved is doubled to 256 at [0x000000017fffd000-0x000000017fffe7ff]')).toBe(false);
    expect(needsContinuation('memblock_add_range+0x1bc/0x1c8')).toBe(false); // a stack frame
    expect(needsContinuation('reserved[0x0]\t[0x0000000000000000-0x000000000000ffff], 0x0000000000010000 bytes flags: 0x0')).toBe(false);
    expect(needsContinuation('Initmem setup node 1 [mem 0x0000000000000000-0x000000103fffffff]')).toBe(false);
    expect(needsContinuation('Linux version 6.1.0-56-amd64')).toBe(false);
  });
});

describe('unread', () => {
  function unread(text: string): boolean {
    return new MessageParser({}).push({ line: 1, endLine: 1, text }).unread;
  }

  it('flags memory-looking lines nothing could read', () => {
    expect(unread('memblock_reserve: [garbage')).toBe(true);
    expect(unread('memblock_frobnicate: [0x0-0x1] x+0x1/0x2')).toBe(true);
    expect(unread('NODE_DATA something new')).toBe(true);
    expect(unread('bootmem::')).toBe(true);
  });

  it('does not flag stack frames, prose or known non-allocator [mem] lines', () => {
    expect(unread('memblock_add_range+0x1bc/0x1c8')).toBe(false);
    expect(unread('memblock_reserve() in kaslr and not in')).toBe(false);
    expect(unread('pci_bus 0000:00: root bus resource [mem 0x000a0000-0x000bffff window]')).toBe(false);
    expect(unread('PM: hibernation: Registered nosave memory: [mem 0x00000000-0x00000fff]')).toBe(false);
    expect(unread('[mem 0xc0000000-0xfeffbfff] available for PCI devices')).toBe(false);
    expect(unread('ACPI: SRAT 0x00000000BF777000 0000F0 (v01 BOCHS  BXPC     00000001 BXPC 00000001)')).toBe(false);
    expect(unread('SRAT: PXM 0 -> APIC 0x00 -> Node 0')).toBe(false);
    expect(unread('BIOS-provided physical RAM map:')).toBe(false);
  });

  it('never throws on odd input', () => {
    const parser = new MessageParser({});
    for (const text of ['', ' ', '\t', 'm', 'memblock', 'memblock_reserve: [0x', 'memory[0x', '0:', '#', '(', '**', 'Memory: ', 'efi: mem', 'NUMA: ']) {
      expect(() => parser.push({ line: 1, endLine: 1, text })).not.toThrow();
    }
    expect(() => parser.end()).not.toThrow();
  });
});
