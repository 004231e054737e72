/* Shared by the tiny 32-bit Multiboot guests of tests/dev (machine-level
 * tests of idling, waking and NMI routing). They run in the flat 32-bit
 * protected mode the loader leaves; the stub IDT holds only the gates a
 * guest installs with SET_GATE. */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003
#define DEBUG_EXIT 0xF4

        .section .multiboot, "a"
        .balign 4
        .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

/* SET_GATE vector, handler: a present 32-bit interrupt gate, DPL 0. */
#define SET_GATE(vec, handler)                 \
        movl $handler, %eax;                   \
        movw %ax, idt + (vec) * 8;             \
        movw %cs, %bx;                         \
        movw %bx, idt + (vec) * 8 + 2;         \
        movw $0x8E00, idt + (vec) * 8 + 4;     \
        shrl $16, %eax;                        \
        movw %ax, idt + (vec) * 8 + 6

/* EXIT code: isa-debug-exit, process status (code << 1) | 1. */
#define EXIT(code) movb $(code), %al; outb %al, $DEBUG_EXIT

#define RTC_WRITE(reg, val) movb $(reg), %al; outb %al, $0x70; movb $(val), %al; outb %al, $0x71
