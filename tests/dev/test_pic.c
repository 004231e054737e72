/* The 8259A pair against the Intel 8259A datasheet: initialisation, INTA
 * vectors, ISR/IRR, EOI forms, IMR, edge and level (ELCR) inputs, the
 * cascade, auto-EOI, spurious IRQ 7, poll, rotation, special mask. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "apic/pic.h"
#include "machine/bus.h"

struct fixture {
    struct pic *pic;
    struct bus io;
    int intr; // level of the INT output
};

static void on_intr(void *opaque, int pin, int level)
{
    struct fixture *f = opaque;
    (void)pin;
    f->intr = level;
}

static void out(struct fixture *f, uint16_t port, uint8_t v)
{
    bus_write(&f->io, port, v, 1);
}

static uint8_t in(struct fixture *f, uint16_t port)
{
    return (uint8_t)bus_read(&f->io, port, 1);
}

/* Both chips initialised: vectors 0x20/0x28, cascade on IRQ 2, ICW4 `icw4`,
 * everything unmasked. */
static void init_pair(struct fixture *f, uint8_t icw4)
{
    static const uint16_t cmd[2] = {0x20, 0xA0};
    static const uint8_t base[2] = {0x20, 0x28}, icw3[2] = {0x04, 0x02};
    for (int i = 0; i < 2; i++) {
        out(f, cmd[i], 0x11);
        out(f, cmd[i] + 1, base[i]);
        out(f, cmd[i] + 1, icw3[i]);
        out(f, cmd[i] + 1, icw4);
        out(f, cmd[i] + 1, 0x00);
    }
}

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof(*f));
    f->pic = pic_new((struct irq_line){on_intr, f, 0});
    bus_init(&f->io);
    bus_register(&f->io, 0x20, 2, pic_master_ops(), f->pic, "m");
    bus_register(&f->io, 0xA0, 2, pic_slave_ops(), f->pic, "s");
    bus_register(&f->io, 0x4D0, 2, pic_elcr_ops(), f->pic, "elcr");
    init_pair(f, 0x01);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    pic_free(f->pic);
    test_free(f);
    return 0;
}

static uint8_t isr(struct fixture *f, uint16_t cmd)
{
    out(f, cmd, 0x0B);
    return in(f, cmd);
}

static uint8_t irr(struct fixture *f, uint16_t cmd)
{
    out(f, cmd, 0x0A);
    return in(f, cmd);
}

static void edge(struct fixture *f, int irq)
{
    pic_set_irq(f->pic, irq, 1);
    pic_set_irq(f->pic, irq, 0);
}

static void test_edge_request_raises_int_and_inta_returns_base_plus_irq(void **state)
{
    struct fixture *f = *state;
    edge(f, 3);
    assert_int_equal(f->intr, 1);
    assert_int_equal(irr(f, 0x20), 0x08);
    assert_int_equal(pic_intack(f->pic), 0x23);
    assert_int_equal(isr(f, 0x20), 0x08);
    assert_int_equal(irr(f, 0x20), 0x00); /* an edge request leaves IRR at INTA */
    assert_int_equal(f->intr, 0);
}

static void test_higher_priority_interrupts_in_service_lower_waits(void **state)
{
    struct fixture *f = *state;
    edge(f, 5);
    assert_int_equal(pic_intack(f->pic), 0x25);
    edge(f, 6); /* lower priority than IRQ 5 in service */
    assert_int_equal(f->intr, 0);
    edge(f, 1); /* higher */
    assert_int_equal(f->intr, 1);
    assert_int_equal(pic_intack(f->pic), 0x21);
    out(f, 0x20, 0x20); /* non-specific EOI: the highest in service (IRQ 1) */
    assert_int_equal(isr(f, 0x20), 0x20);
    out(f, 0x20, 0x65); /* specific EOI, IRQ 5 */
    assert_int_equal(isr(f, 0x20), 0x00);
    assert_int_equal(f->intr, 1); /* IRQ 6 now */
    assert_int_equal(pic_intack(f->pic), 0x26);
}

static void test_imr_masks_delivery_but_irr_latches(void **state)
{
    struct fixture *f = *state;
    out(f, 0x21, 0x01);
    edge(f, 0);
    assert_int_equal(f->intr, 0);
    assert_int_equal(irr(f, 0x20), 0x01);
    out(f, 0x21, 0x00);
    assert_int_equal(f->intr, 1);
    assert_int_equal(in(f, 0x21), 0x00);
}

static void test_level_mode_irr_follows_the_line(void **state)
{
    struct fixture *f = *state;
    out(f, 0x4D1, 0xFF);
    assert_int_equal(in(f, 0x4D1), 0xDE); /* IRQ 8 and 13 are edge only */
    out(f, 0x4D0, 0xFF);
    assert_int_equal(in(f, 0x4D0), 0xF8); /* IRQ 0-2 are edge only */
    pic_set_irq(f->pic, 4, 1);
    assert_int_equal(pic_intack(f->pic), 0x24);
    assert_int_equal(irr(f, 0x20) & 0x10, 0x10); /* still asserted: stays in IRR */
    pic_set_irq(f->pic, 4, 0);
    assert_int_equal(irr(f, 0x20) & 0x10, 0);
}

static void test_cascade_slave_request_goes_through_master_irq2(void **state)
{
    struct fixture *f = *state;
    edge(f, 10);
    assert_int_equal(f->intr, 1);
    assert_int_equal(pic_intack(f->pic), 0x2A);
    assert_int_equal(isr(f, 0xA0), 0x04);
    assert_int_equal(isr(f, 0x20), 0x04);
    assert_int_equal(pic_last_irq(f->pic), 10);
}

static void test_spurious_inta_returns_irq7_without_isr(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(pic_intack(f->pic), 0x27);
    assert_int_equal(isr(f, 0x20), 0x00);
    assert_int_equal(pic_last_irq(f->pic), -1);
}

static void test_auto_eoi_leaves_isr_clear(void **state)
{
    struct fixture *f = *state;
    init_pair(f, 0x03);
    edge(f, 2 + 1);
    assert_int_equal(pic_intack(f->pic), 0x23);
    assert_int_equal(isr(f, 0x20), 0x00);
}

static void test_poll_command_acknowledges_without_inta(void **state)
{
    struct fixture *f = *state;
    out(f, 0x20, 0x0C);
    assert_int_equal(in(f, 0x20), 0x00); /* nothing pending */
    edge(f, 6);
    out(f, 0x20, 0x0C);
    assert_int_equal(in(f, 0x20), 0x86);
    assert_int_equal(isr(f, 0x20), 0x40);
}

static void test_rotation_makes_the_serviced_irq_lowest(void **state)
{
    struct fixture *f = *state;
    edge(f, 3);
    assert_int_equal(pic_intack(f->pic), 0x23);
    out(f, 0x20, 0xA0); /* rotate on non-specific EOI: IRQ 4 now highest */
    edge(f, 1);
    edge(f, 5);
    assert_int_equal(pic_intack(f->pic), 0x25);
    out(f, 0x20, 0xC7); /* set priority: IRQ 7 lowest, IRQ 0 highest again */
    out(f, 0x20, 0x20);
    assert_int_equal(pic_intack(f->pic), 0x21);
}

static void test_special_mask_mode_lets_lower_irqs_through(void **state)
{
    struct fixture *f = *state;
    edge(f, 2 + 2);
    assert_int_equal(pic_intack(f->pic), 0x24);
    out(f, 0x21, 0x10); /* mask the one in service */
    out(f, 0x20, 0x68); /* OCW3: set special mask mode */
    edge(f, 6);
    assert_int_equal(f->intr, 1);
    assert_int_equal(pic_intack(f->pic), 0x26);
}

static void test_icw1_clears_imr_isr_and_latched_edges(void **state)
{
    struct fixture *f = *state;
    out(f, 0x21, 0xF0);
    edge(f, 1);
    assert_int_equal(pic_intack(f->pic), 0x21);
    out(f, 0x21, 0xFF);
    edge(f, 2 + 3);
    init_pair(f, 0x01);
    assert_int_equal(in(f, 0x21), 0x00);
    assert_int_equal(isr(f, 0x20), 0x00);
    assert_int_equal(irr(f, 0x20), 0x00);
}

static void test_bios_state_matches_seabios_on_q35(void **state)
{
    struct fixture *f = *state;
    pic_bios_init(f->pic);
    assert_int_equal(in(f, 0x21), 0xB8);
    assert_int_equal(in(f, 0xA1), 0x8E);
    assert_int_equal(in(f, 0x4D1), 0x0C);
    edge(f, 0);
    assert_int_equal(pic_intack(f->pic), 0x08);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_edge_request_raises_int_and_inta_returns_base_plus_irq),
        T(test_higher_priority_interrupts_in_service_lower_waits),
        T(test_imr_masks_delivery_but_irr_latches),
        T(test_level_mode_irr_follows_the_line),
        T(test_cascade_slave_request_goes_through_master_irq2),
        T(test_spurious_inta_returns_irq7_without_isr),
        T(test_auto_eoi_leaves_isr_clear),
        T(test_poll_command_acknowledges_without_inta),
        T(test_rotation_makes_the_serviced_irq_lowest),
        T(test_special_mask_mode_lets_lower_irqs_through),
        T(test_icw1_clears_imr_isr_and_latched_edges),
        T(test_bios_state_matches_seabios_on_q35),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
