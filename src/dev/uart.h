/* 16550A UART (COM1 at 0x3F8, IRQ 4). Transmitted bytes go to a char_sink.
 * Registers: THR/RBR, IER, IIR/FCR, LCR, MCR, LSR, MSR, SCR, DLL/DLM. */
#ifndef EMU_DEV_UART_H
#define EMU_DEV_UART_H

#include <stdbool.h>
#include <stdint.h>

#include "../machine/bus.h"
#include "../machine/irq.h"
#include "chardev.h"

#define UART_COM1_BASE 0x3F8
#define UART_NREGS 8

struct uart;

struct uart *uart_new(struct char_sink out, struct irq_line irq);
void uart_free(struct uart *u);
const struct bus_ops *uart_ops(void);

#endif
