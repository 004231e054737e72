/* The machine with all its devices: a halted CPU that nothing can wake
 * stops the run (status 8) instead of spinning through virtual time; one
 * that an alarm 10 s away will wake is not given up on, and costs no wall
 * time; an NMI routed by the I/O APIC wakes HLT with IF=0; and every
 * device kernel of tests/kernels/dev sees every interrupt at the same
 * instruction count when run twice (DESIGN.md §1, Determinism). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emu/emu.h"
#include "emu/hooks.h"

#define NS_PER_SEC 1000000000ULL
#define MAX_EVENTS 100000

struct record {
    uint64_t icount, time_ns;
    uint8_t vector;
    int source, pin;
};

struct trace {
    struct record *r;
    size_t n;
};

static void discard(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
}

static void on_interrupt(void *ctx, const emu_event *ev)
{
    struct trace *t = ctx;
    if (t->n < MAX_EVENTS)
        t->r[t->n++] = (struct record){ev->icount, ev->time_ns, ev->u.intr.vector,
                                       (int)ev->u.intr.source, ev->u.intr.pin};
}

static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return buf;
}

/* Boots the image named by env var `var` and runs it to the end. */
static emu_run_result run_image(const char *var, struct trace *t)
{
    size_t size = 0;
    uint8_t *image = slurp(getenv(var), &size);
    if (!image) {
        fprintf(stderr, "%s: cannot read the image\n", var);
        fail();
    }
    emu_config cfg = {.serial_out = discard, .max_insns = 4000000000ULL};
    emu_machine *m;
    assert_int_equal(emu_machine_create(&cfg, &m), EMU_OK);
    assert_int_equal(emu_machine_load_multiboot(m, var, image, size, NULL, NULL, 0), EMU_OK);
    if (t) emu_hook_add(m, EMU_EV_INTERRUPT, on_interrupt, t);
    emu_run_result r;
    emu_machine_run(m, &r);
    emu_machine_destroy(m);
    free(image);
    return r;
}

static void test_hlt_with_interrupts_off_stops_as_halted(void **state)
{
    (void)state;
    emu_run_result r = run_image("GUEST_HALT_CLI", NULL);
    assert_int_equal(r.reason, EMU_STOP_HALTED);
    assert_int_equal(r.exit_status, 8);
}

static void test_hlt_with_every_line_masked_stops_as_halted(void **state)
{
    (void)state;
    emu_run_result r = run_image("GUEST_HALT_MASKED", NULL);
    assert_int_equal(r.reason, EMU_STOP_HALTED);
}

static void test_hlt_until_an_alarm_ten_seconds_ahead_wakes_on_time(void **state)
{
    (void)state;
    struct trace t = {calloc(MAX_EVENTS, sizeof(struct record)), 0};
    emu_run_result r = run_image("GUEST_RTC_ALARM", &t);
    assert_int_equal(r.reason, EMU_STOP_DEBUG_EXIT);
    assert_int_equal(r.exit_status, (0x10 << 1) | 1); /* the RTC read 00:00:10 */
    assert_int_equal(t.n, 1);
    assert_int_equal(t.r[0].vector, 0x70);
    assert_int_equal(t.r[0].source, EMU_IRQ_PIC);
    assert_int_equal(t.r[0].pin, 8);
    assert_true(t.r[0].time_ns >= 10 * NS_PER_SEC);
    assert_true(r.insns < 1000000); /* the ten seconds were skipped, not executed */
    free(t.r);
}

static void test_nmi_from_the_ioapic_wakes_hlt_with_interrupts_off(void **state)
{
    (void)state;
    struct trace t = {calloc(MAX_EVENTS, sizeof(struct record)), 0};
    emu_run_result r = run_image("GUEST_NMI_WAKE", &t);
    assert_int_equal(r.reason, EMU_STOP_DEBUG_EXIT);
    assert_int_equal(r.exit_status, (0x42 << 1) | 1);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.r[0].vector, 2);
    assert_int_equal(t.r[0].source, EMU_IRQ_NMI);
    free(t.r);
}

/* Single steps through the PIT kernel's start, where it reprograms the PIT
 * (a timer armed ahead of all others): every step retires one instruction. */
static void test_single_steps_make_progress_while_timers_are_rearmed(void **state)
{
    (void)state;
    size_t size = 0;
    uint8_t *image = slurp(getenv("KERNEL_PIT"), &size);
    assert_non_null(image);
    emu_config cfg = {.serial_out = discard};
    emu_machine *m;
    assert_int_equal(emu_machine_create(&cfg, &m), EMU_OK);
    assert_int_equal(emu_machine_load_multiboot(m, "pit", image, size, NULL, NULL, 0), EMU_OK);
    emu_run_result r = {0};
    uint64_t stuck = 0, last = 0;
    for (int i = 0; i < 50000; i++) {
        emu_machine_step(m, 1, &r);
        stuck += r.insns == last;
        last = r.insns;
    }
    assert_int_equal(r.reason, EMU_STOP_STEPPED);
    assert_int_equal(stuck, 0);
    assert_int_equal(r.insns, 50000);
    emu_machine_destroy(m);
    free(image);
}

/* Same kernel twice: identical interrupt sequences, instruction for
 * instruction. */
static void check_deterministic(const char *var, size_t min_events)
{
    struct trace a = {calloc(MAX_EVENTS, sizeof(struct record)), 0};
    struct trace b = {calloc(MAX_EVENTS, sizeof(struct record)), 0};
    emu_run_result ra = run_image(var, &a), rb = run_image(var, &b);
    assert_int_equal(ra.reason, EMU_STOP_DEBUG_EXIT);
    assert_int_equal(ra.insns, rb.insns);
    assert_true(a.n >= min_events);
    assert_int_equal(a.n, b.n);
    for (size_t i = 0; i < a.n; i++) {
        assert_int_equal(a.r[i].icount, b.r[i].icount);
        assert_int_equal(a.r[i].time_ns, b.r[i].time_ns);
        assert_int_equal(a.r[i].vector, b.r[i].vector);
        assert_int_equal(a.r[i].source, b.r[i].source);
    }
    free(a.r);
    free(b.r);
}

static void test_pic_kernel_is_deterministic(void **state)
{
    (void)state;
    check_deterministic("KERNEL_PIC", 15);
}

static void test_lapic_kernel_is_deterministic(void **state)
{
    (void)state;
    check_deterministic("KERNEL_LAPIC", 10);
}

static void test_ioapic_kernel_is_deterministic(void **state)
{
    (void)state;
    check_deterministic("KERNEL_IOAPIC", 12);
}

static void test_rtc_kernel_is_deterministic(void **state)
{
    (void)state;
    check_deterministic("KERNEL_RTC", 15);
}

static void test_pit_kernel_is_deterministic(void **state)
{
    (void)state;
    check_deterministic("KERNEL_PIT", 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hlt_with_interrupts_off_stops_as_halted),
        cmocka_unit_test(test_hlt_with_every_line_masked_stops_as_halted),
        cmocka_unit_test(test_hlt_until_an_alarm_ten_seconds_ahead_wakes_on_time),
        cmocka_unit_test(test_nmi_from_the_ioapic_wakes_hlt_with_interrupts_off),
        cmocka_unit_test(test_single_steps_make_progress_while_timers_are_rearmed),
        cmocka_unit_test(test_pic_kernel_is_deterministic),
        cmocka_unit_test(test_lapic_kernel_is_deterministic),
        cmocka_unit_test(test_ioapic_kernel_is_deterministic),
        cmocka_unit_test(test_rtc_kernel_is_deterministic),
        cmocka_unit_test(test_pit_kernel_is_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
