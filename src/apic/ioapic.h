/* The I/O APIC (82093AA datasheet; Intel SDM vol. 3A §11.1): 24 input pins,
 * each with a redirection entry that turns an input into an APIC bus
 * message. MMIO at 0xFEC00000: IOREGSEL at +0x00, IOWIN at +0x10, and the
 * version-0x20 EOI register at +0x40. The inputs are active high, as the
 * board presents them (QEMU ignores the polarity bit the same way). An
 * edge-triggered pin fires on every request a device makes (QEMU's model of
 * the ISA lines); a level-triggered pin fires while its input is high, once
 * per EOI (remote IRR). */
#ifndef EMU_APIC_IOAPIC_H
#define EMU_APIC_IOAPIC_H

#include <stdint.h>

#include "../machine/bus.h"
#include "apic_bus.h"

#define IOAPIC_BASE      0xFEC00000ULL
#define IOAPIC_MMIO_SIZE 0x1000
#define IOAPIC_PINS      24

struct ioapic;

/* Creates the I/O APIC with all pins masked, sending to `bus`; NULL on
 * allocation failure. Register it with ioapic_ops(). */
struct ioapic *ioapic_new(struct apic_bus *bus);
void ioapic_free(struct ioapic *io);
void ioapic_reset(struct ioapic *io);
const struct bus_ops *ioapic_ops(void);

/* Input pin `pin` (irq_handler). */
void ioapic_set_irq(void *opaque, int pin, int level);

/* EOI broadcast from a local APIC: clears remote IRR of the level-triggered
 * entries carrying `vector` (apic_bus eoi callback). */
void ioapic_eoi(void *opaque, uint8_t vector);

#endif
