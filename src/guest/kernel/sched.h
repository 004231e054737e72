/* The scheduler: CFS in miniature (after Linux's kernel/sched/fair.c). */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include "types.h"

struct task;
struct trapframe;

#define NICE_0_WEIGHT 1024

void sched_init(struct task *idle);
/* Picks the next task and switches to it. The caller has set current's state
 * (TASK_RUNNING to stay runnable). Interrupts may be on or off; restored. */
void schedule(void);
/* Timer tick, from the timer's top half: charges the running task and asks
 * for a reschedule when its slice is used up. */
void sched_tick(void);
/* Makes a sleeping task runnable and preempts the current one if the woken
 * task is owed enough CPU time. Interrupt-safe. */
void wake_up_process(struct task *t);
/* Makes a new task runnable for the first time. */
void sched_new_task(struct task *t, const struct task *parent);
void sched_set_nice(struct task *t, int nice);
/* Runnable tasks (the running one included, idle excluded). */
unsigned sched_nr_running(void);

long sys_sched_yield(struct trapframe *tf);
long sys_getpriority(struct trapframe *tf);
long sys_setpriority(struct trapframe *tf);

#endif
