/* The TLB's statistics, replacement policies, configuration, events, and
 * the fast path's consistency with the TLB entries it was made from. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "ptbuild.h"

#define P0 0x1000000ULL

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

/* Pages that all fall in DTLB 4K set 0 of a one-set TLB: 4 KiB apart. */
static uint64_t page(int i)
{
    return 0x400000ULL + (uint64_t)i * PAGE_SIZE;
}

/* One-set, `ways`-way 4K DTLB with `policy`; pages 0..15 mapped. */
static uint64_t small_tlb(struct pt *p, unsigned ways, emu_tlb_policy policy)
{
    emu_tlb_config c = p->mmu.tlb_cfg;
    c.dtlb[EMU_TLB_PAGE_4K] = (emu_tlb_geometry){1, (uint16_t)ways};
    c.policy = policy;
    assert_int_equal(mmu_configure_tlb(&p->mmu, &c), 0);
    uint64_t root = pt_root(p);
    for (int i = 0; i < 16; i++)
        pt_map(p, root, page(i), P0 + (uint64_t)i * PAGE_SIZE, 1, PTE_W);
    pt_enable(p, root, 0);
    return root;
}

static void touch(struct pt *p, const char *seq)
{
    for (; *seq; seq++)
        assert_int_not_equal(pt_xlate(p, page(*seq - 'A'), MMU_READ, NULL), ~0ULL);
}

static bool cached(struct pt *p, char c)
{
    uint64_t before = pt_stats(p, TLB_DTLB).hits;
    touch(p, (char[]){c, 0});
    return pt_stats(p, TLB_DTLB).hits == before + 1;
}

static void test_statistics_count_lookups_hits_misses_fills_evictions(void **state)
{
    struct pt *p = *state;
    small_tlb(p, 2, EMU_TLB_POLICY_FIFO);
    touch(p, "ABACAB"); /* miss miss hit miss(evict A) miss(evict B) miss(evict C) */
    emu_tlb_stats s = pt_stats(p, TLB_DTLB);
    assert_int_equal(s.lookups, 6);
    assert_int_equal(s.hits, 1);
    assert_int_equal(s.misses, 5);
    assert_int_equal(s.fills, 5);
    assert_int_equal(s.evictions, 3);
    mmu_invlpg(&p->mmu, page(1));
    mmu_invlpg(&p->mmu, page(2)); /* not cached: a flush that drops nothing */
    s = pt_stats(p, TLB_DTLB);
    assert_int_equal(s.invalidated, 1);
    assert_int_equal(s.flushes[EMU_TLB_FLUSH_INVLPG], 2);
    assert_int_equal(pt_stats(p, TLB_ITLB).lookups, 0);
}

static void test_fifo_evicts_in_fill_order_regardless_of_use(void **state)
{
    struct pt *p = *state;
    small_tlb(p, 4, EMU_TLB_POLICY_FIFO);
    touch(p, "ABCDEBF"); /* E evicts A; F evicts B although B was just used */
    assert_false(cached(p, 'B'));
}

/* CLOCK: the hand skips, and clears, ways used since it last passed; a
 * fill counts as a use. After ABCD, E clears every way and takes way 0
 * (A). B is then used; F passes B (clearing it) and takes C. */
static void test_clock_gives_a_recently_used_way_a_second_chance(void **state)
{
    struct pt *p = *state;
    small_tlb(p, 4, EMU_TLB_POLICY_CLOCK);
    touch(p, "ABCDEBF");
    assert_true(cached(p, 'B'));
    assert_true(cached(p, 'D'));
    assert_false(cached(p, 'C'));
}

static void test_random_policy_is_deterministic(void **state)
{
    struct pt *p = *state;
    small_tlb(p, 4, EMU_TLB_POLICY_RANDOM);
    const char *seq = "ABCDEFGHIJKLMNOPAEIMBFJNCGKODHLP";
    touch(p, seq);
    emu_tlb_stats first = pt_stats(p, TLB_DTLB);
    struct pt *q = pt_new();
    small_tlb(q, 4, EMU_TLB_POLICY_RANDOM);
    touch(q, seq);
    emu_tlb_stats second = pt_stats(q, TLB_DTLB);
    pt_free(q);
    assert_memory_equal(&first, &second, sizeof(first));
    assert_true(first.evictions > 0);
    assert_true(first.hits > 0); /* some random choice spared a page used again */
}

/* The fast path's hits are TLB hits: the slot counts into its entry. */
static void test_fast_path_hits_count_as_tlb_hits(void **state)
{
    struct pt *p = *state;
    small_tlb(p, 2, EMU_TLB_POLICY_FIFO);
    touch(p, "A");
    struct mmu_fast *f = mmu_fast_entry(&p->mmu, MMU_IDX_SUP, page(0));
    assert_int_equal(f->tag_r, page(0));
    for (int i = 0; i < 5; i++)
        ++*f->dhits; /* what lin_read does on a hit */
    emu_tlb_stats s = pt_stats(p, TLB_DTLB);
    assert_int_equal(s.hits, 5);
    assert_int_equal(s.lookups, 6);
    touch(p, "BC"); /* C evicts A: A's hits are kept in the totals */
    assert_int_equal(pt_stats(p, TLB_DTLB).hits, 5);
}

static void test_fast_slot_dies_with_its_tlb_entry(void **state)
{
    struct pt *p = *state;
    uint64_t root = small_tlb(p, 2, EMU_TLB_POLICY_FIFO);
    struct mmu_fast *fa = mmu_fast_entry(&p->mmu, MMU_IDX_SUP, page(0));
    struct mmu_fast *fb = mmu_fast_entry(&p->mmu, MMU_IDX_SUP, page(1));
    touch(p, "AB");
    assert_int_equal(fa->tag_r, page(0));
    touch(p, "C"); /* evicts A */
    assert_int_equal(fa->tag_r, MMU_TAG_INVALID);
    assert_int_equal(fb->tag_r, page(1));
    mmu_invlpg(&p->mmu, page(1));
    assert_int_equal(fb->tag_r, MMU_TAG_INVALID);
    touch(p, "B");
    mmu_mov_cr3(&p->mmu, root, false);
    assert_int_equal(fb->tag_r, MMU_TAG_INVALID);
}

static void test_fast_write_needs_dirty_and_no_code(void **state)
{
    struct pt *p = *state;
    small_tlb(p, 2, EMU_TLB_POLICY_FIFO);
    struct mmu_fast *f = mmu_fast_entry(&p->mmu, MMU_IDX_SUP, page(0));
    touch(p, "A");
    assert_int_equal(f->tag_w, MMU_TAG_INVALID); /* D clear: writes walk to set it */
    assert_int_not_equal(pt_xlate(p, page(0), MMU_WRITE, NULL), ~0ULL);
    assert_int_equal(f->tag_w, page(0));
    mmu_protect_code_page(&p->mmu, P0);
    assert_int_equal(f->tag_w, MMU_TAG_INVALID);
    assert_int_equal(f->tag_r, page(0));
}

static void test_bad_configuration_is_refused_and_the_old_one_kept(void **state)
{
    struct pt *p = *state;
    emu_tlb_config good = p->mmu.tlb_cfg, c = good;
    c.dtlb[EMU_TLB_PAGE_4K].sets = 3;
    assert_int_equal(mmu_configure_tlb(&p->mmu, &c), -1);
    c = good;
    c.itlb[EMU_TLB_PAGE_1G].ways = TLB_MAX_WAYS + 1;
    assert_int_equal(mmu_configure_tlb(&p->mmu, &c), -1);
    c = good;
    c.dtlb[EMU_TLB_PAGE_LARGE].sets = 0;
    assert_int_equal(mmu_configure_tlb(&p->mmu, &c), -1);
    c = good;
    c.policy = (emu_tlb_policy)7;
    assert_int_equal(mmu_configure_tlb(&p->mmu, &c), -1);
    assert_memory_equal(&p->mmu.tlb_cfg, &good, sizeof(good));
}

static void test_zero_ways_caches_nothing_of_that_size(void **state)
{
    struct pt *p = *state;
    small_tlb(p, 0, EMU_TLB_POLICY_CLOCK);
    touch(p, "AAA");
    emu_tlb_stats s = pt_stats(p, TLB_DTLB);
    assert_int_equal(s.misses, 3);
    assert_int_equal(s.fills, 0);
}

/* ---- events --------------------------------------------------------------- */

struct log {
    int tlb[5]; // by mmu_tlb_event_kind
    int walk_steps, faults;
    uint8_t last_cause;
    uint32_t last_error;
};

static void on_tlb(void *ctx, const struct mmu_tlb_event *ev)
{
    struct log *l = ctx;
    l->tlb[ev->kind]++;
    if (ev->kind == MMU_TLB_FLUSH) l->last_cause = ev->cause;
}

static void on_walk(void *ctx, const struct mmu_walk_event *ev)
{
    struct log *l = ctx;
    assert_true(ev->level >= 1 && ev->level <= 4);
    l->walk_steps++;
}

static void on_fault(void *ctx, const struct mmu_fault_event *ev)
{
    struct log *l = ctx;
    l->faults++;
    l->last_error = ev->error;
}

static void test_observer_sees_hits_misses_fills_evictions_flushes_walks_faults(void **state)
{
    struct pt *p = *state;
    struct log log = {0};
    struct mmu_observer obs = {&log, on_tlb, on_walk, on_fault};
    small_tlb(p, 1, EMU_TLB_POLICY_FIFO);
    mmu_set_observer(&p->mmu, &obs);
    touch(p, "AAB"); /* miss+fill, hit, miss+evict+fill */
    assert_int_equal(log.tlb[MMU_TLB_MISS], 2);
    assert_int_equal(log.tlb[MMU_TLB_HIT], 1);
    assert_int_equal(log.tlb[MMU_TLB_FILL], 2);
    assert_int_equal(log.tlb[MMU_TLB_EVICT], 1);
    assert_int_equal(log.walk_steps, 5); /* a 4-level walk, then the PTE only (PDE cache) */
    /* With an observer every hit must reach it: no fast-path slots. */
    assert_int_equal(mmu_fast_entry(&p->mmu, MMU_IDX_SUP, page(1))->tag_r, MMU_TAG_INVALID);
    mmu_invlpg(&p->mmu, page(1));
    assert_int_equal(log.last_cause, EMU_TLB_FLUSH_INVLPG);
    uint32_t err;
    assert_int_equal(pt_xlate(p, 0x7000000000ULL, MMU_WRITE | MMU_USER, &err), ~0ULL);
    assert_int_equal(log.faults, 1);
    assert_int_equal(log.last_error, PF_W | PF_U);
    assert_int_equal(log.last_cause, EMU_TLB_FLUSH_PAGE_FAULT);
    mmu_set_observer(&p->mmu, NULL);
    touch(p, "C");
    assert_int_equal(log.tlb[MMU_TLB_MISS], 3); /* the miss of the fault; C is silent */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_statistics_count_lookups_hits_misses_fills_evictions),
        T(test_fifo_evicts_in_fill_order_regardless_of_use),
        T(test_clock_gives_a_recently_used_way_a_second_chance),
        T(test_random_policy_is_deterministic),
        T(test_fast_path_hits_count_as_tlb_hits),
        T(test_fast_slot_dies_with_its_tlb_entry),
        T(test_fast_write_needs_dirty_and_no_code),
        T(test_bad_configuration_is_refused_and_the_old_one_kept),
        T(test_zero_ways_caches_nothing_of_that_size),
        T(test_observer_sees_hits_misses_fills_evictions_flushes_walks_faults),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
