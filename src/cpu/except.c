/* Exceptions: faults are data recorded in one place (cpu_fault), then
 * delivered through the IDT (deliver.c). A fault while delivering an
 * exception escalates by the SDM's benign/contributory/page-fault table
 * (Vol. 3 Table 6-5) to #DF, and a contributory fault or page fault while
 * delivering #DF shuts the CPU down (triple fault). */
#include <setjmp.h>

#include "event.h"
#include "events.h"

enum exc_class { CLASS_BENIGN, CLASS_CONTRIBUTORY, CLASS_PAGE_FAULT, CLASS_DOUBLE_FAULT };

/* Vol. 3 Table 6-4. Interrupts and software interrupts count as benign. */
static enum exc_class exc_class(unsigned vector, unsigned kind)
{
    if (kind != CPU_EV_FAULT)
        return CLASS_BENIGN;
    switch (vector) {
    case EXC_DE:
    case EXC_TS:
    case EXC_NP:
    case EXC_SS:
    case EXC_GP:
    case EXC_CP: return CLASS_CONTRIBUTORY;
    case EXC_PF:
    case EXC_VE: return CLASS_PAGE_FAULT;
    case EXC_DF: return CLASS_DOUBLE_FAULT;
    default: return CLASS_BENIGN;
    }
}

static bool has_error_code(unsigned v)
{
    return v == EXC_DF || v == EXC_TS || v == EXC_NP || v == EXC_SS || v == EXC_GP ||
           v == EXC_PF || v == EXC_AC || v == EXC_CP;
}

/* Fault-class exceptions push RFLAGS with RF = 1 so that the IRET back
 * does not re-trigger an instruction breakpoint (Vol. 3 §17.3.1.1). #DB
 * never does (an instruction-breakpoint #DB leaves RF as is). */
static bool is_fault_class(unsigned v)
{
    switch (v) {
    case EXC_DB:
    case EXC_NMI:
    case EXC_BP:
    case EXC_OF:
    case EXC_DF:
    case EXC_MC: return false;
    default: return v < 32;
    }
}

static void stop_current_insn(struct cpu *cpu)
{
    if (cpu->cur) {
        cpu->icount += (uint64_t)(cpu->cur - cpu->count_from);
        cpu->cur = NULL;
    }
}

/* Adds the event to the chain (a new chain unless it arises while another
 * event is being delivered) and hands it to cpu_handle_fault_jump. */
static void record(struct cpu *cpu, unsigned vector, uint32_t error, unsigned kind)
{
    if (cpu->delivering < 0)
        cpu->chain_len = 0;
    if (cpu->chain_len < CPU_FAULT_CHAIN_MAX) {
        struct cpu_fault_record *r = &cpu->chain[cpu->chain_len++];
        *r = (struct cpu_fault_record){
            .vector = (uint8_t)vector, .has_error = error != EXC_NO_ERROR,
            .cpl = cpu->cpl, .kind = (uint8_t)kind, .mode = cpu->mode, .error = error,
            .rip = cpu->rip, .cs_base = cpu->seg[SEG_CS].base, .cr2 = cpu->cr2,
            .why = cpu->why};
    }
    cpu->why = (struct cpu_fault_why){0};
    cpu->exc_vector = vector;
    cpu->exc_error = error;
    cpu->exc_kind = (uint8_t)kind;
}

_Noreturn void cpu_fault(struct cpu *cpu, unsigned vector, uint32_t error)
{
    stop_current_insn(cpu);
    cpu->dr6_pending = 0; /* the instruction did not complete: no data-breakpoint trap */
    record(cpu, vector, has_error_code(vector) ? error : EXC_NO_ERROR, CPU_EV_FAULT);
    cpu->exc_rip = cpu->rip;
    cpu->exc_retire = false;
    longjmp(cpu->fault_jmp, 1);
}

_Noreturn void cpu_fault_why(struct cpu *cpu, unsigned vector, uint32_t error, unsigned cause,
                             uint64_t aux)
{
    cpu->why = (struct cpu_fault_why){.cause = (uint8_t)cause, .aux = aux};
    cpu_fault(cpu, vector, error);
}

_Noreturn void cpu_fault_desc(struct cpu *cpu, unsigned vector, uint32_t error, unsigned cause,
                              uint64_t aux, uint64_t desc)
{
    cpu->why = (struct cpu_fault_why){.cause = (uint8_t)cause, .aux = aux, .desc = {desc, 0}};
    cpu_fault(cpu, vector, error);
}

_Noreturn void cpu_page_fault(struct cpu *cpu, uint64_t lin, uint32_t error)
{
    if (cpu_hooked(cpu, EMU_EV_PAGE_FAULT))
        cpu_ev_page_fault(cpu, lin, error);
    cpu->cr2 = lin;
    cpu_fault(cpu, EXC_PF, error);
}

/* INT n, INT3, INTO, INT1: the event's return address is the next
 * instruction, but a fault while delivering it reports the instruction
 * itself (it did not complete). */
_Noreturn void cpu_trap(struct cpu *cpu, unsigned vector, bool software)
{
    stop_current_insn(cpu);
    record(cpu, vector, EXC_NO_ERROR, software ? CPU_EV_SOFTWARE : CPU_EV_FAULT);
    cpu->exc_rip = next_rip(cpu);
    cpu->exc_retire = true;
    longjmp(cpu->fault_jmp, 1);
}

/* ---- escalation ------------------------------------------------------------ */

static void deliver(struct cpu *cpu, const struct event *ev, bool retire)
{
    uint8_t cpl_from = cpu->cpl;
    uint64_t rip_from = ev->rip;
    cpu->delivering = (int)ev->vector;
    cpu->delivering_kind = ev->kind;
    deliver_event(cpu, ev);
    cpu->delivering = -1;
    if (retire)
        cpu->icount++;
    if (ev->vector == EXC_NMI && ev->kind == CPU_EV_EXTERNAL)
        cpu->nmi_blocked = true;
    bool external = ev->kind == CPU_EV_EXTERNAL;
    if (cpu_hooked(cpu, external ? EMU_EV_INTERRUPT : EMU_EV_EXCEPTION))
        cpu_ev_delivered(cpu, ev->vector, ev->error, external, ev->kind == CPU_EV_SOFTWARE,
                         cpl_from, rip_from);
}

static void shutdown(struct cpu *cpu)
{
    cpu->delivering = -1;
    cpu->shutdown = true;
    cpu->halted = true;
}

/* Table 6-5: what a second exception, raised while the first was being
 * delivered, turns into. */
static bool becomes_double_fault(enum exc_class first, enum exc_class second)
{
    if (first == CLASS_CONTRIBUTORY)
        return second == CLASS_CONTRIBUTORY;
    if (first == CLASS_PAGE_FAULT)
        return second == CLASS_CONTRIBUTORY || second == CLASS_PAGE_FAULT;
    return false;
}

void cpu_handle_fault_jump(struct cpu *cpu)
{
    unsigned v = cpu->exc_vector, kind = cpu->exc_kind;
    struct event ev = {v, cpu->exc_error, (uint8_t)kind, false, cpu->exc_rip};
    bool retire = cpu->exc_retire;
    if (cpu->delivering >= 0) {
        enum exc_class first = exc_class((unsigned)cpu->delivering, cpu->delivering_kind);
        enum exc_class second = exc_class(v, kind);
        if (first == CLASS_DOUBLE_FAULT && second != CLASS_BENIGN) {
            shutdown(cpu);
            return;
        }
        if (becomes_double_fault(first, second)) {
            record(cpu, EXC_DF, 0, CPU_EV_FAULT);
            ev = (struct event){EXC_DF, 0, CPU_EV_FAULT, false, cpu->rip};
        }
    }
    ev.set_rf = kind == CPU_EV_FAULT && is_fault_class(ev.vector);
    deliver(cpu, &ev, retire);
    if (cpu->icount != cpu->stuck_icount) {
        cpu->stuck_icount = cpu->icount;
        cpu->stuck_faults = 0;
    }
    cpu->stuck_faults++;
}

void cpu_deliver_event(struct cpu *cpu, unsigned vector, bool external)
{
    unsigned kind = external ? CPU_EV_EXTERNAL : CPU_EV_FAULT;
    struct event ev = {vector, EXC_NO_ERROR, (uint8_t)kind, false, cpu->rip};
    cpu->delivering = -1;
    record(cpu, vector, EXC_NO_ERROR, kind);
    deliver(cpu, &ev, false);
}
