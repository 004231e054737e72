/* The two ways a guest ends the run (DESIGN.md §1):
 *   isa-debug-exit at port 0xF4 (iosize 4): writing v ends the run with exit
 *   status (v << 1) | 1, as QEMU's -device isa-debug-exit does;
 *   ACPI PM1a control at port 0x604: writing SLP_EN with sleep type 0 (the
 *   value 0x2000, QEMU q35's S5) powers off: exit status 0. */
#ifndef EMU_DEV_SYSCTL_H
#define EMU_DEV_SYSCTL_H

#include <stdint.h>

#include "../machine/bus.h"

#define DEBUG_EXIT_PORT 0xF4
#define DEBUG_EXIT_SIZE 4
#define ACPI_PM1A_CNT_PORT 0x604
#define ACPI_PM1A_CNT_SIZE 2
#define ACPI_SLP_EN (1u << 13)
#define ACPI_SLP_TYP_SHIFT 10
#define ACPI_SLP_TYP_MASK 7u

enum sysctl_event { SYSCTL_DEBUG_EXIT, SYSCTL_POWEROFF, SYSCTL_RESET };

/* Receives the request; `status` is the process exit status to use. */
struct sysctl_sink {
    void (*request)(void *ctx, enum sysctl_event ev, int status);
    void *ctx;
};

/* The opaque for both devices is the sink itself. */
const struct bus_ops *debug_exit_ops(void);
const struct bus_ops *acpi_pm_ops(void);

/* System control port A (port 0x92): bit 0 set by a write resets the machine
 * (the "fast reset"); bit 1 is the fast A20 gate, stored and read back (emu
 * does not wrap addresses at 1 MiB; A20 is always on). */
#define PORT_A_PORT 0x92
#define PORT_A_A20 0x02
#define PORT_A_RESET 0x01

struct port_a {
    const struct sysctl_sink *sink;
    uint8_t value;
};

const struct bus_ops *port_a_ops(void); /* opaque = struct port_a */

#endif
