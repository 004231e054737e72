/* crt0.S: the process entry point. The kernel starts us with RSP pointing
 * at argc, then argv[] (System V x86-64 ABI, 3.4.1). */
        .section .text.start, "ax"
        .globl _start
_start:
        xorl %ebp, %ebp                 /* outermost frame */
        movq (%rsp), %rdi               /* argc */
        leaq 8(%rsp), %rsi              /* argv */
        andq $-16, %rsp
        call __libc_start               /* never returns */
        ud2
        .section .note.GNU-stack, "", @progbits
