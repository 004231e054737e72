/* The virtual address space (included from C and assembly).
 *
 *   0x0000000000400000  user program text (ELF p_vaddr), then data, bss, heap (brk)
 *   0x00007f0000000000  anonymous mmap() area, growing up
 *   0x00007ffffffff000  top of the user stack (grows down, demand-zero, 8 MiB)
 *   0x0000800000000000  first non-canonical address: user space ends here
 *   0xffff800000000000  DIRECT_MAP: all physical memory, virtual = physical + DIRECT_MAP
 *   0xffffffff80000000  KERNBASE: the kernel image (linked at KERNBASE + 1 MiB)
 *
 * The top half (PML4 entries 256..511) is the kernel's and is shared by every
 * address space; the bottom half is per process. */
#ifndef KERNEL_MEMLAYOUT_H
#define KERNEL_MEMLAYOUT_H

#define KERNBASE          0xffffffff80000000
#define KERNEL_PHYS       0x100000 /* where the Multiboot loader puts us: 1 MiB */
#define DIRECT_MAP        0xffff800000000000
#define USER_TOP          0x0000800000000000
#define USER_STACK_TOP    0x00007ffffffff000
#define USER_STACK_SIZE   (8 << 20)
#define USER_MMAP_BASE    0x00007f0000000000
#define USER_IMAGE_MIN    0x0000000000400000
#define KERNEL_PML4_FIRST 256 /* PML4 entries from here on are the kernel's */

#ifndef __ASSEMBLER__
#include "types.h"

/* Kernel virtual address of physical address pa, through the direct map. */
static inline void *p2v(u64 pa)
{
    return (void *)(pa + DIRECT_MAP);
}

/* Physical address of a kernel pointer: either in the direct map or in the image. */
static inline u64 v2p(const void *va)
{
    u64 a = (u64)va;
    return a >= KERNBASE ? a - KERNBASE : a - DIRECT_MAP;
}
#endif

#endif
