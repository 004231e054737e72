/* fault_asm.S: the instructions mmu-fault makes fault, one stub each. A
 * stub runs with the registers fx_enter gives it and ends in int $0x81
 * (mmulib's "done" vector); a fault on the way ends it early. The page of
 * stubs is page-aligned so that fault.c can map it for ring 3 too. */
#define SEL_UDATA  0x28
#define SEL_UCODE  0x30
#define USER_STACK 0x8080011000 /* mmulib: USER_ALIAS + 0x10000 + 4096 */

        .section .text.fxstubs, "ax"
        .balign 4096
        .globl fx_stubs, fx_rep_stosb, fx_rep_movsq, fx_push_at, fx_call, fx_call_ret
        .globl fx_ret, fx_add, fx_cmpxchg, fx_lock_cmpxchg, fx_xchg, fx_pop_mem
        .globl fx_push_mem, fx_movsq, fx_int80, fx_load_ds
fx_stubs:
/* rdi: destination, rcx: count, al: value */
fx_rep_stosb:
        rep stosb
        int $0x81
/* rsi: source, rdi: destination, rcx: count */
fx_rep_movsq:
        rep movsq
        int $0x81
/* rdi: the stack pointer to push at, rsi: the value; rax: RSP after it */
fx_push_at:
        movq %rdi, %rsp
        pushq %rsi
        movq %rsp, %rax
        movq mp_saved_rsp(%rip), %rsp
        int $0x81
/* rdi: the target; rsi: RSP before the call */
fx_call:
        movq %rsp, %rsi
        call *%rdi
fx_call_ret:
        int $0x81
/* rdi: where to return to */
fx_ret:
        pushq %rdi
        ret
/* rdi: a qword to read-modify-write */
fx_add:
        addq $1, (%rdi)
        int $0x81
fx_cmpxchg:
        movq $1, %rax
        movq $2, %rdx
        cmpxchgq %rdx, (%rdi)
        int $0x81
fx_lock_cmpxchg:
        movq $1, %rax
        movq $2, %rdx
        lock cmpxchgq %rdx, (%rdi)
        int $0x81
fx_xchg:
        movq $3, %rax
        xchgq %rax, (%rdi)
        int $0x81
/* rdi: the destination of POP; rsi: RSP before the POP */
fx_pop_mem:
        pushq $7
        movq %rsp, %rsi
        popq (%rdi)
        int $0x81
/* rdi: the source of PUSH; rsi: RSP before the PUSH */
fx_push_mem:
        movq %rsp, %rsi
        pushq (%rdi)
        popq %rax
        int $0x81
/* rsi: source, rdi: destination */
fx_movsq:
        movsq
        int $0x81
/* ring 3: a system call through a DPL-3 gate */
fx_int80:
        int $0x80
        int $0x81
/* di: a data-segment selector to load */
fx_load_ds:
        movw %di, %ds
        movw $0x10, %ax
        movw %ax, %ds
        int $0x81
        .balign 4096

        .text
        .code64
/* void fx_enter(void *stub, uint64_t rdi, uint64_t rsi, uint64_t rcx,
 *               uint64_t rax, int user): runs stub with those registers (at
 * CPL 3 on mmulib's user stack if user); returns through mp_return. */
        .globl fx_enter
fx_enter:
        pushq %rbx
        pushq %rbp
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        movq %rsp, mp_saved_rsp(%rip)
        movq %rdi, %r11
        movq %rsi, %rdi
        movq %rdx, %rsi
        movq %r8, %rax
        testl %r9d, %r9d
        jnz 1f
        jmp *%r11
1:      pushq $(SEL_UDATA | 3)
        movabsq $USER_STACK, %rdx
        pushq %rdx
        pushq $2
        pushq $(SEL_UCODE | 3)
        pushq %r11
        iretq
        .section .note.GNU-stack,"",@progbits
