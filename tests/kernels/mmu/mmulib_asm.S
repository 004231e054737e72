/* mmulib_asm.S: the probe stubs (one page, mapped for ring 3 as well) and
 * the entry that runs one of them in ring 0 or ring 3. Every stub ends in
 * int $0x81, whose handler (mmulib.c) returns to mp_return in ring 0. */
#define SEL_UDATA 0x28
#define SEL_UCODE 0x30

        .section .text.mpstubs, "ax"
        .balign 4096
        .globl mp_stubs, mp_stub_read, mp_stub_write, mp_stub_exec, mp_stub_read_ac
        .globl mp_stub_write_ac
mp_stubs:
mp_stub_read:
        movq (%rdi), %rax
        int $0x81
mp_stub_write:
        movq $0x5a, %rax
        movq %rax, (%rdi)
        int $0x81
mp_stub_exec:
        jmp *%rdi
mp_stub_read_ac:
        stac
        movq (%rdi), %rax
        clac
        int $0x81
mp_stub_write_ac:
        stac
        movq $0x5a, %rax
        movq %rax, (%rdi)
        clac
        int $0x81
        .balign 4096

        .text
        .code64
/* void mp_enter(void *stub, uint64_t arg, int user, uint64_t user_rsp) */
        .globl mp_enter, mp_return
mp_enter:
        pushq %rbx
        pushq %rbp
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        movq %rsp, mp_saved_rsp(%rip)
        movq %rdi, %rax
        movq %rsi, %rdi
        testl %edx, %edx
        jnz 1f
        jmp *%rax
1:      pushq $(SEL_UDATA | 3)
        pushq %rcx
        pushq $2
        pushq $(SEL_UCODE | 3)
        pushq %rax
        iretq
mp_return:
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %rbp
        popq %rbx
        ret

        .data
        .balign 8
        .globl mp_saved_rsp
mp_saved_rsp:   .quad 0
        .section .note.GNU-stack,"",@progbits
