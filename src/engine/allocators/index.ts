// Allocator models by name.

import { Bootmem } from './bootmem';
import { Bootmem2 } from './bootmem2';
import { EarlyRes } from './early-res';
import { MemblockAllocator } from './memblock';
import type { AllocatorModelName, AllocatorSetup, BootAllocator } from './types';

export function createAllocator(model: AllocatorModelName, setup: AllocatorSetup): BootAllocator {
  switch (model) {
    case 'bootmem':
      return new Bootmem(setup, 'classic');
    case 'bootmem-2008':
      return new Bootmem(setup, '2008');
    case 'bootmem2':
      return new Bootmem2(setup);
    case 'early_res':
      return new EarlyRes(setup);
    case 'memblock':
      return new MemblockAllocator(setup);
  }
}

export * from './types';
export { Bootmem, type BootmemVariant, type Bdata } from './bootmem';
export { Bootmem2, type Block } from './bootmem2';
export { EarlyRes, type EarlyResEntry } from './early-res';
export { MemblockAllocator } from './memblock';
export { RangeSet } from './rangeset';
