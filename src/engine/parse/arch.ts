// Best guess of a boot's architecture. The recognizers need it (address widths, which e820 or
// DT messages to expect), and most logs never say it outright.
//
// Heuristics, strongest first:
// 1. The `Linux version` banner: the release (`6.1.0-56-amd64`, `5.14.0-505.el9.x86_64`,
//    `-ia64-ski`), the build host (`buildd@lgw01-amd64-055`) or the compiler triple
//    (`riscv64-codasip-linux-gcc`, `aarch64-linux-gnu-gcc`). Decisive.
// 2. Messages only one architecture prints, e.g. `CPU features: detected` and an oops's
//    `pstate:`/`x29:` (arm64), `epc : … ra :`/`status: … badaddr:` (riscv64),
//    `CPU: ARMv7 Processor` (arm), `riscv: ISA`/`SBI specification` (riscv64), `CPU0 revision is:`
//    and `MIPS:` (mips), `hash-mmu:`/`PPC64 nvram` (ppc64), `SAL 0.1`/`PAL_` (ia64), `setup: Linux is
//    running` (s390x). Decisive.
// 3. Family hints that need a second look: `BIOS-e820`/`e820:`/`x86/` say x86; `DMA32` or
//    `max_arch_pfn = 0x400000000` then say x86_64, `HIGHMEM`/`LOWMEM`/`HighMem` say i386 (x86_64 has
//    no highmem). `Machine model:`/`psci:` say an ARM-like DT machine. Unresolved at the end of a
//    boot: x86 → x86_64 (by far the commonest), DT → arm64 unless arm was seen.

export type ArchConfidence = 'none' | 'family' | 'final';

const BANNER_RULES: Array<[RegExp, string]> = [
  [/(?<![a-z0-9])(?:aarch64|arm64)(?![a-z0-9])/i, 'arm64'],
  [/(?<![a-z0-9])(?:x86_64|x86-64|amd64)(?![a-z0-9])/i, 'x86_64'],
  [/(?<![a-z0-9])(?:i[3-6]86|pae)(?![a-z0-9])/i, 'i386'],
  [/(?<![a-z0-9])riscv64/i, 'riscv64'],
  [/(?<![a-z0-9])riscv32/i, 'riscv32'],
  [/(?<![a-z0-9])(?:ppc64(?:le)?|powerpc64(?:le)?)(?![a-z0-9])/i, 'ppc64'],
  [/(?<![a-z0-9])(?:ppc|powerpc)(?![a-z0-9])/i, 'ppc'],
  [/(?<![a-z0-9])ia64(?![a-z0-9])/i, 'ia64'],
  [/(?<![a-z0-9])s390x?(?![a-z0-9])/i, 's390x'],
  [/(?<![a-z0-9])loongarch64/i, 'loongarch64'],
  [/(?<![a-z0-9])mips(?:64|el|isa|32)?/i, 'mips'],
  [/(?<![a-z0-9])loongson/i, 'mips'],
  [/(?<![a-z0-9])xtensa/i, 'xtensa'],
  [/(?<![a-z0-9])m68k/i, 'm68k'],
  [/(?<![a-z0-9])sparc64/i, 'sparc64'],
  [/(?<![a-z0-9])(?:parisc|hppa)/i, 'parisc'],
  [/(?<![a-z0-9])(?:armv[4-7]\w*|armhf|armel|armmp|arm-linux|arm-none|arm-unknown|lpae)(?![a-z0-9])/i, 'arm'],
];

const LINE_RULES: Array<[RegExp, string]> = [
  [/^CPU features: detected/, 'arm64'],
  // Oops register dumps name the architecture too.
  [/^(?:pstate: [0-9a-f]{8} \(|x29: [0-9a-f]{16} )/, 'arm64'],
  [/^(?:epc : [0-9a-f]{16} ra : |status: [0-9a-f]{16} badaddr: )/, 'riscv64'],
  [/^Booting Linux on physical CPU 0x[0-9a-f]{10}\b/, 'arm64'],
  [/^CPU: (?:ARMv[4-7]|\S+ \[\S+\] revision \d+ \(ARMv[4-7])/, 'arm'],
  [/^(?:riscv: |SBI specification|riscv-intc|Machine model: riscv)/, 'riscv64'],
  [/^(?:CPU\d+ revision is: |MIPS: machine is|Determined physical RAM map:)/, 'mips'],
  [/^(?:PPC64 nvram|hash-mmu: |radix-mmu: |ppc64_pft_size|numa: Partition configured|Hardware name: IBM,)/, 'ppc64'],
  [/^(?:SAL \d+\.\d+: |PAL_|SAL: )/, 'ia64'],
  [/^setup: Linux is running/, 's390x'],
];

const X86_FAMILY = /^(?:BIOS-e820|BIOS-provided physical RAM map|e820[: ]|x86\/|x86: |Intel GenuineIntel|AMD AuthenticAMD)/;
const X86_64 = /DMA32|max_arch_pfn = 0x400000000|^Using GB pages|x86_64|^ACPI: SRAT: Node|^SRAT: PXM|^Kernel\/User page tables isolation/;
const I386 = /HIGHMEM|LOWMEM|HighMem|^virtual kernel memory layout|i[3-6]86/;
const DT_FAMILY = /^(?:OF: fdt: Machine model: |Machine model: |psci: )/;

export class ArchGuess {
  arch: string | undefined;
  confidence: ArchConfidence = 'none';
  private family: 'x86' | 'dt' | undefined;
  private sawArm32 = false;

  /** The whole `Linux version …` banner. */
  fromBanner(banner: string): void {
    if (this.confidence === 'final') return;
    for (const [re, arch] of BANNER_RULES) {
      if (re.test(banner)) {
        this.settle(arch);
        return;
      }
    }
  }

  /** Any message; cheap once settled. */
  fromMessage(text: string): void {
    if (this.confidence === 'final') return;
    for (const [re, arch] of LINE_RULES) {
      if (re.test(text)) {
        if (arch === 'arm') this.sawArm32 = true;
        this.settle(arch);
        return;
      }
    }
    if (this.family === 'x86') {
      if (X86_64.test(text)) this.settle('x86_64');
      else if (I386.test(text)) this.settle('i386');
    } else if (X86_FAMILY.test(text)) {
      this.family = 'x86';
      this.provisional('x86_64');
    } else if (!this.family && DT_FAMILY.test(text)) {
      this.family = 'dt';
      this.provisional(this.sawArm32 ? 'arm' : 'arm64');
    }
  }

  private settle(arch: string): void {
    this.arch = arch;
    this.confidence = 'final';
  }

  private provisional(arch: string): void {
    this.arch = arch;
    this.confidence = 'family';
  }
}
