/* 16550A UART (National Semiconductor PC16550D datasheet), as QEMU's COM1 at
 * 0x3F8 on ISA IRQ 4: RBR/THR, IER, IIR/FCR with 16-byte FIFOs and trigger
 * levels, LCR, MCR with loopback, LSR, MSR, SCR, DLL/DLM. Transmission is
 * instantaneous (THR empties at once); received bytes come from
 * uart_receive and raise the data-available or character-timeout interrupt
 * (4 character times after the last byte, in virtual time). As on QEMU, the
 * interrupt output is not gated by MCR.OUT2, and it is re-signalled every
 * time the interrupt state is re-evaluated while pending. */
#ifndef EMU_DEV_UART_H
#define EMU_DEV_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../machine/bus.h"
#include "../machine/irq.h"
#include "../machine/vclock.h"
#include "chardev.h"

#define UART_COM1_BASE 0x3F8
#define UART_COM1_IRQ  4
#define UART_NREGS     8
#define UART_FIFO_SIZE 16

struct uart;

/* A UART in its reset state (9600 baud, 8N1 off, OUT2 set) whose
 * transmitted bytes go to `out`. NULL on allocation failure. */
struct uart *uart_new(struct char_sink out, struct irq_line irq, struct vclock *clock);
void uart_free(struct uart *u);
void uart_reset(struct uart *u);
const struct bus_ops *uart_ops(void);

/* Bytes the receiver can take now without overrun: free FIFO slots (or 1
 * without FIFO if the holding register is empty); 0 in loopback mode. */
size_t uart_rx_space(const struct uart *u);

/* Delivers received bytes (at most uart_rx_space; more overrun). */
void uart_receive(struct uart *u, const uint8_t *buf, size_t len);

#endif
