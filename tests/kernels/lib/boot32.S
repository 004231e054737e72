/* boot32.S: Multiboot entry for 32-bit test kernels. Stays in the protected
 * mode the loader left (flat 4 GiB segments, CS = 0x08, paging off) and calls
 * kmain(mbi, magic); the return value is the isa-debug-exit code. */
#define MB_MAGIC     0x1BADB002
#define MB_FLAGS     0x00000003

        .section .multiboot, "a"
        .balign 4
        .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

        .section .text.boot, "ax"
        .code32
        .globl _start
_start:
        movl $boot32_stack_top, %esp
        pushl %eax
        pushl %ebx
        call kmain
        pushl %eax
        call exit
1:      hlt
        jmp 1b

        .section .bss
        .balign 16
        .skip 65536
boot32_stack_top:
        .section .note.GNU-stack,"",@progbits
