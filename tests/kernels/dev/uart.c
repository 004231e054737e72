/* The 16550A: reset state, scratch and divisor latch registers, loopback
 * (data and the modem lines), overrun, the FIFOs and their trigger level,
 * interrupt identification (THRE, received data, character timeout), and
 * a receive interrupt through the 8259. Nothing is printed while loopback
 * is on (kprintf writes to this UART); results are collected first. */
#include "devlib.h"

#define RBR 0
#define IER 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7
#define MCR_LOOP 0x10
#define MCR_NORMAL 0x08 /* OUT2, as the BIOS leaves it */
#define LSR_DR 0x01
#define V_COM1 (PIC_VEC1 + 4)

static uint8_t r(unsigned reg)
{
    return inb((uint16_t)(COM1 + reg));
}

static void w(unsigned reg, uint8_t v)
{
    outb((uint16_t)(COM1 + reg), v);
}

static uint8_t iir_in_handler, data_in_handler;

static void hook(unsigned v)
{
    if (v == V_COM1) {
        iir_in_handler = r(IIR);
        data_in_handler = r(RBR);
        outb(PIC1_CMD, PIC_EOI);
    }
}

static void registers(void)
{
    kprintf("reset: ier=%02x iir=%02x lcr=%02x mcr=%02x lsr=%02x msr=%02x scr=%02x\n", r(IER),
            r(IIR), r(LCR), r(MCR), r(LSR), r(MSR), r(SCR));
    uint8_t seen = 0;
    for (unsigned i = 0; i < 8; i++) {
        w(SCR, (uint8_t)(0x5A ^ (1u << i)));
        seen |= (uint8_t)(r(SCR) == (uint8_t)(0x5A ^ (1u << i))) << i;
    }
    w(LCR, 0x83); /* DLAB, 8N1 */
    w(RBR, 0x01);
    w(IER, 0x00);
    uint8_t dll = r(RBR), dlm = r(IER);
    w(LCR, 0x03);
    kprintf("scratch ok=%02x divisor=%02x%02x lcr=%02x ier=%02x\n", seen, dlm, dll, r(LCR),
            r(IER));
}

static void loopback(void)
{
    uint8_t msr[5], v[8];
    static const uint8_t mcr_bits[5] = {0x00, 0x01, 0x02, 0x04, 0x08};
    w(MCR, MCR_LOOP);
    for (int i = 0; i < 5; i++) {
        w(MCR, MCR_LOOP | mcr_bits[i]);
        msr[i] = r(MSR);
    }
    w(MCR, MCR_LOOP);
    w(RBR, 'A');
    v[0] = r(LSR);
    v[1] = r(RBR);
    v[2] = r(LSR);
    w(RBR, 'B');
    w(RBR, 'C'); /* overrun: no FIFO */
    v[3] = r(LSR);
    v[4] = r(RBR);
    v[5] = r(LSR);
    w(MCR, MCR_NORMAL);
    kprintf("loopback msr: %02x %02x %02x %02x %02x\n", msr[0], msr[1], msr[2], msr[3], msr[4]);
    kprintf("loopback data: lsr=%02x rbr=%c lsr=%02x; overrun lsr=%02x rbr=%c lsr=%02x\n", v[0],
            v[1], v[2], v[3], v[4], v[5]);
}

static void set_divisor(uint16_t d)
{
    w(LCR, 0x83);
    w(RBR, (uint8_t)d);
    w(IER, (uint8_t)(d >> 8));
    w(LCR, 0x03);
}

/* FIFO mode, trigger level 4. What the IIR shows right after bytes arrive
 * depends on time (the character timeout outranks "data available" once it
 * fires), so the kernel polls for a change instead of reading it once: three
 * bytes (below the trigger) end in a timeout; four raise an interrupt of one
 * kind or the other. */
static void fifo(void)
{
    uint8_t got[8], iir[4];
    set_divisor(48);
    w(FCR, 0x47); /* FIFO on, both cleared, trigger level 4 */
    w(IER, 0x01); /* received data */
    w(MCR, MCR_LOOP);
    iir[0] = r(IIR);
    for (int i = 0; i < 3; i++)
        w(RBR, (uint8_t)('0' + i));
    while ((iir[1] = r(IIR)) == 0xC1)
        ; /* character timeout */
    for (int i = 0; i < 3; i++)
        got[i] = r(RBR);
    iir[2] = r(IIR);
    for (int i = 3; i < 7; i++)
        w(RBR, (uint8_t)('0' + i));
    while ((iir[3] = r(IIR)) == 0xC1)
        ;
    for (int i = 3; i < 7; i++)
        got[i] = r(RBR);
    got[7] = r(LSR);
    w(IER, 0x02); /* THR empty */
    uint8_t thre = r(IIR), after = r(IIR);
    w(IER, 0);
    w(MCR, MCR_NORMAL);
    w(FCR, 0x00);
    set_divisor(1);
    kprintf("fifo: iir=%02x, 3 bytes -> %02x, read -> %02x, 4 bytes -> data interrupt=%u; "
            "data=%c%c%c%c%c%c%c lsr=%02x\n",
            iir[0], iir[1], iir[2], (iir[3] & 0xC5) == 0xC4, got[0], got[1], got[2], got[3],
            got[4], got[5], got[6], got[7]);
    kprintf("thre: iir=%02x then %02x fcr off iir=%02x\n", thre, after, r(IIR));
}

static void receive_interrupt(void)
{
    pic_mask(0xEF, 0xFF);
    w(IER, 0x01);
    w(MCR, MCR_LOOP | MCR_NORMAL);
    w(RBR, 'z');
    while (irq_count[V_COM1] == 0)
        wait_irq();
    w(IER, 0);
    w(MCR, MCR_NORMAL);
    pic_mask(0xFF, 0xFF);
    kprintf("irq4: count=%u iir=%02x data=%c\n", irq_count[V_COM1], iir_in_handler,
            data_in_handler);
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    dev_init();
    irq_hook = hook;
    pic_remap(PIC_VEC1, PIC_VEC2, 0x01);
    pic_mask(0xFF, 0xFF);
    registers();
    loopback();
    fifo();
    receive_interrupt();
    return 0;
}
