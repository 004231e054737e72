/* The SYSCALL entry and the ways back to ring 3 for the trace test kernel.
 *
 *   void syscall_entry(void);          LSTAR: builds a struct trap_frame on
 *                                      the kernel stack, calls
 *                                      syscall_dispatch(frame), SYSRETQ
 *   void enter_user(struct trap_frame *f);   pops f and IRETQs into it
 *
 * One kernel stack serves every task (tasks only switch at a system call or
 * a fatal fault, by copying frames), so TSS.RSP0 and the SYSCALL stack are
 * the same: kstack_top. */
        .code64
        .text

#define USER_CS 0x33
#define USER_SS 0x2b
#define SYSCALL_MARK 0x100 /* trap_frame.vector of a SYSCALL frame */

        .globl syscall_entry
syscall_entry:
        movq %rsp, user_rsp(%rip)
        leaq kstack_top(%rip), %rsp
        pushq $USER_SS
        pushq user_rsp(%rip)
        pushq %r11                      /* RFLAGS */
        pushq $USER_CS
        pushq %rcx                      /* RIP */
        pushq $0                        /* error */
        pushq $SYSCALL_MARK             /* vector */
        pushq %rax
        pushq %rbx
        pushq %rcx
        pushq %rdx
        pushq %rsi
        pushq %rdi
        pushq %rbp
        pushq %r8
        pushq %r9
        pushq %r10
        pushq %r11
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        movq %rsp, %rdi
        cld
        call syscall_dispatch
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %r11
        popq %r10
        popq %r9
        popq %r8
        popq %rbp
        popq %rdi
        popq %rsi
        popq %rdx
        popq %rcx
        popq %rbx
        popq %rax
        addq $16, %rsp                  /* vector, error */
        popq %rcx                       /* RIP for SYSRET */
        addq $8, %rsp                   /* CS */
        popq %r11                       /* RFLAGS for SYSRET */
        popq %rsp                       /* the user's stack */
        sysretq

        .globl enter_user
enter_user:
        movq %rdi, %rsp
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %r11
        popq %r10
        popq %r9
        popq %r8
        popq %rbp
        popq %rdi
        popq %rsi
        popq %rdx
        popq %rcx
        popq %rbx
        popq %rax
        addq $16, %rsp
        iretq

        .bss
        .balign 16
user_rsp:       .skip 8
kstack:         .skip 16384
        .globl kstack_top
kstack_top:
        .section .note.GNU-stack,"",@progbits
