// A hand-written reader for the syslog / journalctl short prefix (`Nov  8 09:58:11 host ident[pid]: `),
// the envelope of every line of a kern.log. It gives exactly the answer of the SYSLOG_SHORT regex in
// envelope.ts for lines of printable ASCII, and says "unsure" for anything else (tabs, other
// whitespace, non-ASCII: \S and \s classify those), so that the regex decides those lines:
//
//   (\S{1,12}) +(\S{1,12}) +\d\d:\d\d:\d\d(?:[.,]\d{1,9})? +(\S*[^\s:]) +([^\s:[]+)(?:\[\d+\])?:(?: |$)
//
// Every part of the regex is forced once the characters are printable ASCII: a token runs to the
// next space (a shorter one would be followed by a non-space), the host cannot end in `:`, the ident
// runs to `:` or `[`. So one left-to-right scan decides, and a mismatch is final.

import { hasAt } from '../util/text';

/** scan() results other than an end position. */
export const SYSLOG_NO = -1;
export const SYSLOG_UNSURE = -2;

const SPACE = 32;
const COLON = 58;
const LBRACKET = 91;
const RBRACKET = 93;

/** Printable ASCII other than the space: what \S surely matches (and \s surely does not). */
function isWordChar(c: number): boolean {
  return c > 32 && c < 127;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export class SyslogShortScanner {
  /** After a match: whether the ident is `kernel`. */
  kernel = false;

  /** The end of the prefix that starts at `pos` (after the space that follows `ident:`), SYSLOG_NO, or SYSLOG_UNSURE. */
  scan(line: string, pos: number): number {
    let i = pos;
    // Month and day (free tokens: localised names, day-first locales), each 1–12 characters.
    for (let token = 0; token < 2; token++) {
      const start = i;
      while (isWordChar(line.charCodeAt(i))) i++;
      if (i - start > 12) return SYSLOG_NO;
      const c = line.charCodeAt(i);
      if (c !== SPACE) return i === line.length ? SYSLOG_NO : SYSLOG_UNSURE;
      if (i === start) return SYSLOG_NO;
      while (line.charCodeAt(i) === SPACE) i++;
    }
    i = this.skipClock(line, i);
    if (i < 0) return SYSLOG_NO;
    return this.hostAndIdent(line, i);
  }

  /** `hh:mm:ss`, an optional `.fraction` of 1–9 digits, and the spaces after; -1 when it is not there. */
  private skipClock(line: string, at: number): number {
    for (let k = 0; k < 8; k++) {
      const c = line.charCodeAt(at + k);
      if (k === 2 || k === 5 ? c !== COLON : !isDigit(c)) return -1;
    }
    let i = at + 8;
    let c = line.charCodeAt(i);
    if (c === 46 /* . */ || c === 44 /* , */) {
      const digits = ++i;
      while (isDigit(line.charCodeAt(i))) i++;
      if (i === digits || i - digits > 9) return -1;
      c = line.charCodeAt(i);
    }
    if (c !== SPACE) return -1;
    while (line.charCodeAt(i) === SPACE) i++;
    return i;
  }

  /** `host ident[pid]: ` from `at`. */
  private hostAndIdent(line: string, at: number): number {
    let i = at;
    while (isWordChar(line.charCodeAt(i))) i++;
    if (line.charCodeAt(i) !== SPACE) return i === line.length ? SYSLOG_NO : SYSLOG_UNSURE;
    if (i === at || line.charCodeAt(i - 1) === COLON) return SYSLOG_NO;
    while (line.charCodeAt(i) === SPACE) i++;

    const identStart = i;
    let c = line.charCodeAt(i);
    while (isWordChar(c) && c !== COLON && c !== LBRACKET) c = line.charCodeAt(++i);
    const identEnd = i;
    if (c !== COLON && c !== LBRACKET && c !== SPACE && i < line.length) return SYSLOG_UNSURE;
    if (identEnd === identStart) return SYSLOG_NO;
    if (c === LBRACKET) {
      const digits = ++i;
      while (isDigit(line.charCodeAt(i))) i++;
      if (i === digits || line.charCodeAt(i) !== RBRACKET) return SYSLOG_NO;
      c = line.charCodeAt(++i);
    }
    if (c !== COLON) return SYSLOG_NO;
    i++;
    if (line.charCodeAt(i) === SPACE) i++;
    else if (i < line.length) return SYSLOG_NO;
    this.kernel = identEnd - identStart === 6 && hasAt(line, identStart, 'kernel');
    return i;
  }
}
