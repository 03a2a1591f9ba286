// One walk over a boot's events that collects what the owner rules, the leak report and the
// findings read from them. A big log has a million events, nearly all reserve / alloc / free
// lines; walking them once instead of once per question saves more than any single question costs.

import type { AccountingEvent, Addr, Boot, FirmwareEvent, NodeRangeEvent, RangeAnomaly } from '../types';
import type { OwnerHint } from './owners';
import { functionName } from './format';

export interface EventScan {
  // --- owners
  /** Owner-hint lines, NODE_DATA lines and initrd frees, in event order. */
  hints: OwnerHint[];
  /** Kernel image size from the first `Memory:` line that prints it (code+rwdata+rodata+init+bss). */
  kernelImageBytes?: Addr;
  /** Non-usable firmware map rows (e820 reserved / ACPI / EFI runtime...). */
  firmware: FirmwareEvent[];
  /** Some reserve (or early_res) line names its range. */
  namedReserves: boolean;
  // --- leaks
  /** `Freeing initrd memory` line, when the log has one. */
  initrdFreedLine?: number;
  /** The log shows memblock_free_late lines at all. */
  printsLateFrees: boolean;
  // --- findings (event indices, in event order)
  /** Dropped messages, incomplete listings and cut `Memory:` lines: each a truncated-log finding. */
  truncations: number[];
  inverted: number[];
  /** Requests bounded above any physical address, and ranges no physical memory can hold. */
  notPhysical: number[];
  /** add / remove / checkpoint events: the ones that can change memblock.memory. */
  memoryChanges: number[];
  failures: number[];
  nodeData: number[];
  /** `Initmem setup node` spans (not inverted, not empty), for overlapping-nodes. */
  initmemSpans: NodeRangeEvent[];
  /** First node-range event, and first node-range or node-data event (-1: none). */
  firstNodeRange: number;
  firstNuma: number;
}

export function scanEvents(boot: Pick<Boot, 'arch' | 'events'>): EventScan {
  const scan: EventScan = {
    hints: [],
    firmware: [],
    namedReserves: false,
    printsLateFrees: false,
    truncations: [],
    inverted: [],
    notPhysical: [],
    memoryChanges: [],
    failures: [],
    nodeData: [],
    initmemSpans: [],
    firstNodeRange: -1,
    firstNuma: -1,
  };
  const limit: PhysLimit = { limit: 1n << BigInt(physBits(boot.arch)), half: 1n << BigInt(physBits(boot.arch) - 1) };
  const events = boot.events;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    switch (event.kind) {
      case 'reserve':
        if (event.name) scan.namedReserves = true;
        rangeChecks(scan, i, event, limit);
        break;
      case 'alloc':
        if (event.from >= limit.limit) scan.notPhysical.push(i);
        break;
      case 'free':
      case 'free-late':
        if (event.kind === 'free-late') scan.printsLateFrees = true;
        rangeChecks(scan, i, event, limit);
        // arm64 and others print no RAMDISK line, but free_initrd_mem frees exactly the initrd.
        if (event.size > 0n && functionName(event.caller) === 'free_initrd_mem') {
          scan.hints.push({ owner: 'initrd', base: event.base, size: event.size, line: event.line, what: 'free_initrd_mem' });
        }
        break;
      case 'add':
        rangeChecks(scan, i, event, limit);
        scan.memoryChanges.push(i);
        break;
      case 'remove':
        if (event.inverted) scan.inverted.push(i);
        scan.memoryChanges.push(i);
        break;
      case 'checkpoint':
        if (!event.complete) scan.truncations.push(i);
        if (event.memory) scan.memoryChanges.push(i);
        break;
      case 'owner-hint':
        if (event.inverted) scan.inverted.push(i);
        else if (event.size > 0n) scan.hints.push({ owner: event.owner, base: event.base, size: event.size, line: event.line, what: event.label ?? event.owner });
        break;
      case 'node-data':
        if (event.inverted) scan.inverted.push(i);
        else scan.hints.push({ owner: 'node-data', base: event.base, size: event.size, line: event.line, what: `NODE_DATA(${event.nid})` });
        scan.nodeData.push(i);
        if (scan.firstNuma < 0) scan.firstNuma = i;
        break;
      case 'node-range':
        if (event.inverted) scan.inverted.push(i);
        else if (event.source === 'initmem' && event.size > 0n) scan.initmemSpans.push(event);
        if (scan.firstNodeRange < 0) scan.firstNodeRange = i;
        if (scan.firstNuma < 0) scan.firstNuma = i;
        break;
      case 'firmware':
        if (event.inverted) scan.inverted.push(i);
        else if (!event.edit && !isUsableType(event.type)) scan.firmware.push(event);
        break;
      case 'accounting':
        if (event.truncated) scan.truncations.push(i);
        scan.kernelImageBytes ??= kernelBytesOf(event);
        break;
      case 'freeing':
        if (/initrd/i.test(event.name)) scan.initrdFreedLine ??= event.line;
        break;
      case 'dropped':
        scan.truncations.push(i);
        break;
      case 'failure':
        scan.failures.push(i);
        break;
      case 'early-res':
        if (event.name) scan.namedReserves = true;
        if (event.inverted) scan.inverted.push(i);
        break;
      default:
        if ('inverted' in event && (event as RangeAnomaly).inverted) scan.inverted.push(i);
        break;
    }
  }
  return scan;
}

/** The first address no physical memory can have, and half of it. */
interface PhysLimit {
  limit: Addr;
  half: Addr;
}

/** Inverted ranges, and ranges no physical memory can hold (add / reserve / free lines). */
function rangeChecks(scan: EventScan, index: number, event: { base: Addr; size: Addr } & RangeAnomaly, limit: PhysLimit): void {
  if (event.inverted) scan.inverted.push(index);
  else if (event.size !== 0n && !isPhysical(event.base, event.size, limit)) scan.notPhysical.push(index);
}

/** Whether [base, base+size) lies below the limit; the common case is decided without a bigint sum. */
function isPhysical(base: Addr, size: Addr, { limit, half }: PhysLimit): boolean {
  if (base < half && size <= half) return true;
  return base < limit && base + size <= limit;
}

/** Physical address bits an architecture can have at most (52 for 64-bit, 56 on RISC-V, LPAE/PAE 40). */
export function physBits(arch: string | undefined): number {
  if (!arch) return 52;
  if (/^riscv(64)?$/.test(arch)) return 56;
  if (/^(arm|i386|i686|x86|mips|mips32|mipsel|xtensa|riscv32|powerpc|ppc|ppc32|microblaze|sh|m68k|arc|csky|openrisc)$/.test(arch)) return 40;
  return 52;
}

/** Firmware types the kernel turns into RAM (e820 usable, EFI conventional / boot-time types). */
export function isUsableType(type: string): boolean {
  return /usable|conventional|loader ?(code|data)|boot ?(services ?)?(code|data)|system ram|^ram$/i.test(type);
}

function kernelBytesOf(event: AccountingEvent): Addr | undefined {
  const parts = [event.kernelCodeKiB, event.rwdataKiB, event.rodataKiB, event.initKiB, event.bssKiB];
  if (event.kernelCodeKiB === undefined) return undefined;
  const kib = parts.reduce<number>((total, part) => total + (part ?? 0), 0);
  return BigInt(Math.round(kib)) * 1024n;
}
