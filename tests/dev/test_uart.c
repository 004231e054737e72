/* The 16550A against the PC16550D datasheet: reset values, divisor latch,
 * scratch, FIFO and trigger levels, interrupt identification and priority,
 * character timeout, overrun, loopback, the IRQ line; and the receive space
 * the host input is throttled by. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dev/uart.h"
#include "machine/bus.h"
#include "machine/vclock.h"

struct fixture {
    uint64_t icount;
    struct vclock clock;
    struct uart *u;
    struct bus io;
    int level;
    char out[64];
    size_t nout;
};

static void on_irq(void *c, int pin, int level)
{
    (void)pin;
    ((struct fixture *)c)->level = level;
}

static void sink(void *c, const uint8_t *buf, size_t len)
{
    struct fixture *f = c;
    memcpy(f->out + f->nout, buf, len);
    f->nout += len;
}

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof(*f));
    vclock_init(&f->clock, &f->icount);
    f->u = uart_new((struct char_sink){sink, f}, (struct irq_line){on_irq, f, 0}, &f->clock);
    bus_init(&f->io);
    bus_register(&f->io, UART_COM1_BASE, UART_NREGS, uart_ops(), f->u, "uart");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    uart_free(f->u);
    test_free(f);
    return 0;
}

static uint8_t rd(struct fixture *f, unsigned r)
{
    return (uint8_t)bus_read(&f->io, UART_COM1_BASE + r, 1);
}

static void wr(struct fixture *f, unsigned r, uint8_t v)
{
    bus_write(&f->io, UART_COM1_BASE + r, v, 1);
}

static void rx(struct fixture *f, const char *s)
{
    uart_receive(f->u, (const uint8_t *)s, strlen(s));
}

static void test_reset_values_and_divisor_latch(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(rd(f, 1), 0x00);
    assert_int_equal(rd(f, 2), 0x01);
    assert_int_equal(rd(f, 4), 0x08);
    assert_int_equal(rd(f, 5), 0x60);
    assert_int_equal(rd(f, 6), 0xB0);
    wr(f, 3, 0x80);
    assert_int_equal(rd(f, 0), 0x0C); /* 9600 baud */
    assert_int_equal(rd(f, 1), 0x00);
    wr(f, 0, 0x01);
    wr(f, 3, 0x03);
    wr(f, 7, 0xA5);
    assert_int_equal(rd(f, 7), 0xA5);
    wr(f, 0, 'x');
    assert_int_equal(f->nout, 1);
    assert_int_equal(f->out[0], 'x');
}

static void test_receive_without_fifo_sets_dr_and_overruns(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(uart_rx_space(f->u), 1);
    rx(f, "a");
    assert_int_equal(uart_rx_space(f->u), 0);
    assert_int_equal(rd(f, 5) & 0x01, 0x01);
    rx(f, "b");
    assert_int_equal(rd(f, 5) & 0x03, 0x03); /* overrun, then cleared by the read */
    assert_int_equal(rd(f, 5) & 0x02, 0);
    assert_int_equal(rd(f, 0), 'b');
    assert_int_equal(rd(f, 5) & 0x01, 0);
}

static void test_fifo_trigger_level_and_character_timeout(void **state)
{
    struct fixture *f = *state;
    wr(f, 2, 0x81); /* FIFO, trigger level 8 */
    wr(f, 1, 0x01);
    assert_int_equal(rd(f, 2), 0xC1);
    rx(f, "1234567");
    assert_int_equal(rd(f, 2), 0xC1);
    assert_int_equal(f->level, 0);
    rx(f, "8");
    assert_int_equal(rd(f, 2), 0xC4);
    assert_int_equal(f->level, 1);
    rd(f, 0);
    assert_int_equal(rd(f, 2), 0xC1);   /* 7 left: below the trigger */
    f->icount += 4 * 1041666ULL + 1000; /* four characters at 9600 baud, 8N1 */
    vclock_run_due(&f->clock);
    assert_int_equal(rd(f, 2), 0xCC);
    for (int i = 0; i < 7; i++)
        assert_int_equal(rd(f, 0), '2' + i);
    assert_int_equal(rd(f, 2), 0xC1);
    assert_int_equal(f->level, 0);
    assert_int_equal(uart_rx_space(f->u), UART_FIFO_SIZE);
}

static void test_interrupt_priority_line_status_over_data_over_thre(void **state)
{
    struct fixture *f = *state;
    wr(f, 1, 0x07);
    assert_int_equal(rd(f, 2), 0x02); /* THRE raised when enabled */
    assert_int_equal(rd(f, 2), 0x01); /* reading IIR cleared it */
    rx(f, "a");
    rx(f, "b"); /* overrun */
    assert_int_equal(rd(f, 2), 0x06);
    rd(f, 5);
    assert_int_equal(rd(f, 2), 0x04);
    rd(f, 0);
    wr(f, 0, 'z');
    assert_int_equal(rd(f, 2), 0x02);
}

static void test_loopback_returns_data_and_modem_lines(void **state)
{
    struct fixture *f = *state;
    wr(f, 4, 0x10 | 0x01 | 0x08);
    assert_int_equal(rd(f, 6), 0xA0);         /* DTR -> DSR, OUT2 -> DCD */
    assert_int_equal(uart_rx_space(f->u), 0); /* host input held off */
    wr(f, 0, 'q');
    assert_int_equal(f->nout, 0);
    assert_int_equal(rd(f, 0), 'q');
}

static void test_irq_line_follows_the_enabled_sources(void **state)
{
    struct fixture *f = *state;
    rx(f, "a");
    assert_int_equal(f->level, 0);
    wr(f, 1, 0x01);
    assert_int_equal(f->level, 1);
    rd(f, 0);
    assert_int_equal(f->level, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_reset_values_and_divisor_latch),
        T(test_receive_without_fifo_sets_dr_and_overruns),
        T(test_fifo_trigger_level_and_character_timeout),
        T(test_interrupt_priority_line_status_over_data_over_thre),
        T(test_loopback_returns_data_and_modem_lines),
        T(test_irq_line_follows_the_enabled_sources),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
