#include "vclock.h"

#include <stddef.h>
#include <time.h>

#define NS_PER_SEC 1000000000ULL

void vclock_init(struct vclock *c, const uint64_t *icount)
{
    c->icount = icount;
    c->sync = NULL;
    c->sync_ctx = NULL;
    c->skipped_ns = 0;
    c->host = false;
    c->host_origin = 0;
    c->head = NULL;
    c->epoch = 0;
    c->earlier = NULL;
    c->earlier_ctx = NULL;
}

uint64_t vclock_host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

void vclock_set_host(struct vclock *c)
{
    uint64_t now = vclock_now(c);
    c->host_origin = vclock_host_ns() - now;
    c->host = true;
}

void vclock_skip_to(struct vclock *c, uint64_t t)
{
    if (c->host) return;
    uint64_t now = vclock_now(c);
    if (t > now) c->skipped_ns += t - now;
}

void vtimer_init(struct vtimer *t, struct vclock *c, vtimer_fn fn, void *opaque)
{
    t->deadline = VCLOCK_NEVER;
    t->fn = fn;
    t->opaque = opaque;
    t->next = NULL;
    t->armed = false;
    t->clock = c;
    t->epoch = 0;
    t->fires = 0;
}

void vtimer_cancel(struct vtimer *t)
{
    if (!t->armed) return;
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
    struct vclock *c = t->clock;
    struct vtimer **p = &c->head;
    while (*p && (*p)->deadline <= deadline)
        p = &(*p)->next;
    t->next = *p;
    *p = t;
    if (c->head == t && c->earlier) c->earlier(c->earlier_ctx);
}

static void count_fire(struct vclock *c, struct vtimer *t)
{
    if (t->epoch != c->epoch) {
        t->epoch = c->epoch;
        t->fires = 0;
    }
    if (t->fires < UINT32_MAX) t->fires++;
}

void vclock_run_due(struct vclock *c)
{
    uint64_t now = vclock_now(c);
    while (c->head && c->head->deadline <= now) {
        struct vtimer *t = c->head;
        c->head = t->next;
        t->next = NULL;
        t->armed = false;
        count_fire(c, t);
        t->fn(t->opaque);
    }
}

void vclock_new_epoch(struct vclock *c)
{
    c->epoch++;
}

bool vclock_all_fired_twice(const struct vclock *c)
{
    if (!c->head) return false;
    for (const struct vtimer *t = c->head; t; t = t->next)
        if (t->epoch != c->epoch || t->fires < 2) return false;
    return true;
}
