#include "vclock.h"

#include <stddef.h>

void vclock_init(struct vclock *c, const uint64_t *icount)
{
    c->icount = icount;
    c->skipped_ns = 0;
    c->head = NULL;
}

void vclock_skip_to(struct vclock *c, uint64_t t)
{
    uint64_t now = vclock_now(c);
    if (t > now)
        c->skipped_ns += t - now;
}

void vtimer_init(struct vtimer *t, struct vclock *c, vtimer_fn fn, void *opaque)
{
    t->deadline = VCLOCK_NEVER;
    t->fn = fn;
    t->opaque = opaque;
    t->next = NULL;
    t->armed = false;
    t->clock = c;
}

void vtimer_cancel(struct vtimer *t)
{
    if (!t->armed)
        return;
    for (struct vtimer **p = &t->clock->head; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    t->next = NULL;
    t->armed = false;
}

void vtimer_arm(struct vtimer *t, uint64_t deadline)
{
    vtimer_cancel(t);
    t->deadline = deadline;
    t->armed = true;
    struct vtimer **p = &t->clock->head;
    while (*p && (*p)->deadline <= deadline)
        p = &(*p)->next;
    t->next = *p;
    *p = t;
}

void vclock_run_due(struct vclock *c)
{
    uint64_t now = vclock_now(c);
    while (c->head && c->head->deadline <= now) {
        struct vtimer *t = c->head;
        c->head = t->next;
        t->next = NULL;
        t->armed = false;
        t->fn(t->opaque);
    }
}
