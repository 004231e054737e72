/* Far transfers for calls.c. */
#define SEL_KCODE   0x08
#define SEL_KDATA   0x10
#define SEL_KCODE32 0x18

        .text
        .code64
/* uint64_t far_roundtrip(void): jump to a 32-bit code segment, compute
 * there, far-return to 64-bit mode. */
        .globl far_roundtrip
far_roundtrip:
        pushq %rbx
        movq %rsp, %rbx
        /* far pointer m16:32 for the jump into compat mode */
        ljmpl *compat_ptr(%rip)
back64:
        movq %rbx, %rsp
        popq %rbx
        shlq $32, %rdx
        orq %rdx, %rax
        ret

        .code32
compat_code:
        movl $0x12345678, %eax
        movl $3, %ecx
1:      roll $5, %eax
        addl $0x9E3779B9, %eax
        loop 1b
        movl %eax, %edx
        /* back to 64-bit code with a far return: push CS:EIP (32-bit operands) */
        pushl $SEL_KCODE
        pushl $back64
        lret

        .code64
/* uint64_t far_call_lret(uint64_t x): lcall through m16:64, lretq back. */
        .globl far_call_lret
far_call_lret:
        movq %rdi, %rax
        rex64 lcall *callee_ptr(%rip)
        ret
far_callee:
        imulq $31, %rax, %rax
        addq $7, %rax
        lretq

/* uint64_t iret_same(uint64_t x): build an interrupt frame and IRETQ to it. */
        .globl iret_same
iret_same:
        movq %rsp, %rcx
        pushq $SEL_KDATA
        pushq %rcx
        pushfq
        pushq $SEL_KCODE
        leaq 1f(%rip), %rax
        pushq %rax
        movq %rdi, %rax
        iretq
1:      addq $0x100, %rax
        ret

/* uint64_t enter_leave(uint64_t x): nested ENTER, frame pointers walked back. */
        .globl enter_leave
enter_leave:
        pushq %rbp
        movq %rsp, %rbp
        movq %rdi, -8(%rsp)
        enter $32, $3
        movq %rsp, %rax
        subq %rbp, %rax
        movq (%rbp), %rdx
        leave
        popq %rbp
        subq %rsp, %rdx
        addq %rdi, %rax
        shlq $8, %rax
        addq %rdx, %rax
        ret

        .section .data
        .balign 8
compat_ptr:
        .long compat_code
        .word SEL_KCODE32
        .balign 8
callee_ptr:
        .quad far_callee
        .word SEL_KCODE
        .section .note.GNU-stack,"",@progbits
