/* The 8254 against its datasheet: modes 0-3 output waveforms and counts,
 * LSB/MSB/word access, BCD, counter latch, read-back status, the gate of
 * channel 2 and port 0x61. Time is a fake instruction counter (1 ns each). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dev/pit.h"
#include "machine/bus.h"
#include "machine/vclock.h"

struct fixture {
    uint64_t icount;
    struct vclock clock;
    struct pit *pit;
    struct bus io;
    int level, rises;
};

static void on_irq0(void *c, int pin, int level)
{
    struct fixture *f = c;
    (void)pin;
    if (level && !f->level) f->rises++;
    f->level = level;
}

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof(*f));
    vclock_init(&f->clock, &f->icount);
    f->pit = pit_new(&f->clock, (struct irq_line){on_irq0, f, 0});
    bus_init(&f->io);
    bus_register(&f->io, PIT_BASE, PIT_NPORTS, pit_ops(), f->pit, "pit");
    bus_register(&f->io, PIT_PORT_B, 1, pit_port_b_ops(), f->pit, "portb");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    pit_free(f->pit);
    test_free(f);
    return 0;
}

static void out(struct fixture *f, uint16_t port, uint8_t v)
{
    bus_write(&f->io, port, v, 1);
}

static uint8_t in(struct fixture *f, uint16_t port)
{
    return (uint8_t)bus_read(&f->io, port, 1);
}

/* Virtual ns at which `ticks` PIT clocks have passed since t0. */
static uint64_t at_ticks(uint64_t t0, double ticks)
{
    return t0 + (uint64_t)ceil(ticks * 1e9 / (double)PIT_HZ);
}

/* Moves time to t, firing timers on the way (in 100 ns steps). */
static void run_to(struct fixture *f, uint64_t t)
{
    while (f->icount < t) {
        f->icount = f->icount + 100 < t ? f->icount + 100 : t;
        vclock_run_due(&f->clock);
    }
}

static void program(struct fixture *f, unsigned ch, uint8_t cw, uint16_t count)
{
    out(f, 0x43, (uint8_t)(ch << 6 | cw));
    out(f, (uint16_t)(0x40 + ch), (uint8_t)count);
    out(f, (uint16_t)(0x40 + ch), (uint8_t)(count >> 8));
}

static uint16_t latched(struct fixture *f, unsigned ch)
{
    out(f, 0x43, (uint8_t)(ch << 6));
    uint16_t lo = in(f, (uint16_t)(0x40 + ch));
    return (uint16_t)(lo | in(f, (uint16_t)(0x40 + ch)) << 8);
}

static uint8_t status(struct fixture *f, unsigned ch)
{
    out(f, 0x43, (uint8_t)(0xE0 | 2u << ch));
    return in(f, (uint16_t)(0x40 + ch));
}

static void test_mode2_rate_generator_pulses_every_count(void **state)
{
    struct fixture *f = *state;
    program(f, 0, 0x34, 1000);
    int before = f->rises;
    uint64_t t0 = f->icount;
    run_to(f, at_ticks(t0, 10500));
    assert_int_equal(f->rises - before, 10);
    assert_int_equal(latched(f, 0), 500);
}

static void test_mode0_output_rises_at_terminal_count_and_counter_wraps(void **state)
{
    struct fixture *f = *state;
    program(f, 0, 0x30, 100);
    assert_int_equal(f->level, 0);
    uint64_t t0 = f->icount;
    run_to(f, at_ticks(t0, 99.5));
    assert_int_equal(f->level, 0);
    assert_int_equal(latched(f, 0), 1);
    run_to(f, at_ticks(t0, 100));
    assert_int_equal(f->level, 1);
    run_to(f, at_ticks(t0, 110));
    assert_int_equal(latched(f, 0), 0xFFF6);
    assert_int_equal(status(f, 0), 0x80 | 0x30);
}

static void test_latch_holds_the_value_until_read(void **state)
{
    struct fixture *f = *state;
    program(f, 0, 0x34, 5000);
    uint64_t t0 = f->icount;
    run_to(f, at_ticks(t0, 1000));
    out(f, 0x43, 0x00);
    run_to(f, at_ticks(t0, 3000));
    out(f, 0x43, 0x00);        /* ignored: the first latch is still unread */
    uint16_t lo = in(f, 0x40); /* LSB first: two statements, not one expression */
    uint16_t v = (uint16_t)(lo | in(f, 0x40) << 8);
    assert_int_equal(v, 4000);
}

static void test_readback_status_shows_null_count_until_loaded(void **state)
{
    struct fixture *f = *state;
    out(f, 0x43, 0xB5); /* channel 2, word, mode 2, BCD */
    assert_int_equal(status(f, 2), 0x80 | 0x40 | 0x35);
    out(f, 0x42, 0x00);
    assert_int_equal(status(f, 2) & 0x40, 0x40); /* only half the count written */
    out(f, 0x42, 0x10);
    assert_int_equal(status(f, 2) & 0x7F, 0x35);
}

static void test_lsb_only_and_msb_only_access(void **state)
{
    struct fixture *f = *state;
    out(f, 0x43, 0x90); /* channel 2, LSB only, mode 0; gate 2 is low: frozen */
    out(f, 0x42, 0x34);
    out(f, 0x43, 0x80);
    assert_int_equal(in(f, 0x42), 0x34);
    out(f, 0x43, 0xA0); /* MSB only */
    out(f, 0x42, 0x12);
    out(f, 0x43, 0x80);
    assert_int_equal(in(f, 0x42), 0x12); /* reads the MSB of 0x1200 */
}

static void test_bcd_counting(void **state)
{
    struct fixture *f = *state;
    program(f, 0, 0x31, 0x1000); /* BCD 1000 */
    uint64_t t0 = f->icount;
    run_to(f, at_ticks(t0, 10));
    assert_int_equal(latched(f, 0), 0x0990);
}

static void test_mode3_square_wave_halves_and_counts_by_two(void **state)
{
    struct fixture *f = *state;
    program(f, 0, 0x36, 10);
    uint64_t t0 = f->icount;
    run_to(f, at_ticks(t0, 4.5));
    assert_int_equal(f->level, 1);
    assert_int_equal(latched(f, 0), 2);
    run_to(f, at_ticks(t0, 5.5));
    assert_int_equal(f->level, 0);
    run_to(f, at_ticks(t0, 10.5));
    assert_int_equal(f->level, 1);
}

static void test_channel2_gate_and_port_b(void **state)
{
    struct fixture *f = *state;
    program(f, 2, 0x30, 100); /* mode 0 with the gate low: held */
    uint64_t t0 = f->icount;
    run_to(f, at_ticks(t0, 500));
    assert_int_equal(latched(f, 2), 100);
    assert_int_equal(in(f, 0x61) & 0x20, 0);
    out(f, 0x61, 0x03); /* gate high, speaker on */
    t0 = f->icount;
    run_to(f, at_ticks(t0, 100));
    uint8_t a = in(f, 0x61), b = in(f, 0x61);
    assert_int_equal(a & 0x23, 0x23);
    assert_int_equal((a ^ b) & 0x10, 0x10); /* refresh toggles on every read */
}

static void test_mode1_one_shot_starts_on_the_gate_edge(void **state)
{
    struct fixture *f = *state;
    program(f, 2, 0x32, 50);
    assert_int_equal(status(f, 2) & 0x80, 0x80);
    out(f, 0x61, 0x01);
    uint64_t t0 = f->icount;
    run_to(f, at_ticks(t0, 20));
    assert_int_equal(status(f, 2) & 0x80, 0);
    assert_int_equal(latched(f, 2), 30);
    run_to(f, at_ticks(t0, 50));
    assert_int_equal(status(f, 2) & 0x80, 0x80);
}

static void test_mode4_strobe_pulses_once_at_terminal_count(void **state)
{
    struct fixture *f = *state;
    program(f, 0, 0x38, 40);
    int before = f->rises;
    uint64_t t0 = f->icount;
    run_to(f, at_ticks(t0, 40.5));
    assert_int_equal(f->level, 0); /* the one low clock */
    run_to(f, at_ticks(t0, 200));
    assert_int_equal(f->level, 1);
    assert_int_equal(f->rises - before, 1);
}

static void test_mode5_strobe_waits_for_the_gate(void **state)
{
    struct fixture *f = *state;
    program(f, 2, 0x3A, 30);
    uint64_t t0 = f->icount;
    run_to(f, at_ticks(t0, 100));
    assert_int_equal(latched(f, 2), 30); /* no trigger yet */
    out(f, 0x61, 0x01);
    t0 = f->icount;
    run_to(f, at_ticks(t0, 30.5));
    assert_int_equal(status(f, 2) & 0x80, 0);
    run_to(f, at_ticks(t0, 31.5));
    assert_int_equal(status(f, 2) & 0x80, 0x80);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_mode2_rate_generator_pulses_every_count),
        T(test_mode0_output_rises_at_terminal_count_and_counter_wraps),
        T(test_latch_holds_the_value_until_read),
        T(test_readback_status_shows_null_count_until_loaded),
        T(test_lsb_only_and_msb_only_access),
        T(test_bcd_counting),
        T(test_mode3_square_wave_halves_and_counts_by_two),
        T(test_channel2_gate_and_port_b),
        T(test_mode1_one_shot_starts_on_the_gate_edge),
        T(test_mode4_strobe_pulses_once_at_terminal_count),
        T(test_mode5_strobe_waits_for_the_gate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
