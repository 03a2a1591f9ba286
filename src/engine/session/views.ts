// Plain-JSON views of a what-if replay and of a boot comparison, for the Memory Map panel
// (src/protocol/messages.ts WhatIfView / CompareView). Pure TypeScript, no `vscode`.

import type { BootAnalysis } from '../analyze';
import { RangeSet } from '../allocators/rangeset';
import { liveRegions } from '../replay/checkpoint';
import { formatLayout } from '../whatif/layout';
import { nodeRows, ramOfBoot, whatIfBoot, type WhatIfNodeRow, type WhatIfRequestRow, type WhatIfResult } from '../whatif/whatif';
import type { BootDiff } from '../diff/diff';
import { hex } from '../util/hex';
import { MAX_WHATIF_ROWS, type CompareView, type WhatIfNodeView, type WhatIfRequest, type WhatIfRowView, type WhatIfView } from '../../protocol/messages';

const PAGE = 4096n;

/** Replays a boot under `request` and describes the outcome for the panel. Throws LayoutError on bad input. */
export function whatIfView(boot: BootAnalysis, request: WhatIfRequest): WhatIfView {
  const result = whatIfBoot(boot, { model: request.model, layout: request.layout, cmdline: request.cmdline, bottomUp: request.bottomUp });
  const rows = pickRows(result.requests);
  return {
    bootIndex: boot.boot.index,
    model: result.model,
    bottomUp: result.bottomUp,
    layoutSource: result.layoutSource,
    layout: formatLayout(result.layout),
    cmdline: result.cmdline.map((c) => ({ param: c.param, effect: c.effect })),
    measuredAt: result.measuredAt,
    totals: result.totals,
    nodes: nodeViews(loggedNodes(boot), result),
    rows: rows.map(rowView),
    omittedRows: result.requests.length - rows.length,
    notes: result.notes,
  };
}

/** Free memory per node in the logged boot, at its hand-off (else the end of the log). */
function loggedNodes(boot: BootAnalysis): WhatIfNodeRow[] {
  const model = boot.replay.handoff?.model ?? boot.replay.final;
  const taken = new RangeSet();
  for (const r of liveRegions(model, 'reserved')) taken.add(r.base, r.base + r.size);
  return nodeRows(ramOfBoot(boot), taken, PAGE);
}

function nodeViews(before: WhatIfNodeRow[], result: WhatIfResult): WhatIfNodeView[] {
  const nids = [...new Set([...before.map((n) => n.nid), ...result.nodes.map((n) => n.nid)])].sort((a, b) => a - b);
  return nids.map((nid) => {
    const b = before.find((n) => n.nid === nid);
    const a = result.nodes.find((n) => n.nid === nid);
    return {
      nid,
      before: b ? { freeBytes: hex(b.freeBytes), largest: hex(b.largestFreeBlock?.size ?? 0n) } : undefined,
      after: a ? { ramBytes: hex(a.ramBytes), freeBytes: hex(a.freeBytes), largest: hex(a.largestFreeBlock?.size ?? 0n) } : undefined,
    };
  });
}

/** At most MAX_WHATIF_ROWS rows: failed, off-node and moved requests first, then in stream order. */
function pickRows(requests: WhatIfRequestRow[]): WhatIfRequestRow[] {
  if (requests.length <= MAX_WHATIF_ROWS) return requests;
  const rank = (r: WhatIfRequestRow) => (r.failed || r.offNode || r.conflict ? 0 : r.moved ? 1 : 2);
  return [...requests].sort((x, y) => rank(x) - rank(y) || x.index - y.index).slice(0, MAX_WHATIF_ROWS).sort((x, y) => x.index - y.index);
}

function rowView(r: WhatIfRequestRow): WhatIfRowView {
  return {
    index: r.index,
    line: r.line,
    source: r.source,
    label: r.label ?? '?',
    owner: r.owner,
    size: hex(r.size),
    requestedNode: r.requestedNode,
    original: r.original === null ? null : hex(r.original),
    predicted: r.predicted === null ? null : hex(r.predicted),
    physicalNode: r.physicalNode,
    moved: r.moved,
    failed: r.failed,
    offNode: r.offNode,
    localityViolation: r.localityViolation,
    fallback: r.fallback,
    conflict: r.conflict,
  };
}

/** A boot comparison for the panel. `names` are the two files' base names. */
export function compareView(diff: BootDiff, names: { a: string; b: string }, sameLog: boolean, local?: 'a' | 'b'): CompareView {
  const side = (s: { count: number; bytes: bigint; lines: number[] }) => ({ count: s.count, bytes: hex(s.bytes), lines: s.lines });
  const boot = (b: BootDiff['a'], name: string) => ({ name, bootIndex: b.bootIndex, kernelVersion: b.kernelVersion, heldBytes: hex(b.heldBytes), reservations: b.reservations });
  const t = diff.totals;
  const total = (k: keyof typeof t & string) => ({ count: (t[k] as { count: number }).count, bytes: hex((t[k] as { bytes: bigint }).bytes) });
  return {
    a: boot(diff.a, names.a),
    b: boot(diff.b, names.b),
    sameLog,
    local,
    rows: diff.rows.map((r) => ({ owner: r.owner, caller: r.caller, change: r.change, a: side(r.a), b: side(r.b), delta: hex(r.delta) })),
    totals: {
      appeared: total('appeared'),
      disappeared: total('disappeared'),
      grew: total('grew'),
      shrank: total('shrank'),
      same: total('same'),
      netBytes: hex(t.netBytes),
    },
    waterfall: diff.waterfall.map((w) => ({
      label: w.label,
      a: w.a === undefined ? undefined : hex(w.a),
      b: w.b === undefined ? undefined : hex(w.b),
      delta: w.delta === undefined ? undefined : hex(w.delta),
    })),
  };
}
