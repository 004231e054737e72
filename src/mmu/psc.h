/* A paging-structure cache (SDM Vol. 3 §4.10.3): the PDE cache of 4-level
 * paging. An entry remembers, for one 2 MiB region of linear addresses
 * (bits 47:21) and one PCID, the physical address of the page table its PDE
 * points to and the rights the PML4E, PDPTE and PDE grant together (U/S and
 * R/W of all three, XD of any), so that a TLB miss in that region reads the
 * PTE only. Entries are made only from entries whose accessed flags the walk
 * has set, and leave when the SDM says paging-structure caches are
 * invalidated (mmu.c): MOV to CR3 (for its PCID), INVLPG and INVPCID (every
 * entry of the PCID), a page fault (entries for its address), and the
 * CR0/CR4/EFER changes that flush the TLB. Direct-mapped. */
#ifndef EMU_MMU_PSC_H
#define EMU_MMU_PSC_H

#include <stdbool.h>
#include <stdint.h>

#define PSC_ENTRIES 32         /* a power of two */
#define PSC_SHIFT   21         /* one entry per 2 MiB of linear addresses */
#define PSC_NONE    UINT64_MAX /* tag of an empty entry */

struct psc_entry {
    uint64_t tag;   // linear address >> PSC_SHIFT, or PSC_NONE
    uint64_t table; // physical address of the page table
    uint16_t pcid;
    uint8_t flags; // TLBE_USER / TLBE_WRITE / TLBE_NX of the three upper entries
};

struct psc {
    struct psc_entry e[PSC_ENTRIES];
    uint64_t hits; // walks that started at the page table
    uint64_t fills;
};

void psc_clear(struct psc *p);

static inline struct psc_entry *psc_slot(struct psc *p, uint64_t lin)
{
    return &p->e[(lin >> PSC_SHIFT) & (PSC_ENTRIES - 1)];
}

/* The entry for lin under pcid, or NULL. */
static inline const struct psc_entry *psc_lookup(struct psc *p, uint64_t lin, uint16_t pcid)
{
    const struct psc_entry *e = psc_slot(p, lin);
    return (e->tag == lin >> PSC_SHIFT && e->pcid == pcid) ? e : 0;
}

void psc_fill(struct psc *p, uint64_t lin, uint16_t pcid, uint64_t table, uint8_t flags);

/* Drops the entries of pcid; of every PCID when `all`. */
void psc_flush(struct psc *p, bool all, uint16_t pcid);

/* Drops the entry that would serve lin under pcid. */
void psc_flush_addr(struct psc *p, uint64_t lin, uint16_t pcid);

#endif
