#include <stdlib.h>
#include <string.h>

#include "rtc_int.h"

/* ---- registers ------------------------------------------------------------------ */

/* Time now stands still (SET, divider reset) or runs again from the
 * registers. */
static void set_frozen(struct rtc *r, bool frozen, uint64_t now)
{
    if (frozen == r->frozen) return;
    if (frozen) {
        r->base_secs = rtc_secs_at(r, now);
        r->frozen = true;
    } else {
        r->frozen = false;
        r->base_ns = now;
    }
}

static bool should_freeze(const struct rtc *r)
{
    return (r->cmos[REG_B] & B_SET) || !rtc_oscillator_on(r);
}

static void write_a(struct rtc *r, uint8_t v, uint64_t now)
{
    bool was_on = rtc_oscillator_on(r);
    r->cmos[REG_A] = v & (uint8_t)~A_UIP;
    set_frozen(r, should_freeze(r), now);
    if (!was_on && rtc_oscillator_on(r) && !r->frozen)
        r->base_ns = now > DIVIDER_RESTART_NS ? now - DIVIDER_RESTART_NS : 0;
}

static void write_b(struct rtc *r, uint8_t v, uint64_t now)
{
    bool set_on = (v & B_SET) && !(r->cmos[REG_B] & B_SET);
    bool set_off = !(v & B_SET) && (r->cmos[REG_B] & B_SET);
    if (set_on) {
        rtc_latch_time(r);
        v &= (uint8_t)~B_UIE; /* entering SET clears UIE */
    }
    r->cmos[REG_B] = v;
    if (set_off) r->base_secs = rtc_regs_to_secs(r);
    set_frozen(r, should_freeze(r), now);
    bool pending = r->cmos[REG_C] & r->cmos[REG_B] & C_FLAGS;
    r->cmos[REG_C] = pending ? r->cmos[REG_C] | C_IRQF : r->cmos[REG_C] & (uint8_t)~C_IRQF;
    irq_set(&r->irq, pending);
}

/* Outside SET mode a write to a time register sets the clock at once. */
static void write_time(struct rtc *r, unsigned reg, uint8_t v, uint64_t now)
{
    if (!(r->cmos[REG_B] & B_SET)) rtc_latch_time(r);
    r->cmos[reg] = v;
    if (!(r->cmos[REG_B] & B_SET)) {
        r->base_secs = rtc_regs_to_secs(r);
        if (!r->frozen) r->base_ns = now;
    }
}

static uint8_t read_reg(struct rtc *r, unsigned reg)
{
    uint64_t now = vclock_now(r->clock);
    if (rtc_is_time_reg(reg) && !(r->cmos[REG_B] & B_SET)) return rtc_time_reg(r, reg);
    switch (reg) {
    case REG_A: {
        bool uip = rtc_updating(r) && (now - r->base_ns) % NS_PER_SEC >= NS_PER_SEC - UIP_NS;
        return (uint8_t)(r->cmos[REG_A] | (uip ? A_UIP : 0));
    }
    case REG_C: {
        rtc_account(r, now);
        uint8_t v = r->cmos[REG_C];
        r->cmos[REG_C] = 0;
        irq_set(&r->irq, 0);
        return v;
    }
    case REG_D: return D_VRT;
    default: return r->cmos[reg];
    }
}

static void write_reg(struct rtc *r, unsigned reg, uint8_t v)
{
    uint64_t now = vclock_now(r->clock);
    rtc_account(r, now);
    if (rtc_is_time_reg(reg))
        write_time(r, reg, v, now);
    else if (reg == REG_A)
        write_a(r, v, now);
    else if (reg == REG_B)
        write_b(r, v, now);
    else if (reg != REG_C && reg != REG_D)
        r->cmos[reg] = v;
    if (reg == CMOS_CENTURY) r->cmos[CMOS_CENTURY_PS2] = v;
    r->flags_until = now;
    rtc_recompute_alarm(r, now);
    rtc_rearm(r);
}

static uint64_t rtc_read(void *opaque, uint64_t off, unsigned size)
{
    struct rtc *r = opaque;
    (void)size;
    if (off == 0) return 0xFF; /* the index register is write-only */
    return read_reg(r, r->index);
}

static void rtc_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct rtc *r = opaque;
    (void)size;
    if (off == 0) {
        r->index = value & CMOS_INDEX_MASK;
        r->nmi_masked = value & PORT_NMI_DISABLE;
    } else {
        write_reg(r, r->index, (uint8_t)value);
    }
}

static const struct bus_ops ops = {rtc_read, rtc_write};

const struct bus_ops *rtc_ops(void)
{
    return &ops;
}

bool rtc_nmi_masked(const struct rtc *r)
{
    return r->nmi_masked;
}

/* ---- lifecycle ------------------------------------------------------------------- */

#define CMOS_EQUIPMENT        0x14
#define EQUIPMENT_FPU_MOUSE   0x06
#define EQUIPMENT_FLOPPY      0x01
#define CMOS_FLOPPY_TYPES     0x10
#define CMOS_BASE_MEM_LO      0x15
#define CMOS_EXT_MEM_LO       0x17
#define CMOS_EXT_MEM2_LO      0x30
#define CMOS_MEM_ABOVE_16M_LO 0x34
#define CMOS_BOOT_ORDER_1     0x38
#define CMOS_BOOT_ORDER_2     0x3D
#define CMOS_MEM_ABOVE_4G     0x5B
#define BASE_MEM_KB           640
#define MB                    (1ULL << 20)

static void put16(struct rtc *r, unsigned reg, uint64_t v)
{
    v = v > 0xFFFF ? 0xFFFF : v;
    r->cmos[reg] = (uint8_t)v;
    r->cmos[reg + 1] = (uint8_t)(v >> 8);
}

void rtc_set_memory_sizes(struct rtc *r, uint64_t lowmem, uint64_t highmem)
{
    r->cmos[CMOS_EQUIPMENT] = EQUIPMENT_FPU_MOUSE;
    put16(r, CMOS_BASE_MEM_LO, BASE_MEM_KB);
    uint64_t ext_kb = lowmem > MB ? (lowmem - MB) / 1024 : 0;
    put16(r, CMOS_EXT_MEM_LO, ext_kb);
    put16(r, CMOS_EXT_MEM2_LO, ext_kb);
    put16(r, CMOS_MEM_ABOVE_16M_LO, lowmem > 16 * MB ? (lowmem - 16 * MB) >> 16 : 0);
    uint64_t above = highmem >> 16;
    for (int i = 0; i < 3; i++)
        r->cmos[CMOS_MEM_ABOVE_4G + i] = (uint8_t)(above >> (8 * i));
    r->cmos[CMOS_BOOT_ORDER_1] = 0x30; /* what QEMU (pc and q35) stores for -kernel boots */
    r->cmos[CMOS_BOOT_ORDER_2] = 0x12;
}

void rtc_set_floppy(struct rtc *r, uint8_t drive_types)
{
    r->cmos[CMOS_FLOPPY_TYPES] = drive_types;
    if (drive_types)
        r->cmos[CMOS_EQUIPMENT] |= EQUIPMENT_FLOPPY;
    else
        r->cmos[CMOS_EQUIPMENT] &= (uint8_t)~EQUIPMENT_FLOPPY;
}

struct rtc *rtc_new(struct vclock *clock, struct irq_line irq, int64_t epoch)
{
    struct rtc *r = calloc(1, sizeof(*r));
    if (!r) return NULL;
    r->clock = clock;
    r->irq = irq;
    vtimer_init(&r->timer, clock, rtc_timer_fire, r);
    r->cmos[REG_A] = A_DV_NORMAL | 0x06;
    r->cmos[REG_B] = B_24H;
    r->base_secs = epoch;
    r->base_ns = vclock_now(clock);
    r->flags_until = r->base_ns;
    struct rtc_tm tm;
    rtc_epoch_to_tm(epoch, &tm);
    r->cmos[CMOS_CENTURY] = r->cmos[CMOS_CENTURY_PS2] = rtc_encode(r, tm.year / 100);
    rtc_recompute_alarm(r, r->base_ns);
    return r;
}

void rtc_free(struct rtc *r)
{
    if (!r) return;
    vtimer_cancel(&r->timer);
    free(r);
}
