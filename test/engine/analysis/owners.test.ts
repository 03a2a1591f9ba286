import { describe, expect, it } from 'vitest';
import { classifyAll, classifyOwner, ownerContext, type OwnerContext } from '../../../src/engine/analysis/owners';
import { functionName } from '../../../src/engine/analysis/format';
import type { Owner } from '../../../src/engine/types';
import { KiB, MiB, accounting, bootOf, hint, reservation } from './build';

const emptyContext = (arch = 'x86_64'): OwnerContext => ownerContext(bootOf([], { arch }));

describe('functionName', () => {
  it.each([
    ['setup_log_buf+0x112/0x337', 'setup_log_buf'],
    ['[<ffffffff81d3f7b5>] reserve_initrd+0x55/0x1a0', 'reserve_initrd'],
    ['vmemmap_alloc_block_zero.constprop.0+0xc/0x28', 'vmemmap_alloc_block_zero'],
    ['foo.isra.0.cold+0x1/0x2', 'foo'],
  ])('%s -> %s', (caller, name) => expect(functionName(caller)).toBe(name));

  it('names nothing for a bare address', () => {
    expect(functionName('0xc0812345')).toBeUndefined();
    expect(functionName(undefined)).toBeUndefined();
  });
});

describe('classifyOwner by caller', () => {
  const cases: [string, Owner][] = [
    ['reserve_crashkernel+0x1/0x2', 'crashkernel'],
    ['cma_declare_contiguous_nid+0x1/0x2', 'cma'],
    ['dma_contiguous_reserve+0x1/0x2', 'cma'],
    ['early_init_dt_reserve_memory+0x1/0x2', 'dt-reserved'],
    ['fdt_init_reserved_mem+0x1/0x2', 'dt-reserved'],
    ['early_init_fdt_reserve_self+0x1/0x2', 'device-tree'],
    ['acpi_reserve_initial_tables+0x51/0x61', 'acpi'],
    ['acpi_table_upgrade+0x1/0x2', 'acpi'],
    ['efi_reserve_boot_services+0x7d/0xcf', 'efi'],
    ['efi_memblock_x86_reserve_range+0x1fc/0x22a', 'efi'],
    ['e820__reserve_setup_data+0x1/0x2', 'setup-data'],
    ['swiotlb_init_remap+0x1/0x2', 'swiotlb'],
    ['alloc_low_pages+0x1/0x2', 'page-tables'],
    ['early_pgtable_alloc+0x2c/0xb0', 'page-tables'],
    ['spp_getpage+0x4e/0x97', 'page-tables'],
    ['kasan_init+0x1/0x2', 'kasan'],
    ['sparse_init_nid+0x8d/0x34d', 'memmap'],
    ['memmap_alloc+0x28/0x3c', 'memmap'],
    ['pcpu_fc_alloc+0xf2/0x148', 'percpu'],
    ['alloc_node_data+0x1/0x2', 'node-data'],
    ['setup_log_buf+0x112/0x337', 'log-buffer'],
    ['memblock_double_array+0x1/0x2', 'memblock-array'],
    ['reserve_real_mode+0x50/0x89', 'real-mode'],
    ['reserve_bios_regions+0x1/0x2', 'bios'],
    ['smp_scan_config+0xa7/0xff', 'bios'],
    ['alloc_bootmem_huge_page+0x1/0x2', 'hugetlb'],
    ['reserve_initrd+0x1/0x2', 'initrd'],
  ];
  it.each(cases)('%s -> %s', (caller, owner) => {
    expect(classifyOwner(reservation(0x1000_0000n, MiB, { caller }), emptyContext()).owner).toBe(owner);
  });

  it('prefers the requester (the alloc line) over memblock internals on the reserve line', () => {
    const r = reservation(0x7f00_0000n, 8n * MiB, {
      origin: 'alloc',
      caller: 'memblock_alloc_range_nid+0xb0/0x13d',
      request: { eventIndex: 0, line: 1, api: 'memblock_alloc_try_nid', caller: 'setup_log_buf+0x112/0x337', nid: -1 },
    });
    const verdict = classifyOwner(r, emptyContext());
    expect(verdict.owner).toBe('log-buffer');
    expect(verdict.reason).toContain('requested by setup_log_buf');
  });

  it('keeps an unknown caller as "other" with its name as the subsystem', () => {
    const verdict = classifyOwner(reservation(0x1000_0000n, MiB, { caller: 'alloc_large_system_hash+0x198/0x304' }), emptyContext());
    expect(verdict).toMatchObject({ owner: 'other', subsystem: 'alloc_large_system_hash' });
  });

  it('does not mistake a requester whose name starts like a bootmem internal for one', () => {
    const r = reservation(0x7dab_0000n, 8n, { origin: 'alloc', caller: 'memblock_alloc_range_nid+0xb0/0x13d', request: { eventIndex: 0, line: 1, api: 'memblock_alloc_try_nid', caller: 'alloc_bootmem_cpumask_var+0x28/0x5b', nid: -1 } });
    expect(classifyOwner(r, emptyContext())).toMatchObject({ owner: 'other', subsystem: 'alloc_bootmem_cpumask_var' });
  });

  it('says unknown when only memblock internals are named (the request line was lost)', () => {
    const verdict = classifyOwner(reservation(0x7ffc_f000n, 4n * KiB, { origin: 'alloc', caller: 'memblock_alloc_range_nid+0xe8/0x17c' }), emptyContext('arm64'));
    expect(verdict.owner).toBe('unknown');
    expect(verdict.reason).toContain('request line');
  });

  it('reads the name old x86 kernels gave reservations', () => {
    const boot = bootOf([{ kind: 'reserve', api: 'memblock_x86_reserve_range', base: 0x3700_0000n, size: 4n * MiB, name: 'RAMDISK' }]);
    const verdict = classifyOwner(reservation(0x3700_0000n, 4n * MiB, { eventIndex: 0 }), ownerContext(boot));
    expect(verdict.owner).toBe('initrd');
  });

  it('does not call a small setup_arch reserve the kernel image, unless it touches the image (brk)', () => {
    const context = ownerContext(bootOf([accounting(1 << 20, 100_000, { kernelCodeKiB: 14_000, rwdataKiB: 2_000, rodataKiB: 9_000, initKiB: 3_000, bssKiB: 17_000 })]));
    const image = reservation(0x3880_0000n, 0x340_0000n, { id: 0, origin: 'pre-debug' });
    const brk = reservation(0x3bc0_0000n, 0x11000n, { id: 1, caller: 'setup_arch+0x797/0xd4f' });
    const lonely = reservation(0x2000_0000n, 0x11000n, { id: 2, caller: 'setup_arch+0x797/0xd4f' });
    const verdicts = classifyAll([image, brk, lonely], context);
    expect(verdicts.map((v) => v.owner)).toEqual(['kernel-image', 'kernel-image', 'other']);
    expect(verdicts[1].reason).toContain('brk');
  });

  it('treats an allocation requested by setup_arch as other, not the kernel image', () => {
    const r = reservation(0x7f00_0000n, 64n, { origin: 'alloc', request: { eventIndex: 0, line: 1, api: 'memblock_alloc_try_nid', caller: 'setup_arch+0x31c/0x5e4', nid: -1 } });
    expect(classifyOwner(r, emptyContext('arm64')).owner).toBe('other');
  });
});

describe('classifyOwner for pre-debug reservations (context only)', () => {
  const preDebug = (base: bigint, size: bigint) => reservation(base, size, { origin: 'pre-debug' });

  it('uses owner hints that cover the range (RAMDISK)', () => {
    const context = ownerContext(bootOf([hint('initrd', 0x3fee_4000n, 0xfc000n, 'RAMDISK')]));
    const verdict = classifyOwner(preDebug(0x3fee_4000n, 0xfc000n), context);
    expect(verdict.owner).toBe('initrd');
    expect(verdict.reason).toContain('RAMDISK');
  });

  it('ignores a hint that only grazes a big merged range', () => {
    const context = ownerContext(bootOf([hint('acpi', 0x3000_0000n, 0x100n, 'FACP')]));
    expect(classifyOwner(preDebug(0x3000_0000n, 64n * MiB), context).owner).toBe('unknown');
  });

  it('calls x86 ranges below 1 MiB bios, even with an ACPI RSDP hint inside', () => {
    const context = ownerContext(bootOf([hint('acpi', 0xf5970n, 0x14n, 'RSDP')]));
    expect(classifyOwner(preDebug(0x9f000n, 0x61000n), context).owner).toBe('bios');
  });

  it('recognises the kernel image by its size from the Memory: line', () => {
    const context = ownerContext(bootOf([accounting(1 << 20, 100_000, { kernelCodeKiB: 13248, rwdataKiB: 2806, rodataKiB: 9524, initKiB: 6464, bssKiB: 627 })], { arch: 'arm64' }));
    const verdict = classifyOwner(preDebug(0x4021_0000n, 0x1ffb000n), context);
    expect(verdict.owner).toBe('kernel-image');
    expect(verdict.reason).toContain('32669K');
  });

  it('guesses the FDT on a DT architecture for a small isolated early reservation', () => {
    const context = ownerContext(bootOf([], { arch: 'arm64' }), [reservation(0x7fdc_f000n, 0x1000n, { origin: 'alloc' })]);
    expect(classifyOwner(preDebug(0x4820_0000n, MiB), context).owner).toBe('device-tree');
    // Next to the top-down allocations it is just an early allocation we cannot name.
    expect(classifyOwner(preDebug(0x7fdc_d000n, 0x2000n), context).owner).toBe('unknown');
  });

  it('learns the initrd range from free_initrd_mem when no RAMDISK line exists', () => {
    const boot = bootOf([{ kind: 'free', api: 'memblock_phys_free', base: 0x4800_0000n, size: 0xf2000n, caller: 'free_initrd_mem+0x34/0x5c' }], { arch: 'arm64' });
    expect(classifyOwner(preDebug(0x4800_0000n, 0xf2000n), ownerContext(boot)).owner).toBe('initrd');
  });

  it('falls back to the firmware map', () => {
    const boot = bootOf([{ kind: 'firmware', source: 'e820', table: 'BIOS-e820', base: 0xbff0_0000n, size: MiB, type: 'ACPI data' }]);
    expect(classifyOwner(preDebug(0xbff0_0000n, 0x1000n), ownerContext(boot)).owner).toBe('acpi');
  });

  it('says unknown, with a reason, when nothing describes the range', () => {
    const verdict = classifyOwner(preDebug(0x2000_0000n, 3n * MiB), emptyContext());
    expect(verdict.owner).toBe('unknown');
    expect(verdict.reason).toContain('memblock=debug');
  });
});
