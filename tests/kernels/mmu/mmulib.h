/* The mmu test kernels' library: page tables of their own (the boot
 * identity map under PML4[0], a test region under PML4[1] whose entries the
 * tests set bit by bit), and probes that make one access in ring 0 or
 * ring 3 and report the exception it raised, if any. */
#ifndef MMULIB_H
#define MMULIB_H

#include "klib.h"

#define PTE_P    (1ULL << 0)
#define PTE_W    (1ULL << 1)
#define PTE_U    (1ULL << 2)
#define PTE_A    (1ULL << 5)
#define PTE_D    (1ULL << 6)
#define PTE_PS   (1ULL << 7)
#define PTE_G    (1ULL << 8)
#define PTE_NX   (1ULL << 63)
#define PTE_ADDR 0x000FFFFFFFFFF000ULL

#define CR0_WP    (1UL << 16)
#define CR4_PGE   (1UL << 7)
#define CR4_PCIDE (1UL << 17)
#define CR4_SMEP  (1UL << 20)
#define CR4_SMAP  (1UL << 21)

/* The test region: PML4[1]. PDPT[0] holds 4 KiB and 2 MiB test pages,
 * PDPT[1] a 1 GiB page, PDPT[2] the user alias of the probe stubs and the
 * user stack (mp_user_stub), PDPT[3..] is free for the tests. */
#define TEST_BASE  0x8000000000ULL
#define TEST_1G    (TEST_BASE + 0x40000000ULL)
#define USER_ALIAS (TEST_BASE + 0x80000000ULL)
#define TEST_FREE  (TEST_BASE + 0xC0000000ULL)

extern uint64_t mp_pml4[512];

/* Builds the tables, loads CR3, installs the IDT/TSS the probes need. */
void mp_init(void);

/* A zeroed 4 KiB table page from the pool (identity-mapped: VA = PA). */
uint64_t *mp_table(void);

/* The entry for lin at `level` (4 = PML4 .. 1 = PT) in the tables under
 * pml4, creating missing tables (P|W|U) on the way; NULL if a large page
 * stands above it. */
uint64_t *mp_entry(uint64_t *pml4, uint64_t lin, int level);

/* Maps lin to pa: a 4 KiB page (level 1), 2 MiB (2) or 1 GiB (3). */
uint64_t *mp_map(uint64_t *pml4, uint64_t lin, uint64_t pa, int level, uint64_t flags);

/* What a probe saw. */
struct mp_result {
    int vector;     // -1: the access completed
    uint64_t error; // error code of the exception
    uint64_t cr2;   // CR2 after a #PF
    uint64_t value; // what a read returned
};

enum mp_kind { MP_READ, MP_WRITE, MP_EXEC, MP_READ_AC, MP_WRITE_AC };

/* One access of `kind` at lin, at CPL 0 or 3. A write stores 0x5A. An
 * execute jumps to lin, which must hold `int $0x81` (mp_plant). *_AC run
 * with RFLAGS.AC set (STAC/CLAC around the access). */
void mp_probe(enum mp_kind kind, uint64_t lin, int user, struct mp_result *r);

/* Writes `int $0x81` at the identity address pa (an execute target). */
void mp_plant(uint64_t pa);

/* "ok" / "#PF err=..." for r, into buf. */
void mp_describe(const struct mp_result *r, uint64_t lin, char *buf, size_t n);

static inline void mp_flush_all(void)
{
    WRITE_CR(3, READ_CR(3));
}

#endif
