// Who owns a reservation. memblock records no owner, so we infer one: first from the function that
// wanted the memory (the allocation request's caller, else the reserve line's caller, else the
// name old x86 kernels printed), then from what else the log says about the range (RAMDISK,
// crashkernel, CMA, ACPI lines, firmware map, the kernel image's size), which is all we have for
// reservations made before memblock=debug took effect.

import type { Addr, Boot, FirmwareEvent, MemoryEvent, Owner } from '../types';
import type { Reservation } from '../replay/replay';
import { functionName, memRange, overlapBytes } from './format';

export interface OwnerVerdict {
  owner: Owner;
  /** Which rule fired, in words the UI can show next to the reservation. */
  reason: string;
  /** The requesting function, kept for 'other' (and for every caller-based verdict). */
  subsystem?: string;
}

/** A range the log attributes to an owner (owner-hint lines, NODE_DATA lines, initrd frees). */
export interface OwnerHint {
  owner: Owner;
  base: Addr;
  size: Addr;
  line: number;
  /** What the log called it, for the reason text. */
  what: string;
}

export interface OwnerContext {
  arch?: string;
  events: readonly MemoryEvent[];
  hints: OwnerHint[];
  /** Kernel image size from the `Memory:` line (code+rwdata+rodata+init+bss). */
  kernelImageBytes?: Addr;
  /** Non-usable firmware ranges (e820 reserved / ACPI / EFI runtime...). */
  firmware: FirmwareEvent[];
  /** Printed (reserve-line) reservations, to tell isolated early reservations from allocation clusters. */
  printed: readonly Reservation[];
}

const MiB = 1024n * 1024n;
const LOW_1M = MiB;

// ---------------------------------------------------------------------------------------------
// Context

export function ownerContext(boot: Pick<Boot, 'arch' | 'events'>, reservations: readonly Reservation[] = []): OwnerContext {
  const hints: OwnerHint[] = [];
  let kernelImageBytes: Addr | undefined;
  const firmware: FirmwareEvent[] = [];
  for (const event of boot.events) {
    switch (event.kind) {
      case 'owner-hint':
        if (!event.inverted && event.size > 0n) {
          hints.push({ owner: event.owner, base: event.base, size: event.size, line: event.line, what: event.label ?? event.owner });
        }
        break;
      case 'node-data':
        if (!event.inverted) hints.push({ owner: 'node-data', base: event.base, size: event.size, line: event.line, what: `NODE_DATA(${event.nid})` });
        break;
      case 'free':
      case 'free-late':
        // arm64 and others print no RAMDISK line, but free_initrd_mem frees exactly the initrd.
        if (functionName(event.caller) === 'free_initrd_mem' && event.size > 0n) {
          hints.push({ owner: 'initrd', base: event.base, size: event.size, line: event.line, what: 'free_initrd_mem' });
        }
        break;
      case 'accounting':
        kernelImageBytes ??= kernelBytesOf(event);
        break;
      case 'firmware':
        if (!event.edit && !event.inverted && !isUsableType(event.type)) firmware.push(event);
        break;
      default:
        break;
    }
  }
  const printed = reservations.filter((r) => r.origin === 'reserve' || r.origin === 'alloc');
  // Sorted by base so bestHint only looks at hints near a reservation (a big log has thousands).
  hints.sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
  return { arch: boot.arch, events: boot.events, hints, kernelImageBytes, firmware, printed };
}

function kernelBytesOf(event: Extract<MemoryEvent, { kind: 'accounting' }>): Addr | undefined {
  const parts = [event.kernelCodeKiB, event.rwdataKiB, event.rodataKiB, event.initKiB, event.bssKiB];
  if (event.kernelCodeKiB === undefined) return undefined;
  const kib = parts.reduce<number>((total, part) => total + (part ?? 0), 0);
  return BigInt(Math.round(kib)) * 1024n;
}

/** Firmware types the kernel turns into RAM (e820 usable, EFI conventional / boot-time types). */
export function isUsableType(type: string): boolean {
  return /usable|conventional|loader ?(code|data)|boot ?(services ?)?(code|data)|system ram|^ram$/i.test(type);
}

// ---------------------------------------------------------------------------------------------
// Caller rules: function-name patterns, most specific first

interface CallerRule {
  pattern: RegExp;
  owner: Owner;
  /** Arch set-up functions reserve many things; look at the range before believing the default. */
  ambiguous?: boolean;
}

const CALLER_RULES: CallerRule[] = [
  { pattern: /^memblock_double_array$/, owner: 'memblock-array' },
  { pattern: /kasan/, owner: 'kasan' },
  { pattern: /^(setup_log_buf|log_buf_)/, owner: 'log-buffer' },
  { pattern: /crashkernel|^crash_reserve|^reserve_crash|^kexec_reserve|elfcorehdr/, owner: 'crashkernel' },
  { pattern: /^(cma_|dma_contiguous_|rmem_cma_|hugetlb_cma_)/, owner: 'cma' },
  { pattern: /^(early_init_dt_reserve_memory|fdt_init_reserved_mem|__reserved_mem_|fdt_reserved_mem|__fdt_scan_reserved_mem|early_init_fdt_scan_reserved_mem|fdt_scan_reserved_mem|of_reserved_mem|early_init_dt_alloc_reserved_memory|reserved_mem_)/, owner: 'dt-reserved' },
  { pattern: /^(early_init_fdt_reserve_self|early_init_dt_alloc_memory_arch|__?unflatten_device_tree|unflatten_dt|early_init_dt_|setup_machine_fdt|fdt_|early_fdt|of_fdt)/, owner: 'device-tree' },
  { pattern: /^(reserve_initrd|early_reserve_initrd|relocate_initrd|free_initrd_mem|initrd_|reserve_initrd_mem|setup_initrd)/, owner: 'initrd' },
  { pattern: /^(acpi_reserve_initial_tables|acpi_table_upgrade|acpi_tb_|early_acpi_|acpi_initrd_|acpi_reserve_|acpi_table_init|acpi_boot_table_init)/, owner: 'acpi' },
  { pattern: /setup_data/, owner: 'setup-data' },
  { pattern: /^(__?efi_|efi_|memblock_x86_reserve_range_efi|reserve_efi|arm_efi|efi$)/, owner: 'efi' },
  { pattern: /swiotlb/, owner: 'swiotlb' },
  { pattern: /^(reserve_real_mode|setup_real_mode|init_real_mode|set_real_mode)|trampoline/, owner: 'real-mode' },
  { pattern: /^(reserve_bios_regions|reserve_ebda_region|smp_scan_config|mpf_|smp_reserve_memory|reserve_ibft_region|find_smp_config|trim_bios_range|trim_snb_memory|reserve_low_mem|x86_reserve_low)/, owner: 'bios' },
  {
    pattern:
      /^(alloc_low_pages?|early_pgtable_alloc|pgtable_|init_mem_mapping|spp_getpage|early_alloc_pgt|alloc_pgt_page|pte_alloc_one_kernel|early_pte_alloc|early_pmd_alloc|one_md_table_init|one_page_table_init|kernel_physical_mapping_init|phys_[pum4]+d_init|populate_extra_p[mt]e|early_ioremap_page_table|__create_pgd_mapping|alloc_init_p[mu4g]d|arm_pte_alloc|early_alloc|pgd_alloc|map_kernel|paging_init|create_pgd_mapping|alloc_pte|alloc_pmd|alloc_pud|hash_init|htab_|radix__)|pgtable|pgtbl/,
    owner: 'page-tables',
  },
  { pattern: /^(sparse_|vmemmap_|memmap_alloc|alloc_node_mem_map|__earlyonly_bootmem_alloc|__populate_section_memmap|populate_section_memmap|alloc_usemap|mem_section|memblocks_present|memory_present|alloc_mem_section)/, owner: 'memmap' },
  { pattern: /^(pcpu_|setup_per_cpu_areas|percpu_|__pcpu_|alloc_percpu)/, owner: 'percpu' },
  { pattern: /^(alloc_node_data|__alloc_node_data|setup_node_data|numa_init|numa_alloc_distance|numa_register_memblks|arch_numa_init|setup_node_to_cpumask|init_node_data|allocate_pgdat|alloc_pgdat)/, owner: 'node-data' },
  { pattern: /hugetlb|huge_boot|alloc_bootmem_huge_page|gigantic/, owner: 'hugetlb' },
  {
    pattern: /^(setup_arch|arm64_memblock_init|arm_memblock_init|early_reserve_mem|early_reserve_memory|reserve_kernel|reserve_brk|kaslr_|start_kernel_image|setup_bootmem|riscv_memblock|early_setup|mips_reserve|bootmem_init|setup_memory|memblock_x86_reserve_range$)/,
    owner: 'kernel-image',
    ambiguous: true,
  },
];

/** memblock's own allocation path: the reserve line of every allocation names one of these. */
export function isAllocatorInternal(name: string): boolean {
  let known = allocatorInternal.get(name);
  if (known === undefined) {
    known = testAllocatorInternal(name);
    if (allocatorInternal.size > 20_000) allocatorInternal.clear();
    allocatorInternal.set(name, known);
  }
  return known;
}

const allocatorInternal = new Map<string, boolean>();

function testAllocatorInternal(name: string): boolean {
  if (name === 'memblock_double_array' || /huge|setup_data/.test(name)) return false;
  return (
    /^_*memblock_/.test(name) ||
    /^_*alloc_bootmem(_core|_bdata|_node(_high|_nopanic)?|_nopanic|_low(_node)?|_pages(_node)?|_align)?$/.test(name) ||
    /^(__alloc_memory_core_early|memblock_reserve|memblock_find_in_range(_node)?)$/.test(name)
  );
}

/** Names old x86 kernels printed with memblock_x86_reserve_range / early_res ("TEXT DATA BSS", "RAMDISK"...). */
const NAME_RULES: [RegExp, Owner][] = [
  [/^BIOS data page$/i, 'bios'],
  [/TEXT|DATA|BSS|BRK|KERNEL/i, 'kernel-image'],
  [/RAMDISK|INITRD/i, 'initrd'],
  [/ACPI WAKEUP|TRAMPOLINE|REAL ?MODE/i, 'real-mode'],
  [/ACPI/i, 'acpi'],
  [/EBDA|BIOS|MP-table|SMP|mpc|I\/O APIC|ISA/i, 'bios'],
  [/PGTABLE|PAGETABLE|PGT/i, 'page-tables'],
  [/NODE_DATA|NODEMAP|MEMNODEMAP/i, 'node-data'],
  [/setup_data|SETUP DATA/i, 'setup-data'],
  [/CRASH/i, 'crashkernel'],
  [/EFI/i, 'efi'],
  [/MEMBLOCK|early_res/i, 'memblock-array'],
  [/swiotlb/i, 'swiotlb'],
];

// ---------------------------------------------------------------------------------------------
// Classification

/**
 * Verdicts that depend only on their inputs (a rule and a function name, a hint line, a constant
 * reason) are shared between reservations: a big log has hundreds of thousands of reservations
 * but a few hundred distinct verdicts. Verdict objects are never mutated.
 */
const verdictCaches = new WeakMap<object, Map<string, OwnerVerdict>>();

function sharedVerdict(context: OwnerContext, key: string, make: () => OwnerVerdict): OwnerVerdict {
  let cache = verdictCaches.get(context);
  if (!cache) verdictCaches.set(context, (cache = new Map()));
  let verdict = cache.get(key);
  if (!verdict) cache.set(key, (verdict = make()));
  return verdict;
}

/** The owner of one reservation, with the rule that decided it. */
export function classifyOwner(reservation: Reservation, context: OwnerContext): OwnerVerdict {
  if (reservation.origin === 'doubling') return sharedVerdict(context, 'doubling', () => ({ owner: 'memblock-array', reason: 'memblock_double_array: the grown region array' }));
  const requester = functionName(reservation.request?.caller);
  const reserver = functionName(reservation.caller);
  const byName = byReserveName(reservation, context);
  if (byName) return byName;
  for (const name of [requester, reserver]) {
    if (!name || isAllocatorInternal(name)) continue;
    return byCaller(name, reservation, context, name === requester ? 'requested by' : 'reserved by');
  }
  // No usable caller: the range itself is all we know (pre-debug, checkpoint-adopted, or an allocation whose request line was lost).
  const fromRange = byContext(reservation, context);
  if (fromRange) return fromRange;
  if (reserver || requester) {
    const internal = (reserver ?? requester)!;
    return sharedVerdict(context, `internal\u0000${internal}`, () => ({
      owner: 'unknown',
      reason: `an allocation whose request line is not in the log (only memblock internals named: ${internal})`,
    }));
  }
  return sharedVerdict(context, `unknown\u0000${reservation.origin}`, () => ({ owner: 'unknown', reason: unknownReason(reservation) }));
}

function unknownReason(reservation: Reservation): string {
  if (reservation.origin === 'pre-debug') return 'reserved before memblock=debug took effect; no log line describes this range';
  if (reservation.origin === 'checkpoint') return 'appeared in a later MEMBLOCK dump without a reserve line; no log line describes this range';
  return 'no caller printed and no log line describes this range';
}

function byCaller(name: string, reservation: Reservation, context: OwnerContext, verb: string): OwnerVerdict {
  const rule = callerRule(name);
  if (!rule) return sharedVerdict(context, `other\u0000${verb}\u0000${name}`, () => ({ owner: 'other', reason: `${verb} ${name}`, subsystem: name }));
  if (rule.ambiguous) {
    const fromRange = byContext(reservation, context);
    if (fromRange) return { ...fromRange, reason: `${verb} ${name}; ${fromRange.reason}`, subsystem: name };
    // Arch set-up code allocates and reserves odds and ends too; only a big explicit reserve is the image.
    if (reservation.origin === 'alloc') return sharedVerdict(context, `other\u0000${verb}\u0000${name}`, () => ({ owner: 'other', reason: `${verb} ${name}`, subsystem: name }));
    if (reservation.size < tooSmallForImage(context)) {
      return sharedVerdict(context, `small\u0000${verb}\u0000${name}`, () => ({ owner: 'other', reason: `${verb} ${name} (too small to be the kernel image)`, subsystem: name }));
    }
    return sharedVerdict(context, `image\u0000${verb}\u0000${name}`, () => ({ owner: rule.owner, reason: `${verb} ${name} (arch set-up reserving the kernel image)`, subsystem: name }));
  }
  return sharedVerdict(context, `rule\u0000${verb}\u0000${name}`, () => ({ owner: rule.owner, reason: `${verb} ${name}`, subsystem: name }));
}

const callerRules = new Map<string, CallerRule | undefined>();

function callerRule(name: string): CallerRule | undefined {
  if (callerRules.has(name)) return callerRules.get(name);
  const rule = CALLER_RULES.find((r) => r.pattern.test(name));
  if (callerRules.size > 20_000) callerRules.clear();
  callerRules.set(name, rule);
  return rule;
}

function byReserveName(reservation: Reservation, context: OwnerContext): OwnerVerdict | undefined {
  const event = context.events[reservation.eventIndex];
  // early_res table rows name their ranges too (legacy replay).
  if (!event || (event.kind !== 'reserve' && event.kind !== 'early-res') || !event.name) return undefined;
  const rule = NAME_RULES.find(([pattern]) => pattern.test(event.name!));
  if (!rule) return { owner: 'other', reason: `reserved as "${event.name}"`, subsystem: event.name };
  return { owner: rule[1], reason: `reserved as "${event.name}"`, subsystem: event.name };
}

/**
 * What the rest of the log says about the range: hint lines first (they name the owner), then
 * x86's low megabyte, the kernel image's size, a DT blob guess, and the firmware map.
 */
export function byContext(reservation: Reservation, context: OwnerContext): OwnerVerdict | undefined {
  // x86 keeps its whole first megabyte reserved; ACPI RSDP/MP-table hints inside it do not own it.
  if (isX86(context.arch) && reservation.base + reservation.size <= LOW_1M) {
    return sharedVerdict(context, 'low1m', () => ({ owner: 'bios', reason: 'x86 range below 1 MiB (BIOS data, EBDA, real-mode area)' }));
  }
  const hint = bestHint(reservation, context.hints);
  if (hint) return sharedHintVerdict(hint, () => ({ owner: hint.owner, reason: `overlaps ${hint.what} ${memRange(hint.base, hint.size)} (line ${hint.line})` }));
  if (looksLikeKernelImage(reservation, context)) {
    return sharedVerdict(context, 'image-size', () => ({
      owner: 'kernel-image',
      reason: `sized like the kernel image (${kib(context.kernelImageBytes!)} code+data+init+bss per the Memory: line)`,
    }));
  }
  if (looksLikeFdt(reservation, context)) {
    return sharedVerdict(context, 'fdt', () => ({ owner: 'device-tree', reason: 'small early reservation away from the allocations: most likely the flattened device tree blob' }));
  }
  const fw = context.firmware.find((f) => overlapBytes(f.base, f.size, reservation.base, reservation.size) > 0n);
  if (fw) {
    return sharedHintVerdict(fw, () => {
      const owner: Owner = /acpi/i.test(fw.type) ? 'acpi' : 'firmware';
      return { owner, reason: `inside firmware ${fw.table} "${fw.type}" ${memRange(fw.base, fw.size)} (line ${fw.line})` };
    });
  }
  return undefined;
}

/** One verdict per hint (or firmware row): its reason names the hint, not the reservation. */
const hintVerdicts = new WeakMap<object, OwnerVerdict>();

function sharedHintVerdict(hint: object, make: () => OwnerVerdict): OwnerVerdict {
  let verdict = hintVerdicts.get(hint);
  if (!verdict) hintVerdicts.set(hint, (verdict = make()));
  return verdict;
}

function bestHint(reservation: Reservation, hints: readonly OwnerHint[]): OwnerHint | undefined {
  let best: OwnerHint | undefined;
  let bestBytes = 0n;
  const end = reservation.base + reservation.size;
  for (let i = firstHintEndingAfter(hints, reservation.base); i < hints.length && hints[i].base < end; i++) {
    const hint = hints[i];
    const shared = overlapBytes(hint.base, hint.size, reservation.base, reservation.size);
    // A hint that covers little of the range (a table inside a big merged region) does not name it.
    if (shared * 2n < reservation.size) continue;
    if (shared > bestBytes) {
      best = hint;
      bestBytes = shared;
    }
  }
  return best;
}

/** Running maximum of hint ends (hints sorted by base): hints before the first one above an address all end at or below it. */
const hintEndsCache = new WeakMap<readonly OwnerHint[], Addr[]>();

/**
 * First index from which a hint can end after `base`: every hint before it ends at or below
 * `base`, so it shares no byte with a range starting there (bestHint would skip it anyway).
 */
function firstHintEndingAfter(hints: readonly OwnerHint[], base: Addr): number {
  let ends = hintEndsCache.get(hints);
  if (ends === undefined) {
    ends = [];
    let max: Addr | undefined;
    for (const h of hints) {
      const end = h.base + h.size;
      if (max === undefined || end > max) max = end;
      ends.push(max);
    }
    hintEndsCache.set(hints, ends);
  }
  let lo = 0;
  let hi = ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[mid] <= base) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** ±: the reserve covers _text.._end plus brk/alignment, so allow generous slack above, a little below. */
function looksLikeKernelImage(reservation: Reservation, context: OwnerContext): boolean {
  const image = context.kernelImageBytes;
  if (!image || image === 0n) return false;
  const low = (image * 3n) / 4n;
  const high = (image * 5n) / 4n + 8n * MiB;
  return reservation.size >= low && reservation.size <= high;
}

/**
 * DT architectures reserve the FDT blob (≤ 2 MiB) before memblock=debug is parsed. Early
 * allocations cluster top-down next to each other; the blob sits alone near the kernel/initrd.
 */
function looksLikeFdt(reservation: Reservation, context: OwnerContext): boolean {
  if (reservation.origin !== 'pre-debug' || !isDtArch(context.arch)) return false;
  if (reservation.size > 2n * MiB) return false;
  const near = (r: Reservation) => {
    const gapAbove = r.base - (reservation.base + reservation.size);
    const gapBelow = reservation.base - (r.base + r.size);
    return (gapAbove >= 0n && gapAbove < MiB) || (gapBelow >= 0n && gapBelow < MiB) || overlapBytes(r.base, r.size, reservation.base, reservation.size) > 0n;
  };
  return !context.printed.some(near);
}

/** Kernel images are megabytes; a reserve far below the printed image size is something else. */
function tooSmallForImage(context: OwnerContext): Addr {
  return context.kernelImageBytes ? context.kernelImageBytes / 8n : 512n * 1024n;
}

function kib(bytes: Addr): string {
  return `${bytes / 1024n}K`;
}

export function isX86(arch: string | undefined): boolean {
  return arch === 'x86_64' || arch === 'i386' || arch === 'x86' || arch === 'i686';
}

function isDtArch(arch: string | undefined): boolean {
  return !!arch && /^(arm|arm64|aarch64|riscv|riscv64|riscv32|mips|mips64|powerpc|ppc|xtensa|microblaze|openrisc|arc|csky|loongarch)/.test(arch);
}

/** Classifies every reservation of a replay, indexed by reservation id. */
export function classifyAll(reservations: readonly Reservation[], context: OwnerContext): OwnerVerdict[] {
  const verdicts = reservations.map((r) => classifyOwner(r, context));
  attachBrk(reservations, verdicts);
  return verdicts;
}

/**
 * x86's reserve_brk (inlined into setup_arch) reserves the brk area right after the image's end:
 * a small arch set-up reserve touching the kernel image belongs to it.
 */
function attachBrk(reservations: readonly Reservation[], verdicts: OwnerVerdict[]): void {
  const images = reservations.filter((r) => verdicts[r.id]?.owner === 'kernel-image');
  const setupRule = CALLER_RULES.find((rule) => rule.ambiguous)!;
  for (const r of reservations) {
    const verdict = verdicts[r.id];
    if (r.origin !== 'reserve' || verdict.owner !== 'other' || !verdict.subsystem || !setupRule.pattern.test(verdict.subsystem)) continue;
    const image = images.find((i) => i.base + i.size === r.base || r.base + r.size === i.base);
    if (image) verdicts[r.id] = { owner: 'kernel-image', reason: `${verdict.reason.replace(/ \(too small.*\)$/, '')}, right next to the kernel image (line ${image.line}): the brk area`, subsystem: verdict.subsystem };
  }
}
