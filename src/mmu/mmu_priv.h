/* Private to src/mmu: what mmu.c shares with translate.c. */
#ifndef EMU_MMU_MMU_PRIV_H
#define EMU_MMU_MMU_PRIV_H

#include "mmu.h"

/* Makes the fast slot for lin a copy of TLB entry e (which translates lin
 * to pa), for the privilege index and kind of `acc`. No-op for pages that
 * are not plain RAM, for implicit accesses and while an observer is set. */
void mmu_fill_fast(struct mmu *m, uint64_t lin, unsigned acc, struct tlb_entry *e, uint64_t pa);

/* Drops the entries for lin's page (see tlb_flush_page) from both TLBs. */
void mmu_flush_page_both(struct mmu *m, uint64_t lin, uint16_t pcid, bool globals, unsigned cause);

/* Event helpers; callers check m->obs first where the event costs work. */
void mmu_emit_tlb(struct mmu *m, const struct mmu_tlb_event *ev);
void mmu_entry_event(struct mmu *m, unsigned kind, const struct tlb *t, const struct tlb_entry *e,
                     uint64_t lin, unsigned acc);

/* The error-code bits an access of kind `acc` contributes (W/R, U/S, I/D). */
uint32_t mmu_base_error(const struct mmu *m, unsigned acc);

#endif
