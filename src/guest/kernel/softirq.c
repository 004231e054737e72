/* The bottom half (as Linux's kernel/softirq.c, minus the threads): a top
 * half raises a softirq; the outermost interrupt runs the pending ones on
 * its way out, with interrupts enabled, so devices are not kept waiting
 * while the deferred work runs. */
#include "intr.h"

#include "cpu.h"
#include "time.h"
#include "tty.h"
#include "x86.h"

struct softirq_action {
    const char *name;
    void (*action)(void);
};

static const struct softirq_action softirqs[NR_SOFTIRQS] = {
    [SOFTIRQ_TIMER] = {"TIMER", run_timers},
    [SOFTIRQ_TTY] = {"TTY", tty_softirq},
};

static u64 counts[NR_SOFTIRQS];

void raise_softirq(enum softirq n)
{
    this_cpu()->softirq_pending |= 1u << n;
}

void do_softirq(void)
{
    struct cpu *c = this_cpu();
    if (c->in_softirq || c->irq_depth > 0) return; /* the outer level will run them */
    c->in_softirq = true;
    while (c->softirq_pending) {
        u32 pending = c->softirq_pending;
        c->softirq_pending = 0;
        sti(); /* interrupts may nest from here; they only raise more bits */
        for (int n = 0; n < NR_SOFTIRQS; n++) {
            if (pending & (1u << n)) {
                counts[n]++;
                softirqs[n].action();
            }
        }
        cli();
    }
    c->in_softirq = false;
}

u64 softirq_count(enum softirq n)
{
    return counts[n];
}

const char *softirq_name(enum softirq n)
{
    return softirqs[n].name;
}
