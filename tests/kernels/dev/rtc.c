/* CMOS/RTC: registers A-D and the BIOS bytes of CMOS RAM, setting the time
 * (SET), BCD/binary and 12/24-hour formats, the update-in-progress flag,
 * periodic interrupts acknowledged through register C (and held off while
 * C is not read), update-ended and alarm interrupts, the NMI-disable bit of
 * port 0x70. IRQ 8 arrives through the 8259 slave. */
#include "devlib.h"

#define RTC_INDEX 0x70
#define RTC_DATA 0x71
#define NMI_OFF 0x80
#define V_RTC PIC_VEC2
#define V_SLEEP 0x3F
#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_BINARY 0x04
#define B_24H 0x02

static uint8_t c_seen[16];
static volatile unsigned acks;
static int ack_in_handler = 1;
static uint8_t sec_in_handler;

static uint8_t rd(uint8_t reg)
{
    outb(RTC_INDEX, reg);
    return inb(RTC_DATA);
}

static void wr(uint8_t reg, uint8_t v)
{
    outb(RTC_INDEX, reg);
    outb(RTC_DATA, v);
}

static void hook(unsigned v)
{
    if (v == V_RTC) {
        if (ack_in_handler) {
            uint8_t c = rd(0x0C);
            if (acks < 16)
                c_seen[acks] = c;
            acks++;
            sec_in_handler = rd(0x00);
        }
        outb(PIC2_CMD, PIC_EOI);
        outb(PIC1_CMD, PIC_EOI);
        return;
    }
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

static void registers(void)
{
    kprintf("a=%02x b=%02x d=%02x century=%02x/%02x\n", rd(0x0A) & 0x7F, rd(0x0B), rd(0x0D),
            rd(0x32), rd(0x37));
    kprintf("cmos:");
    for (uint8_t i = 0x0E; i < 0x40; i++)
        kprintf(" %02x", rd(i));
    kprintf("\nabove 4g: %02x %02x %02x cpus-1=%02x\n", rd(0x5B), rd(0x5C), rd(0x5D), rd(0x5F));
    wr(0x50, 0xA5);
    outb(RTC_INDEX, NMI_OFF | 0x50);
    kprintf("ram byte with nmi-off index: %02x\n", inb(RTC_DATA));
    outb(RTC_INDEX, 0x0D);
}

static void set_time(void)
{
    wr(0x0B, B_SET | B_24H);
    static const uint8_t t[][2] = {{0x00, 0x56}, {0x02, 0x34}, {0x04, 0x12}, {0x06, 0x03},
                                   {0x07, 0x15}, {0x08, 0x06}, {0x09, 0x21}, {0x32, 0x20}};
    for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        wr(t[i][0], t[i][1]);
    wr(0x0B, B_24H);
    kprintf("set: %02x%02x-%02x-%02x %02x:%02x\n", rd(0x32), rd(0x09), rd(0x08), rd(0x07),
            rd(0x04), rd(0x02));
    wr(0x0B, B_24H | B_BINARY);
    kprintf("binary: year=%u month=%u day=%u hour=%u\n", rd(0x09), rd(0x08), rd(0x07), rd(0x04));
    wr(0x0B, 0);
    kprintf("12-hour bcd: hour=%02x\n", rd(0x04));
    wr(0x0B, B_24H);
}

/* Polling UIP for a whole second costs a billion instructions on emu: sleep
 * (HLT) from one update to just before the next, then poll. */
static void uip(void)
{
    pic_mask(0xFB, 0xFE);
    rd(0x0C);
    acks = 0;
    wr(0x0B, B_24H | B_UIE);
    while (acks == 0)
        wait_irq();
    wr(0x0B, B_24H);
    sleep_us(999000);
    while (!(rd(0x0A) & 0x80))
        ;
    while (rd(0x0A) & 0x80)
        ;
    kprintf("uip went 1 then 0\n");
}

static void periodic(void)
{
    pic_mask(0xFB, 0xFE);
    rd(0x0C);
    wr(0x0A, 0x26); /* 1024 Hz */
    acks = 0;
    wr(0x0B, B_24H | B_PIE);
    while (acks < 10)
        wait_irq();
    uint8_t all = 0xFF;
    for (int i = 0; i < 10; i++)
        all &= c_seen[i] & 0xC0;
    ack_in_handler = 0;
    unsigned before = irq_count[V_RTC];
    while (irq_count[V_RTC] == before)
        wait_irq();
    sleep_us(20000); /* 20 periods without reading C */
    unsigned held = irq_count[V_RTC] - before;
    ack_in_handler = 1;
    uint8_t c = rd(0x0C);
    before = irq_count[V_RTC];
    while (irq_count[V_RTC] == before)
        wait_irq();
    wr(0x0B, B_24H);
    rd(0x0C);
    kprintf("periodic: 10 acked, c&pf|irqf=%02x; unacked: %u interrupt(s) in 20 periods; "
            "c=%02x then again\n", all, held, c & 0xC0);
}

static void update_and_alarm(void)
{
    acks = 0;
    wr(0x0B, B_24H | B_UIE);
    while (acks == 0)
        wait_irq();
    uint8_t c = c_seen[0];
    kprintf("update-ended: c&uf|irqf=%02x\n", c & 0x90);
    wr(0x0B, B_SET | B_24H);
    wr(0x00, 0x56);
    wr(0x02, 0x34);
    wr(0x04, 0x12);
    wr(0x01, 0x57); /* alarm at 12:34:57 */
    wr(0x03, 0x34);
    wr(0x05, 0x12);
    wr(0x0B, B_24H | B_AIE);
    rd(0x0C);
    acks = 0;
    while (acks == 0)
        wait_irq();
    wr(0x0B, B_24H);
    kprintf("alarm: c&af|irqf=%02x at second %02x\n", c_seen[0] & 0xA0, sec_in_handler);
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
    set_time();
    uip();
    periodic();
    update_and_alarm();
    pic_mask(0xFF, 0xFF);
    return 0;
}
