/* Entry points and ring-3 code for syscall.c. The user code runs in
 * 64-bit mode and in compatibility mode and enters the kernel every way
 * issue 4 names: SYSCALL, INT 0x80, SYSENTER (from both modes); the kernel
 * returns with SYSRETQ/SYSRETL, IRETQ and SYSEXITQ/SYSEXITL. */
#define SEL_UCODE32 0x20
#define SEL_UDATA   0x28
#define SEL_UCODE   0x30

        .text
        .code64
/* void enter_user(void (*rip)(void), void *rsp): IRETQ to ring 3. */
        .globl enter_user
enter_user:
        pushq $(SEL_UDATA | 3)
        pushq %rsi
        pushq $2
        pushq $(SEL_UCODE | 3)
        pushq %rdi
        iretq

/* Builds struct sysregs (user.h) below RSP and calls fn(regs); fn returns
 * how to go back, which ends up in R8. */
.macro SAVE_AND_CALL fn
        pushq $0                /* ss */
        pushq $0                /* cs */
        pushq %rax
        pushq %rdi
        pushq %rdx
        pushq %rcx
        pushq %r11
        movw %ss, 48(%rsp)
        movw %cs, 40(%rsp)
        movq %rsp, %rdi
        call \fn
        movq %rax, %r8
        popq %r11
        popq %rcx
        popq %rdx
        popq %rdi
        popq %rax
        addq $16, %rsp
.endm

/* SYSCALL: RCX = return RIP, R11 = RFLAGS, RSP still the user's. The
 * per-CPU block at KERNEL_GS_BASE holds the kernel stack (SWAPGS). */
        .globl syscall_entry
syscall_entry:
        swapgs
        movq %rsp, %gs:8
        movq %gs:16, %rsp
        pushq %gs:8             /* user_rsp */
        SAVE_AND_CALL k_syscall
        popq %rsp
        swapgs
        testq %r8, %r8
        jnz 1f
        sysretq
1:      sysretl

/* SYSENTER: RSP = IA32_SYSENTER_ESP; by our convention the user passed its
 * stack in RCX and its return address in RDX. */
        .globl sysenter_entry
sysenter_entry:
        pushq %rcx              /* user_rsp */
        SAVE_AND_CALL k_sysenter
        addq $8, %rsp
        testq %r8, %r8
        jnz 1f
        sysexitl
1:      sysexitq

/* ---- ring 3 ------------------------------------------------------------ */
        .globl user_main, user_after_syscall, user_after_int80, user_after_sysenter64
        .globl user_after_sysenter32, user_after_int80_32, user32b, user_after_int80_last
user_main:
        movl $1, %eax
        movq $0x1111, %rdi
        syscall
user_after_syscall:
        movl $2, %eax
        movq $0x2222, %rdi
        int $0x80
user_after_int80:
        movl $3, %eax
        movq $0x3333, %rdi
        movq %rsp, %rcx
        leaq user_after_sysenter64(%rip), %rdx
        sysenter
user_after_sysenter64:
        /* into compatibility mode with a far return to the 32-bit user segment */
        pushq $(SEL_UCODE32 | 3)
        pushq $user32
        lretq

        .code32
user32:
        movl $4, %eax
        movl $0x4444, %edi
        movl %esp, %ecx
        movl $user_after_sysenter32, %edx
        sysenter
user_after_sysenter32:
        movl $5, %eax
        movl $0x5555, %edi
        int $0x80
user_after_int80_32:
        /* back to 64-bit mode with a far jump */
        ljmp $(SEL_UCODE | 3), $user64b

        .code64
user64b:
        movl $6, %eax
        movq $0x6666, %rdi
        syscall                 /* the kernel answers with SYSRETL to user32b */
        .code32
user32b:
        movl $7, %eax
        movl $0x7777, %edi
        int $0x80
user_after_int80_last:
        hlt                     /* never reached: the kernel exits on call 7 */
        .code64
        .section .note.GNU-stack,"",@progbits
