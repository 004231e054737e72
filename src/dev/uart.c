#include "uart.h"

#include <stdlib.h>
#include <string.h>

enum {
    UART_RBR = 0, /* read; THR on write; DLL with DLAB=1 */
    UART_IER = 1, /* DLM with DLAB=1 */
    UART_IIR = 2, /* read; FCR on write */
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    UART_MSR = 6,
    UART_SCR = 7,
};

#define IER_RDI  0x01 /* received data available */
#define IER_THRI 0x02 /* transmitter holding register empty */
#define IER_RLSI 0x04 /* receiver line status */
#define IER_MSI  0x08 /* modem status */
#define IER_MASK 0x0F

#define IIR_NO_INT       0x01
#define IIR_MSI          0x00
#define IIR_THRI         0x02
#define IIR_RDI          0x04
#define IIR_RLSI         0x06
#define IIR_CTI          0x0C
#define IIR_ID_MASK      0x0F
#define IIR_FIFO_ENABLED 0xC0

#define FCR_FE        0x01 /* FIFO enable */
#define FCR_RFR       0x02 /* receive FIFO reset */
#define FCR_XFR       0x04 /* transmit FIFO reset */
#define FCR_STORED    0xC9
#define FCR_ITL_SHIFT 6

#define LCR_WLS_MASK 0x03
#define LCR_STB      0x04
#define LCR_PEN      0x08
#define LCR_DLAB     0x80

#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1F

#define LSR_DR      0x01
#define LSR_OE      0x02
#define LSR_PE      0x04
#define LSR_FE      0x08
#define LSR_BI      0x10
#define LSR_THRE    0x20
#define LSR_TEMT    0x40
#define LSR_INT_ANY (LSR_OE | LSR_PE | LSR_FE | LSR_BI)

#define MSR_DCTS      0x01
#define MSR_DDSR      0x02
#define MSR_TERI      0x04
#define MSR_DDCD      0x08
#define MSR_CTS       0x10
#define MSR_DSR       0x20
#define MSR_RI        0x40
#define MSR_DCD       0x80
#define MSR_ANY_DELTA 0x0F

#define UART_CLOCK_HZ 115200u /* 1.8432 MHz / 16 */
#define RESET_DIVISOR 12      /* 9600 baud */
#define NS_PER_SEC    1000000000ULL
#define TIMEOUT_CHARS 4

static const uint8_t trigger_levels[4] = {1, 4, 8, 14};

struct uart {
    struct char_sink out;
    struct irq_line irq;
    struct vclock *clock;
    struct vtimer timeout; // character-timeout indication
    uint16_t divisor;
    uint8_t ier, fcr, lcr, mcr, lsr, msr, scr;
    uint8_t rbr;                // holding register without FIFO
    uint8_t rx[UART_FIFO_SIZE]; // receive FIFO (ring)
    unsigned rx_head, rx_count;
    bool thr_ipending; // THRE interrupt pending (cleared by reading IIR)
    bool timeout_ipending;
};

/* ---- interrupts ---------------------------------------------------------------- */

static bool fifo_on(const struct uart *u)
{
    return u->fcr & FCR_FE;
}

/* Interrupt identification by priority (datasheet table 4, QEMU's order). */
static uint8_t interrupt_id(const struct uart *u)
{
    if ((u->ier & IER_RLSI) && (u->lsr & LSR_INT_ANY)) return IIR_RLSI;
    if ((u->ier & IER_RDI) && u->timeout_ipending) return IIR_CTI;
    bool level = !fifo_on(u) || u->rx_count >= trigger_levels[u->fcr >> FCR_ITL_SHIFT];
    if ((u->ier & IER_RDI) && (u->lsr & LSR_DR) && level) return IIR_RDI;
    if ((u->ier & IER_THRI) && u->thr_ipending) return IIR_THRI;
    if ((u->ier & IER_MSI) && (u->msr & MSR_ANY_DELTA)) return IIR_MSI;
    return IIR_NO_INT;
}

static void update_irq(struct uart *u)
{
    irq_set(&u->irq, interrupt_id(u) != IIR_NO_INT);
}

/* Nanoseconds to send one character with the current divisor and format. */
static uint64_t char_time(const struct uart *u)
{
    unsigned bits = 1 + 5 + (u->lcr & LCR_WLS_MASK) + ((u->lcr & LCR_STB) ? 2 : 1) +
                    ((u->lcr & LCR_PEN) ? 1 : 0);
    unsigned div = u->divisor ? u->divisor : 1;
    return NS_PER_SEC * bits * div / UART_CLOCK_HZ;
}

static void timeout_fire(void *opaque)
{
    struct uart *u = opaque;
    if (u->rx_count) {
        u->timeout_ipending = true;
        update_irq(u);
    }
}

static void arm_timeout(struct uart *u)
{
    vtimer_arm(&u->timeout, vclock_now(u->clock) + TIMEOUT_CHARS * char_time(u));
}

/* ---- receive ------------------------------------------------------------------- */

size_t uart_rx_space(const struct uart *u)
{
    if (u->mcr & MCR_LOOP) return 0;
    if (fifo_on(u)) return UART_FIFO_SIZE - u->rx_count;
    return (u->lsr & LSR_DR) ? 0 : 1;
}

static void receive_byte(struct uart *u, uint8_t b)
{
    if (!fifo_on(u)) {
        if (u->lsr & LSR_DR) u->lsr |= LSR_OE;
        u->rbr = b;
    } else if (u->rx_count == UART_FIFO_SIZE) {
        u->lsr |= LSR_OE; /* the byte is lost */
    } else {
        u->rx[(u->rx_head + u->rx_count++) % UART_FIFO_SIZE] = b;
    }
    u->lsr |= LSR_DR;
}

void uart_receive(struct uart *u, const uint8_t *buf, size_t len)
{
    if (len == 0) return;
    for (size_t i = 0; i < len; i++)
        receive_byte(u, buf[i]);
    if (fifo_on(u)) arm_timeout(u);
    update_irq(u);
}

static uint8_t read_rbr(struct uart *u)
{
    uint8_t v;
    if (fifo_on(u)) {
        v = 0;
        if (u->rx_count) {
            v = u->rx[u->rx_head];
            u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
            u->rx_count--;
        }
        if (u->rx_count == 0) {
            u->lsr &= ~(LSR_DR | LSR_BI);
            vtimer_cancel(&u->timeout);
        } else {
            arm_timeout(u);
        }
        u->timeout_ipending = false;
    } else {
        v = u->rbr;
        u->lsr &= ~(LSR_DR | LSR_BI);
    }
    update_irq(u);
    return v;
}

/* ---- transmit ------------------------------------------------------------------ */

/* The byte leaves at once: to the receiver in loopback mode, else to the sink. */
static void write_thr(struct uart *u, uint8_t v)
{
    u->thr_ipending = false;
    u->lsr &= ~(LSR_THRE | LSR_TEMT);
    update_irq(u);
    if (u->mcr & MCR_LOOP)
        receive_byte(u, v);
    else if (u->out.write)
        u->out.write(u->out.ctx, &v, 1);
    if ((u->mcr & MCR_LOOP) && fifo_on(u)) arm_timeout(u);
    u->lsr |= LSR_THRE | LSR_TEMT;
    u->thr_ipending = true;
    update_irq(u);
}

/* ---- registers ----------------------------------------------------------------- */

/* Loopback connects the modem outputs to the inputs: RTS->CTS, DTR->DSR,
 * OUT1->RI, OUT2->DCD. */
static uint8_t read_msr(struct uart *u)
{
    if (u->mcr & MCR_LOOP) {
        return (uint8_t)(((u->mcr & (MCR_OUT1 | MCR_OUT2)) << 4) | ((u->mcr & MCR_RTS) << 3) |
                         ((u->mcr & MCR_DTR) << 5));
    }
    uint8_t v = u->msr;
    if (u->msr & MSR_ANY_DELTA) {
        u->msr &= (uint8_t)~MSR_ANY_DELTA;
        update_irq(u);
    }
    return v;
}

static uint8_t read_iir(struct uart *u)
{
    uint8_t id = interrupt_id(u);
    if (id == IIR_THRI) {
        u->thr_ipending = false;
        update_irq(u);
    }
    return (uint8_t)(id | (fifo_on(u) ? IIR_FIFO_ENABLED : 0));
}

static uint8_t read_lsr(struct uart *u)
{
    uint8_t v = u->lsr;
    if (u->lsr & (LSR_BI | LSR_OE)) {
        u->lsr &= (uint8_t) ~(LSR_BI | LSR_OE | LSR_PE | LSR_FE);
        update_irq(u);
    }
    return v;
}

static uint64_t uart_read(void *opaque, uint64_t off, unsigned size)
{
    struct uart *u = opaque;
    (void)size;
    bool dlab = u->lcr & LCR_DLAB;
    switch (off) {
    case UART_RBR: return dlab ? (uint8_t)u->divisor : read_rbr(u);
    case UART_IER: return dlab ? (uint8_t)(u->divisor >> 8) : u->ier;
    case UART_IIR: return read_iir(u);
    case UART_LCR: return u->lcr;
    case UART_MCR: return u->mcr;
    case UART_LSR: return read_lsr(u);
    case UART_MSR: return read_msr(u);
    default: return u->scr;
    }
}

/* Enabling THRI while the holding register is empty raises THRE at once
 * (not in the datasheet; Windows relies on it, QEMU and Bochs do it). */
static void write_ier(struct uart *u, uint8_t v)
{
    uint8_t changed = (u->ier ^ v) & IER_MASK;
    u->ier = v & IER_MASK;
    if (changed & IER_THRI) u->thr_ipending = (u->ier & IER_THRI) && (u->lsr & LSR_THRE);
    if (changed) update_irq(u);
}

/* Switching the FIFOs on or off clears them. */
static void write_fcr(struct uart *u, uint8_t v)
{
    if ((v ^ u->fcr) & FCR_FE) v |= FCR_RFR | FCR_XFR;
    if (v & FCR_RFR) {
        u->lsr &= (uint8_t) ~(LSR_DR | LSR_BI);
        u->rx_count = u->rx_head = 0;
        u->timeout_ipending = false;
        vtimer_cancel(&u->timeout);
    }
    if (v & FCR_XFR) {
        u->lsr |= LSR_THRE;
        u->thr_ipending = true;
    }
    u->fcr = v & FCR_STORED;
    update_irq(u);
}

static void uart_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct uart *u = opaque;
    (void)size;
    uint8_t v = (uint8_t)value;
    bool dlab = u->lcr & LCR_DLAB;
    switch (off) {
    case UART_RBR:
        if (dlab)
            u->divisor = (uint16_t)((u->divisor & 0xFF00) | v);
        else
            write_thr(u, v);
        break;
    case UART_IER:
        if (dlab)
            u->divisor = (uint16_t)((u->divisor & 0x00FF) | v << 8);
        else
            write_ier(u, v);
        break;
    case UART_IIR: write_fcr(u, v); break;
    case UART_LCR: u->lcr = v; break;
    case UART_MCR: u->mcr = v & MCR_MASK; break;
    case UART_SCR: u->scr = v; break;
    default: break; /* LSR and MSR are read-only */
    }
}

static const struct bus_ops ops = {uart_read, uart_write};

const struct bus_ops *uart_ops(void)
{
    return &ops;
}

/* ---- lifecycle ----------------------------------------------------------------- */

void uart_reset(struct uart *u)
{
    u->divisor = RESET_DIVISOR;
    u->ier = u->fcr = u->lcr = u->scr = u->rbr = 0;
    u->mcr = MCR_OUT2;
    u->lsr = LSR_TEMT | LSR_THRE;
    u->msr = MSR_DCD | MSR_DSR | MSR_CTS;
    u->rx_head = u->rx_count = 0;
    u->thr_ipending = u->timeout_ipending = false;
    vtimer_cancel(&u->timeout);
    update_irq(u);
}

struct uart *uart_new(struct char_sink out, struct irq_line irq, struct vclock *clock)
{
    struct uart *u = calloc(1, sizeof(*u));
    if (!u) return NULL;
    u->out = out;
    u->irq = irq;
    u->clock = clock;
    vtimer_init(&u->timeout, clock, timeout_fire, u);
    uart_reset(u);
    return u;
}

void uart_free(struct uart *u)
{
    if (!u) return;
    vtimer_cancel(&u->timeout);
    free(u);
}
