/* The MC146818A-compatible CMOS real-time clock at ports 0x70/0x71, ISA IRQ
 * 8 (Motorola MC146818A / Dallas DS12887 datasheets): time and date in BCD
 * or binary, 12/24-hour, registers A-D, the update-in-progress flag, periodic,
 * alarm and update-ended interrupts acknowledged by reading register C, 128
 * bytes of CMOS RAM with the memory sizes QEMU's q35 BIOS area holds, and
 * the NMI-disable bit 7 of port 0x70. Time starts at a fixed instant (the
 * machine's rtc_epoch) and advances with virtual time. */
#ifndef EMU_DEV_RTC_H
#define EMU_DEV_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "../machine/bus.h"
#include "../machine/irq.h"
#include "../machine/vclock.h"

#define RTC_BASE          0x70
#define RTC_NPORTS        2
#define RTC_IRQ           8
#define RTC_DEFAULT_EPOCH 946684800LL /* 2000-01-01T00:00:00Z */

struct rtc;

/* An RTC showing `epoch` (seconds since 1970-01-01 UTC) at the current
 * virtual time, in the state SeaBIOS leaves (register A 0x26: 32.768 kHz,
 * 1024 Hz periodic rate; B 0x02: BCD, 24-hour). NULL on allocation failure. */
struct rtc *rtc_new(struct vclock *clock, struct irq_line irq, int64_t epoch);
void rtc_free(struct rtc *r);

/* Fills the CMOS bytes a BIOS keeps: base and extended memory sizes (from
 * RAM below 4 GiB and above it), equipment, century, boot order. */
void rtc_set_memory_sizes(struct rtc *r, uint64_t lowmem, uint64_t highmem);
/* The floppy drive types byte (CMOS 0x10) and the equipment byte's floppy
 * bit: QEMU's pc has a controller with drive A, q35 none (drive_types 0). */
void rtc_set_floppy(struct rtc *r, uint8_t drive_types);

/* Port 0x70 bit 7: NMIs from the board are masked. */
bool rtc_nmi_masked(const struct rtc *r);

const struct bus_ops *rtc_ops(void);

/* Calendar conversion (proleptic Gregorian, UTC), exposed for the tests. */
struct rtc_tm {
    int year, month, day, hour, min, sec, wday; // month 1-12, day 1-31, wday 0 = Sunday
};
void rtc_epoch_to_tm(int64_t secs, struct rtc_tm *tm);
int64_t rtc_tm_to_epoch(const struct rtc_tm *tm);

#endif
