/* Guest RAM, an MMU and 4-level page tables built by hand, for the MMU
 * unit tests (no CPU). Tables come from a bump allocator at PT_POOL. */
#ifndef EMU_TESTS_MMU_PTBUILD_H
#define EMU_TESTS_MMU_PTBUILD_H

#include <stdint.h>

#include "mmu/mmu.h"

#define PT_RAM      (64u << 20)
#define PT_POOL     0x100000ULL /* page tables from here ... */
#define PT_POOL_END 0x400000ULL
#define LME         (1ULL << 8)
#define CR0_PE_BIT  1ULL

struct pt {
    struct physmem pm;
    struct mmu mmu;
    uint64_t next; // next free table page
};

/* RAM, an MMU with the default TLB, paging off. Aborts on failure. */
struct pt *pt_new(void);
void pt_free(struct pt *p);

/* A fresh, empty PML4; returns its physical address. */
uint64_t pt_root(struct pt *p);

/* Maps lin -> pa in the tables under root: a 4 KiB page (level 1), 2 MiB
 * (level 2) or 1 GiB (level 3) with leaf flags `flags` (P implied); upper
 * entries are P|W|U. Returns the physical address of the leaf entry. */
uint64_t pt_map(struct pt *p, uint64_t root, uint64_t lin, uint64_t pa, int level, uint64_t flags);

/* Physical address of the existing entry for lin at `level` (4 .. 1). */
uint64_t pt_entry(struct pt *p, uint64_t root, uint64_t lin, int level);

uint64_t pt_get(struct pt *p, uint64_t entry_pa);
void pt_set(struct pt *p, uint64_t entry_pa, uint64_t v);

/* Turns on 4-level paging at root with `cr4_extra` (PGE, PCIDE, ...) and
 * CR0.WP, EFER.NXE. */
void pt_enable(struct pt *p, uint64_t root, uint64_t cr4_extra);

/* Translates; returns the physical address, or ~0 on a fault (*err set). */
uint64_t pt_xlate(struct pt *p, uint64_t lin, unsigned acc, uint32_t *err);

/* DTLB (or ITLB) statistics. */
emu_tlb_stats pt_stats(struct pt *p, enum tlb_id id);

#endif
