// memblock behind the common allocator interface: the engine's own model (src/engine/model), fed
// with the layout's ranges as node-tagged memory.

import { Memblock } from '../model/memblock';
import { MEMBLOCK_ALLOC_ANYWHERE, type Addr } from '../types';
import { PAGE_SIZE_DEFAULT, SMP_CACHE_BYTES_DEFAULT, type AllocatorSetup, type BootAllocator, type BootRequest, type OpResult, type Overhead, type Placement } from './types';

export class MemblockAllocator implements BootAllocator {
  readonly model = 'memblock' as const;
  memblock: Memblock;

  constructor(setup: AllocatorSetup, existing?: Memblock) {
    if (existing) {
      this.memblock = existing;
      return;
    }
    this.memblock = new Memblock({
      rsrvKern: false,
      emptyDummy: false,
      pageSize: setup.pageSize ?? PAGE_SIZE_DEFAULT,
      smpCacheBytes: setup.smpCacheBytes ?? SMP_CACHE_BYTES_DEFAULT,
      numa: true,
    });
    this.memblock.allowResize = true;
    this.memblock.bottomUp = setup.bottomUp ?? false;
    for (const block of setup.memory) if (block.size > 0n) this.memblock.addNode(block.base, block.size, block.nid, 0);
  }

  clone(): MemblockAllocator {
    return new MemblockAllocator({ memory: [] }, this.memblock.clone());
  }

  activate(): Overhead[] {
    return [];
  }

  overhead(): Overhead[] {
    return [];
  }

  reserve(base: Addr, size: Addr): OpResult {
    return { ok: this.memblock.reserve(base, size) };
  }

  free(base: Addr, size: Addr): OpResult {
    return { ok: this.memblock.free(base, size) };
  }

  alloc(req: BootRequest): Placement | null {
    const request = {
      api: req.api ?? 'memblock_alloc_try_nid',
      size: req.size,
      align: req.align,
      from: req.goal,
      maxAddr: req.limit ? req.limit : MEMBLOCK_ALLOC_ANYWHERE,
      nid: req.nid,
      exactNid: req.exact ?? false,
    };
    const prediction = this.memblock.predictAlloc(request);
    if (!prediction) return null;
    const base = this.memblock.alloc(request);
    if (!base) return null;
    const onNode = prediction.attempt === 1 || prediction.attempt === 3;
    return { base, size: req.size, servedBy: onNode ? req.nid : null, fallback: req.nid !== null && !onNode };
  }
}
