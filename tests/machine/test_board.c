/* The board's pieces on their own: the bus (claiming, lookup, all-ones for
 * unclaimed addresses), the virtual clock's event order, isa-debug-exit and
 * ACPI poweroff statuses, and the UART's transmit path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dev/sysctl.h"
#include "dev/uart.h"
#include "machine/bus.h"
#include "machine/vclock.h"

struct recorder {
    uint64_t last_off, last_val;
    unsigned last_size, reads, writes;
};

static uint64_t rec_read(void *opaque, uint64_t off, unsigned size)
{
    struct recorder *r = opaque;
    r->reads++;
    r->last_off = off;
    r->last_size = size;
    return 0x1122334455667788ULL;
}

static void rec_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct recorder *r = opaque;
    r->writes++;
    r->last_off = off;
    r->last_val = v;
    r->last_size = size;
}

static const struct bus_ops rec_ops = {rec_read, rec_write};

static void test_unclaimed_port_reads_all_ones_of_access_size(void **state)
{
    (void)state;
    struct bus b;
    bus_init(&b);
    assert_int_equal(bus_read(&b, 0x80, 1), 0xff);
    assert_int_equal(bus_read(&b, 0x80, 2), 0xffff);
    assert_int_equal(bus_read(&b, 0x80, 4), 0xffffffffu);
    bus_write(&b, 0x80, 1, 1); /* dropped, no crash */
}

static void test_device_sees_offset_size_and_masked_value(void **state)
{
    (void)state;
    struct bus b;
    struct recorder r = {0};
    bus_init(&b);
    assert_int_equal(bus_register(&b, 0x3F8, 8, &rec_ops, &r, "rec"), 0);
    assert_int_equal(bus_read(&b, 0x3FA, 1), 0x88); /* truncated to the access size */
    assert_int_equal(r.last_off, 2);
    assert_int_equal(r.last_size, 1);
    bus_write(&b, 0x3FF, 0x1234, 1);
    assert_int_equal(r.last_off, 7);
    assert_int_equal(r.last_val, 0x34);
    assert_int_equal(bus_read(&b, 0x400, 1), 0xff); /* just past the range */
    assert_int_equal(r.reads, 1);
}

static void test_overlapping_registration_is_refused(void **state)
{
    (void)state;
    struct bus b;
    struct recorder r = {0};
    bus_init(&b);
    assert_int_equal(bus_register(&b, 0x60, 5, &rec_ops, &r, "a"), 0);
    assert_int_equal(bus_register(&b, 0x64, 1, &rec_ops, &r, "b"), -1);
    assert_int_equal(bus_register(&b, 0x50, 0x11, &rec_ops, &r, "c"), -1);
    assert_int_equal(bus_register(&b, 0x65, 1, &rec_ops, &r, "d"), 0);
    assert_non_null(bus_find(&b, 0x65));
    assert_string_equal(bus_find(&b, 0x62)->name, "a");
    assert_null(bus_find(&b, 0x66));
}

struct stop_rec {
    enum sysctl_event ev;
    int status, calls;
};

static void on_stop(void *ctx, enum sysctl_event ev, int status)
{
    struct stop_rec *s = ctx;
    s->ev = ev;
    s->status = status;
    s->calls++;
}

static void test_debug_exit_status_is_value_shifted_or_one(void **state)
{
    (void)state;
    struct stop_rec s = {0};
    struct sysctl_sink sink = {on_stop, &s};
    struct bus b;
    bus_init(&b);
    bus_register(&b, DEBUG_EXIT_PORT, DEBUG_EXIT_SIZE, debug_exit_ops(), &sink, "exit");
    bus_write(&b, DEBUG_EXIT_PORT, 0, 1);
    assert_int_equal(s.status, 1);
    bus_write(&b, DEBUG_EXIT_PORT, 0x21, 4);
    assert_int_equal(s.status, 0x43);
    assert_int_equal(s.ev, SYSCTL_DEBUG_EXIT);
    bus_write(&b, DEBUG_EXIT_PORT, 0x80, 1); /* (0x80 << 1) | 1 = 0x101: status byte 1 */
    assert_int_equal(s.status, 1);
}

static void test_acpi_poweroff_needs_slp_en_with_type_zero(void **state)
{
    (void)state;
    struct stop_rec s = {0};
    struct sysctl_sink sink = {on_stop, &s};
    struct bus b;
    bus_init(&b);
    bus_register(&b, ACPI_PM1A_CNT_PORT, ACPI_PM1A_CNT_SIZE, acpi_pm_ops(), &sink, "pm");
    bus_write(&b, ACPI_PM1A_CNT_PORT, 0x1C00, 2); /* sleep type 7 without SLP_EN */
    bus_write(&b, ACPI_PM1A_CNT_PORT, 0x2400, 2); /* SLP_EN with sleep type 1 */
    assert_int_equal(s.calls, 0);
    bus_write(&b, ACPI_PM1A_CNT_PORT, 0x2000, 2);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.ev, SYSCTL_POWEROFF);
    assert_int_equal(s.status, 0);
}

struct sink_buf {
    char data[64];
    size_t len;
};

static void sink_write(void *ctx, const uint8_t *buf, size_t len)
{
    struct sink_buf *s = ctx;
    memcpy(s->data + s->len, buf, len);
    s->len += len;
}

static void test_uart_transmits_thr_writes_and_reports_thr_empty(void **state)
{
    (void)state;
    struct sink_buf out = {{0}, 0};
    uint64_t icount = 0;
    struct vclock clock;
    vclock_init(&clock, &icount);
    struct uart *u =
        uart_new((struct char_sink){sink_write, &out}, (struct irq_line){0}, &clock);
    struct bus b;
    bus_init(&b);
    bus_register(&b, UART_COM1_BASE, UART_NREGS, uart_ops(), u, "uart");
    assert_int_equal(bus_read(&b, UART_COM1_BASE + 5, 1) & 0x60, 0x60); /* THRE, TEMT */
    bus_write(&b, UART_COM1_BASE, 'h', 1);
    bus_write(&b, UART_COM1_BASE, 'i', 1);
    bus_write(&b, UART_COM1_BASE + 3, 0x80, 1); /* DLAB: port 0 is now the divisor */
    bus_write(&b, UART_COM1_BASE, 0x0C, 1);
    assert_int_equal(bus_read(&b, UART_COM1_BASE, 1), 0x0C);
    bus_write(&b, UART_COM1_BASE + 3, 0x03, 1);
    bus_write(&b, UART_COM1_BASE + 7, 0x5A, 1); /* scratch */
    assert_int_equal(bus_read(&b, UART_COM1_BASE + 7, 1), 0x5A);
    assert_int_equal(out.len, 2);
    assert_memory_equal(out.data, "hi", 2);
    uart_free(u);
}

struct fired {
    int order[8];
    int n;
};

struct tctx {
    struct fired *f;
    int id;
    struct vtimer *rearm;
    uint64_t rearm_at;
};

static void on_timer(void *opaque)
{
    struct tctx *t = opaque;
    t->f->order[t->f->n++] = t->id;
    if (t->rearm) {
        struct vtimer *again = t->rearm;
        t->rearm = NULL; /* once */
        vtimer_arm(again, t->rearm_at);
    }
}

static void test_vclock_fires_due_timers_in_deadline_then_arming_order(void **state)
{
    (void)state;
    uint64_t icount = 0;
    struct vclock c;
    vclock_init(&c, &icount);
    struct fired f = {{0}, 0};
    struct vtimer t[4];
    struct tctx ctx[4] = {{&f, 0, NULL, 0}, {&f, 1, NULL, 0}, {&f, 2, NULL, 0}, {&f, 3, NULL, 0}};
    for (int i = 0; i < 4; i++)
        vtimer_init(&t[i], &c, on_timer, &ctx[i]);
    vtimer_arm(&t[0], 300);
    vtimer_arm(&t[1], 100);
    vtimer_arm(&t[2], 100); /* same deadline, armed later: fires after t1 */
    vtimer_arm(&t[3], 1000);
    ctx[1].rearm = &t[1];
    ctx[1].rearm_at = 250;
    assert_int_equal(vclock_next_deadline(&c), 100);
    icount = 299;
    vclock_run_due(&c);
    assert_int_equal(f.n, 3);
    assert_int_equal(f.order[0], 1);
    assert_int_equal(f.order[1], 2);
    assert_int_equal(f.order[2], 1); /* re-armed at 250, still due */
    vtimer_cancel(&t[0]);
    vclock_skip_to(&c, 999);
    assert_int_equal(vclock_now(&c), 999);
    vclock_run_due(&c);
    assert_int_equal(f.n, 3);
    icount = 300; /* 300 insns + 700 skipped ns */
    vclock_run_due(&c);
    assert_int_equal(f.n, 4);
    assert_int_equal(f.order[3], 3);
    assert_int_equal(vclock_next_deadline(&c), VCLOCK_NEVER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unclaimed_port_reads_all_ones_of_access_size),
        cmocka_unit_test(test_device_sees_offset_size_and_masked_value),
        cmocka_unit_test(test_overlapping_registration_is_refused),
        cmocka_unit_test(test_debug_exit_status_is_value_shifted_or_one),
        cmocka_unit_test(test_acpi_poweroff_needs_slp_en_with_type_zero),
        cmocka_unit_test(test_uart_transmits_thr_writes_and_reports_thr_empty),
        cmocka_unit_test(test_vclock_fires_due_timers_in_deadline_then_arming_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
