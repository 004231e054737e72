/* HLT with interrupts off, woken by an NMI: the I/O APIC turns the PIT's
 * pin 2 into NMI messages (delivery mode 100b). The NMI handler exits. */
#include "common.h"
#define IOAPIC 0xFEC00000
        .text
        .globl _start
_start: movl $stack_top, %esp
        cli
        SET_GATE(2, on_nmi)
        lidt idt_desc
        movb $0xFF, %al
        outb %al, $0x21
        outb %al, $0xA1
        movl $0x14, IOAPIC      /* redirection entry 2, low word */
        movl $0x00000400, IOAPIC + 0x10 /* NMI, edge, unmasked, APIC 0 */
1:      hlt
        jmp 1b
on_nmi: EXIT(0x42)
#include "tail.h"
