// Splitting a stream of kernel messages into boots, and reading each boot's banner facts.
//
// A boot starts at:
// - `Linux version X` when the boot being read already has a banner (kern.log, a mail quoting two
//   logs). Messages before the first banner stay with it when they are kernel lines: ppc64 and
//   arm print a few lines before the banner (`crashkernel reserved`, `Booting Linux on physical
//   CPU`, `Initializing cgroup subsys`); text with no kernel envelope before it (bootloader, mail
//   prose) is not part of any boot;
// - a boot marker: journal `-- Boot <id> --` / `-- Reboot --`, or `Booting Linux on physical CPU`
//   (arm/arm64 print it before the banner);
// - a kernel clock reset after a gap: a stamp below 1 ms, once the boot's clock passed 1 ms, on a
//   line that does not directly follow the previous kernel line (blank lines or prose between).
//   This separates two pasted runs that both lost their banner (a mail comparing an old and a new
//   kernel). A reset alone is not enough: a secondary CPU or a clocksource switch can print
//   stamps near zero in the middle of a boot (qemu x86_64 `calibrate_delay_direct()` lines).
// Messages before any banner form a boot with truncatedStart=true, as do boots whose first line is
// `** N printk messages dropped **`.

import type { Boot, MemoryEvent, UnreadLine } from '../types';
import { hasAt } from '../util/text';
import { ArchGuess } from './arch';
import type { ReaderRecord } from './join';

/** What the reader tells the recognizers as it learns it. */
export interface MessageContextLike {
  kernelVersion?: string;
  arch?: string;
}

/** The recognizers' side (src/engine/parse/messages), injected so the reader can be tested alone. */
export interface MessageParserLike {
  push(rec: ReaderRecord): { events: MemoryEvent[]; unread: boolean };
  /**
   * push() appending the record's events to `events` instead of returning them (no result object
   * per line); returns the unread verdict. Optional: the reader falls back to push().
   */
  pushTo?(rec: ReaderRecord, events: MemoryEvent[]): boolean;
  end(): MemoryEvent[];
}

export type CreateMessageParser = (ctx: MessageContextLike) => MessageParserLike;

/** Boot.unread keeps this many lines; unreadCount counts all. */
export const UNREAD_KEEP = 200;

const BANNER = /^Linux version (\S+)/;
const BOOTING_MARKER = /^Booting Linux on physical CPU/;
const DROPPED = /^\*\* \d+ printk messages dropped \*\*/;
const CMDLINE = /^(?:Kernel command line|Command line): ?(.*)$/;
/** Below this, a stamp is "the clock has not started yet". */
const CLOCK_START = 1e-3;

/** Events per block of EventBlocks: small enough that a block's array is an ordinary young object. */
const EVENT_BLOCK = 1 << 12;

/**
 * A boot's events, gathered in blocks and joined once at the end: growing one array to a million
 * entries copies (and pages in) ever larger arrays, and leaves up to a third of the last one unused.
 */
class EventBlocks {
  private readonly full: MemoryEvent[][] = [];
  private fullCount = 0;
  private current: MemoryEvent[] = [];

  get length(): number {
    return this.fullCount + this.current.length;
  }

  /** The array to append to. */
  tail(): MemoryEvent[] {
    if (this.current.length >= EVENT_BLOCK) {
      this.full.push(this.current);
      this.fullCount += this.current.length;
      this.current = [];
    }
    return this.current;
  }

  /** All events in order, in one array of exactly their number. */
  all(): MemoryEvent[] {
    if (this.full.length === 0) return this.current;
    return this.full[0]!.concat(...this.full.slice(1), this.current);
  }
}

class UnreadList {
  lines: UnreadLine[] = [];
  count = 0;
  add(line: number, text: string): void {
    this.count++;
    if (this.lines.length < UNREAD_KEEP) this.lines.push({ line, text: text.length > 512 ? text.slice(0, 512) : text });
  }
}

/** One boot being read. */
class BootBuilder {
  readonly ctx: MessageContextLike = {};
  readonly parser: MessageParserLike;
  readonly arch = new ArchGuess();
  readonly events = new EventBlocks();
  kernelVersion?: string;
  cmdline?: string;
  startLine?: number;
  lastKernelLine?: number;
  lastEventLine = 0;
  lastLine = 0;
  kernelLines = 0;
  lastTime = 0;
  /** Started by a marker: the banner that follows belongs here. */
  markerStarted = false;
  droppedAtStart = false;
  /** Unread lines that had a kernel envelope, and those that had none (prose, wrapped tails...). */
  readonly unreadKernel = new UnreadList();
  readonly unreadPlain = new UnreadList();

  constructor(create: CreateMessageParser) {
    this.parser = create(this.ctx);
  }

  get hasContent(): boolean {
    return this.kernelLines > 0 || this.events.length > 0 || this.kernelVersion !== undefined || this.droppedAtStart;
  }

  markContent(line: number): void {
    this.startLine ??= line;
  }
}

export class BootSplitter {
  private readonly boots: Boot[] = [];
  private current: BootBuilder;

  constructor(private readonly create: CreateMessageParser) {
    this.current = new BootBuilder(create);
  }

  /** journalctl `-- Boot <id> --` / `-- Reboot --`. */
  marker(line: number): void {
    this.startAtMarker(line);
  }

  push(rec: ReaderRecord): void {
    let boot = this.current;
    if (this.clockRestarted(boot, rec)) boot = this.startNew();
    const text = rec.text;
    // A plain comparison first: these run on every message and almost never match.
    if (hasAt(text, 0, 'Booting Linux') && BOOTING_MARKER.test(text)) boot = this.startAtMarker(rec.line);
    if (hasAt(text, 0, 'Linux version ')) {
      const banner = BANNER.exec(text);
      if (banner) boot = this.onBanner(rec, banner[1]);
    }
    if (!boot.hasContent && DROPPED.test(text)) {
      boot.droppedAtStart = true;
      boot.markContent(rec.line);
    }
    this.learn(boot, rec);
    this.feed(boot, rec);
  }

  /**
   * A stamp back at zero after a gap in the kernel lines (prose, blank lines: a second pasted run).
   * Without the gap it is not a new boot: a secondary CPU or a clocksource switch can print a few
   * stamps near zero in the middle of a serial log.
   */
  private clockRestarted(boot: BootBuilder, rec: ReaderRecord): boolean {
    if (!rec.kernel || rec.time === undefined || rec.time >= CLOCK_START || boot.lastTime < CLOCK_START) return false;
    return boot.lastKernelLine !== undefined && rec.line > boot.lastKernelLine + 1;
  }

  /** Ends the last boot; returns all boots in file order. */
  end(): Boot[] {
    this.finish(this.current);
    return this.boots;
  }

  private onBanner(rec: ReaderRecord, version: string): BootBuilder {
    let boot = this.current;
    if (boot.kernelVersion !== undefined) boot = this.startNew();
    boot.kernelVersion = version;
    boot.ctx.kernelVersion = version;
    boot.markContent(rec.line);
    boot.arch.fromBanner(rec.text);
    this.publishArch(boot);
    return boot;
  }

  private startAtMarker(line: number): BootBuilder {
    let boot = this.current;
    if (boot.hasContent) boot = this.startNew();
    boot.markerStarted = true;
    boot.startLine = line;
    return boot;
  }

  private startNew(): BootBuilder {
    this.finish(this.current);
    this.current = new BootBuilder(this.create);
    return this.current;
  }

  /** Banner facts: command line and architecture. */
  private learn(boot: BootBuilder, rec: ReaderRecord): void {
    if (boot.cmdline === undefined && (rec.text.startsWith('Command line') || rec.text.startsWith('Kernel command line'))) {
      const m = CMDLINE.exec(rec.text);
      if (m) boot.cmdline = m[1].trim();
    }
    if (boot.arch.confidence !== 'final') {
      boot.arch.fromMessage(rec.text);
      this.publishArch(boot);
    }
  }

  private publishArch(boot: BootBuilder): void {
    if (boot.arch.arch !== undefined) boot.ctx.arch = boot.arch.arch;
  }

  private feed(boot: BootBuilder, rec: ReaderRecord): void {
    const events = boot.events.tail();
    const before = events.length;
    const unread = pushSafely(boot.parser, rec, events);
    for (let i = before; i < events.length; i++) {
      // An event can complete on a later record (a dump ends at the first non-row line): its own span counts.
      const e = events[i]!;
      boot.markContent(e.line);
      boot.lastEventLine = Math.max(boot.lastEventLine, e.endLine);
    }
    if (rec.kernel) {
      boot.kernelLines++;
      boot.markContent(rec.line);
      boot.lastKernelLine = rec.endLine;
      if (rec.time !== undefined && rec.time > boot.lastTime) boot.lastTime = rec.time;
    }
    boot.lastLine = rec.endLine;
    if (unread) (rec.kernel ? boot.unreadKernel : boot.unreadPlain).add(rec.line, rec.text);
  }

  private finish(boot: BootBuilder): void {
    for (const e of endSafely(boot.parser)) {
      boot.markContent(e.line);
      boot.lastEventLine = Math.max(boot.lastEventLine, e.endLine);
      boot.events.tail().push(e);
    }
    if (!boot.hasContent || boot.startLine === undefined) return;
    const unread = unreadOf(boot);
    this.boots.push({
      index: this.boots.length,
      startLine: boot.startLine,
      endLine: endLineOf(boot),
      kernelVersion: boot.kernelVersion,
      arch: boot.arch.arch,
      cmdline: boot.cmdline,
      events: boot.events.all(),
      unread: unread.lines,
      unreadCount: unread.count,
      truncatedStart: boot.kernelVersion === undefined || boot.droppedAtStart,
    });
  }
}

/** The last kernel line or event; in a log without envelopes, the last line read. */
function endLineOf(boot: BootBuilder): number {
  const last = boot.kernelLines > 0 ? Math.max(boot.lastKernelLine ?? 0, boot.lastEventLine) : boot.lastLine;
  return Math.max(boot.startLine ?? 0, last);
}

/**
 * In a boot with kernel envelopes, lines without one are prose, bootloader output or the tails of
 * wrapped lines, so their "unread" verdict is noise. In a log without timestamps every line counts.
 */
function unreadOf(boot: BootBuilder): UnreadList {
  return boot.kernelLines > 0 ? boot.unreadKernel : boot.unreadPlain;
}

/**
 * Appends the record's events to `events` and returns the unread verdict. A recognizer that
 * throws on one odd line must not lose the file: the line counts as unread, and anything it
 * appended before throwing is taken back.
 */
function pushSafely(parser: MessageParserLike, rec: ReaderRecord, events: MemoryEvent[]): boolean {
  const before = events.length;
  try {
    if (parser.pushTo !== undefined) return parser.pushTo(rec, events);
    const result = parser.push(rec);
    for (const e of result.events) events.push(e);
    return result.unread;
  } catch {
    events.length = before;
    return true;
  }
}

function endSafely(parser: MessageParserLike): MemoryEvent[] {
  try {
    return parser.end();
  } catch {
    return [];
  }
}
