/* trap(): where every interrupt and exception arrives (from alltraps in
 * trapasm.S), and the work done on every return to user mode. */
#include "cpu.h"
#include "intr.h"
#include "mm.h"
#include "oops.h"
#include "printk.h"
#include "proc.h"
#include "sched.h"
#include "syscall.h"
#include "time.h"
#include "traps.h"
#include "uaccess.h"
#include "uapi.h"
#include "uart.h"
#include "x86.h"

/* Top halves, by vector. Each runs with interrupts disabled and must be
 * quick: take the data from the device, raise a softirq for the rest. */
static void (*const irq_handlers[NVECTORS])(void) = {
    [VEC_LAPIC_TIMER] = timer_intr,
    [VEC_COM1] = uart_intr,
    [VEC_KEYBOARD] = kbd_intr,
    [VEC_LAPIC_ERROR] = lapic_error_intr,
};

/* The signal a user-mode exception kills with (as Linux maps them). */
static const int exception_signals[NR_EXCEPTIONS] = {
    [X86_TRAP_DE] = SIGFPE,  [X86_TRAP_DB] = SIGTRAP, [X86_TRAP_BP] = SIGTRAP,
    [X86_TRAP_OF] = SIGSEGV, [X86_TRAP_BR] = SIGSEGV, [X86_TRAP_UD] = SIGILL,
    [X86_TRAP_NM] = SIGSEGV, [X86_TRAP_NP] = SIGBUS,  [X86_TRAP_SS] = SIGBUS,
    [X86_TRAP_GP] = SIGSEGV, [X86_TRAP_PF] = SIGSEGV, [X86_TRAP_MF] = SIGFPE,
    [X86_TRAP_AC] = SIGBUS,  [X86_TRAP_XF] = SIGFPE,
};

/* A device interrupt: top half, EOI, then the bottom half on the way out
 * (Linux's irq_enter / handler / irq_exit). */
static void irq(struct trapframe *tf)
{
    unsigned v = (unsigned)tf->trapno;
    struct cpu *c = this_cpu();
    if (v == VEC_SPURIOUS || v == VEC_PIC_SPURIOUS_MASTER || v == VEC_PIC_SPURIOUS_SLAVE)
        return; /* nothing to acknowledge (SDM Vol. 3A, 11.9: no EOI for spurious) */
    c->irq_depth++;
    if (irq_handlers[v])
        irq_handlers[v]();
    else
        printk("trap: unexpected interrupt, vector %#x\n", v);
    lapic_eoi();
    c->irq_depth--;
    do_softirq();
}

/* An exception in user mode: report it as Linux does and kill the task. */
static void user_exception(struct trapframe *tf, u64 cr2)
{
    struct task *t = current_task();
    unsigned v = (unsigned)tf->trapno;
    int sig = exception_signals[v] ? exception_signals[v] : SIGSEGV;
    if (v == X86_TRAP_PF)
        printk("%s[%d]: segfault at %lx ip %016lx sp %016lx error %lx\n", t->comm, t->pid, cr2,
               tf->rip, tf->rsp, tf->err);
    else
        printk("traps: %s[%d] %s ip:%lx sp:%lx error:%lx\n", t->comm, t->pid, vector_name(v),
               tf->rip, tf->rsp, tf->err);
    send_signal(t, sig);
}

/* Out of memory while serving a fault: kill the task (Linux's OOM killer
 * picks the largest; here the one that asked). */
static void out_of_memory(struct task *t)
{
    printk("Out of memory: killed %s[%d]\n", t->comm, t->pid);
    send_signal(t, SIGKILL);
}

static void exception(struct trapframe *tf)
{
    u64 cr2 = 0;
    if (tf->trapno == X86_TRAP_PF) {
        cr2 = read_cr2();
        /* A user page not mapped yet, or copy-on-write; from the kernel
         * only inside copy_to/from_user. */
        enum fault_result r = FAULT_BAD_ACCESS;
        if (tf_from_user(tf) || in_user_access(tf->rip)) r = page_fault_resolve(tf, cr2);
        if (r == FAULT_RESOLVED) return;
        if (r == FAULT_NO_MEMORY && tf_from_user(tf)) {
            out_of_memory(current_task());
            return;
        }
        if (!tf_from_user(tf) && fixup_exception(tf))
            return; /* a bad user pointer (or no memory): the copy fails with -EFAULT */
    }
    if (tf_from_user(tf))
        user_exception(tf, cr2);
    else
        oops(tf, cr2);
}

/* An NMI can arrive anywhere, even in syscall_entry before its SWAPGS,
 * where GS.base is still the user's: so no this_cpu() here (the CPU is
 * cpu0, reached by its name). No device of this machine raises NMIs on
 * purpose: say so and go on, as Linux does. */
static void nmi(void)
{
    extern struct cpu cpu0;
    cpu0.irq_count[X86_TRAP_NMI]++;
    printk("Uhhuh. NMI received for unknown reason on CPU 0.\n");
}

void trap(struct trapframe *tf)
{
    if (tf->trapno == X86_TRAP_NMI) {
        nmi();
        return;
    }
    if (tf->trapno < NVECTORS) this_cpu()->irq_count[tf->trapno]++;
    if (tf->trapno == VEC_SYSCALL)
        syscall_int80(tf);
    else if (tf->trapno < NR_EXCEPTIONS)
        exception(tf);
    else
        irq(tf);
    if (tf_from_user(tf)) exit_to_user(tf);
}

void exit_to_user(struct trapframe *tf)
{
    (void)tf;
    for (;;) {
        struct task *t = current_task();
        if (t->pending_sig) do_exit(W_EXITCODE(0, t->pending_sig));
        if (!this_cpu()->need_resched) return;
        schedule();
    }
}
