/* info apic and info pic: the interrupt controllers as the guest
 * programmed them (read through their debugger accessors, no side effect). */
#include <string.h>

#include "../apic/apic_defs.h"
#include "../apic/lapic.h"
#include "../apic/pic.h"
#include "repl_int.h"

#define VEC_WORDS   8
#define LVT_NAMES_N LVT_COUNT

/* The vectors set in a 256-bit register (eight 32-bit words at off). */
static void vector_set(struct lapic *l, unsigned off, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (unsigned w = 0; w < VEC_WORDS; w++) {
        uint64_t v = 0;
        lapic_reg_read(l, off + 0x10 * w, &v);
        for (unsigned b = 0; b < 32 && len + 6 < n; b++)
            if (v & (1ULL << b)) len += (size_t)snprintf(buf + len, n - len, " 0x%02x", w * 32 + b);
    }
    if (!len) snprintf(buf, n, " none");
}

static void lvt_line(struct repl *r, struct lapic *l, unsigned i)
{
    static const char *const names[LVT_NAMES_N] = {"timer", "thermal", "perf",
                                                   "LINT0", "LINT1",   "error"};
    static const char *const modes[] = {"fixed", "lowest", "SMI", "?",
                                        "NMI",   "INIT",   "?",   "ExtINT"};
    static const char *const tmodes[] = {"one-shot", "periodic", "TSC-deadline", "?"};
    uint64_t v = 0;
    lapic_reg_read(l, APIC_LVT_TIMER + 0x10 * i, &v);
    char extra[48] = "";
    if (i == LVT_TIMER)
        snprintf(extra, sizeof(extra), ", %s",
                 tmodes[(v & LVT_TIMER_MODE_MASK) >> LVT_TIMER_MODE_SHIFT]);
    repl_printf(r, "  LVT %-7s 0x%08llx  vector 0x%02llx, %s%s%s\n", names[i],
                (unsigned long long)v, (unsigned long long)(v & LVT_VECTOR),
                modes[(v & LVT_DM_MASK) >> LVT_DM_SHIFT], extra,
                (v & LVT_MASKED) ? ", masked" : "");
}

void info_apic(struct repl *r)
{
    struct lapic *l = r->m->lapic;
    if (!l) {
        repl_printf(r, "This machine has no local APIC.\n");
        return;
    }
    uint64_t id = 0, ver = 0, tpr = 0, ppr = 0, svr = 0, icr = 0, ccr = 0, dcr = 0;
    lapic_reg_read(l, APIC_ID, &id);
    lapic_reg_read(l, APIC_VERSION, &ver);
    lapic_reg_read(l, APIC_TPR, &tpr);
    lapic_reg_read(l, APIC_PPR, &ppr);
    lapic_reg_read(l, APIC_SVR, &svr);
    lapic_reg_read(l, APIC_TIMER_ICR, &icr);
    lapic_reg_read(l, APIC_TIMER_CCR, &ccr);
    lapic_reg_read(l, APIC_TIMER_DCR, &dcr);
    repl_printf(r,
                "local APIC: ID 0x%llx, version 0x%llx; %s; software %s (SVR 0x%llx, spurious "
                "vector 0x%02llx)\n",
                (unsigned long long)id, (unsigned long long)ver,
                lapic_hw_enabled(l) ? "enabled in IA32_APIC_BASE" : "disabled in IA32_APIC_BASE",
                (svr & SVR_ENABLE) ? "enabled" : "disabled", (unsigned long long)svr,
                (unsigned long long)(svr & SVR_VECTOR));
    repl_printf(r, "  TPR 0x%02llx, PPR 0x%02llx (interrupts of priority class <= 0x%llx wait)\n",
                (unsigned long long)tpr, (unsigned long long)ppr, (unsigned long long)(ppr >> 4));
    char set[256];
    vector_set(l, APIC_IRR0, set, sizeof(set));
    repl_printf(r, "  IRR (requested):%s\n", set);
    vector_set(l, APIC_ISR0, set, sizeof(set));
    repl_printf(r, "  ISR (in service, waiting for EOI):%s\n", set);
    for (unsigned i = 0; i < LVT_COUNT; i++)
        lvt_line(r, l, i);
    repl_printf(r, "  timer: initial count %llu, current count %llu, divide configuration 0x%llx\n",
                (unsigned long long)icr, (unsigned long long)ccr, (unsigned long long)dcr);
}

static void irq_bits(uint8_t v, int first, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int b = 0; b < 8; b++)
        if (v & (1u << b)) len += (size_t)snprintf(buf + len, n - len, " %d", first + b);
    if (!len) snprintf(buf, n, " none");
}

void info_pic(struct repl *r)
{
    if (!r->m->pic) {
        repl_printf(r, "This machine has no 8259 PIC.\n");
        return;
    }
    static const char *const names[2] = {"master (IRQ 0-7)", "slave (IRQ 8-15)"};
    for (int c = 0; c < 2; c++) {
        struct pic_view v;
        pic_view(r->m->pic, c, &v);
        char irr[48], isr[48], imr[48];
        irq_bits(v.irr, 8 * c, irr, sizeof(irr));
        irq_bits(v.isr, 8 * c, isr, sizeof(isr));
        irq_bits(v.imr, 8 * c, imr, sizeof(imr));
        repl_printf(r, "8259 %s: vectors 0x%02x-0x%02x%s%s\n", names[c], v.vector_base,
                    v.vector_base + 7, v.initialised ? "" : " (initialisation in progress)",
                    v.auto_eoi ? ", auto-EOI" : "");
        repl_printf(r, "  requested (IRR):%s\n  in service (ISR):%s\n  masked (IMR):%s\n", irr, isr,
                    imr);
    }
}
