/* The 16550 UART on COM1: the serial console. */
#ifndef KERNEL_UART_H
#define KERNEL_UART_H

#include "types.h"

#define COM1     0x3F8
#define COM1_IRQ 4 /* ISA IRQ line */

void uart_init(void);
void uart_putc(char c);
/* Turns on the receive interrupt (after the I/O APIC routes COM1_IRQ). */
void uart_enable_rx_irq(void);
/* Top half of the COM1 interrupt: drains the receive FIFO into the tty. */
void uart_intr(void);

#endif
