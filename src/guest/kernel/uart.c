/* The 16550 UART on COM1, polled for output and interrupt-driven for input. */
#include "uart.h"

#include "tty.h"
#include "x86.h"

/* Register offsets from the base port (with LCR.DLAB = 0 unless noted). */
#define UART_RBR 0 /* receive buffer (read) */
#define UART_THR 0 /* transmit holding (write) */
#define UART_DLL 0 /* divisor latch low (DLAB = 1) */
#define UART_IER 1 /* interrupt enable */
#define UART_DLM 1 /* divisor latch high (DLAB = 1) */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */

#define IER_ERBFI      0x01 /* interrupt when received data is available */
#define LCR_8N1        0x03
#define LCR_DLAB       0x80
#define MCR_DTR        0x01
#define MCR_RTS        0x02
#define MCR_OUT2       0x08 /* on a PC, gates the UART's interrupt line */
#define LSR_DR         0x01 /* data ready */
#define LSR_THRE       0x20 /* transmit holding register empty */
#define DIVISOR_115200 1

void uart_init(void)
{
    outb(COM1 + UART_IER, 0);
    outb(COM1 + UART_LCR, LCR_DLAB);
    outb(COM1 + UART_DLL, DIVISOR_115200);
    outb(COM1 + UART_DLM, 0);
    outb(COM1 + UART_LCR, LCR_8N1);
    /* FIFOs stay off (16450 mode: one byte, one interrupt): turning them on
     * would clear them, and with them any input that arrived before us. */
    outb(COM1 + UART_FCR, 0);
    outb(COM1 + UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
}

void uart_putc(char c)
{
    while (!(inb(COM1 + UART_LSR) & LSR_THRE))
        ;
    outb(COM1 + UART_THR, (u8)c);
}

void uart_enable_rx_irq(void)
{
    outb(COM1 + UART_IER, IER_ERBFI);
    uart_intr(); /* keep what arrived before anyone listened */
}

void uart_intr(void)
{
    while (inb(COM1 + UART_LSR) & LSR_DR)
        tty_receive((char)inb(COM1 + UART_RBR));
}
