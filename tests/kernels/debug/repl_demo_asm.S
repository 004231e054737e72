/* repl-demo's assembly: the way into ring 3, the SYSCALL entry point, and
 * the user program (in its own page, which repl_demo.c maps user-readable). */
#define SEL_UDATA 0x28
#define SEL_UCODE 0x30
#define RFLAGS_IF 0x200
#define SYS_WRITE 1
#define SPIN 2000000

        .text
        .code64
/* void enter_user(void *rip, void *rsp): IRETQ to 64-bit ring 3, IF=1. */
        .globl enter_user
enter_user:
        pushq $(SEL_UDATA | 3)          /* SS */
        pushq %rsi                      /* RSP */
        pushq $(RFLAGS_IF | 2)          /* RFLAGS */
        pushq $(SEL_UCODE | 3)          /* CS */
        pushq %rdi                      /* RIP */
        iretq

/* SYSCALL lands here: RCX = user RIP, R11 = user RFLAGS, RSP = user stack.
 * One CPU, so a static kernel stack will do. */
        .globl syscall_entry
syscall_entry:
        movq %rsp, user_rsp(%rip)
        leaq syscall_stack_top(%rip), %rsp
        pushq %rcx
        pushq %r11
        movq %rdx, %rcx                 /* k_syscall(nr, a0, a1, a2) */
        movq %rsi, %rdx
        movq %rdi, %rsi
        movq %rax, %rdi
        call k_syscall
        popq %r11
        popq %rcx
        movq user_rsp(%rip), %rsp
        sysretq

/* ---- user space ------------------------------------------------------------ */
        .section .text.user, "ax"
        .balign 4096
        .globl user_text, user_main
user_text:
user_main:
        movl $SYS_WRITE, %eax
        movl $1, %edi
        leaq hello(%rip), %rsi
        movl $hello_len, %edx
        syscall
        movl $SPIN, %ecx                /* the timer interrupts this loop */
spin:   decl %ecx
        jnz spin
        movq secret_page, %rax          /* supervisor-only: #PF, error 0x5 */
        jmp .
hello:  .ascii "hello from ring 3\n"
        .set hello_len, . - hello
        .balign 4096

        .bss
        .balign 16
user_rsp:       .quad 0
                .skip 4096
syscall_stack_top:
        .balign 4096
        .globl user_stack, user_stack_top
user_stack:     .skip 4096
user_stack_top:
        .section .note.GNU-stack,"",@progbits
