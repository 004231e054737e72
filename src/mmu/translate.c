/* mmu_translate: one access through the TLB model (SDM Vol. 3 §4.10.2):
 * a hit uses the cached translation and rights; a miss walks the paging
 * structures and fills an entry; a page fault drops the entries for the
 * faulting address (§4.10.4.1). */
#include "mmu_priv.h"

static void walk_events(struct mmu *m, uint64_t lin, const struct mmu_walk *w)
{
    if (!m->obs->walk) return;
    for (int i = 0; i < w->nsteps; i++) {
        struct mmu_walk_event ev = {lin, w->steps[i].entry_addr, w->steps[i].entry,
                                    w->steps[i].level};
        m->obs->walk(m->obs->ctx, &ev);
    }
}

static bool page_fault(struct mmu *m, uint64_t lin, uint32_t err, uint32_t *error)
{
    m->faults++;
    mmu_flush_page_both(m, lin, m->pcid, true, EMU_TLB_FLUSH_PAGE_FAULT);
    if (m->obs && m->obs->fault) {
        struct mmu_fault_event ev = {lin, err};
        m->obs->fault(m->obs->ctx, &ev);
    }
    *error = err;
    return false;
}

static void lookup_event(struct mmu *m, unsigned kind, const struct tlb *t, uint64_t lin,
                         unsigned acc)
{
    struct mmu_tlb_event ev = {.kind = (uint8_t)kind,
                               .tlb = t->id,
                               .access = (uint8_t)(acc & MMU_KIND_MASK),
                               .pcid = m->pcid,
                               .lin = lin};
    mmu_emit_tlb(m, &ev);
}

/* The walk after a miss; fills the TLB on success. */
static bool miss(struct mmu *m, struct tlb *t, uint64_t lin, unsigned acc, uint64_t *pa,
                 uint32_t *error, struct tlb_entry *stale)
{
    struct mmu_walk w;
    t->stats.misses++;
    if (m->obs) lookup_event(m, MMU_TLB_MISS, t, lin, acc);
    bool ok = mmu_walk(m, lin, acc, &w);
    if (m->obs) walk_events(m, lin, &w);
    if (!ok) return page_fault(m, lin, w.error, error);
    *pa = w.pa;
    uint64_t size = 1ULL << w.shift;
    struct tlb_fill f = {lin, w.pa & ~(size - 1), w.shift, w.flags, m->pcid};
    struct tlb_entry *e = tlb_insert(t, &f, stale);
    if ((acc & MMU_KIND_MASK) == MMU_EXEC) m->fetch_hits = e ? &e->hits : &m->discard;
    if (!e) return true;
    if (m->obs) mmu_entry_event(m, MMU_TLB_FILL, t, e, lin, acc);
    mmu_fill_fast(m, lin, acc, e, w.pa);
    return true;
}

static bool translate_unpaged(struct mmu *m, uint64_t lin, unsigned acc, uint64_t *pa)
{
    *pa = lin & 0xFFFFFFFFULL;
    m->nopaging.flags = TLBE_USER | TLBE_WRITE | TLBE_DIRTY;
    m->fetch_hits = &m->nopaging.hits;
    mmu_fill_fast(m, *pa, acc, &m->nopaging, *pa);
    return true;
}

bool mmu_translate(struct mmu *m, uint64_t lin, unsigned acc, uint64_t *pa, uint32_t *error)
{
    if (acc & MMU_NO_SIDE_EFFECTS) {
        struct mmu_walk w;
        bool ok = mmu_walk(m, lin, acc, &w);
        *pa = w.pa;
        *error = w.error;
        return ok;
    }
    if (!mmu_paging(m)) return translate_unpaged(m, lin, acc, pa);
    if (!(m->efer & EFER_LMA)) lin &= 0xFFFFFFFFULL;
    unsigned kind = acc & MMU_KIND_MASK;
    struct tlb *t = kind == MMU_EXEC ? m->itlb : m->dtlb;
    struct tlb_entry *e = tlb_lookup(t, lin, m->pcid, m->large_shift);
    /* A write through an entry whose dirty flag is clear re-walks to set D. */
    if (!e || (kind == MMU_WRITE && !(e->flags & TLBE_DIRTY)))
        return miss(m, t, lin, acc, pa, error, e);
    e->hits++;
    if (kind == MMU_EXEC) m->fetch_hits = &e->hits;
    if (m->obs) mmu_entry_event(m, MMU_TLB_HIT, t, e, lin, acc);
    if (!mmu_rights_ok(m, e->flags, acc))
        return page_fault(m, lin, mmu_base_error(m, acc) | PF_P, error);
    *pa = e->pa | (lin & ((1ULL << e->shift) - 1));
    mmu_fill_fast(m, lin, acc, e, *pa);
    return true;
}

void mmu_tlb_stats(const struct mmu *m, enum tlb_id id, emu_tlb_stats *out)
{
    tlb_read_stats(id == TLB_ITLB ? m->itlb : m->dtlb, out);
}
