/* The local APIC (Intel SDM vol. 3A ch. 11): one per CPU. xAPIC registers in
 * a 4 KiB MMIO page at IA32_APIC_BASE (relocatable, globally enabled by its
 * EN bit), the same registers as MSRs 0x800-0x8FF in x2APIC mode; priority
 * (TPR/PPR/APR, CR8), IRR/ISR/TMR and EOI, the LVT (timer, LINT0/LINT1,
 * error, thermal, performance), the timer (one-shot, periodic, TSC-deadline),
 * and IPIs through the ICR. It reaches its CPU only through lapic_cpu_port. */
#ifndef EMU_APIC_LAPIC_H
#define EMU_APIC_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "../machine/bus.h"
#include "../machine/vclock.h"
#include "apic_defs.h"

struct lapic;
struct apic_bus;

/* What the local APIC drives on its CPU. Every callback gets ctx. */
struct lapic_cpu_port {
    void *ctx;
    void (*set_intr)(void *ctx, bool level); // the core's INTR input
    void (*nmi)(void *ctx);
    void (*init)(void *ctx);                  // INIT IPI or LVT INIT
    void (*sipi)(void *ctx, uint8_t vector);  // start-up IPI (only after INIT)
    void (*set_cr8)(void *ctx, uint8_t cr8);  // TPR[7:4] changed through the APIC
    uint64_t (*tsc)(void *ctx);               // the CPU's time-stamp counter now
    void (*apic_present)(void *ctx, bool on); // CPUID.1:EDX.APIC follows APIC_BASE.EN
    void (*mmio_moved)(void *ctx);            // the MMIO page moved: drop cached translations
    /* Optional, for traces: vector entered the IRR, from source src (APIC_SRC_*)
     * and its pin (-1: none). */
    void (*irq_pending)(void *ctx, unsigned vector, uint8_t src, int pin);
};

/* The INTA cycle of an 8259 behind LINT0 (ExtINT): returns the vector. */
struct lapic_extint {
    int (*ack)(void *ctx);
    void *ctx;
};

/* Creates the local APIC with APIC ID `id` in its power-up state (globally
 * enabled at the default base, software-disabled, LVT masked), maps its MMIO
 * page on `mmio` and attaches it to `bus`. NULL on allocation failure or if
 * the page cannot be mapped. */
struct lapic *lapic_new(uint32_t id, bool bsp, struct vclock *clock, struct bus *mmio,
                        struct apic_bus *bus, const struct lapic_cpu_port *port);
void lapic_free(struct lapic *l);

/* Power-up (RESET) state; the MMIO page returns to the default base. */
void lapic_reset(struct lapic *l);

/* The state SeaBIOS leaves before a Multiboot kernel runs on QEMU: software
 * enabled with spurious vector 0xFF, LINT0 ExtINT (virtual-wire mode for the
 * 8259), LINT1 NMI. */
void lapic_bios_init(struct lapic *l);

void lapic_set_extint(struct lapic *l, struct lapic_extint src);

/* MSRs forwarded by the CPU: IA32_APIC_BASE, IA32_TSC_DEADLINE, 0x800-0x8FF.
 * Return 0, or -1 for #GP. */
int lapic_msr_read(struct lapic *l, uint32_t msr, uint64_t *value);
int lapic_msr_write(struct lapic *l, uint32_t msr, uint64_t value);

/* MOV to CR8: TPR = cr8 << 4. */
void lapic_write_cr8(struct lapic *l, uint8_t cr8);

/* The CPU's INTA cycle: the vector of the interrupt to take now (moved from
 * IRR to ISR), the spurious vector if the request was masked meanwhile, or
 * -1 if there is nothing (the request went away). */
int lapic_intr_ack(struct lapic *l);

/* Where the interrupt the last INTA returned came from, if that INTA returned
 * `vector`: an enum apic_source, with the pin (I/O APIC input, LINT number)
 * in *pin. APIC_SRC_UNKNOWN otherwise. */
int lapic_ack_source(const struct lapic *l, unsigned vector, int *pin);

/* LINT0/LINT1 input pins (irq_handler: pin 0 or 1). With the APIC globally
 * disabled they are the CPU's INTR and NMI pins. */
void lapic_lint(void *opaque, int pin, int level);

/* An APIC bus message addressed to this APIC (apic_bus.c decides who). */
void lapic_accept(struct lapic *l, const struct apic_msg *m);

/* Bus arbitration helpers. */
bool lapic_dest_matches(const struct lapic *l, const struct apic_msg *m);
uint8_t lapic_arb_priority(const struct lapic *l);
uint32_t lapic_id(const struct lapic *l);
bool lapic_hw_enabled(const struct lapic *l);

/* For the debugger (emu repl's info apic): register `off` (xAPIC offset)
 * as a read in the current mode returns it, with no side effect; 0, or -1
 * if the register does not exist in this mode (lapic_regs.c). */
int lapic_reg_read(struct lapic *l, unsigned off, uint64_t *v);

#endif
