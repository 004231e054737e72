#include "devlib.h"

volatile unsigned irq_count[256];
volatile unsigned irq_order[64];
volatile unsigned irq_order_len;
void (*irq_hook)(unsigned vector);

static void dispatch(struct trap_frame *f)
{
    if (f->vector < 32 && f->vector != 2) {
        trap_default(f);
        return;
    }
    if (irq_order_len < 64)
        irq_order[irq_order_len++] = (unsigned)f->vector;
    irq_count[f->vector]++;
    if (irq_hook)
        irq_hook((unsigned)f->vector);
}

void dev_init(void)
{
    idt_init();
    trap_handler = dispatch;
}

void pic_remap(uint8_t vec1, uint8_t vec2, uint8_t icw4)
{
    outb(PIC1_CMD, 0x11); /* ICW1: edge, cascade, ICW4 follows */
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, vec1);
    outb(PIC2_DATA, vec2);
    outb(PIC1_DATA, 0x04); /* ICW3: slave on IRQ 2 */
    outb(PIC2_DATA, 0x02);
    outb(PIC1_DATA, icw4);
    outb(PIC2_DATA, icw4);
}

void pic_mask(uint8_t m1, uint8_t m2)
{
    outb(PIC1_DATA, m1);
    outb(PIC2_DATA, m2);
}

uint8_t pic_read(uint16_t cmd_port, uint8_t ocw3)
{
    outb(cmd_port, ocw3);
    return inb(cmd_port);
}

void pit_program(unsigned channel, unsigned mode, uint16_t count)
{
    outb(PIT_CMD, (uint8_t)(channel << 6 | 0x30 | mode << 1));
    outb((uint16_t)(PIT_CH0 + channel), (uint8_t)count);
    outb((uint16_t)(PIT_CH0 + channel), (uint8_t)(count >> 8));
}

uint32_t ioapic_read(unsigned reg)
{
    *(volatile uint32_t *)IOAPIC_BASE = reg;
    return *(volatile uint32_t *)(IOAPIC_BASE + 0x10);
}

void ioapic_write(unsigned reg, uint32_t v)
{
    *(volatile uint32_t *)IOAPIC_BASE = reg;
    *(volatile uint32_t *)(IOAPIC_BASE + 0x10) = v;
}

void ioapic_route(unsigned pin, uint32_t lo, uint8_t dest)
{
    ioapic_write(0x11 + 2 * pin, (uint32_t)dest << 24);
    ioapic_write(0x10 + 2 * pin, lo);
}
