/* TLB, page-walk and page-fault events through the public hook API
 * (include/emu/hooks.h), while the mmu-tlb kernel (tests/kernels/mmu/tlb.c:
 * INVLPG, CR3 loads, PGE toggles, PCIDs, faults) runs. Checked against the
 * SDM and the guest's memory, not against src/mmu:
 *  - each page-walk step against a walk this test makes itself through
 *    emu_phys_read (SDM Vol. 3 §4.5: the entry for level L sits at the
 *    previous entry's address field plus index(L) * 8, the first at CR3's);
 *  - each TLB fill against the translation, page size, PCID and G flag that
 *    walk gives;
 *  - each page-fault event against the #PF delivered after it;
 *  - the event counts against emu_cpu_get_tlb_stats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emu/hooks.h"

#define PTE_P      (1ULL << 0)
#define PTE_A      (1ULL << 5)
#define PTE_D      (1ULL << 6)
#define PTE_PS     (1ULL << 7)
#define PTE_G      (1ULL << 8)
#define PTE_ADDR   0x000FFFFFFFFFF000ULL
#define CR4_PGE    (1ULL << 7)
#define CR4_PCIDE  (1ULL << 17)
#define CR3_PCID   0xFFFULL
#define EFER_LMA   (1ULL << 10)
#define VEC_PF     14
#define LEVELS     4
#define NTLB       2               /* [0] DTLB, [1] ITLB */
#define TEST_BASE  0x8000000000ULL /* the mmu kernels' test region (mmulib.h) */
#define TEST_LIMIT 0x80FFFFFFFFULL
#define FIRST_HALF 150000 /* instructions run before the hooks are removed */

/* A 4-level walk done here, from the SDM. */
struct sdm_walk {
    uint64_t addr[LEVELS + 1];  // entry address by level (1..4)
    uint64_t entry[LEVELS + 1]; // entry value by level
    uint64_t page;              // physical base of the page
    uint64_t size;              // page size
    bool global;                // G in the leaf
    bool present;               // a translation exists
};

static unsigned index_at(uint64_t lin, int level)
{
    return (unsigned)(lin >> (12 + 9 * (level - 1))) & 511;
}

static uint64_t phys_q(emu_machine *m, uint64_t pa)
{
    uint64_t v = 0;
    assert_int_equal(emu_phys_read(m, pa, &v, sizeof(v)), EMU_OK);
    return v;
}

static void sdm_walk(emu_machine *m, uint64_t cr3, uint64_t lin, struct sdm_walk *w)
{
    memset(w, 0, sizeof(*w));
    uint64_t table = cr3 & PTE_ADDR;
    for (int level = LEVELS; level >= 1; level--) {
        w->addr[level] = table + index_at(lin, level) * 8;
        w->entry[level] = phys_q(m, w->addr[level]);
        uint64_t e = w->entry[level];
        if (!(e & PTE_P)) return;
        if (level == 1 || (level <= 3 && (e & PTE_PS))) {
            w->size = 1ULL << (12 + 9 * (level - 1));
            w->page = e & PTE_ADDR & ~(w->size - 1);
            w->global = (e & PTE_G) != 0;
            w->present = true;
            return;
        }
        table = e & PTE_ADDR;
    }
}

struct check {
    emu_machine *m;
    uint64_t ops[NTLB][EMU_TLB_FLUSH + 1]; // events by TLB and operation
    uint64_t walk_steps, walks_from_cr3, fills_checked, in_test_region;
    uint64_t walk_lin;       // the walk in progress
    int walk_level;          // its last level, 0: none
    uint64_t walk_entry;     // its last entry
    uint64_t pf_lin, pf_err; // the last page-fault event, not yet delivered
    bool pf_pending;
    uint64_t pf_events, pf_delivered;
    uint64_t after_removal; // events seen after the hooks were removed
    bool removed;
    uint64_t range_events, range_outside;
};

static emu_sregs sregs(emu_machine *m)
{
    emu_sregs s;
    assert_int_equal(emu_cpu_get_sregs(m, 0, &s), EMU_OK);
    assert_true(s.efer & EFER_LMA); /* the mmu kernels run in IA-32e mode */
    return s;
}

static void on_walk(void *ctx, const emu_event *ev)
{
    struct check *c = ctx;
    c->after_removal += c->removed;
    emu_sregs s = sregs(c->m);
    uint64_t lin = ev->u.walk.lin, want;
    int level = ev->u.walk.level;
    assert_true(level >= 1 && level <= LEVELS);
    if (lin == c->walk_lin && c->walk_level == level + 1) {
        want = (c->walk_entry & PTE_ADDR) + index_at(lin, level) * 8;
    } else if (level == LEVELS) {
        want = (s.cr3 & PTE_ADDR) + index_at(lin, level) * 8;
        c->walks_from_cr3++;
    } else { /* a walk the paging-structure cache let start lower down */
        struct sdm_walk w;
        sdm_walk(c->m, s.cr3, lin, &w);
        want = w.addr[level];
    }
    if (ev->u.walk.entry_addr != want)
        fail_msg("walk of %#llx level %d: entry at %#llx, the SDM's is at %#llx",
                 (unsigned long long)lin, level, (unsigned long long)ev->u.walk.entry_addr,
                 (unsigned long long)want);
    /* The entry as read; the walk may have set A/D since. */
    uint64_t now = phys_q(c->m, want);
    assert_int_equal(now & ~(PTE_A | PTE_D), ev->u.walk.entry & ~(PTE_A | PTE_D));
    c->walk_lin = lin;
    c->walk_level = level;
    c->walk_entry = ev->u.walk.entry;
    c->walk_steps++;
}

static void check_fill(struct check *c, const emu_event *ev)
{
    emu_sregs s = sregs(c->m);
    struct sdm_walk w;
    sdm_walk(c->m, s.cr3, ev->u.tlb.lin, &w);
    if (!w.present)
        fail_msg("fill of %#llx, which has no translation", (unsigned long long)ev->u.tlb.lin);
    assert_int_equal(ev->u.tlb.pa, w.page);
    assert_int_equal(ev->u.tlb.page_size, w.size);
    assert_int_equal(ev->u.tlb.global, w.global && (s.cr4 & CR4_PGE));
    assert_int_equal(ev->u.tlb.pcid, (s.cr4 & CR4_PCIDE) ? (s.cr3 & CR3_PCID) : 0);
    c->fills_checked++;
}

static void on_tlb(void *ctx, const emu_event *ev)
{
    struct check *c = ctx;
    c->after_removal += c->removed;
    assert_true(ev->u.tlb.op <= EMU_TLB_FLUSH);
    c->ops[ev->u.tlb.instruction][ev->u.tlb.op]++;
    if (ev->u.tlb.op == EMU_TLB_FILL) check_fill(c, ev);
    if (ev->u.tlb.op == EMU_TLB_FLUSH) assert_int_not_equal(ev->u.tlb.cause, EMU_TLB_CAUSE_NONE);
    if (ev->u.tlb.lin >= TEST_BASE && ev->u.tlb.lin <= TEST_LIMIT) c->in_test_region++;
}

static void on_range(void *ctx, const emu_event *ev)
{
    struct check *c = ctx;
    c->range_events++;
    if (ev->u.tlb.lin < TEST_BASE || ev->u.tlb.lin > TEST_LIMIT) c->range_outside++;
}

static void on_fault(void *ctx, const emu_event *ev)
{
    struct check *c = ctx;
    c->after_removal += c->removed;
    if (ev->kind == EMU_EV_PAGE_FAULT) {
        assert_false(c->pf_pending);
        c->pf_pending = true;
        c->pf_lin = ev->u.pf.lin;
        c->pf_err = ev->u.pf.error;
        c->pf_events++;
        return;
    }
    if (ev->u.intr.vector != VEC_PF) return;
    assert_true(c->pf_pending); /* every #PF delivered was announced */
    assert_int_equal(ev->u.intr.cr2, c->pf_lin);
    assert_int_equal(ev->u.intr.error, c->pf_err);
    c->pf_pending = false;
    c->pf_delivered++;
}

struct serial {
    char bytes[8192];
    size_t len;
};

static void collect(void *ctx, const uint8_t *buf, size_t len)
{
    struct serial *o = ctx;
    for (size_t i = 0; i < len && o->len < sizeof(o->bytes) - 1; i++)
        o->bytes[o->len++] = (char)buf[i];
}

static emu_machine *boot_mmu_tlb(struct serial *out)
{
    const char *path = getenv("MMU_TLB_ELF");
    assert_non_null(path);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t img[1 << 20];
    size_t len = fread(img, 1, sizeof(img), f);
    fclose(f);
    memset(out, 0, sizeof(*out));
    emu_config cfg = {.serial_out = collect, .serial_ctx = out};
    emu_machine *m = NULL;
    assert_int_equal(emu_machine_create(&cfg, &m), EMU_OK);
    assert_int_equal(emu_machine_load_multiboot(m, "mmu-tlb", img, len, NULL, NULL, 0), EMU_OK);
    return m;
}

static void subscribe(emu_machine *m, struct check *c, emu_hook_id ids[4])
{
    ids[0] = emu_hook_add(m, EMU_EV_TLB, on_tlb, c);
    ids[1] = emu_hook_add(m, EMU_EV_PAGE_WALK, on_walk, c);
    ids[2] = emu_hook_add(m, EMU_EV_PAGE_FAULT, on_fault, c);
    ids[3] = emu_hook_add(m, EMU_EV_EXCEPTION, on_fault, c);
    for (int i = 0; i < 4; i++)
        assert_true(ids[i] > 0);
}

static uint64_t flush_total(const emu_tlb_stats *s)
{
    uint64_t n = 0;
    for (int i = 0; i < EMU_TLB_FLUSH_CAUSES; i++)
        n += s->flushes[i];
    return n;
}

/* The events of one TLB against its statistics. Every DTLB lookup is an
 * event; an ITLB hit made by following a chained block link is not. */
static void match_stats(emu_machine *m, const struct check *c, int itlb)
{
    emu_tlb_stats s;
    assert_int_equal(emu_cpu_get_tlb_stats(m, 0, itlb ? EMU_TLB_INSTRUCTION : EMU_TLB_DATA, &s),
                     EMU_OK);
    const uint64_t *ops = c->ops[itlb];
    assert_int_equal(s.lookups, s.hits + s.misses);
    assert_int_equal(s.misses, ops[EMU_TLB_MISS]);
    assert_int_equal(s.fills, ops[EMU_TLB_FILL]);
    assert_int_equal(s.evictions, ops[EMU_TLB_EVICT]);
    assert_int_equal(flush_total(&s), ops[EMU_TLB_FLUSH]);
    if (itlb)
        assert_true(s.hits >= ops[EMU_TLB_HIT] && ops[EMU_TLB_HIT] > 0);
    else
        assert_int_equal(s.hits, ops[EMU_TLB_HIT]);
}

static void test_walk_steps_and_fills_follow_the_sdm_and_counts_match_statistics(void **state)
{
    (void)state;
    static struct serial out;
    emu_machine *m = boot_mmu_tlb(&out);
    static struct check c;
    memset(&c, 0, sizeof(c));
    c.m = m;
    emu_hook_id ids[4];
    subscribe(m, &c, ids);
    emu_run_result r;
    assert_int_equal(emu_machine_run(m, &r), EMU_OK);
    assert_int_equal(r.reason, EMU_STOP_DEBUG_EXIT);
    assert_int_equal(r.exit_status, 1);
    for (int t = 0; t < NTLB; t++)
        match_stats(m, &c, t);
    assert_true(c.walks_from_cr3 > 10 && c.walk_steps > 4 * 10);
    assert_int_equal(c.fills_checked, c.ops[0][EMU_TLB_FILL] + c.ops[1][EMU_TLB_FILL]);
    assert_true(c.pf_delivered >= 5); /* mmu-tlb provokes a dozen */
    assert_int_equal(c.pf_events, c.pf_delivered);
    assert_true(c.in_test_region > 0);
    emu_machine_destroy(m);
}

/* A unified TLB of one entry per page size: evictions happen and are
 * reported; the ITLB's statistics are the unified TLB's. */
static void test_configured_tlb_reports_its_evictions(void **state)
{
    (void)state;
    static struct serial out;
    emu_machine *m = boot_mmu_tlb(&out);
    emu_tlb_config cfg;
    assert_int_equal(emu_cpu_get_tlb_config(m, 0, &cfg), EMU_OK);
    cfg.unified = 1;
    cfg.policy = EMU_TLB_POLICY_FIFO;
    cfg.dtlb[EMU_TLB_PAGE_4K] = (emu_tlb_geometry){1, 1};
    cfg.dtlb[EMU_TLB_PAGE_LARGE] = (emu_tlb_geometry){1, 1};
    assert_int_equal(emu_cpu_set_tlb_config(m, 0, &cfg), EMU_OK);
    static struct check c;
    memset(&c, 0, sizeof(c));
    c.m = m;
    emu_hook_id ids[4];
    subscribe(m, &c, ids);
    emu_run_result r;
    assert_int_equal(emu_machine_run(m, &r), EMU_OK);
    assert_int_equal(r.exit_status, 1);
    assert_int_equal(c.ops[1][EMU_TLB_MISS], 0); /* no separate ITLB */
    emu_tlb_stats d, i;
    emu_cpu_get_tlb_stats(m, 0, EMU_TLB_DATA, &d);
    emu_cpu_get_tlb_stats(m, 0, EMU_TLB_INSTRUCTION, &i);
    assert_memory_equal(&d, &i, sizeof(d));
    assert_true(d.evictions >= 10); /* 15: the 4K test pages take turns */
    assert_int_equal(d.evictions, c.ops[0][EMU_TLB_EVICT]);
    assert_int_equal(d.fills, c.ops[0][EMU_TLB_FILL]);
    assert_int_equal(d.misses, c.ops[0][EMU_TLB_MISS]);
    emu_machine_destroy(m);
}

/* Removing the hooks stops the events (the MMU's observer goes, the fast
 * path comes back); a range hook gets only events for its range; the guest
 * prints the same as without hooks. */
static void test_removed_hooks_go_quiet_and_range_hooks_filter(void **state)
{
    (void)state;
    static struct serial plain, out;
    emu_run_result r;
    emu_machine *m = boot_mmu_tlb(&plain);
    assert_int_equal(emu_machine_run(m, &r), EMU_OK);
    emu_machine_destroy(m);
    m = boot_mmu_tlb(&out);
    static struct check c;
    memset(&c, 0, sizeof(c));
    c.m = m;
    emu_hook_id ids[4];
    subscribe(m, &c, ids);
    emu_hook_id range = emu_hook_add_range(m, EMU_EV_TLB, TEST_BASE, TEST_LIMIT, on_range, &c);
    assert_true(range > 0);
    assert_int_equal(emu_machine_run_until(m, FIRST_HALF, &r), EMU_OK);
    assert_int_equal(r.reason, EMU_STOP_MAX_INSNS);
    assert_true(c.range_events > 0);
    assert_int_equal(c.range_outside, 0);
    for (int k = 0; k < 4; k++)
        assert_int_equal(emu_hook_remove(m, ids[k]), EMU_OK);
    assert_int_equal(emu_hook_remove(m, range), EMU_OK);
    c.removed = true;
    uint64_t ranged = c.range_events;
    assert_int_equal(emu_machine_run(m, &r), EMU_OK);
    assert_int_equal(r.reason, EMU_STOP_DEBUG_EXIT);
    assert_int_equal(r.exit_status, 1);
    assert_int_equal(c.after_removal, 0);
    assert_int_equal(c.range_events, ranged);
    assert_true(plain.len > 100);
    assert_string_equal(out.bytes, plain.bytes);
    emu_machine_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_steps_and_fills_follow_the_sdm_and_counts_match_statistics),
        cmocka_unit_test(test_configured_tlb_reports_its_evictions),
        cmocka_unit_test(test_removed_hooks_go_quiet_and_range_hooks_filter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
