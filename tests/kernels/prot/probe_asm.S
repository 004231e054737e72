/* probe_asm.S: enter a probe function in ring 0 or ring 3 and come back
 * through probe_return, where the exception handler sends the CPU. */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x28
#define SEL_UCODE 0x30

        .text
        .code64
/* int probe_enter(void (*fn)(void), int user): 0 if fn returned, 1 if the
 * handler sent it back. */
        .globl probe_enter, probe_return, probe_rsp, probe_user_stack_top, probe_user_rflags
probe_enter:
        pushq %rbx
        pushq %rbp
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        movq %rsp, probe_rsp(%rip)
        testl %esi, %esi
        jnz 1f
        call *%rdi
        xorl %eax, %eax
        jmp 2f
1:      pushq $(SEL_UDATA | 3)
        pushq probe_user_stack_top(%rip)
        pushq probe_user_rflags(%rip)
        pushq $(SEL_UCODE | 3)
        pushq %rdi
        iretq
probe_return:
        movl $1, %eax
2:      popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %rbp
        popq %rbx
        ret

        .data
        .balign 8
probe_rsp:      .quad 0
probe_user_stack_top: .quad 0
probe_user_rflags: .quad 2     /* RFLAGS for ring-3 probes */
        .section .note.GNU-stack,"",@progbits
