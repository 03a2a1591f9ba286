// The engine's front door: log text in, per-boot reconstruction out. Used by the CLI, the tests, the
// extension host and (without the Node file reader) a web worker.

import { parseText } from './parse/index';
import type { Boot, ParseResult, Region } from './types';
import { replayBoot, type ReplayResult } from './replay/replay';
import { isLegacyBoot, replayLegacyBoot } from './replay/legacy';
import { buildTopology, type Topology } from './topology';
import { lastEventAtLine, stateAtEvent } from './replay/timeline';
import { liveRegions } from './replay/checkpoint';
import { analyzeBoot, type BootReport } from './analysis/index';

export interface BootAnalysis {
  boot: Boot;
  replay: ReplayResult;
  topology: Topology;
  report: BootReport;
}

export interface Analysis {
  parse: ParseResult;
  boots: BootAnalysis[];
}

export function analyzeParsed(parse: ParseResult): Analysis {
  return { parse, boots: parse.boots.map(analyzeOneBoot) };
}

export function analyzeText(text: string): Analysis {
  return analyzeParsed(parseText(text));
}

function analyzeOneBoot(boot: Boot): BootAnalysis {
  // bootmem / early_res / memblock_x86 boots get the legacy replay (same result shape).
  const replay = isLegacyBoot(boot) ? replayLegacyBoot(boot) : replayBoot(boot);
  const topology = buildTopology(boot.events, liveRegions(replay.final, 'memory'));
  return { boot, replay, topology, report: analyzeBoot(boot, replay, topology) };
}

/** The boot a 1-based line belongs to: the last boot starting at or before it. */
export function bootAtLine(analysis: Analysis, line: number): BootAnalysis | undefined {
  let found: BootAnalysis | undefined;
  for (const boot of analysis.boots) {
    if (boot.boot.startLine <= line) found = boot;
  }
  return found;
}

export interface StateAtLine {
  bootIndex: number;
  /** Index of the last event applied (-1: none yet). */
  eventIndex: number;
  memory: Region[];
  reserved: Region[];
}

/** memblock state after lines 1..line of the file. Before the first boot: empty arrays. */
export function stateAtLine(analysis: Analysis, line: number): StateAtLine {
  const boot = bootAtLine(analysis, line);
  if (!boot) return { bootIndex: -1, eventIndex: -1, memory: [], reserved: [] };
  const eventIndex = lastEventAtLine(boot.boot.events, line);
  const model = stateAtEvent(boot.boot, boot.replay, eventIndex);
  return {
    bootIndex: boot.boot.index,
    eventIndex,
    memory: liveRegions(model, 'memory'),
    reserved: liveRegions(model, 'reserved'),
  };
}
