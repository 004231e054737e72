/* The local APIC timer (SDM §11.5.4): a 32-bit down-counter clocked by the
 * APIC bus (1 GHz, one tick per virtual ns) through the divide configuration;
 * one-shot, periodic and TSC-deadline modes. The count is computed from
 * virtual time; a vtimer is armed only when an unmasked expiry is ahead. */
#include "lapic_int.h"

static unsigned timer_mode(const struct lapic *l)
{
    return (l->lvt[LVT_TIMER] & LVT_TIMER_MODE_MASK) >> LVT_TIMER_MODE_SHIFT;
}

/* DCR bits 0,1,3: 000 -> /2, 001 -> /4, ... 110 -> /128, 111 -> /1. */
static unsigned shift_of(uint32_t dcr)
{
    unsigned v = (dcr & 3) | ((dcr >> 1) & 4);
    return (v + 1) & 7;
}

static uint64_t ticks_since_base(const struct lapic *l, uint64_t now)
{
    return (now - l->timer_base_ns) / APIC_BUS_NS_PER_TICK >> l->timer_shift;
}

static uint64_t tick_time(const struct lapic *l, uint64_t ticks)
{
    return l->timer_base_ns + (ticks << l->timer_shift) * APIC_BUS_NS_PER_TICK;
}

uint32_t lapic_timer_current(const struct lapic *l)
{
    if (timer_mode(l) == TIMER_TSC_DEADLINE || l->timer_base_count == 0) return 0;
    uint64_t t = ticks_since_base(l, vclock_now(l->clock));
    if (t < l->timer_base_count) return (uint32_t)(l->timer_base_count - t);
    if (timer_mode(l) != TIMER_PERIODIC) return 0;
    return (uint32_t)(l->timer_initial - (t - l->timer_base_count) % l->timer_initial);
}

/* Virtual time of the next expiry after `now`, or VCLOCK_NEVER. */
static uint64_t next_expiry(const struct lapic *l, uint64_t now)
{
    if (l->timer_base_count == 0) return VCLOCK_NEVER;
    uint64_t t = ticks_since_base(l, now);
    if (t < l->timer_base_count) return tick_time(l, l->timer_base_count);
    if (timer_mode(l) != TIMER_PERIODIC) return VCLOCK_NEVER;
    uint64_t periods = (t - l->timer_base_count) / l->timer_initial + 1;
    return tick_time(l, l->timer_base_count + periods * l->timer_initial);
}

static void rearm(struct lapic *l)
{
    if (timer_mode(l) == TIMER_TSC_DEADLINE) {
        if (l->tsc_deadline == 0) vtimer_cancel(&l->timer);
        return; /* armed by lapic_timer_write_deadline */
    }
    uint64_t at = VCLOCK_NEVER;
    if (!(l->lvt[LVT_TIMER] & LVT_MASKED)) at = next_expiry(l, vclock_now(l->clock));
    if (at == VCLOCK_NEVER)
        vtimer_cancel(&l->timer);
    else
        vtimer_arm(&l->timer, at);
}

static void timer_fire(void *opaque)
{
    struct lapic *l = opaque;
    if (timer_mode(l) == TIMER_TSC_DEADLINE) l->tsc_deadline = 0;
    lapic_local_deliver(l, LVT_TIMER);
    rearm(l);
}

void lapic_timer_init(struct lapic *l)
{
    vtimer_init(&l->timer, l->clock, timer_fire, l);
}

void lapic_timer_reset(struct lapic *l)
{
    l->timer_initial = 0;
    l->dcr = 0;
    l->timer_shift = shift_of(0);
    l->timer_base_count = 0;
    l->timer_base_ns = 0;
    l->tsc_deadline = 0;
    vtimer_cancel(&l->timer);
}

void lapic_timer_write_initial(struct lapic *l, uint32_t count)
{
    if (timer_mode(l) == TIMER_TSC_DEADLINE) return; /* ignored in TSC-deadline mode */
    l->timer_initial = count;
    l->timer_base_count = count;
    l->timer_base_ns = vclock_now(l->clock);
    rearm(l);
}

/* A new divider applies from now on, continuing from the current count. */
void lapic_timer_write_dcr(struct lapic *l, uint32_t dcr)
{
    uint32_t cur = lapic_timer_current(l);
    l->dcr = dcr & DCR_WRITABLE;
    l->timer_shift = shift_of(l->dcr);
    if (l->timer_base_count != 0) {
        l->timer_base_count = cur;
        l->timer_base_ns = vclock_now(l->clock);
    }
    rearm(l);
}

/* Changing into or out of TSC-deadline mode disarms the timer (SDM §11.5.4.1);
 * one-shot <-> periodic and masking keep it counting. */
void lapic_timer_lvt_changed(struct lapic *l, uint32_t old_lvt)
{
    unsigned old_mode = (old_lvt & LVT_TIMER_MODE_MASK) >> LVT_TIMER_MODE_SHIFT;
    unsigned mode = timer_mode(l);
    if ((old_mode == TIMER_TSC_DEADLINE) != (mode == TIMER_TSC_DEADLINE)) {
        l->timer_base_count = 0;
        l->tsc_deadline = 0;
        vtimer_cancel(&l->timer);
    }
    rearm(l);
}

/* IA32_TSC_DEADLINE: the timer fires when the TSC reaches `tsc_value` (one TSC
 * tick is one virtual ns); 0 disarms. Ignored outside TSC-deadline mode. */
void lapic_timer_write_deadline(struct lapic *l, uint64_t tsc_value)
{
    if (timer_mode(l) != TIMER_TSC_DEADLINE) return;
    l->tsc_deadline = tsc_value;
    if (tsc_value == 0) {
        vtimer_cancel(&l->timer);
        return;
    }
    uint64_t tsc = l->port.tsc ? l->port.tsc(l->port.ctx) : vclock_now(l->clock);
    uint64_t now = vclock_now(l->clock);
    uint64_t delta = tsc_value > tsc ? tsc_value - tsc : 0;
    vtimer_arm(&l->timer, delta < VCLOCK_NEVER - now ? now + delta : VCLOCK_NEVER - 1);
}
