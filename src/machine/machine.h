/* The board: RAM, the port-I/O bus, the virtual clock, the CPU and the
 * devices, and the run loop that ties them together. The public face of this
 * struct is include/emu/emu.h (emu_machine). */
#ifndef EMU_MACHINE_MACHINE_H
#define EMU_MACHINE_MACHINE_H

#include <stdbool.h>

#include "../../include/emu/emu.h"
#include "../cpu/cpu.h"
#include "../dev/sysctl.h"
#include "../dev/uart.h"
#include "../trace/hooks.h"
#include "bus.h"
#include "vclock.h"

#define MACHINE_DEFAULT_RAM (128ULL << 20)
#define MACHINE_MIN_RAM (2ULL << 20)
#define MACHINE_MAX_RAM (1ULL << 40)

/* Process exit statuses of `emu run` besides the guest's own (docs/exit-status.md). */
#define EXIT_POWEROFF 0
#define EXIT_HOST_ERROR 2
#define EXIT_TRIPLE_FAULT 4
#define EXIT_MAX_INSNS 6
#define EXIT_HALTED 8
#define EXIT_RESET 10

struct machine {
    emu_config cfg;
    struct physmem pm;
    struct bus io;             // port I/O
    struct vclock clock;
    struct cpu *cpu;
    struct uart *uart;
    struct sysctl_sink sysctl; // debug-exit and poweroff requests land here
    struct hook_registry hooks; // subscribers (include/emu/hooks.h)
    bool stop;                 // a device asked the run to end
    emu_stop_reason stop_reason;
    int exit_status;
    bool triple_fault;         // the CPU shut down during this run
};

/* Installs the --explain-faults hook if the config asks for it (faults.c). */
int machine_faults_init(struct machine *m);
/* The CPU shut down (triple fault): ends the run as cfg.on_triple_fault says. */
void machine_shutdown(struct machine *m);

/* Ends the current run with `reason` and process exit status `status`. */
void machine_request_stop(struct machine *m, emu_stop_reason reason, int status);

#endif
