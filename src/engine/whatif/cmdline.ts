// The kernel parameters a what-if can change: crashkernel=, cma=, mem=, memmap=.
//
//   crashkernel=SIZE[@OFFSET]  crashkernel=SIZE,high  crashkernel=SIZE,low
//   crashkernel=RANGE:SIZE[,RANGE:SIZE...][@OFFSET]   (RANGE = START-[END], picked by total RAM)
//   cma=SIZE[@BASE]            mem=SIZE (x86: RAM above SIZE is dropped)
//   memmap=SIZE@ADDR (add RAM), memmap=SIZE$ADDR / SIZE#ADDR / SIZE!ADDR (take RAM away: reserved,
//   ACPI, persistent), memmap=exactmap (start from no RAM)

import type { Addr } from '../types';
import { LayoutError, parseSize } from './layout';

export interface CrashkernelParam {
  kind: 'crashkernel';
  text: string;
  /** Fixed size, or a table to choose from by total RAM. */
  size?: Addr;
  table?: { start: Addr; end?: Addr; size: Addr }[];
  offset?: Addr;
  high: boolean;
  low: boolean;
}

export interface CmaParam {
  kind: 'cma';
  text: string;
  size: Addr;
  base?: Addr;
}

export interface MemParam {
  kind: 'mem';
  text: string;
  limit: Addr;
}

export interface MemmapParam {
  kind: 'memmap';
  text: string;
  exactmap?: boolean;
  op?: 'add' | 'remove';
  base?: Addr;
  size?: Addr;
  type?: string;
}

export type WhatIfParam = CrashkernelParam | CmaParam | MemParam | MemmapParam;

/** The parameters of a command line this module understands; others are ignored. */
export function parseWhatIfCmdline(cmdline: string): WhatIfParam[] {
  const out: WhatIfParam[] = [];
  for (const word of cmdline.trim().split(/\s+/)) {
    if (!word) continue;
    const eq = word.indexOf('=');
    if (eq < 0) continue;
    const key = word.slice(0, eq);
    const value = word.slice(eq + 1);
    try {
      if (key === 'crashkernel') out.push(parseCrashkernel(word, value));
      else if (key === 'cma') {
        const [size, base] = value.split('@');
        out.push({ kind: 'cma', text: word, size: parseSize(size), base: base ? parseSize(base) : undefined });
      } else if (key === 'mem') out.push({ kind: 'mem', text: word, limit: parseSize(value) });
      else if (key === 'memmap') out.push(...value.split(',').map((v) => parseMemmap(word, v)));
    } catch (error) {
      throw new LayoutError(`${word}: ${(error as Error).message}`);
    }
  }
  return out;
}

function parseCrashkernel(text: string, value: string): CrashkernelParam {
  let v = value;
  let high = false;
  let low = false;
  if (/,high$/i.test(v)) {
    high = true;
    v = v.replace(/,high$/i, '');
  } else if (/,low$/i.test(v)) {
    low = true;
    v = v.replace(/,low$/i, '');
  }
  const [body, offset] = v.split('@');
  const param: CrashkernelParam = { kind: 'crashkernel', text, high, low, offset: offset ? parseSize(offset) : undefined };
  if (body.includes(':')) {
    param.table = body.split(',').map((entry) => {
      const m = /^([^-]+)-([^:]*):(.+)$/.exec(entry);
      if (!m) throw new LayoutError(`'${entry}' is not START-[END]:SIZE`);
      return { start: parseSize(m[1]), end: m[2] ? parseSize(m[2]) : undefined, size: parseSize(m[3]) };
    });
  } else {
    param.size = parseSize(body);
  }
  return param;
}

function parseMemmap(text: string, value: string): MemmapParam {
  if (value === 'exactmap') return { kind: 'memmap', text, exactmap: true };
  const m = /^([^@$#!]+)([@$#!])(.+)$/.exec(value);
  if (!m) throw new LayoutError(`'${value}' is not SIZE@ADDR, SIZE$ADDR, SIZE#ADDR or SIZE!ADDR`);
  const size = parseSize(m[1]);
  const base = parseSize(m[3]);
  const type = m[2] === '@' ? 'usable' : m[2] === '$' ? 'reserved' : m[2] === '#' ? 'ACPI data' : 'persistent';
  return { kind: 'memmap', text, op: m[2] === '@' ? 'add' : 'remove', base, size, type };
}

/** The crashkernel size a table entry picks for `totalRam` (the entry whose [start, end) holds it). */
export function crashkernelSize(param: CrashkernelParam, totalRam: Addr): Addr | undefined {
  if (param.size !== undefined) return param.size;
  for (const entry of param.table ?? []) {
    if (totalRam >= entry.start && (entry.end === undefined || totalRam < entry.end)) return entry.size;
  }
  return undefined;
}
