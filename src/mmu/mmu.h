/* The per-CPU MMU: paging-structure walk and the linear-address fast path.
 *
 * The fast path is a direct-mapped array per privilege index (supervisor,
 * user) whose entries hold a page-aligned linear tag for each access kind and
 * the host addend of the RAM page behind it. A hit costs a compare and an add.
 * A miss walks the paging structures (mmu_translate), checks permissions as
 * the SDM defines them, sets A/D bits, and refills the entry when the page is
 * RAM. Writes are admitted to the fast path only when the dirty bit is already
 * set and the page holds no translated code, so D bits and self-modifying
 * code always take the slow path. */
#ifndef EMU_MMU_MMU_H
#define EMU_MMU_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "phys.h"

/* Access kinds and modifiers for mmu_translate. */
enum {
    MMU_READ = 0,
    MMU_WRITE = 1,
    MMU_EXEC = 2,
    MMU_KIND_MASK = 3,
    MMU_USER = 1 << 2,         // CPL 3 explicit access
    MMU_IMPLICIT = 1 << 3,     // implicit supervisor access (GDT/IDT/TSS, interrupt frame)
    MMU_AC = 1 << 4,           // RFLAGS.AC was set (SMAP override for explicit accesses)
    MMU_NO_SIDE_EFFECTS = 1 << 5, // debugger probe: no A/D writes, no fill, no stats
};

/* Page-fault error code bits (SDM Vol. 3 §4.7). */
enum {
    PF_P = 1 << 0,
    PF_W = 1 << 1,
    PF_U = 1 << 2,
    PF_RSVD = 1 << 3,
    PF_I = 1 << 4,
};

/* Paging-structure entry bits. */
#define PTE_P (1ULL << 0)
#define PTE_W (1ULL << 1)
#define PTE_U (1ULL << 2)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_A (1ULL << 5)
#define PTE_D (1ULL << 6)
#define PTE_PS (1ULL << 7)
#define PTE_G (1ULL << 8)
#define PTE_NX (1ULL << 63)

/* The control-register bits the MMU reads. */
#define CR0_WP (1ULL << 16)
#define CR0_PG (1ULL << 31)
#define CR4_PSE (1ULL << 4)
#define CR4_PAE (1ULL << 5)
#define CR4_PGE (1ULL << 7)
#define CR4_PCIDE (1ULL << 17)
#define CR4_SMEP (1ULL << 20)
#define CR4_SMAP (1ULL << 21)
#define EFER_LMA (1ULL << 10)
#define EFER_NXE (1ULL << 11)

#define MMU_MAXPHYADDR 40 /* CPUID.80000008H:EAX[7:0] */

#define MMU_FAST_BITS 8
#define MMU_FAST_ENTRIES (1u << MMU_FAST_BITS)
#define MMU_TAG_INVALID 1ULL /* never equals a page-aligned address */

enum { MMU_IDX_SUP = 0, MMU_IDX_USER = 1, MMU_NIDX = 2 };

struct mmu_fast {
    uint64_t tag_r;     // linear page readable through this entry, or MMU_TAG_INVALID
    uint64_t tag_w;     // ... writable (D already set, no code on the page)
    uint64_t tag_x;     // ... executable
    uintptr_t addend;   // host address = addend + linear address
    uint64_t pa_page;   // physical page behind the entry
};

struct mmu_stats {
    uint64_t lookups;   // translations requested (fast hits + slow path)
    uint64_t hits;      // satisfied by the fast path / cached entry
    uint64_t misses;    // needed a page walk
    uint64_t fills;     // entries installed
    uint64_t flushes;   // full flushes (CR3 write, CR0/CR4 paging changes)
    uint64_t invlpg;    // single-page invalidations
    uint64_t faults;    // page faults raised
};

/* One level of a walk, for the debugger and traces. */
struct mmu_walk_step {
    uint64_t entry_addr; // physical address of the entry
    uint64_t entry;      // its value (before A/D updates)
    int level;           // 4 = PML4 ... 1 = PT (for 32-bit paging: 2, 1)
};

struct mmu_walk {
    struct mmu_walk_step steps[5];
    int nsteps;
    uint64_t pa;         // resulting physical address (valid without a fault)
    uint64_t page_size;  // 4 KiB, 2 MiB, 4 MiB or 1 GiB
    bool user;           // U/S=1 at every level
    bool writable;       // R/W=1 at every level
    bool nx;             // XD at some level (with NXE)
    bool global;         // G on the final entry (with CR4.PGE)
    bool dirty;          // D on the final entry
    uint32_t error;      // page-fault error code when faulting
    bool fault;
};

struct mmu {
    struct mmu_fast fast[MMU_NIDX][MMU_FAST_ENTRIES];
    /* Bumped whenever a translation the CPU may have cached could change
     * (flush, INVLPG, eviction, paging-mode change) and when translated
     * blocks die or the CPU's mode/CPL/CS base changes: cached block links
     * made in an older epoch are not followed. */
    uint64_t epoch;
    bool no_fast;         // keep the fast path empty (memory hooks see every access)
    struct physmem *pm;
    uint64_t cr0, cr3, cr4, efer; // mirrors, set through mmu_set_regs
    struct mmu_stats stats;
};

void mmu_init(struct mmu *m, struct physmem *pm);

/* Updates the paging registers, flushing what the SDM says each change flushes. */
void mmu_set_regs(struct mmu *m, uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer);

void mmu_flush_all(struct mmu *m);
void mmu_invlpg(struct mmu *m, uint64_t lin);

/* Drops write permission from fast entries that map physical page pa_page
 * (called when translated code appears on the page). */
void mmu_protect_code_page(struct mmu *m, uint64_t pa_page);

/* Walks the paging structures for `lin` (no fast path). Honors
 * MMU_NO_SIDE_EFFECTS. Returns true when the access is permitted. */
bool mmu_walk(struct mmu *m, uint64_t lin, unsigned acc, struct mmu_walk *w);

/* Translates for an access of kind acc (which must not cross a page). On
 * success returns true and *pa; on a page fault returns false with *error.
 * Fills the fast entry for RAM pages. */
bool mmu_translate(struct mmu *m, uint64_t lin, unsigned acc, uint64_t *pa, uint32_t *error);

static inline struct mmu_fast *mmu_fast_entry(struct mmu *m, int idx, uint64_t lin)
{
    return &m->fast[idx][(lin >> PAGE_SHIFT) & (MMU_FAST_ENTRIES - 1)];
}

static inline bool mmu_paging(const struct mmu *m)
{
    return (m->cr0 & CR0_PG) != 0;
}

#endif
