/* trapasm.S: the 256 IDT entry stubs and the common trap path.
 *
 * Every vector has a stub that makes the stack uniform (pushes 0 where the
 * CPU pushes no error code, then the vector number) and jumps to alltraps,
 * which saves the general registers as a struct trapframe (traps.h) and
 * calls trap(tf). trapret undoes it and returns with IRETQ. From ring 3,
 * SWAPGS on the way in and out exchanges the user's GS base with the
 * kernel's per-CPU pointer. */
#include "traps.h"

/* Bit n set: the CPU pushes an error code for exception n (SDM Vol. 3A,
 * 6.13): #DF 8, #TS 10, #NP 11, #SS 12, #GP 13, #PF 14, #AC 17, #CP 21,
 * #VC 29, #SX 30. */
#define ERROR_CODE_MASK 0x60227D00

        .text
#define NVECTORS_ASM 256
        .altmacro
.macro vector_stub n
        .balign 16
vector\n:
        .if \n >> 5
        pushq $0                        /* vectors 32..255: no error code */
        .elseif ((ERROR_CODE_MASK >> \n) & 1) == 0
        pushq $0                        /* an exception without one */
        .endif
        pushq $\n
        jmp alltraps
.endm

.macro vector_addr n
        .quad vector\n
.endm

        .set i, 0
        .rept NVECTORS_ASM
        vector_stub %i
        .set i, i + 1
        .endr

        .globl alltraps
alltraps:
        testb $3, 24(%rsp)              /* CS of the interrupted code: from ring 3? */
        jz 1f
        swapgs
1:      pushq %rax
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
        cld                             /* the C ABI wants DF = 0 */
        movq %rsp, %rdi
        call trap

        .globl trapret
trapret:
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
        addq $16, %rsp                  /* trapno and error code */
        testb $3, 8(%rsp)               /* back to ring 3? */
        jz 2f
        swapgs
2:      iretq

/* The stub addresses, for idt.c. */
        .section .rodata
        .balign 8
        .globl vectors
vectors:
        .set i, 0
        .rept NVECTORS_ASM
        vector_addr %i
        .set i, i + 1
        .endr
