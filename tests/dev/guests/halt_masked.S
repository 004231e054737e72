/* HLT with interrupts on but every 8259 input masked: the BIOS's PIT keeps
 * ticking and reaches nobody. */
#include "common.h"
        .text
        .globl _start
_start: movb $0xFF, %al
        outb %al, $0x21
        outb %al, $0xA1
        sti
1:      hlt
        jmp 1b
