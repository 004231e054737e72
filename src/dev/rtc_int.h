/* Private state of the CMOS RTC, shared by rtc.c (registers, ports,
 * lifecycle) and rtc_clock.c (calendar, time keeping, events). */
#ifndef EMU_DEV_RTC_INT_H
#define EMU_DEV_RTC_INT_H

#include "rtc.h"

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

/* rtc_clock.c: register encodings in the current data mode (register B) */
uint8_t rtc_encode(const struct rtc *r, int v);
int rtc_decode(const struct rtc *r, uint8_t v);
uint8_t rtc_encode_hour(const struct rtc *r, int h);
int rtc_decode_hour(const struct rtc *r, uint8_t v);
/* Time keeping: seconds since 1970 at virtual time t; the time registers
 * as read outside SET mode; latching them into CMOS (entering SET) and
 * reading them back (leaving it). */
bool rtc_oscillator_on(const struct rtc *r);
int64_t rtc_secs_at(const struct rtc *r, uint64_t t);
uint8_t rtc_time_reg(const struct rtc *r, unsigned reg);
bool rtc_is_time_reg(unsigned reg);
void rtc_latch_time(struct rtc *r);
int64_t rtc_regs_to_secs(const struct rtc *r);
/* Events: register C flags up to `now`, the next alarm, the timer for the
 * next event whose interrupt is enabled. */
bool rtc_updating(const struct rtc *r);
void rtc_recompute_alarm(struct rtc *r, uint64_t now);
uint8_t rtc_account(struct rtc *r, uint64_t now);
void rtc_rearm(struct rtc *r);
void rtc_timer_fire(void *opaque);

#endif
