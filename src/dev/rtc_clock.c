/* The RTC's clock: calendar conversion, BCD/binary and 12/24-hour
 * encoding, time keeping on the virtual clock, and the register C events
 * (periodic, update-ended, alarm) with the timer that raises IRQ 8. */
#include <stdlib.h>

#include "rtc_int.h"

/* ---- calendar --------------------------------------------------------------- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void rtc_epoch_to_tm(int64_t secs, struct rtc_tm *tm)
{
    int64_t days = secs / SECS_PER_DAY, rem = secs % SECS_PER_DAY;
    if (rem < 0) {
        rem += SECS_PER_DAY;
        days--;
    }
    tm->hour = (int)(rem / 3600);
    tm->min = (int)(rem / 60 % 60);
    tm->sec = (int)(rem % 60);
    tm->wday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    tm->day = (int)(doy - (153 * mp + 2) / 5 + 1);
    tm->month = (int)(mp < 10 ? mp + 3 : mp - 9);
    tm->year = (int)(yoe + era * 400 + (tm->month <= 2));
}

int64_t rtc_tm_to_epoch(const struct rtc_tm *tm)
{
    return days_from_civil(tm->year, tm->month, tm->day) * SECS_PER_DAY + tm->hour * 3600 +
           tm->min * 60 + tm->sec;
}

/* ---- register encoding ----------------------------------------------------------- */

uint8_t rtc_encode(const struct rtc *r, int v)
{
    if (r->cmos[REG_B] & B_DM_BINARY) return (uint8_t)v;
    return (uint8_t)((v / 10) << 4 | v % 10);
}

int rtc_decode(const struct rtc *r, uint8_t v)
{
    if (r->cmos[REG_B] & B_DM_BINARY) return v;
    return (v >> 4) * 10 + (v & 0xF);
}

uint8_t rtc_encode_hour(const struct rtc *r, int h)
{
    if (r->cmos[REG_B] & B_24H) return rtc_encode(r, h);
    int h12 = h % 12 ? h % 12 : 12;
    return (uint8_t)(rtc_encode(r, h12) | (h >= 12 ? HOUR_PM : 0));
}

int rtc_decode_hour(const struct rtc *r, uint8_t v)
{
    if (r->cmos[REG_B] & B_24H) return rtc_decode(r, v);
    int h = rtc_decode(r, v & (uint8_t)~HOUR_PM) % 12;
    return (v & HOUR_PM) ? h + 12 : h;
}

/* ---- time ---------------------------------------------------------------------- */

bool rtc_oscillator_on(const struct rtc *r)
{
    return (r->cmos[REG_A] & A_DV_MASK) == A_DV_NORMAL;
}

int64_t rtc_secs_at(const struct rtc *r, uint64_t t)
{
    if (r->frozen || t < r->base_ns) return r->base_secs;
    return r->base_secs + (int64_t)((t - r->base_ns) / NS_PER_SEC);
}

/* The time registers as the guest reads them outside SET mode. */
uint8_t rtc_time_reg(const struct rtc *r, unsigned reg)
{
    struct rtc_tm tm;
    rtc_epoch_to_tm(rtc_secs_at(r, vclock_now(r->clock)), &tm);
    switch (reg) {
    case REG_SEC: return rtc_encode(r, tm.sec);
    case REG_MIN: return rtc_encode(r, tm.min);
    case REG_HOUR: return rtc_encode_hour(r, tm.hour);
    case REG_WDAY: return rtc_encode(r, tm.wday + 1);
    case REG_MDAY: return rtc_encode(r, tm.day);
    case REG_MONTH: return rtc_encode(r, tm.month);
    case REG_YEAR: return rtc_encode(r, tm.year % 100);
    default: return rtc_encode(r, tm.year / 100); /* century */
    }
}

bool rtc_is_time_reg(unsigned reg)
{
    return reg == REG_SEC || reg == REG_MIN || reg == REG_HOUR || reg == REG_WDAY ||
           reg == REG_MDAY || reg == REG_MONTH || reg == REG_YEAR || reg == CMOS_CENTURY;
}

/* Copies the running time into the registers (entering SET mode). */
void rtc_latch_time(struct rtc *r)
{
    static const unsigned regs[] = {REG_SEC,  REG_MIN,   REG_HOUR, REG_WDAY,
                                    REG_MDAY, REG_MONTH, REG_YEAR, CMOS_CENTURY};
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
        r->cmos[regs[i]] = rtc_time_reg(r, regs[i]);
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The time the registers hold, as seconds since 1970. */
int64_t rtc_regs_to_secs(const struct rtc *r)
{
    struct rtc_tm tm = {
        .year = rtc_decode(r, r->cmos[CMOS_CENTURY]) * 100 + rtc_decode(r, r->cmos[REG_YEAR]),
        .month = clamp(rtc_decode(r, r->cmos[REG_MONTH]), 1, 12),
        .day = clamp(rtc_decode(r, r->cmos[REG_MDAY]), 1, 31),
        .hour = clamp(rtc_decode_hour(r, r->cmos[REG_HOUR]), 0, 23),
        .min = clamp(rtc_decode(r, r->cmos[REG_MIN]), 0, 59),
        .sec = clamp(rtc_decode(r, r->cmos[REG_SEC]), 0, 59),
    };
    return rtc_tm_to_epoch(&tm);
}

/* ---- events -------------------------------------------------------------------- */

/* The periodic rate, or 0. As on QEMU, the divider taps only run (and set
 * PF) while the periodic interrupt or the square wave is enabled; the
 * datasheet sets PF regardless of PIE. */
static unsigned periodic_hz(const struct rtc *r)
{
    unsigned rs = r->cmos[REG_A] & A_RS_MASK;
    if (rs == 0 || !rtc_oscillator_on(r) || !(r->cmos[REG_B] & (B_PIE | B_SQWE))) return 0;
    if (rs < 3) rs += 7; /* rates 1 and 2 repeat 8 and 9 (256 and 128 Hz) */
    return OSC_HZ >> (rs - 1);
}

/* Periodic ticks since base_ns up to t. */
static uint64_t periodic_index(const struct rtc *r, unsigned hz, uint64_t t)
{
    uint64_t dt = t > r->base_ns ? t - r->base_ns : 0;
    return dt / NS_PER_SEC * hz + dt % NS_PER_SEC * hz / NS_PER_SEC;
}

static uint64_t periodic_time(const struct rtc *r, unsigned hz, uint64_t k)
{
    return r->base_ns + k / hz * NS_PER_SEC + (k % hz * NS_PER_SEC + hz - 1) / hz;
}

bool rtc_updating(const struct rtc *r)
{
    return !r->frozen;
}

static bool alarm_field_matches(uint8_t alarm, int value, int decoded)
{
    return (alarm & ALARM_DONT_CARE) == ALARM_DONT_CARE || decoded == value;
}

/* The first second after `secs` whose time of day matches the alarm. */
static int64_t next_alarm_secs(const struct rtc *r, int64_t secs)
{
    uint8_t as = r->cmos[REG_SEC_ALARM], am = r->cmos[REG_MIN_ALARM];
    uint8_t ah = r->cmos[REG_HOUR_ALARM];
    int ds = rtc_decode(r, as), dm = rtc_decode(r, am), dh = rtc_decode_hour(r, ah);
    int64_t minute = secs - (secs % 60 + 60) % 60;
    for (int i = 0; i <= 24 * 60; i++, minute += 60) {
        int64_t tod = (minute % SECS_PER_DAY + SECS_PER_DAY) % SECS_PER_DAY;
        if (!alarm_field_matches(ah, (int)(tod / 3600), dh) ||
            !alarm_field_matches(am, (int)(tod / 60 % 60), dm))
            continue;
        if ((as & ALARM_DONT_CARE) == ALARM_DONT_CARE) {
            int64_t first = secs + 1 > minute ? secs + 1 : minute;
            if (first <= minute + 59) return first;
        } else if (ds >= 0 && ds < 60 && minute + ds > secs) {
            return minute + ds;
        }
    }
    return INT64_MAX;
}

void rtc_recompute_alarm(struct rtc *r, uint64_t now)
{
    r->next_alarm = VCLOCK_NEVER;
    if (!rtc_updating(r)) return;
    int64_t s = next_alarm_secs(r, rtc_secs_at(r, now));
    if (s != INT64_MAX) r->next_alarm = r->base_ns + (uint64_t)(s - r->base_secs) * NS_PER_SEC;
}

/* Sets the register-C flags of every event in (flags_until, now]. Returns
 * the flags that were set by events. */
uint8_t rtc_account(struct rtc *r, uint64_t now)
{
    uint8_t set = 0;
    unsigned hz = periodic_hz(r);
    if (hz && periodic_index(r, hz, now) > periodic_index(r, hz, r->flags_until)) set |= C_PF;
    if (rtc_updating(r) && rtc_secs_at(r, now) > rtc_secs_at(r, r->flags_until)) set |= C_UF;
    if (rtc_updating(r) && r->next_alarm <= now) {
        set |= C_AF;
        rtc_recompute_alarm(r, now);
    }
    r->flags_until = now;
    r->cmos[REG_C] |= set;
    if (r->cmos[REG_C] & r->cmos[REG_B] & C_FLAGS) r->cmos[REG_C] |= C_IRQF;
    return set;
}

/* Arms the timer for the next event whose interrupt is enabled. */
void rtc_rearm(struct rtc *r)
{
    uint64_t now = vclock_now(r->clock), at = VCLOCK_NEVER;
    uint8_t b = r->cmos[REG_B];
    unsigned hz = periodic_hz(r);
    if ((b & B_PIE) && hz) at = periodic_time(r, hz, periodic_index(r, hz, now) + 1);
    if ((b & B_UIE) && rtc_updating(r)) {
        uint64_t next_sec =
            r->base_ns + (uint64_t)(rtc_secs_at(r, now) - r->base_secs + 1) * NS_PER_SEC;
        at = next_sec < at ? next_sec : at;
    }
    if ((b & B_AIE) && r->next_alarm < at) at = r->next_alarm;
    if (at == VCLOCK_NEVER)
        vtimer_cancel(&r->timer);
    else
        vtimer_arm(&r->timer, at);
}

/* Each enabled event raises IRQ 8, even while the previous one is still
 * unacknowledged (QEMU signals it the same way). */
void rtc_timer_fire(void *opaque)
{
    struct rtc *r = opaque;
    uint8_t set = rtc_account(r, vclock_now(r->clock));
    if (set & r->cmos[REG_B] & C_FLAGS) irq_set(&r->irq, 1);
    rtc_rearm(r);
}
