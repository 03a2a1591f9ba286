// The request stream of a boot: every fixed reservation, allocation request, free and the hand-off,
// in the order the kernel made them, in allocator-neutral terms (BootRequest). Built from the
// replay, so memblock logs and the older formats (via the legacy replay) give the same stream.

import type { BootAnalysis } from '../analyze';
import type { Addr, AllocEvent, Owner } from '../types';
import type { BootRequest } from '../allocators/types';
import { functionName } from '../analysis/format';
import { isAllocatorInternal } from '../analysis/owners';

export type StreamOp =
  | { kind: 'reserve'; line: number; base: Addr; size: Addr; label?: string; owner?: Owner; origin: string }
  | { kind: 'alloc'; line: number; request: BootRequest; original: Addr | null; label?: string; owner?: Owner; /** Tried when `request` fails (crashkernel: high after low). */ retry?: BootRequest }
  | { kind: 'free'; line: number; base: Addr; size: Addr }
  | { kind: 'free-late'; line: number; base: Addr; size: Addr }
  | { kind: 'handoff'; line: number };

const PAGE = 4096n;

/** An allocation line's request in allocator-neutral terms. */
export function requestOf(event: AllocEvent): BootRequest {
  const limit = event.maxAddr === 0n || event.maxAddr === 1n || event.maxAddr === 0xffff_ffff_ffff_ffffn ? 0n : event.maxAddr;
  return {
    size: event.size,
    align: event.align,
    goal: event.from,
    limit,
    nid: event.nid === null || event.nid < 0 ? null : event.nid,
    exact: event.exactNid || undefined,
    api: event.api,
  };
}

export function requestStream(analysis: BootAnalysis): StreamOp[] {
  const { boot, replay, report } = analysis;
  const keyed: { at: number; order: number; op: StreamOp }[] = [];
  let order = 0;
  const push = (at: number, op: StreamOp) => keyed.push({ at, order: order++, op });
  const ownerOf = (id: number) => report.owners[id]?.owner;
  const reservationByReserveEvent = new Map<number, number>();
  for (const r of replay.reservations) if (r.origin === 'alloc') reservationByReserveEvent.set(r.eventIndex, r.id);

  for (const r of replay.reservations) {
    if (r.origin === 'alloc' || r.origin === 'doubling') continue;
    // Reservations the log never printed existed before everything it did print.
    const at = r.origin === 'pre-debug' ? -1 : r.eventIndex;
    const verdict = report.owners[r.id];
    const label = verdict?.subsystem ?? functionName(r.caller) ?? verdict?.owner;
    push(at, { kind: 'reserve', line: r.line, base: r.base, size: r.size, label, owner: ownerOf(r.id), origin: r.origin });
  }
  for (const a of replay.allocs) {
    const id = a.reserveEventIndex === undefined ? undefined : reservationByReserveEvent.get(a.reserveEventIndex);
    const caller = functionName(a.request.caller);
    const label = caller && !isAllocatorInternal(caller) ? caller : id !== undefined ? report.owners[id]?.subsystem : caller;
    push(a.eventIndex, {
      kind: 'alloc',
      line: a.line,
      request: { ...requestOf(a.request), label },
      original: a.actual,
      label,
      owner: id !== undefined ? ownerOf(id) : undefined,
    });
  }
  boot.events.forEach((event, index) => {
    if (event.kind === 'free' && !event.inverted) push(index, { kind: 'free', line: event.line, base: event.base, size: event.size });
    else if (event.kind === 'free-late' && !event.inverted) push(index, { kind: 'free-late', line: event.line, base: event.base, size: event.size });
    else if (event.kind === 'bootmem' && event.fn === '__free') {
      const start = hexField(event.fields.start);
      const end = hexField(event.fields.end);
      if (start !== undefined && end !== undefined && end > start) push(index, { kind: 'free', line: event.line, base: start * PAGE, size: (end - start) * PAGE });
    }
  });
  if (replay.handoffIndex >= 0) push(replay.handoffIndex, { kind: 'handoff', line: boot.events[replay.handoffIndex].line });
  keyed.sort((a, b) => a.at - b.at || a.order - b.order);
  return keyed.map((k) => k.op);
}

function hexField(text: string | undefined): bigint | undefined {
  return text !== undefined && /^(0x)?[0-9a-f]+$/i.test(text) ? BigInt(text.startsWith('0x') ? text : '0x' + text) : undefined;
}
