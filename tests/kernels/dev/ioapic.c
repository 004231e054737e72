/* The I/O APIC: identification and reset state, redirection entries read
 * back, the PIT on pin 2 (ISA IRQ 0) with the 8259 masked, a masked pin
 * staying quiet, a level-triggered pin re-asserting (remote IRR) until its
 * source goes quiet, logical and lowest-priority delivery. */
#include "devlib.h"

#define V_PIT 0x30
#define V_COM1 0x34
#define V_SLEEP 0x3F
#define IOAPIC_LOGICAL (1u << 11)
#define IOAPIC_REMOTE_IRR (1u << 14)
#define DM_LOWPRI (1u << 8)

static uint32_t remote_in, tmr_in;

static void hook(unsigned v)
{
    if (v == V_COM1) {
        remote_in = ioapic_read(0x10 + 2 * 4) & IOAPIC_REMOTE_IRR;
        tmr_in = (uint32_t)lapic_vec_bit(LAPIC_TMR, V_COM1);
        if (irq_count[V_COM1] == 3)
            outb(COM1 + 1, 0); /* the UART stops requesting */
    }
    lapic_write(LAPIC_EOI, 0);
}

/* Sleeps about `us` microseconds on the local APIC timer (one-shot). */
static void sleep_us(unsigned us)
{
    unsigned before = irq_count[V_SLEEP];
    lapic_write(LAPIC_TIMER_DIV, 0xB); /* divide by 1: 1 GHz on both machines' model */
    lapic_write(LAPIC_LVT_TIMER, V_SLEEP);
    lapic_write(LAPIC_TIMER_INIT, us * 1000);
    while (irq_count[V_SLEEP] == before)
        wait_irq();
}

static void count_pit(unsigned n)
{
    unsigned start = irq_count[V_PIT];
    while (irq_count[V_PIT] - start < n)
        wait_irq();
}

static void identification(void)
{
    unsigned masked = 0;
    for (unsigned pin = 0; pin < 24; pin++)
        masked += ioapic_read(0x10 + 2 * pin) == IOAPIC_MASKED;
    kprintf("ioapic id=%08x version=%08x masked entries=%u\n", ioapic_read(0), ioapic_read(1),
            masked);
    ioapic_route(9, IOAPIC_MASKED | IOAPIC_LEVEL | (1u << 13) | IOAPIC_LOGICAL | DM_LOWPRI | 0xE5,
                 0xAB);
    kprintf("entry 9 reads back %08x %08x\n", ioapic_read(0x10 + 19),
            ioapic_read(0x10 + 18));
    ioapic_route(9, IOAPIC_MASKED, 0);
}

static void pit_on_pin2(void)
{
    pit_program(0, 2, (uint16_t)(PIT_HZ / 1000));
    ioapic_route(2, V_PIT, 0);
    count_pit(5);
    ioapic_route(2, IOAPIC_MASKED | V_PIT, 0);
    unsigned n = irq_count[V_PIT];
    sleep_us(5000);
    kprintf("pit via pin 2: counted %u, while masked +%u, pic irr0=%u\n", n,
            irq_count[V_PIT] - n, pic_read(PIC1_CMD, PIC_READ_IRR) & 1);
}

static void destinations(void)
{
    lapic_write(0x0D0, 0x01000000); /* LDR: logical ID 1 (flat model) */
    ioapic_route(2, IOAPIC_LOGICAL | V_PIT, 0x01);
    count_pit(2);
    ioapic_route(2, IOAPIC_LOGICAL | IOAPIC_MASKED | V_PIT, 0x01);
    unsigned n = irq_count[V_PIT];
    ioapic_route(2, IOAPIC_LOGICAL | V_PIT, 0x02);
    sleep_us(5000);
    unsigned other = irq_count[V_PIT] - n;
    ioapic_route(2, IOAPIC_LOGICAL | DM_LOWPRI | V_PIT, 0x01);
    count_pit(2);
    ioapic_route(2, IOAPIC_MASKED, 0);
    kprintf("logical dest 1: ok; dest 2 (no such cpu): +%u; lowest priority: ok\n", other);
}

static void level_pin(void)
{
    ioapic_route(4, IOAPIC_LEVEL | V_COM1, 0);
    outb(COM1 + 1, 0x02); /* THR empty: the UART requests until IER is cleared */
    while (irq_count[V_COM1] < 3)
        wait_irq();
    sleep_us(1000);
    kprintf("level pin 4: delivered %u, remote irr in handler=%u tmr=%u, after=%u\n",
            irq_count[V_COM1], remote_in != 0, tmr_in,
            (ioapic_read(0x10 + 8) & IOAPIC_REMOTE_IRR) != 0);
    ioapic_route(4, IOAPIC_MASKED, 0);
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    dev_init();
    irq_hook = hook;
    pic_remap(PIC_VEC1, PIC_VEC2, 0x01);
    pic_mask(0xFF, 0xFF);
    identification();
    pit_on_pin2();
    destinations();
    level_pin();
    return 0;
}
