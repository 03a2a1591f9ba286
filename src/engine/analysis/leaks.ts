// What memblock still holds when it hands memory to the page allocator (the `Memory:` line), who
// holds it, and whether that is by design. Every held byte is memory the running system never
// gets back, so a reservation that is normally given back but is still here is worth a look.
//
// Dispositions (decided per reservation, see `dispositionOf`):
// - permanent: kept for the life of the system by design — kernel image, memmap, page tables,
//   percpu, NODE_DATA, the printk buffer, ACPI tables, crashkernel, CMA (its pages later join the
//   buddy allocator as MIGRATE_CMA, which the Memory: line reports separately), DT reserved-memory,
//   the FDT, swiotlb, x86's low megabyte and real-mode trampoline, setup_data (kexec and
//   /sys/kernel/boot_params read it), firmware ranges, KASAN shadow, boot-time huge pages.
// - released-later: held at the hand-off but given back afterwards by design, with the log's
//   evidence when it has some: the initrd (`Freeing initrd memory`, free_initrd_mem), EFI boot
//   services (memblock_free_late), grown memblock arrays (memblock_discard), anything a later free
//   line releases.
// - suspect: normally given back but this log shows no sign of it: initrd without a Freeing line,
//   boot-services ranges never freed late, scratch buffers of call sites that free them (percpu
//   alloc info, init_mem_mapping's buffer), and call sites that freed their other reservations.
// - unclassified: 'other'/'unknown' owners; nothing says whether they are ever freed.

import type { Addr, Boot, Owner, Region } from '../types';
import { Flag } from '../types';
import type { Reservation, ReplayResult } from '../replay/replay';
import type { OwnershipMap } from '../replay/ownership';
import { isAllocatorInternal, type OwnerVerdict } from './owners';
import { functionName, humanSize, liveOf, overlapBytes, sortRanges, uncovered } from './format';

export type Disposition = 'permanent' | 'released-later' | 'suspect' | 'unclassified';

export interface HeldReservation {
  id: number;
  line: number;
  origin: Reservation['origin'];
  base: Addr;
  size: Addr;
  /** Bytes of it still reserved at the hand-off (frees and overlaps taken out). */
  heldBytes: Addr;
  owner: Owner;
  ownerReason: string;
  /** The function that wanted the memory (request caller, else reserve caller). */
  caller?: string;
  disposition: Disposition;
  why: string;
}

export interface OwnerTotal {
  owner: Owner;
  bytes: Addr;
  count: number;
}

export interface CallerTotal {
  caller: string;
  owner: Owner;
  bytes: Addr;
  count: number;
}

export interface DispositionTotal {
  bytes: Addr;
  count: number;
}

/** One term of the reconciliation with the kernel's own `reserved` figure. */
export interface ReconciliationItem {
  label: string;
  bytes: Addr;
  note: string;
}

/**
 * The kernel prints R = T − totalram − CMA: present pages minus the pages memblock_free_all freed
 * minus CMA. We rebuild the same from the model at the hand-off: pages of memory that are not
 * entirely free (reserved bytes, NOMAP memory, and the partial pages around them, which memblock
 * never frees), minus CMA.
 */
export interface Reconciliation {
  pageSize: Addr;
  reservedTotal: Addr;
  reservedOutsideMemory: Addr;
  reservedInMemory: Addr;
  nomapNotReserved: Addr;
  partialPages: Addr;
  /** Pages of memory memblock would not free: reservedInMemory + nomapNotReserved + partialPages. */
  keptPages: Addr;
  cmaBytes: Addr;
  /** keptPages − CMA: what the Memory: line should say. */
  expectedReserved: Addr;
  /** Present pages of memblock.memory (page-rounded inwards), the Memory: line's T. */
  presentBytes: Addr;
  kernelReserved?: Addr;
  kernelTotal?: Addr;
  /** kernelReserved − expectedReserved (positive: the kernel kept more than we reconstructed). */
  difference?: Addr;
  totalDifference?: Addr;
  items: ReconciliationItem[];
  explanation: string[];
}

export interface LeakReport {
  /** Line of the `Memory:` hand-off, or undefined when the log ends first (state at its end). */
  handoffLine?: number;
  heldBytes: Addr;
  held: HeldReservation[];
  byOwner: OwnerTotal[];
  byCaller: CallerTotal[];
  totals: Record<Disposition, DispositionTotal>;
  suspects: HeldReservation[];
  reconciliation: Reconciliation;
}

/** The parts of the model the report reads (Memblock satisfies it). */
export interface ModelView {
  memory: { regions: Region[]; cnt: number };
  reserved: { regions: Region[]; cnt: number };
  options?: { pageSize: bigint };
}

const PERMANENT: ReadonlySet<Owner> = new Set<Owner>([
  'kernel-image',
  'memmap',
  'page-tables',
  'percpu',
  'node-data',
  'log-buffer',
  'acpi',
  'crashkernel',
  'cma',
  'dt-reserved',
  'device-tree',
  'swiotlb',
  'bios',
  'real-mode',
  'setup-data',
  'firmware',
  'kasan',
  'hugetlb',
  'efi',
]);

/** Call sites whose buffers are scratch space freed before the hand-off. */
const SCRATCH_CALLERS = /^(pcpu_build_alloc_info|pcpu_embed_first_chunk|pcpu_page_first_chunk|pcpu_get_vm_areas|init_mem_mapping|sparse_buffer_init|acpi_table_upgrade_scratch)$/;

const EFI_BOOT_SERVICES = /^(efi_reserve_boot_services|__efi_reserve_boot_services|efi_free_boot_services)$/;

export interface LeakInput {
  boot: Pick<Boot, 'events'>;
  replay: Pick<ReplayResult, 'reservations' | 'handoffIndex' | 'handoff'>;
  owners: readonly OwnerVerdict[];
}

export function leakReport(input: LeakInput): LeakReport {
  const { boot, replay, owners } = input;
  const handoffIndex = replay.handoffIndex;
  const heldById = heldBytesById(replay.handoff.ownership);
  const evidence = collectEvidence(boot, replay.reservations, handoffIndex);
  const held: HeldReservation[] = [];
  for (const [id, bytes] of heldById) {
    const reservation = replay.reservations[id];
    const verdict = owners[id] ?? { owner: 'unknown', reason: 'not classified' };
    const { disposition, why } = dispositionOf(reservation, verdict, evidence);
    held.push({
      id,
      line: reservation.line,
      origin: reservation.origin,
      base: reservation.base,
      size: reservation.size,
      heldBytes: bytes === reservation.claimed ? reservation.claimed : bytes,
      owner: verdict.owner,
      ownerReason: verdict.reason,
      caller: requesterOf(reservation) ?? verdict.subsystem,
      disposition,
      why,
    });
  }
  held.sort((a, b) => a.id - b.id);
  const handoffEvent = handoffIndex >= 0 ? boot.events[handoffIndex] : undefined;
  return {
    handoffLine: handoffEvent?.line,
    heldBytes: held.reduce((t, h) => t + h.heldBytes, 0n),
    held,
    byOwner: totalsByOwner(held),
    byCaller: totalsByCaller(held),
    totals: totalsByDisposition(held),
    suspects: held.filter((h) => h.disposition === 'suspect'),
    reconciliation: reconcile(replay.handoff.model as unknown as ModelView, boot, handoffIndex, owners, replay.reservations),
  };
}

function heldBytesById(ownership: OwnershipMap): Map<number, Addr> {
  const held = new Map<number, Addr>();
  for (const piece of ownership.all()) held.set(piece.owner, (held.get(piece.owner) ?? 0n) + (piece.end - piece.base));
  return held;
}

export function requesterOf(reservation: Reservation): string | undefined {
  return functionName(reservation.request?.caller) ?? nonInternal(functionName(reservation.caller));
}

function nonInternal(name: string | undefined): string | undefined {
  return name && !isAllocatorInternal(name) ? name : undefined;
}

// ---------------------------------------------------------------------------------------------
// Disposition

interface Evidence {
  /** `Freeing initrd memory` line, when the log has one. */
  initrdFreedLine?: number;
  /** Call sites (caller with offset) that fully freed at least one reservation before the hand-off. */
  freeingCallSites: Map<string, number>;
  handoffIndex: number;
  /** The log shows memblock_free_late lines at all. */
  printsLateFrees: boolean;
}

function collectEvidence(boot: Pick<Boot, 'events'>, reservations: readonly Reservation[], handoffIndex: number): Evidence {
  let initrdFreedLine: number | undefined;
  let printsLateFrees = false;
  for (const event of boot.events) {
    if (event.kind === 'freeing' && /initrd/i.test(event.name)) initrdFreedLine ??= event.line;
    if (event.kind === 'free-late') printsLateFrees = true;
  }
  const before = handoffIndex >= 0 ? handoffIndex : Number.MAX_SAFE_INTEGER;
  const freeingCallSites = new Map<string, number>();
  for (const r of reservations) {
    const site = callSite(r);
    if (!site || r.origin !== 'alloc' && r.origin !== 'reserve') continue;
    if (r.frees.length === 0 || r.claimed <= 0n) continue;
    let freedBefore = 0n;
    for (const f of r.frees) if (f.eventIndex < before) freedBefore += f.size;
    if (freedBefore >= r.claimed) freeingCallSites.set(site, (freeingCallSites.get(site) ?? 0) + 1);
  }
  return { initrdFreedLine, freeingCallSites, handoffIndex, printsLateFrees };
}

/** The exact call site (with offset): one function can allocate both scratch and permanent data. */
function callSite(r: Reservation): string | undefined {
  return r.request?.caller ?? r.caller;
}

function dispositionOf(r: Reservation, verdict: OwnerVerdict, evidence: Evidence): DispositionWhy {
  const later = laterRelease(r, evidence.handoffIndex);
  if (verdict.owner === 'initrd') return initrdDisposition(later, evidence);
  if (later) return { disposition: 'released-later', why: later };
  const requester = requesterOf(r) ?? '';
  const kind = requesterKind(requester);
  if (kind === 'efi') {
    // Only a log that prints late frees at all can show that this one was missed.
    if (evidence.printsLateFrees) {
      return { disposition: 'suspect', why: 'EFI boot-services memory is handed back by efi_free_boot_services (memblock_free_late); this log prints late frees but none for this range' };
    }
    return { disposition: 'released-later', why: 'efi_free_boot_services hands boot-services memory back after boot (memblock_free_late); this log prints no late frees to confirm it' };
  }
  if (verdict.owner === 'memblock-array') {
    return { disposition: 'released-later', why: 'memblock_discard frees the grown region arrays after boot (unless the arch keeps memblock)' };
  }
  if (kind === 'scratch') {
    return shared(`scratch\u0000${requester}`, () => ({ disposition: 'suspect', why: `${requester} normally frees this buffer before the hand-off` }));
  }
  const site = callSite(r);
  const siblings = site ? evidence.freeingCallSites.get(site) ?? 0 : 0;
  if (siblings > 0 && r.freedBytes === 0n) {
    return shared(`siblings\u0000${siblings}\u0000${site}`, () => ({
      disposition: 'suspect',
      why: `${siblings} other reservation(s) from the same call site (${site}) were freed before the hand-off; this one was not`,
    }));
  }
  if (PERMANENT.has(verdict.owner)) return shared(`permanent\u0000${verdict.owner}`, () => ({ disposition: 'permanent', why: permanentWhy(verdict.owner) }));
  if (!verdict.subsystem) return UNKNOWN_OWNER;
  return shared(`kept\u0000${verdict.subsystem}`, () => ({ disposition: 'unclassified', why: `kept by ${verdict.subsystem}; nothing says whether it is freed later` }));
}

/** EFI boot-services or scratch-buffer call sites, by requester name (remembered: names repeat). */
const requesterKinds = new Map<string, 'efi' | 'scratch' | undefined>();

function requesterKind(requester: string): 'efi' | 'scratch' | undefined {
  if (requesterKinds.has(requester)) return requesterKinds.get(requester);
  const kind = EFI_BOOT_SERVICES.test(requester) ? 'efi' : SCRATCH_CALLERS.test(requester) ? 'scratch' : undefined;
  if (requesterKinds.size > 20_000) requesterKinds.clear();
  requesterKinds.set(requester, kind);
  return kind;
}

type DispositionWhy = { readonly disposition: Disposition; readonly why: string };

const UNKNOWN_OWNER: DispositionWhy = { disposition: 'unclassified', why: 'owner unknown' };

/** Dispositions whose text depends only on a few names share one string (big logs hold 100k+ reservations). */
const dispositionCache = new Map<string, DispositionWhy>();

function shared(key: string, make: () => DispositionWhy): DispositionWhy {
  let found = dispositionCache.get(key);
  if (!found) {
    if (dispositionCache.size > 50_000) dispositionCache.clear();
    dispositionCache.set(key, (found = make()));
  }
  return found;
}

function initrdDisposition(later: string | undefined, evidence: Evidence): { disposition: Disposition; why: string } {
  if (later) return { disposition: 'released-later', why: later };
  if (evidence.initrdFreedLine !== undefined) {
    return { disposition: 'released-later', why: `free_initrd_mem gives it back (\`Freeing initrd memory\`, line ${evidence.initrdFreedLine})` };
  }
  return { disposition: 'suspect', why: 'the initrd is normally freed after unpacking (`Freeing initrd memory`); this log has no such line (retain_initrd, a failed unpack, or the log ends first)' };
}

/** A free or late free after the hand-off that releases this reservation's bytes. */
function laterRelease(r: Reservation, handoffIndex: number): string | undefined {
  if (handoffIndex < 0 || (r.frees.length === 0 && r.lateFrees.length === 0)) return undefined;
  const frees = [...r.frees.filter((f) => f.eventIndex > handoffIndex), ...r.lateFrees];
  if (frees.length === 0) return undefined;
  const lines = [...new Set(frees.map((f) => f.line))].slice(0, 3).join(', ');
  const bytes = frees.reduce((t, f) => t + f.size, 0n);
  return `${humanSize(bytes)} given back after the hand-off (line ${lines})`;
}

function permanentWhy(owner: Owner): string {
  switch (owner) {
    case 'cma':
      return 'CMA area: stays reserved for contiguous allocations; the Memory: line counts it as cma-reserved';
    case 'kernel-image':
      return 'the kernel image (its init sections are freed later as `Freeing unused kernel memory`)';
    case 'efi':
      return 'EFI runtime/memory-map data the kernel keeps';
    default:
      return `${owner} is kept for the life of the system`;
  }
}

// ---------------------------------------------------------------------------------------------
// Totals

function totalsByOwner(held: readonly HeldReservation[]): OwnerTotal[] {
  const map = new Map<Owner, OwnerTotal>();
  for (const h of held) {
    const total = map.get(h.owner) ?? { owner: h.owner, bytes: 0n, count: 0 };
    total.bytes += h.heldBytes;
    total.count++;
    map.set(h.owner, total);
  }
  return [...map.values()].sort(byBytesDesc);
}

function totalsByCaller(held: readonly HeldReservation[]): CallerTotal[] {
  // caller -> owner -> total, in first-seen order of the (caller, owner) pairs.
  const map = new Map<string, Map<Owner, CallerTotal>>();
  const order: CallerTotal[] = [];
  for (const h of held) {
    const caller = h.caller ?? `(${h.origin})`;
    let byOwner = map.get(caller);
    if (!byOwner) map.set(caller, (byOwner = new Map()));
    let total = byOwner.get(h.owner);
    if (!total) {
      total = { caller, owner: h.owner, bytes: 0n, count: 0 };
      byOwner.set(h.owner, total);
      order.push(total);
    }
    total.bytes += h.heldBytes;
    total.count++;
  }
  return order.sort(byBytesDesc);
}

function totalsByDisposition(held: readonly HeldReservation[]): Record<Disposition, DispositionTotal> {
  const totals: Record<Disposition, DispositionTotal> = {
    permanent: { bytes: 0n, count: 0 },
    'released-later': { bytes: 0n, count: 0 },
    suspect: { bytes: 0n, count: 0 },
    unclassified: { bytes: 0n, count: 0 },
  };
  for (const h of held) {
    totals[h.disposition].bytes += h.heldBytes;
    totals[h.disposition].count++;
  }
  return totals;
}

function byBytesDesc(a: { bytes: Addr }, b: { bytes: Addr }): number {
  return a.bytes > b.bytes ? -1 : a.bytes < b.bytes ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Reconciliation with `Memory: …K reserved`

export function reconcile(
  model: ModelView,
  boot: Pick<Boot, 'events'>,
  handoffIndex: number,
  owners: readonly OwnerVerdict[] = [],
  reservations: readonly Reservation[] = [],
): Reconciliation {
  const pageSize = model.options?.pageSize ?? 4096n;
  const memory = sortRanges(liveOf(model.memory.regions, model.memory.cnt));
  const reserved = sortRanges(liveOf(model.reserved.regions, model.reserved.cnt));
  const reservedTotal = reserved.reduce((t, r) => t + r.size, 0n);
  const reservedInMemory = intersectBytes(reserved, memory);
  const nomap = memory.filter((m) => (m.flags & Flag.NOMAP) !== 0);
  const nomapNotReserved = nomap.reduce((t, m) => t + uncovered(m.base, m.base + m.size, reserved).reduce((s, g) => s + g.size, 0n), 0n);
  const presentBytes = memory.reduce((t, m) => t + pagesInside(m.base, m.base + m.size, pageSize), 0n);
  const freedBytes = freePagesBytes(memory, reserved, pageSize);
  const keptPages = presentBytes - freedBytes;
  const partialPages = keptPages - reservedInMemory - nomapNotReserved;
  const accounting = handoffIndex >= 0 ? boot.events[handoffIndex] : boot.events.find((e) => e.kind === 'accounting');
  const acc = accounting && accounting.kind === 'accounting' ? accounting : undefined;
  const cmaBytes = acc?.cmaReservedKiB !== undefined ? BigInt(acc.cmaReservedKiB) * 1024n : cmaFromOwners(owners, reservations);
  const expectedReserved = keptPages - cmaBytes;
  // Without memblock lines there is no reconstruction to compare, only the kernel's figures.
  const reconstructed = memory.length > 0;
  const kernelReserved = acc?.reservedKiB !== undefined ? BigInt(acc.reservedKiB) * 1024n : undefined;
  const kernelTotal = acc ? BigInt(acc.totalKiB) * 1024n : undefined;
  const difference = kernelReserved !== undefined && reconstructed ? kernelReserved - expectedReserved : undefined;
  const totalDifference = kernelTotal !== undefined && reconstructed ? kernelTotal - presentBytes : undefined;
  const items: ReconciliationItem[] = [
    { label: 'reserved (memblock.reserved total)', bytes: reservedTotal, note: 'everything memblock holds at the hand-off' },
    { label: '− outside memory', bytes: reservedTotal - reservedInMemory, note: 'firmware ranges reserved but not RAM: not present pages, so not counted' },
    { label: '+ NOMAP memory', bytes: nomapNotReserved, note: 'memory marked NOMAP is never freed to the page allocator' },
    { label: '+ partial pages', bytes: partialPages, note: 'a page partly reserved is kept whole' },
    { label: '− CMA', bytes: cmaBytes, note: 'reported separately as cma-reserved' },
    { label: '= expected reserved', bytes: expectedReserved, note: 'what the Memory: line should print as reserved' },
  ];
  return {
    pageSize,
    reservedTotal,
    reservedOutsideMemory: reservedTotal - reservedInMemory,
    reservedInMemory,
    nomapNotReserved,
    partialPages,
    keptPages,
    cmaBytes,
    expectedReserved,
    presentBytes,
    kernelReserved,
    kernelTotal,
    difference,
    totalDifference,
    items,
    explanation: reconstructed
      ? explain(difference, totalDifference, pageSize, handoffIndex, acc !== undefined)
      : ['the log has no memblock lines (no memblock=debug, no MEMBLOCK dump): nothing was reconstructed, only the kernel\'s own figures are known'],
  };
}

function explain(difference: Addr | undefined, totalDifference: Addr | undefined, pageSize: Addr, handoffIndex: number, hasLine: boolean): string[] {
  const notes: string[] = [];
  if (!hasLine) notes.push('no `Memory:` line: nothing to compare with (the log ends before the hand-off or does not print it)');
  if (handoffIndex < 0 && hasLine) notes.push('compared with the state at the end of the log');
  if (difference === undefined) return notes;
  if (difference === 0n) {
    notes.push('matches the kernel exactly');
  } else if (difference > 0n) {
    notes.push(
      `the kernel kept ${humanSize(difference)} (${difference / pageSize} pages) more than reconstructed: reservations the log never printed ` +
        '(before memblock=debug, lost lines, arch code reserving without memblock), or memory the kernel reserved between the last line and the hand-off',
    );
  } else {
    notes.push(
      `the kernel kept ${humanSize(-difference)} less than reconstructed: frees the log never printed (memblock_free before debug, ` +
        'pages freed by arch code such as free_unused_memmap / memblock_free_late), or the kernel frees reserved pages with no line',
    );
  }
  if (totalDifference !== undefined && totalDifference !== 0n) {
    notes.push(`present memory differs by ${humanSize(totalDifference < 0n ? -totalDifference : totalDifference)} from the kernel's total: memblock.memory at the hand-off is not what the kernel counted (mem=, removed ranges, highmem)`);
  }
  return notes;
}

function cmaFromOwners(owners: readonly OwnerVerdict[], reservations: readonly Reservation[]): Addr {
  let bytes = 0n;
  for (const r of reservations) if (owners[r.id]?.owner === 'cma') bytes += r.claimed - r.freedBytes;
  return bytes;
}

/** Bytes of whole pages inside [base, end) (PFN_UP(base) .. PFN_DOWN(end)). */
function pagesInside(base: Addr, end: Addr, pageSize: Addr): Addr {
  const first = ((base + pageSize - 1n) / pageSize) * pageSize;
  const last = (end / pageSize) * pageSize;
  return last > first ? last - first : 0n;
}

/** What memblock_free_all frees: whole pages of each free range of non-NOMAP memory. */
function freePagesBytes(memory: readonly Region[], reserved: readonly Region[], pageSize: Addr): Addr {
  let freed = 0n;
  for (const m of memory) {
    if ((m.flags & Flag.NOMAP) !== 0) continue;
    for (const gap of uncovered(m.base, m.base + m.size, reserved)) freed += pagesInside(gap.base, gap.base + gap.size, pageSize);
  }
  return freed;
}

function intersectBytes(a: readonly Region[], b: readonly Region[]): Addr {
  let total = 0n;
  let j = 0;
  for (const r of a) {
    while (j < b.length && b[j].base + b[j].size <= r.base) j++;
    for (let k = j; k < b.length && b[k].base < r.base + r.size; k++) total += overlapBytes(r.base, r.size, b[k].base, b[k].size);
  }
  return total;
}

