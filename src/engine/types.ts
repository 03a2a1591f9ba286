// The engine's vocabulary. Every layer (parse -> events -> models -> timeline -> analysis) speaks it,
// and nothing here imports `vscode`, so the CLI, the tests, the extension host and a web worker share it.
//
// Addresses and sizes are bigint: real logs carry 64-bit values (virtual addresses, garbage ranges
// from corrupted firmware tables) that a double would round.

export type Addr = bigint;

/** memblock's node id for "no node yet" (memblock_add gives regions this). */
export const MAX_NUMNODES = 1024;
/** "any node" in requests and in __memblock_reserve lines. */
export const NUMA_NO_NODE = -1;

export const PHYS_ADDR_MAX: Addr = 0xffff_ffff_ffff_ffffn;
export const MEMBLOCK_ALLOC_ANYWHERE: Addr = PHYS_ADDR_MAX;
export const MEMBLOCK_ALLOC_ACCESSIBLE: Addr = 0n;
export const MEMBLOCK_ALLOC_NOLEAKTRACE: Addr = 1n;

/** Region flags, as memblock.h numbers them. */
export const Flag = {
  NONE: 0,
  HOTPLUG: 0x1,
  MIRROR: 0x2,
  NOMAP: 0x4,
  DRIVER_MANAGED: 0x8,
  RSRV_NOINIT: 0x10,
  RSRV_KERN: 0x20,
  KHO_SCRATCH: 0x40,
} as const;

/** One entry of memblock.memory or memblock.reserved: the half-open range [base, base+size). */
export interface Region {
  base: Addr;
  size: Addr;
  /** MAX_NUMNODES when the region has no node, NUMA_NO_NODE for "any node" reservations. */
  nid: number;
  flags: number;
}

/** A physical range with no allocator attributes, half-open [base, base+size). */
export interface Range {
  base: Addr;
  size: Addr;
}

// ---------------------------------------------------------------------------------------------
// Lines

/** One kernel message after its envelope (timestamps, syslog prefixes, quoting...) was stripped. */
export interface LogRecord {
  /** 1-based line number of the first physical line, as the editor numbers them. */
  line: number;
  /** Last physical line (greater than `line` when wrapped lines were re-joined). */
  endLine: number;
  /** The message text, envelope removed, continuation lines joined with one space. */
  text: string;
  /** Kernel timestamp in seconds, when the line had one. */
  time?: number;
}

// ---------------------------------------------------------------------------------------------
// Events: what a memory message says, in allocator terms. Every event carries its line span.

interface At {
  line: number;
  endLine: number;
}

/**
 * Set on range events whose printed end lies below the start (garbage firmware data, a size that
 * wrapped past 2^64): such events carry size 0n, `inverted: true` and the printed end in `rawEnd`,
 * so the analysis can flag them instead of the parser rejecting the line.
 */
export interface RangeAnomaly {
  inverted?: boolean;
  /** The end exactly as printed (inclusive or exclusive per the format), only when `inverted`. */
  rawEnd?: Addr;
}

/** memblock_add / memblock_add_node / memblock_physmem_add: RAM becomes known. */
export interface AddEvent extends At, RangeAnomaly {
  kind: 'add';
  api: 'memblock_add' | 'memblock_add_node' | 'memblock_physmem_add';
  base: Addr;
  size: Addr;
  /** Only memblock_add_node prints one. */
  nid?: number;
  flags?: number;
  caller?: string;
}

/** memblock_remove: RAM taken away (mem=, DT cleanup, kdump). */
export interface RemoveEvent extends At, RangeAnomaly {
  kind: 'remove';
  base: Addr;
  size: Addr;
  caller?: string;
}

export type ReserveApi = 'memblock_reserve' | '__memblock_reserve' | 'memblock_x86_reserve_range';

/** A range added to memblock.reserved: an explicit reservation or the result of an allocation. */
export interface ReserveEvent extends At, RangeAnomaly {
  kind: 'reserve';
  api: ReserveApi;
  base: Addr;
  size: Addr;
  /** Printed by __memblock_reserve (6.16+) only. */
  nid?: number;
  /** Printed by 3.14–4.9 (`flags 0x0`) and 6.16+ (`flags=20`). */
  flags?: number;
  caller?: string;
  /** memblock_x86_reserve_range carries a name ("TEXT DATA BSS", "RAMDISK"...). */
  name?: string;
  /** The line printed an exclusive end (3.3–3.13 debug bug); `size` is already corrected. */
  exclusiveEnd?: boolean;
}

export type FreeApi =
  | 'memblock_free'
  | 'memblock_phys_free'
  | '__memblock_free_early'
  | 'memblock_x86_free_range';

/** A range taken out of memblock.reserved. */
export interface FreeEvent extends At, RangeAnomaly {
  kind: 'free';
  api: FreeApi;
  base: Addr;
  size: Addr;
  caller?: string;
  /** The line printed an exclusive end (3.3–3.13 debug bug); `size` is already corrected. */
  exclusiveEnd?: boolean;
}

/** memblock_free_late / __memblock_free_late: pages handed straight to the buddy allocator. */
export interface FreeLateEvent extends At, RangeAnomaly {
  kind: 'free-late';
  api: 'memblock_free_late' | '__memblock_free_late';
  base: Addr;
  size: Addr;
  caller?: string;
}

/** An allocation request line (printed before the search; its result is the next reserve line). */
export interface AllocEvent extends At {
  kind: 'alloc';
  /** e.g. memblock_alloc_try_nid, memblock_alloc_exact_nid_raw, memblock_phys_alloc_range, memblock_virt_alloc_try_nid_nopanic */
  api: string;
  size: Addr;
  align: Addr;
  /** null for memblock_phys_alloc_range, which prints no nid (it is NUMA_NO_NODE). */
  nid: number | null;
  exactNid: boolean;
  /** `from=` (min_addr) as printed, before any clamping. */
  from: Addr;
  /** `max_addr=` as printed: 0 = ACCESSIBLE (current_limit), all ones = anywhere. */
  maxAddr: Addr;
  caller?: string;
}

/** memblock_alloc_hugetlb: size, nid, exact_nid. */
export interface HugetlbAllocEvent extends At {
  kind: 'alloc-hugetlb';
  size: Addr;
  nid: number;
  exactNid: boolean;
  caller?: string;
}

/** "memblock: reserved is doubled to 256 at [a-b]". */
export interface DoubleEvent extends At, RangeAnomaly {
  kind: 'double';
  array: 'memory' | 'reserved' | 'physmem';
  newMax: number;
  base: Addr;
  /** The printed (unaligned) size: 2*old_max*sizeof(region). The reservation is PAGE_ALIGNed. */
  size: Addr;
}

/** A whole `MEMBLOCK configuration:` dump or a debugfs listing: the kernel's own state at that line. */
export interface CheckpointEvent extends At {
  kind: 'checkpoint';
  source: 'dump' | 'debugfs';
  /** Regions without a printed node carry nid MAX_NUMNODES; debugfs before 6.5 prints no nid or flags. */
  memory?: Region[];
  reserved?: Region[];
  physmem?: Region[];
  /** `memory size = ` / `reserved size = ` header values, when printed. */
  memorySize?: Addr;
  reservedSize?: Addr;
  /** Whether nids/flags were printed (dumps: flags since 3.14; debugfs: nid and flags since 6.5). */
  hasNid: boolean;
  hasFlags: boolean;
  /** False when rows were missing (count header larger than rows read, log cut mid-dump). */
  complete: boolean;
}

/** A firmware memory map entry: e820 (BIOS, user, modified...), EFI, MIPS map, DT memory. */
export interface FirmwareEvent extends At, RangeAnomaly {
  kind: 'firmware';
  source: 'e820' | 'efi' | 'mips' | 'dt' | 'xen';
  /** e.g. "BIOS-e820", "user", "modified", "reserve setup_data", "efi". */
  table: string;
  base: Addr;
  size: Addr;
  /** Normalised type: usable, reserved, ACPI data, ACPI NVS, unusable, persistent, soft reserved, Conventional... */
  type: string;
  /** e820 edits: update (type change), remove. Absent for table rows. */
  edit?: 'update' | 'remove';
  newType?: string;
}

/** A NUMA node's memory block from SRAT, arch NUMA, numa=fake, merge lines or node ranges. */
export interface NodeRangeEvent extends At, RangeAnomaly {
  kind: 'node-range';
  source: 'srat' | 'numa-merge' | 'fake' | 'faking-single' | 'early-node-ranges' | 'initmem' | 'bootmem-setup' | 'arch-numa';
  nid: number;
  base: Addr;
  size: Addr;
  hotplug?: boolean;
  nonVolatile?: boolean;
}

/** NODE_DATA(N) allocated [mem a-b], with an optional "on node M" when placed off-node. */
export interface NodeDataEvent extends At, RangeAnomaly {
  kind: 'node-data';
  nid: number;
  base: Addr;
  size: Addr;
  onNode?: number;
}

/** `Initmem setup node N as memoryless` / `[<memory-less node>]`. */
export interface MemorylessNodeEvent extends At {
  kind: 'memoryless-node';
  nid: number;
}

/** A zone row from `Zone ranges:`; empty zones have no range. */
export interface ZoneEvent extends At, RangeAnomaly {
  kind: 'zone';
  zone: string;
  base?: Addr;
  size?: Addr;
}

/** What a message says owns a range: RAMDISK, crashkernel, CMA, ACPI tables, setup_data, swiotlb, DT reserved-memory... */
export interface OwnerHintEvent extends At, RangeAnomaly {
  kind: 'owner-hint';
  owner: Owner;
  base: Addr;
  size: Addr;
  /** The name the kernel used (ACPI table signature, DT node name, setup_data type...). */
  label?: string;
  /** DT reserved-memory: `nomap` (removed from the linear map) and `reusable` (CMA-like) attributes. */
  nomap?: boolean;
  reusable?: boolean;
  /** `cma: Reserved N MiB at PA on node D` (−1 = any node). */
  nid?: number;
}

/** `Memory: …K/…K available (… reserved, … cma-reserved)` (sizes in KiB). */
export interface AccountingEvent extends At {
  kind: 'accounting';
  availableKiB: number;
  totalKiB: number;
  reservedKiB?: number;
  cmaReservedKiB?: number;
  kernelCodeKiB?: number;
  rwdataKiB?: number;
  rodataKiB?: number;
  initKiB?: number;
  bssKiB?: number;
  highmemKiB?: number;
  absentKiB?: number;
  /** The line was cut short; the fields present were read. */
  truncated: boolean;
}

/** `Freeing NAME memory: NK` and older forms. */
export interface FreeingEvent extends At {
  kind: 'freeing';
  name: string;
  kib: number;
}

/** Per-CPU first chunk (`percpu: Embedded N pages/cpu s… r… d… u…`). */
export interface PercpuEvent extends At {
  kind: 'percpu';
  pagesPerCpu: number;
  unitSize?: number;
}

/** `** N printk messages dropped **`: a hole in the log. */
export interface DroppedEvent extends At {
  kind: 'dropped';
  count: number;
}

/** A failure printed by the kernel: panics of early allocators, `Failed to allocate`, `cma: Failed to reserve`. */
export interface FailureEvent extends At {
  kind: 'failure';
  text: string;
  size?: Addr;
}

/** A line that names a kernel setting the model needs (bottom-up, memory limit, current limit). */
export interface SettingEvent extends At {
  kind: 'setting';
  name: 'cmdline' | 'mem-limit' | 'movable_node' | 'bottom-up' | 'numa-off';
  value: string;
}

/** bootmem debug lines (2.6.27–4.19); modelled by a separate issue, parsed here so they are not lost. */
export interface BootmemEvent extends At {
  kind: 'bootmem';
  fn: string;
  fields: Record<string, string>;
}

/** early_res table rows (2.6.26–2.6.36). */
export interface EarlyResEvent extends At, RangeAnomaly {
  kind: 'early-res';
  index?: number;
  base: Addr;
  size: Addr;
  name: string;
  /**
   * Which printout the row came from: 'bootmem' (`==> bootmem` handover table), 'subtract'
   * (NO_BOOTMEM `Subtract (N early reservations)` table), 'early-res' (2.6.26 `early res:` rows),
   * 'doubled' (`early_res array is doubled to N at [a - b]`: the new array's own range).
   */
  table?: 'bootmem' | 'subtract' | 'early-res' | 'doubled';
}

export type MemoryEvent =
  | AddEvent
  | RemoveEvent
  | ReserveEvent
  | FreeEvent
  | FreeLateEvent
  | AllocEvent
  | HugetlbAllocEvent
  | DoubleEvent
  | CheckpointEvent
  | FirmwareEvent
  | NodeRangeEvent
  | NodeDataEvent
  | MemorylessNodeEvent
  | ZoneEvent
  | OwnerHintEvent
  | AccountingEvent
  | FreeingEvent
  | PercpuEvent
  | DroppedEvent
  | FailureEvent
  | SettingEvent
  | BootmemEvent
  | EarlyResEvent;

export type EventKind = MemoryEvent['kind'];

// ---------------------------------------------------------------------------------------------
// Boots

export interface Boot {
  /** 0-based index among the boots of the file. */
  index: number;
  /** First and last physical line of this boot in the file (1-based). */
  startLine: number;
  endLine: number;
  /** From `Linux version X ...`. Absent when the log starts after it (truncated). */
  kernelVersion?: string;
  /** Best guess from the log: x86_64, i386, arm64, arm, riscv64, ppc64, mips, ia64, xtensa... */
  arch?: string;
  cmdline?: string;
  /** Memory events of this boot, in file order. */
  events: MemoryEvent[];
  /** Lines that looked like memory messages but could not be read. */
  unread: UnreadLine[];
  unreadCount: number;
  /** The log does not start at the kernel's first line (no `Linux version`, or dropped messages). */
  truncatedStart: boolean;
}

export interface UnreadLine {
  line: number;
  text: string;
}

export interface ParseResult {
  boots: Boot[];
  /** Physical lines read. */
  lineCount: number;
  /** Memory-looking lines that no recognizer could read, over all boots. */
  unreadCount: number;
  /** Envelope layers seen (e.g. "timestamp", "crlf", "quoted-printable", "mail-quote", "journalctl"). */
  envelopes: string[];
}

/** Who a reservation belongs to, inferred from its caller and context. */
export type Owner =
  | 'kernel-image'
  | 'initrd'
  | 'device-tree'
  | 'acpi'
  | 'firmware'
  | 'efi'
  | 'crashkernel'
  | 'cma'
  | 'dt-reserved'
  | 'setup-data'
  | 'swiotlb'
  | 'page-tables'
  | 'memmap'
  | 'percpu'
  | 'node-data'
  | 'log-buffer'
  | 'memblock-array'
  | 'real-mode'
  | 'bios'
  | 'kasan'
  | 'hugetlb'
  | 'other'
  | 'unknown';
