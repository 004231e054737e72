/* Sleeps in HLT until an RTC alarm 10 s ahead, while the PIT ticks masked
 * all along; the IRQ 8 handler exits with the RTC's seconds (BCD 0x10). */
#include "common.h"
        .text
        .globl _start
_start: movl $stack_top, %esp
        SET_GATE(0x70, on_irq8) /* the slave's base after SeaBIOS */
        lidt idt_desc
        movb $0xFB, %al         /* cascade only */
        outb %al, $0x21
        movb $0xFE, %al         /* IRQ 8 only */
        outb %al, $0xA1
        RTC_WRITE(0x0B, 0x82)   /* SET, 24-hour, BCD */
        RTC_WRITE(0x00, 0x00)
        RTC_WRITE(0x02, 0x00)
        RTC_WRITE(0x04, 0x00)
        RTC_WRITE(0x01, 0x10)   /* alarm 00:00:10 */
        RTC_WRITE(0x03, 0x00)
        RTC_WRITE(0x05, 0x00)
        RTC_WRITE(0x0B, 0x22)   /* run, alarm interrupt */
        movb $0x0C, %al
        outb %al, $0x70
        inb $0x71, %al
        sti
1:      hlt
        jmp 1b
on_irq8:
        movb $0x00, %al
        outb %al, $0x70
        inb $0x71, %al
        outb %al, $DEBUG_EXIT
#include "tail.h"
