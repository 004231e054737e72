/* syscall.c: the whole system-call path, in order.
 *
 *   user:   RAX = number, arguments in RDI RSI RDX R10 R8 R9, then SYSCALL.
 *   CPU:    RCX = RIP, R11 = RFLAGS, RFLAGS &= ~FMASK (interrupts off),
 *           CS/SS = STAR[47:32] (ring 0), RIP = LSTAR. RSP is still the user's.
 *   1. syscall_entry (assembly below): SWAPGS to reach this CPU's data, move
 *      to the task's kernel stack, save the registers as a struct trapframe.
 *   2. syscall_from_user(): interrupts back on, then syscall_dispatch().
 *   3. syscall_dispatch(): syscalls[RAX](tf) -- the table -- result in RAX;
 *      an unknown number gets -ENOSYS.
 *   4. the handler (sys_write in file.c, sys_fork in proc.c, ...).
 *   5. exit_to_user() (trap.c): reschedule if asked, die if killed.
 *   6. back in syscall_entry: SYSRETQ (RIP = RCX, RFLAGS = R11, ring 3) when
 *      the frame allows it, else the general path, IRETQ (trapret).
 * INT 0x80 (a DPL-3 IDT gate) reaches the same table through alltraps,
 * trap() and syscall_int80(), and always returns with IRETQ. Both use the
 * Linux x86_64 numbers (sysnum.h). */
#include "syscall.h"

#include "cpu.h"
#include "errno.h"
#include "exec.h"
#include "file.h"
#include "memlayout.h"
#include "mm.h"
#include "mmu.h"
#include "proc.h"
#include "sched.h"
#include "sys.h"
#include "sysnum.h"
#include "time.h"
#include "traps.h"
#include "x86.h"

#define STR(x)  #x
#define XSTR(x) STR(x)

/* 1 and 6: entry and exit. */
/* clang-format off */
__asm__(".text\n"
        ".globl syscall_entry\n"
        "syscall_entry:\n"
        "    swapgs\n"                                  /* GS.base = this CPU's struct cpu */
        "    movq %rsp, %gs:" XSTR(CPU_USER_RSP) "\n"   /* park the user's RSP */
        "    movq %gs:" XSTR(CPU_TSS_RSP0) ", %rsp\n"   /* the task's kernel stack */
        "    pushq $" XSTR(USER_DS) "\n"                /* the frame an interrupt builds: SS */
        "    pushq %gs:" XSTR(CPU_USER_RSP) "\n"        /* RSP */
        "    pushq %r11\n"                              /* RFLAGS, saved by SYSCALL in R11 */
        "    pushq $" XSTR(USER_CS) "\n"                /* CS */
        "    pushq %rcx\n"                              /* RIP, saved by SYSCALL in RCX */
        "    pushq $0\n"                                /* error code */
        "    pushq $" XSTR(TRAPNO_SYSCALL) "\n"         /* trapno */
        "    pushq %rax\n"                              /* the registers, as alltraps */
        "    pushq %rbx\n"
        "    pushq %rcx\n"
        "    pushq %rdx\n"
        "    pushq %rsi\n"
        "    pushq %rdi\n"
        "    pushq %rbp\n"
        "    pushq %r8\n"
        "    pushq %r9\n"
        "    pushq %r10\n"
        "    pushq %r11\n"
        "    pushq %r12\n"
        "    pushq %r13\n"
        "    pushq %r14\n"
        "    pushq %r15\n"
        "    movq %rsp, %rdi\n"
        "    call syscall_from_user\n"                  /* returns with interrupts off */
        "    testl %eax, %eax\n"
        "    jz trapret\n"                              /* SYSRET not safe: IRETQ */
        "    popq %r15\n"
        "    popq %r14\n"
        "    popq %r13\n"
        "    popq %r12\n"
        "    popq %r11\n"                               /* = RFLAGS, for SYSRET */
        "    popq %r10\n"
        "    popq %r9\n"
        "    popq %r8\n"
        "    popq %rbp\n"
        "    popq %rdi\n"
        "    popq %rsi\n"
        "    popq %rdx\n"
        "    popq %rcx\n"                               /* = RIP, for SYSRET */
        "    popq %rbx\n"
        "    popq %rax\n"                               /* the result */
        "    movq 40(%rsp), %rsp\n"                     /* the user's RSP (frame: trapno, err, rip, cs, rflags, rsp) */
        "    swapgs\n"                                  /* GS.base = the user's again */
        "    sysretq\n");
/* clang-format on */

/* 3: the table, indexed by Linux x86_64 system-call number. */
typedef long (*syscall_fn)(struct trapframe *tf);

static const syscall_fn syscalls[NR_SYSCALLS] = {
    [SYS_read] = sys_read,
    [SYS_write] = sys_write,
    [SYS_open] = sys_open,
    [SYS_close] = sys_close,
    [SYS_mmap] = sys_mmap,
    [SYS_munmap] = sys_munmap,
    [SYS_brk] = sys_brk,
    [SYS_sched_yield] = sys_sched_yield,
    [SYS_nanosleep] = sys_nanosleep,
    [SYS_getpid] = sys_getpid,
    [SYS_fork] = sys_fork,
    [SYS_execve] = sys_execve,
    [SYS_exit] = sys_exit,
    [SYS_wait4] = sys_wait4,
    [SYS_kill] = sys_kill,
    [SYS_uname] = sys_uname,
    [SYS_getrusage] = sys_getrusage,
    [SYS_getppid] = sys_getppid,
    [SYS_getpriority] = sys_getpriority,
    [SYS_setpriority] = sys_setpriority,
    [SYS_arch_prctl] = sys_arch_prctl,
    [SYS_reboot] = sys_reboot,
    [SYS_clock_gettime] = sys_clock_gettime,
    [SYS_exit_group] = sys_exit,
};

static void syscall_dispatch(struct trapframe *tf)
{
    u64 nr = tf->rax;
    if (nr < NR_SYSCALLS && syscalls[nr])
        tf->rax = (u64)syscalls[nr](tf);
    else
        tf->rax = (u64)-ENOSYS;
}

/* Whether SYSRETQ can restore this frame exactly (as Linux's
 * do_syscall_64 checks): it loads RIP from RCX and RFLAGS from R11, cannot
 * restore RF, and on Intel faults *in ring 0* on a non-canonical RCX. A
 * handler that rewrote the frame (execve) goes out by IRETQ instead. */
static bool can_sysret(const struct trapframe *tf)
{
    return tf->rcx == tf->rip && tf->r11 == tf->rflags && tf->cs == USER_CS && tf->ss == USER_DS &&
           tf->rip < USER_TOP && !(tf->rflags & (FL_RF | FL_TF));
}

/* 2 and 5: called by syscall_entry with interrupts off, on the kernel stack. */
bool syscall_from_user(struct trapframe *tf);
bool syscall_from_user(struct trapframe *tf)
{
    this_cpu()->syscall_count++;
    sti();
    syscall_dispatch(tf);
    cli();
    exit_to_user(tf);
    return can_sysret(tf);
}

/* INT 0x80: called by trap(); trap() then does exit_to_user(). */
void syscall_int80(struct trapframe *tf)
{
    sti();
    syscall_dispatch(tf);
    cli();
}

void syscall_init(void)
{
    extern char syscall_entry[];
    wrmsr(MSR_STAR, ((u64)STAR_SYSRET_BASE << 48) | ((u64)KERNEL_CS << 32));
    wrmsr(MSR_LSTAR, (u64)syscall_entry);
    wrmsr(MSR_FMASK, FL_IF | FL_TF | FL_DF | FL_AC | FL_NT | FL_IOPL); /* cleared on entry */
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}
