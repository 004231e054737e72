/* Hook events from the CPU (see events.h). Only reached when subscribed. */
#include "events.h"

#define GATE_TYPE_SHIFT 40
#define GATE_IST_SHIFT 32

uint64_t cpu_current_rip(const struct cpu *cpu)
{
    return cpu->rip;
}

void cpu_emit(struct cpu *cpu, emu_event *ev)
{
    cpu_sync_icount(cpu);
    ev->cpu = (unsigned)cpu->index;
    ev->icount = cpu->icount;
    ev->time_ns = cpu->env.now ? cpu->env.now(cpu->env.opaque) : cpu->icount;
    if (cpu->emit)
        cpu->emit(cpu->emit_ctx, ev);
}

/* An event of `kind` at the current instruction. */
static emu_event ev_here(const struct cpu *cpu, emu_event_kind kind)
{
    emu_event ev = {0};
    ev.kind = kind;
    ev.rip = cpu->rip;
    ev.cpl = cpu->cpl;
    return ev;
}

static void gate_info(struct cpu *cpu, unsigned vector, emu_event *ev)
{
    uint64_t gate[2] = {0, 0};
    bool long_mode = (cpu->efer & EFER_LMA) != 0;
    unsigned size = long_mode ? 16 : 8;
    cpu_read_linear(cpu, cpu->idtr.base + vector * size, gate, size);
    ev->u.intr.gate_type = (uint8_t)((gate[0] >> GATE_TYPE_SHIFT) & 0xf);
    ev->u.intr.ist = long_mode ? (uint8_t)((gate[0] >> GATE_IST_SHIFT) & 7) : 0;
}

void cpu_ev_delivered(struct cpu *cpu, unsigned vector, uint32_t error, bool external,
                      bool software, uint8_t cpl_from, uint64_t rip_from)
{
    emu_event ev = {0};
    ev.kind = external ? EMU_EV_INTERRUPT : EMU_EV_EXCEPTION;
    ev.rip = rip_from;
    ev.cpl = cpl_from;
    ev.u.intr.vector = (uint8_t)vector;
    ev.u.intr.has_error = error != EXC_NO_ERROR;
    ev.u.intr.error = ev.u.intr.has_error ? error : 0;
    ev.u.intr.cr2 = vector == EXC_PF ? cpu->cr2 : 0;
    ev.u.intr.cpl_to = cpu->cpl;
    ev.u.intr.gate_selector = cpu->seg[SEG_CS].sel;
    ev.u.intr.handler = cpu->rip;
    ev.u.intr.rsp_to = cpu->gpr[RSP];
    ev.u.intr.software = software;
    ev.u.intr.stack_switch = cpu->cpl != cpl_from;
    if (cpu_protected(cpu))
        gate_info(cpu, vector, &ev);
    ev.u.intr.stack_switch = ev.u.intr.stack_switch || ev.u.intr.ist;
    if (external) {
        ev.u.intr.source = vector == EXC_NMI ? EMU_IRQ_NMI : EMU_IRQ_UNKNOWN;
        ev.u.intr.pin = -1;
        if (cpu->env.intr_source)
            ev.u.intr.source =
                cpu->env.intr_source(cpu->env.opaque, vector, &ev.u.intr.pin);
    }
    cpu_emit(cpu, &ev);
}

/* The return to user mode that may end a system call (hooks pair it). */
static void user_return(struct cpu *cpu, uint64_t rip_from)
{
    emu_event ev = {0};
    ev.kind = (emu_event_kind)EMU_EV_COUNT; /* HOOK_EV_USER_RETURN */
    ev.rip = rip_from;
    ev.cpl = 3;
    ev.u.sys.ret = cpu->gpr[RAX];
    ev.u.sys.cr3 = cpu->cr3;
    cpu_emit(cpu, &ev);
}

void cpu_ev_iret(struct cpu *cpu, uint8_t cpl_from, uint64_t rip_from)
{
    if (cpu_hooked(cpu, EMU_EV_IRET)) {
        emu_event ev = {0};
        ev.kind = EMU_EV_IRET;
        ev.rip = rip_from;
        ev.cpl = cpl_from;
        ev.u.ret.cpl_to = cpu->cpl;
        ev.u.ret.rip_to = cpu->gpr[REG_NEXT_RIP];
        ev.u.ret.rsp_to = cpu->gpr[RSP];
        cpu_emit(cpu, &ev);
    }
    if (cpu_hooked(cpu, EMU_EV_COUNT) && cpl_from < 3 && cpu->cpl == 3)
        user_return(cpu, rip_from);
}

void cpu_ev_user_return(struct cpu *cpu, uint64_t rip_from)
{
    if (cpu_hooked(cpu, EMU_EV_COUNT))
        user_return(cpu, rip_from);
}

void cpu_ev_syscall_entry(struct cpu *cpu, emu_syscall_via via)
{
    static const uint8_t abi64[6] = {RDI, RSI, RDX, R10, R8, R9};
    static const uint8_t abi32[6] = {RBX, RCX, RDX, RSI, RDI, RBP};
    bool wide = cpu_long64(cpu);
    emu_event ev = ev_here(cpu, EMU_EV_SYSCALL_ENTRY);
    ev.u.sys.via = via;
    ev.u.sys.nr = wide ? cpu->gpr[RAX] : (cpu->gpr[RAX] & 0xFFFFFFFFULL);
    for (int i = 0; i < 6; i++)
        ev.u.sys.args[i] = wide ? cpu->gpr[abi64[i]] : (cpu->gpr[abi32[i]] & 0xFFFFFFFFULL);
    ev.u.sys.cr3 = cpu->cr3;
    cpu_emit(cpu, &ev);
}

void cpu_ev_reg(struct cpu *cpu, emu_event_kind kind, uint32_t reg, uint64_t old_value,
                uint64_t new_value)
{
    emu_event ev = ev_here(cpu, kind);
    ev.u.reg.reg = reg;
    ev.u.reg.old_value = old_value;
    ev.u.reg.new_value = new_value;
    cpu_emit(cpu, &ev);
}

void cpu_ev_simple(struct cpu *cpu, emu_event_kind kind)
{
    emu_event ev = ev_here(cpu, kind);
    cpu_emit(cpu, &ev);
}

void cpu_ev_wake(struct cpu *cpu, unsigned vector)
{
    emu_event ev = ev_here(cpu, EMU_EV_WAKE);
    ev.u.intr.vector = (uint8_t)vector;
    cpu_emit(cpu, &ev);
}

void cpu_ev_mem(struct cpu *cpu, emu_event_kind kind, uint64_t lin, uint64_t value,
                unsigned size, bool implicit)
{
    emu_event ev = ev_here(cpu, kind);
    ev.u.mem.addr = lin;
    ev.u.mem.value = value;
    ev.u.mem.size = (uint8_t)size;
    ev.u.mem.implicit = implicit;
    cpu_emit(cpu, &ev);
}

void cpu_ev_mem_write(struct cpu *cpu, uint64_t lin, uint64_t value, uint64_t old_value,
                      unsigned size, bool implicit)
{
    emu_event ev = {0};
    ev.kind = EMU_EV_MEM_WRITE;
    ev.rip = cpu->rip;
    ev.cpl = cpu->cpl;
    ev.u.mem.addr = lin;
    ev.u.mem.value = value;
    ev.u.mem.old_value = old_value;
    ev.u.mem.size = (uint8_t)size;
    ev.u.mem.implicit = implicit;
    cpu_emit(cpu, &ev);
}

void cpu_ev_page_fault(struct cpu *cpu, uint64_t lin, uint32_t error)
{
    emu_event ev = ev_here(cpu, EMU_EV_PAGE_FAULT);
    ev.u.pf.lin = lin;
    ev.u.pf.error = error;
    cpu_emit(cpu, &ev);
}
