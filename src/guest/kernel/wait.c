/* Wait queues. */
#include "wait.h"

#include "errno.h"
#include "proc.h"
#include "sched.h"
#include "x86.h"

void wait_queue_init(struct wait_queue *wq)
{
    list_init(&wq->sleepers);
}

int wait_event(struct wait_queue *wq, bool (*cond)(void *arg), void *arg)
{
    struct task *me = current_task();
    int r = 0;
    u64 flags = irq_save();
    while (!cond(arg)) {
        if (me->pending_sig) {
            r = -EINTR;
            break;
        }
        me->state = TASK_SLEEPING;
        list_add_tail(&me->wait_link, &wq->sleepers);
        schedule();
        list_del(&me->wait_link);
    }
    irq_restore(flags);
    return r;
}

void wake_up(struct wait_queue *wq)
{
    u64 flags = irq_save();
    struct list_head *pos;
    list_for_each(pos, &wq->sleepers) wake_up_process(list_entry(pos, struct task, wait_link));
    irq_restore(flags);
}
