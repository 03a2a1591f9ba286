// Envelope stripping (printk-formats.md section 1): everything around a kernel message that a
// transport, a log tool or a mail client added. Layers are optional and combine; they are peeled
// in the order they are added from the outside in:
//
//   transport noise (NULs, ANSI escapes, control chars)  →  forum markup  →  JSON string quoting
//   →  mail quote `> `  →  LAVA line number + clock  →  syslog/journal prefix  →  dmesg -x / <N> /
//   -T / -e / iso  →  /dev/kmsg record header  →  kernel timestamp  →  caller id / vendor groups
//
// Quoted-printable is decoded before any of this, by QuotedPrintable (it changes line breaks).
//
// Speed matters (a million-line dmesg must cost little more than splitting it), so the common
// shape `[    0.000000] msg` is read by a hand-written scanner, and regexes only run when the first
// character says they might match.

import { hasAt } from '../util/text';
import { SYSLOG_NO, SYSLOG_UNSURE, SyslogShortScanner } from './syslog';

/** One logical line after its envelope was removed. */
export interface Stripped {
  /** Physical span and written length, filled in by the reader (declared here to keep one object shape). */
  line: number;
  endLine: number;
  rawLength: number;
  /** The kernel message: leading blanks and trailing whitespace removed, inner TABs kept. */
  text: string;
  /** Kernel time in seconds (`[    1.234567]` or a kmsg record's microseconds). */
  time?: number;
  /** The line carried a kernel envelope of its own (timestamp, syslog `kernel:`, kmsg header, dmesg prefix...). */
  kernel: boolean;
  /** Number of mail quote markers (`> > ` is 2). */
  quoteDepth: number;
  /** The line ended with a space: a format=flowed soft break, or a line cut where a space was. */
  softBreak: boolean;
  /** The message started with a blank before trimming (matters when a terminal wrap is re-joined). */
  leadingBlank: boolean;
  /** Not a message at all: kmsg dictionary lines, pager prompts, journal banners, other programs' syslog lines. */
  skip: boolean;
  /** journalctl boot separators (`-- Boot <id> --`, `-- Reboot --`). */
  marker?: 'boot' | 'reboot';
}

const SPACE = 32;
const TAB = 9;
const LBRACKET = 91;
const RBRACKET = 93;
const GT = 62;
const LT = 60;
const DOT = 46;
const QUOTE = 34;
const DASH = 45;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

// --- transport -------------------------------------------------------------------------------

/** CSI (incl. private `=3h`), OSC, DCS/PM/APC strings, two-char escapes (`ESC c`, `ESC 7`...). */
const ANSI = /\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[ -/]*[0-~]?)/g;
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f]/g;

// --- prefixes (sticky regexes, matched at a position without slicing) -------------------------

/** KernelCI/LAVA: ` 1839 17:54:41.406548  `. */
const LAVA = / *\d+ +\d\d:\d\d:\d\d\.\d+ +/y;
/** /dev/kmsg: `6,1234,5678901,-[,caller=T0];`. */
const KMSG = /(\d{1,4}),(\d+),(\d+),([^;,]*)(?:,[^;]*)?;/y;
/** `<6>`: dmesg -r, or pre-3.5 /proc/kmsg text. */
const RAW_LEVEL = /<\d{1,3}>/y;
/** dmesg -x: `kern  :info  : `. */
const DMESG_X = /(?:kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|local[0-7]) *:(?:emerg|alert|crit|err|warn|notice|info|debug) *: ?/y;
/** dmesg -T (ctime, possibly localised): `[Wed May  8 08:20:04 2024]`. */
const DMESG_T = /\[\S+ +\S+ +\d{1,2} \d\d:\d\d:\d\d \d{4}\]/y;
/** dmesg -e/-H: `[May 8 08:20]` then `[  +0.000010]`. */
const DMESG_E = /\[(?:\S+ {1,2}\d{1,2} \d\d:\d\d| *\+\d+\.\d+|<? *\+?\d+\.\d+ *>)\]/y;
/** dmesg --time-format iso: `2024-05-08T08:20:04,123456+00:00 ` (comma fraction, no host). */
const DMESG_ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d,\d+(?:Z|[+-]\d\d:?\d\d)? /y;
/**
 * syslog / journalctl short and short-precise: `Nov 23 10:00:00 host ident[pid]: `. Month names can be
 * localised (`gen`, `janv.`, `Mär`, `5月`), and some locales put the day first, so the date is two
 * free tokens. A host ending in `:` is a message (`ACPI: SRAT:`), not a host.
 */
const SYSLOG_SHORT = /(\S{1,12}) +(\S{1,12}) +\d\d:\d\d:\d\d(?:[.,]\d{1,9})? +(\S*[^\s:]) +([^\s:[]+)(?:\[\d+\])?:(?: |$)/y;
/** journalctl short-iso(-precise): `2024-11-23T10:00:00+0000 host kernel: `. */
const SYSLOG_ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)? +(\S*[^\s:]) +([^\s:[]+)(?:\[\d+\])?:(?: |$)/y;
/** After a kernel timestamp, journalctl short-monotonic: `host kernel: `. */
const MONOTONIC_HOST = /(\S*[^\s:]) +([^\s:[]+)(?:\[\d+\])?:(?: |$)/y;
/** Caller id after a space (`] [    T0]`), and vendor groups (`[0:      swapper:    0]`, `[ cpu0]`). */
const SPACED_GROUP = / {1,2}\[(?: *[TC]\d{1,7}| *\d{1,4}: *[^\]]{1,40}| *[Cc][Pp][Uu] ?\d{1,4})\]/y;
/** A kernel timestamp anywhere, for lines where bootloader junk was glued in front of it. */
const GLUED_TIMESTAMP = /\[ {0,12}\d{1,9}\.\d{6}\](?= |$|\[)/g;

/** kmsg dictionary line: ` SUBSYSTEM=pci`. */
const KMSG_DICT = /^ [A-Z0-9_]+=/;
/** journalctl banners: `-- Logs begin at …--`, `-- Boot 3f2a… --`, `-- Reboot --`, `-- No entries --`. */
const JOURNAL_BANNER = /^-- (.*) --$/;
/** less / journalctl pager prompt left at the end of a pasted screen. */
const PAGER_PROMPT = /^(?:lines \d+-\d+(?:\/\d+)?(?: \d+%)?(?: \(END\))?|\(END\))$/;
/** Forum BBCode tags. */
const BBCODE = /\[\/?(?:COLOR|FONT|SIZE|B|I|U|S|CODE|QUOTE|HTML|PHP|INDENT|LEFT|CENTER|RIGHT|HIGHLIGHT|NOPARSE|PLAIN|SPOILER|TT|PRE|LIST|URL|EMAIL)(?:=[^\]]*)?\]/gi;
const BBCODE_PROBE = /\[\/?(?:COLOR|FONT|SIZE|B|I|U|S|CODE|QUOTE|HTML|PHP|INDENT|LEFT|CENTER|RIGHT|HIGHLIGHT|NOPARSE|PLAIN|SPOILER|TT|PRE|LIST|URL|EMAIL)(?:=[^\]]*)?\]/i;
const KMSG_ESCAPE = /\\x[0-9a-fA-F]{2}/;

/**
 * Strips envelopes line by line. Stateful only where a format says so: kmsg dictionary lines follow
 * a kmsg record, and journalctl short-monotonic marks other programs' lines only once seen.
 */
export class EnvelopeStripper {
  /** Envelope layers seen, for ParseResult.envelopes. */
  readonly layers = new Set<string>();
  private kmsgSeen = false;
  private monotonicJournal = false;

  // Per-call scratch, to avoid allocating a context object per line.
  private pos = 0;
  private time: number | undefined = undefined;
  private kernel = false;
  private quoteDepth = 0;
  private readonly syslogShort = new SyslogShortScanner();
  private readonly recentLayers: string[] = [];
  private recentNext = 0;

  strip(raw: string): Stripped {
    const out = blankStripped();
    this.stripInto(raw, out);
    return out;
  }

  /**
   * strip() into an object the caller owns: the reader reuses one for every line, so stripping
   * allocates nothing but the message text (a million-line log would otherwise make a million
   * short-lived result objects). Every field is written, `line`/`endLine`/`rawLength` excepted.
   */
  stripInto(raw: string, out: Stripped): void {
    let line = raw;
    this.pos = 0;
    this.time = undefined;
    this.kernel = false;
    this.quoteDepth = 0;
    out.marker = undefined;
    if (line.length === 0) return this.result(out, line, 0, false);
    // indexOf is a native scan; a regex over every line would cost more than all the rest.
    if (line.indexOf('\x1b') >= 0 || line.indexOf('\0') >= 0 || line.charCodeAt(0) < 32) line = this.cleanTransport(line);
    if (this.kmsgSeen && line.charCodeAt(0) === SPACE && KMSG_DICT.test(line)) return this.skipped(out);

    // Closing tags sit at the end (`…[/COLOR]`), opening ones at the start.
    if ((line.charCodeAt(line.length - 1) === RBRACKET && line.indexOf('[/') >= 0) || startsWithTag(line)) {
      line = this.stripForumMarkup(line);
    }
    if (firstNonBlank(line) === QUOTE) line = this.unquoteJson(line);

    if (line.charCodeAt(0) === GT) this.stripMailQuote(line);
    if (this.journalLine(line, out)) return;
    if (!this.stripPrefixes(line)) return this.skipped(out);
    if (!this.kernel) this.findGluedTimestamp(line);
    const softBreak = line.charCodeAt(line.length - 1) === SPACE;
    if (this.kmsgSeen && line.indexOf('\\x', this.pos) >= 0) {
      const text = unescapeKmsg(line.slice(this.pos));
      return this.result(out, text, 0, softBreak);
    }
    this.result(out, line, this.pos, softBreak);
  }

  /** The message is `line` from `from` on, trimmed; sliced once. */
  private result(out: Stripped, line: string, from: number, softBreak: boolean): void {
    const c = line.charCodeAt(from);
    out.text = trimMessage(line, from);
    out.leadingBlank = c === SPACE || c === TAB;
    out.time = this.time;
    out.kernel = this.kernel;
    out.quoteDepth = this.quoteDepth;
    out.softBreak = softBreak;
    out.skip = false;
  }

  private skipped(out: Stripped): void {
    out.text = '';
    out.leadingBlank = false;
    out.time = undefined;
    out.kernel = false;
    out.quoteDepth = 0;
    out.softBreak = false;
    out.skip = true;
  }

  private cleanTransport(line: string): string {
    if (line.indexOf('\x1b') >= 0) {
      this.addLayer('ansi');
      line = line.replace(ANSI, '');
    }
    if (line.indexOf('\0') >= 0) this.addLayer('nul');
    return line.replace(CONTROLS, '');
  }

  /** `"BIOS-e820: [mem …] usable",`: a log pasted as a JSON array of strings. */
  private unquoteJson(line: string): string {
    const trimmed = line.trim();
    const end = trimmed.endsWith('",') ? trimmed.length - 1 : trimmed.length;
    if (end < 2 || trimmed.charCodeAt(end - 1) !== QUOTE) return line;
    try {
      const value: unknown = JSON.parse(trimmed.slice(0, end));
      if (typeof value !== 'string') return line;
      this.addLayer('json');
      return value;
    } catch {
      return line;
    }
  }

  private stripForumMarkup(line: string): string {
    if (!BBCODE_PROBE.test(line)) return line;
    this.addLayer('forum-markup');
    return line.replace(BBCODE, '');
  }

  /** `> `, `>> `, `> > `, `>   ` (quote then indentation: one space belongs to each marker). */
  private stripMailQuote(line: string): void {
    let i = 0;
    let depth = 0;
    for (;;) {
      if (line.charCodeAt(i) === GT) {
        depth++;
        i++;
        if (line.charCodeAt(i) === SPACE) i++;
        continue;
      }
      let j = i;
      while (line.charCodeAt(j) === SPACE) j++;
      if (j > i && line.charCodeAt(j) === GT) {
        i = j;
        continue;
      }
      break;
    }
    this.quoteDepth = depth;
    this.pos = i;
    this.addLayer('mail-quote');
  }

  /** Journal banners and pager prompts: fills `out` (skip, or a boot marker) and returns true. */
  private journalLine(line: string, out: Stripped): boolean {
    const c = line.charCodeAt(this.pos);
    if (c === DASH && line.charCodeAt(this.pos + 1) === DASH) {
      const m = JOURNAL_BANNER.exec(line.slice(this.pos));
      if (!m) return false;
      this.addLayer('journal-marker');
      const marker = /^Reboot$/.test(m[1]) ? 'reboot' : /^Boot [0-9a-f]{6,}$/.test(m[1]) ? 'boot' : undefined;
      this.skipped(out);
      out.skip = !marker;
      out.marker = marker;
      return true;
    }
    if (c === 108 /* l */ || c === 40 /* ( */) {
      if (PAGER_PROMPT.test(line.slice(this.pos))) {
        this.addLayer('pager');
        this.skipped(out);
        return true;
      }
    }
    return false;
  }

  /** Peels the prefixes in order. Returns false for a line that is not a kernel message (another program's syslog line). */
  private stripPrefixes(line: string): boolean {
    const bare = this.pos;
    this.skipBlanks(line);
    const afterBlanks = this.pos;
    const ok = this.stripPrefixLayers(line);
    // Nothing peeled: give the blanks back so a re-joined terminal wrap keeps its space.
    if (this.pos === afterBlanks && !this.kernel) this.pos = bare;
    return ok;
  }

  private stripPrefixLayers(line: string): boolean {
    if (isDigit(line.charCodeAt(this.pos))) {
      if (this.match(LAVA, line)) this.addKernelLayer('lava');
    }
    const c = line.charCodeAt(this.pos);
    if (c !== LBRACKET && c !== LT) {
      const syslog = this.stripSyslog(line);
      if (syslog === 'foreign') return false;
      if (syslog === 'none') this.stripDmesgWord(line);
    }
    if (line.charCodeAt(this.pos) === LT && this.match(RAW_LEVEL, line)) this.addKernelLayer('dmesg-raw');
    if (isDigit(line.charCodeAt(this.pos)) && this.stripKmsg(line)) return true;
    return this.stripBrackets(line);
  }

  /** syslog short/precise/iso. */
  private stripSyslog(line: string): 'kernel' | 'foreign' | 'none' {
    if (!isDigit(line.charCodeAt(this.pos))) {
      // The scanner decides lines of printable ASCII (all of a kern.log) without running the regex.
      const end = this.syslogShort.scan(line, this.pos);
      if (end === SYSLOG_NO) return 'none';
      if (end !== SYSLOG_UNSURE) return this.acceptSyslog(line, 'syslog', this.syslogShort.kernel, end);
    }
    const re = isDigit(line.charCodeAt(this.pos)) ? SYSLOG_ISO : SYSLOG_SHORT;
    re.lastIndex = this.pos;
    const m = re.exec(line);
    if (!m) return 'none';
    const ident = re === SYSLOG_ISO ? m[2] : m[4];
    return this.acceptSyslog(line, re === SYSLOG_ISO ? 'journalctl-iso' : 'syslog', ident === 'kernel', re.lastIndex);
  }

  /** A syslog prefix ending at `end`: only the kernel's lines are kept. */
  private acceptSyslog(line: string, layer: string, kernel: boolean, end: number): 'kernel' | 'foreign' {
    this.addLayer(layer);
    if (!kernel) return 'foreign';
    this.pos = end;
    this.kernel = true;
    this.skipBlanks(line);
    return 'kernel';
  }

  /** dmesg -x facility:level, and dmesg --time-format iso. */
  private stripDmesgWord(line: string): void {
    const c = line.charCodeAt(this.pos);
    if (c >= 97 && c <= 122 && this.match(DMESG_X, line)) this.addKernelLayer('dmesg-x');
    else if (isDigit(c) && this.match(DMESG_ISO, line)) this.addKernelLayer('dmesg-iso');
    this.skipBlanks(line);
  }

  private stripKmsg(line: string): boolean {
    KMSG.lastIndex = this.pos;
    const m = KMSG.exec(line);
    if (!m) return false;
    this.pos = KMSG.lastIndex;
    this.time = Number(m[3]) / 1e6;
    this.kmsgSeen = true;
    this.addKernelLayer('kmsg');
    return true;
  }

  /** Kernel timestamp, dmesg -T/-e stamps, caller ids and vendor groups. */
  private stripBrackets(line: string): boolean {
    if (line.charCodeAt(this.pos) !== LBRACKET) return true;
    const end = this.scanTimestamp(line, this.pos);
    if (end > 0) {
      this.pos = end;
      this.addKernelLayer('timestamp');
      this.stripGroups(line);
      if (!this.stripMonotonicHost(line)) return false;
    } else {
      const next = line.charCodeAt(this.pos + 1);
      if (next !== SPACE && !isDigit(next) && next !== 43 /* + */ && next !== LT) {
        if (this.match(DMESG_T, line)) this.addKernelLayer('dmesg-T');
        else if (this.match(DMESG_E, line)) this.addKernelLayer('dmesg-e');
      } else if (this.match(DMESG_E, line)) {
        this.addKernelLayer('dmesg-e');
      } else if (this.stripCallerOnly(line)) {
        this.addKernelLayer('caller-id');
      }
      if (this.kernel) this.stripGroups(line);
    }
    return true;
  }

  /**
   * `[    0.000000]`, `[ 3.497924]` (collapsed), `[12345.678901]`, and dmesg -d `[    0.000000 <    0.000000>]`.
   * Returns the index after `]`, or -1. Hand-written: this runs on nearly every line.
   */
  private scanTimestamp(line: string, start: number): number {
    let i = start + 1;
    let c = line.charCodeAt(i);
    while (c === SPACE) c = line.charCodeAt(++i);
    const intStart = i;
    let seconds = 0;
    while (isDigit(c)) {
      seconds = seconds * 10 + (c - 48);
      c = line.charCodeAt(++i);
    }
    if (i === intStart || c !== DOT) return -1;
    c = line.charCodeAt(++i);
    const fracStart = i;
    let frac = 0;
    while (isDigit(c)) {
      frac = frac * 10 + (c - 48);
      c = line.charCodeAt(++i);
    }
    const digits = i - fracStart;
    if (digits === 0 || digits > 9) return -1;
    if (c === SPACE && line.charCodeAt(i + 1) === LT) {
      const close = line.indexOf('>]', i);
      if (close < 0 || close - i > 24) return -1;
      this.addLayer('dmesg-d');
      i = close + 1;
      c = RBRACKET;
    }
    if (c !== RBRACKET) return -1;
    this.time = seconds + frac / POW10[digits];
    this.kernel = true;
    return i + 1;
  }

  /** `[    T0] msg` without a timestamp (printk.time=0 with CONFIG_PRINTK_CALLER). */
  private stripCallerOnly(line: string): boolean {
    let i = this.pos + 1;
    while (line.charCodeAt(i) === SPACE) i++;
    const c = line.charCodeAt(i);
    if (c !== 84 /* T */ && c !== 67 /* C */) return false;
    let j = i + 1;
    while (isDigit(line.charCodeAt(j))) j++;
    if (j === i + 1 || line.charCodeAt(j) !== RBRACKET) return false;
    this.pos = j + 1;
    return true;
  }

  /** Groups glued to the stamp (`][    T0]`, vendor `][cpu0]`), and recognised groups after one space. */
  private stripGroups(line: string): void {
    for (;;) {
      if (line.charCodeAt(this.pos) === LBRACKET && line.charCodeAt(this.pos + 1) !== LT) {
        const close = line.indexOf(']', this.pos + 1);
        if (close < 0 || close - this.pos > 48) return;
        this.addLayer(isCallerGroup(line, this.pos + 1, close) ? 'caller-id' : 'vendor-prefix');
        this.pos = close + 1;
        continue;
      }
      if (line.charCodeAt(this.pos) === SPACE) {
        // A group opens one or two characters on (`] [    T0]`, `]  [0: swapper: 0]`).
        const at = line.charCodeAt(this.pos + 1) === LBRACKET ? this.pos + 1 : line.charCodeAt(this.pos + 2) === LBRACKET ? this.pos + 2 : -1;
        if (at > 0 && this.match(SPACED_GROUP, line)) {
          this.addLayer(isCallerGroup(line, at + 1, this.pos - 1) ? 'caller-id' : 'vendor-prefix');
          continue;
        }
      }
      return;
    }
  }

  /** journalctl -o short-monotonic: `[    0.000000] host kernel: msg`. */
  private stripMonotonicHost(line: string): boolean {
    let i = this.pos;
    while (line.charCodeAt(i) === SPACE) i++;
    const space = line.indexOf(' ', i);
    if (space < 0) return true;
    const looksKernel = hasAt(line, space + 1, 'kernel') && (line.charCodeAt(space + 7) === 58 /* : */ || line.charCodeAt(space + 7) === LBRACKET);
    if (!looksKernel && !this.monotonicJournal) return true;
    MONOTONIC_HOST.lastIndex = i;
    const m = MONOTONIC_HOST.exec(line);
    if (!m) return true;
    if (m[2] !== 'kernel') return !this.monotonicJournal;
    this.monotonicJournal = true;
    this.addLayer('journalctl-monotonic');
    this.pos = MONOTONIC_HOST.lastIndex;
    return true;
  }

  /** Bootloader output glued in front of the first kernel line (`Probing EDD... o[    0.000000] Linux version`). */
  private findGluedTimestamp(line: string): void {
    const from = line.indexOf('[', this.pos + 1);
    if (from < 0) return;
    GLUED_TIMESTAMP.lastIndex = from;
    const m = GLUED_TIMESTAMP.exec(line);
    if (!m) return;
    const end = this.scanTimestamp(line, m.index);
    if (end < 0) return;
    this.addLayer('glued-junk');
    this.addKernelLayer('timestamp');
    this.pos = end;
    this.stripGroups(line);
  }

  private match(re: RegExp, line: string): boolean {
    re.lastIndex = this.pos;
    if (!re.test(line)) return false;
    this.pos = re.lastIndex;
    return true;
  }

  private addKernelLayer(name: string): void {
    this.kernel = true;
    this.addLayer(name);
  }

  /**
   * layers.add, skipped for a name added lately: every line of a log adds the same one or two
   * layers, and comparing interned names is cheaper than hashing them into the set again.
   * (Layers are never removed, so a name in recentLayers is always in the set.)
   */
  private addLayer(name: string): void {
    const recent = this.recentLayers;
    for (let i = 0; i < recent.length; i++) if (recent[i] === name) return;
    this.layers.add(name);
    if (recent.length < RECENT_LAYERS) recent.push(name);
    else recent[this.recentNext++ % RECENT_LAYERS] = name;
  }

  private skipBlanks(line: string): void {
    let i = this.pos;
    let c = line.charCodeAt(i);
    while (c === SPACE || c === TAB) c = line.charCodeAt(++i);
    this.pos = i;
  }
}

const RECENT_LAYERS = 4;

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

function firstNonBlank(line: string): number {
  let i = 0;
  let c = line.charCodeAt(0);
  while (c === SPACE || c === TAB) c = line.charCodeAt(++i);
  return c;
}

/** `[CODE]…`, `[COLOR=…]…`: a tag at the start (letters, then `]` or `=`). `[Tue Nov  4 …]` is not one. */
function startsWithTag(line: string): boolean {
  if (line.charCodeAt(0) !== LBRACKET) return false;
  let i = 1;
  let c = line.charCodeAt(1);
  while ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) c = line.charCodeAt(++i);
  return i > 1 && (c === RBRACKET || c === 61);
}

function isCallerGroup(line: string, from: number, to: number): boolean {
  let i = from;
  while (line.charCodeAt(i) === SPACE) i++;
  const c = line.charCodeAt(i);
  if (c !== 84 && c !== 67) return false;
  for (i++; i < to; i++) if (!isDigit(line.charCodeAt(i))) return false;
  return true;
}

/**
 * `text` from `from` on without leading and trailing spaces and TABs (recognizers match from the
 * first word); TABs inside stay (dump rows). One slice, however much is cut.
 */
function trimMessage(text: string, from: number): string {
  let start = from;
  let c = text.charCodeAt(start);
  while (c === SPACE || c === TAB) c = text.charCodeAt(++start);
  let end = text.length;
  c = text.charCodeAt(end - 1);
  while (end > start && (c === SPACE || c === TAB)) c = text.charCodeAt(--end - 1);
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** A Stripped with every field present, so all of them share one hidden class. */
export function blankStripped(): Stripped {
  return { line: 0, endLine: 0, rawLength: 0, text: '', time: undefined, kernel: false, quoteDepth: 0, softBreak: false, leadingBlank: false, skip: false, marker: undefined };
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Decodes runs of `\xNN` (kmsg) or `=NN` (QP) byte escapes as UTF-8. */
function decodeByteEscapes(text: string, escape: RegExp, width: number): string {
  let out = '';
  let last = 0;
  escape.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = escape.exec(text)) !== null) {
    const run = m[0];
    const bytes = new Uint8Array(run.length / width);
    for (let k = 0; k < bytes.length; k++) bytes[k] = parseInt(run.slice(k * width + width - 2, k * width + width), 16);
    out += text.slice(last, m.index) + utf8.decode(bytes);
    last = m.index + run.length;
  }
  return last === 0 ? text : out + text.slice(last);
}

const KMSG_RUN = /(?:\\x[0-9a-fA-F]{2})+/g;
const QP_RUN = /(?:=[0-9A-F]{2})+/g;

/** /dev/kmsg escapes every byte outside printable ASCII (and the backslash) as `\xNN`. */
export function unescapeKmsg(text: string): string {
  return KMSG_ESCAPE.test(text) ? decodeByteEscapes(text, KMSG_RUN, 4) : text;
}

/** Quoted-printable `=3D`, `=20`, `=E2=80=A6` → text. */
export function decodeQuotedPrintable(text: string): string {
  return text.indexOf('=') < 0 ? text : decodeByteEscapes(text, QP_RUN, 3);
}

// --- quoted-printable ------------------------------------------------------------------------

/** Receives a line (or several joined by QP soft breaks) with its physical span. */
export type LogicalLineSink = (text: string, line: number, endLine: number) => void;

/** QP soft breaks never build a line longer than the splitter's cap. */
const MAX_JOINED = 64 * 1024;

/** Every `=` is an escape or the final soft break, and there is at least one escape. */
const QP_BAD_EQUALS = /=(?![0-9A-F]{2}|$)/;
const QP_ESCAPE = /=[0-9A-F]{2}/;
const QP_HEADER = /^Content-Transfer-Encoding:\s*quoted-printable\s*$/i;

/**
 * Quoted-printable decoding, switched on only when the file shows it is QP: a
 * `Content-Transfer-Encoding: quoted-printable` header, or a line whose every `=` is a valid escape
 * and that holds `=3D` (how QP writes `=`, which kernel memory lines are full of) or ends in a soft
 * break. Plain logs have `nid=-1`, `flags=0x0` and never trip this; a 6.16 `flags=20` alone
 * does not hold `=3D`. Once on, it stays on for the rest of the file.
 */
export class QuotedPrintable {
  active = false;
  private pending = '';
  private pendingStart = 0;
  private pendingEnd = 0;

  /** Passes on the decoded logical line, or holds it while a soft break is pending. */
  feed(text: string, lineNo: number, emit: LogicalLineSink): void {
    if (!this.active) {
      this.detect(text);
      if (!this.active) return emit(text, lineNo, lineNo);
    }
    const start = this.pendingEnd > 0 ? this.pendingStart : lineNo;
    const joined = this.pending + text;
    if (joined.charCodeAt(joined.length - 1) === 61 /* = */ && joined.length < MAX_JOINED) {
      this.pending = joined.slice(0, -1);
      this.pendingStart = start;
      this.pendingEnd = lineNo;
      return;
    }
    this.pending = '';
    this.pendingEnd = 0;
    emit(decodeQuotedPrintable(joined), start, lineNo);
  }

  /** A soft break on the last line of the file. */
  flush(emit: LogicalLineSink): void {
    if (this.pendingEnd === 0) return;
    const text = decodeQuotedPrintable(this.pending);
    const end = this.pendingEnd;
    this.pending = '';
    this.pendingEnd = 0;
    emit(text, this.pendingStart, end);
  }

  private detect(text: string): void {
    if (text.charCodeAt(0) === 67 /* C */ && QP_HEADER.test(text)) {
      this.active = true;
      return;
    }
    const softBreak = text.charCodeAt(text.length - 1) === 61; /* = */
    if (!softBreak && text.indexOf('=3D') < 0) return;
    if (QP_BAD_EQUALS.test(text)) return;
    if (text.indexOf('=3D') >= 0 || (softBreak && QP_ESCAPE.test(text))) this.active = true;
  }
}
