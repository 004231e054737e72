/* The I/O APIC against the 82093AA datasheet (and QEMU's model of the ISA
 * lines): registers, redirection entries, edge and level pins, remote IRR
 * and EOI (broadcast and the version-0x20 EOI register), masking. The
 * messages land in a real local APIC on an APIC bus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "apic/apic_bus.h"
#include "apic/ioapic.h"
#include "apic/lapic.h"
#include "machine/bus.h"
#include "machine/vclock.h"

#define LAPIC      0xFEE00000ULL
#define MASKED     (1u << 16)
#define LEVEL      (1u << 15)
#define REMOTE_IRR (1u << 14)

struct fixture {
    uint64_t icount;
    struct vclock clock;
    struct bus mmio;
    struct apic_bus bus;
    struct lapic *l;
    struct ioapic *io;
    int intr;
};

static void p_intr(void *c, bool level)
{
    ((struct fixture *)c)->intr = level;
}
static void p_none(void *c)
{
    (void)c;
}
static void p_sipi(void *c, uint8_t v)
{
    (void)c;
    (void)v;
}

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof(*f));
    vclock_init(&f->clock, &f->icount);
    bus_init(&f->mmio);
    apic_bus_init(&f->bus);
    struct lapic_cpu_port port = {f, p_intr, p_none, p_none, p_sipi, NULL, NULL, NULL, NULL, NULL};
    f->l = lapic_new(0, true, &f->clock, &f->mmio, &f->bus, &port);
    f->io = ioapic_new(&f->bus);
    f->bus.eoi = ioapic_eoi;
    f->bus.eoi_ctx = f->io;
    bus_register(&f->mmio, IOAPIC_BASE, IOAPIC_MMIO_SIZE, ioapic_ops(), f->io, "ioapic");
    bus_write(&f->mmio, LAPIC + 0xF0, 0x1FF, 4);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    ioapic_free(f->io);
    lapic_free(f->l);
    test_free(f);
    return 0;
}

static uint32_t reg(struct fixture *f, uint8_t r)
{
    bus_write(&f->mmio, IOAPIC_BASE, r, 4);
    return (uint32_t)bus_read(&f->mmio, IOAPIC_BASE + 0x10, 4);
}

static void set(struct fixture *f, uint8_t r, uint32_t v)
{
    bus_write(&f->mmio, IOAPIC_BASE, r, 4);
    bus_write(&f->mmio, IOAPIC_BASE + 0x10, v, 4);
}

static int take(struct fixture *f)
{
    int v = lapic_intr_ack(f->l);
    bus_write(&f->mmio, LAPIC + 0xB0, 0, 4);
    return v;
}

static void test_identification_and_reset_state(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(reg(f, 1), 0x00170020);
    for (uint8_t pin = 0; pin < 24; pin++) {
        assert_int_equal(reg(f, (uint8_t)(0x10 + 2 * pin)), MASKED);
        assert_int_equal(reg(f, (uint8_t)(0x11 + 2 * pin)), 0);
    }
    set(f, 0, 0x0A000000);
    assert_int_equal(reg(f, 0), 0x0A000000);
}

static void test_read_only_bits_of_an_entry_stay_clear(void **state)
{
    struct fixture *f = *state;
    set(f, 0x10, 0xFFFFFFFF);
    assert_int_equal(reg(f, 0x10), 0x0001AFFF); /* not delivery status, not remote IRR */
}

static void test_edge_pin_sends_one_message_per_request(void **state)
{
    struct fixture *f = *state;
    set(f, 0x14, 0x31);
    ioapic_set_irq(f->io, 2, 1);
    assert_int_equal(f->intr, 1);
    assert_int_equal(take(f), 0x31);
    ioapic_set_irq(f->io, 2, 1); /* raised again while high: another request */
    assert_int_equal(take(f), 0x31);
    ioapic_set_irq(f->io, 2, 0);
    assert_int_equal(f->intr, 0);
}

static void test_requests_on_a_masked_edge_pin_are_lost(void **state)
{
    struct fixture *f = *state;
    set(f, 0x14, MASKED | 0x31);
    ioapic_set_irq(f->io, 2, 1);
    set(f, 0x14, 0x31);
    assert_int_equal(f->intr, 0);
}

static void test_level_pin_holds_remote_irr_until_eoi_and_resends_while_high(void **state)
{
    struct fixture *f = *state;
    set(f, 0x18, LEVEL | 0x44);
    ioapic_set_irq(f->io, 4, 1);
    assert_int_equal(reg(f, 0x18) & REMOTE_IRR, REMOTE_IRR);
    assert_int_equal(lapic_intr_ack(f->l), 0x44);
    bus_write(&f->mmio, LAPIC + 0xB0, 0, 4); /* EOI broadcast: still high -> again */
    assert_int_equal(reg(f, 0x18) & REMOTE_IRR, REMOTE_IRR);
    assert_int_equal(lapic_intr_ack(f->l), 0x44);
    ioapic_set_irq(f->io, 4, 0);
    bus_write(&f->mmio, LAPIC + 0xB0, 0, 4);
    assert_int_equal(reg(f, 0x18) & REMOTE_IRR, 0);
    assert_int_equal(f->intr, 0);
}

static void test_eoi_register_clears_remote_irr_of_matching_vector(void **state)
{
    struct fixture *f = *state;
    set(f, 0x18, LEVEL | 0x44);
    ioapic_set_irq(f->io, 4, 1);
    ioapic_set_irq(f->io, 4, 0);
    bus_write(&f->mmio, IOAPIC_BASE + 0x40, 0x43, 4);
    assert_int_equal(reg(f, 0x18) & REMOTE_IRR, REMOTE_IRR);
    bus_write(&f->mmio, IOAPIC_BASE + 0x40, 0x44, 4);
    assert_int_equal(reg(f, 0x18) & REMOTE_IRR, 0);
}

static void test_unmasking_an_asserted_level_pin_delivers(void **state)
{
    struct fixture *f = *state;
    set(f, 0x20, MASKED | LEVEL | 0x55);
    ioapic_set_irq(f->io, 8, 1);
    assert_int_equal(f->intr, 0);
    set(f, 0x20, LEVEL | 0x55);
    assert_int_equal(take(f), 0x55);
}

static void test_destination_must_name_the_apic(void **state)
{
    struct fixture *f = *state;
    set(f, 0x15, 0x01000000); /* physical APIC 1: nobody */
    set(f, 0x14, 0x31);
    ioapic_set_irq(f->io, 2, 1);
    assert_int_equal(f->intr, 0);
    bus_write(&f->mmio, LAPIC + 0xD0, 0x02000000, 4); /* logical ID 2 (flat) */
    set(f, 0x15, 0x02000000);
    set(f, 0x14, (1u << 11) | 0x31);
    ioapic_set_irq(f->io, 2, 1);
    assert_int_equal(take(f), 0x31);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_identification_and_reset_state),
        T(test_read_only_bits_of_an_entry_stay_clear),
        T(test_edge_pin_sends_one_message_per_request),
        T(test_requests_on_a_masked_edge_pin_are_lost),
        T(test_level_pin_holds_remote_irr_until_eoi_and_resends_while_high),
        T(test_eoi_register_clears_remote_irr_of_matching_vector),
        T(test_unmasking_an_asserted_level_pin_delivers),
        T(test_destination_must_name_the_apic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
