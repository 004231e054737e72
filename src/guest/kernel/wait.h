/* Wait queues: where a task sleeps until something it waits for happens. */
#ifndef KERNEL_WAIT_H
#define KERNEL_WAIT_H

#include "list.h"
#include "types.h"

struct wait_queue {
    struct list_head sleepers; // tasks, through task.wait_link
};

void wait_queue_init(struct wait_queue *wq);

/* Sleeps on wq until cond(arg) is true (checked with interrupts disabled, so
 * a wake-up between the check and the sleep cannot be lost). Returns 0, or
 * -EINTR when a signal is pending for the task. Process context only. */
int wait_event(struct wait_queue *wq, bool (*cond)(void *arg), void *arg);

/* Makes every task sleeping on wq runnable; they re-check their condition.
 * Callable from interrupt handlers. */
void wake_up(struct wait_queue *wq);

#endif
