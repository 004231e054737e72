/* Far transfers: JMP/CALL/RET far and IRET, in real, protected and IA-32e
 * modes (SDM Vol. 2 JMP, CALL, RET, IRET "Operation"). Every check runs and
 * every stack read happens before any register changes. Call gates and task
 * switches are not implemented yet and raise #GP(selector). */
#include "events.h"
#include "ops.h"

#define SEL_RPL 3
#define IRET_FLAGS_ALWAYS                                                                      \
    (RFLAGS_ARITH | RFLAGS_TF | RFLAGS_DF | RFLAGS_NT | RFLAGS_RF | RFLAGS_AC | RFLAGS_ID)

enum { FAR_JMP, FAR_CALL, FAR_RET };

static unsigned attr_dpl(uint32_t attr)
{
    return (attr & SEG_ATTR_DPL) >> SEG_ATTR_DPL_SHIFT;
}

static bool canonical(uint64_t v)
{
    return (uint64_t)(((int64_t)v << 16) >> 16) == v;
}

static bool is_code(uint32_t attr)
{
    return (attr & SEG_ATTR_S) && (attr & SEG_ATTR_CODE);
}

/* A code descriptor for a JMP/CALL to sel: checks and returns it in d[0]. */
static void direct_code_target(struct cpu *cpu, uint16_t sel, uint64_t d[2])
{
    if ((sel & 0xfffc) == 0)
        cpu_fault(cpu, EXC_GP, 0);
    seg_read_descriptor(cpu, sel, EXC_GP, d);
    uint16_t attr = desc_attr(d[0]);
    if (!is_code(attr))
        cpu_fault(cpu, EXC_GP, sel & 0xfffc); /* call gates, TSS, task gates */
    unsigned dpl = attr_dpl(attr), rpl = sel & SEL_RPL;
    bool conforming = attr & SEG_ATTR_DC;
    if (conforming ? dpl > cpu->cpl : (rpl > cpu->cpl || dpl != cpu->cpl))
        cpu_fault(cpu, EXC_GP, sel & 0xfffc);
    if ((cpu->efer & EFER_LMA) && (attr & SEG_ATTR_L) && (attr & SEG_ATTR_DB))
        cpu_fault(cpu, EXC_GP, sel & 0xfffc);
    if (!(attr & SEG_ATTR_P))
        cpu_fault(cpu, EXC_NP, sel & 0xfffc);
}

/* Checks the new RIP against the target segment: canonical for a 64-bit
 * segment, within the limit otherwise. */
static uint64_t check_offset(struct cpu *cpu, uint64_t d0, uint64_t offset, unsigned osz)
{
    uint16_t attr = desc_attr(d0);
    if ((cpu->efer & EFER_LMA) && (attr & SEG_ATTR_L)) {
        if (!canonical(offset))
            cpu_fault(cpu, EXC_GP, 0);
        return offset;
    }
    offset &= osz == 2 ? 0xffff : 0xffffffffULL;
    if (offset > desc_limit(d0))
        cpu_fault(cpu, EXC_GP, 0);
    return offset;
}

static void commit_cs(struct cpu *cpu, uint16_t sel, uint64_t d0, unsigned cpl, uint64_t rip)
{
    cpu_set_seg(cpu, SEG_CS, (uint16_t)((sel & 0xfffc) | cpl), desc_base(d0), desc_limit(d0),
                desc_attr(d0) | SEG_ATTR_A);
    cpu_set_cpl(cpu, cpl);
    cpu_update_mode(cpu);
    cpu->gpr[REG_NEXT_RIP] = rip;
}

static void real_jump(struct cpu *cpu, uint16_t sel, uint64_t offset, unsigned osz)
{
    cpu_set_seg(cpu, SEG_CS, sel, (uint64_t)sel << 4, cpu->seg[SEG_CS].limit,
                cpu->seg[SEG_CS].attr);
    cpu_update_mode(cpu);
    cpu->gpr[REG_NEXT_RIP] = offset & (osz == 2 ? 0xffff : 0xffffffffULL);
}

void far_jump(struct cpu *cpu, uint16_t sel, uint64_t offset)
{
    unsigned osz = cpu->cur ? cpu->cur->osz : 4;
    if (!cpu_protected(cpu) || (cpu->rflags & RFLAGS_VM)) {
        real_jump(cpu, sel, offset, osz);
        return;
    }
    uint64_t d[2];
    direct_code_target(cpu, sel, d);
    offset = check_offset(cpu, d[0], offset, osz);
    commit_cs(cpu, sel, d[0], cpu->cpl, offset);
}

void far_call(struct cpu *cpu, uint16_t sel, uint64_t offset, unsigned osz)
{
    uint64_t rsp = cpu->gpr[RSP];
    uint64_t ret = next_rip(cpu);
    uint16_t cs = cpu->seg[SEG_CS].sel;
    uint64_t d[2] = {0, 0};
    bool prot = cpu_protected(cpu) && !(cpu->rflags & RFLAGS_VM);
    if (prot) {
        direct_code_target(cpu, sel, d);
        offset = check_offset(cpu, d[0], offset, osz);
    }
    uint64_t mask = stack_mask(cpu);
    mem_probe_write(cpu, SEG_SS, (rsp - 2 * osz) & mask, 2 * osz);
    mem_write(cpu, SEG_SS, (rsp - osz) & mask, osz, cs);
    mem_write(cpu, SEG_SS, (rsp - 2 * osz) & mask, osz, ret & size_mask(osz));
    if (prot)
        commit_cs(cpu, sel, d[0], cpu->cpl, offset);
    else
        real_jump(cpu, sel, offset, osz);
    reg_write(cpu, RSP, cpu->stack_size, rsp - 2 * osz);
}

/* The code segment a RET/IRET returns to. Returns the new CPL (its RPL). */
static unsigned return_code_target(struct cpu *cpu, uint16_t sel, uint64_t d[2])
{
    if ((sel & 0xfffc) == 0)
        cpu_fault(cpu, EXC_GP, 0);
    seg_read_descriptor(cpu, sel, EXC_GP, d);
    uint16_t attr = desc_attr(d[0]);
    unsigned rpl = sel & SEL_RPL, dpl = attr_dpl(attr);
    if (!is_code(attr) || rpl < cpu->cpl)
        cpu_fault(cpu, EXC_GP, sel & 0xfffc);
    if ((attr & SEG_ATTR_DC) ? dpl > rpl : dpl != rpl)
        cpu_fault(cpu, EXC_GP, sel & 0xfffc);
    if ((cpu->efer & EFER_LMA) && (attr & SEG_ATTR_L) && (attr & SEG_ATTR_DB))
        cpu_fault(cpu, EXC_GP, sel & 0xfffc);
    if (!(attr & SEG_ATTR_P))
        cpu_fault(cpu, EXC_NP, sel & 0xfffc);
    return rpl;
}

/* The stack segment for a return to an outer level (SS:RSP from the old
 * stack). A null SS is allowed for a 64-bit target below ring 3. */
static void return_stack(struct cpu *cpu, uint16_t ss, unsigned cpl, bool to64, uint64_t d[2])
{
    d[0] = d[1] = 0;
    if ((ss & 0xfffc) == 0) {
        if (to64 && cpl < 3 && (ss & SEL_RPL) == cpl)
            return;
        cpu_fault(cpu, EXC_GP, 0);
    }
    seg_read_descriptor(cpu, ss, EXC_GP, d);
    uint16_t attr = desc_attr(d[0]);
    bool writable = (attr & SEG_ATTR_S) && !(attr & SEG_ATTR_CODE) && (attr & SEG_ATTR_RW);
    if ((ss & SEL_RPL) != cpl || attr_dpl(attr) != cpl || !writable)
        cpu_fault(cpu, EXC_GP, ss & 0xfffc);
    if (!(attr & SEG_ATTR_P))
        cpu_fault(cpu, EXC_SS, ss & 0xfffc);
}

static void commit_ss(struct cpu *cpu, uint16_t ss, const uint64_t d[2], unsigned cpl)
{
    if ((ss & 0xfffc) == 0)
        cpu_set_seg(cpu, SEG_SS, (uint16_t)((ss & 0xfffc) | cpl), 0, 0, SEG_ATTR_UNUSABLE);
    else
        cpu_set_seg(cpu, SEG_SS, ss, desc_base(d[0]), desc_limit(d[0]), desc_attr(d[0]));
}

/* After a return to an outer level: data segments the new CPL may not use
 * become null (SDM RET/IRET). */
static void null_inaccessible_segments(struct cpu *cpu)
{
    static const unsigned regs[] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
        struct seg *s = &cpu->seg[regs[i]];
        bool conforming_code = (s->attr & SEG_ATTR_CODE) && (s->attr & SEG_ATTR_DC);
        if ((s->attr & SEG_ATTR_UNUSABLE) || conforming_code)
            continue;
        if (attr_dpl(s->attr) < cpu->cpl)
            cpu_set_seg(cpu, regs[i], 0, s->base, 0, SEG_ATTR_UNUSABLE);
    }
}

void far_return(struct cpu *cpu, unsigned osz, uint16_t pop_bytes)
{
    uint64_t rip = stack_peek(cpu, 0, osz);
    uint16_t sel = (uint16_t)stack_peek(cpu, osz, 2);
    if (!cpu_protected(cpu) || (cpu->rflags & RFLAGS_VM)) {
        real_jump(cpu, sel, rip, osz);
        reg_write(cpu, RSP, cpu->stack_size, cpu->gpr[RSP] + 2 * osz + pop_bytes);
        return;
    }
    uint64_t d[2], sd[2];
    unsigned cpl = return_code_target(cpu, sel, d);
    rip = check_offset(cpu, d[0], rip, osz);
    if (cpl == cpu->cpl) {
        commit_cs(cpu, sel, d[0], cpl, rip);
        reg_write(cpu, RSP, cpu->stack_size, cpu->gpr[RSP] + 2 * osz + pop_bytes);
        return;
    }
    uint64_t new_rsp = stack_peek(cpu, 2 * osz + pop_bytes, osz);
    uint16_t ss = (uint16_t)stack_peek(cpu, 3 * osz + pop_bytes, 2);
    bool to64 = (cpu->efer & EFER_LMA) && (desc_attr(d[0]) & SEG_ATTR_L);
    return_stack(cpu, ss, cpl, to64, sd);
    commit_cs(cpu, sel, d[0], cpl, rip);
    commit_ss(cpu, ss, sd, cpl);
    cpu_update_mode(cpu);
    reg_write(cpu, RSP, osz == 8 ? 8 : cpu->stack_size, new_rsp + pop_bytes);
    null_inaccessible_segments(cpu);
}

/* ---- IRET ------------------------------------------------------------------------------ */

/* RFLAGS after IRET: which bits the popped image may change depends on the
 * CPL before the IRET and IOPL (SDM IRET). */
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
    uint64_t nf = iret_flags(cpu, f, osz);
    real_jump(cpu, cs, rip, osz);
    reg_write(cpu, RSP, cpu->stack_size, cpu->gpr[RSP] + 3 * osz);
    cpu_set_rflags(cpu, nf);
}

void cpu_iret(struct cpu *cpu, unsigned osz)
{
    if (!cpu_protected(cpu)) {
        iret_real(cpu, osz);
        cpu->nmi_blocked = false;
        return;
    }
    if (cpu->rflags & (RFLAGS_NT | RFLAGS_VM))
        cpu_fault(cpu, EXC_GP, 0); /* task return and virtual-8086 are not implemented */
    uint64_t rip = stack_peek(cpu, 0, osz);
    uint16_t sel = (uint16_t)stack_peek(cpu, osz, 2);
    uint64_t f = stack_peek(cpu, 2 * osz, osz);
    uint64_t d[2], sd[2];
    unsigned cpl = return_code_target(cpu, sel, d);
    bool to64 = (cpu->efer & EFER_LMA) && (desc_attr(d[0]) & SEG_ATTR_L);
    rip = check_offset(cpu, d[0], rip, osz);
    bool pops_stack = cpu_long64(cpu) || cpl != cpu->cpl;
    uint64_t new_flags = iret_flags(cpu, f, osz);
    if (!pops_stack) {
        commit_cs(cpu, sel, d[0], cpl, rip);
        reg_write(cpu, RSP, cpu->stack_size, cpu->gpr[RSP] + 3 * osz);
    } else {
        uint64_t new_rsp = stack_peek(cpu, 3 * osz, osz);
        uint16_t ss = (uint16_t)stack_peek(cpu, 4 * osz, 2);
        return_stack(cpu, ss, cpl, to64, sd);
        commit_cs(cpu, sel, d[0], cpl, rip);
        commit_ss(cpu, ss, sd, cpl);
        cpu_update_mode(cpu);
        reg_write(cpu, RSP, osz == 8 || cpu_long64(cpu) ? 8 : cpu->stack_size, new_rsp);
        null_inaccessible_segments(cpu);
    }
    cpu_set_rflags(cpu, new_flags);
    cpu->nmi_blocked = false;
}

/* ---- handlers and translation -------------------------------------------------------------- */

static void far_ptr(struct cpu *cpu, const struct insn *in)
{
    if (in->op == FAR_JMP)
        far_jump(cpu, in->imm2, in->imm);
    else
        far_call(cpu, in->imm2, in->imm, in->osz);
}

static void far_mem(struct cpu *cpu, const struct insn *in)
{
    uint64_t ea = insn_ea(cpu, in);
    uint64_t off = mem_read(cpu, in->seg, ea, in->osz);
    uint16_t sel = (uint16_t)mem_read(cpu, in->seg, (ea + in->osz) & size_mask(in->asz), 2);
    if (in->op == FAR_JMP)
        far_jump(cpu, sel, off);
    else
        far_call(cpu, sel, off, in->osz);
}

static void far_ret(struct cpu *cpu, const struct insn *in)
{
    far_return(cpu, in->osz, (uint16_t)in->imm);
}

bool xl_far(const struct xlate *x, struct insn *in)
{
    in->flags |= INSN_END;
    switch (x->zi->mnemonic) {
    case ZYDIS_MNEMONIC_JMP: in->op = FAR_JMP; break;
    case ZYDIS_MNEMONIC_CALL: in->op = FAR_CALL; break;
    default:
        in->op = FAR_RET;
        in->imm = x->zi->operand_count_visible ? (x->ops[0].imm.value.u & 0xffff) : 0;
        in->fn = far_ret;
        return true;
    }
    const ZydisDecodedOperand *op = &x->ops[0];
    if (op->type == ZYDIS_OPERAND_TYPE_POINTER) {
        in->imm = op->ptr.offset;
        in->imm2 = op->ptr.segment;
        in->fn = far_ptr;
        return true;
    }
    if (xl_operand(x, 0, in) != ZYDIS_OPERAND_TYPE_MEMORY)
        return false;
    in->flags &= (uint8_t)~INSN_M0;
    in->fn = far_mem;
    return true;
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
