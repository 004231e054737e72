/* Tasks (processes): Linux's task_struct, in miniature. */
#ifndef KERNEL_PROC_H
#define KERNEL_PROC_H

/* Offsets for swtch.S (checked in proc.c). */
#define TASK_KSP        0
#define TASK_KSTACK_TOP 8
#define TASK_CR3        16
#define TASK_FS_BASE    24

#ifndef __ASSEMBLER__
#include "cpu.h"
#include "list.h"
#include "rbtree.h"
#include "types.h"
#include "wait.h"

#define TASK_COMM_LEN 16
#define KSTACK_ORDER  2 /* 16 KiB kernel stacks */
#define KSTACK_SIZE   (4096 << KSTACK_ORDER)
#define NOFILE        8 /* open files per process */

enum task_state {
    TASK_RUNNING,  // on the CPU, or runnable in the scheduler's tree
    TASK_SLEEPING, // on a wait queue (interruptible: a signal wakes it)
    TASK_ZOMBIE,   // exited; its parent has not collected the status yet
};

struct mm;
struct file;

struct task {
    /* Read and written by swtch.S: keep first, in this order. */
    u64 ksp;        // saved kernel stack pointer while switched out
    u64 kstack_top; // top of the kernel stack: TSS.RSP0 while running
    u64 cr3;        // CR3 to load when switched in (PML4 | PCID | no-flush)
    u64 fs_base;    // user FS base (thread-local storage), arch_prctl(ARCH_SET_FS)

    int pid;
    char comm[TASK_COMM_LEN]; // program name
    enum task_state state;
    struct task *parent;
    struct list_head children;    // my children, through their `sibling`
    struct list_head sibling;     // link in parent->children
    struct list_head tasks;       // link in the list of all tasks
    struct wait_queue child_exit; // wait4 sleeps here until a child exits

    struct mm *mm;              // address space (NULL: the idle task)
    void *kstack;               // lowest address of the kernel stack
    struct trapframe *tf;       // user registers, at the top of the kernel stack
    struct file *files[NOFILE]; // open files, by descriptor

    /* CFS (sched.c) */
    int nice;                // -20 .. 19
    u32 weight;              // load weight from nice (1024 at nice 0)
    u64 vruntime;            // virtual runtime, ns weighted by NICE_0_WEIGHT / weight
    u64 exec_start;          // clock_ns() when last put on the CPU or accounted
    u64 sum_exec;            // total CPU time, ns
    u64 slice_start;         // sum_exec when last picked: the slice is measured from here
    struct rb_node run_node; // in the run queue's tree while runnable and not running
    bool on_rq;              // in that tree

    struct list_head wait_link; // on a wait queue while sleeping
    int pending_sig;            // a fatal signal to die of at the next return to user mode
    int exit_status;            // wait4 status word, once a zombie

    u64 nvcsw, nivcsw; // voluntary and involuntary context switches (getrusage)
    u64 minflt;        // page faults served (demand-zero and copy-on-write)
};

/* Turns the boot thread into the idle task (pid 0). */
void proc_init(void);
/* Creates pid 1 running the embedded program "init" with argv. */
void proc_start_init(char *const argv[]);
/* Ends the current task with wait4 status `status` (W_EXITCODE form). */
NORETURN void do_exit(int status);
/* Marks a fatal signal for t and wakes it if it sleeps. */
void send_signal(struct task *t, int sig);
/* The task with this pid, or NULL. */
struct task *find_task(int pid);
/* Calls fn for each task, in pid order (for /proc/tasks). */
void for_each_task(void (*fn)(const struct task *t, void *arg), void *arg);
/* "R" (running or runnable), "S" (sleeping), "Z" (zombie), as ps shows them. */
const char *task_state_name(enum task_state s);

long sys_getpid(struct trapframe *tf);
long sys_getppid(struct trapframe *tf);
long sys_fork(struct trapframe *tf);
long sys_exit(struct trapframe *tf);
long sys_wait4(struct trapframe *tf);
long sys_kill(struct trapframe *tf);
long sys_getrusage(struct trapframe *tf);
long sys_arch_prctl(struct trapframe *tf);

/* swtch.S: saves prev's kernel context and resumes next's. Called by
 * schedule() with interrupts disabled. */
void swtch(struct task *prev, struct task *next);
/* swtch.S: where a new task's first swtch returns to; goes to trapret. */
void fork_ret(void);
#endif

#endif
