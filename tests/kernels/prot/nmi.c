/* NMI blocking (SDM Vol. 3 §6.7.1): while the CPU handles an NMI, a second
 * NMI is held pending until the next IRET -- the handler's own, or the IRET
 * of any exception handler that runs inside it, which is why kernels must
 * be careful with exceptions in their NMI handlers. The NMIs come from the
 * local APIC as self-IPIs. */
#include "klib.h"

#define LAPIC_BASE 0xFEE00000UL
#define LAPIC_SVR 0x0F0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define SVR_ENABLE (1u << 8)
#define ICR_SELF (1u << 18)
#define ICR_NMI (4u << 8)
#define VEC_NMI 2
#define VEC_BP 3
#define SPIN 20000

static volatile unsigned nmis, depth, with_int3;
static char trail[512];
static unsigned trail_len;

static void note(const char *s)
{
    while (*s && trail_len < sizeof(trail) - 1)
        trail[trail_len++] = *s++;
    if (trail_len < sizeof(trail) - 1)
        trail[trail_len++] = ' ';
}

static void lapic_write(unsigned reg, uint32_t v)
{
    *(volatile uint32_t *)(LAPIC_BASE + reg) = v;
}

static uint32_t lapic_read(unsigned reg)
{
    return *(volatile uint32_t *)(LAPIC_BASE + reg);
}

static void self_nmi(void)
{
    lapic_write(LAPIC_ICR_HI, 0);
    lapic_write(LAPIC_ICR_LO, ICR_SELF | ICR_NMI);
}

static void spin(void)
{
    for (volatile unsigned i = 0; i < SPIN; i++)
        ;
}

static void nmi_handler(void)
{
    unsigned n = ++nmis;
    depth++;
    note(n == 1 ? "nmi1{" : depth > 1 ? "nmi2-nested{" : "nmi2{");
    if (n == 1) {
        self_nmi();
        spin();
        note(nmis == 1 ? "held" : "NOT-HELD");
        if (with_int3) {
            __asm__ volatile("int3");
            spin();
            note(nmis == 2 ? "taken-after-int3-iret" : "still-held-after-int3-iret");
        }
    }
    note("}");
    depth--;
}

static void on_trap(struct trap_frame *f)
{
    if (f->vector == VEC_NMI)
        nmi_handler();
    else if (f->vector == VEC_BP)
        note("int3");
    else
        trap_default(f);
}

static void run(const char *name, int int3)
{
    nmis = 0;
    trail_len = 0;
    with_int3 = (unsigned)int3;
    self_nmi();
    for (unsigned i = 0; i < 100 && nmis < 2; i++)
        spin();
    trail[trail_len] = '\0';
    kprintf("%s: %s(nmis %u)\n", name, trail, nmis);
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    idt_init();
    trap_handler = on_trap;
    lapic_write(LAPIC_SVR, lapic_read(LAPIC_SVR) | SVR_ENABLE | 0xFF);
    run("nmi inside the nmi handler", 0);
    run("int3 inside the nmi handler", 1);
    return 0x23;
}
