/* Translation through the TLB model, the fast path kept consistent with it,
 * and the invalidation rules of MOV to CR0/CR3/CR4, INVLPG and INVPCID
 * (SDM Vol. 3 §4.10.4.1). */
#include "mmu_priv.h"

#include <stddef.h>
#include <string.h>

#define CR3_PCID_MASK     0xFFFULL
#define LARGE_SHIFT_PAE   21
#define LARGE_SHIFT_32BIT 22

/* ---- fast slots ------------------------------------------------------------ */

static struct tlb_entry *entry_of(uint64_t *hits)
{
    return (struct tlb_entry *)(void *)((char *)hits - offsetof(struct tlb_entry, hits));
}

static void slot_clear_data(struct mmu_fast *s)
{
    if (s->tag_r != MMU_TAG_INVALID) entry_of(s->dhits)->nbound--;
    s->tag_r = s->tag_w = MMU_TAG_INVALID;
}

static void slot_clear_exec(struct mmu_fast *s)
{
    if (s->tag_x != MMU_TAG_INVALID) entry_of(s->ihits)->nbound--;
    s->tag_x = MMU_TAG_INVALID;
}

void mmu_fast_flush(struct mmu *m)
{
    for (int i = 0; i < MMU_NIDX; i++) {
        for (unsigned j = 0; j < MMU_FAST_ENTRIES; j++) {
            slot_clear_data(&m->fast[i][j]);
            slot_clear_exec(&m->fast[i][j]);
        }
    }
}

/* Unbinds the slots made from e (it is leaving the TLB). */
static void unbind_entry(struct mmu *m, struct tlb_entry *e)
{
    if (!e->nbound) return;
    bool small = e->shift == PAGE_SHIFT;
    for (int i = 0; i < MMU_NIDX && e->nbound; i++) {
        unsigned from = small ? (unsigned)(e->vpn & (MMU_FAST_ENTRIES - 1)) : 0;
        unsigned to = small ? from + 1 : MMU_FAST_ENTRIES;
        for (unsigned j = from; j < to; j++) {
            struct mmu_fast *s = &m->fast[i][j];
            if (s->tag_r != MMU_TAG_INVALID && s->dhits == &e->hits) slot_clear_data(s);
            if (s->tag_x != MMU_TAG_INVALID && s->ihits == &e->hits) slot_clear_exec(s);
        }
    }
}

static int fast_index(unsigned acc)
{
    return ((acc & MMU_USER) && !(acc & MMU_IMPLICIT)) ? MMU_IDX_USER : MMU_IDX_SUP;
}

void mmu_fill_fast(struct mmu *m, uint64_t lin, unsigned acc, struct tlb_entry *e, uint64_t pa)
{
    if (m->no_fast || m->obs || (acc & MMU_IMPLICIT)) return;
    int idx = fast_index(acc);
    unsigned base = idx == MMU_IDX_USER ? MMU_USER : 0;
    if (idx == MMU_IDX_SUP && (e->flags & TLBE_USER) && (m->cr4 & CR4_SMAP))
        return; /* SMAP decisions depend on RFLAGS.AC: keep them on the slow path */
    uint64_t pa_page = pa & ~PAGE_OFFSET_MASK;
    uint8_t *host = phys_page_ptr(m->pm, pa_page);
    if (!host) return;
    uint64_t page = lin & ~PAGE_OFFSET_MASK;
    struct mmu_fast *s = mmu_fast_entry(m, idx, lin);
    bool exec = (acc & MMU_KIND_MASK) == MMU_EXEC;
    bool same = s->pa_page == pa_page && (s->tag_r == page || s->tag_x == page);
    if (!same || exec) slot_clear_exec(s);
    if (!same || !exec) slot_clear_data(s);
    s->addend = (uintptr_t)host - (uintptr_t)page;
    s->pa_page = pa_page;
    e->nbound++;
    if (exec) {
        s->tag_x = page;
        s->ihits = &e->hits;
        return;
    }
    s->tag_r = page;
    s->dhits = &e->hits;
    /* Writes as mmu_rights_ok allows them here (SMAP cases never reach this). */
    bool writable = base ? (e->flags & (TLBE_USER | TLBE_WRITE)) == (TLBE_USER | TLBE_WRITE)
                         : (e->flags & TLBE_WRITE) || !(m->cr0 & CR0_WP);
    if ((e->flags & TLBE_DIRTY) && writable && !phys_is_code_page(m->pm, pa_page)) s->tag_w = page;
}

void mmu_protect_code_page(struct mmu *m, uint64_t pa_page)
{
    for (int i = 0; i < MMU_NIDX; i++)
        for (unsigned j = 0; j < MMU_FAST_ENTRIES; j++)
            if (m->fast[i][j].pa_page == pa_page) m->fast[i][j].tag_w = MMU_TAG_INVALID;
}

/* ---- events ------------------------------------------------------------------ */

void mmu_emit_tlb(struct mmu *m, const struct mmu_tlb_event *ev)
{
    if (m->obs && m->obs->tlb) m->obs->tlb(m->obs->ctx, ev);
}

void mmu_entry_event(struct mmu *m, unsigned kind, const struct tlb *t, const struct tlb_entry *e,
                     uint64_t lin, unsigned acc)
{
    struct mmu_tlb_event ev = {
        .kind = (uint8_t)kind,
        .tlb = t->id,
        .access = (uint8_t)(acc & MMU_KIND_MASK),
        .global = (e->flags & TLBE_GLOBAL) != 0,
        .pcid = e->pcid,
        .lin = lin,
        .pa = e->pa,
        .page_size = 1ULL << e->shift,
    };
    mmu_emit_tlb(m, &ev);
}

static void on_drop(void *ctx, struct tlb *t, struct tlb_entry *e, bool evicted)
{
    struct mmu *m = ctx;
    unbind_entry(m, e);
    if (t == m->itlb) m->epoch++; /* block links relied on this translation */
    if (evicted && m->obs) mmu_entry_event(m, MMU_TLB_EVICT, t, e, e->vpn << e->shift, MMU_READ);
}

static void flush_event(struct mmu *m, const struct tlb *t, unsigned cause, uint16_t pcid,
                        uint64_t lin, uint64_t n)
{
    if (!m->obs) return;
    struct mmu_tlb_event ev = {.kind = MMU_TLB_FLUSH,
                               .tlb = t->id,
                               .cause = (uint8_t)cause,
                               .pcid = pcid,
                               .lin = lin,
                               .count = n};
    mmu_emit_tlb(m, &ev);
}

/* ---- TLB lifecycle ------------------------------------------------------------ */

static int build_tlbs(struct mmu *m, const emu_tlb_config *cfg)
{
    struct tlb fresh[TLB_COUNT];
    emu_tlb_geometry none[TLB_CLASSES] = {{1, 0}, {1, 0}, {1, 0}};
    const emu_tlb_geometry *igeom = cfg->unified ? none : cfg->itlb;
    if (tlb_init(&fresh[TLB_DTLB], TLB_DTLB, cfg->dtlb, cfg->policy, on_drop, m) < 0) return -1;
    if (tlb_init(&fresh[TLB_ITLB], TLB_ITLB, igeom, cfg->policy, on_drop, m) < 0) {
        tlb_destroy(&fresh[TLB_DTLB]);
        return -1;
    }
    mmu_fast_flush(m);
    psc_clear(&m->psc);
    for (int i = 0; i < TLB_COUNT; i++) {
        tlb_destroy(&m->tlbs[i]);
        m->tlbs[i] = fresh[i];
    }
    m->dtlb = &m->tlbs[TLB_DTLB];
    m->itlb = cfg->unified ? m->dtlb : &m->tlbs[TLB_ITLB];
    m->tlb_cfg = *cfg;
    m->fetch_hits = &m->discard; /* the old arrays are gone */
    m->epoch++;
    return 0;
}

int mmu_configure_tlb(struct mmu *m, const emu_tlb_config *cfg)
{
    if (!tlb_config_valid(cfg)) return -1;
    return build_tlbs(m, cfg);
}

int mmu_init(struct mmu *m, struct physmem *pm)
{
    memset(m, 0, sizeof(*m));
    m->pm = pm;
    m->fetch_hits = &m->discard;
    m->large_shift = LARGE_SHIFT_32BIT;
    for (int i = 0; i < MMU_NIDX; i++)
        for (unsigned j = 0; j < MMU_FAST_ENTRIES; j++)
            m->fast[i][j] = (struct mmu_fast){.tag_r = MMU_TAG_INVALID,
                                              .tag_w = MMU_TAG_INVALID,
                                              .tag_x = MMU_TAG_INVALID,
                                              .pa_page = UINT64_MAX};
    emu_tlb_config cfg;
    tlb_default_config(&cfg);
    return build_tlbs(m, &cfg);
}

void mmu_destroy(struct mmu *m)
{
    mmu_fast_flush(m);
    for (int i = 0; i < TLB_COUNT; i++)
        tlb_destroy(&m->tlbs[i]);
}

void mmu_set_observer(struct mmu *m, const struct mmu_observer *obs)
{
    m->obs = obs;
    mmu_fast_flush(m);
}

/* Applies an invalidation to both TLBs (once when unified). */
static void flush_both(struct mmu *m, enum tlb_match match, uint16_t pcid, unsigned cause)
{
    bool every_pcid = match == TLB_MATCH_ALL || match == TLB_MATCH_NONGLOBAL;
    psc_flush(&m->psc, every_pcid, pcid);
    uint64_t n = tlb_flush(m->dtlb, match, pcid, cause);
    flush_event(m, m->dtlb, cause, pcid, 0, n);
    if (m->itlb != m->dtlb) {
        n = tlb_flush(m->itlb, match, pcid, cause);
        flush_event(m, m->itlb, cause, pcid, 0, n);
    }
}

void mmu_flush_page_both(struct mmu *m, uint64_t lin, uint16_t pcid, bool globals, unsigned cause)
{
    /* INVLPG and INVPCID drop every paging-structure-cache entry of the
     * PCID; a page fault, those for its address. */
    if (cause == EMU_TLB_FLUSH_PAGE_FAULT)
        psc_flush_addr(&m->psc, lin, pcid);
    else
        psc_flush(&m->psc, false, pcid);
    uint64_t n = tlb_flush_page(m->dtlb, lin, pcid, globals, m->large_shift, cause);
    flush_event(m, m->dtlb, cause, pcid, lin, n);
    if (m->itlb != m->dtlb) {
        n = tlb_flush_page(m->itlb, lin, pcid, globals, m->large_shift, cause);
        flush_event(m, m->itlb, cause, pcid, lin, n);
    }
}

void mmu_flush_all(struct mmu *m)
{
    mmu_fast_flush(m);
    psc_clear(&m->psc);
    for (int i = 0; i < TLB_COUNT; i++)
        tlb_clear(&m->tlbs[i]);
    m->epoch++;
}

void mmu_reset(struct mmu *m)
{
    m->epoch++;
    m->cr0 = m->cr3 = m->cr4 = m->efer = 0;
    m->pcid = 0;
    m->large_shift = LARGE_SHIFT_32BIT;
    memset(m->pdpte, 0, sizeof(m->pdpte));
    mmu_fast_flush(m);
    psc_clear(&m->psc);
    m->psc.hits = m->psc.fills = 0;
    for (int i = 0; i < TLB_COUNT; i++) {
        tlb_clear(&m->tlbs[i]);
        memset(&m->tlbs[i].stats, 0, sizeof(m->tlbs[i].stats));
    }
    m->faults = 0;
}

/* ---- control registers and invalidation instructions ------------------------- */

static bool pae_legacy(const struct mmu *m)
{
    return (m->cr0 & CR0_PG) && (m->cr4 & CR4_PAE) && !(m->efer & EFER_LMA);
}

static void load_pdptes(struct mmu *m)
{
    for (unsigned i = 0; i < PAE_PDPTES; i++)
        m->pdpte[i] = phys_read(m->pm, (m->cr3 & 0xFFFFFFE0ULL) + i * 8, 8);
}

static void update_derived(struct mmu *m)
{
    m->pcid = (m->cr4 & CR4_PCIDE) ? (uint16_t)(m->cr3 & CR3_PCID_MASK) : 0;
    bool pae = (m->cr4 & CR4_PAE) || (m->efer & EFER_LMA);
    m->large_shift = pae ? LARGE_SHIFT_PAE : LARGE_SHIFT_32BIT;
}

/* The invalidation a MOV to CR0/CR4 causes (SDM Vol. 3 §4.10.4.1); one cause
 * per write, the widest that applies. */
static void cr_flush(struct mmu *m, uint64_t old_cr0, uint64_t old_cr4, uint16_t old_pcid)
{
    uint64_t cr4_changed = old_cr4 ^ m->cr4;
    if ((old_cr0 & CR0_PG) && !(m->cr0 & CR0_PG))
        flush_both(m, TLB_MATCH_ALL, 0, EMU_TLB_FLUSH_CR0_PG);
    else if (cr4_changed & CR4_PGE)
        flush_both(m, TLB_MATCH_ALL, 0, EMU_TLB_FLUSH_CR4_PGE);
    else if ((old_cr4 & CR4_PCIDE) && !(m->cr4 & CR4_PCIDE))
        flush_both(m, TLB_MATCH_ALL, 0, EMU_TLB_FLUSH_CR4_PCIDE);
    else if ((cr4_changed & CR4_PAE) || ((cr4_changed & CR4_SMEP) && (m->cr4 & CR4_SMEP)))
        flush_both(m, TLB_MATCH_PCID, old_pcid, EMU_TLB_FLUSH_CR4_PAE_SMEP);
}

void mmu_set_regs(struct mmu *m, uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer)
{
    m->epoch++;
    const uint64_t cr0_fast = CR0_PG | CR0_WP;
    const uint64_t cr4_fast = CR4_PSE | CR4_PAE | CR4_PGE | CR4_PCIDE | CR4_SMEP | CR4_SMAP;
    const uint64_t cr4_pdpte = CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP;
    const uint64_t efer_fast = EFER_LMA | EFER_NXE;
    uint64_t old_cr0 = m->cr0, old_cr4 = m->cr4;
    uint16_t old_pcid = m->pcid;
    bool fast = ((old_cr0 ^ cr0) & cr0_fast) || ((old_cr4 ^ cr4) & cr4_fast) ||
                ((m->efer ^ efer) & efer_fast);
    bool reload = (!(old_cr0 & CR0_PG) && (cr0 & CR0_PG)) || ((old_cr4 ^ cr4) & cr4_pdpte);
    m->cr0 = cr0;
    m->cr4 = cr4;
    m->efer = efer;
    cr_flush(m, old_cr0, old_cr4, old_pcid);
    if (fast) psc_clear(&m->psc); /* a paging-mode or rights-relevant bit changed */
    if (cr3 != m->cr3) {
        mmu_mov_cr3(m, cr3, false);
    } else {
        update_derived(m);
        if (reload && pae_legacy(m)) load_pdptes(m);
    }
    if (fast || m->pcid != old_pcid) mmu_fast_flush(m);
}

void mmu_mov_cr3(struct mmu *m, uint64_t cr3, bool noflush)
{
    m->epoch++;
    uint16_t old_pcid = m->pcid;
    m->cr3 = cr3;
    update_derived(m);
    if (pae_legacy(m)) load_pdptes(m);
    if (noflush) {
        m->dtlb->stats.flushes[EMU_TLB_FLUSH_MOV_CR3_NOFLUSH]++;
        if (m->itlb != m->dtlb) m->itlb->stats.flushes[EMU_TLB_FLUSH_MOV_CR3_NOFLUSH]++;
        flush_event(m, m->dtlb, EMU_TLB_FLUSH_MOV_CR3_NOFLUSH, m->pcid, 0, 0);
        if (m->itlb != m->dtlb)
            flush_event(m, m->itlb, EMU_TLB_FLUSH_MOV_CR3_NOFLUSH, m->pcid, 0, 0);
    } else {
        flush_both(m, TLB_MATCH_PCID_NONGLOBAL, m->pcid, EMU_TLB_FLUSH_MOV_CR3);
    }
    if (m->pcid != old_pcid) mmu_fast_flush(m);
}

void mmu_invlpg(struct mmu *m, uint64_t lin)
{
    if ((m->efer & EFER_LMA) && !is_canonical(lin)) return;
    if (!(m->efer & EFER_LMA)) lin &= 0xFFFFFFFFULL;
    mmu_flush_page_both(m, lin, m->pcid, true, EMU_TLB_FLUSH_INVLPG);
}

void mmu_invpcid(struct mmu *m, unsigned type, uint16_t pcid, uint64_t lin)
{
    switch (type) {
    case INVPCID_ADDRESS:
        mmu_flush_page_both(m, lin, pcid, false, EMU_TLB_FLUSH_INVPCID_ADDRESS);
        break;
    case INVPCID_CONTEXT:
        flush_both(m, TLB_MATCH_PCID_NONGLOBAL, pcid, EMU_TLB_FLUSH_INVPCID_CONTEXT);
        break;
    case INVPCID_ALL_GLOBAL:
        flush_both(m, TLB_MATCH_ALL, 0, EMU_TLB_FLUSH_INVPCID_ALL_GLOBAL);
        break;
    default: flush_both(m, TLB_MATCH_NONGLOBAL, 0, EMU_TLB_FLUSH_INVPCID_ALL); break;
    }
}
