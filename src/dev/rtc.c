#include "rtc.h"

#include <stdlib.h>
#include <string.h>

#define NS_PER_SEC       1000000000ULL
#define CMOS_SIZE        128
#define CMOS_INDEX_MASK  0x7F
#define PORT_NMI_DISABLE 0x80

enum {
    REG_SEC = 0x00,
    REG_SEC_ALARM = 0x01,
    REG_MIN = 0x02,
    REG_MIN_ALARM = 0x03,
    REG_HOUR = 0x04,
    REG_HOUR_ALARM = 0x05,
    REG_WDAY = 0x06,
    REG_MDAY = 0x07,
    REG_MONTH = 0x08,
    REG_YEAR = 0x09,
    REG_A = 0x0A,
    REG_B = 0x0B,
    REG_C = 0x0C,
    REG_D = 0x0D,
    CMOS_CENTURY = 0x32,
    CMOS_CENTURY_PS2 = 0x37,
};

#define A_UIP              0x80
#define A_DV_MASK          0x70
#define A_DV_NORMAL        0x20 /* 32.768 kHz time base, divider running */
#define A_RS_MASK          0x0F
#define B_SET              0x80
#define B_PIE              0x40
#define B_AIE              0x20
#define B_UIE              0x10
#define B_SQWE             0x08
#define B_DM_BINARY        0x04
#define B_24H              0x02
#define C_IRQF             0x80
#define C_PF               0x40
#define C_AF               0x20
#define C_UF               0x10
#define C_FLAGS            (C_PF | C_AF | C_UF)
#define D_VRT              0x80
#define HOUR_PM            0x80
#define ALARM_DONT_CARE    0xC0
#define UIP_NS             244140ULL /* 8 cycles of 32.768 kHz before each update */
#define DIVIDER_RESTART_NS 500000000ULL
#define OSC_HZ             32768u
#define SECS_PER_DAY       86400

struct rtc {
    uint8_t cmos[CMOS_SIZE];
    uint8_t index;
    bool nmi_masked;
    struct vclock *clock;
    struct irq_line irq;
    struct vtimer timer;  // next periodic, update or alarm event with its enable set
    int64_t base_secs;    // RTC time in seconds since 1970 at base_ns
    uint64_t base_ns;     // also the phase of the divider chain
    bool frozen;          // SET or divider reset: time stands at base_secs
    uint64_t flags_until; // register C accounts for events up to this time
    uint64_t next_alarm;  // virtual time of the next alarm match, or NEVER
};

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

static uint8_t encode(const struct rtc *r, int v)
{
    if (r->cmos[REG_B] & B_DM_BINARY) return (uint8_t)v;
    return (uint8_t)((v / 10) << 4 | v % 10);
}

static int decode(const struct rtc *r, uint8_t v)
{
    if (r->cmos[REG_B] & B_DM_BINARY) return v;
    return (v >> 4) * 10 + (v & 0xF);
}

static uint8_t encode_hour(const struct rtc *r, int h)
{
    if (r->cmos[REG_B] & B_24H) return encode(r, h);
    int h12 = h % 12 ? h % 12 : 12;
    return (uint8_t)(encode(r, h12) | (h >= 12 ? HOUR_PM : 0));
}

static int decode_hour(const struct rtc *r, uint8_t v)
{
    if (r->cmos[REG_B] & B_24H) return decode(r, v);
    int h = decode(r, v & (uint8_t)~HOUR_PM) % 12;
    return (v & HOUR_PM) ? h + 12 : h;
}

/* ---- time ---------------------------------------------------------------------- */

static bool oscillator_on(const struct rtc *r)
{
    return (r->cmos[REG_A] & A_DV_MASK) == A_DV_NORMAL;
}

static int64_t secs_at(const struct rtc *r, uint64_t t)
{
    if (r->frozen || t < r->base_ns) return r->base_secs;
    return r->base_secs + (int64_t)((t - r->base_ns) / NS_PER_SEC);
}

/* The time registers as the guest reads them outside SET mode. */
static uint8_t time_reg(const struct rtc *r, unsigned reg)
{
    struct rtc_tm tm;
    rtc_epoch_to_tm(secs_at(r, vclock_now(r->clock)), &tm);
    switch (reg) {
    case REG_SEC: return encode(r, tm.sec);
    case REG_MIN: return encode(r, tm.min);
    case REG_HOUR: return encode_hour(r, tm.hour);
    case REG_WDAY: return encode(r, tm.wday + 1);
    case REG_MDAY: return encode(r, tm.day);
    case REG_MONTH: return encode(r, tm.month);
    case REG_YEAR: return encode(r, tm.year % 100);
    default: return encode(r, tm.year / 100); /* century */
    }
}

static bool is_time_reg(unsigned reg)
{
    return reg == REG_SEC || reg == REG_MIN || reg == REG_HOUR || reg == REG_WDAY ||
           reg == REG_MDAY || reg == REG_MONTH || reg == REG_YEAR || reg == CMOS_CENTURY;
}

/* Copies the running time into the registers (entering SET mode). */
static void latch_time(struct rtc *r)
{
    static const unsigned regs[] = {REG_SEC,  REG_MIN,   REG_HOUR, REG_WDAY,
                                    REG_MDAY, REG_MONTH, REG_YEAR, CMOS_CENTURY};
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
        r->cmos[regs[i]] = time_reg(r, regs[i]);
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The time the registers hold, as seconds since 1970. */
static int64_t regs_to_secs(const struct rtc *r)
{
    struct rtc_tm tm = {
        .year = decode(r, r->cmos[CMOS_CENTURY]) * 100 + decode(r, r->cmos[REG_YEAR]),
        .month = clamp(decode(r, r->cmos[REG_MONTH]), 1, 12),
        .day = clamp(decode(r, r->cmos[REG_MDAY]), 1, 31),
        .hour = clamp(decode_hour(r, r->cmos[REG_HOUR]), 0, 23),
        .min = clamp(decode(r, r->cmos[REG_MIN]), 0, 59),
        .sec = clamp(decode(r, r->cmos[REG_SEC]), 0, 59),
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
    if (rs == 0 || !oscillator_on(r) || !(r->cmos[REG_B] & (B_PIE | B_SQWE))) return 0;
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

static bool updating(const struct rtc *r)
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
    int ds = decode(r, as), dm = decode(r, am), dh = decode_hour(r, ah);
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

static void recompute_alarm(struct rtc *r, uint64_t now)
{
    r->next_alarm = VCLOCK_NEVER;
    if (!updating(r)) return;
    int64_t s = next_alarm_secs(r, secs_at(r, now));
    if (s != INT64_MAX) r->next_alarm = r->base_ns + (uint64_t)(s - r->base_secs) * NS_PER_SEC;
}

/* Sets the register-C flags of every event in (flags_until, now]. Returns
 * the flags that were set by events. */
static uint8_t account(struct rtc *r, uint64_t now)
{
    uint8_t set = 0;
    unsigned hz = periodic_hz(r);
    if (hz && periodic_index(r, hz, now) > periodic_index(r, hz, r->flags_until)) set |= C_PF;
    if (updating(r) && secs_at(r, now) > secs_at(r, r->flags_until)) set |= C_UF;
    if (updating(r) && r->next_alarm <= now) {
        set |= C_AF;
        recompute_alarm(r, now);
    }
    r->flags_until = now;
    r->cmos[REG_C] |= set;
    if (r->cmos[REG_C] & r->cmos[REG_B] & C_FLAGS) r->cmos[REG_C] |= C_IRQF;
    return set;
}

/* Arms the timer for the next event whose interrupt is enabled. */
static void rearm(struct rtc *r)
{
    uint64_t now = vclock_now(r->clock), at = VCLOCK_NEVER;
    uint8_t b = r->cmos[REG_B];
    unsigned hz = periodic_hz(r);
    if ((b & B_PIE) && hz) at = periodic_time(r, hz, periodic_index(r, hz, now) + 1);
    if ((b & B_UIE) && updating(r)) {
        uint64_t next_sec =
            r->base_ns + (uint64_t)(secs_at(r, now) - r->base_secs + 1) * NS_PER_SEC;
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
static void timer_fire(void *opaque)
{
    struct rtc *r = opaque;
    uint8_t set = account(r, vclock_now(r->clock));
    if (set & r->cmos[REG_B] & C_FLAGS) irq_set(&r->irq, 1);
    rearm(r);
}

/* ---- registers ------------------------------------------------------------------ */

/* Time now stands still (SET, divider reset) or runs again from the
 * registers. */
static void set_frozen(struct rtc *r, bool frozen, uint64_t now)
{
    if (frozen == r->frozen) return;
    if (frozen) {
        r->base_secs = secs_at(r, now);
        r->frozen = true;
    } else {
        r->frozen = false;
        r->base_ns = now;
    }
}

static bool should_freeze(const struct rtc *r)
{
    return (r->cmos[REG_B] & B_SET) || !oscillator_on(r);
}

static void write_a(struct rtc *r, uint8_t v, uint64_t now)
{
    bool was_on = oscillator_on(r);
    r->cmos[REG_A] = v & (uint8_t)~A_UIP;
    set_frozen(r, should_freeze(r), now);
    if (!was_on && oscillator_on(r) && !r->frozen)
        r->base_ns = now > DIVIDER_RESTART_NS ? now - DIVIDER_RESTART_NS : 0;
}

static void write_b(struct rtc *r, uint8_t v, uint64_t now)
{
    bool set_on = (v & B_SET) && !(r->cmos[REG_B] & B_SET);
    bool set_off = !(v & B_SET) && (r->cmos[REG_B] & B_SET);
    if (set_on) {
        latch_time(r);
        v &= (uint8_t)~B_UIE; /* entering SET clears UIE */
    }
    r->cmos[REG_B] = v;
    if (set_off) r->base_secs = regs_to_secs(r);
    set_frozen(r, should_freeze(r), now);
    bool pending = r->cmos[REG_C] & r->cmos[REG_B] & C_FLAGS;
    r->cmos[REG_C] = pending ? r->cmos[REG_C] | C_IRQF : r->cmos[REG_C] & (uint8_t)~C_IRQF;
    irq_set(&r->irq, pending);
}

/* Outside SET mode a write to a time register sets the clock at once. */
static void write_time(struct rtc *r, unsigned reg, uint8_t v, uint64_t now)
{
    if (!(r->cmos[REG_B] & B_SET)) latch_time(r);
    r->cmos[reg] = v;
    if (!(r->cmos[REG_B] & B_SET)) {
        r->base_secs = regs_to_secs(r);
        if (!r->frozen) r->base_ns = now;
    }
}

static uint8_t read_reg(struct rtc *r, unsigned reg)
{
    uint64_t now = vclock_now(r->clock);
    if (is_time_reg(reg) && !(r->cmos[REG_B] & B_SET)) return time_reg(r, reg);
    switch (reg) {
    case REG_A: {
        bool uip = updating(r) && (now - r->base_ns) % NS_PER_SEC >= NS_PER_SEC - UIP_NS;
        return (uint8_t)(r->cmos[REG_A] | (uip ? A_UIP : 0));
    }
    case REG_C: {
        account(r, now);
        uint8_t v = r->cmos[REG_C];
        r->cmos[REG_C] = 0;
        irq_set(&r->irq, 0);
        return v;
    }
    case REG_D: return D_VRT;
    default: return r->cmos[reg];
    }
}

static void write_reg(struct rtc *r, unsigned reg, uint8_t v)
{
    uint64_t now = vclock_now(r->clock);
    account(r, now);
    if (is_time_reg(reg))
        write_time(r, reg, v, now);
    else if (reg == REG_A)
        write_a(r, v, now);
    else if (reg == REG_B)
        write_b(r, v, now);
    else if (reg != REG_C && reg != REG_D)
        r->cmos[reg] = v;
    if (reg == CMOS_CENTURY) r->cmos[CMOS_CENTURY_PS2] = v;
    r->flags_until = now;
    recompute_alarm(r, now);
    rearm(r);
}

static uint64_t rtc_read(void *opaque, uint64_t off, unsigned size)
{
    struct rtc *r = opaque;
    (void)size;
    if (off == 0) return 0xFF; /* the index register is write-only */
    return read_reg(r, r->index);
}

static void rtc_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct rtc *r = opaque;
    (void)size;
    if (off == 0) {
        r->index = value & CMOS_INDEX_MASK;
        r->nmi_masked = value & PORT_NMI_DISABLE;
    } else {
        write_reg(r, r->index, (uint8_t)value);
    }
}

static const struct bus_ops ops = {rtc_read, rtc_write};

const struct bus_ops *rtc_ops(void)
{
    return &ops;
}

bool rtc_nmi_masked(const struct rtc *r)
{
    return r->nmi_masked;
}

/* ---- lifecycle ------------------------------------------------------------------- */

#define CMOS_EQUIPMENT        0x14
#define EQUIPMENT_FPU_MOUSE   0x06
#define CMOS_BASE_MEM_LO      0x15
#define CMOS_EXT_MEM_LO       0x17
#define CMOS_EXT_MEM2_LO      0x30
#define CMOS_MEM_ABOVE_16M_LO 0x34
#define CMOS_BOOT_ORDER_1     0x38
#define CMOS_BOOT_ORDER_2     0x3D
#define CMOS_MEM_ABOVE_4G     0x5B
#define BASE_MEM_KB           640
#define MB                    (1ULL << 20)

static void put16(struct rtc *r, unsigned reg, uint64_t v)
{
    v = v > 0xFFFF ? 0xFFFF : v;
    r->cmos[reg] = (uint8_t)v;
    r->cmos[reg + 1] = (uint8_t)(v >> 8);
}

void rtc_set_memory_sizes(struct rtc *r, uint64_t lowmem, uint64_t highmem)
{
    r->cmos[CMOS_EQUIPMENT] = EQUIPMENT_FPU_MOUSE;
    put16(r, CMOS_BASE_MEM_LO, BASE_MEM_KB);
    uint64_t ext_kb = lowmem > MB ? (lowmem - MB) / 1024 : 0;
    put16(r, CMOS_EXT_MEM_LO, ext_kb);
    put16(r, CMOS_EXT_MEM2_LO, ext_kb);
    put16(r, CMOS_MEM_ABOVE_16M_LO, lowmem > 16 * MB ? (lowmem - 16 * MB) >> 16 : 0);
    uint64_t above = highmem >> 16;
    for (int i = 0; i < 3; i++)
        r->cmos[CMOS_MEM_ABOVE_4G + i] = (uint8_t)(above >> (8 * i));
    r->cmos[CMOS_BOOT_ORDER_1] = 0x30; /* what QEMU's q35 stores for -kernel boots */
    r->cmos[CMOS_BOOT_ORDER_2] = 0x12;
}

struct rtc *rtc_new(struct vclock *clock, struct irq_line irq, int64_t epoch)
{
    struct rtc *r = calloc(1, sizeof(*r));
    if (!r) return NULL;
    r->clock = clock;
    r->irq = irq;
    vtimer_init(&r->timer, clock, timer_fire, r);
    r->cmos[REG_A] = A_DV_NORMAL | 0x06;
    r->cmos[REG_B] = B_24H;
    r->base_secs = epoch;
    r->base_ns = vclock_now(clock);
    r->flags_until = r->base_ns;
    struct rtc_tm tm;
    rtc_epoch_to_tm(epoch, &tm);
    r->cmos[CMOS_CENTURY] = r->cmos[CMOS_CENTURY_PS2] = encode(r, tm.year / 100);
    recompute_alarm(r, r->base_ns);
    return r;
}

void rtc_free(struct rtc *r)
{
    if (!r) return;
    vtimer_cancel(&r->timer);
    free(r);
}
