/* Tasks: creation (fork), the end of a task (exit), collecting it (wait4),
 * signals (kill). */
#include "proc.h"

#include "errno.h"
#include "exec.h"
#include "file.h"
#include "mm.h"
#include "page.h"
#include "power.h"
#include "printk.h"
#include "sched.h"
#include "slab.h"
#include "str.h"
#include "traps.h"
#include "uaccess.h"
#include "uapi.h"
#include "vm.h"
#include "x86.h"

_Static_assert(offsetof(struct task, ksp) == TASK_KSP, "TASK_KSP");
_Static_assert(offsetof(struct task, kstack_top) == TASK_KSTACK_TOP, "TASK_KSTACK_TOP");
_Static_assert(offsetof(struct task, cr3) == TASK_CR3, "TASK_CR3");
_Static_assert(offsetof(struct task, fs_base) == TASK_FS_BASE, "TASK_FS_BASE");

extern char boot_stack[], boot_stack_top[]; /* entry.S */

static struct {
    struct list_head all; // every task, by pid
    int next_pid;
    struct task *init;        // pid 1: adopts orphans
    struct kmem_cache *cache; // "task_struct"
    struct task idle;         // pid 0: the boot thread
} procs = {.all = LIST_HEAD_INIT(procs.all)};

static void task_setup(struct task *t, const char *comm, struct task *parent)
{
    t->pid = procs.next_pid++;
    strlcpy(t->comm, comm, sizeof(t->comm));
    t->parent = parent;
    list_init(&t->children);
    list_init(&t->sibling);
    list_init(&t->wait_link);
    wait_queue_init(&t->child_exit);
    if (parent) list_add_tail(&t->sibling, &parent->children);
    list_add_tail(&t->tasks, &procs.all);
}

void proc_init(void)
{
    procs.cache = kmem_cache_create("task_struct", sizeof(struct task));
    struct task *idle = &procs.idle;
    task_setup(idle, "idle", NULL);
    idle->kstack = boot_stack;
    idle->kstack_top = (u64)boot_stack_top;
    idle->cr3 = kernel_cr3;
    idle->weight = NICE_0_WEIGHT;
    this_cpu()->current = idle;
    tss_set_rsp0(idle->kstack_top);
    sched_init(idle);
}

/* A new task with a kernel stack whose first swtch() returns to fork_ret,
 * which leaves through trapret with the trap frame at the stack's top. */
static struct task *task_alloc(const char *comm, struct task *parent)
{
    struct task *t = kmem_cache_alloc(procs.cache);
    struct page *stack = t ? alloc_pages(KSTACK_ORDER) : NULL;
    if (!stack) {
        if (t) kmem_cache_free(procs.cache, t);
        return NULL;
    }
    t->kstack = page_address(stack);
    t->kstack_top = (u64)t->kstack + KSTACK_SIZE;
    t->tf = (struct trapframe *)(t->kstack_top - sizeof(struct trapframe));
    u64 *sp = (u64 *)t->tf;
    *--sp = (u64)fork_ret; /* swtch's RET goes here */
    for (int i = 0; i < 6; i++)
        *--sp = 0; /* RBP RBX R12-R15 for swtch to pop */
    t->ksp = (u64)sp;
    task_setup(t, comm, parent);
    return t;
}

/* Frees what is left of a zombie once its parent has its status. */
static void task_free(struct task *t)
{
    list_del(&t->sibling);
    list_del(&t->tasks);
    free_pages(virt_to_page(t->kstack), KSTACK_ORDER);
    kmem_cache_free(procs.cache, t);
}

void proc_start_init(char *const argv[])
{
    struct task *t = task_alloc("init", NULL);
    if (!t) panic("no memory for init");
    procs.init = t;
    int r = exec_task(t, "init", argv);
    if (r < 0) panic("cannot run init: error %d", r);
    t->files[0] = t->files[1] = t->files[2] = console_open();
    file_get(t->files[0]);
    file_get(t->files[0]);
    sched_new_task(t, NULL);
}

struct task *find_task(int pid)
{
    struct list_head *pos;
    list_for_each(pos, &procs.all)
    {
        struct task *t = list_entry(pos, struct task, tasks);
        if (t->pid == pid) return t;
    }
    return NULL;
}

void for_each_task(void (*fn)(const struct task *t, void *arg), void *arg)
{
    struct list_head *pos;
    list_for_each(pos, &procs.all) fn(list_entry(pos, struct task, tasks), arg);
}

const char *task_state_name(enum task_state s)
{
    static const char *names[] = {[TASK_RUNNING] = "R", [TASK_SLEEPING] = "S", [TASK_ZOMBIE] = "Z"};
    return names[s];
}

long sys_getpid(struct trapframe *tf)
{
    (void)tf;
    return current_task()->pid;
}

long sys_getppid(struct trapframe *tf)
{
    (void)tf;
    struct task *p = current_task()->parent;
    return p ? p->pid : 0;
}

/* fork(): a new task with a copy-on-write copy of the address space and a
 * copy of the caller's trap frame, in which the child sees RAX = 0. */
long sys_fork(struct trapframe *tf)
{
    struct task *parent = current_task();
    struct task *child = task_alloc(parent->comm, parent);
    if (!child) return -ENOMEM;
    child->mm = mm_fork(parent->mm);
    if (!child->mm) {
        task_free(child);
        return -ENOMEM;
    }
    *child->tf = *tf;
    child->tf->rax = 0;
    child->fs_base = parent->fs_base;
    for (int fd = 0; fd < NOFILE; fd++)
        if ((child->files[fd] = parent->files[fd])) file_get(child->files[fd]);
    sched_new_task(child, parent);
    return child->pid;
}

/* Gives t's children to init; wakes init if one of them is already a zombie. */
static void reparent_children(struct task *t)
{
    bool zombie = false;
    while (!list_empty(&t->children)) {
        struct task *c = list_entry(t->children.next, struct task, sibling);
        list_del(&c->sibling);
        c->parent = procs.init;
        list_add_tail(&c->sibling, &procs.init->children);
        zombie |= c->state == TASK_ZOMBIE;
    }
    if (zombie) wake_up(&procs.init->child_exit);
}

/* init must not exit: like Linux ("Attempted to kill init!") this ends the
 * machine, here through isa-debug-exit with init's exit code. */
static NORETURN void init_exited(int status)
{
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    printk("init: exited with status %d: stopping the machine\n", code);
    machine_exit((u32)code);
}

void do_exit(int status)
{
    struct task *t = current_task();
    if (t == procs.init) init_exited(status);
    for (int fd = 0; fd < NOFILE; fd++)
        file_close(t, fd);
    struct mm *mm = t->mm;
    t->mm = NULL;
    t->cr3 = kernel_cr3 | (cpu_has.pcid ? CR3_NOFLUSH : 0);
    write_cr3(t->cr3); /* off the address space before freeing it (its PCID is
                          flushed when an mm reuses it) */
    mm_destroy(mm);
    cli();
    reparent_children(t);
    t->exit_status = status;
    t->state = TASK_ZOMBIE;
    wake_up(&t->parent->child_exit);
    schedule();
    panic("zombie %d ran again", t->pid);
}

long sys_exit(struct trapframe *tf)
{
    do_exit(W_EXITCODE((int)(tf->rdi & 0xFF), 0));
}

struct wait_args {
    struct task *parent;
    int pid;             // -1: any child
    struct task *zombie; // out: a child to collect
    bool any;            // out: a matching child exists
};

static bool child_exited(void *arg)
{
    struct wait_args *w = arg;
    struct list_head *pos;
    w->any = false;
    list_for_each(pos, &w->parent->children)
    {
        struct task *c = list_entry(pos, struct task, sibling);
        if (w->pid != -1 && c->pid != w->pid) continue;
        w->any = true;
        if (c->state == TASK_ZOMBIE) {
            w->zombie = c;
            return true;
        }
    }
    return !w->any; /* nothing to wait for: stop waiting */
}

static void fill_rusage(const struct task *t, struct rusage *ru)
{
    memset(ru, 0, sizeof(*ru));
    ru->ru_utime.tv_sec = (i64)(t->sum_exec / 1000000000);
    ru->ru_utime.tv_usec = (i64)(t->sum_exec / 1000 % 1000000);
    ru->ru_minflt = (i64)t->minflt;
    ru->ru_nvcsw = (i64)t->nvcsw;
    ru->ru_nivcsw = (i64)t->nivcsw;
}

/* wait4(pid, status, options, rusage): collects an exited child. */
long sys_wait4(struct trapframe *tf)
{
    struct wait_args w = {.parent = current_task(), .pid = (int)tf->rdi};
    if (w.pid < -1 || w.pid == 0) return -EINVAL; /* no process groups here */
    if (tf->rdx & WNOHANG) {
        if (!child_exited(&w)) return 0;
    } else if (wait_event(&w.parent->child_exit, child_exited, &w) < 0) {
        return -EINTR;
    }
    if (!w.zombie) return -ECHILD;
    struct task *c = w.zombie;
    int status = c->exit_status, pid = c->pid;
    struct rusage ru;
    fill_rusage(c, &ru);
    if ((tf->rsi && copy_to_user((void *)tf->rsi, &status, sizeof(status))) ||
        (tf->r10 && copy_to_user((void *)tf->r10, &ru, sizeof(ru))))
        return -EFAULT;
    task_free(c);
    return pid;
}

void send_signal(struct task *t, int sig)
{
    u64 flags = irq_save();
    if (!t->pending_sig) t->pending_sig = sig;
    if (t->state == TASK_SLEEPING) wake_up_process(t);
    irq_restore(flags);
}

/* kill(pid, sig): every signal is fatal here (no handlers); sig 0 only
 * checks that pid exists. init cannot be killed, as on Linux. */
long sys_kill(struct trapframe *tf)
{
    int pid = (int)tf->rdi, sig = (int)tf->rsi;
    if (sig < 0 || sig >= NSIG || pid <= 0) return -EINVAL;
    struct task *t = find_task(pid);
    if (!t || t->state == TASK_ZOMBIE) return -ESRCH;
    if (t == procs.init) return -EPERM;
    if (sig) send_signal(t, sig);
    return 0;
}

long sys_getrusage(struct trapframe *tf)
{
    if ((int)tf->rdi != RUSAGE_SELF) return -EINVAL;
    struct rusage ru;
    fill_rusage(current_task(), &ru);
    return copy_to_user((void *)tf->rsi, &ru, sizeof(ru)) ? -EFAULT : 0;
}

/* arch_prctl(ARCH_SET_FS / ARCH_GET_FS, addr): the user's FS base, which
 * swtch reloads for each task. */
long sys_arch_prctl(struct trapframe *tf)
{
    struct task *t = current_task();
    if (tf->rdi == ARCH_SET_FS) {
        if (tf->rsi >= USER_TOP) return -EPERM;
        t->fs_base = tf->rsi;
        wrmsr(MSR_FS_BASE, t->fs_base);
        return 0;
    }
    if (tf->rdi == ARCH_GET_FS)
        return copy_to_user((void *)tf->rsi, &t->fs_base, sizeof(t->fs_base)) ? -EFAULT : 0;
    return -EINVAL;
}
