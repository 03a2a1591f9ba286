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
import { scanEvents, type EventScan } from './events';
import { functionName, humanSize, liveOf, overlapBytes, smallKey, sortRanges, uncovered } from './format';

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
  /** The boot's event walk, when the caller already made it. */
  scan?: Pick<EventScan, 'initrdFreedLine' | 'printsLateFrees'>;
}

export function leakReport(input: LeakInput): LeakReport {
  const { boot, replay, owners } = input;
  const handoffIndex = replay.handoffIndex;
  const { bytes: heldById, count } = heldBytesById(replay.handoff.ownership, replay.reservations.length);
  const evidence = collectEvidence(input.scan ?? scanEvents({ events: boot.events }), replay.reservations, handoffIndex);
  const held = new Array<HeldReservation>(count);
  const totals = new HeldTotals();
  // Ascending ids: the order the report lists them in.
  let n = 0;
  for (let id = 0; id < heldById.length; id++) {
    const bytes = heldById[id];
    if (bytes === undefined) continue;
    const h = heldReservation(replay.reservations[id], bytes, owners[id] ?? NOT_CLASSIFIED, evidence);
    held[n++] = h;
    totals.add(h);
  }
  const handoffEvent = handoffIndex >= 0 ? boot.events[handoffIndex] : undefined;
  return {
    handoffLine: handoffEvent?.line,
    heldBytes: totals.heldBytes,
    held,
    byOwner: totals.byOwner(),
    byCaller: totals.byCaller(),
    totals: totals.byDisposition(),
    suspects: suspectsOf(held, totals.suspectCount),
    reconciliation: reconcile(replay.handoff.model as unknown as ModelView, boot, handoffIndex, owners, replay.reservations),
  };
}

const NOT_CLASSIFIED: OwnerVerdict = { owner: 'unknown', reason: 'not classified' };

function heldReservation(reservation: Reservation, bytes: Addr, verdict: OwnerVerdict, evidence: Evidence): HeldReservation {
  const site = evidence.sites.of(reservation);
  const requester = site.requester === OPEN ? requesterOf(reservation) : site.requester;
  const { disposition, why } = dispositionOf(reservation, requester, site, verdict, evidence);
  return {
    id: reservation.id,
    line: reservation.line,
    origin: reservation.origin,
    base: reservation.base,
    size: reservation.size,
    // The reservation's own bigint when equal: one fewer object per held reservation.
    heldBytes: bytes === reservation.claimed ? reservation.claimed : bytes,
    owner: verdict.owner,
    ownerReason: verdict.reason,
    caller: requester ?? verdict.subsystem,
    disposition,
    why,
  };
}

const BEYOND_ANY_ADDRESS = 1n << 128n;

/** Bytes each reservation still owns, indexed by reservation id (undefined: owns nothing), and how many own some. */
function heldBytesById(ownership: OwnershipMap, reservations: number): { bytes: (Addr | undefined)[]; count: number } {
  // Sized up front: filled out of order, a growing array would turn into a slow dictionary.
  const held = new Array<Addr | undefined>(reservations);
  let count = 0;
  // All pieces as one array, walked by index: iterators allocate a result object per piece.
  const pieces = ownership.overlapping(0n, BEYOND_ANY_ADDRESS);
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i];
    const bytes = piece.end - piece.base;
    const before = held[piece.owner];
    if (before === undefined) count++;
    held[piece.owner] = before === undefined ? bytes : before + bytes;
  }
  return { bytes: held, count };
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
  freeingCallSites: Map<string, CallSiteEvidence>;
  handoffIndex: number;
  /** The log shows memblock_free_late lines at all. */
  printsLateFrees: boolean;
  sites: CallSites;
}

interface CallSiteEvidence {
  /** Reservations from this call site freed before the hand-off. */
  freed: number;
  /** The suspect verdict of its reservations that were not, made on first use. */
  suspect?: DispositionWhy;
}

/** Marks a requester that the call site alone does not decide (see CallSites). */
const OPEN = Symbol('open');

/** What a reservation's call site decides, looked up once per site instead of once per question. */
interface SiteFacts {
  /** requesterOf for reservations with this site, or OPEN when it depends on more than the site. */
  requester: string | undefined | typeof OPEN;
  /** requesterKind of that requester (when not OPEN). */
  kind: 'efi' | 'scratch' | undefined;
  /** Reservations from this site freed before the hand-off, if any. */
  siblings?: CallSiteEvidence;
}

/**
 * A reservation's call site is its request's caller, else its reserve line's. A big log has 100k+
 * held reservations from a few dozen sites, so the facts that depend on the site alone (the
 * requesting function, whether it is EFI boot services or a scratch buffer, how many siblings
 * were freed) are found once per site string.
 */
class CallSites {
  private readonly byRequest = new Map<string, SiteFacts>();
  private readonly byReserve = new Map<string, SiteFacts>();
  private readonly none: SiteFacts = { requester: undefined, kind: undefined };

  constructor(private readonly freeing: Map<string, CallSiteEvidence>) {}

  of(r: Reservation): SiteFacts {
    const request = r.request?.caller;
    if (request !== undefined) return this.facts(this.byRequest, request, true);
    return r.caller !== undefined ? this.facts(this.byReserve, r.caller, false) : this.none;
  }

  private facts(cache: Map<string, SiteFacts>, site: string, fromRequest: boolean): SiteFacts {
    let facts = cache.get(site);
    if (!facts) {
      const name = functionName(site);
      // A request caller that names no function leaves the requester to the reserve line's caller.
      const requester = fromRequest ? (name ?? OPEN) : nonInternal(name);
      const kind = requester === OPEN || requester === undefined ? undefined : requesterKind(requester);
      cache.set(site, (facts = { requester, kind, siblings: this.freeing.get(site) }));
    }
    return facts;
  }
}

function collectEvidence(scan: Pick<EventScan, 'initrdFreedLine' | 'printsLateFrees'>, reservations: readonly Reservation[], handoffIndex: number): Evidence {
  const { initrdFreedLine, printsLateFrees } = scan;
  const before = handoffIndex >= 0 ? handoffIndex : Number.MAX_SAFE_INTEGER;
  const freeingCallSites = new Map<string, CallSiteEvidence>();
  for (let i = 0; i < reservations.length; i++) {
    const r = reservations[i];
    if (r.frees.length === 0 || (r.origin !== 'alloc' && r.origin !== 'reserve') || r.claimed <= 0n) continue;
    const site = callSite(r);
    if (!site || freedBefore(r, before) < r.claimed) continue;
    const known = freeingCallSites.get(site);
    if (known) known.freed++;
    else freeingCallSites.set(site, { freed: 1 });
  }
  return { initrdFreedLine, freeingCallSites, handoffIndex, printsLateFrees, sites: new CallSites(freeingCallSites) };
}

/** Bytes of a reservation freed before an event index (most reservations have one free at most). */
function freedBefore(r: Reservation, before: number): Addr {
  if (r.frees.length === 1) return r.frees[0].eventIndex < before ? r.frees[0].size : 0n;
  let freed = 0n;
  const frees = r.frees;
  for (let i = 0; i < frees.length; i++) if (frees[i].eventIndex < before) freed += frees[i].size;
  return freed;
}

/** The exact call site (with offset): one function can allocate both scratch and permanent data. */
function callSite(r: Reservation): string | undefined {
  return r.request?.caller ?? r.caller;
}

function dispositionOf(r: Reservation, requester: string | undefined, site: SiteFacts, verdict: OwnerVerdict, evidence: Evidence): DispositionWhy {
  const later = laterRelease(r, evidence.handoffIndex);
  if (verdict.owner === 'initrd') return initrdDisposition(later, evidence);
  if (later) return { disposition: 'released-later', why: later };
  const kind = site.requester !== OPEN ? site.kind : requester === undefined ? undefined : requesterKind(requester);
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
  if (kind === 'scratch') return scratchWhy(requester!);
  const siblings = site.siblings;
  if (siblings && r.freedBytes === 0n) return (siblings.suspect ??= siblingsWhy(siblings.freed, callSite(r)!));
  if (PERMANENT.has(verdict.owner)) return permanentDisposition(verdict.owner);
  if (!verdict.subsystem) return UNKNOWN_OWNER;
  return keptWhy(verdict.subsystem);
}

/** EFI boot-services or scratch-buffer call sites, by requester name (remembered: names repeat). */
const requesterKinds = new Map<string, 'efi' | 'scratch' | undefined>();

function requesterKind(requester: string): 'efi' | 'scratch' | undefined {
  const known = requesterKinds.get(requester);
  if (known !== undefined || requesterKinds.has(requester)) return known;
  const kind = EFI_BOOT_SERVICES.test(requester) ? 'efi' : SCRATCH_CALLERS.test(requester) ? 'scratch' : undefined;
  if (requesterKinds.size > 20_000) requesterKinds.clear();
  requesterKinds.set(requester, kind);
  return kind;
}

type DispositionWhy = { readonly disposition: Disposition; readonly why: string };

const UNKNOWN_OWNER: DispositionWhy = { disposition: 'unclassified', why: 'owner unknown' };

/**
 * Dispositions whose text depends only on one name share one object (big logs hold 100k+
 * reservations), remembered per name without building a key string for each reservation.
 */
const scratchWhys = new Map<string, DispositionWhy>();
const permanentWhys = new Map<Owner, DispositionWhy>();
const keptWhys = new Map<string, DispositionWhy>();

function remembered(cache: Map<string, DispositionWhy>, name: string, make: (name: string) => DispositionWhy): DispositionWhy {
  let found = cache.get(name);
  if (!found) {
    if (cache.size > 20_000) cache.clear();
    cache.set(name, (found = make(name)));
  }
  return found;
}

function scratchWhy(requester: string): DispositionWhy {
  return remembered(scratchWhys, requester, scratchText);
}

function scratchText(requester: string): DispositionWhy {
  return { disposition: 'suspect', why: `${requester} normally frees this buffer before the hand-off` };
}

function siblingsWhy(siblings: number, site: string): DispositionWhy {
  return {
    disposition: 'suspect',
    why: `${siblings} other reservation(s) from the same call site (${site}) were freed before the hand-off; this one was not`,
  };
}

function permanentDisposition(owner: Owner): DispositionWhy {
  return remembered(permanentWhys, owner, permanentText);
}

function permanentText(owner: string): DispositionWhy {
  return { disposition: 'permanent', why: permanentWhy(owner as Owner) };
}

function keptWhy(subsystem: string): DispositionWhy {
  return remembered(keptWhys, subsystem, keptText);
}

function keptText(subsystem: string): DispositionWhy {
  return { disposition: 'unclassified', why: `kept by ${subsystem}; nothing says whether it is freed later` };
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
  if (handoffIndex < 0 || (r.lateFrees.length === 0 && !freedAfter(r, handoffIndex))) return undefined;
  const frees = [...r.frees.filter((f) => f.eventIndex > handoffIndex), ...r.lateFrees];
  const lines = [...new Set(frees.map((f) => f.line))].slice(0, 3).join(', ');
  const bytes = frees.reduce((t, f) => t + f.size, 0n);
  return `${humanSize(bytes)} given back after the hand-off (line ${lines})`;
}

function freedAfter(r: Reservation, index: number): boolean {
  const frees = r.frees;
  for (let i = 0; i < frees.length; i++) if (frees[i].eventIndex > index) return true;
  return false;
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

/** The suspect reservations, into an array sized once (pushing 100k+ of them regrows a big array again and again). */
function suspectsOf(held: readonly HeldReservation[], count: number): HeldReservation[] {
  const suspects = new Array<HeldReservation>(count);
  let n = 0;
  for (let i = 0; i < held.length; i++) if (held[i].disposition === 'suspect') suspects[n++] = held[i];
  return suspects;
}

/** Totals over the held reservations, added to as each is made (one walk instead of one per total). */
class HeldTotals {
  private readonly all = new Tally();
  private readonly dispositions: Record<Disposition, Tally> = {
    permanent: new Tally(),
    'released-later': new Tally(),
    suspect: new Tally(),
    unclassified: new Tally(),
  };
  private readonly owners = new Map<Owner, Tally>();
  /** caller -> owner -> tally, and the (caller, owner) pairs in first-seen order. */
  private readonly callers = new Map<string, Map<Owner, Tally>>();
  private readonly callerOrder: { caller: string; owner: Owner; tally: Tally }[] = [];

  add(h: HeldReservation): void {
    const small = smallKey(h.heldBytes);
    this.all.add(h.heldBytes, small);
    this.dispositions[h.disposition].add(h.heldBytes, small);
    let owner = this.owners.get(h.owner);
    if (!owner) this.owners.set(h.owner, (owner = new Tally()));
    owner.add(h.heldBytes, small);
    this.callerTally(h.caller ?? ORIGIN_LABELS[h.origin], h.owner).add(h.heldBytes, small);
  }

  get heldBytes(): Addr {
    return this.all.bytes();
  }

  get suspectCount(): number {
    return this.dispositions.suspect.count;
  }

  byDisposition(): Record<Disposition, DispositionTotal> {
    const d = this.dispositions;
    return { permanent: d.permanent.total(), 'released-later': d['released-later'].total(), suspect: d.suspect.total(), unclassified: d.unclassified.total() };
  }

  byOwner(): OwnerTotal[] {
    return [...this.owners].map(([owner, tally]) => ({ owner, bytes: tally.bytes(), count: tally.count })).sort(byBytesDesc);
  }

  byCaller(): CallerTotal[] {
    return this.callerOrder.map(({ caller, owner, tally }) => ({ caller, owner, bytes: tally.bytes(), count: tally.count })).sort(byBytesDesc);
  }

  private callerTally(caller: string, owner: Owner): Tally {
    let byOwner = this.callers.get(caller);
    if (!byOwner) this.callers.set(caller, (byOwner = new Map()));
    let tally = byOwner.get(owner);
    if (!tally) {
      byOwner.set(owner, (tally = new Tally()));
      this.callerOrder.push({ caller, owner, tally });
    }
    return tally;
  }
}

/**
 * A count and a byte sum. The sum is kept as a double while that is exact (below 2^53), so adding
 * allocates nothing (a bigint sum allocates on every addition); what does not fit goes to a bigint.
 */
class Tally {
  count = 0;
  private exact = 0;
  private big = 0n;

  /** `small`: smallKey(bytes). */
  add(bytes: Addr, small: number | undefined): void {
    this.count++;
    if (small !== undefined && this.exact <= Number.MAX_SAFE_INTEGER - small) this.exact += small;
    else this.big += bytes;
  }

  bytes(): Addr {
    return this.big + BigInt(this.exact);
  }

  total(): DispositionTotal {
    return { bytes: this.bytes(), count: this.count };
  }
}

/** What byCaller calls a reservation without a caller. */
const ORIGIN_LABELS: Record<Reservation['origin'], string> = {
  reserve: '(reserve)',
  alloc: '(alloc)',
  'pre-debug': '(pre-debug)',
  checkpoint: '(checkpoint)',
  doubling: '(doubling)',
};

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
  for (let i = 0; i < reservations.length; i++) {
    const r = reservations[i];
    if (owners[r.id]?.owner === 'cma') bytes += r.claimed - r.freedBytes;
  }
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

