import { describe, expect, it } from 'vitest';
import { EnvelopeStripper, QuotedPrintable, decodeQuotedPrintable, unescapeKmsg } from '../../../src/engine/parse/envelope';

function strip(line: string, stripper = new EnvelopeStripper()) {
  return stripper.strip(line);
}

const MSG = 'memblock_reserve: [0x0000000001000000-0x00000000035fffff] setup_arch+0x275/0xf80';

/** The line's envelope is stripped to MSG, with its timestamp, and the layer is recorded. */
function expectKernelMessage(line: string, time: number | undefined, layer: string): void {
  const s = new EnvelopeStripper();
  const out = s.strip(line);
  expect(out.text).toBe(MSG);
  expect(out.time).toBe(time);
  expect(out.kernel).toBe(true);
  expect(s.layers.has(layer)).toBe(true);
}

describe('envelope: kernel timestamp and caller id', () => {
  it.each([
    ['[    0.000000] ' + MSG, 0, 'timestamp'],
    ['[ 3.497924] ' + MSG, 3.497924, 'timestamp'], // whitespace collapsed by a web page
    ['[12345.678901] ' + MSG, 12345.678901, 'timestamp'],
    ['[    0.000000][    T0] ' + MSG, 0, 'caller-id'], // CONFIG_PRINTK_CALLER: no space between
    ['[    0.000000] [    T0] ' + MSG, 0, 'caller-id'], // some renderings add one
    ['[    1.500000][  C1] ' + MSG, 1.5, 'caller-id'],
    ['[    0.000000][    T0][  cpu0] ' + MSG, 0, 'vendor-prefix'], // vendor kernels: any run of groups
    ['[    0.000000]  [0:      swapper:    0] ' + MSG, 0, 'vendor-prefix'],
    ['[    0.000000 <    0.000000>] ' + MSG, 0, 'dmesg-d'],
  ])('%j', (line, time, layer) => {
    const s = new EnvelopeStripper();
    const out = s.strip(line);
    expect(out.text).toBe(MSG);
    expect(out.time).toBeCloseTo(time, 6);
    expect(out.kernel).toBe(true);
    expect(s.layers.has(layer)).toBe(true);
  });

  it('an empty line after a stamped one carries no stale stamp', () => {
    const s = new EnvelopeStripper();
    s.strip('> [    1.000000] x');
    expect(s.strip('')).toMatchObject({ text: '', kernel: false, quoteDepth: 0, time: undefined });
  });

  it('reads a caller id without a timestamp', () => {
    const out = strip('[    T1] ' + MSG);
    expect(out).toMatchObject({ text: MSG, kernel: true });
    expect(out.time).toBeUndefined();
  });

  it('keeps bracketed message starts that are not prefixes', () => {
    expect(strip('[    0.000000]  [mem 0x00000000-0x000fffff] page 4k').text).toBe('[mem 0x00000000-0x000fffff] page 4k');
    expect(strip('[    0.000000] [Firmware Bug]: TSC doesn\'t count').text).toBe('[Firmware Bug]: TSC doesn\'t count');
    expect(strip('[    0.000000] [<c043fafc>] (dump_backtrace) from [<c043fd84>]').text).toBe('[<c043fafc>] (dump_backtrace) from [<c043fd84>]');
  });

  it('does not take other bracket prefixes for timestamps', () => {
    // TeeWorlds output before the dmesg in the i386 forum post.
    expect(strip('[4d283831][engine]: running on unix-linux-ia32')).toMatchObject({ kernel: false, text: '[4d283831][engine]: running on unix-linux-ia32' });
    // The tail of a wrapped memblock line starts with `[0x…`.
    expect(strip('[0x0001000000000000-0x0000fffffffffffe] arm64_memblock_init+0x28/0x224').kernel).toBe(false);
    expect(strip('[...]')).toMatchObject({ kernel: false, text: '[...]' });
  });

  it('trims leading blanks but keeps the TAB inside a dump row', () => {
    const out = strip('[    0.000000]  memory[0x0]\t[0x0000000000001000-0x000000000009efff], 0x000000000009e000 bytes flags: 0x0   ');
    expect(out.text).toBe('memory[0x0]\t[0x0000000000001000-0x000000000009efff], 0x000000000009e000 bytes flags: 0x0');
  });
});

describe('envelope: syslog and journalctl', () => {
  it.each([
    ['Oct 07 20:54:37 thedoctor-HP-Notebook kernel: ' + MSG, undefined, 'syslog'],
    ['gen 18 19:37:15 localhost kernel: ' + MSG, undefined, 'syslog'], // Italian month
    ['Mär  3 07:01:02 host kernel: ' + MSG, undefined, 'syslog'],
    ['Nov 23 10:00:00.123456 host kernel: ' + MSG, undefined, 'syslog'], // short-precise
    ['Nov 11 14:48:39 oh kernel: [    0.000000] ' + MSG, 0, 'syslog'], // rsyslog kern.log keeps the stamp
    ['2024-11-23T10:00:00+0000 host kernel: ' + MSG, undefined, 'journalctl-iso'],
    ['2024-11-23T10:00:00.123456+01:00 host kernel: ' + MSG, undefined, 'journalctl-iso'],
    ['[    2.500000] host kernel: ' + MSG, 2.5, 'journalctl-monotonic'],
  ])('%j', expectKernelMessage);

  it("skips other programs' syslog lines", () => {
    expect(strip('Oct 07 20:54:40 host systemd[1]: Started Journal Service.').skip).toBe(true);
    const s = new EnvelopeStripper();
    s.strip('[    0.000000] host kernel: Linux version 6.1.0');
    expect(s.strip('[    5.000000] host systemd[1]: Reached target').skip).toBe(true);
    expect(s.strip('[    5.000000] host kernel: Zone ranges:').text).toBe('Zone ranges:');
  });

  it('does not take `ACPI: SRAT:` or `Zone ranges:` for a host and an ident', () => {
    expect(strip('[    0.000000] ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]').text).toBe('ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]');
    expect(strip('2024-05-08T08:20:04,123456+00:00 Zone ranges:').text).toBe('Zone ranges:');
  });

  it('turns journal boot separators into markers and drops banners and pager prompts', () => {
    expect(strip('-- Boot 3f1c0a2b4c5d6e7f8091a2b3c4d5e6f7 --').marker).toBe('boot');
    expect(strip('-- Reboot --').marker).toBe('reboot');
    expect(strip('-- Logs begin at Sun 2018-10-07 19:43:18 EDT, end at Sun 2018-10-07 20:57:13 EDT. --')).toMatchObject({ skip: true, marker: undefined });
    expect(strip('lines 1-30').skip).toBe(true);
    expect(strip('lines 31-60/1234 5%').skip).toBe(true);
  });
});

describe('envelope: dmesg options', () => {
  it.each([
    ['<6>[    0.000000] ' + MSG, 0, 'dmesg-raw'],
    ['<6>' + MSG, undefined, 'dmesg-raw'],
    ['kern  :info  : [    0.000000] ' + MSG, 0, 'dmesg-x'],
    ['kern  :notice: [    2.389774] ' + MSG, 2.389774, 'dmesg-x'],
    ['[Wed May  8 08:20:04 2024] ' + MSG, undefined, 'dmesg-T'],
    ['[Tue Nov  4 21:29:37 2025] ' + MSG, undefined, 'dmesg-T'],
    ['2024-05-08T08:20:04,123456+00:00 ' + MSG, undefined, 'dmesg-iso'],
    ['[May 8 08:20] ' + MSG, undefined, 'dmesg-e'],
    ['[  +0.000010] ' + MSG, undefined, 'dmesg-e'],
    [' 1839 17:54:41.406548  <6>[    0.000000] ' + MSG, 0, 'lava'],
  ])('%j', expectKernelMessage);
});

describe('envelope: /dev/kmsg records', () => {
  it('reads the header, the microseconds and the caller field, and unescapes \\xNN', () => {
    const s = new EnvelopeStripper();
    const out = s.strip('6,1234,1500000,-,caller=T0; memory[0x0]\\x09[0x1000-0x9efff], 0x9e000 bytes flags: 0x0');
    expect(out).toMatchObject({ kernel: true, text: 'memory[0x0]\t[0x1000-0x9efff], 0x9e000 bytes flags: 0x0' });
    expect(out.time).toBe(1.5);
    expect(s.layers.has('kmsg')).toBe(true);
    expect(s.strip('6,1235,1500001,-;' + MSG).text).toBe(MSG);
  });

  it('skips the KEY=VALUE dictionary lines after a record', () => {
    const s = new EnvelopeStripper();
    s.strip('6,1,0,-;pci 0000:00:00.0: [8086:1237] type 00 class 0x060000');
    expect(s.strip(' SUBSYSTEM=pci').skip).toBe(true);
    expect(s.strip(' DEVICE=+pci:0000:00:00.0').skip).toBe(true);
  });

  it('decodes UTF-8 bytes escaped one by one', () => {
    expect(unescapeKmsg('caf\\xc3\\xa9 \\x5c')).toBe('café \\');
  });
});

describe('envelope: transport and markup', () => {
  it('removes ANSI escapes, NULs and the bootloader output glued before the first kernel line', () => {
    const s = new EnvelopeStripper();
    const out = s.strip('Probing EDD (edd=off to disable)... o\x1bc\x1b[?7l\x1b[2J[    0.000000] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org)');
    expect(out).toMatchObject({ kernel: true, text: 'Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org)' });
    expect([...s.layers]).toEqual(expect.arrayContaining(['ansi', 'glued-junk', 'timestamp']));
    expect(s.strip('\x1b[2J\x1b[01;01H\x1b[=3hEFI stub: Loaded initrd').text).toBe('EFI stub: Loaded initrd');
    expect(s.strip('\0\0\0[    0.000000] e820: remove [mem 0x000a0000-0x000fffff] usable\0').text).toBe('e820: remove [mem 0x000a0000-0x000fffff] usable');
    expect(s.layers.has('nul')).toBe(true);
  });

  it('strips mail quotes of any depth, and reports the depth', () => {
    expect(strip('> [    0.000000] ' + MSG)).toMatchObject({ text: MSG, quoteDepth: 1, kernel: true });
    expect(strip('>> [    0.000000] ' + MSG)).toMatchObject({ text: MSG, quoteDepth: 2 });
    expect(strip('> > [    0.000000] ' + MSG)).toMatchObject({ text: MSG, quoteDepth: 2 });
    expect(strip('>   [    0.000000] ' + MSG)).toMatchObject({ text: MSG, quoteDepth: 1 });
    expect(strip('>> 0xbdfff000 bytes flags: 0x0')).toMatchObject({ text: '0xbdfff000 bytes flags: 0x0', quoteDepth: 2, kernel: false });
  });

  it('removes forum BBCode around and inside lines', () => {
    const s = new EnvelopeStripper();
    expect(s.strip('[COLOR=#000000][FONT=arial][    0.000000] ' + MSG + '[/FONT][/COLOR]')).toMatchObject({ text: MSG, kernel: true });
    expect(s.strip('[CODE][    0.000000] BIOS-e820: [mem 0x0-0x9fbff] usable').text).toBe('BIOS-e820: [mem 0x0-0x9fbff] usable');
    expect(s.strip('[    0.000000] Zone ranges:[/CODE]').text).toBe('Zone ranges:');
    expect(s.layers.has('forum-markup')).toBe(true);
  });

  it('unquotes JSON string lines', () => {
    const s = new EnvelopeStripper();
    expect(s.strip('  "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable",').text).toBe('BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable');
    expect(s.strip('"[    0.000000] memory[0x0]\\t[0x1000-0x9efff], 0x9e000 bytes flags: 0x0"')).toMatchObject({ kernel: true, text: 'memory[0x0]\t[0x1000-0x9efff], 0x9e000 bytes flags: 0x0' });
    expect(s.layers.has('json')).toBe(true);
    expect(s.strip('"not json').text).toBe('"not json');
  });

  it('marks a trailing space (format=flowed) and a leading blank', () => {
    expect(strip('[    0.000000] Initmem setup node 1 [mem ')).toMatchObject({ softBreak: true, text: 'Initmem setup node 1 [mem' });
    expect(strip(' PREEMPT_DYNAMIC Thu Sep 5 07:54:07 UTC 2024')).toMatchObject({ leadingBlank: true, kernel: false });
  });
});

describe('quoted-printable', () => {
  function decode(lines: string[]) {
    const qp = new QuotedPrintable();
    const out: Array<[string, number, number]> = [];
    const sink = (text: string, line: number, endLine: number) => out.push([text, line, endLine]);
    lines.forEach((l, i) => qp.feed(l, i + 1, sink));
    qp.flush(sink);
    return { out, active: qp.active };
  }

  it('joins soft breaks and decodes =3D once the text shows it is QP', () => {
    const { out, active } = decode([
      '> [    0.000000] memblock_alloc_try_nid: 23724 bytes align=3D0x8 nid=3D-1 f=',
      'rom=3D0x0000000000000000 max_addr=3D0x0000000000000000 alloc_node_data+0x=',
      '2a/0x90',
      'caf=C3=A9',
    ]);
    expect(active).toBe(true);
    expect(out).toEqual([
      ['> [    0.000000] memblock_alloc_try_nid: 23724 bytes align=0x8 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 alloc_node_data+0x2a/0x90', 1, 3],
      ['café', 4, 4],
    ]);
  });

  it('switches on at a Content-Transfer-Encoding header', () => {
    const { out } = decode(['Content-Transfer-Encoding: quoted-printable', '', 'a=3Db soft=', 'break']);
    expect(out.slice(2)).toEqual([['a=b softbreak', 3, 4]]);
  });

  it('leaves plain kernel lines alone (=, hex after =, lines ending in =)', () => {
    const lines = [
      '[    0.000000] memblock_alloc_try_nid: 4096 bytes align=0x1000 nid=-1 from=0x0 max_addr=0x0 x+0x1/0x2',
      '[    0.000000] __memblock_reserve: [0x1000-0x1fff] nid=-1 flags=20 setup_arch+0x1/0x2',
      '[    0.000000] Kernel command line: root=',
      '[    0.000000] next line',
    ];
    const { out, active } = decode(lines);
    expect(active).toBe(false);
    expect(out.map((o) => o[0])).toEqual(lines);
  });

  it('decodes multi-byte escapes as UTF-8', () => {
    expect(decodeQuotedPrintable('=E2=80=A6 =3D')).toBe('… =');
  });
});

describe('envelope: never throws', () => {
  it('survives random lines', () => {
    const s = new EnvelopeStripper();
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const pieces = ['[', ']', ' ', '0', '.', '>', '<6>', '\x1b[', '\0', 'kernel: ', '6,1,2,-;', '"', '[/B]', '=3D', '\\x4', 'T0', ':', 'Oct 07 20:54:37 '];
    let stripped = 0;
    for (let i = 0; i < 5000; i++) {
      let line = '';
      const n = rnd() % 12;
      for (let k = 0; k < n; k++) line += pieces[rnd() % pieces.length];
      if (typeof s.strip(line).text === 'string') stripped++;
    }
    expect(stripped).toBe(5000);
  });
});
