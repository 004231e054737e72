/* The host side's entry and exit (see native.c). The context page sits at
 * DIFF_CTX (0x10200000): gpr[16] at 0x00, rflags at 0x80, the saved host
 * RSP at 0x88, the sequence address at 0x90, diff_native_exit at 0x98.
 *
 *   void diff_native_enter(void);
 *
 * loads every GPR and RFLAGS from the context page and jumps to the
 * sequence; the sequence ends with `jmp *0x98(ctx)`, which lands in
 * diff_native_exit: it stores every GPR and RFLAGS back and returns to the
 * caller of diff_native_enter. Only absolute addressing and MOVs touch
 * the state between POPFQ and the jump, so nothing else changes it.
 * Compatibility-mode sequences are entered through a far jump and left
 * through another (stubs in native.c); DS and ES hold the flat user data
 * selector so that 32-bit code can use them. */
#define CTX 0x10200000

    .text
    .globl diff_native_enter
    .type diff_native_enter, @function
diff_native_enter:
    mov $0x2b, %eax         /* __USER_DS: compatibility mode needs usable DS/ES */
    mov %eax, %ds
    mov %eax, %es
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, CTX + 0x88
    pushq CTX + 0x80
    popfq
    mov CTX + 0x00, %rax
    mov CTX + 0x08, %rcx
    mov CTX + 0x10, %rdx
    mov CTX + 0x18, %rbx
    mov CTX + 0x28, %rbp
    mov CTX + 0x30, %rsi
    mov CTX + 0x38, %rdi
    mov CTX + 0x40, %r8
    mov CTX + 0x48, %r9
    mov CTX + 0x50, %r10
    mov CTX + 0x58, %r11
    mov CTX + 0x60, %r12
    mov CTX + 0x68, %r13
    mov CTX + 0x70, %r14
    mov CTX + 0x78, %r15
    mov CTX + 0x20, %rsp
    jmp *CTX + 0x90
    .size diff_native_enter, . - diff_native_enter

    .globl diff_native_exit
    .type diff_native_exit, @function
diff_native_exit:
    mov %rax, CTX + 0x00
    mov %rcx, CTX + 0x08
    mov %rdx, CTX + 0x10
    mov %rbx, CTX + 0x18
    mov %rsp, CTX + 0x20
    mov %rbp, CTX + 0x28
    mov %rsi, CTX + 0x30
    mov %rdi, CTX + 0x38
    mov %r8, CTX + 0x40
    mov %r9, CTX + 0x48
    mov %r10, CTX + 0x50
    mov %r11, CTX + 0x58
    mov %r12, CTX + 0x60
    mov %r13, CTX + 0x68
    mov %r14, CTX + 0x70
    mov %r15, CTX + 0x78
    mov CTX + 0x88, %rsp
    pushfq
    popq CTX + 0x80
    cld
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret
    .size diff_native_exit, . - diff_native_exit

    .section .note.GNU-stack, "", @progbits
