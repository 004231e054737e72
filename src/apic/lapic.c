/* Local APIC lifecycle, IA32_APIC_BASE (global enable, relocation, x2APIC
 * mode; SDM §11.4.4, §11.12.5) and the two register interfaces. */
#include "lapic.h"

#include <stdlib.h>
#include <string.h>

#include "apic_bus.h"
#include "lapic_int.h"

#define X2APIC_MSR_BASE      0x800u
#define X2APIC_MSR_LAST      0x8FFu
#define MSR_APIC_BASE        0x1Bu
#define MSR_TSC_DEADLINE     0x6E0u
#define APIC_BASE_WRITABLE   (APIC_BASE_ADDR_MASK | APIC_BASE_EN | APIC_BASE_EXTD)
#define APIC_REG_OFFSET_MASK 0xFF0u
#define BIOS_SVR             (SVR_ENABLE | 0xFFu)
#define BIOS_LINT0           (LVT_LEVEL | (APIC_DM_EXTINT << LVT_DM_SHIFT))
#define BIOS_LINT1           (LVT_LEVEL | (APIC_DM_NMI << LVT_DM_SHIFT))
#define BIOS_ICR                                                                                   \
    ((SH_ALL_BUT_SELF << ICR_SHORTHAND_SHIFT) | ICR_LEVEL_ASSERT |                                 \
     (APIC_DM_SIPI << LVT_DM_SHIFT) | 0x10u)

static const struct bus_ops mmio_ops;

static void mmio_unmap(struct lapic *l)
{
    if (!l->mmio_mapped) return;
    bus_unregister(l->mmio, l->mmio_base);
    l->mmio_mapped = false;
    if (l->port.mmio_moved) l->port.mmio_moved(l->port.ctx);
}

/* The xAPIC page is decoded only while the APIC is enabled in xAPIC mode. A
 * base that collides with another device leaves the page unmapped. */
static void mmio_update(struct lapic *l)
{
    bool want = (l->base_msr & APIC_BASE_EN) && !lapic_x2apic(l);
    uint64_t base = l->base_msr & APIC_BASE_ADDR_MASK;
    if (l->mmio_mapped && (!want || base != l->mmio_base)) mmio_unmap(l);
    if (want && !l->mmio_mapped &&
        bus_register(l->mmio, base, APIC_MMIO_SIZE, &mmio_ops, l, "lapic") == 0) {
        l->mmio_base = base;
        l->mmio_mapped = true;
        if (l->port.mmio_moved) l->port.mmio_moved(l->port.ctx);
    }
}

void lapic_init_state(struct lapic *l)
{
    l->tpr = 0;
    l->svr = SVR_VECTOR;
    l->ldr = 0;
    l->dfr = DFR_FLAT << DFR_MODEL_SHIFT;
    l->esr = l->esr_pending = 0;
    l->icr_lo = l->icr_hi = 0;
    memset(l->irr, 0, sizeof(l->irr));
    memset(l->isr, 0, sizeof(l->isr));
    memset(l->tmr, 0, sizeof(l->tmr));
    for (int i = 0; i < LVT_COUNT; i++)
        l->lvt[i] = LVT_MASKED;
    l->extint_msg = false;
    lapic_timer_reset(l);
    if (l->port.set_cr8) l->port.set_cr8(l->port.ctx, 0);
    lapic_update_intr(l);
}

void lapic_reset(struct lapic *l)
{
    l->base_msr = APIC_DEFAULT_BASE | APIC_BASE_EN | (l->bsp ? APIC_BASE_BSP : 0);
    l->id = l->initial_id & 0xFF;
    l->wait_for_sipi = !l->bsp;
    lapic_init_state(l);
    mmio_update(l);
    if (l->port.apic_present) l->port.apic_present(l->port.ctx, true);
}

void lapic_bios_init(struct lapic *l)
{
    lapic_reg_write(l, APIC_SVR, BIOS_SVR);
    lapic_reg_write(l, APIC_LVT_LINT0, BIOS_LINT0);
    lapic_reg_write(l, APIC_LVT_LINT1, BIOS_LINT1);
    l->icr_lo = BIOS_ICR; /* left by SeaBIOS's INIT-SIPI to the (absent) APs */
}

struct lapic *lapic_new(uint32_t id, bool bsp, struct vclock *clock, struct bus *mmio,
                        struct apic_bus *bus, const struct lapic_cpu_port *port)
{
    struct lapic *l = calloc(1, sizeof(*l));
    if (!l) return NULL;
    l->initial_id = id;
    l->bsp = bsp;
    l->ack_vector = -1;
    l->clock = clock;
    l->mmio = mmio;
    l->bus = bus;
    l->port = *port;
    lapic_timer_init(l);
    if (apic_bus_attach(bus, l) < 0) {
        free(l);
        return NULL;
    }
    lapic_reset(l);
    if (!l->mmio_mapped) {
        lapic_free(l);
        return NULL;
    }
    return l;
}

void lapic_free(struct lapic *l)
{
    if (!l) return;
    vtimer_cancel(&l->timer);
    if (l->mmio_mapped) bus_unregister(l->mmio, l->mmio_base);
    apic_bus_detach(l->bus, l);
    free(l);
}

void lapic_set_extint(struct lapic *l, struct lapic_extint src)
{
    l->extint = src;
}

uint32_t lapic_id(const struct lapic *l)
{
    return lapic_x2apic(l) ? l->initial_id : l->id;
}

bool lapic_hw_enabled(const struct lapic *l)
{
    return (l->base_msr & APIC_BASE_EN) != 0;
}

/* ---- IA32_APIC_BASE ------------------------------------------------------ */

/* Valid transitions (SDM §11.12.5, figure 11-27): disabled <-> xAPIC,
 * xAPIC -> x2APIC, x2APIC -> disabled. EXTD without EN is invalid. */
static bool transition_ok(uint64_t old, uint64_t new)
{
    bool en = new &APIC_BASE_EN, x2 = new &APIC_BASE_EXTD;
    bool was_en = old & APIC_BASE_EN, was_x2 = old & APIC_BASE_EXTD;
    if (x2 && !en) return false;
    if (was_x2 && en && !x2) return false;
    if (!was_en && x2) return false;
    return true;
}

static int write_base(struct lapic *l, uint64_t v)
{
    if (v & ~(APIC_BASE_WRITABLE | APIC_BASE_BSP)) return -1;
    uint64_t old = l->base_msr;
    if (!transition_ok(old, v)) return -1;
    l->base_msr = (v & APIC_BASE_WRITABLE) | (old & APIC_BASE_BSP);
    bool en = v & APIC_BASE_EN;
    if (!en && (old & APIC_BASE_EN))
        lapic_init_state(l); /* disabling returns every register to power-up */
    mmio_update(l);
    if (((old ^ v) & APIC_BASE_EN) && l->port.apic_present) l->port.apic_present(l->port.ctx, en);
    lapic_update_intr(l);
    return 0;
}

/* ---- the register interfaces --------------------------------------------- */

int lapic_msr_read(struct lapic *l, uint32_t msr, uint64_t *value)
{
    if (msr == MSR_APIC_BASE) {
        *value = l->base_msr;
        return 0;
    }
    if (msr == MSR_TSC_DEADLINE) {
        bool armed_mode = ((l->lvt[LVT_TIMER] & LVT_TIMER_MODE_MASK) >> LVT_TIMER_MODE_SHIFT) ==
                          TIMER_TSC_DEADLINE;
        *value = armed_mode ? l->tsc_deadline : 0;
        return 0;
    }
    if (msr < X2APIC_MSR_BASE || msr > X2APIC_MSR_LAST || !lapic_x2apic(l)) return -1;
    return lapic_reg_read(l, (msr - X2APIC_MSR_BASE) << 4, value);
}

int lapic_msr_write(struct lapic *l, uint32_t msr, uint64_t value)
{
    if (msr == MSR_APIC_BASE) return write_base(l, value);
    if (msr == MSR_TSC_DEADLINE) {
        lapic_timer_write_deadline(l, value);
        return 0;
    }
    if (msr < X2APIC_MSR_BASE || msr > X2APIC_MSR_LAST || !lapic_x2apic(l)) return -1;
    return lapic_reg_write(l, (msr - X2APIC_MSR_BASE) << 4, value);
}

/* xAPIC MMIO: 32-bit accesses; each register sits at the start of a 16-byte
 * slot and the rest of the slot aliases it, as on QEMU. Narrower accesses
 * read 0 and are not written; an 8-byte access sees the register twice. */
static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    struct lapic *l = opaque;
    if (size < 4) return 0;
    uint64_t v;
    if (lapic_reg_read(l, (unsigned)off & APIC_REG_OFFSET_MASK, &v) < 0) {
        lapic_error(l, ESR_ILLEGAL_REGISTER);
        v = 0;
    }
    v &= 0xFFFFFFFFu;
    return size == 8 ? v | (v << 32) : v;
}

static void mmio_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct lapic *l = opaque;
    if (size < 4) return;
    if (lapic_reg_write(l, (unsigned)off & APIC_REG_OFFSET_MASK, value & 0xFFFFFFFFu) < 0)
        lapic_error(l, ESR_ILLEGAL_REGISTER);
}

static const struct bus_ops mmio_ops = {mmio_read, mmio_write};
