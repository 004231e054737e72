/* The live machine panel: what the CPU is doing (mode, CPL, address space,
 * instructions per second), how often each interrupt vector was taken, the
 * TLB hit rates, and the last few events. Counts come from the same hook
 * events `emu trace --interrupts --exceptions` prints, so the two agree. */
#ifndef EMU_UI_PANEL_H
#define EMU_UI_PANEL_H

#include <stdint.h>

#include "../../include/emu/display.h"
#include "../../include/emu/hooks.h"
#include "task.h"

#define UI_PANEL_COLS      40
#define UI_PANEL_EVENTS    6 /* last events kept */
#define UI_PANEL_EVENT_LEN 64
#define UI_PID_UNKNOWN     (-1) /* event_pid when the task is not known */
#define UI_VECTORS         256

struct ui_panel {
    emu_machine *m;
    uint64_t vector_count[UI_VECTORS];   // interrupts and exceptions delivered, by vector
    emu_event last_delivery[UI_VECTORS]; // the last delivery of each vector (its label)
    emu_event events[UI_PANEL_EVENTS];   // ring of the last events, formatted
                                         // only when drawn (hooks stay cheap)
    int32_t event_pid[UI_PANEL_EVENTS];  // the caller of a syscall event, or -1
    unsigned next_event;                 // ring slot the next event goes to
    uint64_t nevents;                    // events seen in all
    uint64_t syscalls;                   // system call entries
    struct ui_task_note task;            // where the running task is, if the kernel says
    emu_hook_id hooks[4];
    uint64_t rate_insns, rate_ns; // instruction count and host time of the last rate
    double ips;                   // instructions per host second, last interval
};

/* Subscribes the panel to m's events. Returns 0, or -1 if a hook failed. */
int ui_panel_attach(struct ui_panel *p, emu_machine *m);
void ui_panel_detach(struct ui_panel *p);

/* Reads the kernel's guest note (include/emu/guest_note.h) from its image so
 * the panel can name the running task. */
void ui_panel_set_kernel(struct ui_panel *p, const uint8_t *image, size_t size);

/* Updates the instructions-per-second figure at host time `host_ns`. */
void ui_panel_sample(struct ui_panel *p, uint64_t host_ns);

/* Writes the panel's text, `rows` lines of UI_PANEL_COLS + 1 bytes. */
void ui_panel_text(const struct ui_panel *p, char (*lines)[UI_PANEL_COLS + 1], int rows);

/* A short label, without spaces, of what delivered ev (an EMU_EV_INTERRUPT
 * or EMU_EV_EXCEPTION): "#PF", "irq1", "timer", "int" (INT n), "ipi", "nmi". */
void ui_event_label(const emu_event *ev, char *buf, size_t len);

#endif
