/* Interrupt controllers and the bottom half.
 *
 * The path of a device interrupt: the device raises its ISA line -> the I/O
 * APIC turns it into a message with a vector -> the LAPIC queues it and
 * interrupts the CPU -> the IDT gate -> alltraps -> trap() -> the handler's
 * top half (quick: take the data, acknowledge, raise a softirq) -> EOI ->
 * on the way out, with interrupts enabled again, the bottom half
 * (do_softirq) runs what was deferred. */
#ifndef KERNEL_INTR_H
#define KERNEL_INTR_H

#include "types.h"

void pic_init(void);

void lapic_init(void);
void lapic_eoi(void);
u32 lapic_id(void);
/* Starts the LAPIC timer in periodic mode: an interrupt every `count` ticks
 * of the bus clock divided by 16. */
void lapic_timer_start(u32 count);
/* One interrupt after `count` ticks, then nothing (tickless idle). */
void lapic_timer_oneshot(u32 count);
void lapic_timer_stop(void);
/* For calibration: counts down from 2^32 - 1 (bus clock / 16), masked. */
void lapic_timer_oneshot_max(void);
u32 lapic_timer_count(void);
/* Top half of the LAPIC error interrupt. */
void lapic_error_intr(void);

void ioapic_init(void);
/* Delivers ISA IRQ `irq` as `vector` to this CPU (edge, active high). */
void ioapic_route(unsigned irq, unsigned vector);

/* Softirqs: work a top half defers to the bottom half. */
enum softirq {
    SOFTIRQ_TIMER, // expired timers: wake sleepers (time.c)
    SOFTIRQ_TTY,   // console input arrived: wake readers (tty.c)
    NR_SOFTIRQS
};
/* Marks softirq n pending. Called from top halves (interrupts disabled). */
void raise_softirq(enum softirq n);
/* Runs pending softirqs with interrupts enabled. Called with interrupts
 * disabled on the way out of the outermost interrupt; returns with them
 * disabled. */
void do_softirq(void);
u64 softirq_count(enum softirq n);
const char *softirq_name(enum softirq n);

/* Whether an i8042 keyboard controller answers. */
bool kbd_init(void);
void kbd_intr(void);

#endif
