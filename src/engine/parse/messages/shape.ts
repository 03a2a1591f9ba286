// Cheap checks on the shape of a message, used before any real parsing:
//  - needsContinuation: a memory message cut short by mail/terminal wrapping, so the reader may
//    append the next physical line (printk-formats.md §1, "Continuation lines");
//  - looksLikeMemory: a line no recognizer accepted but that carries memory-message tokens, so it
//    is reported as unread instead of silently dropped.

const DUMP_ROW_START = /^(?:memory|reserved|physmem)\[/;
const ALLOC_COMPLETE = /max_addr=0x[0-9a-fA-F]+\s+\S/;
const HUGETLB_COMPLETE = /exact_nid=\d+\s+\S/;
const EFI_RANGE_CLOSED = /range=\[[^\])]*[\])]/;

/** True when `text` starts like a memory message but is cut short. */
export function needsContinuation(text: string): boolean {
  const c = text.charCodeAt(0);
  if ((c === 109 /* m */ || c === 95 /* _ */) && (text.startsWith('memblock') || text.startsWith('__memblock'))) {
    return memblockCutShort(text);
  }
  if ((c === 109 || c === 114 /* r */ || c === 112 /* p */) && DUMP_ROW_START.test(text)) return dumpRowCutShort(text);
  if (c === 99 /* c */ && text.startsWith('crashkernel') && !text.includes('(')) return true;
  if (c === 101 /* e */ && (text.startsWith('efi: mem') || text.startsWith('efi: Remove mem')) && !EFI_RANGE_CLOSED.test(text)) return true;
  if (c === 77 /* M */ && text.startsWith('Memory: ') && text.includes(' available (') && !text.includes(')')) return true;
  const mem = text.lastIndexOf('[mem');
  return mem >= 0 && text.indexOf(']', mem) < 0;
}

/** `memblock_x: …` lines missing their closing `]`, caller, or the tail of an allocation request. */
function memblockCutShort(text: string): boolean {
  const colon = text.indexOf(':');
  // No colon, or a stack frame such as `memblock_add_range+0x1bc/0x1c8`: not a message head.
  if (colon < 0 || !/^_*memblock\w*$/.test(text.slice(0, colon))) return false;
  const api = text.slice(0, colon);
  const rest = text.slice(colon + 1).trim();
  if (rest.length === 0) return true;
  if (api === 'memblock') return rest.includes('[') && !rest.includes(']');
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return true;
    if (api === 'memblock_x86_free_range') return false; // prints no caller
    const tail = rest.slice(close + 1).trim();
    // Missing caller: nothing after `]`, or only the era's flags/nid fields.
    return tail.length === 0 || /^(?:flags 0x[0-9a-fA-F]+|nid=-?\d+(?: flags=[0-9a-fA-F]+)?)$/.test(tail);
  }
  if (api === 'memblock_alloc_hugetlb') return !HUGETLB_COMPLETE.test(rest);
  if (/^\d+ bytes/.test(rest)) return !ALLOC_COMPLETE.test(rest);
  return false;
}

/** A dump row without its `0x… bytes` part, or ending on a dangling `on`/`node`/`flags:`. */
function dumpRowCutShort(text: string): boolean {
  if (!text.includes(' bytes')) return true;
  return /(?:\bon|\bnode|flags:)\s*$/.test(text);
}

// ---------------------------------------------------------------------------------------------

/** Lines that carry memory tokens but are known not to describe allocator state. */
const NOISE_PREFIXES = [
  'pci ',
  'pci_bus ',
  'pci-host-generic',
  'pnp ',
  'system ',
  'acpi ',
  'PCI: ',
  'PCI host bridge',
  'PM: ',
  'ACPI: PM:',
  'ACPI: SRAT ',
  'SRAT: PXM',
  'found SMP MP-table',
  'init_memory_mapping:',
  'GICv2m',
  'resource sanity check',
  'x86/mm:',
  'e820: reserve RAM buffer',
  'reserve RAM buffer',
  'e820: last_pfn',
  'e820: BIOS-provided',
  'e820: user-defined',
  'e820: mark nosave',
  '=== MEMBLOCK',
];

function isKnownNoise(text: string): boolean {
  for (const prefix of NOISE_PREFIXES) if (text.startsWith(prefix)) return true;
  return text.includes('available for PCI devices') || / page (?:4k|2M|1G)$/.test(text);
}

/** True when an unaccepted line still looks like a memory message (so it is reported as unread). */
export function looksLikeMemory(text: string): boolean {
  const c = text.charCodeAt(0);
  if ((c === 109 || c === 95) && (text.startsWith('memblock') || text.startsWith('__memblock'))) {
    // A message head `memblock_xxx:`, not a stack frame or prose mentioning the function.
    return /^_*memblock\w*:/.test(text);
  }
  if (c === 98 /* b */ && text.startsWith('bootmem::')) return true;
  if (
    text.includes('[mem 0x') ||
    text.includes('e820') ||
    text.includes('MEMBLOCK') ||
    text.includes('NODE_DATA') ||
    text.includes('SRAT')
  ) {
    return !isKnownNoise(text);
  }
  return false;
}
