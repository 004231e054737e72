/* The local APIC in xAPIC mode (SDM Vol. 3A, chapter 11): memory-mapped
 * registers, 16 bytes apart, at the address in IA32_APIC_BASE. */
#include "intr.h"

#include "mmu.h"
#include "printk.h"
#include "traps.h"
#include "vm.h"
#include "x86.h"

#define APIC_BASE_ENABLE    (1 << 11) /* IA32_APIC_BASE: xAPIC global enable */
#define APIC_BASE_ADDR_MASK 0x000FFFFFFFFFF000

#define LAPIC_ID        0x020
#define LAPIC_VERSION   0x030
#define LAPIC_TPR       0x080 /* task priority: 0 accepts every class */
#define LAPIC_EOI       0x0B0
#define LAPIC_SVR       0x0F0 /* spurious-interrupt vector, and the software enable */
#define LAPIC_ESR       0x280 /* error status */
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_ICR 0x380 /* initial count */
#define LAPIC_TIMER_CCR 0x390 /* current count */
#define LAPIC_TIMER_DCR 0x3E0 /* divide configuration */

#define SVR_APIC_ENABLE    (1 << 8)
#define LVT_MASKED         (1 << 16)
#define LVT_DELIVERY_NMI   (4 << 8)
#define LVT_TIMER_PERIODIC (1 << 17)
#define DCR_DIVIDE_BY_16   0x3

static volatile u32 *lapic;

static u32 lapic_read(u32 reg)
{
    return lapic[reg / 4];
}

static void lapic_write(u32 reg, u32 v)
{
    lapic[reg / 4] = v;
    (void)lapic_read(LAPIC_ID); /* wait for the write to finish (as xv6) */
}

void lapic_init(void)
{
    u64 base = rdmsr(MSR_APIC_BASE);
    wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
    lapic = ioremap(base & APIC_BASE_ADDR_MASK, PAGE_SIZE);
    lapic_write(LAPIC_SVR, SVR_APIC_ENABLE | VEC_SPURIOUS);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
    lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);       /* the PICs' ExtINT path: unused */
    lapic_write(LAPIC_LVT_LINT1, LVT_DELIVERY_NMI); /* as on a PC: LINT1 carries NMI */
    lapic_write(LAPIC_LVT_ERROR, VEC_LAPIC_ERROR);
    lapic_write(LAPIC_ESR, 0); /* the ESR latches on a write: clear it twice */
    lapic_write(LAPIC_ESR, 0);
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_EOI, 0);
    printk("LAPIC: id %u, version %#x, at %#lx\n", lapic_id(), lapic_read(LAPIC_VERSION) & 0xFF,
           base & APIC_BASE_ADDR_MASK);
}

u32 lapic_id(void)
{
    return lapic_read(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

void lapic_timer_oneshot_max(void)
{
    lapic_write(LAPIC_TIMER_DCR, DCR_DIVIDE_BY_16);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
    lapic_write(LAPIC_TIMER_ICR, 0xFFFFFFFF);
}

u32 lapic_timer_count(void)
{
    return lapic_read(LAPIC_TIMER_CCR);
}

void lapic_timer_start(u32 count)
{
    lapic_write(LAPIC_TIMER_DCR, DCR_DIVIDE_BY_16);
    lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | VEC_LAPIC_TIMER);
    lapic_write(LAPIC_TIMER_ICR, count);
}

void lapic_timer_oneshot(u32 count)
{
    lapic_write(LAPIC_TIMER_DCR, DCR_DIVIDE_BY_16);
    lapic_write(LAPIC_LVT_TIMER, VEC_LAPIC_TIMER); /* one-shot mode */
    lapic_write(LAPIC_TIMER_ICR, count);
}

void lapic_timer_stop(void)
{
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
    lapic_write(LAPIC_TIMER_ICR, 0); /* an initial count of 0 stops the timer */
}

void lapic_error_intr(void)
{
    lapic_write(LAPIC_ESR, 0);
    printk("LAPIC: error, ESR %#x\n", lapic_read(LAPIC_ESR));
}
