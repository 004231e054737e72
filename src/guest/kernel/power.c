/* Ending the run. */
#include "power.h"

#include "x86.h"

/* Halts forever: what is left when neither device ended the machine. */
static NORETURN void halt_forever(void)
{
    for (;;) {
        cli();
        __asm__ volatile("hlt");
    }
}

void machine_poweroff(void)
{
    cli();
    outw(ACPI_PM1A_CNT, ACPI_SLP_EN_S5);
    halt_forever();
}

void machine_exit(u32 code)
{
    cli();
    outl(DEBUG_EXIT_PORT, code);
    halt_forever();
}
