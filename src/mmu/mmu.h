/* The per-CPU MMU: the paging-structure walk (walk.c), the TLB model
 * (tlb.c) and the linear-address fast path (this header, mmu.c).
 *
 * Every translation with paging on goes through the modelled TLB: a lookup
 * that finds an entry is a hit; one that does not walks the paging
 * structures (permission checks, A/D bits as the SDM defines them) and fills
 * an entry. The fast path is a cache of TLB entries for the instruction
 * handlers: a direct-mapped array per privilege index whose slots hold a
 * page-aligned linear tag for each access kind, the host addend of the RAM
 * page behind it, and a pointer to the hit counter of the TLB entry the slot
 * was made from. A hit costs a compare, an add and that counter's increment,
 * so the statistics are true. A slot lives only as long as its TLB entry:
 * whatever drops the entry (eviction, INVLPG, a CR3 write, ...) drops the
 * slot. Writes are admitted to the fast path only when the entry's dirty flag
 * is set and the page holds no translated code, so D bits and self-modifying
 * code always take the slow path. */
#ifndef EMU_MMU_MMU_H
#define EMU_MMU_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "events.h"
#include "phys.h"
#include "psc.h"
#include "tlb.h"

/* Access kinds and modifiers for mmu_translate. */
enum {
    MMU_READ = 0,
    MMU_WRITE = 1,
    MMU_EXEC = 2,
    MMU_KIND_MASK = 3,
    MMU_USER = 1 << 2,            // CPL 3 access
    MMU_IMPLICIT = 1 << 3,        // implicit supervisor access (GDT/LDT/IDT/TSS, event frame)
    MMU_AC = 1 << 4,              // RFLAGS.AC was set (SMAP override for explicit accesses)
    MMU_NO_SIDE_EFFECTS = 1 << 5, // debugger probe: no A/D writes, no TLB, no stats
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
#define PTE_P   (1ULL << 0)
#define PTE_W   (1ULL << 1)
#define PTE_U   (1ULL << 2)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_A   (1ULL << 5)
#define PTE_D   (1ULL << 6)
#define PTE_PS  (1ULL << 7)
#define PTE_G   (1ULL << 8)
#define PTE_NX  (1ULL << 63)

/* The control-register bits the MMU reads. */
#define CR0_WP      (1ULL << 16)
#define CR0_PG      (1ULL << 31)
#define CR3_NOFLUSH (1ULL << 63) /* MOV to CR3 under CR4.PCIDE: keep the TLB */
#define CR4_PSE     (1ULL << 4)
#define CR4_PAE     (1ULL << 5)
#define CR4_PGE     (1ULL << 7)
#define CR4_PCIDE   (1ULL << 17)
#define CR4_SMEP    (1ULL << 20)
#define CR4_SMAP    (1ULL << 21)
#define EFER_LMA    (1ULL << 10)
#define EFER_NXE    (1ULL << 11)

#define MMU_MAXPHYADDR 40 /* CPUID.80000008H:EAX[7:0] */
#define PAE_PDPTES     4

#define MMU_FAST_BITS    8
#define MMU_FAST_ENTRIES (1u << MMU_FAST_BITS)
#define MMU_TAG_INVALID  1ULL /* never equals a page-aligned address */

enum { MMU_IDX_SUP = 0, MMU_IDX_USER = 1, MMU_NIDX = 2 };

/* One fast-path slot. A slot is bound to a data TLB entry while tag_r is
 * valid (dhits points into it) and to an instruction TLB entry while tag_x
 * is valid (ihits). tag_w is valid only together with tag_r. */
struct mmu_fast {
    uint64_t tag_r;   // linear page readable through this slot, or MMU_TAG_INVALID
    uint64_t tag_w;   // ... writable (D already set, no code on the page)
    uintptr_t addend; // host address = addend + linear address
    uint64_t *dhits;  // hit counter of the data TLB entry
    uint64_t tag_x;   // linear page executable through this slot
    uint64_t *ihits;  // hit counter of the instruction TLB entry
    uint64_t pa_page; // physical page behind the slot
    uint64_t pad;     // one slot per 64-byte line
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
    uint64_t pa;    // resulting physical address (valid without a fault)
    uint8_t shift;  // page shift: 12, 21, 22 or 30
    uint8_t flags;  // TLBE_*: combined rights, dirty, global
    uint32_t error; // page-fault error code when faulting
    bool fault;
};

struct mmu {
    struct mmu_fast fast[MMU_NIDX][MMU_FAST_ENTRIES];
    /* Bumped whenever an instruction translation the CPU may have cached
     * could change (an ITLB entry leaves, a paging-register change) and when
     * translated blocks die or the CPU's mode/CPL/CS base changes: cached
     * block links made in an older epoch are not followed. */
    uint64_t epoch;
    bool no_fast; // keep the fast path empty (memory hooks see every access)
    struct physmem *pm;
    uint64_t cr0, cr3, cr4, efer; // mirrors, set through mmu_set_regs / mmu_mov_cr3
    uint64_t pdpte[PAE_PDPTES];   // PAE paging: the PDPTE registers (SDM §4.4.1)
    uint16_t pcid;                // current PCID: CR3[11:0] under CR4.PCIDE, else 0
    uint8_t large_shift;          // shift of the large TLB class: 22 (32-bit paging) or 21
    struct tlb tlbs[TLB_COUNT];
    struct tlb *itlb, *dtlb; // the same TLB when unified
    struct psc psc;          // the PDE cache (4-level paging)
    emu_tlb_config tlb_cfg;
    struct tlb_entry nopaging; // what fast slots count into while paging is off
    uint64_t *fetch_hits;      // hit counter of the ITLB entry behind the last block lookup
    uint64_t discard;          // counts hits nobody reads (an access no entry could cache)
    const struct mmu_observer *obs;
    struct mmu_observer hook_obs; // storage for the observer the CPU's hooks install
    uint64_t faults; // page faults raised
};

/* Sets up the MMU with the default TLB geometry, paging off. 0 or -1. */
int mmu_init(struct mmu *m, struct physmem *pm);
void mmu_destroy(struct mmu *m);

/* Replaces the TLB geometry/policy; empties the TLBs and zeroes their
 * statistics. -1 if the configuration is invalid or memory runs out (the
 * old configuration then stays). */
int mmu_configure_tlb(struct mmu *m, const emu_tlb_config *cfg);

/* Installs (or with NULL removes) an event observer. obs must outlive its
 * installation. */
void mmu_set_observer(struct mmu *m, const struct mmu_observer *obs);

/* CPU reset: paging registers to their reset values, TLBs emptied. */
void mmu_reset(struct mmu *m);

/* Updates the paging registers after MOV to CR0/CR4 or an EFER write,
 * invalidating what the SDM (Vol. 3 §4.10.4.1) says the change invalidates;
 * a changed cr3 is taken as MOV to CR3. Reloads the PDPTE registers where
 * the SDM does. */
void mmu_set_regs(struct mmu *m, uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer);

/* MOV to CR3 (bit 63 already removed from cr3): invalidates the non-global
 * entries of the new PCID unless `noflush` (bit 63 with CR4.PCIDE=1). */
void mmu_mov_cr3(struct mmu *m, uint64_t cr3, bool noflush);

/* True if, with PAE paging, the four PDPTEs at cr3 have no reserved bit set
 * in a present entry (else MOV to CR0/CR3/CR4 raises #GP). */
bool mmu_pdptes_valid(struct mmu *m, uint64_t cr3);

/* INVLPG: entries for lin's page, of the current PCID and global ones. A
 * non-canonical lin in IA-32e mode is a no-op. */
void mmu_invlpg(struct mmu *m, uint64_t lin);

/* INVPCID types (SDM Vol. 2 INVPCID). */
enum {
    INVPCID_ADDRESS = 0,    // one linear address, one PCID, not global
    INVPCID_CONTEXT = 1,    // one PCID, not global
    INVPCID_ALL_GLOBAL = 2, // everything, global included
    INVPCID_ALL = 3,        // everything except global entries
};
/* Performs INVPCID `type` (the caller has checked type and operands). */
void mmu_invpcid(struct mmu *m, unsigned type, uint16_t pcid, uint64_t lin);

/* Drops write permission from fast slots that map physical page pa_page
 * (called when translated code appears on the page). */
void mmu_protect_code_page(struct mmu *m, uint64_t pa_page);

/* Drops every fast slot (the TLB keeps its entries: nothing the guest can
 * see changes). After setting no_fast, say. */
void mmu_fast_flush(struct mmu *m);

/* Empties the TLBs and the fast path without counting a guest flush: for
 * hosts that edit guest page tables behind the guest's back (tests,
 * debuggers). */
void mmu_flush_all(struct mmu *m);

/* Walks the paging structures for `lin` (no TLB). Honors
 * MMU_NO_SIDE_EFFECTS. Returns true when the access is permitted. */
bool mmu_walk(struct mmu *m, uint64_t lin, unsigned acc, struct mmu_walk *w);

/* The SDM's access-rights rules (Vol. 3 §4.6) for a page with rights
 * `flags` (TLBE_*) under the current CR0.WP/CR4.SMEP/CR4.SMAP/EFER.NXE. */
bool mmu_rights_ok(const struct mmu *m, unsigned flags, unsigned acc);

/* Translates for an access of kind acc (which must not cross a page),
 * through the TLB. On success returns true and *pa, and fills the fast slot
 * for RAM pages; on a page fault returns false with *error. */
bool mmu_translate(struct mmu *m, uint64_t lin, unsigned acc, uint64_t *pa, uint32_t *error);

/* Statistics of one TLB. */
void mmu_tlb_stats(const struct mmu *m, enum tlb_id id, emu_tlb_stats *out);

static inline struct mmu_fast *mmu_fast_entry(struct mmu *m, int idx, uint64_t lin)
{
    return &m->fast[idx][(lin >> PAGE_SHIFT) & (MMU_FAST_ENTRIES - 1)];
}

/* Bits 63:47 all equal (48-bit linear addresses). Written without shifting
 * a negative value, which C leaves undefined. */
static inline bool is_canonical(uint64_t v)
{
    return (uint64_t)((int64_t)(v << 16) >> 16) == v;
}

static inline bool mmu_paging(const struct mmu *m)
{
    return (m->cr0 & CR0_PG) != 0;
}

#endif
