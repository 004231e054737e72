/* The local APIC against the Intel SDM vol. 3A ch. 11: reset state, the
 * xAPIC page, priorities (TPR/PPR, CR8), INTA and EOI, spurious interrupts,
 * the timer modes, IA32_APIC_BASE transitions and relocation, x2APIC MSRs
 * and their #GP cases, LINT pins, IPIs and destinations, ESR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "apic/apic_bus.h"
#include "apic/lapic.h"
#include "machine/bus.h"
#include "machine/vclock.h"

#define BASE             0xFEE00000ULL
#define MSR_BASE         0x1B
#define MSR_TSC_DEADLINE 0x6E0
#define X2(off)          (0x800u + ((off) >> 4))

struct fixture {
    uint64_t icount;
    struct vclock clock;
    struct bus mmio;
    struct apic_bus bus;
    struct lapic *l;
    int intr, nmis, inits, eois[256];
    uint8_t cr8;
    uint64_t tsc_offset;
    int extint_acks;
};

static void p_intr(void *c, bool level)
{
    ((struct fixture *)c)->intr = level;
}
static void p_nmi(void *c)
{
    ((struct fixture *)c)->nmis++;
}
static void p_init(void *c)
{
    ((struct fixture *)c)->inits++;
}
static void p_sipi(void *c, uint8_t v)
{
    (void)c;
    (void)v;
}
static void p_cr8(void *c, uint8_t v)
{
    ((struct fixture *)c)->cr8 = v;
}
static uint64_t p_tsc(void *c)
{
    struct fixture *f = c;
    return vclock_now(&f->clock) + f->tsc_offset;
}
static void on_eoi(void *c, uint8_t v)
{
    ((struct fixture *)c)->eois[v]++;
}
static int extint_ack(void *c)
{
    ((struct fixture *)c)->extint_acks++;
    return 0x30;
}

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof(*f));
    vclock_init(&f->clock, &f->icount);
    bus_init(&f->mmio);
    apic_bus_init(&f->bus);
    f->bus.eoi = on_eoi;
    f->bus.eoi_ctx = f;
    struct lapic_cpu_port port = {f, p_intr, p_nmi, p_init, p_sipi, p_cr8, p_tsc, NULL, NULL, NULL};
    f->l = lapic_new(0, true, &f->clock, &f->mmio, &f->bus, &port);
    lapic_set_extint(f->l, (struct lapic_extint){extint_ack, f});
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    lapic_free(f->l);
    test_free(f);
    return 0;
}

static uint32_t rd(struct fixture *f, unsigned off)
{
    return (uint32_t)bus_read(&f->mmio, BASE + off, 4);
}

static void wr(struct fixture *f, unsigned off, uint32_t v)
{
    bus_write(&f->mmio, BASE + off, v, 4);
}

static void enable(struct fixture *f)
{
    wr(f, 0xF0, 0x1FF);
}

static void self_ipi(struct fixture *f, uint8_t vector)
{
    wr(f, 0x300, (1u << 18) | vector);
}

static void advance(struct fixture *f, uint64_t ns)
{
    f->icount += ns;
    vclock_run_due(&f->clock);
}

static void test_reset_state_is_the_sdm_power_up_state(void **state)
{
    struct fixture *f = *state;
    uint64_t base;
    assert_int_equal(lapic_msr_read(f->l, MSR_BASE, &base), 0);
    assert_int_equal(base, BASE | 0x900); /* EN | BSP */
    assert_int_equal(rd(f, 0x30), 0x00050014);
    assert_int_equal(rd(f, 0xF0), 0xFF);
    for (unsigned off = 0x320; off <= 0x370; off += 0x10)
        assert_int_equal(rd(f, off), 0x10000);
    assert_int_equal(rd(f, 0xE0), 0xFFFFFFFF);
    assert_int_equal(rd(f, 0x20), 0);
}

static void test_software_disabled_apic_keeps_lvt_masked_and_drops_fixed_ipis(void **state)
{
    struct fixture *f = *state;
    wr(f, 0x320, 0x40);
    assert_int_equal(rd(f, 0x320), 0x10040);
    self_ipi(f, 0x40);
    assert_int_equal(rd(f, 0x200 + 0x20), 0); /* IRR word 2 */
    enable(f);
    wr(f, 0x320, 0x40);
    assert_int_equal(rd(f, 0x320), 0x40);
    wr(f, 0xF0, 0xFF); /* disabling masks every LVT again */
    assert_int_equal(rd(f, 0x320), 0x10040);
}

static void test_self_ipi_is_taken_and_eoi_clears_isr(void **state)
{
    struct fixture *f = *state;
    enable(f);
    self_ipi(f, 0x45);
    assert_int_equal(f->intr, 1);
    assert_int_equal(rd(f, 0x220) >> 5 & 1, 1); /* IRR bit 0x45 */
    assert_int_equal(lapic_intr_ack(f->l), 0x45);
    assert_int_equal(f->intr, 0);
    assert_int_equal(rd(f, 0x120) >> 5 & 1, 1); /* ISR */
    assert_int_equal(rd(f, 0xA0), 0x40);        /* PPR: the class in service */
    wr(f, 0xB0, 0);
    assert_int_equal(rd(f, 0x120), 0);
    assert_int_equal(f->eois[0x45], 0); /* edge: no EOI broadcast */
}

static void test_tpr_holds_back_lower_and_equal_classes(void **state)
{
    struct fixture *f = *state;
    enable(f);
    wr(f, 0x80, 0x50);
    assert_int_equal(f->cr8, 5);
    self_ipi(f, 0x5F);
    assert_int_equal(f->intr, 0);
    self_ipi(f, 0x61);
    assert_int_equal(f->intr, 1);
    assert_int_equal(lapic_intr_ack(f->l), 0x61);
    lapic_write_cr8(f->l, 0);
    assert_int_equal(rd(f, 0x80), 0x00);
    assert_int_equal(f->intr, 0); /* 0x5F is below the class of 0x61 in service */
    wr(f, 0xB0, 0);
    assert_int_equal(f->intr, 1);
    assert_int_equal(lapic_intr_ack(f->l), 0x5F);
}

static void test_inta_after_tpr_raised_returns_the_spurious_vector(void **state)
{
    struct fixture *f = *state;
    wr(f, 0xF0, 0x1EF);
    self_ipi(f, 0x33);
    assert_int_equal(f->intr, 1);
    wr(f, 0x80, 0x40);
    assert_int_equal(lapic_intr_ack(f->l), 0xEF);
    assert_int_equal(rd(f, 0x100 + 0x10), 0); /* no ISR bit */
}

static void test_illegal_vector_sets_esr_after_the_write_latch(void **state)
{
    struct fixture *f = *state;
    enable(f);
    self_ipi(f, 0x05);
    assert_int_equal(rd(f, 0x280), 0); /* not visible until ESR is written */
    wr(f, 0x280, 0);
    assert_int_equal(rd(f, 0x280), 0x20);
    wr(f, 0x280, 0);
    assert_int_equal(rd(f, 0x280), 0);
    rd(f, 0x2A0); /* a reserved register */
    wr(f, 0x280, 0);
    assert_int_equal(rd(f, 0x280), 0x80);
}

static void test_one_shot_timer_counts_down_and_fires_once(void **state)
{
    struct fixture *f = *state;
    enable(f);
    wr(f, 0x3E0, 0x3); /* divide by 16 */
    wr(f, 0x320, 0x40);
    wr(f, 0x380, 1000);
    advance(f, 16 * 400);
    assert_int_equal(rd(f, 0x390), 600);
    assert_int_equal(f->intr, 0);
    advance(f, 16 * 600);
    assert_int_equal(f->intr, 1);
    assert_int_equal(rd(f, 0x390), 0);
    assert_int_equal(lapic_intr_ack(f->l), 0x40);
    wr(f, 0xB0, 0);
    advance(f, 100000);
    assert_int_equal(f->intr, 0);
    assert_int_equal(rd(f, 0x380), 1000);
}

static void test_periodic_timer_reloads_and_masking_stops_interrupts(void **state)
{
    struct fixture *f = *state;
    enable(f);
    wr(f, 0x3E0, 0xB); /* divide by 1 */
    wr(f, 0x320, (1u << 17) | 0x41);
    wr(f, 0x380, 500);
    for (int i = 0; i < 3; i++) {
        advance(f, 500);
        assert_int_equal(lapic_intr_ack(f->l), 0x41);
        wr(f, 0xB0, 0);
    }
    advance(f, 100);
    assert_int_equal(rd(f, 0x390), 400);
    wr(f, 0x320, (1u << 17) | (1u << 16) | 0x41);
    advance(f, 2000);
    assert_int_equal(f->intr, 0);
    assert_int_equal(rd(f, 0x390), 400); /* still counting while masked */
}

static void test_tsc_deadline_mode_fires_at_the_deadline_and_clears_the_msr(void **state)
{
    struct fixture *f = *state;
    enable(f);
    f->tsc_offset = 5000;
    assert_int_equal(lapic_msr_write(f->l, MSR_TSC_DEADLINE, 9000), 0); /* ignored */
    uint64_t v;
    lapic_msr_read(f->l, MSR_TSC_DEADLINE, &v);
    assert_int_equal(v, 0);
    wr(f, 0x320, (2u << 17) | 0x42);
    wr(f, 0x380, 10); /* ignored in TSC-deadline mode */
    assert_int_equal(rd(f, 0x390), 0);
    lapic_msr_write(f->l, MSR_TSC_DEADLINE, 5000 + 700);
    advance(f, 699);
    assert_int_equal(f->intr, 0);
    advance(f, 1);
    assert_int_equal(f->intr, 1);
    lapic_msr_read(f->l, MSR_TSC_DEADLINE, &v);
    assert_int_equal(v, 0);
}

static void test_apic_base_relocates_and_disable_unmaps_the_page(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(lapic_msr_write(f->l, MSR_BASE, 0xFED00000ULL | 0x900), 0);
    assert_null(bus_find(&f->mmio, BASE));
    assert_non_null(bus_find(&f->mmio, 0xFED00000ULL + 0x30));
    assert_int_equal(bus_read(&f->mmio, 0xFED00030ULL, 4), 0x00050014);
    assert_int_equal(lapic_msr_write(f->l, MSR_BASE, 0xFED00000ULL | 0x100), 0);
    assert_null(bus_find(&f->mmio, 0xFED00000ULL));
    assert_false(lapic_hw_enabled(f->l));
}

static void test_disabled_apic_passes_lint0_to_intr_and_lint1_to_nmi(void **state)
{
    struct fixture *f = *state;
    lapic_msr_write(f->l, MSR_BASE, BASE | 0x100);
    lapic_lint(f->l, 0, 1);
    assert_int_equal(f->intr, 1);
    assert_int_equal(lapic_intr_ack(f->l), 0x30);
    assert_int_equal(f->extint_acks, 1);
    lapic_lint(f->l, 1, 1);
    assert_int_equal(f->nmis, 1);
}

static void test_lint0_extint_requests_intr_while_the_line_is_high(void **state)
{
    struct fixture *f = *state;
    lapic_bios_init(f->l);
    lapic_lint(f->l, 0, 1);
    assert_int_equal(f->intr, 1);
    wr(f, 0x350, 0x10700);
    assert_int_equal(f->intr, 0);
    wr(f, 0x350, 0x700);
    assert_int_equal(f->intr, 1);
    assert_int_equal(lapic_intr_ack(f->l), 0x30);
    lapic_lint(f->l, 0, 0);
    assert_int_equal(f->intr, 0);
    lapic_lint(f->l, 1, 1);
    assert_int_equal(f->nmis, 1);
}

static void test_x2apic_msrs_and_their_gp_cases(void **state)
{
    struct fixture *f = *state;
    uint64_t v;
    assert_int_equal(lapic_msr_read(f->l, X2(0x30), &v), -1);            /* not in x2APIC mode */
    assert_int_equal(lapic_msr_write(f->l, MSR_BASE, BASE | 0x500), -1); /* EXTD without EN */
    assert_int_equal(lapic_msr_write(f->l, MSR_BASE, BASE | 0xD00), 0);
    assert_null(bus_find(&f->mmio, BASE));
    assert_int_equal(lapic_msr_read(f->l, X2(0x20), &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(lapic_msr_read(f->l, X2(0xD0), &v), 0);
    assert_int_equal(v, 0x00000001);                              /* cluster 0, bit 0 */
    assert_int_equal(lapic_msr_write(f->l, X2(0x30), 0), -1);     /* read-only */
    assert_int_equal(lapic_msr_write(f->l, X2(0x80), 0x100), -1); /* reserved TPR bits */
    assert_int_equal(lapic_msr_write(f->l, X2(0xB0), 1), -1);     /* EOI must write 0 */
    assert_int_equal(lapic_msr_read(f->l, X2(0xE0), &v), -1);     /* no DFR */
    assert_int_equal(lapic_msr_write(f->l, X2(0xF0), 0x1FF), 0);
    assert_int_equal(lapic_msr_write(f->l, X2(0x3F0), 0x77), 0); /* SELF IPI */
    assert_int_equal(lapic_intr_ack(f->l), 0x77);
    assert_int_equal(lapic_msr_write(f->l, X2(0xB0), 0), 0);
    assert_int_equal(lapic_msr_write(f->l, X2(0x300), (1u << 18) | 0x66), 0); /* ICR, self */
    assert_int_equal(lapic_intr_ack(f->l), 0x66);
    assert_int_equal(lapic_msr_write(f->l, MSR_BASE, BASE | 0x900), -1); /* x2APIC -> xAPIC */
    assert_int_equal(lapic_msr_write(f->l, MSR_BASE, BASE | 0x100), 0);  /* -> disabled */
    assert_int_equal(lapic_msr_write(f->l, MSR_BASE, BASE | 0x900), 0);  /* -> xAPIC */
    assert_int_equal(rd(f, 0xF0), 0xFF);                                 /* state was reset */
}

static void test_nmi_ipi_and_level_triggered_eoi_broadcast(void **state)
{
    struct fixture *f = *state;
    enable(f);
    wr(f, 0x300, (1u << 18) | (4u << 8));
    assert_int_equal(f->nmis, 1);
    struct apic_msg m = {.vector = 0x90, .delivery = 0, .level = true, .assert = true};
    apic_bus_send(&f->bus, &m, NULL);
    assert_int_equal(lapic_intr_ack(f->l), 0x90);
    assert_int_equal(rd(f, 0x180 + 0x40) >> 16 & 1, 1); /* TMR bit 0x90 (word 4, bit 16) */
    wr(f, 0xB0, 0);
    assert_int_equal(f->eois[0x90], 1);
}

static void test_destinations_physical_logical_flat_and_cluster(void **state)
{
    struct fixture *f = *state;
    enable(f);
    wr(f, 0x20, 3u << 24);
    wr(f, 0xD0, 0x24u << 24);
    struct apic_msg m = {.dest = 3};
    assert_true(lapic_dest_matches(f->l, &m));
    m.dest = 2;
    assert_false(lapic_dest_matches(f->l, &m));
    m.dest = 0xFF;
    assert_true(lapic_dest_matches(f->l, &m));
    m.logical = true;
    m.dest = 0x04;
    assert_true(lapic_dest_matches(f->l, &m)); /* flat: bit overlap */
    m.dest = 0x08;
    assert_false(lapic_dest_matches(f->l, &m));
    wr(f, 0xE0, 0x0FFFFFFF); /* cluster model: cluster 2, member bit 2 */
    m.dest = 0x24;
    assert_true(lapic_dest_matches(f->l, &m));
    m.dest = 0x14;
    assert_false(lapic_dest_matches(f->l, &m));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_reset_state_is_the_sdm_power_up_state),
        T(test_software_disabled_apic_keeps_lvt_masked_and_drops_fixed_ipis),
        T(test_self_ipi_is_taken_and_eoi_clears_isr),
        T(test_tpr_holds_back_lower_and_equal_classes),
        T(test_inta_after_tpr_raised_returns_the_spurious_vector),
        T(test_illegal_vector_sets_esr_after_the_write_latch),
        T(test_one_shot_timer_counts_down_and_fires_once),
        T(test_periodic_timer_reloads_and_masking_stops_interrupts),
        T(test_tsc_deadline_mode_fires_at_the_deadline_and_clears_the_msr),
        T(test_apic_base_relocates_and_disable_unmaps_the_page),
        T(test_disabled_apic_passes_lint0_to_intr_and_lint1_to_nmi),
        T(test_lint0_extint_requests_intr_while_the_line_is_high),
        T(test_x2apic_msrs_and_their_gp_cases),
        T(test_nmi_ipi_and_level_triggered_eoi_broadcast),
        T(test_destinations_physical_logical_flat_and_cluster),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
