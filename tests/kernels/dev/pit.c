/* The 8254: read-back status after programming, the counter latch, channel
 * 2 gated and watched through port 0x61 (the TSC-calibration idiom), a
 * mode 0 one-shot on IRQ 0 firing once, LSB-only access. */
#include "devlib.h"

#define V_SLEEP 0x3F
#define READ_BACK 0xC0
#define RB_NO_COUNT 0x20
#define RB_NO_STATUS 0x10
#define STATUS_OUT 0x80
#define STATUS_NULL 0x40

static void hook(unsigned v)
{
    if (v == PIC_VEC1)
        outb(PIC1_CMD, PIC_EOI);
    else
        lapic_write(LAPIC_EOI, 0);
}

static void sleep_us(unsigned us)
{
    unsigned before = irq_count[V_SLEEP];
    lapic_write(LAPIC_TIMER_DIV, 0xB);
    lapic_write(LAPIC_LVT_TIMER, V_SLEEP);
    lapic_write(LAPIC_TIMER_INIT, us * 1000);
    while (irq_count[V_SLEEP] == before)
        wait_irq();
}

/* Status byte of channel ch; OUT is left out where QEMU's output levels
 * depart from the 8254 datasheet (modes 2 and 3) and null count is always
 * clear on QEMU. */
static uint8_t status(unsigned ch)
{
    outb(PIT_CMD, (uint8_t)(READ_BACK | RB_NO_COUNT | (2u << ch)));
    return inb((uint16_t)(PIT_CH0 + ch));
}

/* The latched count of channel 0: LSB, then MSB. */
static uint16_t read_word(void)
{
    uint16_t lo = inb(PIT_CH0);
    return (uint16_t)(lo | inb(PIT_CH0) << 8);
}

static uint16_t latch(unsigned ch)
{
    outb(PIT_CMD, (uint8_t)(ch << 6));
    uint16_t lo = inb((uint16_t)(PIT_CH0 + ch));
    return (uint16_t)(lo | inb((uint16_t)(PIT_CH0 + ch)) << 8);
}

static void status_and_latch(void)
{
    pit_program(0, 3, 0x1234);
    uint8_t s0 = status(0) & (uint8_t)~(STATUS_OUT | STATUS_NULL);
    uint16_t a = latch(0);
    outb(PIT_CMD, 0x00);
    for (volatile int i = 0; i < 100000; i++)
        ;
    outb(PIT_CMD, 0x00); /* a second latch before reading is ignored */
    uint16_t b = read_word();
    outb(PIT_CMD, READ_BACK | RB_NO_STATUS | 0x02);
    uint16_t c = read_word();
    kprintf("ch0 mode 3: status=%02x latched values within count: %u %u %u\n", s0,
            a <= 0x1234, b <= 0x1234, c <= 0x1234);
}

static void channel2_gate(void)
{
    outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01); /* gate 2 high, speaker off */
    pit_program(2, 0, 0x2000);
    uint8_t before = inb(PORT_B) & 0x20, st = status(2);
    while (!(inb(PORT_B) & 0x20))
        ;
    kprintf("ch2 mode 0: out before=%u status=%02x; out rose; status now=%02x port b&3=%x\n",
            before >> 5, st & (uint8_t)~STATUS_NULL, status(2) & (uint8_t)~STATUS_NULL,
            inb(PORT_B) & 3);
    outb(PORT_B, inb(PORT_B) & ~0x03);
}

static void one_shot_irq0(void)
{
    outb(PIT_CMD, 0x10); /* channel 0, LSB only, mode 0: OUT low until the count ends */
    pic_remap(PIC_VEC1, PIC_VEC2, 0x01); /* forget the edges channel 0 made so far */
    pic_mask(0xFE, 0xFF);
    outb(PIT_CMD, 0x10); /* channel 0, LSB only, mode 0 */
    outb(PIT_CH0, 0x80);
    while (irq_count[PIC_VEC1] == 0)
        wait_irq();
    sleep_us(2000);
    pic_mask(0xFF, 0xFF);
    kprintf("mode 0 lsb-only count 0x80: irq0 fired %u time(s); status=%02x\n",
            irq_count[PIC_VEC1], status(0) & (uint8_t)~STATUS_NULL);
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    dev_init();
    irq_hook = hook;
    pic_remap(PIC_VEC1, PIC_VEC2, 0x01);
    pic_mask(0xFF, 0xFF);
    status_and_latch();
    channel2_gate();
    one_shot_irq0();
    return 0;
}
