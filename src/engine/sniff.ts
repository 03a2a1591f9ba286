// Is this text the start of a kernel log? For files VS Code does not sync to extensions (above
// ~50 MB) the language's first-line rule never runs, so the host looks at the file's head itself.
// A log may start mid-boot (a ring buffer that wrapped, a syslog file opened at any day), so the
// test is about the shape of the lines, not about the banner alone.

/** How many lines of the head are looked at. */
const SNIFF_LINES = 400;

/** The banner lines: `Linux version 6.1.0-…`, `Booting Linux on physical CPU 0x0`. */
const BANNER = /(?:^|[\]:] )(?:Linux version \d|Booting Linux on physical CPU)/;
/**
 * dmesg's `[    0.000000] ` (optionally after a `<6>` level or `dmesg -x`'s `kern  :info  : `),
 * at the start or after a capture's own prefix (serial-console timestamps, CI line numbers).
 */
const DMESG_STAMP = /(?:^|[\s>:])(?:<\d{1,3}>)?\[\s*\d{1,7}\.\d{3,9}\] /;
/** How far into a line a capture prefix may push the kernel's own stamp. */
const PREFIX_CHARS = 80;
/** syslog / journalctl: `Nov 23 10:00:00 host kernel: ` or ISO timestamps before `kernel:`. */
const SYSLOG_KERNEL = /^(?:\w{3} [ \d]\d [\d:]{8}|\d{4}-\d\d-\d\dT[\d:.]+(?:[+-]\d\d:?\d\d|Z)?) \S+ kernel: /;
/** `dmesg -T`: `[Mon Nov 23 10:00:00 2026] `. */
const DMESG_HUMAN = /^\[\w{3} \w{3} [ \d]\d [\d:]{8} \d{4}\] /;

/** Kernel-stamped lines that make a head a log even when other text surrounds them (a mail, a report). */
const ENOUGH_KERNEL_LINES = 10;

/**
 * True when the head holds a kernel banner, or when most of its lines (or at least 10) look like
 * kernel messages: dmesg timestamps, `kernel:` syslog lines, `dmesg -T` stamps. Mail quoting
 * (`> `) is looked through, since logs are often saved from mailing-list threads.
 */
export function looksLikeKernelLog(head: string): boolean {
  const lines = head.split(/\r?\n/, SNIFF_LINES + 1).slice(0, SNIFF_LINES);
  // The last line of a head cut at a byte count may be partial; it still counts for the banner.
  let considered = 0;
  let kernel = 0;
  for (const raw of lines) {
    const line = raw.replace(/^\uFEFF/, '').replace(/^(?:>\s*)+/, '');
    const start = line.slice(0, PREFIX_CHARS);
    if (line.trim() === '') continue;
    const stamped = DMESG_STAMP.test(start) || SYSLOG_KERNEL.test(line) || DMESG_HUMAN.test(line);
    if (BANNER.test(line) && (stamped || /^(?:<\d{1,3}>)?(?:Linux version|Booting Linux)/.test(line))) return true;
    considered++;
    if (stamped) kernel++;
  }
  return kernel >= ENOUGH_KERNEL_LINES || (considered >= 5 && kernel * 2 > considered);
}
