/* Exceptions and interrupt delivery: faults are data recorded in one place
 * (cpu_fault), then delivered through the IDT by the mode's rules. A fault
 * while delivering escalates by the SDM's benign/contributory/page-fault
 * table (Vol. 3 Table 6-5) to #DF, and a fault while delivering #DF shuts
 * the CPU down (triple fault). */
#include "events.h"

#include <setjmp.h>

#define IDT_GATE_TYPE_SHIFT 40
#define GATE_TASK 0x5
#define GATE_INT16 0x6
#define GATE_TRAP16 0x7
#define GATE_INT32 0xE /* 64-bit interrupt gate in IA-32e mode */
#define GATE_TRAP32 0xF
#define ERR_EXT 1u      /* error code: event external to the program */
#define ERR_IDT 2u      /* error code: selector index refers to the IDT */
#define TSS64_RSP0 4
#define TSS64_IST1 0x24
#define TSS32_ESP0 4
#define TSS32_SS0 8

enum event_kind { EV_FAULT, EV_SOFTWARE, EV_EXTERNAL };

struct event {
    unsigned vector;
    uint32_t error;   // EXC_NO_ERROR when none is pushed
    enum event_kind kind;
};

static bool is_contributory(unsigned v)
{
    return v == EXC_DE || v == EXC_TS || v == EXC_NP || v == EXC_SS || v == EXC_GP;
}

static bool has_error_code(unsigned v)
{
    return v == EXC_DF || v == EXC_TS || v == EXC_NP || v == EXC_SS || v == EXC_GP ||
           v == EXC_PF || v == EXC_AC || v == EXC_CP;
}

static void stop_current_insn(struct cpu *cpu)
{
    if (cpu->cur) {
        cpu->icount += (uint64_t)(cpu->cur - cpu->count_from);
        cpu->cur = NULL;
    }
}

/* The pending fault, handed from cpu_fault to cpu_handle_fault_jump. */
static void record(struct cpu *cpu, unsigned vector, uint32_t error, enum event_kind kind)
{
    if (cpu->delivering < 0)
        cpu->chain_len = 0;
    if (cpu->chain_len < CPU_FAULT_CHAIN_MAX) {
        struct cpu_fault_record *r = &cpu->chain[cpu->chain_len++];
        r->vector = (uint8_t)vector;
        r->has_error = error != EXC_NO_ERROR;
        r->error = error;
        r->rip = cpu->rip;
        r->cr2 = cpu->cr2;
        r->cpl = cpu->cpl;
    }
    cpu->exc_vector = vector;
    cpu->exc_error = error;
    cpu->exc_kind = (uint8_t)kind;
}

_Noreturn void cpu_fault(struct cpu *cpu, unsigned vector, uint32_t error)
{
    stop_current_insn(cpu);
    record(cpu, vector, has_error_code(vector) ? error : EXC_NO_ERROR, EV_FAULT);
    longjmp(cpu->fault_jmp, 1);
}

_Noreturn void cpu_page_fault(struct cpu *cpu, uint64_t lin, uint32_t error)
{
    if (cpu_hooked(cpu, EMU_EV_PAGE_FAULT))
        cpu_ev_page_fault(cpu, lin, error);
    cpu->cr2 = lin;
    cpu_fault(cpu, EXC_PF, error);
}

_Noreturn void cpu_trap(struct cpu *cpu, unsigned vector, bool software)
{
    stop_current_insn(cpu);
    cpu->icount++; /* the trapping instruction retired */
    cpu->rip = next_rip(cpu);
    record(cpu, vector, EXC_NO_ERROR, software ? EV_SOFTWARE : EV_FAULT);
    longjmp(cpu->fault_jmp, 1);
}

/* ---- delivery ----------------------------------------------------------- */

static _Noreturn void gate_fault(struct cpu *cpu, unsigned vector, const struct event *ev)
{
    uint32_t ext = ev->kind == EV_EXTERNAL ? ERR_EXT : 0;
    cpu_fault(cpu, vector, (ev->vector << 3) | ERR_IDT | ext);
}

static uint64_t read_tss(struct cpu *cpu, unsigned off, unsigned size)
{
    if (off + size - 1 > cpu->tr.limit)
        cpu_fault(cpu, EXC_TS, cpu->tr.sel & 0xfffc);
    return sys_read(cpu, cpu->tr.base + off, size);
}

/* Loads and checks the code segment named by an interrupt gate. Returns the
 * new CPL. */
static unsigned gate_code_segment(struct cpu *cpu, uint16_t sel, const struct event *ev,
                                  uint64_t desc[2])
{
    uint32_t ext = ev->kind == EV_EXTERNAL ? ERR_EXT : 0;
    if ((sel & 0xfffc) == 0)
        cpu_fault(cpu, EXC_GP, ext);
    seg_read_descriptor(cpu, sel, EXC_GP, desc);
    uint16_t attr = desc_attr(desc[0]);
    unsigned dpl = (attr & SEG_ATTR_DPL) >> SEG_ATTR_DPL_SHIFT;
    bool code = (attr & SEG_ATTR_S) && (attr & SEG_ATTR_CODE);
    if (!code || dpl > cpu->cpl)
        cpu_fault(cpu, EXC_GP, (sel & 0xfffc) | ext);
    if (cpu_long64(cpu) || (cpu->efer & EFER_LMA)) {
        if (!(attr & SEG_ATTR_L) || (attr & SEG_ATTR_DB))
            cpu_fault(cpu, EXC_GP, (sel & 0xfffc) | ext);
    }
    if (!(attr & SEG_ATTR_P))
        cpu_fault(cpu, EXC_NP, (sel & 0xfffc) | ext);
    return (attr & SEG_ATTR_DC) ? cpu->cpl : dpl;
}

static void finish_delivery(struct cpu *cpu, bool interrupt_gate)
{
    uint64_t f = cpu_get_rflags(cpu);
    f &= ~(RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | RFLAGS_VM);
    if (interrupt_gate)
        f &= ~RFLAGS_IF;
    cpu_set_rflags(cpu, f);
    cpu->halted = false;
}

static void deliver_long(struct cpu *cpu, const struct event *ev)
{
    unsigned v = ev->vector;
    if (v * 16 + 15 > cpu->idtr.limit)
        gate_fault(cpu, EXC_GP, ev);
    uint64_t lo = sys_read(cpu, cpu->idtr.base + v * 16, 8);
    uint64_t hi = sys_read(cpu, cpu->idtr.base + v * 16 + 8, 8);
    unsigned type = (lo >> IDT_GATE_TYPE_SHIFT) & 0xf;
    unsigned dpl = (lo >> 45) & 3;
    if (type != GATE_INT32 && type != GATE_TRAP32)
        gate_fault(cpu, EXC_GP, ev);
    if (ev->kind == EV_SOFTWARE && dpl < cpu->cpl)
        gate_fault(cpu, EXC_GP, ev);
    if (!(lo & (1ULL << 47)))
        gate_fault(cpu, EXC_NP, ev);
    uint16_t sel = (uint16_t)(lo >> 16);
    uint64_t target = (lo & 0xffff) | ((lo >> 32) & 0xffff0000ULL) | ((hi & 0xffffffffULL) << 32);
    unsigned ist = (lo >> 32) & 7;
    uint64_t desc[2];
    unsigned new_cpl = gate_code_segment(cpu, sel, ev, desc);

    uint64_t rsp = cpu->gpr[RSP];
    bool switch_stack = new_cpl < cpu->cpl || ist;
    if (ist)
        rsp = read_tss(cpu, TSS64_IST1 + (ist - 1) * 8, 8);
    else if (new_cpl < cpu->cpl)
        rsp = read_tss(cpu, TSS64_RSP0 + new_cpl * 8, 8);
    if ((uint64_t)(((int64_t)rsp << 16) >> 16) != rsp)
        cpu_fault(cpu, EXC_SS, 0);
    rsp &= ~0xfULL;

    uint64_t frame[6];
    unsigned n = 0;
    if (ev->error != EXC_NO_ERROR)
        frame[n++] = ev->error;
    frame[n++] = cpu->rip;
    frame[n++] = cpu->seg[SEG_CS].sel;
    frame[n++] = cpu_get_rflags(cpu);
    frame[n++] = cpu->gpr[RSP];
    frame[n++] = cpu->seg[SEG_SS].sel;
    for (unsigned i = 0; i < n; i++)
        sys_write(cpu, rsp - 8 * (n - i), 8, frame[i]);

    unsigned old_cpl = cpu->cpl;
    cpu_set_seg(cpu, SEG_CS, (uint16_t)((sel & 0xfffc) | new_cpl), desc_base(desc[0]),
                desc_limit(desc[0]), desc_attr(desc[0]));
    if (new_cpl != old_cpl)
        cpu_set_seg(cpu, SEG_SS, (uint16_t)new_cpl, 0, 0, SEG_ATTR_UNUSABLE);
    (void)switch_stack;
    cpu_set_cpl(cpu, new_cpl);
    cpu->gpr[RSP] = rsp - 8 * n;
    cpu->rip = target;
    cpu_update_mode(cpu);
    finish_delivery(cpu, type == GATE_INT32);
}

static void deliver_protected(struct cpu *cpu, const struct event *ev)
{
    unsigned v = ev->vector;
    if (v * 8 + 7 > cpu->idtr.limit)
        gate_fault(cpu, EXC_GP, ev);
    uint64_t gate = sys_read(cpu, cpu->idtr.base + v * 8, 8);
    unsigned type = (gate >> IDT_GATE_TYPE_SHIFT) & 0xf;
    unsigned dpl = (gate >> 45) & 3;
    bool is32 = type == GATE_INT32 || type == GATE_TRAP32;
    if (!is32 && type != GATE_INT16 && type != GATE_TRAP16)
        gate_fault(cpu, EXC_GP, ev); /* task gates are not implemented */
    if (ev->kind == EV_SOFTWARE && dpl < cpu->cpl)
        gate_fault(cpu, EXC_GP, ev);
    if (!(gate & (1ULL << 47)))
        gate_fault(cpu, EXC_NP, ev);
    uint16_t sel = (uint16_t)(gate >> 16);
    uint32_t target = (uint32_t)((gate & 0xffff) | ((gate >> 32) & 0xffff0000ULL));
    if (!is32)
        target &= 0xffff;
    uint64_t desc[2];
    unsigned new_cpl = gate_code_segment(cpu, sel, ev, desc);
    unsigned psize = is32 ? 4 : 2;

    uint64_t ss_base = cpu->seg[SEG_SS].base;
    uint64_t esp = cpu->gpr[RSP] & stack_mask(cpu);
    uint16_t new_ss = cpu->seg[SEG_SS].sel;
    uint64_t ss_desc[2] = {0, 0};
    bool outer = new_cpl < cpu->cpl;
    if (outer) {
        esp = read_tss(cpu, TSS32_ESP0 + new_cpl * 8, 4);
        new_ss = (uint16_t)read_tss(cpu, TSS32_SS0 + new_cpl * 8, 2);
        if ((new_ss & 0xfffc) == 0)
            cpu_fault(cpu, EXC_TS, ev->kind == EV_EXTERNAL ? ERR_EXT : 0);
        seg_read_descriptor(cpu, new_ss, EXC_TS, ss_desc);
        ss_base = desc_base(ss_desc[0]);
    }
    uint64_t frame[6];
    unsigned n = 0;
    if (ev->error != EXC_NO_ERROR)
        frame[n++] = ev->error;
    frame[n++] = cpu->rip;
    frame[n++] = cpu->seg[SEG_CS].sel;
    frame[n++] = cpu_get_rflags(cpu);
    if (outer) {
        frame[n++] = cpu->gpr[RSP];
        frame[n++] = cpu->seg[SEG_SS].sel;
    }
    uint64_t esp_mask = outer ? ((desc_attr(ss_desc[0]) & SEG_ATTR_DB) ? 0xffffffffULL : 0xffff)
                              : stack_mask(cpu);
    for (unsigned i = 0; i < n; i++) {
        uint64_t at = (esp - psize * (n - i)) & esp_mask;
        sys_write(cpu, (ss_base + at) & 0xffffffffULL, psize, frame[i]);
    }
    if (outer)
        cpu_set_seg(cpu, SEG_SS, (uint16_t)((new_ss & 0xfffc) | new_cpl), ss_base,
                    desc_limit(ss_desc[0]), desc_attr(ss_desc[0]));
    cpu_set_seg(cpu, SEG_CS, (uint16_t)((sel & 0xfffc) | new_cpl), desc_base(desc[0]),
                desc_limit(desc[0]), desc_attr(desc[0]));
    cpu_set_cpl(cpu, new_cpl);
    uint64_t new_esp = (esp - psize * n) & esp_mask;
    cpu->gpr[RSP] = (cpu->gpr[RSP] & ~esp_mask) | new_esp;
    cpu->rip = target;
    cpu_update_mode(cpu);
    finish_delivery(cpu, type == GATE_INT32 || type == GATE_INT16);
}

static void deliver_real(struct cpu *cpu, const struct event *ev)
{
    unsigned v = ev->vector;
    if (v * 4 + 3 > cpu->idtr.limit)
        cpu_fault(cpu, EXC_GP, 0);
    uint32_t ivt = (uint32_t)sys_read(cpu, cpu->idtr.base + v * 4, 4);
    uint16_t sp = (uint16_t)cpu->gpr[RSP];
    uint64_t ss = cpu->seg[SEG_SS].base;
    sys_write(cpu, ss + (uint16_t)(sp - 2), 2, cpu_get_rflags(cpu));
    sys_write(cpu, ss + (uint16_t)(sp - 4), 2, cpu->seg[SEG_CS].sel);
    sys_write(cpu, ss + (uint16_t)(sp - 6), 2, cpu->rip);
    reg_write(cpu, RSP, 2, (uint16_t)(sp - 6));
    uint16_t cs = (uint16_t)(ivt >> 16);
    cpu_set_seg(cpu, SEG_CS, cs, (uint64_t)cs << 4, 0xffff, cpu->seg[SEG_CS].attr);
    cpu->rip = ivt & 0xffff;
    uint64_t f = cpu_get_rflags(cpu) & ~(RFLAGS_IF | RFLAGS_TF | RFLAGS_AC | RFLAGS_RF);
    cpu_set_rflags(cpu, f);
    cpu->halted = false;
}

static void deliver(struct cpu *cpu, const struct event *ev)
{
    uint8_t cpl_from = cpu->cpl;
    uint64_t rip_from = cpu->rip;
    cpu->delivering = (int)ev->vector;
    if (!cpu_protected(cpu))
        deliver_real(cpu, ev);
    else if (cpu->efer & EFER_LMA)
        deliver_long(cpu, ev);
    else
        deliver_protected(cpu, ev);
    cpu->delivering = -1;
    if (ev->vector == EXC_NMI && ev->kind == EV_EXTERNAL)
        cpu->nmi_blocked = true;
    bool external = ev->kind == EV_EXTERNAL;
    if (cpu_hooked(cpu, external ? EMU_EV_INTERRUPT : EMU_EV_EXCEPTION))
        cpu_ev_delivered(cpu, ev->vector, ev->error, external, ev->kind == EV_SOFTWARE, cpl_from,
                         rip_from);
}

static void shutdown(struct cpu *cpu)
{
    cpu->delivering = -1;
    cpu->shutdown = true;
    cpu->halted = true;
}

void cpu_handle_fault_jump(struct cpu *cpu)
{
    struct event ev = {cpu->exc_vector, cpu->exc_error, (enum event_kind)cpu->exc_kind};
    int first = cpu->delivering;
    if (first == EXC_DF && (is_contributory(ev.vector) || ev.vector == EXC_PF)) {
        shutdown(cpu);
        return;
    }
    if (first >= 0) {
        bool df = (is_contributory((unsigned)first) && is_contributory(ev.vector)) ||
                  (first == EXC_PF && (is_contributory(ev.vector) || ev.vector == EXC_PF));
        if (df) {
            ev = (struct event){EXC_DF, 0, EV_FAULT};
            record(cpu, EXC_DF, 0, EV_FAULT);
        }
    }
    deliver(cpu, &ev);
}

void cpu_deliver_event(struct cpu *cpu, unsigned vector, bool external)
{
    struct event ev = {vector, EXC_NO_ERROR, external ? EV_EXTERNAL : EV_FAULT};
    cpu->delivering = -1;
    record(cpu, vector, EXC_NO_ERROR, ev.kind);
    deliver(cpu, &ev);
}
