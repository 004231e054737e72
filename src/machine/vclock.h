/* The virtual clock and its event queue (DESIGN.md §1, Determinism).
 *
 * Guest time is derived from retired instructions: each instruction advances
 * the clock by VCLOCK_NS_PER_INSN nanoseconds, so the guest sees a 1 GHz
 * machine that retires one instruction per cycle. When the guest halts, time
 * jumps to the next scheduled event (vclock_skip_to), so an idle guest costs no
 * host CPU. Devices schedule callbacks on virtual time with vtimers; the run
 * loop executes the CPU up to the next deadline, then fires what is due. */
#ifndef EMU_MACHINE_VCLOCK_H
#define EMU_MACHINE_VCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define VCLOCK_NS_PER_INSN 1ULL
#define VCLOCK_HZ 1000000000ULL /* ticks of the TSC per guest second */
#define VCLOCK_NEVER UINT64_MAX

typedef void (*vtimer_fn)(void *opaque);

struct vtimer {
    uint64_t deadline;  // virtual ns; meaningful while armed
    vtimer_fn fn;       // called once when the deadline is reached
    void *opaque;       // the device
    struct vtimer *next; // queue link, sorted by deadline
    bool armed;
    struct vclock *clock;
};

struct vclock {
    const uint64_t *icount; // retired-instruction counter of the CPU that drives time
    uint64_t skipped_ns;    // time added by halts (vclock_skip_to)
    struct vtimer *head;    // armed timers, earliest first
};

void vclock_init(struct vclock *c, const uint64_t *icount);

/* Current virtual time in ns. */
static inline uint64_t vclock_now(const struct vclock *c)
{
    return *c->icount * VCLOCK_NS_PER_INSN + c->skipped_ns;
}

/* Deadline of the earliest armed timer, or VCLOCK_NEVER. */
static inline uint64_t vclock_next_deadline(const struct vclock *c)
{
    return c->head ? c->head->deadline : VCLOCK_NEVER;
}

/* Advances time to `t` without executing instructions (a halted CPU). */
void vclock_skip_to(struct vclock *c, uint64_t t);

/* Fires every timer whose deadline is <= now, in deadline order (ties in
 * arming order). A callback may re-arm its own or other timers. */
void vclock_run_due(struct vclock *c);

void vtimer_init(struct vtimer *t, struct vclock *c, vtimer_fn fn, void *opaque);
/* Arms (or re-arms) t to fire at absolute virtual time `deadline` ns. */
void vtimer_arm(struct vtimer *t, uint64_t deadline);
void vtimer_cancel(struct vtimer *t);

#endif
