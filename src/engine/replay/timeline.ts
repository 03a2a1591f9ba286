// The state at any event, without a copy of the state at every event: start from the nearest
// snapshot the replay kept (one every few thousand state changes) and re-apply the events after it.

import type { Memblock } from '../model/memblock';
import type { Boot, MemoryEvent } from '../types';
import { loadArray } from './checkpoint';
import { applyInferred, applyModelOp, type InferredStep, type ReplayResult } from './replay';
import { Memblock as MemblockClass } from '../model/memblock';
import { modelOptionsFor } from './version';

/** memblock state after boot.events[0..eventIndex] (eventIndex -1 = before the first event). */
export function stateAtEvent(boot: Boot, replay: ReplayResult, eventIndex: number): Memblock {
  const snapshot = nearestSnapshot(replay, eventIndex);
  const model = snapshot ? snapshot.model.clone() : new MemblockClass(modelOptionsFor(boot));
  const from = snapshot ? snapshot.eventIndex + 1 : 0;
  const last = Math.min(eventIndex, boot.events.length - 1);
  const syncs = new Set<number>();
  for (const c of replay.checkpoints) if (c.eventIndex >= from && c.eventIndex <= last && (c.role === 'sync' || c.diffs.length > 0)) syncs.add(c.eventIndex);
  const inferred = new Map<number, InferredStep>();
  for (const s of replay.inferred) if (s.eventIndex >= from && s.eventIndex <= last) inferred.set(s.eventIndex, s);
  for (let i = from; i <= last; i++) {
    if (inferred.size > 0) {
      const step = inferred.get(i);
      if (step) applyInferred(model, step);
    }
    const event = boot.events[i];
    if (event.kind === 'checkpoint') {
      if (syncs.has(i)) adopt(model, event);
    } else {
      applyModelOp(model, event);
    }
  }
  return model;
}

function adopt(model: Memblock, event: Extract<MemoryEvent, { kind: 'checkpoint' }>): void {
  if (event.reserved) loadArray(model, 'reserved', event.reserved, event.hasNid, event.hasFlags);
  if (event.memory) loadArray(model, 'memory', event.memory, event.hasNid, event.hasFlags);
}

function nearestSnapshot(replay: ReplayResult, eventIndex: number) {
  const snapshots = replay.snapshots;
  let lo = 0;
  let hi = snapshots.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (snapshots[mid].eventIndex <= eventIndex) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? snapshots[lo - 1] : undefined;
}

/** Index of the last event completed on or before `line` (1-based), or -1. Events are in file order. */
export function lastEventAtLine(events: readonly MemoryEvent[], line: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid].endLine <= line) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
