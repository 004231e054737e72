/* Page tables (SDM Vol. 3A, 4.5: 4-level paging). Every address space has its
 * own PML4 whose upper half (entries 256-511) points at the kernel's shared
 * PDPTs, so the kernel is mapped identically everywhere and a system call
 * needs no CR3 switch. */
#ifndef KERNEL_VM_H
#define KERNEL_VM_H

#include "types.h"

typedef u64 pte_t;

struct boot_info;

struct cpu_features {
    bool pcid; // CPUID.01H:ECX.PCID[17]: tagged TLB entries (CR4.PCIDE)
    bool nx;   // CPUID.80000001H:EDX.NX[20]: execute-disable (EFER.NXE)
    bool pge;  // CPUID.01H:EDX.PGE[13]: global pages (CR4.PGE)
};
extern struct cpu_features cpu_has;

/* Reads CPUID into cpu_has and turns on NXE, PGE. */
void cpu_features_init(void);
/* Builds the kernel's page tables (direct map of all RAM, the image at
 * KERNBASE) and switches to them; the boot identity map goes away. */
void vm_init(const struct boot_info *bi);
/* Maps physical [pa, pa + size) uncached and returns its kernel address. */
void *ioremap(u64 pa, u64 size);

/* A new PML4 sharing the kernel half; NULL when out of memory. */
pte_t *vm_create(void);
/* Frees the user half: page tables, and one reference to each mapped frame. */
void vm_destroy(pte_t *pml4);
/* The leaf (4 KiB) entry for va, allocating the tables on the way when
 * `alloc`; NULL if absent or out of memory. */
pte_t *vm_walk(pte_t *pml4, u64 va, bool alloc);
/* Maps va -> pa with `flags` (PTE_*); 0 or -ENOMEM. */
int vm_map(pte_t *pml4, u64 va, u64 pa, u64 flags);
/* Copies the user half of src into dst for fork: writable pages become
 * read-only and copy-on-write in both, and their frames gain a reference.
 * The caller flushes src's TLB entries. 0 or -ENOMEM. */
int vm_copy_cow(pte_t *dst, pte_t *src);

extern u64 kernel_cr3; /* physical address of the kernel's PML4 */

#endif
