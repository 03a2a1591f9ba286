import { functionName } from '/work/main/src/engine/analysis/format';
for (const c of ['setup_log_buf+0x112/0x337','[<ffffffff81d3f7b5>] reserve_initrd+0x55/0x1a0','vmemmap_alloc_block_zero.constprop.0+0xc/0x28','0xc0812345','early_init_dt_alloc_memory_arch+0x30/0x60','foo.isra.0.cold+0x1/0x2', undefined]) console.log(c, '->', functionName(c));
