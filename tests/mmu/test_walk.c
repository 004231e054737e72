/* The page walk against the SDM: every combination of access (user,
 * supervisor, implicit supervisor at CPL 0 and 3) x kind (read, write,
 * fetch) x U/S x R/W x XD x EFER.NXE x CR0.WP x CR4.SMEP x CR4.SMAP x
 * RFLAGS.AC, for each page size of each paging mode, checked against
 * sdm_rights.c. The restrictive bit is placed at a different level from
 * case to case, so the "every level" rules are exercised too. Each case runs
 * twice: on an empty TLB (a walk, whose A/D updates are checked) and after a
 * supervisor read has cached the translation (the TLB's cached rights). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>

#include <cmocka.h>

#include "mmu/mmu.h"
#include "sdm_rights.h"

#define RAM (32u << 20)

enum paging { PG_4LEVEL, PG_PAE, PG_32BIT };

struct layout {
    const char *name;
    enum paging mode;
    unsigned shift;     // page size
    uint64_t lin;       // the address translated
    uint64_t target;    // physical base of the page
    int nlevels;        // entries that carry U/S, R/W, XD (the PAE PDPTE does not)
    uint64_t tables[4]; // table addresses, top level first
};

static const struct layout layouts[] = {
    {"4-level 4K",
     PG_4LEVEL,
     12,
     0x8080604123ULL,
     0x200000,
     4,
     {0x10000, 0x11000, 0x12000, 0x13000}},
    {"4-level 2M", PG_4LEVEL, 21, 0x8080604123ULL, 0x400000, 3, {0x10000, 0x11000, 0x12000}},
    {"4-level 1G", PG_4LEVEL, 30, 0x8080604123ULL, 0x40000000, 2, {0x10000, 0x11000}},
    {"PAE 4K", PG_PAE, 12, 0x80604123ULL, 0x200000, 2, {0x14000, 0x15000, 0x16000}},
    {"PAE 2M", PG_PAE, 21, 0x80604123ULL, 0x400000, 1, {0x14000, 0x15000}},
    {"32-bit 4K", PG_32BIT, 12, 0x1406123ULL, 0x200000, 2, {0x17000, 0x18000}},
    {"32-bit 4M", PG_32BIT, 22, 0x1406123ULL, 0x400000, 1, {0x17000}},
};

struct env {
    struct physmem pm;
    struct mmu mmu;
};

/* Where each level's entry for L->lin lives, top first, and how many. */
static int entry_addrs(const struct layout *L, uint64_t addr[4])
{
    uint64_t lin = L->lin;
    if (L->mode == PG_32BIT) {
        addr[0] = L->tables[0] + ((lin >> 22) & 0x3ff) * 4;
        if (L->shift == 12) addr[1] = L->tables[1] + ((lin >> 12) & 0x3ff) * 4;
        return L->shift == 12 ? 2 : 1;
    }
    static const unsigned shifts[] = {39, 30, 21, 12};
    int first = L->mode == PG_PAE ? 1 : 0;
    int n = 0;
    for (int i = first; i < 4 && shifts[i] >= L->shift; i++) {
        unsigned idx_bits = (L->mode == PG_PAE && i == 1) ? 2 : 9;
        addr[n] = L->tables[n] + ((lin >> shifts[i]) & ((1u << idx_bits) - 1)) * 8;
        n++;
    }
    return n;
}

struct bits {
    bool user_page, writable, xd;
    int u_at, w_at, x_at; // which protection-carrying level holds the restriction
};

/* Writes the paging structures for L with the restrictions in b. */
static void build(struct env *e, const struct layout *L, const struct bits *b)
{
    uint64_t addr[4];
    int n = entry_addrs(L, addr);
    bool wide = L->mode != PG_32BIT;
    int pdpte = L->mode == PG_PAE; /* entry 0 is a PAE PDPTE: P and address only */
    for (int i = 0; i < n; i++) {
        bool leaf = i == n - 1;
        uint64_t v = PTE_P | (leaf ? L->target : L->tables[i + 1]);
        int level = i - pdpte; /* index among protection-carrying entries */
        if (level >= 0) {
            if (b->user_page || b->u_at != level) v |= PTE_U;
            if (b->writable || b->w_at != level) v |= PTE_W;
            if (b->xd && b->x_at == level && wide) v |= PTE_NX;
            if (leaf && L->shift != 12) v |= PTE_PS;
        }
        phys_write(&e->pm, addr[i], v, wide ? 8 : 4);
    }
}

struct regs {
    bool nxe, wp, smep, smap;
};

static void load_regs(struct env *e, const struct layout *L, const struct regs *r)
{
    uint64_t cr0 = CR0_PG | 1 /* PE */ | (r->wp ? CR0_WP : 0);
    uint64_t cr4 = (r->smep ? CR4_SMEP : 0) | (r->smap ? CR4_SMAP : 0);
    uint64_t efer = r->nxe ? EFER_NXE : 0;
    if (L->mode != PG_32BIT)
        cr4 |= CR4_PAE;
    else
        cr4 |= CR4_PSE;
    if (L->mode == PG_4LEVEL) efer |= EFER_LMA | (1ULL << 8) /* LME */;
    mmu_reset(&e->mmu);
    mmu_set_regs(&e->mmu, cr0, L->tables[0], cr4, efer);
}

static unsigned acc_of(const struct sdm_access *a)
{
    unsigned acc = a->kind == SDM_READ ? MMU_READ : a->kind == SDM_WRITE ? MMU_WRITE : MMU_EXEC;
    if (a->who == SDM_USER || a->who == SDM_IMPLICIT_CPL3) acc |= MMU_USER;
    if (a->who == SDM_IMPLICIT_CPL0 || a->who == SDM_IMPLICIT_CPL3) acc |= MMU_IMPLICIT;
    if (a->ac) acc |= MMU_AC;
    return acc;
}

static char failure[256];

static void describe(const struct layout *L, const struct sdm_access *a, bool prefilled)
{
    static const char *who[] = {"user", "supervisor", "implicit@cpl0", "implicit@cpl3"};
    static const char *kind[] = {"read", "write", "fetch"};
    snprintf(failure, sizeof(failure),
             "%s %s %s U=%d W=%d XD=%d NXE=%d WP=%d SMEP=%d SMAP=%d AC=%d%s", L->name, who[a->who],
             kind[a->kind], a->user_page, a->writable, a->xd, a->nxe, a->wp, a->smep, a->smap,
             a->ac, prefilled ? " (TLB pre-filled)" : "");
}

/* A/D after a walk: A in every entry on success, D in the leaf only and
 * only for a write; no D when the access faulted. */
static void check_ad(struct env *e, const struct layout *L, const struct sdm_access *a, bool fault)
{
    uint64_t addr[4];
    int n = entry_addrs(L, addr);
    bool wide = L->mode != PG_32BIT;
    int first = L->mode == PG_PAE; /* PDPTEs have no A bit under PAE paging */
    for (int i = first; i < n; i++) {
        uint64_t v = phys_read(&e->pm, addr[i], wide ? 8 : 4);
        bool leaf = i == n - 1;
        if (!fault && !(v & PTE_A)) fail_msg("%s: A not set at entry %d", failure, i);
        bool d_wanted = leaf && !fault && a->kind == SDM_WRITE;
        if (leaf && ((v & PTE_D) != 0) != d_wanted)
            fail_msg("%s: D=%d at the leaf", failure, (v & PTE_D) != 0);
        if (!leaf && L->shift == 12 && (v & PTE_D))
            fail_msg("%s: D set in a non-leaf entry %d", failure, i);
    }
}

static void run_case(struct env *e, const struct layout *L, const struct sdm_access *a,
                     const struct bits *b, bool prefill)
{
    struct regs r = {a->nxe, a->wp, a->smep, a->smap};
    build(e, L, b);
    load_regs(e, L, &r);
    describe(L, a, prefill);
    uint64_t pa;
    uint32_t err = 0;
    if (prefill) mmu_translate(&e->mmu, L->lin, MMU_READ | MMU_AC, &pa, &err);
    struct sdm_outcome want = sdm_expect(a);
    bool ok = mmu_translate(&e->mmu, L->lin, acc_of(a), &pa, &err);
    if (ok == want.fault)
        fail_msg("%s: %s, SDM says %s", failure, ok ? "allowed" : "faulted",
                 want.fault ? "fault" : "allowed");
    if (!ok && err != want.error)
        fail_msg("%s: error code %#x, SDM says %#x", failure, err, want.error);
    uint64_t size = 1ULL << L->shift;
    if (ok && pa != (L->target | (L->lin & (size - 1))))
        fail_msg("%s: pa %#llx", failure, (unsigned long long)pa);
    if (!prefill) check_ad(e, L, a, !ok);
    /* The same access again (a TLB hit when cached) has the same outcome. */
    bool again = mmu_translate(&e->mmu, L->lin, acc_of(a), &pa, &err);
    if (again != ok || (!again && err != want.error))
        fail_msg("%s: repeated access disagrees", failure);
}

static void run_layout(struct env *e, const struct layout *L)
{
    static const enum sdm_who whos[] = {SDM_USER, SDM_SUPERVISOR, SDM_IMPLICIT_CPL0,
                                        SDM_IMPLICIT_CPL3};
    unsigned counter = 0;
    for (unsigned w = 0; w < 4; w++) {
        for (unsigned k = 0; k < 3; k++) {
            bool implicit = whos[w] == SDM_IMPLICIT_CPL0 || whos[w] == SDM_IMPLICIT_CPL3;
            if (implicit && k == SDM_FETCH) continue; /* implicit accesses are data accesses */
            for (unsigned m = 0; m < 256; m++, counter++) {
                struct sdm_access a = {
                    .who = whos[w],
                    .kind = (enum sdm_kind)k,
                    .user_page = m & 1,
                    .writable = (m >> 1) & 1,
                    .xd = ((m >> 2) & 1) && L->mode != PG_32BIT,
                    .nxe = (m >> 3) & 1,
                    .wp = (m >> 4) & 1,
                    .smep = (m >> 5) & 1,
                    .smap = (m >> 6) & 1,
                    .ac = (m >> 7) & 1,
                    .pae = L->mode != PG_32BIT,
                };
                struct bits b = {a.user_page,
                                 a.writable,
                                 a.xd,
                                 (int)(counter % L->nlevels),
                                 (int)((counter / 3) % L->nlevels),
                                 (int)((counter / 7) % L->nlevels)};
                run_case(e, L, &a, &b, false);
                run_case(e, L, &a, &b, true);
            }
        }
    }
}

static void test_walk_matches_sdm_rights_for_every_combination(void **state)
{
    struct env *e = *state;
    for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
        run_layout(e, &layouts[i]);
}

/* Reserved bits (SDM Vol. 3 §4.3-§4.5 tables, MAXPHYADDR = 40): a set
 * reserved bit in a present entry faults with P = 1 and RSVD = 1; ignored
 * bits do not fault; a not-present entry faults with P = 0 whatever else. */
struct rsvd_case {
    size_t layout; // index into layouts
    int entry;     // which entry (top first) gets the bit
    unsigned bit;
    bool reserved;
};

static const struct rsvd_case rsvd_cases[] = {
    {0, 0, 7, true},                      /* PML4E.PS */
    {0, 0, 40, true},                     /* PML4E bit M */
    {0, 0, 51, true},                     /* PML4E bit 51 */
    {0, 0, 52, false},                    /* bits 62:52 are ignored in 4-level paging */
    {0, 1, 62, false}, {0, 3, 45, true},  /* PTE address bit above MAXPHYADDR */
    {0, 3, 7, false},                     /* PTE.PAT */
    {0, 3, 8, false},                     /* PTE.G */
    {1, 2, 13, true},                     /* 2 MiB PDE bits 20:13 */
    {1, 2, 20, true},  {1, 2, 12, false}, /* 2 MiB PDE.PAT */
    {2, 1, 13, true},                     /* 1 GiB PDPTE bits 29:13 */
    {2, 1, 29, true},  {2, 1, 30, false}, /* address bit 30 */
    {3, 1, 52, true},                     /* PAE: bits 62:M are reserved */
    {3, 2, 62, true},  {4, 1, 20, true},  /* PAE 2 MiB PDE bits 20:13 */
    {6, 0, 21, true},                     /* 32-bit 4 MiB PDE bit 21 (PSE-36 with M = 40) */
    {6, 0, 13, false},                    /* PA bit 32 of a 4 MiB page */
};

static void test_reserved_bits_fault_with_p_and_rsvd(void **state)
{
    struct env *e = *state;
    struct bits open_bits = {true, true, false, 0, 0, 0};
    struct regs r = {true, true, false, false};
    for (size_t i = 0; i < sizeof(rsvd_cases) / sizeof(rsvd_cases[0]); i++) {
        const struct rsvd_case *c = &rsvd_cases[i];
        const struct layout *L = &layouts[c->layout];
        uint64_t addr[4];
        entry_addrs(L, addr);
        bool wide = L->mode != PG_32BIT;
        for (int present = 0; present < 2; present++) {
            build(e, L, &open_bits);
            uint64_t v = phys_read(&e->pm, addr[c->entry], wide ? 8 : 4);
            v |= 1ULL << c->bit;
            if (!present) v &= ~PTE_P;
            phys_write(&e->pm, addr[c->entry], v, wide ? 8 : 4);
            load_regs(e, L, &r);
            uint64_t pa;
            uint32_t err = 0;
            bool ok = mmu_translate(&e->mmu, L->lin, MMU_WRITE | MMU_USER, &pa, &err);
            uint32_t want = !present ? PF_W | PF_U : c->reserved ? PF_P | PF_RSVD | PF_W | PF_U : 0;
            if (ok != (want == 0) || (!ok && err != want))
                fail_msg("%s entry %d bit %u present=%d: %s, error %#x (want %#x)", L->name,
                         c->entry, c->bit, present, ok ? "allowed" : "faulted", err, want);
        }
    }
}

/* PAE paging loads the four PDPTEs at MOV to CR3; reserved bits there are
 * caught at that time (#GP), so mmu_pdptes_valid must refuse them. */
static void test_pae_pdpte_reserved_bits_are_refused_at_load(void **state)
{
    struct env *e = *state;
    static const unsigned bits[] = {1, 2, 5, 6, 7, 8, 40, 52, 62, 63};
    const uint64_t pdpt = 0x14000;
    for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
        phys_write(&e->pm, pdpt + 8, 0x15000 | PTE_P | (1ULL << bits[i]), 8);
        assert_false(mmu_pdptes_valid(&e->mmu, pdpt));
        phys_write(&e->pm, pdpt + 8, 0x15000 | (1ULL << bits[i]), 8); /* not present */
        assert_true(mmu_pdptes_valid(&e->mmu, pdpt));
    }
    phys_write(&e->pm, pdpt + 8, 0x15000 | PTE_P | PTE_PWT | PTE_PCD, 8);
    assert_true(mmu_pdptes_valid(&e->mmu, pdpt));
}

static int setup(void **state)
{
    static struct env e;
    if (phys_init(&e.pm, RAM) < 0 || mmu_init(&e.mmu, &e.pm) < 0) return -1;
    *state = &e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    mmu_destroy(&e->mmu);
    phys_destroy(&e->pm);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_matches_sdm_rights_for_every_combination),
        cmocka_unit_test(test_reserved_bits_fault_with_p_and_rsvd),
        cmocka_unit_test(test_pae_pdpte_reserved_bits_are_refused_at_load),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
