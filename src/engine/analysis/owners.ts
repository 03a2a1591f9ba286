// Who owns a reservation. memblock records no owner, so we infer one: first from the function that
// wanted the memory (the allocation request's caller, else the reserve line's caller, else the
// name old x86 kernels printed), then from what else the log says about the range (RAMDISK,
// crashkernel, CMA, ACPI lines, firmware map, the kernel image's size), which is all we have for
// reservations made before memblock=debug took effect.

import type { Addr, Boot, FirmwareEvent, MemoryEvent, Owner } from '../types';
import { isUsableType, scanEvents, type EventScan } from './events';
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

export function ownerContext(boot: Pick<Boot, 'arch' | 'events'>, reservations: readonly Reservation[] = [], scan: EventScan = scanEvents(boot)): OwnerContext {
  // Sorted by base so bestHint only looks at hints near a reservation (a big log has thousands).
  const hints = [...scan.hints].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
  let printed: Reservation[] | undefined;
  const context: OwnerContext = {
    arch: boot.arch,
    events: boot.events,
    hints,
    kernelImageBytes: scan.kernelImageBytes,
    firmware: scan.firmware,
    // Only the FDT guess (DT architectures, pre-debug reservations) reads it: filter on first use.
    get printed() {
      return (printed ??= reservations.filter((r) => r.origin === 'reserve' || r.origin === 'alloc'));
    },
  };
  verdictCaches.set(context, newVerdictCache(context, scan.namedReserves));
  return context;
}

export { isUsableType };

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
 * What a verdict depends on besides the reservation itself, remembered per context. A big log has
 * hundreds of thousands of reservations but a few hundred callers and a few hundred distinct
 * verdicts: verdicts are shared between reservations (they are never mutated), and the per-caller
 * work (function name, internal or not, which rule) is done once per printed caller string.
 */
interface VerdictCache {
  x86: boolean;
  /** False when no reserve line names its range: reservations need not look at their lines. */
  namedReserves: boolean;
  /** Printed caller (with its offset) -> what its function name decides; null when it names no function. */
  callers: Map<string, CallerInfo | null>;
  /** Function name -> the same, so callers differing only by offset share verdicts. */
  functions: Map<string, CallerInfo>;
  /** Reserve-line names ("TEXT DATA BSS", "RAMDISK"...) -> verdict. */
  names: Map<string, OwnerVerdict>;
  unknown: Partial<Record<Reservation['origin'], OwnerVerdict>>;
  doubling?: OwnerVerdict;
  low1m?: OwnerVerdict;
  imageSize?: OwnerVerdict;
  fdt?: OwnerVerdict;
  /** Hint ends and their running maximum (hints are sorted by base), made on first use. */
  hintEnds?: { ends: Addr[]; maxEnds: Addr[] };
  imageLow?: Addr;
  imageHigh?: Addr;
}

interface CallerInfo {
  name: string;
  internal: boolean;
  rule: CallerRule | undefined;
  /** Verdicts by slot (see callerVerdict), made on first use. */
  verdicts: (OwnerVerdict | undefined)[];
  /** Ambiguous rules: verdict from the range -> the combined verdict, per verb. */
  combined?: [Map<OwnerVerdict, OwnerVerdict>, Map<OwnerVerdict, OwnerVerdict>];
  /** Only memblock internals named: the 'unknown' verdict naming this function. */
  internalVerdict?: OwnerVerdict;
}

type Verb = 'requested by' | 'reserved by';
const enum Slot {
  Other = 0,
  Small = 2,
  Image = 4,
  Rule = 6,
}

const verdictCaches = new WeakMap<OwnerContext, VerdictCache>();

function cacheOf(context: OwnerContext): VerdictCache {
  let cache = verdictCaches.get(context);
  if (!cache) verdictCaches.set(context, (cache = newVerdictCache(context, true)));
  return cache;
}

function newVerdictCache(context: OwnerContext, namedReserves: boolean): VerdictCache {
  const cache: VerdictCache = { x86: isX86(context.arch), namedReserves, callers: new Map(), functions: new Map(), names: new Map(), unknown: {} };
  // ±: the reserve covers _text.._end plus brk/alignment, so allow generous slack above, a little below.
  const image = context.kernelImageBytes;
  if (image) {
    cache.imageLow = (image * 3n) / 4n;
    cache.imageHigh = (image * 5n) / 4n + 8n * MiB;
  }
  return cache;
}

/** What a printed caller names, looked up once per distinct caller string. */
function callerInfo(cache: VerdictCache, caller: string | undefined): CallerInfo | null {
  if (!caller) return null;
  let info = cache.callers.get(caller);
  if (info === undefined) {
    const name = functionName(caller);
    info = name === undefined ? null : functionInfo(cache, name);
    cache.callers.set(caller, info);
  }
  return info;
}

function functionInfo(cache: VerdictCache, name: string): CallerInfo {
  let info = cache.functions.get(name);
  if (!info) cache.functions.set(name, (info = { name, internal: isAllocatorInternal(name), rule: callerRule(name), verdicts: [] }));
  return info;
}

/** The owner of one reservation, with the rule that decided it. */
export function classifyOwner(reservation: Reservation, context: OwnerContext): OwnerVerdict {
  return classify(reservation, context, cacheOf(context));
}

function classify(reservation: Reservation, context: OwnerContext, cache: VerdictCache): OwnerVerdict {
  if (reservation.origin === 'doubling') return (cache.doubling ??= { owner: 'memblock-array', reason: 'memblock_double_array: the grown region array' });
  const byName = cache.namedReserves ? byReserveName(reservation, context, cache) : undefined;
  if (byName) return byName;
  // The function that wanted the memory: the request's caller, else the reserve line's, unless memblock's own.
  const requester = callerInfo(cache, reservation.request?.caller);
  if (requester && !requester.internal) return byCaller(requester, 'requested by', reservation, context, cache);
  const reserver = callerInfo(cache, reservation.caller);
  if (reserver && !reserver.internal) return byCaller(reserver, 'reserved by', reservation, context, cache);
  // No usable caller: the range itself is all we know (pre-debug, checkpoint-adopted, or an allocation whose request line was lost).
  const fromRange = rangeVerdict(reservation, context, cache);
  if (fromRange) return fromRange;
  const internal = reserver ?? requester;
  if (internal) {
    return (internal.internalVerdict ??= {
      owner: 'unknown',
      reason: `an allocation whose request line is not in the log (only memblock internals named: ${internal.name})`,
    });
  }
  return (cache.unknown[reservation.origin] ??= { owner: 'unknown', reason: unknownReason(reservation) });
}

function unknownReason(reservation: Reservation): string {
  if (reservation.origin === 'pre-debug') return 'reserved before memblock=debug took effect; no log line describes this range';
  if (reservation.origin === 'checkpoint') return 'appeared in a later MEMBLOCK dump without a reserve line; no log line describes this range';
  return 'no caller printed and no log line describes this range';
}

function byCaller(caller: CallerInfo, verb: Verb, reservation: Reservation, context: OwnerContext, cache: VerdictCache): OwnerVerdict {
  const rule = caller.rule;
  if (!rule) return callerVerdict(caller, Slot.Other, verb);
  if (rule.ambiguous) {
    const fromRange = rangeVerdict(reservation, context, cache);
    if (fromRange) return combinedVerdict(caller, verb, fromRange);
    // Arch set-up code allocates and reserves odds and ends too; only a big explicit reserve is the image.
    if (reservation.origin === 'alloc') return callerVerdict(caller, Slot.Other, verb);
    if (reservation.size < tooSmallForImage(context)) return callerVerdict(caller, Slot.Small, verb);
    return callerVerdict(caller, Slot.Image, verb);
  }
  return callerVerdict(caller, Slot.Rule, verb);
}

/** The verdict naming a caller, one object per (caller, kind, verb). */
function callerVerdict(caller: CallerInfo, kind: Slot, verb: Verb): OwnerVerdict {
  const slot = kind + (verb === 'requested by' ? 0 : 1);
  return (caller.verdicts[slot] ??= makeCallerVerdict(caller, kind, verb));
}

function makeCallerVerdict(caller: CallerInfo, kind: Slot, verb: Verb): OwnerVerdict {
  const name = caller.name;
  switch (kind) {
    case Slot.Other:
      return { owner: 'other', reason: `${verb} ${name}`, subsystem: name };
    case Slot.Small:
      return { owner: 'other', reason: `${verb} ${name} (too small to be the kernel image)`, subsystem: name };
    case Slot.Image:
      return { owner: caller.rule!.owner, reason: `${verb} ${name} (arch set-up reserving the kernel image)`, subsystem: name };
    default:
      return { owner: caller.rule!.owner, reason: `${verb} ${name}`, subsystem: name };
  }
}

/** An ambiguous caller whose range the log explains: the range's owner, with both reasons. */
function combinedVerdict(caller: CallerInfo, verb: Verb, fromRange: OwnerVerdict): OwnerVerdict {
  caller.combined ??= [new Map(), new Map()];
  const byRange = caller.combined[verb === 'requested by' ? 0 : 1];
  let verdict = byRange.get(fromRange);
  if (!verdict) byRange.set(fromRange, (verdict = { owner: fromRange.owner, reason: `${verb} ${caller.name}; ${fromRange.reason}`, subsystem: caller.name }));
  return verdict;
}

const callerRules = new Map<string, CallerRule | undefined>();

function callerRule(name: string): CallerRule | undefined {
  if (callerRules.has(name)) return callerRules.get(name);
  const rule = CALLER_RULES.find((r) => r.pattern.test(name));
  if (callerRules.size > 20_000) callerRules.clear();
  callerRules.set(name, rule);
  return rule;
}

function byReserveName(reservation: Reservation, context: OwnerContext, cache: VerdictCache): OwnerVerdict | undefined {
  const event = context.events[reservation.eventIndex];
  // early_res table rows name their ranges too (legacy replay).
  if (!event || (event.kind !== 'reserve' && event.kind !== 'early-res') || !event.name) return undefined;
  const name = event.name;
  let verdict = cache.names.get(name);
  if (!verdict) {
    const rule = NAME_RULES.find(([pattern]) => pattern.test(name));
    verdict = { owner: rule ? rule[1] : 'other', reason: `reserved as "${name}"`, subsystem: name };
    cache.names.set(name, verdict);
  }
  return verdict;
}

/**
 * What the rest of the log says about the range: hint lines first (they name the owner), then
 * x86's low megabyte, the kernel image's size, a DT blob guess, and the firmware map.
 */
export function byContext(reservation: Reservation, context: OwnerContext): OwnerVerdict | undefined {
  return rangeVerdict(reservation, context, cacheOf(context));
}

function rangeVerdict(reservation: Reservation, context: OwnerContext, cache: VerdictCache): OwnerVerdict | undefined {
  const end = reservation.base + reservation.size;
  // x86 keeps its whole first megabyte reserved; ACPI RSDP/MP-table hints inside it do not own it.
  if (cache.x86 && end <= LOW_1M) {
    return (cache.low1m ??= { owner: 'bios', reason: 'x86 range below 1 MiB (BIOS data, EBDA, real-mode area)' });
  }
  const hint = bestHint(reservation, end, context.hints, cache);
  if (hint) return hintVerdict(hint);
  if (cache.imageLow !== undefined && reservation.size >= cache.imageLow && reservation.size <= cache.imageHigh!) {
    return (cache.imageSize ??= {
      owner: 'kernel-image',
      reason: `sized like the kernel image (${kib(context.kernelImageBytes!)} code+data+init+bss per the Memory: line)`,
    });
  }
  if (looksLikeFdt(reservation, end, context)) {
    return (cache.fdt ??= { owner: 'device-tree', reason: 'small early reservation away from the allocations: most likely the flattened device tree blob' });
  }
  for (const fw of context.firmware) {
    if (overlapBytes(fw.base, fw.size, reservation.base, reservation.size) === 0n) continue;
    return firmwareVerdict(fw);
  }
  return undefined;
}

/** One verdict per hint (or firmware row): its reason names the hint, not the reservation. */
const hintVerdicts = new WeakMap<object, OwnerVerdict>();

function hintVerdict(hint: OwnerHint): OwnerVerdict {
  let verdict = hintVerdicts.get(hint);
  if (!verdict) hintVerdicts.set(hint, (verdict = { owner: hint.owner, reason: `overlaps ${hint.what} ${memRange(hint.base, hint.size)} (line ${hint.line})` }));
  return verdict;
}

function firmwareVerdict(fw: FirmwareEvent): OwnerVerdict {
  let verdict = hintVerdicts.get(fw);
  if (!verdict) {
    const owner: Owner = /acpi/i.test(fw.type) ? 'acpi' : 'firmware';
    hintVerdicts.set(fw, (verdict = { owner, reason: `inside firmware ${fw.table} "${fw.type}" ${memRange(fw.base, fw.size)} (line ${fw.line})` }));
  }
  return verdict;
}

function bestHint(reservation: Reservation, end: Addr, hints: readonly OwnerHint[], cache: VerdictCache): OwnerHint | undefined {
  if (hints.length === 0) return undefined;
  const { ends, maxEnds } = (cache.hintEnds ??= hintEnds(hints));
  const base = reservation.base;
  // A hint that covers less than half the range (a table inside a big merged region) does not name it.
  const half = (reservation.size + 1n) >> 1n;
  let best: OwnerHint | undefined;
  let bestBytes = 0n;
  for (let i = firstEndingAfter(maxEnds, base); i < hints.length && hints[i].base < end; i++) {
    if (ends[i] <= base) continue; // shares nothing
    const from = hints[i].base > base ? hints[i].base : base;
    const to = ends[i] < end ? ends[i] : end;
    const shared = to > from ? to - from : 0n;
    if (shared < half) continue;
    if (shared > bestBytes) {
      best = hints[i];
      bestBytes = shared;
      // A hint covering the whole range cannot be beaten (ties keep the first).
      if (shared === reservation.size) break;
    }
  }
  return best;
}

/** Each hint's end, and their running maximum: hints before the first maximum above an address all end at or below it. */
function hintEnds(hints: readonly OwnerHint[]): { ends: Addr[]; maxEnds: Addr[] } {
  const ends: Addr[] = [];
  const maxEnds: Addr[] = [];
  let max: Addr | undefined;
  for (const h of hints) {
    const end = h.base + h.size;
    if (max === undefined || end > max) max = end;
    ends.push(end);
    maxEnds.push(max);
  }
  return { ends, maxEnds };
}

/** First index whose value lies above `addr` in a non-decreasing list (binary search). */
function firstEndingAfter(maxEnds: readonly Addr[], addr: Addr): number {
  let lo = 0;
  let hi = maxEnds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (maxEnds[mid] <= addr) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function looksLikeFdt(reservation: Reservation, end: Addr, context: OwnerContext): boolean {
  if (reservation.origin !== 'pre-debug' || !isDtArch(context.arch)) return false;
  if (reservation.size > 2n * MiB) return false;
  // Near: starting less than 1 MiB above it, ending less than 1 MiB below it, or overlapping it.
  const base = reservation.base;
  const aboveLimit = end + MiB;
  const belowLimit = base - MiB;
  const printed = context.printed;
  for (let i = 0; i < printed.length; i++) {
    const r = printed[i];
    if (r.base >= aboveLimit) continue;
    const rEnd = r.base + r.size;
    if (rEnd <= belowLimit) continue;
    if (r.base >= end || rEnd <= base) return false; // within 1 MiB above or below
    if (r.size > 0n && reservation.size > 0n) return false; // overlapping
  }
  return true;
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
  const cache = cacheOf(context);
  const verdicts = new Array<OwnerVerdict>(reservations.length);
  const brk = new BrkCandidates();
  for (let i = 0; i < reservations.length; i++) brk.note(reservations[i], (verdicts[i] = classify(reservations[i], context, cache)));
  brk.attach(verdicts);
  return verdicts;
}

/**
 * x86's reserve_brk (inlined into setup_arch) reserves the brk area right after the image's end:
 * a small arch set-up reserve touching the kernel image belongs to it. The kernel images and the
 * candidates are noted while classifying, so the reservations are walked once.
 */
class BrkCandidates {
  private readonly images: Reservation[] = [];
  private readonly candidates: Reservation[] = [];
  /** Subsystem -> whether it is arch set-up code; verdicts are shared, so names repeat. */
  private readonly setup = new Map<string, boolean>();

  note(r: Reservation, verdict: OwnerVerdict): void {
    if (verdict.owner === 'kernel-image') this.images.push(r);
    else if (r.origin === 'reserve' && verdict.owner === 'other' && verdict.subsystem && this.isSetup(verdict.subsystem)) this.candidates.push(r);
  }

  attach(verdicts: OwnerVerdict[]): void {
    for (const r of this.candidates) {
      const verdict = verdicts[r.id];
      const image = this.images.find((i) => i.base + i.size === r.base || r.base + r.size === i.base);
      if (image) verdicts[r.id] = { owner: 'kernel-image', reason: `${verdict.reason.replace(/ \(too small.*\)$/, '')}, right next to the kernel image (line ${image.line}): the brk area`, subsystem: verdict.subsystem };
    }
  }

  private isSetup(subsystem: string): boolean {
    let setup = this.setup.get(subsystem);
    if (setup === undefined) this.setup.set(subsystem, (setup = SETUP_RULE.pattern.test(subsystem)));
    return setup;
  }
}

const SETUP_RULE = CALLER_RULES.find((rule) => rule.ambiguous)!;
