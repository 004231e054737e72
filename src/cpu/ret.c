/* Far RET and IRET (SDM Vol. 2 RET, IRET "Operation"): returns to the same
 * or an outer privilege level, with SS:RSP from the stack, the IA-32e null
 * SS rule, the RFLAGS rules by CPL and IOPL, data segments the outer level
 * may not use made null, and IRET's NMI unblocking. Every stack read and
 * check comes before any register changes. IRET with NT = 1 returns to the
 * previous task (task.c); returns to virtual-8086 mode are not implemented
 * (docs/faults.md). */
#include "events.h"
#include "ops.h"

#define IRET_FLAGS_ALWAYS                                                                      \
    (RFLAGS_ARITH | RFLAGS_TF | RFLAGS_DF | RFLAGS_NT | RFLAGS_RF | RFLAGS_AC | RFLAGS_ID)

static unsigned attr_dpl(uint32_t attr)
{
    return (attr & SEG_ATTR_DPL) >> SEG_ATTR_DPL_SHIFT;
}


static bool ia32e(const struct cpu *cpu)
{
    return (cpu->efer & EFER_LMA) != 0;
}

static _Noreturn void ret_fault(struct cpu *cpu, unsigned vector, uint16_t sel, unsigned cause,
                                uint64_t d0)
{
    cpu_fault_desc(cpu, vector, sel & 0xfffc, cause, sel, d0);
}

/* The code segment a RET/IRET returns to. Returns the new CPL (its RPL). */
static unsigned return_code_target(struct cpu *cpu, uint16_t sel, uint64_t d[2])
{
    if ((sel & 0xfffc) == 0)
        cpu_fault_why(cpu, EXC_GP, 0, FC_NULL_SELECTOR, sel);
    seg_read_descriptor(cpu, sel, EXC_GP, d);
    uint16_t attr = desc_attr(d[0]);
    unsigned rpl = sel & SEL_RPL, dpl = attr_dpl(attr);
    if (!(attr & SEG_ATTR_S) || !(attr & SEG_ATTR_CODE))
        ret_fault(cpu, EXC_GP, sel, FC_NOT_CODE, d[0]);
    if (rpl < cpu->cpl || ((attr & SEG_ATTR_DC) ? dpl > rpl : dpl != rpl))
        ret_fault(cpu, EXC_GP, sel, FC_CODE_PRIVILEGE, d[0]);
    if (ia32e(cpu) && (attr & SEG_ATTR_L) && (attr & SEG_ATTR_DB))
        ret_fault(cpu, EXC_GP, sel, FC_CODE_L_AND_D, d[0]);
    if (!(attr & SEG_ATTR_P))
        ret_fault(cpu, EXC_NP, sel, FC_NOT_PRESENT, d[0]);
    return rpl;
}

static bool to_64bit(const struct cpu *cpu, uint64_t d0)
{
    return ia32e(cpu) && (desc_attr(d0) & SEG_ATTR_L);
}

/* The new RIP: canonical for a 64-bit target, within the limit otherwise. */
static uint64_t check_rip(struct cpu *cpu, uint64_t d0, uint64_t rip, unsigned osz)
{
    if (osz == 2)
        rip &= 0xffff;
    if (to_64bit(cpu, d0)) {
        if (!is_canonical(rip))
            cpu_fault_why(cpu, EXC_GP, 0, FC_NONCANONICAL, rip);
        return rip;
    }
    rip &= 0xffffffffULL;
    if (rip > desc_limit(d0))
        cpu_fault_why(cpu, EXC_GP, 0, FC_SEG_LIMIT, rip);
    return rip;
}

/* The stack segment for a return to an outer level. A null SS is allowed
 * only for a 64-bit target below ring 3 with RPL = the new CPL. */
static void return_stack(struct cpu *cpu, uint16_t ss, unsigned cpl, bool to64, uint64_t d[2])
{
    d[0] = d[1] = 0;
    if ((ss & 0xfffc) == 0) {
        if (to64 && cpl < 3 && (ss & SEL_RPL) == cpl)
            return;
        cpu_fault_why(cpu, EXC_GP, 0, FC_NULL_SS, ss);
    }
    seg_read_descriptor(cpu, ss, EXC_GP, d);
    uint16_t attr = desc_attr(d[0]);
    bool writable = (attr & SEG_ATTR_S) && !(attr & SEG_ATTR_CODE) && (attr & SEG_ATTR_RW);
    if (!writable)
        ret_fault(cpu, EXC_GP, ss, FC_SS_NOT_WRITABLE, d[0]);
    if ((ss & SEL_RPL) != cpl || attr_dpl(attr) != cpl)
        ret_fault(cpu, EXC_GP, ss, FC_SS_PRIVILEGE, d[0]);
    if (!(attr & SEG_ATTR_P))
        ret_fault(cpu, EXC_SS, ss, FC_NOT_PRESENT, d[0]);
}

static void commit_cs(struct cpu *cpu, uint16_t sel, uint64_t d0, unsigned cpl, uint64_t rip)
{
    seg_set_accessed(cpu, sel, d0);
    cpu_set_seg(cpu, SEG_CS, sel, desc_base(d0), desc_limit(d0), desc_attr(d0) | SEG_ATTR_A);
    cpu_set_cpl(cpu, cpl);
    cpu_update_mode(cpu);
    cpu->gpr[REG_NEXT_RIP] = rip;
}

static void commit_ss(struct cpu *cpu, uint16_t ss, const uint64_t d[2], unsigned cpl)
{
    if ((ss & 0xfffc) == 0) {
        cpu_set_seg(cpu, SEG_SS, (uint16_t)((ss & 0xfffc) | cpl), 0, 0,
                    SEG_ATTR_UNUSABLE | SEG_ATTR_DB);
        return;
    }
    seg_set_accessed(cpu, ss, d[0]);
    cpu_set_seg(cpu, SEG_SS, ss, desc_base(d[0]), desc_limit(d[0]), desc_attr(d[0]) | SEG_ATTR_A);
}

/* After a return to an outer level: ES, DS, FS, GS holding data or
 * non-conforming code the new CPL may not use become null. */
static void null_inaccessible_segments(struct cpu *cpu)
{
    static const unsigned regs[] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
        struct seg *s = &cpu->seg[regs[i]];
        bool conforming_code = (s->attr & SEG_ATTR_CODE) && (s->attr & SEG_ATTR_DC);
        if ((s->attr & SEG_ATTR_UNUSABLE) || conforming_code)
            continue;
        if (attr_dpl(s->attr) < cpu->cpl)
            cpu_set_seg(cpu, regs[i], 0, s->base, s->limit, s->attr | SEG_ATTR_UNUSABLE);
    }
}

static void real_return(struct cpu *cpu, uint16_t sel, uint64_t rip, unsigned osz)
{
    cpu_set_seg(cpu, SEG_CS, sel, (uint64_t)sel << 4, cpu->seg[SEG_CS].limit,
                cpu->seg[SEG_CS].attr);
    cpu_update_mode(cpu);
    cpu->gpr[REG_NEXT_RIP] = rip & (osz == 2 ? 0xffff : 0xffffffffULL);
}

static void add_rsp(struct cpu *cpu, uint64_t n)
{
    reg_write(cpu, RSP, cpu->stack_size, cpu->gpr[RSP] + n);
}

/* Loads SS:RSP for an outer-level return; rsp_size is the width written. */
static void switch_stack(struct cpu *cpu, uint16_t ss, const uint64_t sd[2], unsigned cpl,
                         uint64_t rsp)
{
    commit_ss(cpu, ss, sd, cpl);
    cpu_update_mode(cpu);
    reg_write(cpu, RSP, cpu_long64(cpu) ? 8 : cpu->stack_size, rsp);
    null_inaccessible_segments(cpu);
}

void far_return(struct cpu *cpu, unsigned osz, uint16_t pop_bytes)
{
    uint64_t rip = stack_peek(cpu, 0, osz);
    uint16_t sel = (uint16_t)stack_peek(cpu, osz, 2);
    if (!cpu_protected(cpu) || (cpu->rflags & RFLAGS_VM)) {
        real_return(cpu, sel, rip, osz);
        add_rsp(cpu, 2 * osz + pop_bytes);
        return;
    }
    uint64_t d[2], sd[2];
    unsigned cpl = return_code_target(cpu, sel, d);
    if (cpl == cpu->cpl) {
        rip = check_rip(cpu, d[0], rip, osz);
        commit_cs(cpu, sel, d[0], cpl, rip);
        add_rsp(cpu, 2 * osz + pop_bytes);
        return;
    }
    uint64_t new_rsp = stack_peek(cpu, 2 * osz + pop_bytes, osz);
    uint16_t ss = (uint16_t)stack_peek(cpu, 3 * osz + pop_bytes, 2);
    return_stack(cpu, ss, cpl, to_64bit(cpu, d[0]), sd);
    rip = check_rip(cpu, d[0], rip, osz);
    commit_cs(cpu, sel, d[0], cpl, rip);
    switch_stack(cpu, ss, sd, cpl, new_rsp + pop_bytes);
}

/* ---- IRET ------------------------------------------------------------------------------ */

/* RFLAGS after IRET: which bits the popped image may change depends on the
 * CPL before the IRET and IOPL (SDM IRET). VM is never loaded: emu has no
 * virtual-8086 mode. */
static uint64_t iret_flags(struct cpu *cpu, uint64_t popped, unsigned osz)
{
    uint64_t old = cpu_get_rflags(cpu);
    uint64_t mask = IRET_FLAGS_ALWAYS;
    unsigned iopl = (old & RFLAGS_IOPL) >> RFLAGS_IOPL_SHIFT;
    if (!cpu_protected(cpu) || cpu->cpl == 0)
        mask |= RFLAGS_IOPL | RFLAGS_IF | RFLAGS_VIF | RFLAGS_VIP;
    else if (cpu->cpl <= iopl)
        mask |= RFLAGS_IF;
    if (osz == 2)
        mask &= 0xffff;
    return (old & ~mask) | (popped & mask);
}

static void iret_real(struct cpu *cpu, unsigned osz)
{
    uint64_t rip = stack_peek(cpu, 0, osz);
    uint16_t cs = (uint16_t)stack_peek(cpu, osz, 2);
    uint64_t f = stack_peek(cpu, 2 * osz, osz);
    if (osz == 4 && (rip >> 16))
        cpu_fault_why(cpu, EXC_GP, 0, FC_SEG_LIMIT, rip);
    uint64_t nf = iret_flags(cpu, f, osz);
    real_return(cpu, cs, rip, osz);
    add_rsp(cpu, 3 * osz);
    cpu_set_rflags(cpu, nf);
}

void cpu_iret(struct cpu *cpu, unsigned osz)
{
    cpu->nmi_blocked = false; /* even if the IRET faults (SDM Vol. 3 §6.7.1) */
    if (!cpu_protected(cpu)) {
        iret_real(cpu, osz);
        return;
    }
    if (cpu->rflags & RFLAGS_NT) {
        if (ia32e(cpu))
            cpu_fault(cpu, EXC_GP, 0); /* no tasks in IA-32e mode */
        task_return(cpu);
        return;
    }
    uint64_t rip = stack_peek(cpu, 0, osz);
    uint16_t sel = (uint16_t)stack_peek(cpu, osz, 2);
    uint64_t f = stack_peek(cpu, 2 * osz, osz);
    uint64_t d[2], sd[2];
    unsigned cpl = return_code_target(cpu, sel, d);
    uint64_t new_flags = iret_flags(cpu, f, osz);
    /* In 64-bit mode IRET always pops SS:RSP; elsewhere only to an outer level. */
    bool pops_stack = cpu_long64(cpu) || cpl != cpu->cpl;
    uint64_t new_rsp = 0;
    uint16_t ss = 0;
    if (pops_stack) {
        new_rsp = stack_peek(cpu, 3 * osz, osz);
        ss = (uint16_t)stack_peek(cpu, 4 * osz, 2);
        return_stack(cpu, ss, cpl, to_64bit(cpu, d[0]), sd);
    }
    rip = check_rip(cpu, d[0], rip, osz);
    commit_cs(cpu, sel, d[0], cpl, rip);
    if (pops_stack)
        switch_stack(cpu, ss, sd, cpl, new_rsp);
    else
        add_rsp(cpu, 3 * osz);
    cpu_set_rflags(cpu, new_flags);
}

static void iret(struct cpu *cpu, const struct insn *in)
{
    uint8_t cpl_from = cpu->cpl;
    cpu_iret(cpu, in->osz);
    if (unlikely(cpu->hook_mask))
        cpu_ev_iret(cpu, cpl_from, cpu->rip);
}

bool xl_iret(const struct xlate *x, struct insn *in)
{
    (void)x;
    in->fn = iret;
    in->flags |= INSN_END;
    return true;
}
