/* Ending the run: ACPI poweroff (exit status 0 on QEMU q35 and emu) or the
 * isa-debug-exit device (exit status (code << 1) | 1). */
#ifndef KERNEL_POWER_H
#define KERNEL_POWER_H

#include "types.h"

#define DEBUG_EXIT_PORT 0xF4   /* QEMU's -device isa-debug-exit,iobase=0xf4,iosize=4 */
#define ACPI_PM1A_CNT   0x604  /* q35's PM1a control register */
#define ACPI_SLP_EN_S5  0x2000 /* SLP_EN with sleep type 0: soft off (S5) */
#define EXIT_PANIC      0x7F   /* kernel panic or oops: exit status 255 */

NORETURN void machine_poweroff(void);
NORETURN void machine_exit(u32 code);

#endif
