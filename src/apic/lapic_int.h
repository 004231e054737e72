/* Private state of the local APIC, shared by lapic*.c. */
#ifndef EMU_APIC_LAPIC_INT_H
#define EMU_APIC_LAPIC_INT_H

#include "lapic.h"

#define APIC_VEC_WORDS 8 /* 256 vectors in 32-bit words */

struct lapic {
    uint64_t base_msr;   // IA32_APIC_BASE
    uint32_t initial_id; // the APIC ID given at creation (x2APIC ID)
    uint32_t id;         // xAPIC ID register value >> 24, writable
    uint8_t tpr;
    uint32_t svr;
    uint32_t ldr, dfr;    // xAPIC logical destination and format
    uint32_t esr;         // errors visible to reads (latched by an ESR write)
    uint32_t esr_pending; // errors since the last ESR write
    uint32_t icr_lo, icr_hi;
    uint32_t irr[APIC_VEC_WORDS], isr[APIC_VEC_WORDS], tmr[APIC_VEC_WORDS];
    uint32_t lvt[LVT_COUNT];
    bool lint_level[2]; // LINT0/LINT1 input levels
    bool extint_msg;    // an ExtINT message waits for INTA
    bool intr_out;      // level last driven on the CPU's INTR
    bool wait_for_sipi; // an AP after INIT
    uint8_t src[256];   // enum apic_source of each vector's last request
    int8_t src_pin[256];
    uint8_t ack_src; // source and vector of the last INTA
    int8_t ack_pin;
    int ack_vector;

    /* Timer: the count was timer_base_count at virtual time timer_base_ns. */
    uint32_t timer_initial;
    uint32_t dcr;
    unsigned timer_shift; // log2 of the divider
    uint64_t timer_base_ns;
    uint64_t timer_base_count; // 0: not counting
    uint64_t tsc_deadline;     // IA32_TSC_DEADLINE, 0: disarmed
    struct vtimer timer;

    struct vclock *clock;
    struct bus *mmio;
    uint64_t mmio_base; // where the page is mapped, if mmio_mapped
    bool mmio_mapped;
    bool bsp;
    struct apic_bus *bus;
    struct lapic_cpu_port port;
    struct lapic_extint extint;
};

static inline bool vec_test(const uint32_t *set, unsigned v)
{
    return (set[v >> 5] >> (v & 31)) & 1;
}

static inline void vec_set(uint32_t *set, unsigned v)
{
    set[v >> 5] |= 1u << (v & 31);
}

static inline void vec_clear(uint32_t *set, unsigned v)
{
    set[v >> 5] &= ~(1u << (v & 31));
}

static inline bool lapic_x2apic(const struct lapic *l)
{
    return (l->base_msr & APIC_BASE_EXTD) != 0;
}

static inline bool lapic_sw_enabled(const struct lapic *l)
{
    return (l->svr & SVR_ENABLE) != 0;
}

static inline unsigned lvt_mode(uint32_t lvt)
{
    return (lvt & LVT_DM_MASK) >> LVT_DM_SHIFT;
}

/* lapic_irq.c */
int lapic_highest(const uint32_t *set);
uint8_t lapic_ppr(const struct lapic *l);
void lapic_update_intr(struct lapic *l);
void lapic_set_irr(struct lapic *l, unsigned vector, bool level, uint8_t src, int8_t pin);
void lapic_eoi(struct lapic *l);
void lapic_local_deliver(struct lapic *l, unsigned lvt);
void lapic_error(struct lapic *l, uint32_t bits);
void lapic_set_tpr(struct lapic *l, uint8_t tpr);

/* lapic_timer.c */
void lapic_timer_init(struct lapic *l);
void lapic_timer_reset(struct lapic *l);
uint32_t lapic_timer_current(const struct lapic *l);
void lapic_timer_write_initial(struct lapic *l, uint32_t count);
void lapic_timer_write_dcr(struct lapic *l, uint32_t dcr);
void lapic_timer_lvt_changed(struct lapic *l, uint32_t old_lvt);
void lapic_timer_write_deadline(struct lapic *l, uint64_t tsc_value);

/* lapic_regs.c: register `off` (xAPIC offset) in the current mode. 0, or -1
 * if it does not exist or the access is invalid (#GP in x2APIC mode). */
int lapic_reg_read(struct lapic *l, unsigned off, uint64_t *v);
int lapic_reg_write(struct lapic *l, unsigned off, uint64_t v);

/* lapic.c */
void lapic_init_state(struct lapic *l);
/* lapic_regs.c */
void lapic_send_ipi(struct lapic *l);

#endif
