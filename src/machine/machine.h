/* The board: RAM, the port-I/O bus, the virtual clock, the CPU and the
 * devices, and the run loop that ties them together. The public face of this
 * struct is include/emu/emu.h (emu_machine). */
#ifndef EMU_MACHINE_MACHINE_H
#define EMU_MACHINE_MACHINE_H

#include <stdbool.h>

#include "../../include/emu/emu.h"
#include "../apic/apic_bus.h"
#include "../cpu/cpu.h"
#include "../debug/debug.h"
#include "../dev/sysctl.h"
#include "../dev/vga.h"
#include "../trace/hooks.h"
#include "bus.h"
#include "irq.h"
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

#define ISA_IRQS 16

/* COM1's input source and when it was last polled. */
struct machine_input {
    emu_input_fn read;         // NULL: no input
    void *ctx;
    int fd;                    // to sleep on while idle; -1: none
    bool live;                 // not at end of input
    uint64_t next_poll;        // virtual time of the next poll while running
};

struct machine {
    emu_config cfg;
    struct physmem pm;
    struct bus io;             // port I/O
    struct vclock clock;
    struct cpu *cpu;
    struct apic_bus apic_bus;
    struct lapic *lapic;       // the CPU's local APIC
    struct ioapic *ioapic;
    struct pic *pic;
    struct pit *pit;
    struct rtc *rtc;
    struct i8042 *kbd;
    struct uart *uart;
    struct irq_line isa_irq[ISA_IRQS]; // ISA IRQ n -> 8259 input n and I/O APIC GSI
    uint16_t isa_levels;       // bit n: ISA IRQ n asserted (for EMU_EV_IRQ_RAISE edges)
    struct sysctl_sink sysctl; // debug-exit, poweroff and reset requests land here
    struct port_a port_a;      // port 0x92
    struct machine_input input;
    uint64_t idle_icount;      // icount when the current halt began (idle epochs)
    bool in_exec;              // inside cpu_exec (not a single step)
    struct vga *vga;           // text console at 0xB8000, ports 0x3B0-0x3DF
    emu_frontend frontend;     // a window's share of the run loop (display.h)
    uint64_t frontend_last_ns; // host time of the last frontend poll
    struct hook_registry hooks; // subscribers (include/emu/hooks.h)
    bool stop;                 // a device asked the run to end
    emu_stop_reason stop_reason;
    int exit_status;
    bool triple_fault;         // the CPU shut down during this run
    struct dbg_syms syms;      // names addresses in the fault report (emu_machine_set_symbolizer)
};

/* Installs the --explain-faults hook if the config asks for it (faults.c). */
int machine_faults_init(struct machine *m);
/* The CPU shut down (triple fault): ends the run as cfg.on_triple_fault says. */
void machine_shutdown(struct machine *m);

/* With a front end, the CPU runs at most this many instructions between two
 * looks at the host clock (about 10 ms of host time). */
#define FRONTEND_SLICE_INSNS (1ULL << 20)

/* display_api.c: calls the front end's poll if its interval has passed. */
void frontend_tick(struct machine *m);
/* display_api.c: lets the front end sleep while the halted guest waits for
 * the timer deadline `next` (VCLOCK_NEVER: nothing but the front end can
 * wake it -- the window stays up until closed). Returns true if the run
 * loop should go on to skip virtual time to `next`, false if the CPU can
 * wake now, the run was stopped, or there is no deadline. */
bool frontend_wait(struct machine *m, uint64_t next);

/* Ends the current run with `reason` and process exit status `status`. */
void machine_request_stop(struct machine *m, emu_stop_reason reason, int status);

/* board.c: creates the devices and wires them to the CPU and to each other
 * (docs/devices.md). Returns 0, or -1 on allocation failure. */
int board_attach(struct machine *m);
void board_destroy(struct machine *m);
/* The environment through which the CPU reaches the board. */
struct cpu_env board_cpu_env(struct machine *m);
/* Polls COM1's input source once (if the UART has room). */
void board_pump_input(struct machine *m);

/* hooks_api.c: EMU_EV_IRQ_RAISE, if someone watches (vector -1: not yet known). */
void machine_irq_raised(struct machine *m, emu_irq_source source, int pin, int vector);

#endif
