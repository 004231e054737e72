/* Time: the TSC as the clock, the LAPIC timer as the tick, both calibrated
 * against the PIT at boot, and a timer queue for sleeping tasks. */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include "list.h"
#include "types.h"

#define HZ            1000 /* timer interrupts per second */
#define NSEC_PER_SEC  1000000000ULL
#define NSEC_PER_MSEC 1000000ULL

struct wait_queue;
struct trapframe;

/* A deadline: when clock_ns() passes `expires`, the timer softirq wakes `wq`. */
struct timer {
    u64 expires;           // clock_ns() deadline
    struct wait_queue *wq; // woken at expiry
    struct list_head link; // in the timer queue, earliest first
};

/* Remembers the TSC at boot: clock_ns() counts from here. */
void clock_boot(void);
/* Calibrates the TSC and LAPIC timer against the PIT and starts the tick. */
void time_init(void);
/* Nanoseconds since boot (0 until time_init has calibrated the TSC). */
u64 clock_ns(void);

void timer_add(struct timer *t);
void timer_del(struct timer *t);
/* Tickless idle (Linux's NO_HZ_IDLE): before the idle task halts, replace
 * the periodic tick by one interrupt at the earliest timer deadline, or by
 * none at all, so an idle machine sleeps until something happens; the tick
 * resumes when a task is about to run. Interrupts disabled. */
void tick_nohz_idle_enter(void);
void tick_nohz_idle_exit(void);
/* Top half of the LAPIC timer interrupt. */
void timer_intr(void);
/* The TIMER softirq: wakes the sleepers whose deadline passed. */
void run_timers(void);

long sys_nanosleep(struct trapframe *tf);
long sys_clock_gettime(struct trapframe *tf);

#endif
