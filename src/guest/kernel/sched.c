/* CFS in miniature (after Linux's kernel/sched/fair.c).
 *
 * Each task accumulates virtual runtime: the CPU time it used, scaled by
 * NICE_0_WEIGHT / weight, so a heavier (lower nice) task's clock runs
 * slower. Runnable tasks wait in a red-black tree ordered by vruntime; the
 * scheduler always runs the leftmost, the one that has received the least.
 * A task runs for its slice, sched_latency x weight / total weight, then the
 * tick asks for a reschedule. A task waking up is placed no further back
 * than min_vruntime - latency/2 (a bounded credit for having slept) and
 * preempts the running task if it is owed more than wakeup_granularity. */
#include "sched.h"

#include "cpu.h"
#include "errno.h"
#include "mm.h"
#include "proc.h"
#include "rbtree.h"
#include "time.h"
#include "traps.h"
#include "uapi.h"
#include "vm.h"
#include "x86.h"

#define SCHED_LATENCY_NS            (6 * NSEC_PER_MSEC) /* every runnable task runs once per period */
#define SCHED_MIN_GRANULARITY_NS    (750 * 1000ULL)     /* ... but slices are at least this long */
#define SCHED_WAKEUP_GRANULARITY_NS (1 * NSEC_PER_MSEC)

/* Linux's sched_prio_to_weight: each nice step is about 10% of CPU time. */
/* clang-format off */
static const u32 nice_to_weight[40] = {
    /* -20 */ 88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
    /* -10 */ 9548,  7620,  6100,  4904,  3906,  3121,  2501,  1991,  1586,  1277,
    /*   0 */ 1024,  820,   655,   526,   423,   335,   272,   215,   172,   137,
    /*  10 */ 110,   87,    70,    56,    45,    36,    29,    23,    18,    15,
};
/* clang-format on */

static struct {
    struct rb_root tree; // runnable tasks, not the running one, by vruntime
    u64 min_vruntime;    // never decreases: where newcomers are placed
    u64 load;            // total weight of runnable tasks (running one included)
    unsigned nr_running; // their number
    struct task *idle;   // runs when nothing else can
} rq;

static bool vruntime_less(const struct rb_node *a, const struct rb_node *b)
{
    const struct task *x = container_of(a, struct task, run_node);
    const struct task *y = container_of(b, struct task, run_node);
    i64 d = (i64)(x->vruntime - y->vruntime);
    return d < 0 || (d == 0 && x->pid < y->pid);
}

static void enqueue(struct task *t)
{
    rb_insert(&rq.tree, &t->run_node, vruntime_less);
    t->on_rq = true;
}

static void dequeue(struct task *t)
{
    rb_erase(&rq.tree, &t->run_node);
    t->on_rq = false;
}

static struct task *leftmost(void)
{
    struct rb_node *n = rb_first(&rq.tree);
    return n ? container_of(n, struct task, run_node) : NULL;
}

/* The smaller of two vruntimes (they may wrap: compare the difference). */
static u64 vmin(u64 a, u64 b)
{
    return (i64)(a - b) < 0 ? a : b;
}

/* min_vruntime follows the smallest vruntime among the runnable tasks (the
 * running one and the leftmost waiting one), and never goes back. */
static void update_min_vruntime(struct task *curr)
{
    struct task *left = leftmost();
    bool running = curr != rq.idle && curr->state == TASK_RUNNING;
    if (!running && !left) return;
    u64 v = running && left ? vmin(curr->vruntime, left->vruntime)
            : running       ? curr->vruntime
                            : left->vruntime;
    if ((i64)(v - rq.min_vruntime) > 0) rq.min_vruntime = v;
}

/* Charges the running task for the time since it was last charged. */
static void update_curr(void)
{
    struct task *curr = current_task();
    u64 now = clock_ns();
    u64 delta = now - curr->exec_start;
    curr->exec_start = now;
    if (curr == rq.idle) return;
    curr->sum_exec += delta;
    curr->vruntime += delta * NICE_0_WEIGHT / curr->weight;
    update_min_vruntime(curr);
}

static u64 sched_slice(const struct task *t)
{
    u64 period = SCHED_LATENCY_NS;
    if (rq.nr_running > SCHED_LATENCY_NS / SCHED_MIN_GRANULARITY_NS)
        period = rq.nr_running * SCHED_MIN_GRANULARITY_NS;
    return rq.load ? period * t->weight / rq.load : period;
}

void sched_init(struct task *idle)
{
    rq.idle = idle;
    idle->exec_start = clock_ns();
}

/* The CR3 value that switches to t's address space. */
static u64 task_cr3(struct task *t)
{
    return t->mm ? mm_cr3(t->mm) : kernel_cr3 | (cpu_has.pcid ? CR3_NOFLUSH : 0);
}

/* Takes prev off the CPU (back into the tree, or out of the load when it
 * sleeps or exits) and returns the task to run next, off the tree. */
static struct task *pick_next(struct task *prev)
{
    if (prev != rq.idle) {
        if (prev->state == TASK_RUNNING) {
            enqueue(prev);
        } else {
            rq.load -= prev->weight;
            rq.nr_running--;
        }
    }
    struct task *next = leftmost();
    if (!next) return rq.idle;
    dequeue(next);
    return next;
}

void schedule(void)
{
    u64 flags = irq_save();
    struct cpu *c = this_cpu();
    struct task *prev = c->current;
    c->need_resched = false;
    update_curr();
    struct task *next = pick_next(prev);
    next->exec_start = clock_ns();
    next->slice_start = next->sum_exec;
    if (next != prev) {
        if (prev->state == TASK_RUNNING)
            prev->nivcsw++; /* preempted (or yielded) while still runnable */
        else
            prev->nvcsw++; /* went to sleep or exited */
        c->context_switches++;
        next->cr3 = task_cr3(next);
        swtch(prev, next); /* returns when someone switches back to prev */
    }
    irq_restore(flags);
}

void sched_tick(void)
{
    struct task *curr = current_task();
    update_curr();
    if (curr == rq.idle) {
        if (rq.nr_running) this_cpu()->need_resched = true;
    } else if (leftmost() && curr->sum_exec - curr->slice_start >= sched_slice(curr)) {
        this_cpu()->need_resched = true;
    }
}

/* Preempt the running task if t is owed more than the wake-up granularity. */
static void check_preempt(struct task *t)
{
    struct task *curr = current_task();
    if (curr == rq.idle) {
        this_cpu()->need_resched = true;
        return;
    }
    update_curr();
    u64 gran = SCHED_WAKEUP_GRANULARITY_NS * NICE_0_WEIGHT / t->weight;
    if ((i64)(curr->vruntime - t->vruntime) > (i64)gran) this_cpu()->need_resched = true;
}

void wake_up_process(struct task *t)
{
    u64 flags = irq_save();
    if (t->state == TASK_SLEEPING) {
        u64 floor = rq.min_vruntime - SCHED_LATENCY_NS / 2;
        if ((i64)(t->vruntime - floor) < 0) t->vruntime = floor; /* sleeper credit, bounded */
        t->state = TASK_RUNNING;
        rq.load += t->weight;
        rq.nr_running++;
        if (t != current_task()) {
            enqueue(t);
            check_preempt(t);
        }
    }
    irq_restore(flags);
}

void sched_new_task(struct task *t, const struct task *parent)
{
    u64 flags = irq_save();
    sched_set_nice(t, parent ? parent->nice : 0);
    rq.load += t->weight;
    rq.nr_running++;
    u64 start = rq.min_vruntime + sched_slice(t) * NICE_0_WEIGHT / t->weight;
    t->vruntime = parent && (i64)(parent->vruntime - start) > 0 ? parent->vruntime : start;
    t->state = TASK_RUNNING;
    t->exec_start = clock_ns();
    enqueue(t);
    check_preempt(t);
    irq_restore(flags);
}

void sched_set_nice(struct task *t, int nice)
{
    u64 flags = irq_save();
    u32 old = t->weight;
    t->nice = MAX(NICE_MIN, MIN(NICE_MAX, nice));
    t->weight = nice_to_weight[t->nice - NICE_MIN];
    if (old && t->state == TASK_RUNNING) rq.load = rq.load - old + t->weight;
    irq_restore(flags);
}

unsigned sched_nr_running(void)
{
    return rq.nr_running;
}

/* sched_yield(): go behind the leftmost task, so the others get a turn. */
long sys_sched_yield(struct trapframe *tf)
{
    (void)tf;
    u64 flags = irq_save();
    struct task *curr = current_task(), *left = leftmost();
    update_curr();
    if (left && (i64)(curr->vruntime - left->vruntime) <= 0) curr->vruntime = left->vruntime + 1;
    schedule();
    irq_restore(flags);
    return 0;
}

static struct task *find_target(u64 which, u64 who)
{
    if (which != PRIO_PROCESS) return NULL;
    return who == 0 ? current_task() : find_task((int)who);
}

/* Returns 20 - nice, as Linux's system call does (so it is never negative). */
long sys_getpriority(struct trapframe *tf)
{
    struct task *t = find_target(tf->rdi, tf->rsi);
    return t ? 20 - t->nice : -ESRCH;
}

long sys_setpriority(struct trapframe *tf)
{
    struct task *t = find_target(tf->rdi, tf->rsi);
    if (!t) return -ESRCH;
    sched_set_nice(t, (int)tf->rdx);
    return 0;
}
