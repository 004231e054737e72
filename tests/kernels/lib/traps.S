/* traps.S: one entry stub per vector. Each pushes a zero error code when the
 * CPU pushes none, then the vector, saves the general registers in the order
 * of struct trap_frame, calls trap_dispatch(frame) and returns with IRETQ. */
        .code64
        .text

.macro STUB v
        .balign 16
stub_\v:
        .if (\v == 8) || (\v >= 10 && \v <= 14) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30)
        .else
        pushq $0
        .endif
        pushq $\v
        jmp trap_common
.endm

        .globl trap_common
trap_common:
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
        call trap_dispatch
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

.altmacro
.macro STUBS from, to
        STUB \from
        .if \to-\from
        STUBS %(\from+1), \to
        .endif
.endm
        STUBS 0, 63
        STUBS 64, 127
        STUBS 128, 191
        STUBS 192, 255

.macro ADDR v
        .quad stub_\v
.endm
.macro ADDRS from, to
        ADDR \from
        .if \to-\from
        ADDRS %(\from+1), \to
        .endif
.endm
        .section .rodata
        .balign 8
        .globl trap_stubs
trap_stubs:
        ADDRS 0, 63
        ADDRS 64, 127
        ADDRS 128, 191
        ADDRS 192, 255
        .section .note.GNU-stack,"",@progbits
