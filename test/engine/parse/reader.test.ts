// The log reader on the real corpus: every envelope of SOURCES.md, line numbers as VS Code shows
// them, re-joined wrapped lines with their spans, boot splitting, and hostile input.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParseResult } from '../../../src/engine/types';
import { parseChunks, parseLog, parseText } from '../../../src/engine/parse/index';
import { parseFile } from '../../../src/engine/parse/node';
import { MessageParser, needsContinuation } from '../../../src/engine/parse/messages/index';
import { LogReader, type Recognizers } from '../../../src/engine/parse/reader';
import type { ReaderRecord } from '../../../src/engine/parse/join';

const CORPUS = path.resolve(__dirname, '../../fixtures/corpus');
const real = (name: string) => path.join(CORPUS, 'real', name);
const qemu = (name: string) => path.join(CORPUS, 'qemu', name);

interface Read {
  result: ParseResult;
  records: ReaderRecord[];
  /** The record that starts at a physical line. */
  at(line: number): ReaderRecord;
}

/** Reads a file through the real recognizers, recording every record the reader hands them. */
function read(file: string, chunkBytes = 0): Read {
  const records: ReaderRecord[] = [];
  const recognizers: Recognizers = {
    createParser: (ctx) => {
      const parser = new MessageParser(ctx);
      return {
        push: (rec) => {
          records.push({ ...rec });
          return parser.push(rec);
        },
        end: () => parser.end(),
      };
    },
    needsContinuation,
  };
  const reader = new LogReader(recognizers);
  const bytes = readFileSync(file);
  if (chunkBytes > 0) for (let i = 0; i < bytes.length; i += chunkBytes) reader.push(bytes.subarray(i, i + chunkBytes));
  else reader.push(bytes);
  const result = reader.end();
  return {
    result,
    records,
    at(line) {
      const rec = records.find((r) => r.line === line);
      if (!rec) throw new Error(`no record starts at line ${line}`);
      return rec;
    },
  };
}

/** VS Code's line count without the empty line after a final break. */
function vscodeLineCount(file: string): number {
  const lines = readFileSync(file, 'utf8').split(/\r\n|\r|\n/);
  return lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
}

describe('reader: mail quoting and wrapping', () => {
  it('brcmstb: joins dump rows the mail client wrapped before `bytes flags:`, inside the `>> ` quote', () => {
    const { result, at } = read(real('arm32-brcmstb-no-map-region-as-ram-memblock-dump-mailwrapped-5.4.log'));
    expect(result.lineCount).toBe(144);
    expect(at(29)).toMatchObject({ endLine: 30, kernel: true, text: 'memory[0x0]     [0x00000040000000-0x000000fdffefff], 0xbdfff000 bytes flags: 0x0' });
    expect(at(52)).toMatchObject({ endLine: 53, text: 'memory[0x1]     [0x000000fdfff000-0x000000ffffffff], 0x2001000 bytes flags: 0x4' });
    expect(at(33)).toMatchObject({ endLine: 33, text: 'reserved.cnt  = 0x6' });
    expect(result.envelopes).toEqual(expect.arrayContaining(['mail-quote', 'timestamp', 'wrapped']));
    // No banner in the excerpt: one truncated boot, from the first dump to the last kernel line.
    expect(result.boots).toHaveLength(1);
    expect(result.boots[0]).toMatchObject({ startLine: 26, truncatedStart: true, kernelVersion: undefined });
    const dumps = result.boots[0].events.filter((e) => e.kind === 'checkpoint');
    expect(dumps).toHaveLength(2);
    expect(dumps[1]).toMatchObject({ line: 47 });
  });

  it('kukui: joins memblock lines hard-wrapped over two and three lines, but not a complete WARNING line', () => {
    const { at, records } = read(real('arm64-mediatek-kukui-memblock-debug-mailwrapped-inverted-range-warn-4.19.log'));
    expect(at(19)).toMatchObject({ endLine: 20, text: 'memblock_remove: [0x0001000000000000-0x0000fffffffffffe] arm64_memblock_init+0x28/0x224' });
    expect(at(23)).toMatchObject({ endLine: 25, text: 'memblock_reserve: [0x0000000040080000-0x00000000413c3fff] arm64_memblock_init+0x188/0x224' });
    expect(at(26)).toMatchObject({ endLine: 26, text: 'WARNING: CPU: 0 PID: 0 at' });
    expect(at(28)).toMatchObject({ kernel: false, text: 'memblock_add_range+0x1bc/0x1c8' });
    // The prose before the log never becomes part of a message.
    expect(records.some((r) => r.line < 19 && r.kernel)).toBe(false);
  });

  it('loongson: joins an allocation request wrapped over three quoted lines, and the banner', () => {
    const { at, result } = read(real('mips64-loongson3-mem-overwrite-memblock-debug-mailwrapped-5.17.log'));
    expect(at(41)).toMatchObject({
      endLine: 43,
      text: 'memblock_alloc_try_nid: 8257 bytes align=0x40 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 early_init_dt_alloc_memory_arch+0x30/0x60',
    });
    expect(at(36)).toMatchObject({ endLine: 37, text: 'memblock_add: [0x0000000000200000-0x000000000231185f] setup_arch+0x140/0x794' });
    expect(at(6).endLine).toBe(8);
    expect(at(6).text).toMatch(/^Linux version 5\.17\.0-rc3\+ .* #1 SMP PREEMPT Wed Mar 2 09:07:39 CST 2022$/);
    expect(result.boots[0]).toMatchObject({ kernelVersion: '5.17.0-rc3+', arch: 'mips', startLine: 6, truncatedStart: false });
  });

  it('ppc64: joins format=flowed soft breaks (trailing space), keeps the pre-banner lines in the boot', () => {
    const { at, result } = read(real('ppc64-power9-lpar-32node-31memoryless-mailflowed-6.18next.log'));
    expect(at(44)).toMatchObject({ endLine: 45, text: 'crashkernel reserved: 0x0000000018000000 - 0x0000000098000000 (2048 MB)' });
    expect(at(122)).toMatchObject({ endLine: 123, text: 'Initmem setup node 1 [mem 0x0000000000000000-0x000000103fffffff]' });
    expect(at(155)).toMatchObject({ endLine: 158 });
    expect(result.envelopes).toContain('format-flowed');
    expect(result.boots).toHaveLength(1);
    const boot = result.boots[0];
    // prom_init's `Preparing to boot Linux version` (line 17) is not a banner; the crashkernel line
    // printed before the real banner (line 66) belongs to the same boot.
    expect(boot).toMatchObject({ startLine: 44, kernelVersion: '6.18.0-rc4-next-20251103', arch: 'ppc64', truncatedStart: false });
    expect(boot.cmdline).toBe(
      'BOOT_IMAGE=(ieee1275//vdevice/v-scsi@30000066/disk@8100000000000000,msdos7)/boot/vmlinuz-6.18.0-rc4-next-20251103 root=UUID=a137441e-cfdd-45bd-abf1-156b6e9c876a ro crashkernel=2G-4G:384M,4G-16G:512M,16G-64G:1G,64G-128G:2G,128G-:4G',
    );
    expect(boot.events.some((e) => e.kind === 'owner-hint' && e.line === 44 && e.endLine === 45)).toBe(true);
  });

  it('rpi2: the boot starts at `Booting Linux on physical CPU`, before the banner, under `> ` quoting', () => {
    const { at, result } = read(real('arm32-rpi2-efi-memblock-debug-early_alloc-panic-5.2.log'));
    expect(result.boots).toHaveLength(1);
    expect(result.boots[0]).toMatchObject({ startLine: 110, kernelVersion: '5.2.1-lpae', arch: 'arm', truncatedStart: false });
    expect(at(134).text).toBe('memblock_remove: [0x0000000000000000-0xfffffffffffffffe] reserve_regions+0x68/0x23c');
    expect(at(106)).toMatchObject({ kernel: false, text: 'EFI stub: Booting Linux Kernel...' });
  });

  it('mips32r6: quote plus indentation, and a 32-bit-wide range line', () => {
    const { at, result } = read(real('mips32r6-qemu-boston-memblock_virt_alloc-highmem-hang-4.19.log'));
    expect(at(44)).toMatchObject({ kernel: true, time: 0, text: 'memblock_reserve: [0xbfffe340-0xbfffffe7] memblock_virt_alloc_internal+0x120/0x1ec' });
    expect(at(45)).toMatchObject({ kernel: false, text: '<hang>' });
    expect(result.boots[0]).toMatchObject({ startLine: 30, kernelVersion: '4.19.0-rc1-00008-g82d0f342eecd', arch: 'mips' });
  });

  it('8node: nested `> > ` quoting', () => {
    const { at, result } = read(real('x86_64-8node-6memoryless-nodedata-on-node5-zonelist-debug-4.20.log'));
    expect(at(8)).toMatchObject({ kernel: true, text: 'NUMA: Node 1 [mem 0x00000000-0x0009ffff] + [mem 0x00100000-0x7fffffff] -> [mem 0x00000000-0x7fffffff]' });
    expect(at(8).time).toBeCloseTo(0.409637, 6);
    expect(result.boots[0]).toMatchObject({ startLine: 8, truncatedStart: true });
  });

  it('midsection: two pasted runs without banners are two boots (clock back at zero after a gap)', () => {
    const { result } = read(real('x86_64-qemu-2node-midsection-boundary-overlapping-node-spans-5.11.log'));
    expect(result.boots.map((b) => [b.startLine, b.endLine, b.truncatedStart])).toEqual([
      [40, 83, true],
      [88, 133, true],
    ]);
    const e820 = (i: number) => result.boots[i].events.filter((e) => e.kind === 'firmware').length;
    expect(e820(0)).toBe(8);
    expect(e820(1)).toBe(8);
  });
});

describe('reader: dmesg, journal and CI formats', () => {
  it('rhel9 dmesg -T: terminal-wrapped banner and command line are re-joined exactly', () => {
    const { at, result } = read(real('x86_64-rhel9-kvm-2node-64G-dmesg-T-termwrapped-5.14.log'));
    expect(at(1).endLine).toBe(2);
    expect(at(1).text).toMatch(/#1 SMP PREEMPT_DYNAMIC Thu Sep 5 07:54:07 UTC 2024$/);
    expect(at(4).endLine).toBe(5);
    expect(at(6)).toMatchObject({ kernel: true, text: 'BIOS-provided physical RAM map:' });
    expect(at(6).time).toBeUndefined(); // wall clock, not kernel time
    const boot = result.boots[0];
    expect(boot).toMatchObject({ kernelVersion: '5.14.0-505.el9.x86_64', arch: 'x86_64', startLine: 1, truncatedStart: false });
    expect(boot.cmdline).toContain('consoleblank=600 console=tty0 console=ttyS0,115200n8 selinux=0 crashkernel=2G-64G:256M,64G-:512M');
    expect(result.envelopes).toEqual(expect.arrayContaining(['dmesg-T', 'terminal-wrap']));
  });

  it('kdump dmesg -T with memblock=debug: dump rows whose tabs became spaces', () => {
    const { at, result } = read(real('x86_64-kdump-hp-z210-dmesg-T-memblock-debug-big-reserved.log'));
    expect(at(49)).toMatchObject({ kernel: true, text: 'memory[0x0] [0x0000000000001000-0x000000000008efff], 0x000000000008e000 bytes flags: 0x0' });
    expect(at(57)).toMatchObject({ kernel: false });
    expect(result.boots[0]).toMatchObject({ startLine: 29, endLine: 56, truncatedStart: true, arch: 'x86_64' });
  });

  it('chromebook LAVA: line number, wall clock, <6>, then the kernel stamp', () => {
    const { at, result } = read(real('x86_64-chromebook-coral-kernelci-lava-linenum-kmsg-prefix-e820-type16.log'));
    expect(at(22)).toMatchObject({ kernel: true, time: 0, text: 'BIOS-e820: [mem 0x0000000000000000-0x0000000000000fff] type 16' });
    expect(at(35)).toMatchObject({ time: 0.313771, text: 'pci_bus 0000:00: root bus resource [mem 0x000a0000-0x000bffff window]' });
    // Hans quotes one e820 line in his own prose: no envelope.
    expect(at(43)).toMatchObject({ kernel: false });
    expect(result.envelopes).toEqual(expect.arrayContaining(['lava', 'dmesg-raw', 'timestamp']));
    expect(result.boots[0]).toMatchObject({ startLine: 21, arch: 'x86_64', truncatedStart: true });
  });

  it('journalctl short without kernel stamps: prefix stripped, banner and pager prompt dropped', () => {
    const { at, records, result } = read(real('x86_64-hp-notebook-journalctl-pager-truncated-type20-4.18.log'));
    expect(records[0]).toMatchObject({ line: 2, kernel: true, text: 'microcode: microcode updated early to revision 0xc6, date = 2018-04-17' });
    expect(at(19)).toMatchObject({ text: 'BIOS-e820: [mem 0x0000000000000000-0x0000000000057fff] usable' });
    expect(at(19).time).toBeUndefined();
    expect(records.some((r) => r.line === 1 || r.line === 31)).toBe(false);
    expect(result.lineCount).toBe(31);
    // The microcode line before the banner belongs to the boot.
    expect(result.boots[0]).toMatchObject({ startLine: 2, endLine: 30, kernelVersion: '4.18.0-8-generic', arch: 'x86_64', truncatedStart: false });
    expect(result.envelopes).toEqual(expect.arrayContaining(['syslog', 'journal-marker', 'pager']));
  });

  it('ia64 ski: no timestamps at all; bootloader lines before the banner are not a boot', () => {
    const { at, records, result } = read(real('ia64-ski-memblock-debug-no-timestamps-5.15.log'));
    expect(records.every((r) => !r.kernel && r.time === undefined)).toBe(true);
    expect(at(13).text).toBe('memblock_reserve: [0x0000000000000000-0x000000000000005f] reserve_memory+0x3d0/0x400');
    expect(result.boots).toHaveLength(1);
    expect(result.boots[0]).toMatchObject({ startLine: 7, kernelVersion: '5.15.146-26c690eff0a5-ia64-ski-dirty', arch: 'ia64', truncatedStart: false });
    expect(result.boots[0].events.length).toBeGreaterThan(50);
  });

  it('i386 forum post with CRLF: TeeWorlds `[4d283831]` junk is not kernel output', () => {
    const { at, records, result } = read(real('i386-pentium3-2.6.35-early_res-subtract-nobootmem-forumjunk-crlf.log'));
    expect(result.lineCount).toBe(277);
    expect(result.envelopes).toContain('crlf');
    expect(records.some((r) => r.text.includes('\r'))).toBe(false);
    expect(records.filter((r) => r.line < 65).every((r) => !r.kernel)).toBe(true);
    expect(at(67).text).toMatch(/^Linux version 2\.6\.35-24-generic \(buildd@vernadsky\)/);
    // `Initializing cgroup subsys` lines come before the banner and stay in the boot.
    expect(result.boots).toHaveLength(1);
    expect(result.boots[0]).toMatchObject({ startLine: 65, kernelVersion: '2.6.35-24-generic', arch: 'i386' });
  });

  it('markdown note: code fence before the log, TAB kept in dump rows', () => {
    const { at, result } = read(real('x86_64-qemu-2node-memblock-debug-6.6.log'));
    expect(at(44).text).toBe('memory[0x0]\t[0x0000000000001000-0x000000000009efff], 0x000000000009e000 bytes flags: 0x0');
    expect(at(44).time).toBeCloseTo(0.003819, 6);
    expect(result.boots[0]).toMatchObject({ startLine: 5, kernelVersion: '6.6.41-dirty', arch: 'x86_64' });
    expect(result.boots[0].cmdline).toMatch(/^virtme_hostname=virtme-ng /);
  });

  it.each([
    ['riscv64-qemu-memblock-resize-before-linear-map-oops-6.4.log', 16, 'riscv64'],
    ['arm64-mediatek-kukui-memblock-debug-mailwrapped-inverted-range-warn-4.19.log', 19, 'arm64'],
    ['riscv64-sv39-two-banks-alloc-outside-linear-map-oops-6.10.log', 29, 'riscv64'],
    ['xtensa-bootmem-debug-free_all_bootmem_core-double-free-3.8.log', 15, undefined],
    ['x86_64-athlon64-2.6.32-early_res-bootmem-node-ubuntuforums.log', 2, 'x86_64'],
  ])('%s starts its boot at line %i (arch %s)', (name, start, arch) => {
    const { result } = read(real(name));
    expect(result.boots).toHaveLength(1);
    expect(result.boots[0].startLine).toBe(start);
    if (arch) expect(result.boots[0].arch).toBe(arch);
  });
});

describe('reader: qemu serial captures', () => {
  it.each([
    'x86_64-1node-1g-memblock-debug.log',
    'x86_64-2node-2g-memblock-debug.log',
    'x86_64-4node-4g-plain.log',
  ])('%s: firmware junk, ANSI escapes and a bare CR before the kernel; one boot', (name) => {
    const { at, result, records } = read(qemu(name));
    expect(result.lineCount).toBe(vscodeLineCount(qemu(name)));
    // The banner shares line 10 (as VS Code numbers it) with `Probing EDD… o` and the escapes.
    expect(at(10)).toMatchObject({ kernel: true, time: 0 });
    expect(at(10).text).toMatch(/^Linux version 6\.1\.0-56-amd64 \(debian-kernel@lists\.debian\.org\)/);
    expect(records.some((r) => r.text.includes('\x1b'))).toBe(false);
    expect(result.envelopes).toEqual(expect.arrayContaining(['ansi', 'bare-cr', 'crlf', 'glued-junk', 'timestamp']));
    // Stamps near zero from a secondary CPU mid-log (2node) must not split the boot.
    expect(result.boots).toHaveLength(1);
    expect(result.boots[0]).toMatchObject({ startLine: 10, kernelVersion: '6.1.0-56-amd64', arch: 'x86_64', truncatedStart: false });
    expect(result.boots[0].cmdline).toMatch(/^console=ttyS0 loglevel=8 panic=-1/);
  });

  it('uefi: escapes glued before the EFI stub line', () => {
    const { at, result } = read(qemu('x86_64-uefi-2node-3g-memblock-debug.log'));
    expect(at(1)).toMatchObject({ kernel: false, text: 'EFI stub: Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path' });
    expect(result.boots[0]).toMatchObject({ startLine: 2, kernelVersion: '6.1.0-56-amd64' });
  });

  it('arm64 dropped: the log starts with `** N printk messages dropped **`', () => {
    const { at, result } = read(qemu('arm64-2node-2g-memblock-debug-dropped.log'));
    expect(at(1)).toMatchObject({ kernel: false, text: '** 1181 printk messages dropped **' });
    expect(result.boots).toHaveLength(1);
    expect(result.boots[0]).toMatchObject({ startLine: 1, truncatedStart: true, arch: 'arm64', kernelVersion: undefined });
    expect(result.boots[0].events[0]).toMatchObject({ kind: 'dropped', count: 1181 });
  });

  it('arm64: early lines lost, no banner; debugfs rows after the kernel keep their place', () => {
    const { at, result } = read(qemu('arm64-2node-2g-memblock-debug.log'));
    expect(result.boots[0]).toMatchObject({ startLine: 1, endLine: 1280, truncatedStart: true, arch: 'arm64' });
    expect(at(1254)).toMatchObject({ kernel: false, text: '0: 0x0000000040000000..0x000000007fffffff' });
    expect(result.boots[0].events.some((e) => e.kind === 'checkpoint' && e.source === 'debugfs')).toBe(true);
  });
});

describe('reader: several boots in one file', () => {
  const boot = (version: string, base: number) =>
    [
      `[    0.000000] Linux version ${version} (builder@host) (gcc 12) #1 SMP Mon Jan 1 00:00:00 UTC 2024`,
      '[    0.000000] Command line: console=ttyS0 memblock=debug',
      `[    0.000000] memblock_reserve: [0x${base.toString(16).padStart(16, '0')}-0x${(base + 0xfff).toString(16).padStart(16, '0')}] setup_arch+0x1/0x2`,
      '[    0.001000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable',
      '[    1.000000] Freeing unused kernel image (initmem) memory: 2824K',
    ].join('\n');

  it('kern.log style: a new banner starts a new boot', () => {
    const text = boot('6.1.0-1-amd64', 0x1000) + '\n' + boot('6.1.0-2-amd64', 0x2000) + '\n';
    const result = parseText(text);
    expect(result.boots.map((b) => [b.index, b.startLine, b.endLine, b.kernelVersion, b.truncatedStart])).toEqual([
      [0, 1, 5, '6.1.0-1-amd64', false],
      [1, 6, 10, '6.1.0-2-amd64', false],
    ]);
    expect(result.boots[1].events.find((e) => e.kind === 'reserve')).toMatchObject({ line: 8, base: 0x2000n });
    expect(result.boots.every((b) => b.cmdline === 'console=ttyS0 memblock=debug')).toBe(true);
  });

  it('journalctl of several boots: `-- Boot <id> --` separates them, and lines before any banner form a truncated boot', () => {
    const j = (msg: string) => `Nov 23 10:00:00 host kernel: ${msg}`;
    const text = [
      j('[  100.000000] memblock_free: [0x0000000000001000-0x0000000000001fff] foo+0x1/0x2'),
      '-- Boot 0123456789abcdef0123456789abcdef --',
      j('Linux version 6.8.0 (a@b) (gcc) #1 SMP Mon Jan 1 00:00:00 UTC 2024'),
      j('BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable'),
      'Nov 23 10:00:01 host systemd[1]: Started something.',
      '-- Reboot --',
      j('microcode: updated early'),
      j('Linux version 6.9.0 (a@b) (gcc) #1 SMP Mon Jan 1 00:00:00 UTC 2024'),
    ].join('\n');
    const result = parseText(text);
    expect(result.boots.map((b) => [b.startLine, b.kernelVersion, b.truncatedStart])).toEqual([
      [1, undefined, true],
      [2, '6.8.0', false],
      [6, '6.9.0', false],
    ]);
  });

  it('a mail quoting two logs: split at the second banner, quote prefixes removed', () => {
    const quoted = (t: string) =>
      t
        .split('\n')
        .map((l) => '> ' + l)
        .join('\n');
    const text = 'Before:\n' + quoted(boot('5.4.0', 0x1000)) + '\n\nAfter:\n' + quoted(boot('5.10.0', 0x3000)) + '\n';
    const result = parseText(text);
    expect(result.boots.map((b) => [b.startLine, b.kernelVersion])).toEqual([
      [2, '5.4.0'],
      [9, '5.10.0'],
    ]);
    expect(result.envelopes).toContain('mail-quote');
  });
});

describe('reader: more envelopes end to end', () => {
  it('quoted-printable mail: soft breaks joined, =3D decoded, spans kept', () => {
    const text = [
      'Content-Type: text/plain; charset=UTF-8',
      '',
      '> [    0.000000] memblock_alloc_try_nid: 23724 bytes align=3D0x8 nid=3D-1 f=',
      'rom=3D0x0000000000000000 max_addr=3D0x0000000000000000 alloc_node_data+0x=',
      '2a/0x90',
      '> [    0.000000] memblock_reserve: [0x000000007ffc8000-0x000000007ffcdcab] me=',
      'mblock_alloc_range_nid+0xe8/0x17c',
    ].join('\r\n');
    const result = parseText(text);
    expect(result.envelopes).toEqual(expect.arrayContaining(['quoted-printable', 'mail-quote', 'crlf']));
    const [alloc, reserve] = result.boots[0].events;
    expect(alloc).toMatchObject({ kind: 'alloc', line: 3, endLine: 5, size: 23724n, align: 8n, nid: -1, caller: 'alloc_node_data+0x2a/0x90' });
    expect(reserve).toMatchObject({ kind: 'reserve', line: 6, endLine: 7, base: 0x7ffc8000n });
  });

  it('/dev/kmsg dump: records read, dictionary lines skipped, \\x09 becomes a TAB', () => {
    const text = [
      '6,0,0,-;Linux version 6.1.0 (a@b) (gcc) #1 SMP Mon Jan 1 00:00:00 UTC 2024',
      '6,1,0,-,caller=T0;MEMBLOCK configuration:',
      '6,2,0,-,caller=T0; memory size = 0x000000003ff7ec00 reserved size = 0x000000000357e000',
      '6,3,0,-,caller=T0; memory.cnt  = 0x1',
      '6,4,0,-,caller=T0; memory[0x0]\\x09[0x0000000000001000-0x000000003ff7fbff], 0x000000003ff7ec00 bytes flags: 0x0',
      '6,5,0,-,caller=T0; reserved.cnt  = 0x1',
      '6,6,0,-,caller=T0; reserved[0x0]\\x09[0x0000000000000000-0x000000000357dfff], 0x000000000357e000 bytes flags: 0x0',
      '6,7,12000,-;pci 0000:00:00.0: [8086:1237] type 00 class 0x060000',
      ' SUBSYSTEM=pci',
      ' DEVICE=+pci:0000:00:00.0',
    ].join('\n');
    const result = parseText(text);
    expect(result.envelopes).toContain('kmsg');
    const dump = result.boots[0].events.find((e) => e.kind === 'checkpoint');
    expect(dump).toMatchObject({ kind: 'checkpoint', line: 2, complete: true });
    expect(result.boots[0]).toMatchObject({ kernelVersion: '6.1.0', startLine: 1, endLine: 8 });
  });

  it('forum markup and JSON-quoted lines reach the recognizers clean', () => {
    const text = [
      '[CODE][COLOR=#000000][    0.000000] Linux version 5.15.0 (a@b) (gcc) #1 SMP Mon Jan 1 00:00:00 UTC 2024[/COLOR]',
      '[COLOR=#000000][    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable[/COLOR]',
      '  "[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000003ffdffff] usable",[/CODE]',
    ].join('\n');
    const result = parseText(text);
    const rows = result.boots[0].events.filter((e) => e.kind === 'firmware');
    expect(rows.map((e) => e.line)).toEqual([2, 3]);
    expect(result.envelopes).toEqual(expect.arrayContaining(['forum-markup', 'json']));
  });
});

describe('reader: streaming and API equivalence', () => {
  const file = real('arm32-brcmstb-no-map-region-as-ram-memblock-dump-mailwrapped-5.4.log');

  function summary(r: ParseResult) {
    return JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v));
  }

  it('parseText, parseChunks (bytes cut anywhere), parseLog (async) and parseFile agree', async () => {
    const text = readFileSync(file, 'utf8');
    const bytes = readFileSync(file);
    const expected = summary(parseText(text));
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 13) pieces.push(bytes.subarray(i, i + 13));
    expect(summary(parseChunks(pieces))).toBe(expected);
    async function* gen() {
      for (const p of pieces) yield p;
    }
    expect(summary(await parseLog(gen()))).toBe(expected);
    expect(summary(await parseLog([text]))).toBe(expected);
    expect(summary(await parseFile(file))).toBe(expected);
  });

  it('byte chunking does not change records on a CRLF + ANSI capture', () => {
    const whole = read(qemu('x86_64-2node-2g-memblock-debug.log'));
    const chunked = read(qemu('x86_64-2node-2g-memblock-debug.log'), 7);
    expect(chunked.records).toEqual(whole.records);
  });
});

describe('reader: hostile input never throws', () => {
  it('random bytes', () => {
    let seed = 42;
    const bytes = new Uint8Array(1 << 20);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16;
    const result = parseChunks([bytes.subarray(0, 1000), bytes.subarray(1000)]);
    expect(result.lineCount).toBeGreaterThan(1000);
    expect(result.envelopes).toContain('invalid-utf8');
  });

  it('NUL floods around kernel lines', () => {
    const nul = '\0'.repeat(30_000); // a line stays under the 64 KiB cap
    const result = parseText(nul + '\n' + nul + '[    0.000000] Linux version 6.1.0 (a@b) (gcc) #1 SMP Mon Jan 1 00:00:00 UTC 2024' + nul + '\n' + nul);
    expect(result.lineCount).toBe(3);
    expect(result.boots[0]).toMatchObject({ startLine: 2, kernelVersion: '6.1.0' });
    expect(result.envelopes).toContain('nul');
  });

  it('a huge single line is cut and counted, and the file goes on', () => {
    const result = parseText('x'.repeat(5_000_000) + '\n[    0.000000] Linux version 6.1.0 (a@b) (gcc) #1 SMP Mon Jan 1 00:00:00 UTC 2024\n');
    expect(result.lineCount).toBe(2);
    expect(result.envelopes).toContain('truncated-line');
    expect(result.boots[0]).toMatchObject({ startLine: 2, kernelVersion: '6.1.0' });
  });

  it('a recognizer that throws costs one line, not the file', () => {
    const reader = new LogReader({
      createParser: () => ({
        push: (rec) => {
          if (rec.text.includes('boom')) throw new Error('boom');
          return { events: [], unread: false };
        },
        end: () => [],
      }),
      needsContinuation: () => false,
    });
    reader.push('[    0.000000] Linux version 6.1.0 (a@b) (gcc) #1 SMP Mon Jan 1 00:00:00 UTC 2024\n[    0.000000] boom\n[    0.000000] after\n');
    const result = reader.end();
    expect(result.boots[0]).toMatchObject({ unreadCount: 1, endLine: 3 });
    expect(result.boots[0].unread).toEqual([{ line: 2, text: 'boom' }]);
  });

  it('empty input', () => {
    expect(parseText('')).toEqual({ boots: [], lineCount: 0, unreadCount: 0, envelopes: [] });
  });
});

describe('reader: unread lines', () => {
  const unreadAll: Recognizers = {
    createParser: () => ({ push: (rec) => ({ events: [], unread: rec.text.startsWith('memblock') }), end: () => [] }),
    needsContinuation: () => false,
  };

  it('counts all, keeps the first 200', () => {
    const lines = ['[    0.000000] Linux version 6.1.0 (a@b) (gcc) #1 SMP Mon Jan 1 00:00:00 UTC 2024'];
    for (let i = 0; i < 250; i++) lines.push(`[    0.000000] memblock_weird: ${i}`);
    const reader = new LogReader(unreadAll);
    reader.push(lines.join('\n'));
    const result = reader.end();
    expect(result.unreadCount).toBe(250);
    expect(result.boots[0].unreadCount).toBe(250);
    expect(result.boots[0].unread).toHaveLength(200);
    expect(result.boots[0].unread[0]).toEqual({ line: 2, text: 'memblock_weird: 0' });
  });

  it('ignores prose without envelope in a timestamped log, but not in a log without stamps', () => {
    const withStamps = new LogReader(unreadAll);
    withStamps.push('memblock is mentioned in prose\n[    0.000000] Linux version 6.1.0 (a@b) (gcc) #1 SMP Mon Jan 1 00:00:00 UTC 2024\n[    0.000000] memblock_odd: 1\n');
    expect(withStamps.end().unreadCount).toBe(1);
    const noStamps = new LogReader(unreadAll);
    noStamps.push('Linux version 6.1.0 (a@b) (gcc) #1 SMP Mon Jan 1 00:00:00 UTC 2024\nmemblock_odd: 1\n');
    expect(noStamps.end().boots[0].unread).toEqual([{ line: 2, text: 'memblock_odd: 1' }]);
  });
});

describe('reader: architecture guesses', () => {
  const banner = (v: string) => `[    0.000000] Linux version ${v} #1 SMP Mon Jan 1 00:00:00 UTC 2024`;
  it.each([
    [[banner('6.1.0-56-arm64 (debian-kernel@lists.debian.org) (gcc-12)')], 'arm64'],
    [[banner('6.10.0 (x@y) (aarch64-linux-gnu-gcc (GCC) 13.2.0)')], 'arm64'],
    [[banner('5.15.0 (x@y) (riscv64-linux-gnu-gcc 12)')], 'riscv64'],
    [[banner('4.19.0 (x@y) (gcc 8)'), '[    0.000000] BIOS-e820: [mem 0x0-0x9fbff] usable', '[    0.000000]   DMA32    [mem 0x0000000001000000-0x00000000ffffffff]'], 'x86_64'],
    [[banner('2.6.35 (x@y) (gcc 4)'), '[    0.000000]  BIOS-e820: 0000000000000000 - 000000000009fc00 (usable)', '[    0.000000] 0MB HIGHMEM available.'], 'i386'],
    [[banner('5.4.0 (x@y) (gcc 8)'), '[    0.000000] BIOS-e820: [mem 0x0-0x9fbff] usable'], 'x86_64'],
    [[banner('5.4.0 (x@y) (gcc 8)'), '[    0.000000] CPU: ARMv7 Processor [410fc075] revision 5 (ARMv7), cr=30c5387d'], 'arm'],
    [[banner('5.4.0 (x@y) (gcc 8)'), '[    0.000000] OF: fdt: Machine model: linux,dummy-virt'], 'arm64'],
    [[banner('5.4.0 (x@y) (gcc 8)'), '[    0.000000] CPU0 revision is: 0001a900 (MIPS I6400)'], 'mips'],
    [[banner('5.4.0 (x@y) (gcc 8)')], undefined],
  ])('%j → %s', (lines, arch) => {
    expect(parseText(lines.join('\n')).boots[0].arch).toBe(arch);
  });

  it('tells the recognizers the version and arch as soon as they are known', () => {
    const seen: Array<[number, string | undefined, string | undefined]> = [];
    const reader = new LogReader({
      createParser: (ctx) => ({
        push: (rec) => {
          seen.push([rec.line, ctx.kernelVersion, ctx.arch]);
          return { events: [], unread: false };
        },
        end: () => [],
      }),
      needsContinuation: () => false,
    });
    reader.push([banner('6.1.0-56-amd64 (debian-kernel@lists.debian.org) (gcc-12)'), '[    0.000000] Command line: x'].join('\n'));
    reader.end();
    expect(seen).toEqual([
      [1, '6.1.0-56-amd64', 'x86_64'],
      [2, '6.1.0-56-amd64', 'x86_64'],
    ]);
  });
});
