/* Far JMP, CALL and RET in real, protected and IA-32e modes (SDM Vol. 2
 * JMP, CALL, RET "Operation"): direct transfers to conforming and
 * non-conforming code, and call gates (16/32-bit in legacy mode with the
 * TSS stack switch and parameter copy; 64-bit in IA-32e mode). Every check
 * and every stack access happens before any register changes. Task gates
 * and TSS targets (legacy mode task switches) are
 * handled by task.c. */
#include "ops.h"

#define GATE_PARAMS_SHIFT 32
#define GATE_PARAMS_MASK 31u
#define UPPER_TYPE_SHIFT 40

enum { FAR_JMP, FAR_CALL, FAR_RET };

static unsigned attr_dpl(uint32_t attr)
{
    return (attr & SEG_ATTR_DPL) >> SEG_ATTR_DPL_SHIFT;
}


static bool is_code(uint32_t attr)
{
    return (attr & SEG_ATTR_S) && (attr & SEG_ATTR_CODE);
}

static bool ia32e(const struct cpu *cpu)
{
    return (cpu->efer & EFER_LMA) != 0;
}

static bool is64_code(const struct cpu *cpu, uint64_t d0)
{
    return ia32e(cpu) && (desc_attr(d0) & SEG_ATTR_L);
}

/* Where a far JMP/CALL lands. */
struct far_target {
    uint16_t sel;      // code segment selector (RPL replaced by the new CPL)
    uint64_t code[2];  // its descriptor
    unsigned cpl;      // CPL after the transfer
    uint64_t rip;
    unsigned width;    // push width: operand size, or the gate's size
    unsigned params;   // legacy call gate: parameters to copy
    bool gate;
};

static _Noreturn void far_fault(struct cpu *cpu, unsigned vector, uint16_t sel, unsigned cause,
                                const uint64_t d[2])
{
    cpu->why = (struct cpu_fault_why){(uint8_t)cause, sel, {d[0], d[1]}};
    cpu_fault(cpu, vector, sel & 0xfffc);
}

/* The L=1, D=1 combination is reserved in IA-32e mode. */
static void check_l_and_d(struct cpu *cpu, uint16_t sel, const uint64_t d[2])
{
    uint16_t attr = desc_attr(d[0]);
    if (ia32e(cpu) && (attr & SEG_ATTR_L) && (attr & SEG_ATTR_DB))
        far_fault(cpu, EXC_GP, sel, FC_CODE_L_AND_D, d);
}

/* Checks the new RIP against the target segment: canonical for a 64-bit
 * segment, within the limit otherwise. */
static uint64_t check_offset(struct cpu *cpu, uint64_t d0, uint64_t offset, unsigned width)
{
    if (width == 2)
        offset &= 0xffff;
    if (is64_code(cpu, d0)) {
        if (!is_canonical(offset))
            cpu_fault_why(cpu, EXC_GP, 0, FC_NONCANONICAL, offset);
        return offset;
    }
    offset &= 0xffffffffULL;
    if (offset > desc_limit(d0))
        cpu_fault_why(cpu, EXC_GP, 0, FC_SEG_LIMIT, offset);
    return offset;
}

/* A direct JMP/CALL to a code segment: same privilege only. */
static void direct_code(struct cpu *cpu, uint16_t sel, struct far_target *t)
{
    uint16_t attr = desc_attr(t->code[0]);
    unsigned dpl = attr_dpl(attr), rpl = sel & SEL_RPL;
    check_l_and_d(cpu, sel, t->code);
    bool conforming = attr & SEG_ATTR_DC;
    if (conforming ? dpl > cpu->cpl : (rpl > cpu->cpl || dpl != cpu->cpl))
        far_fault(cpu, EXC_GP, sel, FC_CODE_PRIVILEGE, t->code);
    if (!(attr & SEG_ATTR_P))
        far_fault(cpu, EXC_NP, sel, FC_NOT_PRESENT, t->code);
    t->sel = sel;
    t->cpl = cpu->cpl;
}

/* A call gate and the code segment it names. JMP through a gate never
 * changes privilege; CALL may move to a more privileged, non-conforming
 * segment. */
static void via_call_gate(struct cpu *cpu, uint16_t gsel, const uint64_t g[2], bool call,
                          struct far_target *t)
{
    unsigned gdpl = attr_dpl(desc_attr(g[0]));
    if (gdpl < cpu->cpl || (gsel & SEL_RPL) > gdpl)
        far_fault(cpu, EXC_GP, gsel, FC_CALL_GATE_PRIVILEGE, g);
    if (!(g[0] & (1ULL << 47)))
        far_fault(cpu, EXC_NP, gsel, FC_CALL_GATE_NOT_PRESENT, g);
    if (ia32e(cpu) && ((g[1] >> UPPER_TYPE_SHIFT) & 0x1f))
        far_fault(cpu, EXC_GP, gsel, FC_UPPER_TYPE, g);
    uint16_t sel = (uint16_t)(g[0] >> 16);
    if ((sel & 0xfffc) == 0)
        cpu_fault_why(cpu, EXC_GP, 0, FC_GATE_CS_NULL, gsel);
    seg_read_descriptor(cpu, sel, EXC_GP, t->code);
    uint16_t attr = desc_attr(t->code[0]);
    unsigned dpl = attr_dpl(attr);
    bool conforming = attr & SEG_ATTR_DC;
    if (!is_code(attr))
        far_fault(cpu, EXC_GP, sel, FC_NOT_CODE, t->code);
    if (dpl > cpu->cpl || (!call && !conforming && dpl != cpu->cpl))
        far_fault(cpu, EXC_GP, sel, FC_CODE_PRIVILEGE, t->code);
    if (ia32e(cpu) && (!(attr & SEG_ATTR_L) || (attr & SEG_ATTR_DB)))
        far_fault(cpu, EXC_GP, sel, FC_CODE_NOT_64, t->code);
    if (!(attr & SEG_ATTR_P))
        far_fault(cpu, EXC_NP, sel, FC_NOT_PRESENT, t->code);
    unsigned type = desc_attr(g[0]) & SEG_ATTR_TYPE;
    t->sel = sel;
    t->cpl = conforming ? cpu->cpl : dpl;
    t->width = ia32e(cpu) ? 8 : type == DESC_TYPE_CALL ? 4 : 2;
    t->rip = (g[0] & 0xffff) | ((g[0] >> 32) & 0xffff0000ULL) | ((g[1] & 0xffffffffULL) << 32);
    t->params = ia32e(cpu) ? 0 : (g[0] >> GATE_PARAMS_SHIFT) & GATE_PARAMS_MASK;
    t->gate = true;
}

/* Resolves the selector of a far JMP/CALL into a target (all checks but
 * the stack ones). */
static void resolve(struct cpu *cpu, uint16_t sel, uint64_t offset, unsigned osz, bool call,
                    struct far_target *t)
{
    uint64_t d[2];
    *t = (struct far_target){.width = osz, .rip = offset};
    if ((sel & 0xfffc) == 0)
        cpu_fault_why(cpu, EXC_GP, 0, FC_NULL_SELECTOR, sel);
    seg_read_descriptor(cpu, sel, EXC_GP, d);
    uint16_t attr = desc_attr(d[0]);
    if (is_code(attr)) {
        t->code[0] = d[0];
        direct_code(cpu, sel, t);
    } else if (!(attr & SEG_ATTR_S) &&
               ((attr & SEG_ATTR_TYPE) == DESC_TYPE_CALL ||
                (!ia32e(cpu) && (attr & SEG_ATTR_TYPE) == DESC_TYPE_CALL16))) {
        seg_read_system_descriptor(cpu, sel, EXC_GP, d);
        via_call_gate(cpu, sel, d, call, t);
    } else {
        far_fault(cpu, EXC_GP, sel, FC_BAD_SYSTEM_TYPE, d);
    }
    t->rip = check_offset(cpu, t->code[0], t->rip, t->width);
}

static void commit_cs(struct cpu *cpu, const struct far_target *t)
{
    uint64_t d0 = t->code[0];
    seg_set_accessed(cpu, t->sel, d0);
    cpu_set_seg(cpu, SEG_CS, (uint16_t)((t->sel & 0xfffc) | t->cpl), desc_base(d0),
                desc_limit(d0), desc_attr(d0) | SEG_ATTR_A);
    cpu_set_cpl(cpu, t->cpl);
    cpu_update_mode(cpu);
    cpu->gpr[REG_NEXT_RIP] = t->rip;
}

static void real_jump(struct cpu *cpu, uint16_t sel, uint64_t offset, unsigned osz)
{
    cpu_set_seg(cpu, SEG_CS, sel, (uint64_t)sel << 4, cpu->seg[SEG_CS].limit,
                cpu->seg[SEG_CS].attr);
    cpu_update_mode(cpu);
    cpu->gpr[REG_NEXT_RIP] = offset & (osz == 2 ? 0xffff : 0xffffffffULL);
}

static bool real_or_v86(const struct cpu *cpu)
{
    return !cpu_protected(cpu) || (cpu->rflags & RFLAGS_VM);
}

/* JMP/CALL to a TSS or a task gate (legacy protected mode): the privilege
 * and presence checks of the TSS or gate, then the task switch. Returns
 * false when sel names something else. */
static bool far_task(struct cpu *cpu, uint16_t sel, bool call)
{
    uint64_t d[2];
    if (ia32e(cpu) || (sel & 0xfffc) == 0 || !seg_fetch_descriptor(cpu, sel, false, d))
        return false;
    uint16_t attr = desc_attr(d[0]);
    unsigned type = attr & SEG_ATTR_TYPE, dpl = attr_dpl(attr);
    bool tss = type == DESC_TYPE_TSS || type == DESC_TYPE_TSS16 || type == DESC_TYPE_TSS_BUSY ||
               type == DESC_TYPE_TSS16_BUSY;
    if ((attr & SEG_ATTR_S) || (!tss && type != DESC_TYPE_TASK))
        return false;
    if (dpl < cpu->cpl || dpl < (sel & SEL_RPL))
        far_fault(cpu, EXC_GP, sel, FC_CALL_GATE_PRIVILEGE, d);
    if (tss && (type & 0x2))
        far_fault(cpu, EXC_GP, sel, FC_TSS_BUSY, d);
    if (!(attr & SEG_ATTR_P))
        far_fault(cpu, EXC_NP, sel, FC_NOT_PRESENT, d);
    enum task_source src = call ? TASK_CALL : TASK_JMP;
    if (tss)
        task_switch(cpu, sel, d[0], src, next_rip(cpu), 0);
    else
        task_through_gate(cpu, d[0], src, next_rip(cpu), 0);
    return true;
}

void far_jump(struct cpu *cpu, uint16_t sel, uint64_t offset, unsigned osz)
{
    if (real_or_v86(cpu)) {
        real_jump(cpu, sel, offset, osz);
        return;
    }
    if (far_task(cpu, sel, false))
        return;
    struct far_target t;
    resolve(cpu, sel, offset, osz, false, &t);
    commit_cs(cpu, &t);
}

/* ---- CALL ------------------------------------------------------------------------ */

/* Pushes `n` values (slot[0] first) at `width` bytes on the current stack,
 * after checking the whole range. A 64-bit gate uses the flat 64-bit stack
 * (SDM CALL: the implicit stack switch of entering 64-bit mode). */
static void push_current(struct cpu *cpu, const uint64_t *slot, unsigned n, unsigned width,
                         bool flat64)
{
    uint64_t rsp = cpu->gpr[RSP];
    if (flat64) {
        uint64_t low = rsp - width * n;
        if (!is_canonical(low) || !is_canonical(rsp - 1))
            cpu_fault_why(cpu, EXC_SS, 0, FC_STACK_NONCANONICAL, low);
        for (unsigned i = 0; i < n; i++)
            lin_write(cpu, rsp - width * (i + 1), width, slot[i], MEM_STACK);
        cpu->gpr[RSP] = low;
        return;
    }
    uint64_t mask = stack_mask(cpu);
    mem_probe_write(cpu, SEG_SS, (rsp - width * n) & mask, width * n);
    for (unsigned i = 0; i < n; i++)
        mem_write(cpu, SEG_SS, (rsp - width * (i + 1)) & mask, width, slot[i] & size_mask(width));
    reg_write(cpu, RSP, cpu->stack_size, rsp - width * n);
}

/* CALL through a gate to a more privileged ring: the stack comes from the
 * TSS (a null SS and TSS.RSPn in IA-32e mode); old SS:ESP, the copied
 * parameters and CS:EIP go on it, written before anything changes. */
static void call_inner(struct cpu *cpu, const struct far_target *t, uint64_t ret)
{
    uint64_t slot[4 + GATE_PARAMS_MASK];
    unsigned n = 0, w = t->width;
    slot[n++] = cpu->seg[SEG_SS].sel;
    slot[n++] = cpu->gpr[RSP];
    for (unsigned i = t->params; i-- > 0;) {
        uint64_t off = (cpu->gpr[RSP] + i * w) & stack_mask(cpu);
        slot[n++] = sys_read(cpu, cpu->seg[SEG_SS].base + off, w);
    }
    slot[n++] = cpu->seg[SEG_CS].sel;
    slot[n++] = ret;
    struct seg ss;
    uint64_t sp, final_sp;
    if (ia32e(cpu)) {
        sp = tss_read_field(cpu, TSS64_RSP0 + 8 * t->cpl, 8, 0);
        final_sp = sp - w * n;
        if (!is_canonical(sp) || !is_canonical(final_sp))
            cpu_fault_why(cpu, EXC_SS, 0, FC_STACK_NONCANONICAL, sp);
        ss = (struct seg){0, 0, (uint16_t)t->cpl, SEG_ATTR_UNUSABLE | SEG_ATTR_DB};
        for (unsigned i = 0; i < n; i++)
            sys_write(cpu, sp - w * (i + 1), w, slot[i]);
    } else {
        tss_stack(cpu, t->cpl, 0, &ss, &sp);
        if (!seg_stack_room(&ss, sp, w * n))
            cpu_fault_why(cpu, EXC_SS, ss.sel & 0xfffc, FC_STACK_LIMIT, sp);
        uint64_t mask = (ss.attr & SEG_ATTR_DB) ? 0xffffffffULL : 0xffffULL;
        for (unsigned i = 0; i < n; i++)
            sys_write(cpu, (ss.base + ((sp - w * (i + 1)) & mask)) & 0xffffffffULL, w, slot[i]);
        final_sp = (sp & ~mask) | ((sp - w * n) & mask);
    }
    commit_cs(cpu, t);
    cpu_set_seg(cpu, SEG_SS, (uint16_t)((ss.sel & 0xfffc) | t->cpl), ss.base, ss.limit, ss.attr);
    cpu_update_mode(cpu);
    cpu->gpr[RSP] = final_sp;
}

void far_call(struct cpu *cpu, uint16_t sel, uint64_t offset, unsigned osz)
{
    uint64_t ret = next_rip(cpu);
    uint16_t cs = cpu->seg[SEG_CS].sel;
    if (real_or_v86(cpu)) {
        uint64_t slot[2] = {cs, ret};
        push_current(cpu, slot, 2, osz, false);
        real_jump(cpu, sel, offset, osz);
        return;
    }
    if (far_task(cpu, sel, true))
        return;
    struct far_target t;
    resolve(cpu, sel, offset, osz, true, &t);
    if (t.cpl < cpu->cpl) {
        call_inner(cpu, &t, ret);
        return;
    }
    uint64_t slot[2] = {cs, ret & size_mask(t.width)};
    push_current(cpu, slot, 2, t.width, t.gate && t.width == 8);
    commit_cs(cpu, &t);
}

/* ---- handlers and translation ------------------------------------------------------ */

static void far_ptr(struct cpu *cpu, const struct insn *in)
{
    if (in->op == FAR_JMP)
        far_jump(cpu, in->imm2, in->imm, in->osz);
    else
        far_call(cpu, in->imm2, in->imm, in->osz);
}

/* JMP/CALL m16:16, m16:32 or m16:64: the offset then the selector. */
static void far_mem(struct cpu *cpu, const struct insn *in)
{
    uint64_t ea = insn_ea(cpu, in);
    uint64_t off = mem_read(cpu, in->seg, ea, in->osz);
    uint16_t sel = (uint16_t)mem_read(cpu, in->seg, (ea + in->osz) & size_mask(in->asz), 2);
    if (in->op == FAR_JMP)
        far_jump(cpu, sel, off, in->osz);
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
