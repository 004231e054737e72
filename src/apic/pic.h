/* The 8259A programmable interrupt controller pair of the PC (Intel 8259A
 * datasheet): master at 0x20/0x21, slave at 0xA0/0xA1 cascaded on master
 * IRQ2, edge/level control (ELCR) at 0x4D0/0x4D1. ICW1-ICW4, OCW1-OCW3
 * (IMR, specific/non-specific EOI, rotation, IRR/ISR reads, poll, special
 * mask), auto-EOI, special fully nested mode, spurious IRQ 7/15. The
 * master's INT output drives an irq_line (the local APIC's LINT0). */
#ifndef EMU_APIC_PIC_H
#define EMU_APIC_PIC_H

#include <stdint.h>

#include "../machine/bus.h"
#include "../machine/irq.h"

#define PIC_MASTER_BASE 0x20
#define PIC_SLAVE_BASE  0xA0
#define PIC_NPORTS      2
#define PIC_ELCR_BASE   0x4D0
#define PIC_ELCR_NPORTS 2
#define PIC_IRQS        16
#define PIC_CASCADE_IRQ 2

struct pic;

/* A PIC pair after power-up (uninitialised, vector base 0) whose INT output
 * drives `intr`. NULL on allocation failure. */
struct pic *pic_new(struct irq_line intr);
void pic_free(struct pic *p);
void pic_reset(struct pic *p);

/* The state SeaBIOS leaves on QEMU q35: vectors 0x08/0x70, IMR 0xB8/0x8E,
 * ELCR 0x00/0x0C. */
void pic_bios_init(struct pic *p);

/* ISA IRQ input 0-15 (irq_handler). */
void pic_set_irq(void *opaque, int irq, int level);

/* The INTA cycle: the vector of the highest-priority request (setting its
 * ISR bit unless in auto-EOI mode), or the spurious vector (IRQ 7 of the
 * chip) if the request went away. */
int pic_intack(void *opaque);

/* The ISA IRQ (0-15) the last INTA acknowledged; -1 if it was spurious. */
int pic_last_irq(const struct pic *p);

/* What one chip holds (chip 0 master, 1 slave), for the debugger. */
struct pic_view {
    uint8_t irr, isr, imr, elcr;
    uint8_t vector_base; // ICW2: the vector of IRQ 0 (or 8) of the chip
    bool initialised;    // ICW1..ICW4 have all been written
    bool auto_eoi;
};
void pic_view(const struct pic *p, int chip, struct pic_view *out);

/* Port handlers: opaque is the pic; offsets are from the chip's base. */
const struct bus_ops *pic_master_ops(void);
const struct bus_ops *pic_slave_ops(void);
const struct bus_ops *pic_elcr_ops(void);

#endif
