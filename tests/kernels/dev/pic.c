/* The 8259A pair: remap and count PIT ticks, IMR masking, ISR/IRR around
 * EOI, fully nested priority (a lower IRQ waits for the EOI), the cascade
 * (RTC on IRQ 8), auto-EOI, poll mode, priority rotation, the ELCR. */
#include "devlib.h"

#define KBC_DATA 0x60
#define KBC_CMD 0x64
#define KBC_WRITE_KBD_OBUF 0xD2
#define RTC_INDEX 0x70
#define RTC_DATA 0x71
#define TICKS 10

static uint8_t isr_in[2], isr_after, irr_in;
static int phase;

static uint8_t rtc_read(uint8_t reg)
{
    outb(RTC_INDEX, reg);
    return inb(RTC_DATA);
}

static void rtc_write(uint8_t reg, uint8_t v)
{
    outb(RTC_INDEX, reg);
    outb(RTC_DATA, v);
}

/* A byte from the "keyboard": the i8042 raises IRQ 1. */
static void kbd_inject(uint8_t v)
{
    outb(KBC_CMD, KBC_WRITE_KBD_OBUF);
    outb(KBC_DATA, v);
}

static void hook(unsigned v)
{
    if (v == PIC_VEC1 + 1) {
        inb(KBC_DATA);
        outb(PIC1_CMD, PIC_EOI);
    } else if (v == PIC_VEC1 && phase == 1) {
        isr_in[0] = pic_read(PIC1_CMD, PIC_READ_ISR);
        outb(PIC1_CMD, PIC_EOI);
        isr_after = pic_read(PIC1_CMD, PIC_READ_ISR);
    } else if (v == PIC_VEC1 && phase == 2) {
        kbd_inject(0x42); /* IRQ 1 has lower priority: it waits for our EOI */
        irr_in = pic_read(PIC1_CMD, PIC_READ_IRR) & 0x02;
        isr_in[0] = pic_read(PIC1_CMD, PIC_READ_ISR);
        outb(PIC1_CMD, 0x60); /* specific EOI, IRQ 0 */
        isr_after = pic_read(PIC1_CMD, PIC_READ_ISR);
    } else if (v == PIC_VEC2) {
        isr_in[0] = pic_read(PIC1_CMD, PIC_READ_ISR);
        isr_in[1] = pic_read(PIC2_CMD, PIC_READ_ISR);
        rtc_read(0x0C);
        outb(PIC2_CMD, PIC_EOI);
        outb(PIC1_CMD, PIC_EOI);
    } else if (v == PIC_VEC1) {
        isr_in[0] = pic_read(PIC1_CMD, PIC_READ_ISR);
        outb(PIC1_CMD, PIC_EOI);
    }
}

static void reset_counts(void)
{
    for (unsigned i = 0; i < 256; i++)
        irq_count[i] = 0;
    irq_order_len = 0;
}

static void wait_irr(uint16_t port, uint8_t bit)
{
    while (!(pic_read(port, PIC_READ_IRR) & bit))
        ;
}

static void ticks_and_eoi(void)
{
    phase = 1;
    pic_mask(0xFE, 0xFF);
    pit_program(0, 2, (uint16_t)(PIT_HZ / 100));
    while (irq_count[PIC_VEC1] < TICKS)
        wait_irq();
    pic_mask(0xFF, 0xFF);
    kprintf("ticks=%u other=%u isr in handler=%02x after eoi=%02x\n", irq_count[PIC_VEC1],
            irq_order_len - irq_count[PIC_VEC1], isr_in[0], isr_after);
}

static void imr_masking(void)
{
    reset_counts();
    pic_mask(0xFF, 0xFF);
    pic_read(PIC1_CMD, PIC_READ_IRR);
    sti();
    wait_irr(PIC1_CMD, 0x01);
    cli();
    kprintf("masked: irr0=1 delivered=%u\n", irq_count[PIC_VEC1]);
    pic_mask(0xFE, 0xFF);
    sti();
    __asm__ volatile("nop; nop; nop");
    cli();
    kprintf("unmasked: delivered=%u\n", irq_count[PIC_VEC1] > 0);
    pic_mask(0xFF, 0xFF);
}

static void nested_priority(void)
{
    reset_counts();
    phase = 2;
    pic_mask(0xFC, 0xFF);
    while (irq_count[PIC_VEC1 + 1] == 0)
        wait_irq();
    pic_mask(0xFF, 0xFF);
    kprintf("nested: irr1 in irq0 handler=%u isr=%02x after specific eoi=%02x first=%x then=%x\n",
            irr_in >> 1, isr_in[0], isr_after, irq_order[0], irq_order[1]);
}

static void cascade(void)
{
    reset_counts();
    rtc_write(0x0A, 0x26);
    rtc_write(0x0B, rtc_read(0x0B) | 0x40); /* periodic interrupt */
    rtc_read(0x0C);
    pic_mask(0xFB, 0xFE);
    while (irq_count[PIC_VEC2] < 3)
        wait_irq();
    pic_mask(0xFF, 0xFF);
    rtc_write(0x0B, rtc_read(0x0B) & ~0x40);
    rtc_read(0x0C);
    kprintf("cascade: irq8 x%u master isr=%02x slave isr=%02x\n", irq_count[PIC_VEC2], isr_in[0],
            isr_in[1]);
}

static void auto_eoi(void)
{
    reset_counts();
    phase = 0;
    pic_remap(PIC_VEC1, PIC_VEC2, 0x03); /* 8086 mode, auto-EOI */
    pic_mask(0xFE, 0xFF);
    while (irq_count[PIC_VEC1] < 2)
        wait_irq();
    pic_mask(0xFF, 0xFF);
    kprintf("auto-eoi: isr in handler=%02x\n", isr_in[0]);
    pic_remap(PIC_VEC1, PIC_VEC2, 0x01);
    pic_mask(0xFF, 0xFF);
}

static void poll_and_rotation(void)
{
    pic_mask(0xFC, 0xFF); /* IRQ 0 and 1 may request; IF stays 0 */
    wait_irr(PIC1_CMD, 0x01);
    uint8_t p = pic_read(PIC1_CMD, 0x0C); /* OCW3 poll */
    uint8_t isr = pic_read(PIC1_CMD, PIC_READ_ISR);
    outb(PIC1_CMD, PIC_EOI);
    kprintf("poll: %02x isr=%02x after eoi=%02x\n", p, isr, pic_read(PIC1_CMD, PIC_READ_ISR));
    outb(PIC1_CMD, 0xC0); /* set priority: IRQ 0 lowest, IRQ 1 highest */
    wait_irr(PIC1_CMD, 0x01);
    kbd_inject(0x24);
    wait_irr(PIC1_CMD, 0x02);
    uint8_t first = pic_read(PIC1_CMD, 0x0C);
    outb(PIC1_CMD, PIC_EOI);
    inb(KBC_DATA);
    uint8_t second = pic_read(PIC1_CMD, 0x0C);
    outb(PIC1_CMD, PIC_EOI);
    kprintf("rotated priority: poll %02x then %02x\n", first, second);
    outb(PIC1_CMD, 0xC7); /* back to IRQ 0 highest */
    pic_mask(0xFF, 0xFF);
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    dev_init();
    irq_hook = hook;
    kprintf("elcr=%02x %02x\n", inb(0x4D0), inb(0x4D1));
    pic_remap(PIC_VEC1, PIC_VEC2, 0x01);
    pic_mask(0xFF, 0xFF);
    kprintf("imr after remap=%02x %02x\n", inb(PIC1_DATA), inb(PIC2_DATA));
    ticks_and_eoi();
    imr_masking();
    nested_priority();
    cascade();
    auto_eoi();
    poll_and_rotation();
    return 0;
}
