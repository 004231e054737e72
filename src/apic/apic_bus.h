/* The APIC bus: carries interrupt messages from I/O APICs and ICRs to the
 * local APICs they address, and EOI broadcasts back to the I/O APICs. One per
 * machine; designed for several CPUs. */
#ifndef EMU_APIC_APIC_BUS_H
#define EMU_APIC_APIC_BUS_H

#include "apic_defs.h"

#define APIC_BUS_MAX_CPUS 16

struct lapic;

struct apic_bus {
    struct lapic *cpus[APIC_BUS_MAX_CPUS]; // in creation order
    int ncpus;
    void (*eoi)(void *ctx, uint8_t vector); // EOI broadcast to the I/O APIC(s)
    void *eoi_ctx;
};

void apic_bus_init(struct apic_bus *b);

/* Adds a local APIC; -1 if the bus is full. */
int apic_bus_attach(struct apic_bus *b, struct lapic *l);
void apic_bus_detach(struct apic_bus *b, struct lapic *l);

/* Delivers m to every local APIC it addresses; lowest-priority messages go
 * to the one with the lowest arbitration priority. `from` is the sender for
 * the ICR's destination shorthands (NULL for an I/O APIC). Returns the number
 * of APICs that received it. */
int apic_bus_send(struct apic_bus *b, const struct apic_msg *m, struct lapic *from);

/* A local APIC finished a level-triggered interrupt. */
void apic_bus_eoi(struct apic_bus *b, uint8_t vector);

#endif
