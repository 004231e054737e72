        .section .data
        .balign 8
idt:    .skip 256 * 8
idt_desc:
        .word 256 * 8 - 1
        .long idt
        .section .bss
        .balign 16
        .skip 4096
stack_top:
