/* The CMOS RTC against the MC146818A datasheet: time and date from the
 * start epoch, advancing with virtual time, BCD/binary, 12/24 hours, SET,
 * UIP, register C flags and IRQ 8, the alarm, CMOS RAM; the calendar
 * conversion against known dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dev/rtc.h"
#include "machine/bus.h"
#include "machine/vclock.h"

#define SEC 1000000000ULL

struct fixture {
    uint64_t icount;
    struct vclock clock;
    struct rtc *rtc;
    struct bus io;
    int level, raises;
};

static void on_irq(void *c, int pin, int level)
{
    struct fixture *f = c;
    (void)pin;
    f->raises += level;
    f->level = level;
}

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof(*f));
    vclock_init(&f->clock, &f->icount);
    f->rtc = rtc_new(&f->clock, (struct irq_line){on_irq, f, 0}, RTC_DEFAULT_EPOCH);
    bus_init(&f->io);
    bus_register(&f->io, RTC_BASE, RTC_NPORTS, rtc_ops(), f->rtc, "rtc");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    rtc_free(f->rtc);
    test_free(f);
    return 0;
}

static uint8_t rd(struct fixture *f, uint8_t reg)
{
    bus_write(&f->io, RTC_BASE, reg, 1);
    return (uint8_t)bus_read(&f->io, RTC_BASE + 1, 1);
}

static void wr(struct fixture *f, uint8_t reg, uint8_t v)
{
    bus_write(&f->io, RTC_BASE, reg, 1);
    bus_write(&f->io, RTC_BASE + 1, v, 1);
}

static void advance(struct fixture *f, uint64_t ns)
{
    uint64_t end = f->icount + ns;
    while (f->icount < end) {
        uint64_t next = vclock_next_deadline(&f->clock);
        f->icount = next < end ? next : end;
        vclock_run_due(&f->clock);
    }
}

static void test_starts_at_2000_01_01_saturday_in_bcd_24h(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(rd(f, 0x0A) & 0x7F, 0x26);
    assert_int_equal(rd(f, 0x0B), 0x02);
    assert_int_equal(rd(f, 0x0D), 0x80);
    static const uint8_t expect[][2] = {{0, 0x00}, {2, 0x00}, {4, 0x00}, {6, 0x07},
                                        {7, 0x01}, {8, 0x01}, {9, 0x00}, {0x32, 0x20}};
    for (unsigned i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
        assert_int_equal(rd(f, expect[i][0]), expect[i][1]);
}

static void test_time_advances_with_virtual_time(void **state)
{
    struct fixture *f = *state;
    advance(f, 3661 * SEC + SEC / 2); /* 01:01:01.5 */
    assert_int_equal(rd(f, 0x00), 0x01);
    assert_int_equal(rd(f, 0x02), 0x01);
    assert_int_equal(rd(f, 0x04), 0x01);
    wr(f, 0x0B, 0x06); /* binary */
    advance(f, 59 * SEC);
    assert_int_equal(rd(f, 0x00), 0);
    assert_int_equal(rd(f, 0x02), 2);
}

static void test_twelve_hour_mode_sets_the_pm_bit(void **state)
{
    struct fixture *f = *state;
    advance(f, 13 * 3600 * SEC);
    wr(f, 0x0B, 0x00);
    assert_int_equal(rd(f, 0x04), 0x81); /* 1 PM */
    wr(f, 0x0B, 0x04);
    assert_int_equal(rd(f, 0x04), 0x81);
}

static void test_set_mode_freezes_and_writes_take_effect_when_cleared(void **state)
{
    struct fixture *f = *state;
    wr(f, 0x0B, 0x82);
    wr(f, 0x09, 0x24);
    wr(f, 0x08, 0x02);
    wr(f, 0x07, 0x29);
    wr(f, 0x04, 0x23);
    wr(f, 0x02, 0x59);
    wr(f, 0x00, 0x59);
    advance(f, 5 * SEC);
    assert_int_equal(rd(f, 0x00), 0x59); /* frozen while SET */
    wr(f, 0x0B, 0x02);
    advance(f, SEC);
    assert_int_equal(rd(f, 0x07), 0x01); /* 2024-02-29 23:59:59 + 1 s = 03-01 */
    assert_int_equal(rd(f, 0x08), 0x03);
    assert_int_equal(rd(f, 0x06), 0x06); /* Friday */
}

static void test_uip_is_set_in_the_last_244_us_of_each_second(void **state)
{
    struct fixture *f = *state;
    advance(f, SEC - 300000);
    assert_int_equal(rd(f, 0x0A) & 0x80, 0);
    advance(f, 100000);
    assert_int_equal(rd(f, 0x0A) & 0x80, 0x80);
    advance(f, 200000);
    assert_int_equal(rd(f, 0x0A) & 0x80, 0);
}

static void test_periodic_interrupt_is_acknowledged_by_reading_c(void **state)
{
    struct fixture *f = *state;
    wr(f, 0x0A, 0x2F); /* 2 Hz */
    wr(f, 0x0B, 0x42); /* PIE */
    advance(f, SEC / 2);
    assert_int_equal(f->level, 1);
    int raises = f->raises;
    advance(f, SEC / 2); /* unacknowledged: raised again (as QEMU does) */
    assert_int_equal(f->raises, raises + 1);
    assert_int_equal(rd(f, 0x0C) & 0xC0, 0xC0);
    assert_int_equal(f->level, 0);
    assert_int_equal(rd(f, 0x0C), 0);
}

static void test_update_and_alarm_flags(void **state)
{
    struct fixture *f = *state;
    wr(f, 0x01, 0x05);
    wr(f, 0x03, 0x00);
    wr(f, 0x05, 0x00); /* alarm 00:00:05 */
    rd(f, 0x0C);
    advance(f, 2 * SEC);
    assert_int_equal(rd(f, 0x0C), 0x10); /* UF without UIE: no IRQF */
    wr(f, 0x0B, 0x22);                   /* AIE */
    advance(f, 3 * SEC);
    assert_int_equal(f->level, 1);
    assert_int_equal(rd(f, 0x0C) & 0xA0, 0xA0);
    wr(f, 0x01, 0xC0); /* seconds don't care: every second */
    advance(f, SEC);
    assert_int_equal(rd(f, 0x0C) & 0xA0, 0xA0);
}

static void test_cmos_ram_and_nmi_bit(void **state)
{
    struct fixture *f = *state;
    wr(f, 0x40, 0x5A);
    bus_write(&f->io, RTC_BASE, 0xC0, 1); /* NMI off, index 0x40 */
    assert_int_equal(bus_read(&f->io, RTC_BASE + 1, 1), 0x5A);
    assert_true(rtc_nmi_masked(f->rtc));
    rtc_set_memory_sizes(f->rtc, 128ULL << 20, 0);
    assert_int_equal(rd(f, 0x15) | rd(f, 0x16) << 8, 640);
    assert_int_equal(rd(f, 0x17) | rd(f, 0x18) << 8, 0xFFFF);
    assert_int_equal(rd(f, 0x34) | rd(f, 0x35) << 8, 112 * 16);
}

static void test_calendar_conversion_of_known_instants(void **state)
{
    (void)state;
    struct rtc_tm tm;
    rtc_epoch_to_tm(2147483648LL, &tm); /* 2038-01-19 03:14:08 Tuesday */
    assert_int_equal(tm.year, 2038);
    assert_int_equal(tm.month, 1);
    assert_int_equal(tm.day, 19);
    assert_int_equal(tm.hour, 3);
    assert_int_equal(tm.min, 14);
    assert_int_equal(tm.sec, 8);
    assert_int_equal(tm.wday, 2);
    rtc_epoch_to_tm(-1, &tm); /* 1969-12-31 23:59:59 Wednesday */
    assert_int_equal(tm.year, 1969);
    assert_int_equal(tm.wday, 3);
    struct rtc_tm leap = {.year = 2000, .month = 2, .day = 29};
    assert_int_equal(rtc_tm_to_epoch(&leap), 951782400LL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_starts_at_2000_01_01_saturday_in_bcd_24h),
        T(test_time_advances_with_virtual_time),
        T(test_twelve_hour_mode_sets_the_pm_bit),
        T(test_set_mode_freezes_and_writes_take_effect_when_cleared),
        T(test_uip_is_set_in_the_last_244_us_of_each_second),
        T(test_periodic_interrupt_is_acknowledged_by_reading_c),
        T(test_update_and_alarm_flags),
        T(test_cmos_ram_and_nmi_bit),
        T(test_calendar_conversion_of_known_instants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
