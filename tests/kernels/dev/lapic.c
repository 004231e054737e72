/* The local APIC: the state the BIOS leaves, the timer (one-shot fires
 * once, periodic repeats), TPR holding back a lower priority class until
 * lowered, CR8 as TPR[7:4], PPR while in service, self-IPIs (fixed and NMI),
 * and LINT0 in virtual-wire mode gating the 8259. */
#include "devlib.h"

#define MSR_APIC_BASE 0x1B
#define V_ONESHOT 0x40
#define V_PERIODIC 0x41
#define V_LOW 0x45
#define V_MID 0x50
#define V_HIGH 0x65
#define ICR_SELF (1u << 18)
#define ICR_NMI (4u << 8)

static uint32_t ppr_in, ppr_after, isr_in;

static void hook(unsigned v)
{
    if (v == PIC_VEC1) {
        outb(PIC1_CMD, PIC_EOI);
        return;
    }
    if (v == 2)
        return; /* NMI: no EOI */
    if (v == V_MID) {
        ppr_in = lapic_read(LAPIC_PPR);
        isr_in = (uint32_t)lapic_vec_bit(LAPIC_ISR, V_MID);
        lapic_write(LAPIC_EOI, 0);
        ppr_after = lapic_read(LAPIC_PPR);
        return;
    }
    lapic_write(LAPIC_EOI, 0);
}

static void window(void)
{
    __asm__ volatile("sti; nop; nop; nop; nop; cli" ::: "memory");
}

static void self_ipi(uint32_t low)
{
    lapic_write(LAPIC_ICR_HI, 0);
    lapic_write(LAPIC_ICR_LO, ICR_SELF | low);
}

static void bios_state(void)
{
    kprintf("apic base msr=%lx version=%08x svr=%03x lint0=%05x lint1=%05x\n",
            (unsigned long)rdmsr(MSR_APIC_BASE), lapic_read(LAPIC_VER),
            lapic_read(LAPIC_SVR), lapic_read(LAPIC_LVT_LINT0), lapic_read(LAPIC_LVT_LINT1));
    kprintf("timer lvt=%05x error lvt=%05x tpr=%02x ppr=%02x\n", lapic_read(LAPIC_LVT_TIMER),
            lapic_read(LAPIC_LVT_ERROR), lapic_read(LAPIC_TPR), lapic_read(LAPIC_PPR));
}

static void one_shot(void)
{
    lapic_write(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
    lapic_write(LAPIC_LVT_TIMER, V_ONESHOT);
    lapic_write(LAPIC_TIMER_INIT, 50000);
    while (irq_count[V_ONESHOT] == 0)
        wait_irq();
    uint32_t cur = lapic_read(LAPIC_TIMER_CUR);
    for (volatile unsigned i = 0; i < 2000000; i++)
        ;
    window();
    kprintf("one-shot: fired=%u current count after=%u initial=%u\n", irq_count[V_ONESHOT], cur,
            lapic_read(LAPIC_TIMER_INIT));
}

static void periodic(void)
{
    lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | V_PERIODIC);
    lapic_write(LAPIC_TIMER_INIT, 20000);
    while (irq_count[V_PERIODIC] < 5)
        wait_irq();
    unsigned n = irq_count[V_PERIODIC];
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LVT_PERIODIC | V_PERIODIC);
    lapic_write(LAPIC_TIMER_INIT, 0);
    window(); /* a tick that came while IF was 0 */
    kprintf("periodic: %u interrupts, lvt=%05x\n", n, lapic_read(LAPIC_LVT_TIMER));
}

static void tpr_and_cr8(void)
{
    irq_order_len = 0;
    lapic_write(LAPIC_TPR, 0x50);
    self_ipi(V_LOW);
    window();
    kprintf("tpr=50: vector 45 held=%u irr=%d ppr=%02x\n", irq_count[V_LOW] == 0,
            lapic_vec_bit(LAPIC_IRR, V_LOW), lapic_read(LAPIC_PPR));
    self_ipi(V_HIGH);
    window();
    kprintf("vector 65 taken=%u, 45 still held=%u\n", irq_count[V_HIGH], irq_count[V_LOW] == 0);
    lapic_write(LAPIC_TPR, 0x00);
    window();
    kprintf("tpr=0: order %x %x\n", irq_order[0], irq_order[1]);
    WRITE_CR(8, 3);
    uint32_t tpr = lapic_read(LAPIC_TPR);
    lapic_write(LAPIC_TPR, 0x7A);
    kprintf("cr8=3 -> tpr=%02x; tpr=7a -> cr8=%lu\n", tpr, (unsigned long)READ_CR(8));
    WRITE_CR(8, 0);
}

static void in_service(void)
{
    lapic_write(LAPIC_TPR, 0x20);
    self_ipi(V_MID);
    window();
    kprintf("self-ipi 50: taken=%u isr in handler=%u ppr in=%02x after eoi=%02x\n",
            irq_count[V_MID], isr_in, ppr_in, ppr_after);
    lapic_write(LAPIC_TPR, 0);
    self_ipi(ICR_NMI);
    for (unsigned i = 0; i < 1000000 && irq_count[2] == 0; i++)
        ;
    kprintf("nmi self-ipi with IF=0: taken=%u\n", irq_count[2]);
}

static void virtual_wire(void)
{
    pit_program(0, 2, (uint16_t)(PIT_HZ / 1000));
    lapic_write(LAPIC_LVT_LINT0, LVT_MASKED | 0x700);
    pic_mask(0xFE, 0xFF);
    while (!(pic_read(PIC1_CMD, PIC_READ_IRR) & 1))
        window();
    window();
    kprintf("lint0 masked: pic irq0 pending, delivered=%u\n", irq_count[PIC_VEC1]);
    lapic_write(LAPIC_LVT_LINT0, 0x700);
    window();
    pic_mask(0xFF, 0xFF);
    kprintf("lint0 extint: delivered=%u\n", irq_count[PIC_VEC1] > 0);
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    dev_init();
    irq_hook = hook;
    pic_remap(PIC_VEC1, PIC_VEC2, 0x01);
    pic_mask(0xFF, 0xFF);
    bios_state();
    one_shot();
    periodic();
    tpr_and_cr8();
    in_service();
    virtual_wire();
    return 0;
}
