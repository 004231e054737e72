/* Local APIC interrupt acceptance: IRR/ISR/TMR, processor priority, the
 * INTR line to the core, INTA, EOI, local (LVT) sources and the LINT pins,
 * APIC bus messages (Intel SDM vol. 3A §11.5, §11.6, §11.8). */
#include "apic_bus.h"
#include "lapic_int.h"

#define PRIO_CLASS 0xF0u

int lapic_highest(const uint32_t *set)
{
    for (int i = APIC_VEC_WORDS - 1; i >= 0; i--)
        if (set[i]) return i * 32 + 31 - __builtin_clz(set[i]);
    return -1;
}

static unsigned class_of(int vector)
{
    return vector < 0 ? 0 : (unsigned)vector & PRIO_CLASS;
}

/* PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4] << 4 (SDM §11.8.3.1). */
uint8_t lapic_ppr(const struct lapic *l)
{
    unsigned isrv = class_of(lapic_highest(l->isr));
    return (l->tpr & PRIO_CLASS) >= isrv ? l->tpr : (uint8_t)isrv;
}

/* APR (SDM §11.6.2.4): TPR if its class is at least that of IRRV and above
 * that of ISRV, else the highest of the three classes. */
uint8_t lapic_arb_priority(const struct lapic *l)
{
    unsigned t = l->tpr & PRIO_CLASS;
    unsigned irrv = class_of(lapic_highest(l->irr));
    unsigned isrv = class_of(lapic_highest(l->isr));
    if (t >= irrv && t > isrv) return l->tpr;
    unsigned m = t > irrv ? t : irrv;
    return (uint8_t)(m > isrv ? m : isrv);
}

/* An 8259 request waits behind LINT0 (ExtINT, level-sensitive) or in an
 * ExtINT message. */
static bool extint_pending(const struct lapic *l)
{
    uint32_t lint0 = l->lvt[LVT_LINT0];
    bool wire = lvt_mode(lint0) == APIC_DM_EXTINT && !(lint0 & LVT_MASKED) && l->lint_level[0];
    return l->extint_msg || wire;
}

/* The highest IRR vector the core may take now, or -1. */
static int deliverable(const struct lapic *l)
{
    if (!lapic_sw_enabled(l)) return -1;
    int irrv = lapic_highest(l->irr);
    if (irrv < 0 || class_of(irrv) <= (lapic_ppr(l) & PRIO_CLASS)) return -1;
    return irrv;
}

void lapic_update_intr(struct lapic *l)
{
    bool level;
    if (!lapic_hw_enabled(l))
        level = l->lint_level[0]; /* the 8259 wired straight to INTR */
    else
        level = extint_pending(l) || deliverable(l) >= 0;
    if (level != l->intr_out) {
        l->intr_out = level;
        l->port.set_intr(l->port.ctx, level);
    }
}

static int extint_ack(struct lapic *l)
{
    l->extint_msg = false;
    int v = l->extint.ack ? l->extint.ack(l->extint.ctx) : -1;
    l->ack_src = APIC_SRC_EXTINT;
    l->ack_pin = -1;
    l->ack_vector = v;
    lapic_update_intr(l);
    return v;
}

int lapic_intr_ack(struct lapic *l)
{
    if (!lapic_hw_enabled(l)) return l->lint_level[0] ? extint_ack(l) : -1;
    if (extint_pending(l)) /* ExtINT ignores priority; QEMU takes it first too */
        return extint_ack(l);
    if (!lapic_sw_enabled(l)) return -1;
    int v = deliverable(l);
    if (v < 0) {
        if (lapic_highest(l->irr) < 0) return -1;
        return (int)(l->svr & SVR_VECTOR); /* masked by priority since INTR rose */
    }
    vec_clear(l->irr, (unsigned)v);
    vec_set(l->isr, (unsigned)v);
    l->ack_src = l->src[v];
    l->ack_pin = l->src_pin[v];
    l->ack_vector = v;
    lapic_update_intr(l);
    return v;
}

int lapic_ack_source(const struct lapic *l, unsigned vector, int *pin)
{
    if (l->ack_vector != (int)vector) return APIC_SRC_UNKNOWN;
    *pin = l->ack_pin;
    return l->ack_src;
}

void lapic_error(struct lapic *l, uint32_t bits)
{
    bool first = (l->esr_pending & bits) != bits;
    l->esr_pending |= bits;
    uint32_t e = l->lvt[LVT_ERROR];
    if (first && !(e & LVT_MASKED)) {
        unsigned v = e & LVT_VECTOR;
        if (v >= APIC_FIRST_LEGAL_VECTOR)
            lapic_set_irr(l, v, false, APIC_SRC_ERROR, -1);
        else
            l->esr_pending |= ESR_RECV_ILLEGAL_VECTOR; /* no recursion */
    }
}

void lapic_set_irr(struct lapic *l, unsigned vector, bool level, uint8_t src, int8_t pin)
{
    if (vector < APIC_FIRST_LEGAL_VECTOR) {
        lapic_error(l, ESR_RECV_ILLEGAL_VECTOR);
        return;
    }
    vec_set(l->irr, vector);
    if (l->port.irq_pending) l->port.irq_pending(l->port.ctx, vector, src, pin);
    l->src[vector] = src;
    l->src_pin[vector] = pin;
    if (level)
        vec_set(l->tmr, vector);
    else
        vec_clear(l->tmr, vector);
    lapic_update_intr(l);
}

/* A level-triggered LINT source finished: clear its remote IRR and, if the
 * line is still asserted, request again. */
static void lint_eoi(struct lapic *l, unsigned vector)
{
    for (int pin = 0; pin < 2; pin++) {
        uint32_t *e = &l->lvt[LVT_LINT0 + pin];
        if ((*e & LVT_REMOTE_IRR) && (*e & LVT_VECTOR) == vector) {
            *e &= ~LVT_REMOTE_IRR;
            if (l->lint_level[pin]) lapic_lint(l, pin, 1);
        }
    }
}

void lapic_eoi(struct lapic *l)
{
    int v = lapic_highest(l->isr);
    if (v < 0) return;
    vec_clear(l->isr, (unsigned)v);
    if (vec_test(l->tmr, (unsigned)v)) {
        lint_eoi(l, (unsigned)v);
        apic_bus_eoi(l->bus, (uint8_t)v);
    }
    lapic_update_intr(l);
}

void lapic_set_tpr(struct lapic *l, uint8_t tpr)
{
    l->tpr = tpr;
    if (l->port.set_cr8) l->port.set_cr8(l->port.ctx, tpr >> 4);
    lapic_update_intr(l);
}

void lapic_write_cr8(struct lapic *l, uint8_t cr8)
{
    l->tpr = (uint8_t)(cr8 << 4);
    lapic_update_intr(l);
}

void lapic_local_deliver(struct lapic *l, unsigned lvt)
{
    uint32_t e = l->lvt[lvt];
    if (e & LVT_MASKED) return;
    bool lint = lvt == LVT_LINT0 || lvt == LVT_LINT1;
    static const uint8_t source[LVT_COUNT] = {
        [LVT_TIMER] = APIC_SRC_TIMER,    [LVT_THERMAL] = APIC_SRC_OTHER_LVT,
        [LVT_PERF] = APIC_SRC_OTHER_LVT, [LVT_LINT0] = APIC_SRC_LINT,
        [LVT_LINT1] = APIC_SRC_LINT,     [LVT_ERROR] = APIC_SRC_ERROR,
    };
    int8_t pin = lint ? (int8_t)(lvt - LVT_LINT0) : -1;
    switch (lvt_mode(e)) {
    case APIC_DM_FIXED:
        lapic_set_irr(l, e & LVT_VECTOR, lint && (e & LVT_LEVEL), source[lvt], pin);
        break;
    case APIC_DM_NMI: l->port.nmi(l->port.ctx); break;
    case APIC_DM_EXTINT:
        l->extint_msg = true;
        lapic_update_intr(l);
        break;
    case APIC_DM_INIT:
        if (lint) l->port.init(l->port.ctx);
        break;
    default: break; /* SMI (no SMM) and reserved modes */
    }
}

/* A level-triggered, fixed-mode LINT pin: one request per assertion, held
 * off by remote IRR until the EOI. */
static void lint_level_fixed(struct lapic *l, int pin, int level)
{
    uint32_t *e = &l->lvt[LVT_LINT0 + pin];
    if (level && !(*e & LVT_REMOTE_IRR)) {
        *e |= LVT_REMOTE_IRR;
        lapic_set_irr(l, *e & LVT_VECTOR, true, APIC_SRC_LINT, (int8_t)pin);
    }
}

void lapic_lint(void *opaque, int pin, int level)
{
    struct lapic *l = opaque;
    bool rising = level && !l->lint_level[pin];
    l->lint_level[pin] = level != 0;
    if (!lapic_hw_enabled(l)) {
        if (pin == 0)
            lapic_update_intr(l);
        else if (rising)
            l->port.nmi(l->port.ctx);
        return;
    }
    uint32_t e = l->lvt[LVT_LINT0 + pin];
    if (lvt_mode(e) == APIC_DM_EXTINT) {
        lapic_update_intr(l);
        return;
    }
    if (e & LVT_MASKED) return;
    if (lvt_mode(e) == APIC_DM_FIXED && (e & LVT_LEVEL))
        lint_level_fixed(l, pin, level);
    else if (rising)
        lapic_local_deliver(l, LVT_LINT0 + (unsigned)pin);
}

/* INIT: every register returns to its power-up value except the base MSR
 * and the APIC ID (SDM §11.4.7.3); an AP then waits for a start-up IPI. */
static void init_ipi(struct lapic *l)
{
    lapic_init_state(l);
    if (!l->bsp) l->wait_for_sipi = true;
    l->port.init(l->port.ctx);
}

void lapic_accept(struct lapic *l, const struct apic_msg *m)
{
    switch (m->delivery) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWPRI:
        if (lapic_sw_enabled(l)) /* a software-disabled APIC takes no fixed interrupts */
            lapic_set_irr(l, m->vector, m->level, m->src, m->src_pin);
        break;
    case APIC_DM_NMI: l->port.nmi(l->port.ctx); break;
    case APIC_DM_INIT:
        if (m->assert || !m->level) init_ipi(l);
        break;
    case APIC_DM_SIPI:
        if (l->wait_for_sipi) {
            l->wait_for_sipi = false;
            l->port.sipi(l->port.ctx, m->vector);
        }
        break;
    case APIC_DM_EXTINT:
        l->extint_msg = true;
        lapic_update_intr(l);
        break;
    default: break;
    }
}

static bool logical_matches(const struct lapic *l, uint32_t dest)
{
    if (lapic_x2apic(l)) {
        uint32_t ldr = ((l->initial_id >> 4) << 16) | (1u << (l->initial_id & 0xF));
        return dest == APIC_BROADCAST_X2APIC ||
               ((dest >> 16) == (ldr >> 16) && (dest & ldr & 0xFFFFu));
    }
    uint32_t mda = dest & 0xFF, lid = l->ldr >> 24;
    if (mda == APIC_BROADCAST_XAPIC) return true;
    if ((l->dfr >> DFR_MODEL_SHIFT) == DFR_FLAT) return (mda & lid) != 0;
    return (mda >> 4) == (lid >> 4) && (mda & lid & 0xF);
}

bool lapic_dest_matches(const struct lapic *l, const struct apic_msg *m)
{
    if (m->logical) return logical_matches(l, m->dest);
    if (m->dest == APIC_BROADCAST_X2APIC) return true;
    if (lapic_x2apic(l)) return m->dest == l->initial_id;
    return m->dest == APIC_BROADCAST_XAPIC || (m->dest & 0xFF) == l->id;
}
