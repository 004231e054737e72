/* Private to except.c and deliver.c: one event on its way through the IDT. */
#ifndef EMU_CPU_EVENT_H
#define EMU_CPU_EVENT_H

#include "internal.h"

#define ERR_EXT 1u /* error code: the event was not a software interrupt */
#define ERR_IDT 2u /* error code: the index refers to the IDT */

struct event {
    unsigned vector;
    uint32_t error;   // EXC_NO_ERROR when none is pushed
    uint8_t kind;     // enum cpu_event_kind
    bool set_rf;      // a fault-class exception: the pushed RFLAGS has RF = 1
    uint64_t rip;     // the return address pushed (next instruction for traps)
};

/* Delivers ev through the IDT of the current mode (SDM Vol. 2 INT n
 * "Operation", Vol. 3 §6.12-6.14). Any check that fails raises the nested
 * exception with cpu_fault before architectural state changes. */
void deliver_event(struct cpu *cpu, const struct event *ev);

static inline uint32_t event_ext(const struct event *ev)
{
    return ev->kind == CPU_EV_SOFTWARE ? 0 : ERR_EXT;
}

#endif
