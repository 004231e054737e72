/* The i8042 PS/2 controller of the PC at ports 0x60 (data) and 0x64
 * (status/command) with a keyboard on its first port (ISA IRQ 1) and a
 * mouse on the auxiliary port (IRQ 12), as QEMU models them: controller
 * command byte, self-tests, output port (A20, reset line), pulse commands
 * (0xFE resets the machine); keyboard commands (reset, echo, identify, LEDs,
 * scancode set, typematic, enable/disable) with scancode set 2 translated to
 * set 1 when the command byte asks for it. */
#ifndef EMU_DEV_I8042_H
#define EMU_DEV_I8042_H

#include <stddef.h>
#include <stdint.h>

#include "../machine/bus.h"
#include "../machine/irq.h"
#include "sysctl.h"

#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT  0x64
#define I8042_KBD_IRQ   1
#define I8042_AUX_IRQ   12

struct i8042;

/* A controller in the state SeaBIOS leaves (command byte 0x61: keyboard
 * interrupt, translation, mouse disabled; self-test passed). Resets go to
 * `sys`. NULL on allocation failure. */
struct i8042 *i8042_new(struct irq_line kbd_irq, struct irq_line aux_irq,
                        const struct sysctl_sink *sys);
void i8042_free(struct i8042 *k);

/* A key event from the host: the bytes of one scancode in set 2 (for
 * example 0x1C for 'A' pressed, 0xF0 0x1C released). Dropped while the
 * keyboard is disabled or its buffer is full. */
void i8042_key(struct i8042 *k, const uint8_t *set2, size_t n);

/* Data port at offset 0, command/status port at offset 4 of a range from
 * 0x60 (the board registers the two ports separately with these ops). */
const struct bus_ops *i8042_data_ops(void);
const struct bus_ops *i8042_cmd_ops(void);

#endif
