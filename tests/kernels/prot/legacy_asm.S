/* legacy_asm.S: 32-bit interrupt stubs (PUSHA frame, one C handler) and
 * the ring-0/ring-3 probe entry for legacy.c. */
#define L_KCODE 0x08
#define L_KDATA 0x10
#define L_UCODE 0x18
#define L_UDATA 0x20

        .code32
        .text
.macro STUB v
        .balign 16
lstub_\v:
        .if (\v == 8) || (\v >= 10 && \v <= 14) || (\v == 17)
        .else
        pushl $0
        .endif
        pushl $\v
        jmp lstub_common
.endm

lstub_common:
        pushal
        movl %esp, %eax
        pushl %eax
        call legacy_trap
        addl $4, %esp
        popal
        addl $8, %esp
        iretl

.altmacro
.macro STUBS from, to
        STUB \from
        .if \to-\from
        STUBS %(\from+1), \to
        .endif
.endm
        STUBS 0, 47
        STUB 128

.macro ADDR v
        .long lstub_\v
.endm
.macro ADDRS from, to
        ADDR \from
        .if \to-\from
        ADDRS %(\from+1), \to
        .endif
.endm
        .section .rodata
        .balign 4
        .globl lstubs
lstubs:
        ADDRS 0, 47
        .long lstub_128
        .text

/* int lprobe_enter(void (*fn)(void), int user, uint32_t eflags) */
        .globl lprobe_enter, lprobe_return, lprobe_esp, lprobe_user_top
lprobe_enter:
        pushl %ebp
        pushl %ebx
        pushl %esi
        pushl %edi
        movl %esp, lprobe_esp
        movl 20(%esp), %eax     /* fn */
        movl 24(%esp), %ecx     /* user */
        testl %ecx, %ecx
        jnz 1f
        call *%eax
        xorl %eax, %eax
        jmp 2f
1:      pushl $(L_UDATA | 3)
        pushl lprobe_user_top
        pushl 36(%esp)          /* eflags (the pushes moved the arguments) */
        pushl $(L_UCODE | 3)
        pushl %eax
        movw $(L_UDATA | 3), %cx
        movw %cx, %ds
        movw %cx, %es
        iretl
lprobe_return:
        movl lprobe_esp, %esp
        movw $L_KDATA, %ax
        movw %ax, %ds
        movw %ax, %es
        movl $1, %eax
2:      popl %edi
        popl %esi
        popl %ebx
        popl %ebp
        ret

        .data
        .balign 4
lprobe_esp:     .long 0
lprobe_user_top: .long 0
        .section .note.GNU-stack,"",@progbits
