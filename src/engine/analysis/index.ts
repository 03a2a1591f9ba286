// The analysis of one boot: who owns each reservation, what is still held at the hand-off to the
// page allocator, what looks wrong, and where the memory went in round numbers.

import type { Addr, Boot } from '../types';
import type { ReplayResult } from '../replay/replay';
import type { Topology } from '../topology';
import { classifyAll, isUsableType, ownerContext, type OwnerVerdict } from './owners';
import { leakReport, type LeakReport, type ModelView, type OwnerTotal } from './leaks';
import { findings, type Finding } from './findings';
import { liveOf } from './format';
import { scanEvents } from './events';

export interface BootAccounting {
  /** What the firmware map calls RAM (e820 usable, EFI conventional/boot/loader); undefined without a map. */
  firmwareUsableBytes?: Addr;
  /** Everything else the firmware map lists (reserved, ACPI, NVS, MMIO...). */
  firmwareReservedBytes?: Addr;
  /** Installed RAM as best known: the firmware's usable total, else memblock.memory. */
  installedBytes: Addr;
  /** memblock.memory at the hand-off: the RAM the kernel manages. */
  memoryBytes: Addr;
  /** memblock.reserved at the hand-off (including ranges outside memory). */
  reservedBytes: Addr;
  reservedByOwner: OwnerTotal[];
  /** Whole free pages memblock_free_all hands to the buddy allocator, reconstructed. */
  handedToPageAllocatorBytes: Addr;
  /** The kernel's own figures from the `Memory:` line (bytes). */
  kernel?: { totalBytes: Addr; availableBytes: Addr; reservedBytes?: Addr; cmaBytes?: Addr; handedBytes?: Addr };
}

export interface BootReport {
  /** Indexed by reservation id (ReplayResult.reservations[i].id === i). */
  owners: OwnerVerdict[];
  leaks: LeakReport;
  findings: Finding[];
  accounting: BootAccounting;
}

export function analyzeBoot(boot: Boot, replay: ReplayResult, topology: Topology): BootReport {
  // One walk over the events serves the owner rules, the leak evidence and the findings.
  const scan = scanEvents(boot);
  const context = ownerContext(boot, replay.reservations, scan);
  const owners = classifyAll(replay.reservations, context);
  const leaks = leakReport({ boot, replay, owners, scan });
  return {
    owners,
    leaks,
    findings: findings(boot, replay, topology, scan),
    accounting: accountingOf(boot, replay, topology, leaks),
  };
}

function accountingOf(boot: Boot, replay: ReplayResult, topology: Topology, leaks: LeakReport): BootAccounting {
  const model = replay.handoff.model as unknown as ModelView;
  const memoryBytes = liveOf(model.memory.regions, model.memory.cnt).reduce((t, r) => t + r.size, 0n);
  const reservedBytes = liveOf(model.reserved.regions, model.reserved.cnt).reduce((t, r) => t + r.size, 0n);
  const firmware = topology.firmware.filter((f) => !('inverted' in f));
  const usable = firmware.filter((f) => isUsableType(f.type)).reduce((t, f) => t + f.size, 0n);
  const other = firmware.filter((f) => !isUsableType(f.type)).reduce((t, f) => t + f.size, 0n);
  const hasMap = firmware.length > 0;
  const rec = leaks.reconciliation;
  return {
    firmwareUsableBytes: hasMap ? usable : undefined,
    firmwareReservedBytes: hasMap ? other : undefined,
    installedBytes: hasMap && usable > 0n ? usable : memoryBytes,
    memoryBytes,
    reservedBytes,
    reservedByOwner: leaks.byOwner,
    handedToPageAllocatorBytes: rec.presentBytes - rec.keptPages,
    kernel: kernelFigures(boot, replay.handoffIndex),
  };
}

function kernelFigures(boot: Boot, handoffIndex: number): BootAccounting['kernel'] {
  const event = handoffIndex >= 0 ? boot.events[handoffIndex] : undefined;
  if (!event || event.kind !== 'accounting') return undefined;
  const k = (kib: number | undefined) => (kib === undefined ? undefined : BigInt(kib) * 1024n);
  const totalBytes = k(event.totalKiB)!;
  const reservedBytes = k(event.reservedKiB);
  const cmaBytes = k(event.cmaReservedKiB);
  const handedBytes = reservedBytes === undefined ? undefined : totalBytes - reservedBytes - (cmaBytes ?? 0n);
  return { totalBytes, availableBytes: k(event.availableKiB)!, reservedBytes, cmaBytes, handedBytes };
}

export type { OwnerVerdict, OwnerContext } from './owners';
export type { LeakReport, HeldReservation, Disposition, Reconciliation } from './leaks';
export type { Finding, FindingCode, Severity } from './findings';
export { classifyOwner, ownerContext } from './owners';
export { findings } from './findings';
export { leakReport } from './leaks';
