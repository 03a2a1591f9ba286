// Replays memblock conformance scenarios (/work/shared/conformance, format in its README) on the
// Memblock model and compares the outcome with what the scenario asserts.

import {
  MAX_NUMNODES,
  MEMBLOCK_ALLOC_ACCESSIBLE,
  MEMBLOCK_ALLOC_ANYWHERE,
  MEMBLOCK_ALLOC_NOLEAKTRACE,
  NUMA_NO_NODE,
  PHYS_ADDR_MAX,
  type Addr,
  type Region,
} from './types';
import { hex, parseHex } from './util/hex';
import { Memblock, type MemblockOptionsInput } from './model/memblock';
import type { RegionArray } from './model/regions';

// ---------------------------------------------------------------------------------------------
// Scenario format (only the fields the replay reads; everything else passes through untouched)

type Json = unknown;
export type ScenarioOp = { op: string } & Record<string, Json>;

export interface Scenario {
  id: string;
  setup?: { config?: { numa?: boolean; movable_node?: boolean } } & Record<string, Json>;
  ops: ScenarioOp[];
  expect?: ScenarioExpect;
  inferred_final_state?: InferredState;
  [key: string]: Json;
}

export interface ArrayExpect {
  cnt?: number;
  max?: number;
  total_size?: string;
  regions?: Array<{ index: number; base?: string; size?: string; nid?: Json; flags?: Json }>;
}

export interface ScenarioExpect {
  allocs?: Array<{ op_index: number; addr: string | null; basis?: string }>;
  memory?: ArrayExpect;
  reserved?: ArrayExpect;
  physmem?: ArrayExpect;
  relations?: Array<{ lhs: string; rel: string; rhs: Json }>;
  state?: Record<string, Json>;
  numa_only?: Json;
  all_reserved?: Json;
}

interface InferredArray {
  cnt: number;
  max: number;
  total_size: string;
  regions: Array<{ base: string; size: string; flags?: Json; nid?: Json }>;
}

export interface InferredState {
  memory?: InferredArray;
  reserved?: InferredArray;
  bottom_up?: boolean;
}

/** Constants of the conformance file (used when a single scenario is given alone). */
export interface ScenarioConstants {
  SMP_CACHE_BYTES?: string;
  PAGE_SIZE?: string;
  INIT_MEMBLOCK_REGIONS?: number;
  sizeof_memblock_region?: number;
}

const CONFORMANCE_CONSTANTS: ScenarioConstants = {
  SMP_CACHE_BYTES: '0x20',
  PAGE_SIZE: '0x1000',
  INIT_MEMBLOCK_REGIONS: 128,
  sizeof_memblock_region: 24,
};

// ---------------------------------------------------------------------------------------------
// Result

/** A region in JSON form: hex strings; nid null when the region has no valid node. */
export interface R {
  base: string;
  size: string;
  nid: number | null;
  flags: string;
}

export interface ArraySummary {
  cnt: number;
  max: number;
  total_size: string;
}

export interface CheckResult {
  opIndex: number;
  op: string;
  ok: boolean;
  mismatches: string[];
}

export interface SimulateResult {
  id: string;
  allocs: Array<{ opIndex: number; addr: string | null }>;
  memory: R[];
  reserved: R[];
  arrays: { memory: ArraySummary; reserved: ArraySummary };
  bottomUp: boolean;
  currentLimit: string;
  /** One entry per mid-test assertion op (check, overlaps_region, query_bottom_up) and per op the replay could not run. */
  checks: CheckResult[];
}

/** The state the comparisons read, built from a live model or from a result. */
interface StateView {
  numa: boolean;
  memory: ArrayView;
  reserved: ArrayView;
  bottomUp: boolean;
  currentLimit: Addr;
}

interface ArrayView {
  name: string;
  cnt: number;
  max: number;
  totalSize: Addr;
  regions: Region[];
}

// ---------------------------------------------------------------------------------------------
// Replay

export function simulateScenario(scenario: Scenario, constants: ScenarioConstants = CONFORMANCE_CONSTANTS): SimulateResult {
  const numa = scenario.setup?.config?.numa ?? false;
  const mb = new Memblock(optionsFor(scenario, constants));
  const allocs: SimulateResult['allocs'] = [];
  const checks: CheckResult[] = [];
  scenario.ops.forEach((op, opIndex) => {
    const outcome = runOp(mb, op, numa);
    if (outcome.alloc !== undefined) allocs.push({ opIndex, addr: outcome.alloc });
    if (outcome.mismatches) {
      checks.push({ opIndex, op: op.op, ok: outcome.mismatches.length === 0, mismatches: outcome.mismatches });
    }
  });
  return {
    id: scenario.id,
    allocs,
    memory: mb.memory.regions.map(toR),
    reserved: mb.reserved.regions.map(toR),
    arrays: { memory: summary(mb.memory), reserved: summary(mb.reserved) },
    bottomUp: mb.bottomUp,
    currentLimit: hex(mb.currentLimit),
    checks,
  };
}

/** A file holding one scenario or the whole conformance set ({tests:[...]}); always a list. */
export function simulateFile(json: unknown): SimulateResult[] {
  const data = (typeof json === 'string' ? JSON.parse(json) : json) as Record<string, Json>;
  if (Array.isArray(data.tests)) {
    const constants = { ...CONFORMANCE_CONSTANTS, ...((data.constants as ScenarioConstants) ?? {}) };
    return (data.tests as Scenario[]).map((s) => simulateScenario(s, constants));
  }
  return [simulateScenario(data as unknown as Scenario)];
}

function optionsFor(scenario: Scenario, constants: ScenarioConstants): MemblockOptionsInput {
  const c = { ...CONFORMANCE_CONSTANTS, ...constants };
  return {
    numa: scenario.setup?.config?.numa ?? false,
    movableNode: scenario.setup?.config?.movable_node ?? false,
    rsrvKern: true,
    emptyDummy: false,
    smpCacheBytes: num(c.SMP_CACHE_BYTES),
    pageSize: num(c.PAGE_SIZE),
    initRegions: c.INIT_MEMBLOCK_REGIONS,
    regionStructSize: c.sizeof_memblock_region,
  };
}

interface OpOutcome {
  alloc?: string | null;
  mismatches?: string[];
}

/** A malformed op is reported as a mismatch of that op rather than aborting the replay. */
function runOp(mb: Memblock, op: ScenarioOp, numa: boolean): OpOutcome {
  try {
    return applyOp(mb, op, numa);
  } catch (err) {
    return { mismatches: [`op could not run: ${(err as Error).message}`] };
  }
}

function applyOp(mb: Memblock, op: ScenarioOp, numa: boolean): OpOutcome {
  switch (op.op) {
    case 'reset_regions':
      mb.resetRegions();
      return {};
    case 'reset_attributes':
      mb.bottomUp = false;
      mb.currentLimit = MEMBLOCK_ALLOC_ANYWHERE;
      return {};
    case 'set_bottom_up':
      mb.bottomUp = Boolean(op.value);
      return {};
    case 'allow_resize':
      mb.allowResize = true;
      return {};
    case 'set_current_limit':
      mb.currentLimit = num(op.limit ?? op.value);
      return {};
    case 'add':
    case 'add_node':
      mb.addNode(num(op.base), num(op.size), nidOf(op.nid, MAX_NUMNODES), flagsOf(op.flags));
      return {};
    case 'reserve':
      applyReserve(mb, op);
      return {};
    case 'remove':
      mb.remove(num(op.base), num(op.size));
      return {};
    case 'free':
      mb.free(num(op.base), num(op.size));
      return {};
    case 'alloc':
      return { alloc: applyAlloc(mb, op) };
    case 'trim_memory':
      mb.trimMemory(num(op.align));
      return {};
    case 'set_node':
      mb.setNode(arrayKind(op.type), num(op.base), num(op.size), nidOf(op.nid, MAX_NUMNODES));
      return {};
    case 'set_node_reserved_from_memory':
      mb.setNodeReservedFromMemory();
      return {};
    case 'mark':
    case 'set_flag':
    case 'clear_flag':
      applyFlag(mb, op);
      return {};
    case 'overlaps_region':
      return { mismatches: same('overlaps_region', op.expect, mb.overlaps(arrayKind(op.type), num(op.base), num(op.size))) };
    case 'query_bottom_up':
      return { mismatches: same('bottom_up', op.expect, mb.bottomUp) };
    case 'check':
      return { mismatches: compareExpect(op as ScenarioExpect, viewOfModel(mb, numa), 'check') };
    default:
      return { mismatches: [`unsupported op "${op.op}"`] };
  }
}

function applyReserve(mb: Memblock, op: ScenarioOp): void {
  const base = num(op.base);
  const size = num(op.size);
  if (op.api === 'memblock_reserve_kern') mb.reserveKern(base, size);
  else if (op.api === 'memblock_reserve' && op.nid === undefined) mb.reserve(base, size);
  else mb.reserveExact(base, size, nidOf(op.nid, NUMA_NO_NODE), flagsOf(op.flags));
}

function applyAlloc(mb: Memblock, op: ScenarioOp): string | null {
  const addr = mb.alloc({
    api: String(op.api ?? 'memblock_alloc_try_nid'),
    size: num(op.size),
    align: num(op.align ?? '0x0'),
    from: num(op.min_addr ?? op.start ?? '0x0'),
    maxAddr: num(op.max_addr ?? op.end ?? '0x0'),
    nid: op.nid === null || op.nid === undefined ? null : nidOf(op.nid, NUMA_NO_NODE),
    exactNid: Boolean(op.exact_nid),
  });
  return addr === 0n ? null : hex(addr);
}

function applyFlag(mb: Memblock, op: ScenarioOp): void {
  const set = op.op !== 'clear_flag' && op.set !== false;
  const kind = arrayKind(op.type ?? 'memory');
  if (set) mb.setFlag(kind, num(op.base), num(op.size), flagsOf(op.flag ?? op.flags));
  else mb.clearFlag(kind, num(op.base), num(op.size), flagsOf(op.flag ?? op.flags));
}

// ---------------------------------------------------------------------------------------------
// Comparison

export interface CompareOptions {
  /** Also require the full final arrays to equal `inferred_final_state`. */
  inferred?: boolean;
}

/** Every way `result` differs from what `scenario` asserts (empty when it conforms). */
export function compareResult(result: SimulateResult, scenario: Scenario, options: CompareOptions = {}): string[] {
  const numa = scenario.setup?.config?.numa ?? false;
  const view = viewOfResult(result, numa);
  const out: string[] = [];
  out.push(...compareAllocs(result, scenario));
  if (scenario.expect) out.push(...compareExpect(scenario.expect, view, 'expect'));
  for (const c of result.checks) out.push(...c.mismatches.map((m) => `op ${c.opIndex} (${c.op}): ${m}`));
  if (options.inferred && scenario.inferred_final_state) {
    out.push(...compareInferred(scenario.inferred_final_state, view));
  }
  return out;
}

/** Replays and compares in one go. */
export function checkScenario(scenario: Scenario, options: CompareOptions = {}, constants?: ScenarioConstants) {
  const result = simulateScenario(scenario, constants);
  return { result, mismatches: compareResult(result, scenario, options) };
}

/** Replays and compares every scenario of a file (one scenario or the whole conformance set). */
export function checkFile(json: unknown, options: CompareOptions = {}): Array<{ id: string; mismatches: string[] }> {
  const data = (typeof json === 'string' ? JSON.parse(json) : json) as Record<string, Json>;
  const scenarios = Array.isArray(data.tests) ? (data.tests as Scenario[]) : [data as unknown as Scenario];
  const constants = { ...CONFORMANCE_CONSTANTS, ...((data.constants as ScenarioConstants) ?? {}) };
  return scenarios.map((s) => ({ id: s.id, mismatches: checkScenario(s, options, constants).mismatches }));
}

function compareAllocs(result: SimulateResult, scenario: Scenario): string[] {
  const out: string[] = [];
  const actual = new Map(result.allocs.map((a) => [a.opIndex, a.addr]));
  const expected = new Map<number, string | null>();
  scenario.ops.forEach((op, i) => {
    const e = op.expect as { addr?: string | null } | undefined;
    if (op.op === 'alloc' && e && 'addr' in e) expected.set(i, e.addr ?? null);
  });
  for (const a of scenario.expect?.allocs ?? []) expected.set(a.op_index, a.addr);
  for (const [opIndex, addr] of expected) {
    const got = actual.get(opIndex);
    if (got === undefined) out.push(`alloc op ${opIndex}: not run`);
    else if (!sameAddr(got, addr)) out.push(`alloc op ${opIndex}: expected ${addr}, got ${got}`);
  }
  return out;
}

function compareExpect(expect: ScenarioExpect, view: StateView, where: string): string[] {
  const out: string[] = [];
  for (const kind of ['memory', 'reserved'] as const) {
    const e = expect[kind];
    if (e) out.push(...compareArray(e, view[kind], `${where} ${kind}`));
  }
  for (const rel of expect.relations ?? []) out.push(...compareRelation(rel, view, where));
  if (expect.state) out.push(...compareState(expect.state, view, `${where} state`));
  if (expect.numa_only !== undefined && view.numa) out.push(...compareLoose(expect.numa_only, view, `${where} numa_only`));
  if (expect.all_reserved !== undefined) out.push(...compareAllReserved(expect.all_reserved, view, where));
  return out;
}

function compareArray(e: ArrayExpect, a: ArrayView, label: string): string[] {
  const out: string[] = [];
  if (e.cnt !== undefined && e.cnt !== a.cnt) out.push(`${label}.cnt: expected ${e.cnt}, got ${a.cnt}`);
  if (e.max !== undefined && e.max !== a.max) out.push(`${label}.max: expected ${e.max}, got ${a.max}`);
  if (e.total_size !== undefined && num(e.total_size) !== a.totalSize) {
    out.push(`${label}.total_size: expected ${e.total_size}, got ${hex(a.totalSize)}`);
  }
  for (const r of e.regions ?? []) {
    const got = slotOf(a, r.index);
    if (!got) {
      out.push(`${label}.regions[${r.index}]: missing`);
      continue;
    }
    out.push(...compareRegion(r, got, `${label}.regions[${r.index}]`));
  }
  return out;
}

function compareRegion(e: { base?: string; size?: string; nid?: Json; flags?: Json }, got: Region, label: string): string[] {
  const out: string[] = [];
  if (e.base !== undefined && num(e.base) !== got.base) out.push(`${label}.base: expected ${e.base}, got ${hex(got.base)}`);
  if (e.size !== undefined && num(e.size) !== got.size) out.push(`${label}.size: expected ${e.size}, got ${hex(got.size)}`);
  if (e.flags !== undefined && flagsOf(e.flags) !== got.flags) {
    out.push(`${label}.flags: expected ${String(e.flags)}, got ${hex(BigInt(got.flags))}`);
  }
  if (e.nid !== undefined && jsonNid(e.nid) !== jsonNid(got.nid)) {
    out.push(`${label}.nid: expected ${String(e.nid)}, got ${got.nid}`);
  }
  return out;
}

function compareInferred(inf: InferredState, view: StateView): string[] {
  const out: string[] = [];
  for (const kind of ['memory', 'reserved'] as const) {
    const e = inf[kind];
    if (!e) continue;
    const a = view[kind];
    out.push(...compareArray({ cnt: e.cnt, max: e.max, total_size: e.total_size }, a, `inferred ${kind}`));
    if (e.regions.length !== a.regions.length) {
      out.push(`inferred ${kind}: expected ${e.regions.length} regions, got ${a.regions.length}`);
    }
    e.regions.forEach((r, i) => {
      const got = a.regions[i];
      if (got) out.push(...compareRegion(r, got, `inferred ${kind}.regions[${i}]`));
    });
  }
  if (inf.bottom_up !== undefined && inf.bottom_up !== view.bottomUp) out.push(`inferred bottom_up: expected ${inf.bottom_up}`);
  return out;
}

const RELATIONS: Record<string, (a: bigint, b: bigint) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

function compareRelation(rel: { lhs: string; rel: string; rhs: Json }, view: StateView, where: string): string[] {
  const lhs = toBig(readPath(view, rel.lhs));
  const rhs = toBig(typeof rel.rhs === 'string' && !isLiteral(rel.rhs) ? readPath(view, rel.rhs) : rel.rhs);
  const test = RELATIONS[rel.rel];
  const text = `${where} relation ${rel.lhs} ${rel.rel} ${String(rel.rhs)}`;
  if (!test) return [`${text}: unknown relation`];
  if (lhs === undefined || rhs === undefined) return [`${text}: cannot evaluate`];
  return test(lhs, rhs) ? [] : [`${text}: lhs is ${hex(lhs)}`];
}

function compareState(state: Record<string, Json>, view: StateView, label: string): string[] {
  const out: string[] = [];
  for (const [path, expected] of Object.entries(state)) {
    const got = readPath(view, path);
    if (!sameValue(got, expected)) out.push(`${label} ${path}: expected ${String(expected)}, got ${String(got)}`);
  }
  return out;
}

/** numa_only: either array expectations ({memory, reserved, ...}) or a map of paths to values. */
function compareLoose(value: Json, view: StateView, label: string): string[] {
  if (!value || typeof value !== 'object') return [];
  const v = value as Record<string, Json>;
  if ('memory' in v || 'reserved' in v || 'relations' in v) return compareExpect(v as ScenarioExpect, view, label);
  return compareState(v, view, label);
}

/**
 * all_reserved: facts about every reserved region (memblock_set_node_check). The key names are
 * read loosely: one naming "valid" (every nid is a valid node), one naming "last" (the last
 * region's nid), one naming "other"/"rest" (the nid of all but the last), "nid" (every nid).
 * A key that fits none of these is reported, so a new shape is noticed rather than passed.
 */
function compareAllReserved(value: Json, view: StateView, where: string): string[] {
  if (!value || typeof value !== 'object') return [];
  const rs = view.reserved.regions;
  const out: string[] = [];
  const label = `${where} all_reserved`;
  for (const [key, expected] of Object.entries(value as Record<string, Json>)) {
    const k = key.toLowerCase();
    const pick = /last/.test(k) ? rs.slice(-1) : /other|rest/.test(k) ? rs.slice(0, -1) : rs;
    if (/valid/.test(k)) {
      const valid = rs.every((r) => jsonNid(r.nid) !== null);
      if (valid !== expected) out.push(`${label}.${key}: expected ${String(expected)}, got ${valid}`);
    } else if (/nid|node/.test(k)) {
      const bad = pick.findIndex((r) => jsonNid(r.nid) !== jsonNid(expected));
      if (bad >= 0) out.push(`${label}.${key}: a region has nid ${pick[bad].nid}, expected ${String(expected)}`);
    } else {
      out.push(`${label}.${key}: not understood by the comparer`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Views and paths

function viewOfModel(mb: Memblock, numa: boolean): StateView {
  const arrayView = (a: RegionArray): ArrayView => ({
    name: a.name,
    cnt: a.cnt,
    max: a.max,
    totalSize: a.totalSize,
    regions: a.regions,
  });
  return { numa, memory: arrayView(mb.memory), reserved: arrayView(mb.reserved), bottomUp: mb.bottomUp, currentLimit: mb.currentLimit };
}

function viewOfResult(result: SimulateResult, numa: boolean): StateView {
  const arrayView = (name: string, s: ArraySummary, rs: R[]): ArrayView => ({
    name,
    cnt: s.cnt,
    max: s.max,
    totalSize: num(s.total_size),
    regions: rs.map(fromR),
  });
  return {
    numa,
    memory: arrayView('memory', result.arrays.memory, result.memory),
    reserved: arrayView('reserved', result.arrays.reserved, result.reserved),
    bottomUp: result.bottomUp,
    currentLimit: num(result.currentLimit),
  };
}

function slotOf(a: ArrayView, index: number): Region | undefined {
  if (index === 0 && a.regions.length === 0) return { base: 0n, size: 0n, nid: MAX_NUMNODES, flags: 0 };
  return a.regions[index];
}

/** Reads `memory.cnt`, `reserved.regions[0].end`, `bottom_up`, `current_limit`, `memory.name`... */
function readPath(view: StateView, path: string): Json | bigint {
  const p = path.replace(/^memblock\./, '');
  if (p === 'bottom_up') return view.bottomUp;
  if (p === 'current_limit') return view.currentLimit;
  const m = /^(memory|reserved)\.(\w+)(?:\[(\d+)\]\.(\w+))?$/.exec(p);
  if (!m) return undefined;
  const a = view[m[1] as 'memory' | 'reserved'];
  if (m[3] === undefined) {
    const fields: Record<string, Json | bigint> = { name: a.name, cnt: a.cnt, max: a.max, total_size: a.totalSize };
    return fields[m[2]];
  }
  const r = slotOf(a, Number(m[3]));
  if (!r) return undefined;
  const fields: Record<string, Json | bigint> = { base: r.base, size: r.size, end: r.base + r.size, flags: BigInt(r.flags), nid: jsonNid(r.nid) };
  return fields[m[4]];
}

function sameValue(got: Json | bigint, expected: Json): boolean {
  if (typeof expected === 'boolean' || typeof got === 'boolean') return got === expected;
  if (typeof expected === 'string' && !isLiteral(expected)) return got === expected;
  const a = toBig(got);
  const b = toBig(expected);
  return a !== undefined && a === b;
}

function same(label: string, expected: Json, got: boolean): string[] {
  return expected === undefined || expected === got ? [] : [`${label}: expected ${String(expected)}, got ${got}`];
}

// ---------------------------------------------------------------------------------------------
// Value conversions

function isLiteral(text: string): boolean {
  return /^-?(0x[0-9a-fA-F]+|[0-9]+)$/.test(text);
}

function toBig(v: Json | bigint): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && isLiteral(v)) return v.startsWith('-') ? -num(v.slice(1)) : num(v);
  return undefined;
}

/** Symbolic values the conformance format may use instead of numbers. */
const SYMBOLS: Record<string, bigint> = {
  PHYS_ADDR_MAX,
  MEMBLOCK_ALLOC_ANYWHERE,
  MEMBLOCK_ALLOC_ACCESSIBLE,
  MEMBLOCK_ALLOC_NOLEAKTRACE,
  MEMBLOCK_LOW_LIMIT: 0n,
  ARCH_LOW_ADDRESS_LIMIT: 0xffffffffn,
};

/** A hex string ("0x…"), a decimal string, a symbolic constant or a number, as bigint. */
function num(v: Json): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'string') {
    if (v in SYMBOLS) return SYMBOLS[v];
    const parsed = /^0x/i.test(v) ? parseHex(v) : /^[0-9]+$/.test(v) ? BigInt(v) : undefined;
    if (parsed !== undefined) return parsed;
  }
  throw new Error(`not a number: ${JSON.stringify(v)}`);
}

function nidOf(v: Json, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (v === 'MAX_NUMNODES') return MAX_NUMNODES;
  if (v === 'NUMA_NO_NODE') return NUMA_NO_NODE;
  return typeof v === 'number' ? v : Number(v);
}

/** The JSON form of a node: null when it is not a valid node (MAX_NUMNODES, NUMA_NO_NODE). */
function jsonNid(v: Json): number | null {
  const n = nidOf(v, NUMA_NO_NODE);
  return n >= 0 && n < MAX_NUMNODES ? n : null;
}

function flagsOf(v: Json): number {
  if (v === undefined || v === null) return 0;
  return Number(num(v));
}

function sameAddr(got: string | null, expected: string | null): boolean {
  if (got === null || expected === null) return got === expected;
  return num(got) === num(expected);
}

function arrayKind(v: Json): 'memory' | 'reserved' {
  return String(v).includes('reserved') ? 'reserved' : 'memory';
}

function toR(r: Region): R {
  return { base: hex(r.base), size: hex(r.size), nid: jsonNid(r.nid), flags: hex(BigInt(r.flags)) };
}

function fromR(r: R): Region {
  return { base: num(r.base), size: num(r.size), nid: r.nid ?? MAX_NUMNODES, flags: flagsOf(r.flags) };
}

function summary(a: RegionArray): ArraySummary {
  return { cnt: a.cnt, max: a.max, total_size: hex(a.totalSize) };
}
