/* Time: calibration, the clock, the tick and the timer queue. */
#include "time.h"

#include "cpu.h"
#include "errno.h"
#include "intr.h"
#include "printk.h"
#include "proc.h"
#include "sched.h"
#include "traps.h"
#include "uaccess.h"
#include "uapi.h"
#include "wait.h"
#include "x86.h"

/* The PIT (8254) counts at 1.193182 MHz on every PC. Channel 2's gate and
 * output are wired to port 0x61, which makes it a stopwatch: load a count in
 * mode 0, wait for OUT2 to rise. */
#define PIT_HZ             1193182
#define PIT_CH2            0x42
#define PIT_MODE           0x43
#define PIT_CH2_MODE0_LOHI 0xB0 /* channel 2, lobyte/hibyte, mode 0, binary */
#define PORT_61            0x61
#define PORT_61_GATE2      0x01
#define PORT_61_SPEAKER    0x02
#define PORT_61_OUT2       0x20
#define CAL_MS             10
#define CAL_LATCH          (PIT_HZ * CAL_MS / 1000)
#define CAL_MAX_POLLS      100000000           /* give up if OUT2 never rises */
#define MAX_ONESHOT_NS     (10 * NSEC_PER_SEC) /* keeps wait * apic_hz within 64 bits */

static struct {
    u64 boot_tsc;            // TSC at kernel entry
    u64 tsc_hz;              // TSC ticks per second (0: not calibrated yet)
    u64 ns_mult;             // ns = (tsc delta * ns_mult) >> 32
    u64 apic_hz;             // LAPIC timer ticks per second (bus clock / 16)
    bool stopped;            // the periodic tick is off (tickless idle)
    struct list_head timers; // the timer queue, earliest first
} clk = {.timers = LIST_HEAD_INIT(clk.timers)};

void clock_boot(void)
{
    clk.boot_tsc = rdtsc();
}

u64 clock_ns(void)
{
    if (!clk.tsc_hz) return 0;
    return (u64)(((unsigned __int128)(rdtsc() - clk.boot_tsc) * clk.ns_mult) >> 32);
}

/* Measures the TSC and the LAPIC timer over CAL_MS of PIT channel 2. */
static void calibrate(void)
{
    outb(PORT_61, (u8)((inb(PORT_61) & ~PORT_61_SPEAKER) | PORT_61_GATE2));
    outb(PIT_MODE, PIT_CH2_MODE0_LOHI);
    outb(PIT_CH2, CAL_LATCH & 0xFF);
    outb(PIT_CH2, CAL_LATCH >> 8);
    lapic_timer_oneshot_max();
    u64 t0 = rdtsc();
    u32 a0 = lapic_timer_count();
    u64 polls = 0;
    while (!(inb(PORT_61) & PORT_61_OUT2))
        if (++polls == CAL_MAX_POLLS)
            panic("time: PIT channel 2 never counted down (port 0x61 bit 5 stays 0)");
    u64 t1 = rdtsc();
    u32 a1 = lapic_timer_count();
    clk.tsc_hz = (t1 - t0) * PIT_HZ / CAL_LATCH; /* the window lasted CAL_LATCH PIT ticks */
    clk.apic_hz = (u64)(a0 - a1) * PIT_HZ / CAL_LATCH;
    if (clk.tsc_hz < 1000000 || clk.apic_hz < HZ)
        panic("time: calibration failed (TSC %lu Hz, LAPIC timer %lu Hz)", clk.tsc_hz, clk.apic_hz);
    clk.ns_mult = (NSEC_PER_SEC << 32) / clk.tsc_hz;
}

void time_init(void)
{
    calibrate();
    printk("tsc: calibrated against the PIT: %lu.%03lu MHz\n", clk.tsc_hz / 1000000,
           clk.tsc_hz / 1000 % 1000);
    printk("LAPIC timer: %lu.%03lu MHz after divide-by-16, periodic at %d Hz\n",
           clk.apic_hz / 1000000, clk.apic_hz / 1000 % 1000, HZ);
    lapic_timer_start((u32)(clk.apic_hz / HZ));
}

void tick_nohz_idle_enter(void)
{
    clk.stopped = true;
    if (list_empty(&clk.timers)) {
        lapic_timer_stop(); /* nothing to wait for but an interrupt */
        return;
    }
    u64 deadline = list_entry(clk.timers.next, struct timer, link)->expires, now = clock_ns();
    u64 wait = MIN(deadline > now ? deadline - now : 0, MAX_ONESHOT_NS); /* longer: re-armed */
    u64 counts = wait * clk.apic_hz / NSEC_PER_SEC;
    lapic_timer_oneshot((u32)MAX(1, MIN(counts, 0xFFFFFFFFULL)));
}

void tick_nohz_idle_exit(void)
{
    if (!clk.stopped) return;
    clk.stopped = false;
    lapic_timer_start((u32)(clk.apic_hz / HZ));
}

void timer_add(struct timer *t)
{
    u64 flags = irq_save();
    struct list_head *pos;
    list_for_each(pos,
                  &clk.timers) if (list_entry(pos, struct timer, link)->expires > t->expires) break;
    list_add_tail(&t->link, pos); /* before the first later one */
    irq_restore(flags);
}

void timer_del(struct timer *t)
{
    u64 flags = irq_save();
    list_del(&t->link);
    irq_restore(flags);
}

void timer_intr(void)
{
    this_cpu()->ticks++;
    sched_tick();
    raise_softirq(SOFTIRQ_TIMER);
}

void run_timers(void)
{
    u64 now = clock_ns();
    u64 flags = irq_save();
    while (!list_empty(&clk.timers)) {
        struct timer *t = list_entry(clk.timers.next, struct timer, link);
        if (t->expires > now) break;
        list_del(&t->link);
        wake_up(t->wq);
    }
    irq_restore(flags);
}

static bool deadline_passed(void *arg)
{
    return clock_ns() >= *(u64 *)arg;
}

/* nanosleep(req, rem): sleeps on the timer queue; a signal ends it early
 * with -EINTR and the time left in *rem. */
long sys_nanosleep(struct trapframe *tf)
{
    struct timespec req;
    if (copy_from_user(&req, (const void *)tf->rdi, sizeof(req))) return -EFAULT;
    if (req.tv_sec < 0 || req.tv_nsec < 0 || (u64)req.tv_nsec >= NSEC_PER_SEC) return -EINVAL;
    struct wait_queue wq;
    wait_queue_init(&wq);
    struct timer t = {.expires = clock_ns() + (u64)req.tv_sec * NSEC_PER_SEC + (u64)req.tv_nsec,
                      .wq = &wq};
    timer_add(&t);
    int r = wait_event(&wq, deadline_passed, &t.expires);
    timer_del(&t);
    if (r == -EINTR && tf->rsi) {
        u64 left = t.expires - MIN(t.expires, clock_ns());
        struct timespec rem = {(i64)(left / NSEC_PER_SEC), (i64)(left % NSEC_PER_SEC)};
        if (copy_to_user((void *)tf->rsi, &rem, sizeof(rem))) return -EFAULT;
    }
    return r;
}

long sys_clock_gettime(struct trapframe *tf)
{
    if (tf->rdi != CLOCK_MONOTONIC) return -EINVAL;
    u64 now = clock_ns();
    struct timespec ts = {(i64)(now / NSEC_PER_SEC), (i64)(now % NSEC_PER_SEC)};
    return copy_to_user((void *)tf->rsi, &ts, sizeof(ts)) ? -EFAULT : 0;
}
