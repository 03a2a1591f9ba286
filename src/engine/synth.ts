// Synthetic `memblock=debug` boot logs of any size, for benchmarks and tests.
//
// The text imitates what a Debian 6.1 x86-64 kernel prints under QEMU with `memblock=debug` (see
// /work/shared/corpus/qemu): e820 table, memblock_add lines, MEMBLOCK configuration dumps, SRAT and
// NODE_DATA lines, then a long stream of allocation requests, explicit reservations and frees, then
// zones, `Memory:` accounting and `Freeing` lines. Every address comes from the allocator model
// (`Memblock`), driven exactly as the kernel drives memblock, so a replay of the log through a fresh
// model predicts every reserve line the generator printed.
//
// Output is streamed through `write` in chunks of about 64 KiB; nothing holds the whole text.
// Deterministic: the same options (and seed) give byte-identical output.

import { MAX_NUMNODES, NUMA_NO_NODE, type Region } from './types';
import { hex16 } from './util/hex';
import { Memblock } from './model/memblock';

export interface SynthOptions {
  /** NUMA nodes (>= 1). */
  nodes: number;
  /**
   * memblock operations to print, exactly. One event = one `memblock_add`, one explicit
   * `memblock_reserve`, one `memblock_phys_free`, or one allocation: a request line
   * (`memblock_alloc_try_nid[_raw]`, `memblock_alloc_exact_nid_raw`, `memblock_phys_alloc_range`)
   * together with the `memblock_reserve … memblock_alloc_range_nid+…` line of its result, or an
   * unlogged allocation (NODE_DATA) whose reserve line stands alone. Lines an array doubling causes
   * (`memblock: reserved is doubled …` and the `memblock_double_array+…` free/reserve) are extra.
   * In 'kernlog' style the events are shared out over the boots.
   */
  events: number;
  seed?: number;
  /** 'dmesg': `[    0.000000] msg`; 'kernlog': rsyslog kern.log with several boots and noise. */
  style?: 'dmesg' | 'kernlog';
  /** RAM per node in GiB (default 4). */
  nodeGiB?: number;
  /** Boots in a 'kernlog' file (default 3, fewer when events are few). Ignored for 'dmesg'. */
  boots?: number;
  /** 'kernlog': noise lines (driver and user-space messages) after each boot, per line of the boot (default 0.6). */
  noise?: number;
  /** Host name in 'kernlog' envelopes (default "lab"). */
  host?: string;
}

export interface SynthStats {
  lines: number;
  bytes: number;
  events: number;
  boots: number;
  /** memblock_alloc_* / memblock_phys_alloc_range request lines. */
  allocs: number;
  frees: number;
  reserves: number;
  doublings: number;
  dumps: number;
  /** Allocations the model could not place (not printed; should stay 0). */
  failed: number;
  /** Largest reserved.cnt seen. */
  maxReserved: number;
}

const GiB = 1n << 30n;
const MiB = 1n << 20n;
const PAGE = 4096n;
const ALLOC_CALLER = 'memblock_alloc_range_nid+0xb0/0x13d';
const DOUBLE_RESERVE_CALLER = 'memblock_double_array+0x1e3/0x2c0';
const DOUBLE_FREE_CALLER = 'memblock_double_array+0x1c8/0x2c0';
const REGION_BYTES = 24n;
const LOW_SPLIT = 0xc0000000n; // QEMU puts at most 3 GiB below 4 GiB; the BIOS keeps its last 128 KiB
const FW_ZONE_BASE = 0x100000n;
const FW_ZONE_SIZE = 0xf00000n; // explicit reservations land in [1 MiB, 16 MiB)
const KERNEL_BASE = 0x4000000n;
const KERNEL_SIZE = 0x3411000n;
const INITRD_SIZE = 0xfc000n;
const DUMP_EVERY = 50_000;

// ---------------------------------------------------------------------------------------------
// PRNG: mulberry32, seeded. Deterministic across platforms.

type Rng = () => number;

function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

// ---------------------------------------------------------------------------------------------
// Formatting

const pa = hex16;
const span = (base: bigint, size: bigint): string => `[${pa(base)}-${pa(base + size - 1n)}]`;
const mem8 = (base: bigint, size: bigint): string =>
  `[mem 0x${base.toString(16).padStart(8, '0')}-0x${(base + size - 1n).toString(16).padStart(8, '0')}]`;
const mem16 = (base: bigint, size: bigint): string => `[mem ${pa(base)}-${pa(base + size - 1n)}]`;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function syslogClock(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** Buffers lines and hands ~64 KiB chunks to `write`. */
class Sink {
  lines = 0;
  bytes = 0;
  /** Kernel time of the current boot, microseconds. */
  us = 0;
  /** Wall clock of the current boot's start (kernlog), ms since the epoch. */
  bootWallMs = 0;
  private buf = '';
  private clockSec = -1;
  private clockText = '';

  constructor(
    private readonly write: (chunk: string) => void,
    readonly style: 'dmesg' | 'kernlog',
    readonly host: string,
  ) {}

  private stamp(): string {
    const sec = Math.floor(this.us / 1e6);
    const frac = this.us - sec * 1e6;
    return `[${String(sec).padStart(5, ' ')}.${String(frac).padStart(6, '0')}] `;
  }

  private clock(): string {
    const sec = Math.floor(this.bootWallMs / 1000 + this.us / 1e6);
    if (sec !== this.clockSec) {
      this.clockSec = sec;
      this.clockText = syslogClock(sec * 1000);
    }
    return this.clockText;
  }

  /** A kernel message of the current boot. */
  k(msg: string): void {
    this.put(this.style === 'kernlog' ? `${this.clock()} ${this.host} kernel: ${this.stamp()}${msg}` : `${this.stamp()}${msg}`);
  }

  /** A syslog line from user space (kernlog only). */
  user(tag: string, msg: string): void {
    this.put(`${this.clock()} ${this.host} ${tag}: ${msg}`);
  }

  /** A verbatim physical line. */
  put(line: string): void {
    this.buf += line + '\n';
    this.lines++;
    if (this.buf.length >= 65536) this.flush();
  }

  tick(rng: Rng, maxUs: number): void {
    this.us += Math.floor(rng() * (maxUs + 1));
  }

  flush(): void {
    if (this.buf.length === 0) return;
    this.bytes += this.buf.length; // the text is ASCII
    this.write(this.buf);
    this.buf = '';
  }
}

// ---------------------------------------------------------------------------------------------
// Noise

const EARLY_NOISE = [
  'PM: hibernation: Registered nosave memory: [mem 0x00000000-0x00000fff]',
  'clocksource: refined-jiffies: mask: 0xffffffff max_cycles: 0xffffffff, max_idle_ns: 7645519600211568 ns',
  'ACPI: LAPIC_NMI (acpi_id[0xff] dfl dfl lint[0x1])',
  'ACPI: INT_SRC_OVR (bus 0 bus_irq 9 global_irq 9 high level)',
  'IOAPIC[0]: apic_id 0, version 32, address 0xfec00000, GSI 0-23',
  'smpboot: Allowing 2 CPUs, 0 hotplug CPUs',
  'Booting paravirtualized kernel on bare hardware',
  'rcu: Preemptible hierarchical RCU implementation.',
  'Dentry cache hash table entries: 262144 (order: 9, 2097152 bytes, vmalloc)',
  'ftrace: allocating 40521 entries in 159 pages',
  'e820: reserve RAM buffer [mem 0x0009fc00-0x0009ffff]',
  'x86/mm: Memory block size: 128MB',
];

const DRIVER_NOISE = [
  'pci 0000:00:02.0: vgaarb: setting as boot VGA device',
  'e1000: Intel(R) PRO/1000 Network Driver',
  'e1000 0000:00:03.0 eth0: (PCI:33MHz:32-bit) 52:54:00:12:34:56',
  'ata1: SATA link up 1.5 Gbps (SStatus 113 SControl 300)',
  'sd 0:0:0:0: [sda] 41943040 512-byte logical blocks: (21.5 GB/20.0 GiB)',
  'EXT4-fs (sda1): mounted filesystem with ordered data mode. Quota mode: none.',
  'IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready',
  'audit: type=1400 audit(1795443588.004:12): apparmor="STATUS" operation="profile_load" name="/usr/bin/man"',
  'input: Power Button as /devices/LNXSYSTM:00/LNXPWRBN:00/input/input3',
  'usb 1-1: new high-speed USB device number 2 using ehci-pci',
  'virtio_net virtio0 enp0s3: renamed from eth0',
  'random: crng init done',
  'systemd[1]: Detected virtualization qemu.',
  'NET: Registered PF_VSOCK protocol family',
  'loop0: detected capacity change from 0 to 8',
];

const USER_NOISE: Array<[string, string]> = [
  ['systemd[1]', 'Started Daily apt download activities.'],
  ['systemd[1]', 'Starting Cleanup of Temporary Directories...'],
  ['systemd[1]', 'Finished Cleanup of Temporary Directories.'],
  ['systemd-logind[412]', 'New session 3 of user root.'],
  ['systemd[1]', 'Started Session 3 of User root.'],
  ['sshd[1207]', 'Accepted publickey for root from 10.0.2.2 port 52144 ssh2'],
  ['CRON[1313]', '(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)'],
  ['rsyslogd', '[origin software="rsyslogd" swVersion="8.2302.0" x-pid="401" x-info="https://www.rsyslog.com"] rsyslogd was HUPed'],
  ['dhclient[530]', 'DHCPACK of 10.0.2.15 from 10.0.2.2'],
  ['systemd-timesyncd[377]', 'Initial clock synchronization to Mon 2026-11-23 10:00:13.492 UTC.'],
];

// ---------------------------------------------------------------------------------------------
// The allocator as the generator drives it (the planned `Memblock` API).

interface DoubleInfo {
  array: string;
  newMax: number;
  base: bigint;
}

interface Live {
  base: bigint;
  size: bigint;
  /** size is not a multiple of the alignment: the block leaves a gap behind it until freed. */
  odd: boolean;
  explicit: boolean;
}

interface Node {
  nid: number;
  /** Node span [base, end) as SRAT reports it (holes included). */
  base: bigint;
  end: bigint;
  /** SRAT memory-affinity rows. */
  srat: Array<[bigint, bigint]>;
}

class Generator {
  readonly stats: SynthStats;
  private model!: Memblock;
  private pendingDoubles: DoubleInfo[] = [];
  /** Where each array lives after a doubling (the static arrays are never freed). */
  private arrayHome = new Map<string, { base: bigint; size: bigint }>();
  /** Long-lived allocations. */
  private live: Live[] = [];
  /** Temporary buffers still reserved, most recent last. */
  private temps: Live[] = [];
  /** The temporary buffer allocated last, if nothing was allocated after it. */
  private justTemp: Live | undefined;
  /** Requests are page-aligned blocks for now (else cache-line-aligned objects); see smallSize. */
  private pagePhase = false;
  /** Explicit (firmware-style) reservations, for re-reserving and freeing. */
  private explicit: Live[] = [];
  private liveBytes = 0n;
  private totalRam = 0n;
  private nodes: Node[] = [];
  private sinceDump = 0;
  private remaining = 0;
  private lowTop = 0n;

  constructor(
    private readonly opts: Required<Pick<SynthOptions, 'nodes' | 'nodeGiB'>>,
    private readonly rng: Rng,
    private readonly out: Sink,
    stats: SynthStats,
  ) {
    this.stats = stats;
  }

  // --- model plumbing ---------------------------------------------------------------------

  private newModel(): void {
    // Debian 6.1: allocations are plain memblock_reserve calls (nid MAX_NUMNODES, flags 0), and an
    // empty array still holds its dummy entry. e820__memblock_setup starts with memblock_allow_resize.
    this.model = new Memblock({ rsrvKern: false, emptyDummy: true });
    this.model.allowResize = true;
    this.model.onDouble = (array: string, newMax: number, base: bigint) => {
      this.pendingDoubles.push({ array, newMax, base });
    };
    this.pendingDoubles = [];
    this.arrayHome.clear();
  }

  /** Prints what array doublings did during the last model call (after the line that caused them). */
  private flushDoubles(): void {
    for (const d of this.pendingDoubles) {
      const newSize = BigInt(d.newMax) * REGION_BYTES;
      const alloc = (newSize + PAGE - 1n) & ~(PAGE - 1n);
      this.out.k(`memblock: ${d.array} is doubled to ${d.newMax} at [${pa(d.base)}-${pa(d.base + newSize - 1n)}]`);
      const old = this.arrayHome.get(d.array);
      if (old) this.out.k(`memblock_phys_free: ${span(old.base, old.size)} ${DOUBLE_FREE_CALLER}`);
      this.out.k(`memblock_reserve: ${span(d.base, alloc)} ${DOUBLE_RESERVE_CALLER}`);
      this.arrayHome.set(d.array, { base: d.base, size: alloc });
      this.stats.doublings++;
    }
    this.pendingDoubles.length = 0;
    const cnt = this.model.reserved.regions.length;
    if (cnt > this.stats.maxReserved) this.stats.maxReserved = cnt;
  }

  private event(): void {
    this.remaining--;
    this.stats.events++;
    this.sinceDump++;
    this.out.tick(this.rng, 3);
  }

  // --- printed operations -----------------------------------------------------------------

  private add(base: bigint, size: bigint, printedSize: bigint): void {
    if (this.remaining <= 0) return;
    this.model.add(base, size);
    this.out.k(`memblock_add: ${span(base, printedSize)} e820__memblock_setup+0x65/0x7d`);
    this.event();
    this.flushDoubles();
  }

  private reserve(base: bigint, size: bigint, caller: string): boolean {
    if (this.remaining <= 0) return false;
    this.model.reserve(base, size);
    this.out.k(`memblock_reserve: ${span(base, size)} ${caller}`);
    this.stats.reserves++;
    this.event();
    this.flushDoubles();
    return true;
  }

  private free(base: bigint, size: bigint, caller: string): boolean {
    if (this.remaining <= 0) return false;
    this.model.free(base, size);
    this.out.k(`memblock_phys_free: ${span(base, size)} ${caller}`);
    this.stats.frees++;
    this.event();
    this.flushDoubles();
    return true;
  }

  /**
   * One logged allocation: request line, then the reserve line of the block memblock chose.
   * Returns the address, or 0n when it did not fit (nothing is printed then).
   */
  private alloc(
    api: 'memblock_alloc_try_nid' | 'memblock_alloc_try_nid_raw' | 'memblock_alloc_exact_nid_raw' | 'memblock_phys_alloc_range',
    size: bigint,
    align: bigint,
    nid: number,
    from: bigint,
    maxAddr: bigint,
    caller: string,
  ): bigint {
    if (this.remaining <= 0) return 0n;
    let found: bigint;
    if (api === 'memblock_phys_alloc_range') found = this.model.allocRangeNid(size, align, from, maxAddr, NUMA_NO_NODE, false);
    else found = this.model.allocInternal(size, align, from, maxAddr, nid, api === 'memblock_alloc_exact_nid_raw');
    if (found === 0n) {
      this.pendingDoubles.length = 0;
      this.stats.failed++;
      return 0n;
    }
    const nidText = api === 'memblock_phys_alloc_range' ? '' : ` nid=${nid}`;
    this.out.k(`${api}: ${size} bytes align=0x${align.toString(16)}${nidText} from=${pa(from)} max_addr=${pa(maxAddr)} ${caller}`);
    this.out.k(`memblock_reserve: ${span(found, size)} ${ALLOC_CALLER}`);
    this.stats.allocs++;
    this.event();
    this.flushDoubles();
    return found;
  }

  /** An unlogged allocation (memblock_phys_alloc_try_nid): only its reserve line shows. */
  private allocUnlogged(size: bigint, align: bigint, nid: number): bigint {
    if (this.remaining <= 0) return 0n;
    const found = this.model.allocRangeNid(size, align, 0n, 0n, nid, false);
    if (found === 0n) return 0n;
    this.out.k(`memblock_reserve: ${span(found, size)} ${ALLOC_CALLER}`);
    this.stats.reserves++;
    this.event();
    this.flushDoubles();
    return found;
  }

  private dump(): void {
    const m = this.model;
    this.out.k('MEMBLOCK configuration:');
    this.out.k(` memory size = ${pa(m.memory.totalSize)} reserved size = ${pa(m.reserved.totalSize)}`);
    for (const [name, array] of [['memory', m.memory], ['reserved', m.reserved]] as const) {
      this.out.k(` ${name}.cnt  = 0x${array.cnt.toString(16)}`);
      const regions: readonly Region[] = array.regions.length ? array.regions : [array.emptySlot()];
      regions.forEach((r, i) => {
        const node = r.nid >= 0 && r.nid < MAX_NUMNODES ? ` on node ${r.nid}` : '';
        this.out.k(` ${name}[0x${i.toString(16)}]\t${span(r.base, r.size)}, ${pa(r.size)} bytes${node} flags: 0x${r.flags.toString(16)}`);
      });
    }
    this.stats.dumps++;
    this.sinceDump = 0;
  }

  // --- one boot -----------------------------------------------------------------------------

  boot(events: number): void {
    const { out, rng } = this;
    this.remaining = events;
    this.live = [];
    this.temps = [];
    this.justTemp = undefined;
    this.pagePhase = false;
    this.explicit = [];
    this.liveBytes = 0n;
    this.sinceDump = 0;
    this.newModel();
    out.us = 0;

    const n = this.opts.nodes;
    const nodeBytes = BigInt(this.opts.nodeGiB) * GiB;
    this.totalRam = nodeBytes * BigInt(n);
    const lowSplit = LOW_SPLIT < this.totalRam ? LOW_SPLIT : this.totalRam;
    const LOW_TOP = lowSplit - 0x20000n; // end of usable RAM below 4 GiB (ACPI tables above it)
    const INITRD_BASE = LOW_TOP - INITRD_SIZE;
    this.lowTop = LOW_TOP;
    const lowRam = LOW_TOP;
    const highRam = this.totalRam - lowSplit; // above 4 GiB
    const ramEnd = highRam > 0n ? (1n << 32n) + highRam : lowRam;

    // NUMA nodes: node k covers the k-th nodeBytes of RAM; the PCI hole belongs to node 0.
    this.nodes = [];
    const ramToPhys = (off: bigint) => (off <= lowSplit ? off : off - lowSplit + (1n << 32n));
    for (let k = 0; k < n; k++) {
      const lo = nodeBytes * BigInt(k);
      const hi = lo + nodeBytes;
      let base = k === 0 ? 0n : ramToPhys(lo);
      if (base === lowSplit && highRam > 0n) base = 1n << 32n;
      const end = k === n - 1 ? ramEnd : ramToPhys(hi);
      const srat: Array<[bigint, bigint]> = [];
      if (k === 0) {
        srat.push([0n, 0xa0000n]);
        const lowEnd = end < lowSplit ? end : lowSplit;
        srat.push([0x100000n, lowEnd - 0x100000n]);
        if (end > 1n << 32n) srat.push([1n << 32n, end - (1n << 32n)]);
      } else {
        srat.push([base, end - base]);
      }
      this.nodes.push({ nid: k, base, end, srat });
    }

    // ---- prologue, as setup_arch prints it
    const kver = '6.1.0-56-amd64';
    out.k(`Linux version ${kver} (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)`);
    const cmdline = `BOOT_IMAGE=/boot/vmlinuz-${kver} root=UUID=3f1c9a52-7d0e-4b8a-9c55-2a1e6f0b7d41 ro console=ttyS0 loglevel=8 memblock=debug log_buf_len=8M`;
    out.k(`Command line: ${cmdline}`);
    out.k('x86/fpu: x87 FPU will use FXSAVE');
    out.k('signal: max sigframe size: 1440');
    out.k('BIOS-provided physical RAM map:');
    const e820: Array<[bigint, bigint, string]> = [
      [0n, 0x9fc00n, 'usable'],
      [0x9fc00n, 0x400n, 'reserved'],
      [0xf0000n, 0x10000n, 'reserved'],
      [0x100000n, lowRam - 0x100000n, 'usable'],
      [LOW_TOP, 0x20000n, 'reserved'],
      [0xfeffc000n, 0x4000n, 'reserved'],
      [0xfffc0000n, 0x40000n, 'reserved'],
    ];
    if (highRam > 0n) e820.push([1n << 32n, highRam, 'usable']);
    e820.push([0xfd00000000n, 0x300000000n, 'reserved']);
    for (const [b, s, t] of e820) out.k(`BIOS-e820: ${mem16(b, s)} ${t}`);
    out.k('NX (Execute Disable) protection: active');
    out.k('SMBIOS 2.8 present.');
    out.k('DMI: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014');
    out.k('tsc: Fast TSC calibration failed');
    out.k('e820: update [mem 0x00000000-0x00000fff] usable ==> reserved');
    out.k('e820: remove [mem 0x000a0000-0x000fffff] usable');
    out.k(`last_pfn = 0x${(ramEnd >> 12n).toString(16)} max_arch_pfn = 0x400000000`);
    out.k('x86/PAT: Configuration [0-7]: WB  WC  UC- UC  WB  WP  UC- WT  ');
    if (highRam > 0n) out.k(`last_pfn = 0x${(lowRam >> 12n).toString(16)} max_arch_pfn = 0x400000000`);

    // Reservations made before memblock=debug was parsed: only the first dump shows them.
    this.model.reserve(0n, 0x10000n);
    this.model.reserve(0x9f000n, 0x61000n);
    this.model.reserve(KERNEL_BASE, KERNEL_SIZE);
    this.model.reserve(INITRD_BASE, INITRD_SIZE);
    this.pendingDoubles.length = 0;

    out.k('found SMP MP-table at [mem 0x000f5b80-0x000f5b8f]');
    this.reserve(0xf5b80n, 0x10n, 'smp_scan_config+0xa7/0xff');
    this.reserve(0xf5b90n, 0xe4n, 'smp_scan_config+0xbe/0xff');
    this.reserve(KERNEL_BASE + KERNEL_SIZE - 0x11000n, 0x11000n, 'setup_arch+0x797/0xd4f');
    // e820__memblock_setup adds the usable rows as printed; memblock_trim_memory then page-aligns
    // them silently, so the model gets the trimmed ranges (as the first dump shows).
    this.add(0x1000n, 0x9e000n, 0x9ec00n);
    this.add(0x100000n, lowRam - 0x100000n, lowRam - 0x100000n);
    if (highRam > 0n) this.add(1n << 32n, highRam, highRam);
    this.dump();

    // setup_arch after the first dump
    this.alloc('memblock_phys_alloc_range', 28672n, 0x1000n, NUMA_NO_NODE, 0n, 0x100000n, 'reserve_real_mode+0x50/0x89');
    this.reserve(0n, 0x100000n, 'setup_arch+0x7e0/0xd4f');
    const pt = this.alloc('memblock_phys_alloc_range', 2n * MiB, 2n * MiB, NUMA_NO_NODE, 0x100000n, ramEnd, 'init_mem_mapping+0x1ee/0x31f');
    if (pt) this.free(pt, 2n * MiB, 'init_mem_mapping+0x22e/0x31f');
    for (const [size, off] of [[8388608n, '0x112'], [6291456n, '0x152'], [23068672n, '0x18c']] as const) {
      this.alloc('memblock_alloc_try_nid', size, 8n, NUMA_NO_NODE, 0n, 0n, `setup_log_buf+${off}/0x337`);
    }
    out.k('printk: log_buf_len: 8388608 bytes');
    out.k('printk: early log buf free: 126968(96%)');
    out.k(`RAMDISK: ${mem8(INITRD_BASE, INITRD_SIZE)}`);
    out.k('ACPI: Early table checksum verification disabled');
    out.k('ACPI: RSDP 0x00000000000F5970 000014 (v00 BOCHS )');
    const tables: Array<[string, bigint, bigint]> = [
      ['FACP', 0x19ebn, 0x74n], ['DSDT', 0x40n, 0x19abn], ['FACS', 0n, 0x40n], ['APIC', 0x1a5fn, 0x80n],
      ['HPET', 0x1adfn, 0x38n], ['SRAT', 0x1b17n, 0xf0n], ['WAET', 0x1c07n, 0x28n],
    ];
    for (const [sig, off, len] of tables) {
      const b = LOW_TOP + off;
      out.k(`ACPI: ${sig} 0x${b.toString(16).toUpperCase().padStart(16, '0')} ${len.toString(16).toUpperCase().padStart(6, '0')} (v01 BOCHS  BXPC     00000001 BXPC 00000001)`);
    }
    for (const [sig, off, len] of tables) {
      out.k(`ACPI: Reserving ${sig} table memory at ${mem8(LOW_TOP + off, len)}`);
      this.reserve(LOW_TOP + off, len, 'acpi_reserve_initial_tables+0x51/0x61');
    }

    // NUMA
    for (let k = 0; k < n; k++) out.k(`SRAT: PXM ${k} -> APIC 0x${k.toString(16).padStart(2, '0')} -> Node ${k}`);
    for (const node of this.nodes) {
      for (const [b, s] of node.srat) out.k(`ACPI: SRAT: Node ${node.nid} PXM ${node.nid} ${mem8(b, s)}`);
    }
    for (const node of this.nodes) {
      let [cb, cs] = node.srat[0];
      for (const [b, s] of node.srat.slice(1)) {
        const merged = b + s - cb;
        out.k(`NUMA: Node ${node.nid} ${mem8(cb, cs)} + ${mem8(b, s)} -> ${mem8(cb, merged)}`);
        cs = merged;
      }
    }
    // numa_register_memblks: memblock_set_node on both arrays, unprinted.
    for (const node of this.nodes) {
      this.model.setNode('memory', node.base, node.end - node.base, node.nid);
      this.model.setNode('reserved', node.base, node.end - node.base, node.nid);
    }
    this.flushDoubles();
    for (const node of this.nodes) {
      const nd = this.allocUnlogged(0x2b000n, 64n, node.nid);
      if (nd) {
        out.k(`NODE_DATA(${node.nid}) allocated ${mem8(nd, 0x2b000n)}`);
        if (nd < node.base || nd >= node.end) {
          const on = this.nodes.find((x) => nd >= x.base && nd < x.end);
          if (on) out.k(`    NODE_DATA(${node.nid}) on node ${on.nid}`);
        }
      }
    }
    this.dump();

    // ---- the long middle: realistic mix of requests, reservations and frees
    const tailEvents = Math.floor(this.remaining * 0.03);
    this.churn(this.remaining - tailEvents);
    this.zones(ramEnd, lowRam, highRam);
    this.percpu();
    this.churn(this.remaining);
    this.accounting();
    out.flush();
  }

  // --- the event mix ------------------------------------------------------------------------

  private churn(budget: number): void {
    const stopAt = this.remaining - budget;
    const { rng } = this;
    const pressureMark = (this.totalRam * 11n) / 20n;
    while (this.remaining > stopAt) {
      if (this.sinceDump >= DUMP_EVERY) this.dump();
      if (rng() < 0.02) this.out.k(pick(rng, EARLY_NOISE));
      // A temporary buffer mostly goes back before anything else is allocated: the block is then
      // the lowest on its frontier and freeing it leaves no hole. A few linger (and leave holes).
      if (this.justTemp) {
        const l = this.justTemp;
        this.justTemp = undefined;
        if (l.odd || rng() < 0.9) {
          this.freeTemp(l);
          continue;
        }
        this.temps.push(l);
      }
      if (this.temps.length > 0 && rng() < 0.03) {
        this.freeTemp(this.temps.pop()!);
        continue;
      }
      if (this.liveBytes > pressureMark && rng() < 0.3 && this.freeOld(true)) continue;
      if (rng() < 1 / 150) this.pagePhase = !this.pagePhase;
      const r = rng();
      if (r < 0.005) this.freeOld(false) || this.anyAlloc();
      else if (r < 0.14) this.explicitReserve();
      else if (r < 0.25) this.nodeAlloc();
      else if (r < 0.35) {
        if (this.pagePhase) this.rawAlloc();
        else this.nodeAlloc();
      }
      else if (r < 0.38) this.exactAlloc();
      else if (r < 0.41) this.physRangeAlloc();
      else if (r < 0.4103 && this.remaining - stopAt >= 2 * this.nodes.length) this.pcpuChunk();
      else this.anyAlloc();
    }
  }

  /**
   * Records a successful allocation: most large blocks and odd-sized ones are temporary (freed
   * soon), the rest stays reserved for the whole boot.
   */
  private track(base: bigint, size: bigint, align: bigint, tempOdds?: number): void {
    if (!base) return;
    const odd = size % align !== 0n;
    const odds = tempOdds ?? (odd ? 0.995 : size >= 256n * 1024n ? 0.98 : size >= 16n * 1024n ? 0.9 : size > PAGE ? 0.5 : 0.08);
    const l: Live = { base, size, odd, explicit: false };
    if (this.justTemp) this.temps.push(this.justTemp);
    this.justTemp = undefined;
    if (this.rng() < odds) this.justTemp = l;
    else {
      this.live.push(l);
      this.liveBytes += size;
    }
  }

  /**
   * Request sizes come in runs: cache-line-aligned objects for a while, then page-aligned blocks
   * (as boot code does: a batch of memblock_alloc()s, then vmemmap or page-table pages). Every
   * switch from one to the other leaves a small hole below the last object; runs keep those rare.
   */
  private smallSize(): [bigint, bigint] {
    const rng = this.rng;
    const r = rng();
    if (this.pagePhase) {
      if (r < 0.85) return [PAGE * BigInt(int(rng, 1, 3)), 0x1000n];
      if (r < 0.99) return [PAGE * BigInt(int(rng, 4, 16)), 0x1000n];
      return [PAGE * BigInt(int(rng, 16, 512)), 0x1000n];
    }
    if (r < 0.08) return [BigInt(pick(rng, [8, 16, 24, 40, 73, 75, 104, 144, 224, 264, 368, 448, 896, 904])), 0x40n];
    if (r < 0.95) return [BigInt(64 * int(rng, 1, 32)), 0x40n];
    return [PAGE * BigInt(int(rng, 4, 16)), 0x40n];
  }

  private anyAlloc(): void {
    const [size, align] = this.smallSize();
    const caller = pick(this.rng, [
      'start_kernel+0x14f/0x70f', 'firmware_map_add_early+0x29/0x53', 'register_nosave_region+0x53/0xd5',
      'alloc_bootmem_cpumask_var+0x28/0x5b', 'pcpu_alloc_first_chunk+0xf2/0x251', 'e820__reserve_resources+0x2a/0x1b0',
      'spp_getpage+0x4e/0x97', 'io_apic_init_mappings+0x37/0x1d9', 'alloc_large_system_hash+0x16e/0x2a9',
      'acpi_parse_hpet+0xc3/0x132', 'sparse_init+0x9f/0x23c', 'pcpu_setup_first_chunk+0x2ff/0x7af',
    ]);
    this.track(this.alloc('memblock_alloc_try_nid', size, align, NUMA_NO_NODE, 0n, 0n, caller), size, align);
  }

  private nodeAlloc(): void {
    const node = pick(this.rng, this.nodes);
    const [size, align] = this.smallSize();
    if (this.rng() < 0.2) {
      // sparse_init_nid: usemap inside the node's last 128 MiB
      const from = node.end - 128n * MiB;
      this.track(this.alloc('memblock_alloc_try_nid', size, align, node.nid, from, node.end, 'sparse_init_nid+0x8d/0x34d'), size, align);
    } else {
      const caller = pick(this.rng, ['sparse_index_alloc+0x40/0x65', 'pcpu_fc_alloc+0xf2/0x148', 'alloc_node_data+0x3c/0x120']);
      this.track(this.alloc('memblock_alloc_try_nid', size, align, node.nid, 0n, 0n, caller), size, align);
    }
  }

  private rawAlloc(): void {
    const node = pick(this.rng, this.nodes);
    const big = this.rng() < 0.03;
    const size = big ? 2n * MiB : PAGE;
    const align = size;
    this.track(
      this.alloc('memblock_alloc_try_nid_raw', size, align, node.nid, 0x1000000n, 0n,
        big ? 'vmemmap_alloc_block_buf+0x3e/0x80' : 'vmemmap_alloc_block_zero.constprop.0+0xc/0x28'),
      size, align, big ? 0.97 : 0.05,
    );
  }

  private exactAlloc(): void {
    const node = pick(this.rng, this.nodes);
    const size = this.rng() < 0.1 ? 2n * MiB : PAGE * BigInt(int(this.rng, 1, 16));
    const align = size === 2n * MiB ? 2n * MiB : PAGE;
    this.track(this.alloc('memblock_alloc_exact_nid_raw', size, align, node.nid, 0x1000000n, 0n, 'sparse_init_nid+0x11f/0x34d'), size, align);
  }

  private physRangeAlloc(): void {
    const rng = this.rng;
    if (rng() < 0.6) {
      // alloc_low_pages during init_mem_mapping: page tables, often given back right away
      const size = PAGE * BigInt(int(rng, 1, 8));
      const b = this.alloc('memblock_phys_alloc_range', size, PAGE, NUMA_NO_NODE, 0x100000n, this.lowTop, 'alloc_low_pages+0x8e/0x160');
      if (b && rng() < 0.5 && this.remaining > 0) this.free(b, size, 'init_mem_mapping+0x22e/0x31f');
      else this.track(b, size, PAGE);
    } else {
      // below 4 GiB (swiotlb/crash-style) with 2 MiB blocks
      const size = rng() < 0.5 ? 2n * MiB : PAGE * BigInt(int(rng, 1, 128));
      const align = size === 2n * MiB ? 2n * MiB : PAGE;
      this.track(this.alloc('memblock_phys_alloc_range', size, align, NUMA_NO_NODE, 0n, 1n << 32n, 'swiotlb_init_remap+0x9d/0x1a0'), size, align);
    }
  }

  private explicitReserve(): void {
    const rng = this.rng;
    let base: bigint;
    let size: bigint;
    const again = this.explicit.length > 0 && rng() < 0.3 ? this.explicit[Math.floor(rng() * this.explicit.length)] : undefined;
    if (again) {
      // firmware code reserving a range again (or the one right after it)
      base = again.base;
      size = again.size;
      if (rng() < 0.5) base = base + size;
    } else {
      base = FW_ZONE_BASE + PAGE * BigInt(Math.floor(rng() * Number(FW_ZONE_SIZE / PAGE)));
      size = PAGE * BigInt(int(rng, 1, 8));
      if (rng() < 0.2) size = BigInt(int(rng, 16, 4000));
    }
    if (base + size > FW_ZONE_BASE + FW_ZONE_SIZE) base = FW_ZONE_BASE + FW_ZONE_SIZE - size;
    const caller = pick(rng, [
      'early_reserve_memory+0x5a/0x8c', 'reserve_bios_regions+0x44/0x7a', 'efi_reserve_boot_services+0x7a/0x160',
      'memblock_x86_reserve_range_setup_data+0x6f/0x100', 'acpi_reserve_initial_tables+0x51/0x61', 'setup_arch+0x5e2/0xd4f',
    ]);
    if (caller.startsWith('acpi_')) this.out.k(`ACPI: Reserving OEM${int(rng, 0, 9)} table memory at ${mem8(base, size)}`);
    if (this.reserve(base, size, caller) && this.explicit.length < 4096) {
      this.explicit.push({ base, size, odd: false, explicit: true });
    }
  }

  /** Gives back a temporary buffer, whole or (pcpu-style, rarely) its tail. */
  private freeTemp(l: Live): boolean {
    const rng = this.rng;
    if (l.size >= 4n * PAGE && l.size % PAGE === 0n && l.base % PAGE === 0n && rng() < 0.05) {
      const keep = PAGE * BigInt(int(rng, 1, Math.min(16, Number(l.size / PAGE) - 1)));
      if (!this.free(l.base + keep, l.size - keep, 'pcpu_embed_first_chunk+0x216/0x70f')) return false;
      this.live.push({ base: l.base, size: keep, odd: false, explicit: false });
      this.liveBytes += keep;
      return true;
    }
    const caller = pick(rng, ['pcpu_embed_first_chunk+0x285/0x70f', 'pcpu_embed_first_chunk+0x2cf/0x70f', 'sparse_buffer_fini+0x3b/0x50',
      'pcpu_free_alloc_info+0x1e/0x28', 'numa_free_distance+0x27/0x50', 'free_init_pages_early+0x31/0x60']);
    return this.free(l.base, l.size, caller);
  }

  /** Frees a long-lived block: an old allocation (the biggest of a few under pressure) or a firmware range. */
  private freeOld(pressure: boolean): boolean {
    const rng = this.rng;
    if (!pressure && this.explicit.length > 0 && rng() < 0.3) {
      const i = Math.floor(rng() * this.explicit.length);
      const l = this.explicit[i];
      if (!this.free(l.base, l.size, pick(rng, ['efi_free_boot_services+0x82/0x1f0', 'acpi_table_upgrade+0x1d1/0x21f']))) return false;
      this.explicit[i] = this.explicit[this.explicit.length - 1];
      this.explicit.pop();
      return true;
    }
    const n = this.live.length;
    if (n === 0) return false;
    let idx = Math.floor(rng() * n);
    if (pressure) {
      for (let k = 0; k < 8; k++) {
        const j = Math.floor(rng() * n);
        if (this.live[j].size > this.live[idx].size) idx = j;
      }
    }
    const l = this.live[idx];
    if (!this.free(l.base, l.size, pick(rng, ['sparse_buffer_fini+0x3b/0x50', 'free_init_pages_early+0x31/0x60']))) return false;
    this.live[idx] = this.live[n - 1];
    this.live.pop();
    this.liveBytes -= l.size;
    return true;
  }

  /** pcpu_embed_first_chunk: a 2 MiB unit per node, then the unused tails given back. */
  private pcpuChunk(): void {
    const units: Array<[bigint, bigint]> = [];
    for (const node of this.nodes) {
      const b = this.alloc('memblock_alloc_try_nid', 2n * MiB, 2n * MiB, node.nid, 0x1000000n, 0n, 'pcpu_fc_alloc+0xf2/0x148');
      if (b) units.push([b, 2n * MiB]);
    }
    const used = 0x3e000n;
    for (const [b] of units) {
      if (this.free(b + used, 2n * MiB - used, 'pcpu_embed_first_chunk+0x216/0x70f')) {
        this.live.push({ base: b, size: used, odd: false, explicit: false });
        this.liveBytes += used;
      } else {
        this.track(b, 2n * MiB, 2n * MiB, 0);
      }
    }
  }

  private percpu(): void {
    const n = this.nodes.length;
    this.out.k(`setup_percpu: NR_CPUS:8192 nr_cpumask_bits:${n} nr_cpu_ids:${n} nr_node_ids:${n}`);
    if (this.remaining >= 2 * n) this.pcpuChunk();
    this.out.k('percpu: Embedded 62 pages/cpu s217088 r8192 d28672 u2097152');
    this.out.k('pcpu-alloc: s217088 r8192 d28672 u2097152 alloc=1*2097152');
    this.out.k(`pcpu-alloc: ${this.nodes.map((x) => `[${x.nid}] ${x.nid}`).join(' ')} `);
  }

  private zones(ramEnd: bigint, lowRam: bigint, highRam: bigint): void {
    const out = this.out;
    const m = this.model.memory.regions;
    const first = m.length ? m[0].base : 0x1000n;
    const dmaEnd = 0x1000000n;
    out.k('Zone ranges:');
    out.k(`  DMA      ${mem16(first, dmaEnd - first)}`);
    const d32End = highRam > 0n ? 1n << 32n : lowRam;
    out.k(`  DMA32    ${mem16(dmaEnd, d32End - dmaEnd)}`);
    if (highRam > 0n) out.k(`  Normal   ${mem16(1n << 32n, ramEnd - (1n << 32n))}`);
    else out.k('  Normal   empty');
    out.k('  Device   empty');
    out.k('Movable zone start for each node');
    out.k('Early memory node ranges');
    for (const r of m) {
      const nid = r.nid >= 0 && r.nid < MAX_NUMNODES ? r.nid : 0;
      out.k(`  node ${String(nid).padStart(3, ' ')}: ${mem16(r.base, r.size)}`);
    }
    for (const node of this.nodes) {
      const rs = m.filter((r) => r.nid === node.nid);
      if (rs.length === 0) {
        out.k(`Initmem setup node ${node.nid} as memoryless`);
        continue;
      }
      const last = rs[rs.length - 1];
      out.k(`Initmem setup node ${node.nid} ${mem16(rs[0].base, last.base + last.size - rs[0].base)}`);
    }
    out.k('On node 0, zone DMA: 1 pages in unavailable ranges');
    out.k('On node 0, zone DMA: 97 pages in unavailable ranges');
    out.k('ACPI: PM-Timer IO Port: 0x608');
    out.k('ACPI: Using ACPI (MADT) for SMP configuration information');
  }

  private accounting(): void {
    const out = this.out;
    const m = { memory: this.model.memory.regions, reserved: this.model.reserved.regions };
    let totalPages = 0n;
    for (const r of m.memory) totalPages += r.size >> 12n;
    // reserved pages inside memory, page-rounded outward as reserve_bootmem_region does
    // (a page shared by two neighbouring reservations counts once)
    let reservedPages = 0n;
    let mi = 0;
    let counted = 0n;
    for (const r of m.reserved) {
      let lo = r.base & ~(PAGE - 1n);
      const hi = (r.base + r.size + PAGE - 1n) & ~(PAGE - 1n);
      if (lo < counted) lo = counted;
      if (hi <= lo) continue;
      counted = hi;
      while (mi < m.memory.length && m.memory[mi].base + m.memory[mi].size <= lo) mi++;
      for (let j = mi; j < m.memory.length && m.memory[j].base < hi; j++) {
        const a = lo > m.memory[j].base ? lo : m.memory[j].base;
        const e = m.memory[j].base + m.memory[j].size;
        const b = hi < e ? hi : e;
        if (b > a) reservedPages += (b - a) >> 12n;
      }
    }
    const n = this.nodes.length;
    out.k(`Fallback order for Node 0: ${this.nodes.map((x) => x.nid).join(' ')} `);
    out.k(`Built ${n} zonelists, mobility grouping on.  Total pages: ${totalPages - reservedPages}`);
    out.k('Policy zone: Normal');
    out.k('mem auto-init: stack:all(zero), heap alloc:on, heap free:off');
    const totalK = totalPages * 4n;
    const reservedK = reservedPages * 4n;
    out.k(`Memory: ${totalK - reservedK}K/${totalK}K available (14343K kernel code, 2338K rwdata, 9132K rodata, 2824K init, 17344K bss, ${reservedK}K reserved, 0K cma-reserved)`);
    out.k(`SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=${n}, Nodes=${n}`);
    out.k('ftrace: allocated 159 pages with 6 groups');
    out.k('Console: colour VGA+ 80x25');
    out.k('printk: console [ttyS0] enabled');
    out.us += 8000;
    out.k('APIC: Switch to symmetric I/O mode setup');
    out.us += 190000;
    out.k('Freeing SMP alternatives memory: 36K');
    out.k('pid_max: default: 32768 minimum: 301');
    out.k(`smp: Brought up ${n} nodes, ${n} CPUs`);
    out.us += 1_400_000;
    out.k('Trying to unpack rootfs image as initramfs...');
    out.us += 68000;
    out.k(`Freeing initrd memory: ${INITRD_SIZE / 1024n}K`);
    out.us += 1_000_000;
    out.k('Freeing unused decrypted memory: 2036K');
    out.k('Freeing unused kernel image (initmem) memory: 2824K');
    out.k('Write protecting the kernel read-only data: 26624k');
    out.k('Freeing unused kernel image (text/rodata gap) memory: 2040K');
    out.k('Freeing unused kernel image (rodata/data gap) memory: 1108K');
    out.k('x86/mm: Checked W+X mappings: passed, no W+X pages found.');
    out.k('Run /init as init process');
  }
}

/**
 * Writes a realistic `memblock=debug` boot log (see the file comment). `write` receives chunks of
 * about 64 KiB, each ending with a newline. Returns counts of what was written.
 */
export function synthesizeLog(opts: SynthOptions, write: (chunk: string) => void): SynthStats {
  const nodes = Math.max(1, Math.floor(opts.nodes));
  const nodeGiB = opts.nodeGiB ?? 4;
  const style = opts.style ?? 'dmesg';
  const rng = mulberry32(opts.seed ?? 1);
  const total = Math.max(0, Math.floor(opts.events));
  const stats: SynthStats = { lines: 0, bytes: 0, events: 0, boots: 0, allocs: 0, frees: 0, reserves: 0, doublings: 0, dumps: 0, failed: 0, maxReserved: 0 };
  const out = new Sink(write, style, opts.host ?? 'lab');
  const gen = new Generator({ nodes, nodeGiB }, rng, out, stats);

  if (style === 'dmesg') {
    gen.boot(total);
    stats.boots = 1;
  } else {
    const boots = Math.max(1, Math.min(opts.boots ?? 3, Math.floor(total / 200) || 1));
    const noise = opts.noise ?? 0.6;
    let wall = Date.UTC(2026, 10, 8, 9, 58, 11);
    for (let b = 0; b < boots; b++) {
      const events = b === boots - 1 ? total - Math.floor(total / boots) * (boots - 1) : Math.floor(total / boots);
      out.bootWallMs = wall;
      if (b > 0) {
        out.us = 0;
        out.user('rsyslogd', '[origin software="rsyslogd" swVersion="8.2302.0" x-pid="401" x-info="https://www.rsyslog.com"] start');
      }
      const before = out.lines;
      gen.boot(events);
      // the running system: noise until the next boot
      const noiseLines = Math.round((out.lines - before) * noise);
      for (let i = 0; i < noiseLines; i++) {
        out.tick(rng, 400_000);
        if (rng() < 0.35) {
          const [tag, msg] = pick(rng, USER_NOISE);
          out.user(tag, msg);
        } else out.k(pick(rng, DRIVER_NOISE));
      }
      out.k('reboot: Restarting system');
      out.flush();
      wall += Math.ceil(out.us / 1000) + 3_600_000 * (7 + int(rng, 0, 20));
    }
    stats.boots = boots;
  }
  out.flush();
  stats.lines = out.lines;
  stats.bytes = out.bytes;
  return stats;
}
