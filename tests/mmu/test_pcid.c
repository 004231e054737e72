/* TLB semantics under PCIDs (SDM Vol. 3 §4.10.1, §4.10.4): address spaces
 * kept apart, no-flush CR3 loads, global entries, INVPCID's four types, and
 * the CR4 changes that flush by PCID. The pattern: translate (fill), edit the paging
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

/* Two address spaces under PCIDs 1 and 2: V maps to P1 and P2. */
static void two_spaces(struct pt *p, uint64_t *a, uint64_t *b, uint64_t *leaf_a, uint64_t *leaf_b)
{
    *a = pt_root(p);
    *b = pt_root(p);
    *leaf_a = pt_map(p, *a, V, P1, 1, PTE_W);
    *leaf_b = pt_map(p, *b, V, P2, 1, PTE_W);
    pt_map(p, *a, VG, P3, 1, PTE_W | PTE_G);
    pt_map(p, *b, VG, P3, 1, PTE_W | PTE_G);
    pt_enable(p, *a, CR4_PGE);
    mmu_set_regs(&p->mmu, p->mmu.cr0, *a, CR4_PAE | CR4_PGE | CR4_PCIDE, p->mmu.efer);
    mmu_mov_cr3(&p->mmu, *a | 1, false);
}

static void test_pcid_entries_survive_noflush_switch_and_hide_under_other_pcid(void **state)
{
    struct pt *p = *state;
    uint64_t a, b, la, lb;
    two_spaces(p, &a, &b, &la, &lb);
    assert_int_equal(rd(p, V), P1);
    mmu_mov_cr3(&p->mmu, b | 2, true);
    assert_int_equal(rd(p, V), P2); /* PCID 1's entry is invisible under PCID 2 */
    retarget(p, la, P4);
    mmu_mov_cr3(&p->mmu, a | 1, true);
    assert_int_equal(rd(p, V), P1); /* kept across both switches: stale */
    mmu_mov_cr3(&p->mmu, a | 1, false);
    assert_int_equal(rd(p, V), P4); /* a flushing load drops PCID 1's entries */
    retarget(p, lb, P4 + PAGE_SIZE);
    mmu_mov_cr3(&p->mmu, b | 2, true);
    assert_int_equal(rd(p, V), P2); /* ... but not PCID 2's */
    assert_int_equal(pt_stats(p, TLB_DTLB).flushes[EMU_TLB_FLUSH_MOV_CR3_NOFLUSH], 3);
}

static void test_global_entries_are_shared_by_all_pcids(void **state)
{
    struct pt *p = *state;
    uint64_t a, b, la, lb;
    two_spaces(p, &a, &b, &la, &lb);
    assert_int_equal(rd(p, VG), P3);
    emu_tlb_stats before = pt_stats(p, TLB_DTLB);
    mmu_mov_cr3(&p->mmu, b | 2, false);
    assert_int_equal(rd(p, VG), P3);
    emu_tlb_stats after = pt_stats(p, TLB_DTLB);
    assert_int_equal(after.hits, before.hits + 1);
    assert_int_equal(after.misses, before.misses);
}

/* Fills V under both PCIDs and VG (global), then points every PTE elsewhere. */
static void fill_then_edit(struct pt *p, uint64_t a, uint64_t b, uint64_t la, uint64_t lb)
{
    mmu_mov_cr3(&p->mmu, b | 2, true);
    assert_int_equal(rd(p, V), P2);
    mmu_mov_cr3(&p->mmu, a | 1, true);
    assert_int_equal(rd(p, V), P1);
    assert_int_equal(rd(p, VG), P3);
    retarget(p, la, P1 + 0x10000);
    retarget(p, lb, P2 + 0x10000);
    uint64_t ga = pt_map(p, a, VG, P3 + 0x10000, 1, PTE_W | PTE_G);
    (void)ga;
}

/* What PCID `pcid` sees at V and VG now: fresh (1) or stale (0) each. */
static void expect(struct pt *p, uint64_t root, unsigned pcid, bool v_fresh, bool g_fresh)
{
    mmu_mov_cr3(&p->mmu, root | pcid, true);
    uint64_t base = pcid == 1 ? P1 : P2;
    assert_int_equal(rd(p, V), base + (v_fresh ? 0x10000 : 0));
    if (pcid == 1) assert_int_equal(rd(p, VG), P3 + (g_fresh ? 0x10000 : 0));
}

static void test_invpcid_individual_address_drops_one_pcid_one_page_not_global(void **state)
{
    struct pt *p = *state;
    uint64_t a, b, la, lb;
    two_spaces(p, &a, &b, &la, &lb);
    fill_then_edit(p, a, b, la, lb);
    mmu_invpcid(&p->mmu, INVPCID_ADDRESS, 1, V);
    mmu_invpcid(&p->mmu, INVPCID_ADDRESS, 1, VG); /* global translations are kept */
    expect(p, b, 2, false, false);
    expect(p, a, 1, true, false);
}

static void test_invpcid_single_context_drops_nonglobal_of_one_pcid(void **state)
{
    struct pt *p = *state;
    uint64_t a, b, la, lb;
    two_spaces(p, &a, &b, &la, &lb);
    fill_then_edit(p, a, b, la, lb);
    mmu_invpcid(&p->mmu, INVPCID_CONTEXT, 2, 0);
    expect(p, a, 1, false, false);
    expect(p, b, 2, true, false);
}

static void test_invpcid_all_including_global_drops_everything(void **state)
{
    struct pt *p = *state;
    uint64_t a, b, la, lb;
    two_spaces(p, &a, &b, &la, &lb);
    fill_then_edit(p, a, b, la, lb);
    mmu_invpcid(&p->mmu, INVPCID_ALL_GLOBAL, 0, 0);
    expect(p, b, 2, true, true);
    expect(p, a, 1, true, true);
}

static void test_invpcid_all_contexts_keeps_global(void **state)
{
    struct pt *p = *state;
    uint64_t a, b, la, lb;
    two_spaces(p, &a, &b, &la, &lb);
    fill_then_edit(p, a, b, la, lb);
    mmu_invpcid(&p->mmu, INVPCID_ALL, 0, 0);
    expect(p, b, 2, true, false);
    expect(p, a, 1, true, false);
    emu_tlb_stats s = pt_stats(p, TLB_DTLB);
    assert_int_equal(s.flushes[EMU_TLB_FLUSH_INVPCID_ALL], 1);
    assert_int_equal(s.flushes[EMU_TLB_FLUSH_INVPCID_ALL_GLOBAL], 0);
}

static void test_invlpg_drops_global_entries_of_any_pcid(void **state)
{
    struct pt *p = *state;
    uint64_t a, b, la, lb;
    two_spaces(p, &a, &b, &la, &lb);
    fill_then_edit(p, a, b, la, lb);
    mmu_mov_cr3(&p->mmu, b | 2, true);
    mmu_invlpg(&p->mmu, VG);
    mmu_invlpg(&p->mmu, V);
    expect(p, a, 1, false, true); /* PCID 1's V stays: INVLPG is for the current PCID */
}

static void test_pcide_clear_flushes_every_pcid_and_globals(void **state)
{
    struct pt *p = *state;
    uint64_t a, b, la, lb;
    two_spaces(p, &a, &b, &la, &lb);
    fill_then_edit(p, a, b, la, lb);
    mmu_set_regs(&p->mmu, p->mmu.cr0, a, CR4_PAE | CR4_PGE, p->mmu.efer);
    assert_int_equal(rd(p, VG), P3 + 0x10000);
    assert_int_equal(rd(p, V), P1 + 0x10000);
    assert_int_equal(pt_stats(p, TLB_DTLB).flushes[EMU_TLB_FLUSH_CR4_PCIDE], 1);
}

static void test_smep_set_flushes_the_current_pcid_only(void **state)
{
    struct pt *p = *state;
    uint64_t a, b, la, lb;
    two_spaces(p, &a, &b, &la, &lb);
    fill_then_edit(p, a, b, la, lb);
    mmu_set_regs(&p->mmu, p->mmu.cr0, a | 1, CR4_PAE | CR4_PGE | CR4_PCIDE | CR4_SMEP, p->mmu.efer);
    expect(p, b, 2, false, false);
    /* "All TLB entries for the current PCID": entries are associated with the
     * PCID current when they were made (§4.10.1), global ones included. */
    expect(p, a, 1, true, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_pcid_entries_survive_noflush_switch_and_hide_under_other_pcid),
        T(test_global_entries_are_shared_by_all_pcids),
        T(test_invpcid_individual_address_drops_one_pcid_one_page_not_global),
        T(test_invpcid_single_context_drops_nonglobal_of_one_pcid),
        T(test_invpcid_all_including_global_drops_everything),
        T(test_invpcid_all_contexts_keeps_global),
        T(test_invlpg_drops_global_entries_of_any_pcid),
        T(test_pcide_clear_flushes_every_pcid_and_globals),
        T(test_smep_set_flushes_the_current_pcid_only),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
