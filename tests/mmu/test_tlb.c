/* TLB semantics (SDM Vol. 3 §4.10): what stays cached, and what each
 * invalidation drops. The pattern: translate (fill), edit the paging
 * structures behind the TLB's back, and see whether the old translation
 * (stale, still cached) or the new one (walked again) comes back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>

#include <cmocka.h>

#include "ptbuild.h"

#define V     0x400000ULL /* a 4 KiB page */
#define VG    0x600000ULL /* a global 4 KiB page */
#define P1    0x1000000ULL
#define P2    0x1001000ULL
#define P3    0x1002000ULL
#define P4    0x1003000ULL
#define FAULT (~0ULL)

static int setup(void **state)
{
    *state = pt_new();
    return 0;
}

static int teardown(void **state)
{
    pt_free(*state);
    return 0;
}

static uint64_t rd(struct pt *p, uint64_t lin)
{
    return pt_xlate(p, lin, MMU_READ, NULL);
}

static void retarget(struct pt *p, uint64_t leaf, uint64_t pa)
{
    pt_set(p, leaf, (pt_get(p, leaf) & ~0x000FFFFFFFFFF000ULL) | pa);
}

static void test_stale_translation_persists_until_invlpg(void **state)
{
    struct pt *p = *state;
    uint64_t root = pt_root(p);
    uint64_t leaf = pt_map(p, root, V, P1, 1, PTE_W);
    pt_enable(p, root, 0);
    assert_int_equal(rd(p, V + 0x10), P1 + 0x10);
    retarget(p, leaf, P2);
    assert_int_equal(rd(p, V + 0x10), P1 + 0x10);
    mmu_invlpg(&p->mmu, V + 0x123 + PAGE_SIZE); /* another page: no effect */
    assert_int_equal(rd(p, V), P1);
    mmu_invlpg(&p->mmu, V + 0x800); /* any address in the page */
    assert_int_equal(rd(p, V + 0x10), P2 + 0x10);
    assert_int_equal(pt_stats(p, TLB_DTLB).flushes[EMU_TLB_FLUSH_INVLPG], 2);
}

static void test_global_entry_survives_cr3_write_but_not_pge_toggle(void **state)
{
    struct pt *p = *state;
    uint64_t root = pt_root(p);
    uint64_t g = pt_map(p, root, VG, P1, 1, PTE_W | PTE_G);
    uint64_t n = pt_map(p, root, V, P3, 1, PTE_W);
    pt_enable(p, root, CR4_PGE);
    assert_int_equal(rd(p, VG), P1);
    assert_int_equal(rd(p, V), P3);
    emu_tlb_stats before = pt_stats(p, TLB_DTLB);
    retarget(p, g, P2);
    retarget(p, n, P4);
    mmu_mov_cr3(&p->mmu, root, false); /* the same CR3 again still flushes */
    assert_int_equal(rd(p, VG), P1);   /* global: kept */
    assert_int_equal(rd(p, V), P4);    /* not global: walked again */
    mmu_set_regs(&p->mmu, p->mmu.cr0, root, CR4_PAE, p->mmu.efer); /* PGE off */
    assert_int_equal(rd(p, VG), P2);
    emu_tlb_stats s = pt_stats(p, TLB_DTLB);
    assert_int_equal(s.flushes[EMU_TLB_FLUSH_MOV_CR3], before.flushes[EMU_TLB_FLUSH_MOV_CR3] + 1);
    assert_int_equal(s.flushes[EMU_TLB_FLUSH_CR4_PGE], before.flushes[EMU_TLB_FLUSH_CR4_PGE] + 1);
}

static void test_pge_set_also_flushes_everything(void **state)
{
    struct pt *p = *state;
    uint64_t root = pt_root(p);
    uint64_t n = pt_map(p, root, V, P1, 1, PTE_W);
    pt_enable(p, root, 0);
    assert_int_equal(rd(p, V), P1);
    retarget(p, n, P2);
    mmu_set_regs(&p->mmu, p->mmu.cr0, root, CR4_PAE | CR4_PGE, p->mmu.efer);
    assert_int_equal(rd(p, V), P2);
}

static void test_paging_off_flushes_globals(void **state)
{
    struct pt *p = *state;
    uint64_t root = pt_root(p);
    uint64_t g = pt_map(p, root, VG, P1, 1, PTE_W | PTE_G);
    pt_enable(p, root, CR4_PGE);
    assert_int_equal(rd(p, VG), P1);
    retarget(p, g, P2);
    uint64_t cr0 = p->mmu.cr0;
    mmu_set_regs(&p->mmu, cr0 & ~CR0_PG, root, CR4_PAE | CR4_PGE, LME | EFER_NXE);
    mmu_set_regs(&p->mmu, cr0, root, CR4_PAE | CR4_PGE, EFER_LMA | LME | EFER_NXE);
    assert_int_equal(rd(p, VG), P2);
    assert_int_equal(pt_stats(p, TLB_DTLB).flushes[EMU_TLB_FLUSH_CR0_PG], 1);
}

/* A page fault drops the entries for its address (§4.10.4.1), so a fault
 * caused by stale cached rights happens once. */
static void test_fault_on_stale_rights_drops_the_entry(void **state)
{
    struct pt *p = *state;
    uint64_t root = pt_root(p);
    uint64_t leaf = pt_map(p, root, V, P1, 1, PTE_D); /* read-only, already dirty */
    pt_enable(p, root, 0);
    assert_int_equal(rd(p, V), P1);
    pt_set(p, leaf, pt_get(p, leaf) | PTE_W);
    uint32_t err;
    assert_int_equal(pt_xlate(p, V, MMU_WRITE, &err), FAULT);
    assert_int_equal(err, PF_P | PF_W);
    assert_int_equal(pt_xlate(p, V, MMU_WRITE, &err), P1);
    assert_int_equal(pt_stats(p, TLB_DTLB).flushes[EMU_TLB_FLUSH_PAGE_FAULT], 1);
}

/* A write through a cached entry whose D flag is clear walks again: D gets
 * set in the PTE, and a PTE that has gone away faults. */
static void test_write_through_clean_entry_walks_and_sets_dirty(void **state)
{
    struct pt *p = *state;
    uint64_t root = pt_root(p);
    uint64_t leaf = pt_map(p, root, V, P1, 1, PTE_W);
    pt_enable(p, root, 0);
    assert_int_equal(rd(p, V), P1);
    assert_int_equal(pt_get(p, leaf) & (PTE_A | PTE_D), PTE_A);
    assert_int_equal(pt_xlate(p, V, MMU_WRITE, NULL), P1);
    assert_int_equal(pt_get(p, leaf) & (PTE_A | PTE_D), PTE_A | PTE_D);
    emu_tlb_stats s = pt_stats(p, TLB_DTLB);
    assert_int_equal(s.misses, 2);
    assert_int_equal(s.fills, 2);
    assert_int_equal(s.evictions, 0);
    assert_int_equal(pt_xlate(p, V, MMU_WRITE, NULL), P1); /* now a hit */
    assert_int_equal(pt_stats(p, TLB_DTLB).hits, 1);

    uint64_t leaf2 = pt_map(p, root, V + PAGE_SIZE, P2, 1, PTE_W);
    assert_int_equal(rd(p, V + PAGE_SIZE), P2);
    pt_set(p, leaf2, 0);
    uint32_t err;
    assert_int_equal(pt_xlate(p, V + PAGE_SIZE, MMU_WRITE, &err), FAULT);
    assert_int_equal(err, PF_W);
}

static void test_accessed_flag_is_not_set_again_while_cached(void **state)
{
    struct pt *p = *state;
    uint64_t root = pt_root(p);
    uint64_t leaf = pt_map(p, root, V, P1, 1, PTE_W);
    pt_enable(p, root, 0);
    rd(p, V);
    pt_set(p, leaf, pt_get(p, leaf) & ~PTE_A);
    rd(p, V);
    assert_int_equal(pt_get(p, leaf) & PTE_A, 0);
    mmu_invlpg(&p->mmu, V);
    rd(p, V);
    assert_int_equal(pt_get(p, leaf) & PTE_A, PTE_A);
}

static void test_large_page_entry_is_dropped_by_invlpg_anywhere_inside(void **state)
{
    struct pt *p = *state;
    const uint64_t v2m = 0x40000000ULL, p2m = 0x1200000ULL;
    uint64_t root = pt_root(p);
    uint64_t pde = pt_map(p, root, v2m, p2m, 2, PTE_W);
    pt_enable(p, root, 0);
    assert_int_equal(rd(p, v2m + 0x1234), p2m + 0x1234);
    retarget(p, pde, 0x1400000ULL);
    assert_int_equal(rd(p, v2m + 0x100000), p2m + 0x100000); /* same 2 MiB entry */
    assert_int_equal(pt_stats(p, TLB_DTLB).misses, 1);
    mmu_invlpg(&p->mmu, v2m + 0x1FF000);
    assert_int_equal(rd(p, v2m + 0x100000), 0x1400000ULL + 0x100000);
}

static void test_one_gib_page_is_cached_as_one_entry(void **state)
{
    struct pt *p = *state;
    const uint64_t v1g = 0x8000000000ULL, p1g = 0x40000000ULL;
    uint64_t root = pt_root(p);
    pt_map(p, root, v1g, p1g, 3, PTE_W);
    pt_enable(p, root, 0);
    for (uint64_t off = 0; off < (1ULL << 30); off += 0x4000000)
        assert_int_equal(rd(p, v1g + off), p1g + off);
    emu_tlb_stats s = pt_stats(p, TLB_DTLB);
    assert_int_equal(s.misses, 1);
    assert_int_equal(s.hits, 15);
}

static void test_split_tlbs_cache_fetches_and_data_apart(void **state)
{
    struct pt *p = *state;
    uint64_t root = pt_root(p);
    uint64_t leaf = pt_map(p, root, V, P1, 1, PTE_W);
    pt_enable(p, root, 0);
    assert_int_equal(pt_xlate(p, V, MMU_EXEC, NULL), P1);
    retarget(p, leaf, P2);
    assert_int_equal(rd(p, V), P2);                       /* DTLB: walked */
    assert_int_equal(pt_xlate(p, V, MMU_EXEC, NULL), P1); /* ITLB: stale */
    assert_int_equal(pt_stats(p, TLB_ITLB).hits, 1);
    assert_int_equal(pt_stats(p, TLB_DTLB).misses, 1);
}

static void test_unified_tlb_serves_fetches_and_data_from_one_entry(void **state)
{
    struct pt *p = *state;
    emu_tlb_config c = p->mmu.tlb_cfg;
    c.unified = 1;
    assert_int_equal(mmu_configure_tlb(&p->mmu, &c), 0);
    uint64_t root = pt_root(p);
    uint64_t leaf = pt_map(p, root, V, P1, 1, PTE_W);
    pt_enable(p, root, 0);
    assert_int_equal(pt_xlate(p, V, MMU_EXEC, NULL), P1);
    retarget(p, leaf, P2);
    assert_int_equal(rd(p, V), P1);
    emu_tlb_stats s = pt_stats(p, TLB_ITLB);
    assert_int_equal(s.lookups, 2);
    assert_int_equal(s.hits, 1);
}

static void test_paging_off_makes_no_lookups(void **state)
{
    struct pt *p = *state;
    for (uint64_t a = 0; a < 0x10000; a += PAGE_SIZE)
        assert_int_equal(rd(p, a + 1), a + 1);
    assert_int_equal(pt_stats(p, TLB_DTLB).lookups, 0);
}

/* The PDE cache (SDM §4.10.3): a walk in a 2 MiB region walked before starts
 * at the page table it remembers, so a PDE edited without invalidation is
 * not seen by later misses either -- until INVLPG (of any address: it drops
 * every paging-structure-cache entry of the PCID) or a CR3 load. */
static void test_pde_cache_keeps_an_edited_pde_until_any_invlpg(void **state)
{
    struct pt *p = *state;
    uint64_t root = pt_root(p);
    pt_map(p, root, V, P1, 1, PTE_W);
    pt_map(p, root, V + PAGE_SIZE, P2, 1, PTE_W);
    /* A second page table for the same 2 MiB region: V + 4K maps to P4. */
    uint64_t other = pt_root(p);
    pt_set(p, other + ((V + PAGE_SIZE) >> 12 & 511) * 8, P4 | PTE_P | PTE_W);
    pt_enable(p, root, 0);
    assert_int_equal(rd(p, V), P1); /* walks all four levels, caches the PDE */
    uint64_t pde = pt_entry(p, root, V, 2);
    pt_set(p, pde, (pt_get(p, pde) & ~0x000FFFFFFFFFF000ULL) | other); /* no INVLPG */
    assert_int_equal(rd(p, V + PAGE_SIZE), P2); /* a TLB miss, walked from the cached PDE */
    mmu_invlpg(&p->mmu, 0x7000000000ULL);       /* an unrelated address */
    mmu_invlpg(&p->mmu, V + PAGE_SIZE);
    assert_int_equal(rd(p, V + PAGE_SIZE), P4);
}

static void test_page_fault_drops_the_pde_cache_entry_for_its_address(void **state)
{
    struct pt *p = *state;
    uint64_t root = pt_root(p);
    uint64_t leaf = pt_map(p, root, V, P1, 1, 0);
    pt_enable(p, root, 0);
    assert_int_equal(rd(p, V), P1);
    assert_true(psc_lookup(&p->mmu.psc, V, 0) != NULL);
    uint32_t err;
    assert_int_equal(pt_xlate(p, V, MMU_WRITE, &err), FAULT);
    assert_null(psc_lookup(&p->mmu.psc, V, 0));
    (void)leaf;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_stale_translation_persists_until_invlpg),
        T(test_global_entry_survives_cr3_write_but_not_pge_toggle),
        T(test_pge_set_also_flushes_everything),
        T(test_paging_off_flushes_globals),
        T(test_fault_on_stale_rights_drops_the_entry),
        T(test_write_through_clean_entry_walks_and_sets_dirty),
        T(test_accessed_flag_is_not_set_again_while_cached),
        T(test_large_page_entry_is_dropped_by_invlpg_anywhere_inside),
        T(test_one_gib_page_is_cached_as_one_entry),
        T(test_split_tlbs_cache_fetches_and_data_apart),
        T(test_unified_tlb_serves_fetches_and_data_from_one_entry),
        T(test_paging_off_makes_no_lookups),
        T(test_pde_cache_keeps_an_edited_pde_until_any_invlpg),
        T(test_page_fault_drops_the_pde_cache_entry_for_its_address),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
