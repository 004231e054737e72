/* Producing hook events (include/emu/hooks.h) from the CPU. Every call site
 * is guarded by cpu_hooked(), one predictable branch on a mask that is zero
 * when nothing is subscribed. */
#ifndef EMU_CPU_EVENTS_H
#define EMU_CPU_EVENTS_H

#include "internal.h"

static inline bool cpu_hooked(const struct cpu *cpu, unsigned kind)
{
    return unlikely(cpu->hook_mask & (1u << kind));
}


/* An exception or interrupt was delivered; cpl_from/rip_from are the state
 * before delivery (rip_from is the RIP the frame holds). */
void cpu_ev_delivered(struct cpu *cpu, unsigned vector, uint32_t error, bool external,
                      bool software, uint8_t cpl_from, uint64_t rip_from);
/* IRET finished; the CPU was at cpl_from before it. */
void cpu_ev_iret(struct cpu *cpu, uint8_t cpl_from, uint64_t rip_from);
/* SYSCALL/SYSENTER/INT 0x80 is about to enter the kernel (registers as the
 * caller left them). */
void cpu_ev_syscall_entry(struct cpu *cpu, emu_syscall_via via);
/* SYSRET/SYSEXIT returned to user mode. */
void cpu_ev_user_return(struct cpu *cpu, uint64_t rip_from);
void cpu_ev_reg(struct cpu *cpu, emu_event_kind kind, uint32_t reg, uint64_t old_value,
                uint64_t new_value);
void cpu_ev_simple(struct cpu *cpu, emu_event_kind kind);
void cpu_ev_wake(struct cpu *cpu, unsigned vector);
void cpu_ev_mem(struct cpu *cpu, emu_event_kind kind, uint64_t lin, uint64_t value,
                unsigned size, bool implicit);
/* A data write (after it landed); old_value is what the RAM held before
 * (all-ones bytes where the write went to MMIO or nowhere). */
void cpu_ev_mem_write(struct cpu *cpu, uint64_t lin, uint64_t value, uint64_t old_value,
                      unsigned size, bool implicit);
void cpu_ev_page_fault(struct cpu *cpu, uint64_t lin, uint32_t error);

#endif
