#include "uart.h"

#include <stdlib.h>

enum {
    UART_THR = 0, /* DLAB=0 write; RBR on read; DLL with DLAB=1 */
    UART_IER = 1,
    UART_IIR = 2, /* read; FCR on write */
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    UART_MSR = 6,
    UART_SCR = 7,
};

#define LCR_DLAB 0x80
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IIR_NO_INT 0x01

struct uart {
    struct char_sink out;
    struct irq_line irq;
    uint8_t ier, lcr, mcr, scr, dll, dlm;
};

struct uart *uart_new(struct char_sink out, struct irq_line irq)
{
    struct uart *u = calloc(1, sizeof(*u));
    if (!u)
        return NULL;
    u->out = out;
    u->irq = irq;
    u->dll = 1; /* 115200 baud */
    return u;
}

void uart_free(struct uart *u)
{
    free(u);
}

static uint64_t uart_read(void *opaque, uint64_t off, unsigned size)
{
    struct uart *u = opaque;
    (void)size;
    bool dlab = u->lcr & LCR_DLAB;
    switch (off) {
    case UART_THR: return dlab ? u->dll : 0;
    case UART_IER: return dlab ? u->dlm : u->ier;
    case UART_IIR: return IIR_NO_INT;
    case UART_LCR: return u->lcr;
    case UART_MCR: return u->mcr;
    case UART_LSR: return LSR_THRE | LSR_TEMT;
    case UART_MSR: return 0;
    default: return u->scr;
    }
}

static void uart_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct uart *u = opaque;
    (void)size;
    uint8_t v = (uint8_t)value;
    bool dlab = u->lcr & LCR_DLAB;
    switch (off) {
    case UART_THR:
        if (dlab)
            u->dll = v;
        else if (u->out.write)
            u->out.write(u->out.ctx, &v, 1);
        break;
    case UART_IER:
        if (dlab)
            u->dlm = v;
        else
            u->ier = v & 0x0f;
        break;
    case UART_LCR: u->lcr = v; break;
    case UART_MCR: u->mcr = v & 0x1f; break;
    case UART_SCR: u->scr = v; break;
    default: break;
    }
}

static const struct bus_ops ops = {uart_read, uart_write};

const struct bus_ops *uart_ops(void)
{
    return &ops;
}
