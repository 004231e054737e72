/* The 8254 programmable interval timer (Intel 8254 datasheet) at 0x40-0x43,
 * clocked at 1.193182 MHz from the virtual clock: three channels, modes 0-5,
 * LSB/MSB/word access, BCD, counter latch and read-back. Channel 0's output
 * is ISA IRQ 0; channel 2's gate and output are bits 0 and 5 of port 0x61
 * (system control port B), which also holds the speaker enable (bit 1) and
 * the refresh toggle (bit 4, flips on every read, as on QEMU). */
#ifndef EMU_DEV_PIT_H
#define EMU_DEV_PIT_H

#include <stdint.h>

#include "../machine/bus.h"
#include "../machine/irq.h"
#include "../machine/vclock.h"

#define PIT_BASE     0x40
#define PIT_NPORTS   4
#define PIT_PORT_B   0x61
#define PIT_HZ       1193182ULL
#define PIT_CHANNELS 3

struct pit;

/* A PIT after power-up as QEMU has it: every channel in mode 3 with count
 * 65536, channel 0 and 1 gates high, channel 2 gate low; channel 0 drives irq0.
 * NULL on allocation failure. */
struct pit *pit_new(struct vclock *clock, struct irq_line irq0);
void pit_free(struct pit *p);
void pit_reset(struct pit *p);

/* The state SeaBIOS leaves: channel 0 in mode 2, LSB/MSB access, count
 * 65536 (18.2 Hz), started now. */
void pit_bios_init(struct pit *p);

const struct bus_ops *pit_ops(void);        /* 0x40-0x43, opaque = pit */
const struct bus_ops *pit_port_b_ops(void); /* 0x61, opaque = pit */

#endif
