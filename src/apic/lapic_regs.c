/* Local APIC registers, shared by the xAPIC MMIO page and the x2APIC MSRs
 * (Intel SDM vol. 3A tables 11-1 and 11-6). Registers are named by their
 * xAPIC offset; the x2APIC MSR is 0x800 + offset / 16. */
#include "apic_bus.h"
#include "lapic_int.h"

/* Writable bits of each LVT entry (delivery status and remote IRR are
 * read-only). */
static const uint32_t lvt_writable[LVT_COUNT] = {
    [LVT_TIMER] = LVT_VECTOR | LVT_MASKED | LVT_TIMER_MODE_MASK,
    [LVT_THERMAL] = LVT_VECTOR | LVT_DM_MASK | LVT_MASKED,
    [LVT_PERF] = LVT_VECTOR | LVT_DM_MASK | LVT_MASKED,
    [LVT_LINT0] = LVT_VECTOR | LVT_DM_MASK | LVT_POLARITY | LVT_LEVEL | LVT_MASKED,
    [LVT_LINT1] = LVT_VECTOR | LVT_DM_MASK | LVT_POLARITY | LVT_LEVEL | LVT_MASKED,
    [LVT_ERROR] = LVT_VECTOR | LVT_MASKED,
};

#define TPR_MASK       0xFFu
#define LDR_XAPIC_MASK 0xFF000000u
#define DFR_WRITABLE   0xF0000000u

static bool in_range(unsigned off, unsigned first, unsigned count)
{
    return off >= first && off < first + count * 0x10;
}

static uint32_t x2apic_ldr(const struct lapic *l)
{
    return ((l->initial_id >> 4) << 16) | (1u << (l->initial_id & 0xF));
}

/* Registers whose value does not depend on the mode. Returns false if off
 * names none of them. */
static bool read_common(struct lapic *l, unsigned off, uint64_t *v)
{
    if (in_range(off, APIC_ISR0, 8))
        *v = l->isr[(off - APIC_ISR0) >> 4];
    else if (in_range(off, APIC_TMR0, 8))
        *v = l->tmr[(off - APIC_TMR0) >> 4];
    else if (in_range(off, APIC_IRR0, 8))
        *v = l->irr[(off - APIC_IRR0) >> 4];
    else if (in_range(off, APIC_LVT_TIMER, LVT_COUNT))
        *v = l->lvt[(off - APIC_LVT_TIMER) >> 4];
    else {
        switch (off) {
        case APIC_VERSION: *v = APIC_VERSION_VALUE; break;
        case APIC_TPR: *v = l->tpr; break;
        case APIC_PPR: *v = lapic_ppr(l); break;
        case APIC_SVR: *v = l->svr; break;
        case APIC_ESR: *v = l->esr; break;
        case APIC_TIMER_ICR: *v = l->timer_initial; break;
        case APIC_TIMER_CCR: *v = lapic_timer_current(l); break;
        case APIC_TIMER_DCR: *v = l->dcr; break;
        default: return false;
        }
    }
    return true;
}

/* Reads register `off`. Returns 0, or -1 if it does not exist in the current
 * mode (#GP in x2APIC mode, an illegal-register error in xAPIC mode). */
static int reg_read(struct lapic *l, unsigned off, uint64_t *v)
{
    if (read_common(l, off, v)) return 0;
    bool x2 = lapic_x2apic(l);
    switch (off) {
    case APIC_ID: *v = x2 ? l->initial_id : l->id << 24; return 0;
    case APIC_LDR: *v = x2 ? x2apic_ldr(l) : l->ldr; return 0;
    case APIC_ICR_LO: *v = x2 ? ((uint64_t)l->icr_hi << 32) | l->icr_lo : l->icr_lo; return 0;
    case APIC_APR: *v = lapic_arb_priority(l); return x2 ? -1 : 0;
    case APIC_EOI: *v = 0; return x2 ? -1 : 0; /* write-only */
    case APIC_DFR: *v = l->dfr | DFR_RESERVED_ONES; return x2 ? -1 : 0;
    case APIC_ICR_HI: *v = l->icr_hi; return x2 ? -1 : 0;
    default: *v = 0; return -1;
    }
}

static void write_svr(struct lapic *l, uint32_t v)
{
    l->svr = v & SVR_WRITABLE;
    if (!lapic_sw_enabled(l)) {
        uint32_t old_timer = l->lvt[LVT_TIMER];
        for (int i = 0; i < LVT_COUNT; i++)
            l->lvt[i] |= LVT_MASKED;
        lapic_timer_lvt_changed(l, old_timer);
    }
    lapic_update_intr(l);
}

static void write_lvt(struct lapic *l, unsigned i, uint32_t v)
{
    uint32_t old = l->lvt[i];
    uint32_t keep = old & ~lvt_writable[i];
    l->lvt[i] = keep | (v & lvt_writable[i]);
    if (!lapic_sw_enabled(l))
        l->lvt[i] |= LVT_MASKED; /* SDM §11.4.7.2: masks stay set while disabled */
    if (i == LVT_TIMER)
        lapic_timer_lvt_changed(l, old);
    else if (i == LVT_LINT0 || i == LVT_LINT1)
        lapic_update_intr(l);
}

/* Sends the IPI described by the ICR (SDM §11.6.1). */
void lapic_send_ipi(struct lapic *l)
{
    unsigned mode = lvt_mode(l->icr_lo);
    struct apic_msg m = {
        .vector = (uint8_t)(l->icr_lo & LVT_VECTOR),
        .delivery = (uint8_t)mode,
        .shorthand = (uint8_t)((l->icr_lo >> ICR_SHORTHAND_SHIFT) & 3),
        .logical = (l->icr_lo & ICR_DEST_LOGICAL) != 0,
        .level = (l->icr_lo & ICR_TRIGGER_LEVEL) != 0,
        .assert = (l->icr_lo & ICR_LEVEL_ASSERT) != 0,
        .dest = lapic_x2apic(l) ? l->icr_hi : l->icr_hi >> ICR_XAPIC_DEST_SHIFT,
        .src = APIC_SRC_IPI,
        .src_pin = -1,
    };
    bool fixed = mode == APIC_DM_FIXED || mode == APIC_DM_LOWPRI;
    if (fixed && m.vector < APIC_FIRST_LEGAL_VECTOR) {
        lapic_error(l, ESR_SEND_ILLEGAL_VECTOR);
        return;
    }
    apic_bus_send(l->bus, &m, l);
}

static void self_ipi(struct lapic *l, uint8_t vector)
{
    struct apic_msg m = {.vector = vector,
                         .delivery = APIC_DM_FIXED,
                         .shorthand = SH_SELF,
                         .assert = true,
                         .src = APIC_SRC_IPI,
                         .src_pin = -1};
    if (vector < APIC_FIRST_LEGAL_VECTOR)
        lapic_error(l, ESR_SEND_ILLEGAL_VECTOR);
    else
        apic_bus_send(l->bus, &m, l);
}

/* Writes of registers the two modes share. Returns false if off is not one. */
static bool write_common(struct lapic *l, unsigned off, uint64_t v)
{
    if (in_range(off, APIC_LVT_TIMER, LVT_COUNT)) {
        write_lvt(l, (off - APIC_LVT_TIMER) >> 4, (uint32_t)v);
        return true;
    }
    switch (off) {
    case APIC_TIMER_ICR: lapic_timer_write_initial(l, (uint32_t)v); return true;
    case APIC_TIMER_DCR: lapic_timer_write_dcr(l, (uint32_t)v); return true;
    default: return false;
    }
}

static int write_xapic(struct lapic *l, unsigned off, uint32_t v)
{
    switch (off) {
    case APIC_ID: l->id = v >> 24; break;
    case APIC_TPR: lapic_set_tpr(l, (uint8_t)(v & TPR_MASK)); break;
    case APIC_EOI: lapic_eoi(l); break;
    case APIC_LDR: l->ldr = v & LDR_XAPIC_MASK; break;
    case APIC_DFR: l->dfr = v & DFR_WRITABLE; break;
    case APIC_SVR: write_svr(l, v); break;
    case APIC_ESR:
        l->esr = l->esr_pending;
        l->esr_pending = 0;
        break;
    case APIC_ICR_LO:
        l->icr_lo = v & ICR_XAPIC_LO_WRITABLE;
        lapic_send_ipi(l);
        break;
    case APIC_ICR_HI: l->icr_hi = v & LDR_XAPIC_MASK; break;
    case APIC_VERSION:
    case APIC_APR:
    case APIC_PPR:
    case APIC_TIMER_CCR: break; /* read-only: ignored */
    default:
        if (in_range(off, APIC_ISR0, 24)) break; /* ISR, TMR, IRR: read-only */
        return -1;
    }
    return 0;
}

/* x2APIC writes: read-only registers and reserved bits raise #GP (SDM
 * §11.12.1.2). */
static int write_x2apic(struct lapic *l, unsigned off, uint64_t v)
{
    bool high = (v >> 32) != 0;
    switch (off) {
    case APIC_TPR:
        if (v & ~(uint64_t)TPR_MASK) return -1;
        lapic_set_tpr(l, (uint8_t)v);
        return 0;
    case APIC_EOI:
        if (v != 0) return -1;
        lapic_eoi(l);
        return 0;
    case APIC_SVR:
        if (v & ~(uint64_t)SVR_WRITABLE) return -1;
        write_svr(l, (uint32_t)v);
        return 0;
    case APIC_ESR:
        if (v != 0) return -1;
        l->esr = l->esr_pending;
        l->esr_pending = 0;
        return 0;
    case APIC_ICR_LO:
        l->icr_lo = (uint32_t)v & ICR_XAPIC_LO_WRITABLE;
        l->icr_hi = (uint32_t)(v >> 32);
        lapic_send_ipi(l);
        return 0;
    case APIC_SELF_IPI:
        if (v & ~(uint64_t)LVT_VECTOR) return -1;
        self_ipi(l, (uint8_t)v);
        return 0;
    default: return high ? -1 : -2;
    }
}

int lapic_reg_read(struct lapic *l, unsigned off, uint64_t *v)
{
    return reg_read(l, off, v);
}

int lapic_reg_write(struct lapic *l, unsigned off, uint64_t v)
{
    if (!lapic_x2apic(l)) return write_common(l, off, v) ? 0 : write_xapic(l, off, (uint32_t)v);
    int r = write_x2apic(l, off, v);
    if (r != -2) return r;
    return write_common(l, off, v) ? 0 : -1;
}
