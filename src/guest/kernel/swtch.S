/* swtch.S: the context switch.
 *
 *   void swtch(struct task *prev, struct task *next);
 *
 * Called by schedule() with interrupts disabled. Saves prev's callee-saved
 * registers on prev's kernel stack and the stack pointer in prev->ksp; loads
 * next's stack pointer and pops next's registers, so the final RET returns
 * into whatever next was doing when it last called swtch (or into fork_ret
 * for a new task). On the way it installs next's machine state:
 *   - TSS.RSP0: where the CPU puts next's stack on an interrupt from ring 3
 *     (and syscall_entry reads its kernel stack from there too);
 *   - the per-CPU `current` pointer;
 *   - CR3: next's address space. With PCID, CR3 bit 63 (no-flush) keeps the
 *     TLB entries of next's earlier runs; the kernel's are global anyway;
 *   - FS.base: next's thread-local storage (the user's FS base).
 * Caller-saved registers need no saving: the C caller assumes swtch
 * clobbers them, as any call. */
#include "cpu.h"
#include "mmu.h"
#include "proc.h"

        .text
        .globl swtch
swtch:
        pushq %rbp                      /* prev's callee-saved registers */
        pushq %rbx
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        movq %rsp, TASK_KSP(%rdi)       /* prev->ksp = rsp: prev is frozen here */

        movq TASK_KSP(%rsi), %rsp       /* rsp = next->ksp: from here on we are next */
        movq TASK_KSTACK_TOP(%rsi), %rax
        movq %rax, %gs:CPU_TSS_RSP0     /* TSS.RSP0 = next->kstack_top */
        movq %rsi, %gs:CPU_CURRENT      /* current = next */
        movq TASK_CR3(%rsi), %rax
        movq %rax, %cr3                 /* next's address space */
        movl $MSR_FS_BASE, %ecx
        movl TASK_FS_BASE(%rsi), %eax
        movl TASK_FS_BASE+4(%rsi), %edx
        wrmsr                           /* FS.base = next->fs_base */

        popq %r15                       /* next's callee-saved registers */
        popq %r14
        popq %r13
        popq %r12
        popq %rbx
        popq %rbp
        ret                             /* into next's schedule(), or fork_ret */

/* A new task's kernel stack is built (proc.c) so that its first swtch
 * "returns" here with RSP at its trap frame: leave to user mode the way
 * every trap does. */
        .globl fork_ret
fork_ret:
        jmp trapret
