#include "mmu.h"

#include <string.h>

#define PAE_INDEX(lin, shift) (((lin) >> (shift)) & 0x1ff)
#define ADDR_MASK_4K (((1ULL << MMU_MAXPHYADDR) - 1) & ~PAGE_OFFSET_MASK)
#define RSVD_PHYS_HIGH (((1ULL << 52) - 1) & ~((1ULL << MMU_MAXPHYADDR) - 1))
#define RSVD_LARGE_2M 0x1FE000ULL   /* bits 20:13 of a 2 MiB PDE */
#define RSVD_LARGE_1G 0x3FFFE000ULL /* bits 29:13 of a 1 GiB PDPTE */
#define RSVD_PAE_PDPTE 0x1E6ULL     /* bits 8:5 and 2:1 of a PAE PDPTE */
#define PSE36_HIGH_SHIFT 13          /* PDE bits 20:13 hold PA bits 39:32 of a 4 MiB page */
#define PSE36_RSVD (1ULL << 21)

static void fast_invalidate(struct mmu_fast *e)
{
    e->tag_r = e->tag_w = e->tag_x = MMU_TAG_INVALID;
}

void mmu_flush_all(struct mmu *m)
{
    for (int i = 0; i < MMU_NIDX; i++)
        for (unsigned j = 0; j < MMU_FAST_ENTRIES; j++)
            fast_invalidate(&m->fast[i][j]);
    m->stats.flushes++;
    m->epoch++;
}

void mmu_init(struct mmu *m, struct physmem *pm)
{
    memset(m, 0, sizeof(*m));
    m->pm = pm;
    mmu_flush_all(m);
    m->stats.flushes = 0;
}

void mmu_set_regs(struct mmu *m, uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer)
{
    const uint64_t cr0_bits = CR0_PG | CR0_WP;
    const uint64_t cr4_bits = CR4_PSE | CR4_PAE | CR4_PGE | CR4_PCIDE | CR4_SMEP | CR4_SMAP;
    const uint64_t efer_bits = EFER_LMA | EFER_NXE;
    bool flush = ((m->cr0 ^ cr0) & cr0_bits) || ((m->cr4 ^ cr4) & cr4_bits) ||
                 ((m->efer ^ efer) & efer_bits) || m->cr3 != cr3;
    m->cr0 = cr0;
    m->cr3 = cr3;
    m->cr4 = cr4;
    m->efer = efer;
    if (flush)
        mmu_flush_all(m);
}

void mmu_invlpg(struct mmu *m, uint64_t lin)
{
    for (int i = 0; i < MMU_NIDX; i++)
        fast_invalidate(mmu_fast_entry(m, i, lin));
    m->stats.invlpg++;
    m->epoch++;
}

void mmu_protect_code_page(struct mmu *m, uint64_t pa_page)
{
    for (int i = 0; i < MMU_NIDX; i++)
        for (unsigned j = 0; j < MMU_FAST_ENTRIES; j++)
            if (m->fast[i][j].pa_page == pa_page)
                m->fast[i][j].tag_w = MMU_TAG_INVALID;
}

/* ---- the walk ---------------------------------------------------------- */

struct walk_state {
    struct mmu *m;
    struct mmu_walk *w;
    unsigned acc;
};

static uint64_t read_entry(struct walk_state *s, uint64_t addr, unsigned size, int level)
{
    uint64_t e = phys_read(s->m->pm, addr, size);
    struct mmu_walk *w = s->w;
    w->steps[w->nsteps++] = (struct mmu_walk_step){addr, e, level};
    return e;
}

static void set_bits(struct walk_state *s, int step, uint64_t bits, unsigned size)
{
    struct mmu_walk_step *st = &s->w->steps[step];
    if ((st->entry & bits) == bits || (s->acc & MMU_NO_SIDE_EFFECTS))
        return;
    phys_write(s->m->pm, st->entry_addr, st->entry | bits, size);
}

static bool fault(struct mmu_walk *w, uint32_t err)
{
    w->fault = true;
    w->error |= err;
    return false;
}

/* Folds one entry's permission bits into the walk. */
static void accumulate(struct mmu *m, struct mmu_walk *w, uint64_t e, bool has_nx)
{
    w->user = w->user && (e & PTE_U);
    w->writable = w->writable && (e & PTE_W);
    if (has_nx && (m->efer & EFER_NXE) && (e & PTE_NX))
        w->nx = true;
}

static uint64_t rsvd_common(const struct mmu *m)
{
    return RSVD_PHYS_HIGH | ((m->efer & EFER_NXE) ? 0 : PTE_NX);
}

/* 4-level paging (IA-32e). Returns false on a not-present or reserved fault. */
static bool walk_4level(struct walk_state *s, uint64_t lin)
{
    struct mmu *m = s->m;
    struct mmu_walk *w = s->w;
    uint64_t table = m->cr3 & ADDR_MASK_4K;
    static const int shifts[] = {39, 30, 21, 12};
    for (int i = 0; i < 4; i++) {
        int level = 4 - i;
        uint64_t e = read_entry(s, table + PAE_INDEX(lin, shifts[i]) * 8, 8, level);
        if (!(e & PTE_P))
            return fault(w, 0);
        uint64_t rsvd = rsvd_common(m);
        bool large = level <= 3 && level >= 2 && (e & PTE_PS);
        if (level == 4)
            rsvd |= PTE_PS;
        if (large)
            rsvd |= level == 3 ? RSVD_LARGE_1G : RSVD_LARGE_2M;
        if (e & rsvd)
            return fault(w, PF_P | PF_RSVD);
        accumulate(m, w, e, true);
        if (level > 1 && !large) {
            set_bits(s, w->nsteps - 1, PTE_A, 8);
            table = e & ADDR_MASK_4K;
            continue;
        }
        w->page_size = 1ULL << shifts[i];
        w->pa = (e & ADDR_MASK_4K & ~(w->page_size - 1)) | (lin & (w->page_size - 1));
        w->global = (m->cr4 & CR4_PGE) && (e & PTE_G);
        w->dirty = (e & PTE_D) != 0;
        return true;
    }
    return true;
}

/* PAE paging: four PDPTEs at CR3[31:5], then 2-level 64-bit tables. */
static bool walk_pae(struct walk_state *s, uint64_t lin)
{
    struct mmu *m = s->m;
    struct mmu_walk *w = s->w;
    uint64_t pdpte = read_entry(s, (m->cr3 & 0xFFFFFFE0ULL) + ((lin >> 30) & 3) * 8, 8, 3);
    if (!(pdpte & PTE_P))
        return fault(w, 0);
    if (pdpte & (RSVD_PHYS_HIGH | RSVD_PAE_PDPTE | PTE_NX))
        return fault(w, PF_P | PF_RSVD);
    uint64_t table = pdpte & ADDR_MASK_4K;
    for (int level = 2; level >= 1; level--) {
        int shift = level == 2 ? 21 : 12;
        uint64_t e = read_entry(s, table + PAE_INDEX(lin, shift) * 8, 8, level);
        if (!(e & PTE_P))
            return fault(w, 0);
        bool large = level == 2 && (e & PTE_PS);
        uint64_t rsvd = rsvd_common(m) | (large ? RSVD_LARGE_2M : 0);
        if (e & rsvd)
            return fault(w, PF_P | PF_RSVD);
        accumulate(m, w, e, true);
        if (level == 2 && !large) {
            set_bits(s, w->nsteps - 1, PTE_A, 8);
            table = e & ADDR_MASK_4K;
            continue;
        }
        w->page_size = 1ULL << shift;
        w->pa = (e & ADDR_MASK_4K & ~(w->page_size - 1)) | (lin & (w->page_size - 1));
        w->global = (m->cr4 & CR4_PGE) && (e & PTE_G);
        w->dirty = (e & PTE_D) != 0;
        return true;
    }
    return true;
}

/* 32-bit paging, with 4 MiB pages under CR4.PSE (PSE-36 high bits). */
static bool walk_32bit(struct walk_state *s, uint64_t lin)
{
    struct mmu *m = s->m;
    struct mmu_walk *w = s->w;
    uint32_t addr = (uint32_t)lin;
    uint64_t pde = read_entry(s, (m->cr3 & 0xFFFFF000ULL) + ((addr >> 22) & 0x3ff) * 4, 4, 2);
    if (!(pde & PTE_P))
        return fault(w, 0);
    accumulate(m, w, pde, false);
    if ((pde & PTE_PS) && (m->cr4 & CR4_PSE)) {
        uint64_t high = (pde >> PSE36_HIGH_SHIFT) & 0xff;
        if ((pde & PSE36_RSVD) || (high << 32) >= (1ULL << MMU_MAXPHYADDR))
            return fault(w, PF_P | PF_RSVD);
        w->page_size = 4ULL << 20;
        w->pa = (pde & 0xFFC00000ULL) | (high << 32) | (addr & 0x3FFFFF);
        w->global = (m->cr4 & CR4_PGE) && (pde & PTE_G);
        w->dirty = (pde & PTE_D) != 0;
        return true;
    }
    set_bits(s, w->nsteps - 1, PTE_A, 4);
    uint64_t pte = read_entry(s, (pde & 0xFFFFF000ULL) + ((addr >> 12) & 0x3ff) * 4, 4, 1);
    if (!(pte & PTE_P))
        return fault(w, 0);
    accumulate(m, w, pte, false);
    w->page_size = PAGE_SIZE;
    w->pa = (pte & 0xFFFFF000ULL) | (addr & PAGE_OFFSET_MASK);
    w->global = (m->cr4 & CR4_PGE) && (pte & PTE_G);
    w->dirty = (pte & PTE_D) != 0;
    return true;
}

/* The SDM's access-rights rules (Vol. 3 §4.6) for a completed walk. */
static bool rights_ok(const struct mmu *m, const struct mmu_walk *w, unsigned acc)
{
    unsigned kind = acc & MMU_KIND_MASK;
    bool user_access = (acc & MMU_USER) && !(acc & MMU_IMPLICIT);
    if (user_access) {
        if (!w->user)
            return false;
        if (kind == MMU_WRITE && !w->writable)
            return false;
        return !(kind == MMU_EXEC && w->nx);
    }
    if (kind == MMU_EXEC)
        return !w->nx && !(w->user && (m->cr4 & CR4_SMEP));
    if (w->user && (m->cr4 & CR4_SMAP) && ((acc & MMU_IMPLICIT) || !(acc & MMU_AC)))
        return false;
    return !(kind == MMU_WRITE && !w->writable && (m->cr0 & CR0_WP));
}

static uint32_t base_error(const struct mmu *m, unsigned acc)
{
    uint32_t err = 0;
    unsigned kind = acc & MMU_KIND_MASK;
    if (kind == MMU_WRITE)
        err |= PF_W;
    if ((acc & MMU_USER) && !(acc & MMU_IMPLICIT))
        err |= PF_U;
    bool nx_paging = (m->cr4 & CR4_PAE) && (m->efer & EFER_NXE);
    if (kind == MMU_EXEC && (nx_paging || (m->cr4 & CR4_SMEP)))
        err |= PF_I;
    return err;
}

bool mmu_walk(struct mmu *m, uint64_t lin, unsigned acc, struct mmu_walk *w)
{
    memset(w, 0, sizeof(*w));
    w->user = w->writable = true;
    w->error = base_error(m, acc);
    if (!mmu_paging(m)) {
        w->pa = lin & 0xFFFFFFFFULL;
        w->page_size = PAGE_SIZE;
        w->dirty = true;
        return true;
    }
    struct walk_state s = {m, w, acc};
    bool ok;
    if (m->efer & EFER_LMA)
        ok = walk_4level(&s, lin);
    else if (m->cr4 & CR4_PAE)
        ok = walk_pae(&s, lin);
    else
        ok = walk_32bit(&s, lin);
    if (!ok)
        return false;
    if (!rights_ok(m, w, acc))
        return fault(w, PF_P);
    uint64_t bits = PTE_A | ((acc & MMU_KIND_MASK) == MMU_WRITE ? PTE_D : 0);
    set_bits(&s, w->nsteps - 1, bits, (m->efer & EFER_LMA) || (m->cr4 & CR4_PAE) ? 8 : 4);
    if (bits & PTE_D)
        w->dirty = true;
    return true;
}

/* ---- translation and fill ------------------------------------------------ */

static void fill_fast(struct mmu *m, uint64_t lin, unsigned acc, const struct mmu_walk *w)
{
    int idx = ((acc & MMU_USER) && !(acc & MMU_IMPLICIT)) ? MMU_IDX_USER : MMU_IDX_SUP;
    uint64_t pa_page = w->pa & ~PAGE_OFFSET_MASK;
    uint8_t *host = phys_page_ptr(m->pm, pa_page);
    struct mmu_fast *e = mmu_fast_entry(m, idx, lin);
    fast_invalidate(e);
    if (!host || m->no_fast)
        return;
    if (idx == MMU_IDX_SUP && w->user && (m->cr4 & CR4_SMAP))
        return; /* SMAP decisions depend on RFLAGS.AC: keep them on the slow path */
    uint64_t page = lin & ~PAGE_OFFSET_MASK;
    unsigned base = idx == MMU_IDX_USER ? MMU_USER : 0;
    e->addend = (uintptr_t)host - (uintptr_t)page;
    e->pa_page = pa_page;
    e->tag_r = page;
    if (rights_ok(m, w, base | MMU_EXEC))
        e->tag_x = page;
    if (w->dirty && rights_ok(m, w, base | MMU_WRITE) && !phys_is_code_page(m->pm, pa_page))
        e->tag_w = page;
    m->stats.fills++;
}

bool mmu_translate(struct mmu *m, uint64_t lin, unsigned acc, uint64_t *pa, uint32_t *error)
{
    struct mmu_walk w;
    m->stats.lookups++;
    m->stats.misses++;
    if (!mmu_walk(m, lin, acc, &w)) {
        *error = w.error;
        m->stats.faults++;
        return false;
    }
    *pa = w.pa;
    if (!(acc & MMU_NO_SIDE_EFFECTS))
        fill_fast(m, lin, acc, &w);
    return true;
}
