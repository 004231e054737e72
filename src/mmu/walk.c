/* The paging-structure walk (SDM Vol. 3 §4.3-§4.8): 32-bit, PAE and 4-level
 * paging, reserved-bit checks honouring MAXPHYADDR, access rights, and the
 * accessed/dirty flags. */
#include <string.h>

#include "mmu_priv.h"

#define PAE_INDEX(lin, shift) (((lin) >> (shift)) & 0x1ff)
#define ADDR_MASK_4K          (((1ULL << MMU_MAXPHYADDR) - 1) & ~PAGE_OFFSET_MASK)
#define RSVD_PHYS_4LEVEL      (((1ULL << 52) - 1) & ~((1ULL << MMU_MAXPHYADDR) - 1)) /* 51:M */
#define RSVD_PHYS_PAE         (((1ULL << 63) - 1) & ~((1ULL << MMU_MAXPHYADDR) - 1)) /* 62:M */
#define RSVD_LARGE_2M         0x1FE000ULL   /* bits 20:13 of a 2 MiB PDE */
#define RSVD_LARGE_1G         0x3FFFE000ULL /* bits 29:13 of a 1 GiB PDPTE */
#define RSVD_PAE_PDPTE        0x1E6ULL      /* bits 8:5 and 2:1 of a PAE PDPTE */
#define PAE_CR3_MASK          0xFFFFFFE0ULL /* CR3[31:5]: the PDPT under PAE paging */
#define PSE36_HIGH_SHIFT      13            /* PDE bits 20:13 hold PA bits 39:32 of a 4 MiB page */
#define PSE36_RSVD            (1ULL << 21)
#define ADDR_MASK_4M          0xFFC00000ULL
#define ADDR_MASK_32          0xFFFFF000ULL

struct walk_state {
    struct mmu *m;
    struct mmu_walk *w;
    uint64_t lin;
    unsigned acc;
    unsigned entry_size; // 4 (32-bit paging) or 8
};

static inline uint64_t read_entry(struct walk_state *s, uint64_t addr, int level)
{
    const struct physmem *pm = s->m->pm;
    int64_t off = phys_ram_offset(pm, addr); /* entries are naturally aligned */
    uint64_t e;
    if (off < 0) {
        e = phys_read(s->m->pm, addr, s->entry_size);
    } else if (s->entry_size == 8) {
        memcpy(&e, pm->ram + off, 8);
    } else {
        uint32_t e32;
        memcpy(&e32, pm->ram + off, 4);
        e = e32;
    }
    struct mmu_walk *w = s->w;
    w->steps[w->nsteps++] = (struct mmu_walk_step){addr, e, level};
    return e;
}

static void set_bits(struct walk_state *s, int step, uint64_t bits)
{
    const struct mmu_walk_step *st = &s->w->steps[step];
    if ((st->entry & bits) == bits || (s->acc & MMU_NO_SIDE_EFFECTS)) return;
    phys_set_bits(s->m->pm, st->entry_addr, bits, s->entry_size);
}

static bool fault(struct mmu_walk *w, uint32_t err)
{
    w->fault = true;
    w->error |= err;
    return false;
}

/* Folds one entry's permission bits into the walk. */
static void accumulate(const struct mmu *m, struct mmu_walk *w, uint64_t e, bool has_nx)
{
    if (!(e & PTE_U)) w->flags &= (uint8_t)~TLBE_USER;
    if (!(e & PTE_W)) w->flags &= (uint8_t)~TLBE_WRITE;
    if (has_nx && (m->efer & EFER_NXE) && (e & PTE_NX)) w->flags |= TLBE_NX;
}

/* Records the page an entry maps. */
static bool leaf(struct walk_state *s, uint64_t e, uint64_t base, unsigned shift)
{
    struct mmu_walk *w = s->w;
    uint64_t size = 1ULL << shift;
    w->shift = (uint8_t)shift;
    w->pa = (base & ~(size - 1)) | (s->lin & (size - 1));
    if ((s->m->cr4 & CR4_PGE) && (e & PTE_G)) w->flags |= TLBE_GLOBAL;
    if (e & PTE_D) w->flags |= TLBE_DIRTY;
    return true;
}

static uint64_t xd_reserved(const struct mmu *m)
{
    return (m->efer & EFER_NXE) ? 0 : PTE_NX;
}

/* 4-level paging (IA-32e). Returns false on a not-present or reserved fault. */
/* Where a 4-level walk starts: at the page table when the PDE cache has the
 * region (debugger probes always read every level). */
static int walk_start(struct walk_state *s, uint64_t *table)
{
    struct mmu *m = s->m;
    *table = m->cr3 & ADDR_MASK_4K;
    if (s->acc & MMU_NO_SIDE_EFFECTS) return 0;
    const struct psc_entry *p = psc_lookup(&m->psc, s->lin, m->pcid);
    if (!p) return 0;
    m->psc.hits++;
    s->w->flags = p->flags;
    *table = p->table;
    return 3;
}

/* 4-level paging (IA-32e). Returns false on a not-present or reserved fault. */
static bool walk_4level(struct walk_state *s)
{
    struct mmu *m = s->m;
    struct mmu_walk *w = s->w;
    uint64_t table;
    static const unsigned shifts[] = {39, 30, 21, 12};
    const uint64_t rsvd_all = RSVD_PHYS_4LEVEL | xd_reserved(m);
    for (int i = walk_start(s, &table); i < 4; i++) {
        int level = 4 - i;
        uint64_t e = read_entry(s, table + PAE_INDEX(s->lin, shifts[i]) * 8, level);
        if (!(e & PTE_P)) return fault(w, 0);
        bool large = (level == 3 || level == 2) && (e & PTE_PS);
        uint64_t rsvd = rsvd_all;
        if (level == 4) rsvd |= PTE_PS;
        if (large) rsvd |= level == 3 ? RSVD_LARGE_1G : RSVD_LARGE_2M;
        if (e & rsvd) return fault(w, PF_P | PF_RSVD);
        accumulate(m, w, e, true);
        if (level > 1 && !large) {
            set_bits(s, w->nsteps - 1, PTE_A);
            table = e & ADDR_MASK_4K;
            if (level == 2 && !(s->acc & MMU_NO_SIDE_EFFECTS))
                psc_fill(&m->psc, s->lin, m->pcid, table, w->flags);
            continue;
        }
        /* A 1 GiB page's PDPTE gets its accessed flag before the rights are
         * checked, as QEMU does (the SDM allows either, §4.8): a kernel sees
         * the same A bits on both after a fault. */
        if (level == 3) set_bits(s, w->nsteps - 1, PTE_A);
        return leaf(s, e, e & ADDR_MASK_4K, shifts[i]);
    }
    return false; /* not reached: level 1 is always a leaf */
}

/* PAE paging: the PDPTE registers, then 2-level 64-bit tables. */
static bool walk_pae(struct walk_state *s)
{
    struct mmu *m = s->m;
    struct mmu_walk *w = s->w;
    unsigned i = (s->lin >> 30) & 3;
    uint64_t pdpte = m->pdpte[i];
    w->steps[w->nsteps++] = (struct mmu_walk_step){(m->cr3 & PAE_CR3_MASK) + i * 8, pdpte, 3};
    if (!(pdpte & PTE_P)) return fault(w, 0);
    uint64_t table = pdpte & ADDR_MASK_4K;
    for (int level = 2; level >= 1; level--) {
        unsigned shift = level == 2 ? 21 : 12;
        uint64_t e = read_entry(s, table + PAE_INDEX(s->lin, shift) * 8, level);
        if (!(e & PTE_P)) return fault(w, 0);
        bool large = level == 2 && (e & PTE_PS);
        uint64_t rsvd = RSVD_PHYS_PAE | xd_reserved(m) | (large ? RSVD_LARGE_2M : 0);
        if (e & rsvd) return fault(w, PF_P | PF_RSVD);
        accumulate(m, w, e, true);
        if (level == 2 && !large) {
            set_bits(s, w->nsteps - 1, PTE_A);
            table = e & ADDR_MASK_4K;
            continue;
        }
        return leaf(s, e, e & ADDR_MASK_4K, shift);
    }
    return false;
}

/* 32-bit paging, with 4 MiB pages under CR4.PSE (PSE-36 high bits). */
static bool walk_32bit(struct walk_state *s)
{
    struct mmu *m = s->m;
    struct mmu_walk *w = s->w;
    uint32_t addr = (uint32_t)s->lin;
    uint64_t pde = read_entry(s, (m->cr3 & ADDR_MASK_32) + ((addr >> 22) & 0x3ff) * 4, 2);
    if (!(pde & PTE_P)) return fault(w, 0);
    if ((pde & PTE_PS) && (m->cr4 & CR4_PSE)) {
        uint64_t high = (pde >> PSE36_HIGH_SHIFT) & 0xff;
        if ((pde & PSE36_RSVD) || (high << 32) >= (1ULL << MMU_MAXPHYADDR))
            return fault(w, PF_P | PF_RSVD);
        accumulate(m, w, pde, false);
        return leaf(s, pde, (pde & ADDR_MASK_4M) | (high << 32), 22);
    }
    accumulate(m, w, pde, false);
    set_bits(s, w->nsteps - 1, PTE_A);
    uint64_t pte = read_entry(s, (pde & ADDR_MASK_32) + ((addr >> 12) & 0x3ff) * 4, 1);
    if (!(pte & PTE_P)) return fault(w, 0);
    accumulate(m, w, pte, false);
    return leaf(s, pte, pte & ADDR_MASK_32, 12);
}

bool mmu_rights_ok(const struct mmu *m, unsigned flags, unsigned acc)
{
    unsigned kind = acc & MMU_KIND_MASK;
    bool user_page = (flags & TLBE_USER) != 0;
    bool writable = (flags & TLBE_WRITE) != 0;
    bool nx = (flags & TLBE_NX) && (m->efer & EFER_NXE);
    if ((acc & MMU_USER) && !(acc & MMU_IMPLICIT)) {
        if (!user_page) return false;
        if (kind == MMU_WRITE) return writable;
        return !(kind == MMU_EXEC && nx);
    }
    if (kind == MMU_EXEC) return !nx && !(user_page && (m->cr4 & CR4_SMEP));
    if (user_page && (m->cr4 & CR4_SMAP) && ((acc & MMU_IMPLICIT) || !(acc & MMU_AC))) return false;
    return !(kind == MMU_WRITE && !writable && (m->cr0 & CR0_WP));
}

uint32_t mmu_base_error(const struct mmu *m, unsigned acc)
{
    uint32_t err = 0;
    unsigned kind = acc & MMU_KIND_MASK;
    if (kind == MMU_WRITE) err |= PF_W;
    if ((acc & MMU_USER) && !(acc & MMU_IMPLICIT)) err |= PF_U;
    bool nx_paging = (m->cr4 & CR4_PAE) && (m->efer & EFER_NXE);
    if (kind == MMU_EXEC && (nx_paging || (m->cr4 & CR4_SMEP))) err |= PF_I;
    return err;
}

bool mmu_walk(struct mmu *m, uint64_t lin, unsigned acc, struct mmu_walk *w)
{
    w->nsteps = 0;
    w->pa = 0;
    w->shift = 0;
    w->fault = false;
    w->flags = TLBE_USER | TLBE_WRITE;
    w->error = 0;
    if (!mmu_paging(m)) {
        w->pa = lin & 0xFFFFFFFFULL;
        w->shift = PAGE_SHIFT;
        w->flags |= TLBE_DIRTY;
        return true;
    }
    bool four_level = (m->efer & EFER_LMA) != 0;
    bool pae = four_level || (m->cr4 & CR4_PAE);
    struct walk_state s = {m, w, four_level ? lin : (lin & 0xFFFFFFFFULL), acc, pae ? 8 : 4};
    bool ok = four_level ? walk_4level(&s) : pae ? walk_pae(&s) : walk_32bit(&s);
    if (ok && !mmu_rights_ok(m, w->flags, acc)) ok = fault(w, PF_P);
    if (!ok) {
        w->error |= mmu_base_error(m, acc);
        return false;
    }
    uint64_t bits = PTE_A | ((acc & MMU_KIND_MASK) == MMU_WRITE ? PTE_D : 0);
    set_bits(&s, w->nsteps - 1, bits);
    if (bits & PTE_D) w->flags |= TLBE_DIRTY;
    return true;
}

bool mmu_pdptes_valid(struct mmu *m, uint64_t cr3)
{
    for (unsigned i = 0; i < PAE_PDPTES; i++) {
        uint64_t e = phys_read(m->pm, (cr3 & PAE_CR3_MASK) + i * 8, 8);
        if ((e & PTE_P) && (e & (RSVD_PHYS_PAE | PTE_NX | RSVD_PAE_PDPTE))) return false;
    }
    return true;
}
