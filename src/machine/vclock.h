/* The virtual clock and its event queue (DESIGN.md §1, Determinism;
 * docs/clock.md).
 *
 * Guest time is derived from retired instructions: each instruction advances
 * the clock by VCLOCK_NS_PER_INSN nanoseconds, so the guest sees a 1 GHz
 * machine that retires one instruction per cycle. When the guest halts, time
 * jumps to the next scheduled event (vclock_skip_to), so an idle guest costs no
 * host CPU. Devices schedule callbacks on virtual time with vtimers; the run
 * loop executes the CPU up to the next deadline, then fires what is due.
 *
 * In host mode (--clock host, never the default) virtual time is the host's
 * monotonic clock since the machine was created: timers follow wall time and
 * the guest's idle periods really pass. */
#ifndef EMU_MACHINE_VCLOCK_H
#define EMU_MACHINE_VCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define VCLOCK_NS_PER_INSN 1ULL
#define VCLOCK_HZ          1000000000ULL /* ticks of the TSC per guest second */
#define VCLOCK_NEVER       UINT64_MAX

typedef void (*vtimer_fn)(void *opaque);

struct vtimer {
    uint64_t deadline;   // virtual ns; meaningful while armed
    vtimer_fn fn;        // called once when the deadline is reached
    void *opaque;        // the device
    struct vtimer *next; // queue link, sorted by deadline
    bool armed;
    struct vclock *clock;
    uint32_t epoch; // vclock epoch in which `fires` counts
    uint32_t fires; // times fired during that epoch
};

struct vclock {
    const uint64_t *icount;  // retired-instruction counter of the CPU that drives time
    void (*sync)(void *ctx); // brings *icount up to date mid-block (may be NULL)
    void *sync_ctx;
    uint64_t skipped_ns;  // time added by halts (vclock_skip_to)
    bool host;            // host mode: time is the host monotonic clock
    uint64_t host_origin; // host monotonic ns at virtual time 0
    struct vtimer *head;  // armed timers, earliest first
    uint32_t epoch;       // counts idle periods (vclock_new_epoch)
    /* Called when a timer is armed ahead of every other one: whoever runs
     * the CPU up to the next deadline must look again (may be NULL). */
    void (*earlier)(void *ctx);
    void *earlier_ctx;
};

void vclock_init(struct vclock *c, const uint64_t *icount);

/* Switches to host mode; virtual time continues from its current value. */
void vclock_set_host(struct vclock *c);

/* Host monotonic time in ns. */
uint64_t vclock_host_ns(void);

/* Current virtual time in ns. */
static inline uint64_t vclock_now(const struct vclock *c)
{
    if (c->sync) c->sync(c->sync_ctx);
    if (c->host) return vclock_host_ns() - c->host_origin;
    return *c->icount * VCLOCK_NS_PER_INSN + c->skipped_ns;
}

/* Deadline of the earliest armed timer, or VCLOCK_NEVER. */
static inline uint64_t vclock_next_deadline(const struct vclock *c)
{
    return c->head ? c->head->deadline : VCLOCK_NEVER;
}

/* Advances time to `t` without executing instructions (a halted CPU). In
 * host mode time advances by itself and this does nothing. */
void vclock_skip_to(struct vclock *c, uint64_t t);

/* Fires every timer whose deadline is <= now, in deadline order (ties in
 * arming order). A callback may re-arm its own or other timers. */
void vclock_run_due(struct vclock *c);

/* Starts a new idle period for vclock_all_fired_twice. */
void vclock_new_epoch(struct vclock *c);

/* True if every armed timer has fired at least twice in the current epoch
 * (and at least one is armed): the run loop's test that a halted CPU that
 * none of them woke will never wake (docs/clock.md). */
bool vclock_all_fired_twice(const struct vclock *c);

void vtimer_init(struct vtimer *t, struct vclock *c, vtimer_fn fn, void *opaque);
/* Arms (or re-arms) t to fire at absolute virtual time `deadline` ns. */
void vtimer_arm(struct vtimer *t, uint64_t deadline);
void vtimer_cancel(struct vtimer *t);

#endif
