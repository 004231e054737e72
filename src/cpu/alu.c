/* ADD OR ADC SBB AND SUB XOR CMP TEST, INC DEC NEG NOT. Results are written
 * before the flags are recorded, so a faulting write leaves the flags as
 * they were. */
#include "ops.h"

static const uint8_t alu_lf[] = {
    [ALU_ADD] = LF_ADD, [ALU_OR] = LF_LOGIC, [ALU_ADC] = LF_ADC, [ALU_SBB] = LF_SBB,
    [ALU_AND] = LF_LOGIC, [ALU_SUB] = LF_SUB, [ALU_XOR] = LF_LOGIC, [ALU_CMP] = LF_SUB,
    [ALU_TEST] = LF_LOGIC,
};

static unsigned carry_in(const struct cpu *cpu, unsigned op)
{
    return (op == ALU_ADC || op == ALU_SBB) ? flags_cf(cpu) : 0;
}

static uint64_t alu_result(unsigned op, uint64_t a, uint64_t b, unsigned cf)
{
    switch (op) {
    case ALU_ADD: return a + b;
    case ALU_OR: return a | b;
    case ALU_ADC: return a + b + cf;
    case ALU_SBB: return a - b - cf;
    case ALU_AND:
    case ALU_TEST: return a & b;
    case ALU_XOR: return a ^ b;
    default: return a - b; /* SUB, CMP */
    }
}

static bool alu_writes(unsigned op)
{
    return op != ALU_CMP && op != ALU_TEST;
}

static void alu_flags(struct cpu *cpu, unsigned op, unsigned size, uint64_t r, uint64_t a,
                      uint64_t b, unsigned cf)
{
    lf_set(cpu, alu_lf[op], size, r, a, b);
    cpu->lf.aux = (uint8_t)cf;
}

/* One ALU operation on values already read; writes via `dst_reg` or memory. */
static void alu_do(struct cpu *cpu, const struct insn *in, uint64_t a, uint64_t b, bool to_mem)
{
    unsigned size = in->osz;
    unsigned cf = carry_in(cpu, in->op);
    uint64_t r = alu_result(in->op, a, b, cf) & size_mask(size);
    if (alu_writes(in->op)) {
        if (to_mem)
            insn_mem_write(cpu, in, size, r);
        else
            reg_write(cpu, in->r1, size, r);
    }
    alu_flags(cpu, in->op, size, r, a, b & size_mask(size), cf);
}

static void alu_rr(struct cpu *cpu, const struct insn *in)
{
    alu_do(cpu, in, reg_read(cpu, in->r1, in->osz), reg_read(cpu, in->r2, in->osz), false);
}

static void alu_ri(struct cpu *cpu, const struct insn *in)
{
    alu_do(cpu, in, reg_read(cpu, in->r1, in->osz), in->imm, false);
}

static void alu_rm(struct cpu *cpu, const struct insn *in)
{
    uint64_t b = insn_mem_read(cpu, in, in->osz);
    alu_do(cpu, in, reg_read(cpu, in->r1, in->osz), b, false);
}

static void alu_mr(struct cpu *cpu, const struct insn *in)
{
    alu_do(cpu, in, insn_mem_read(cpu, in, in->osz), reg_read(cpu, in->r2, in->osz), true);
}

static void alu_mi(struct cpu *cpu, const struct insn *in)
{
    alu_do(cpu, in, insn_mem_read(cpu, in, in->osz), in->imm, true);
}

/* Hot forms without the generic dispatch. */
static void add64_rr(struct cpu *cpu, const struct insn *in)
{
    uint64_t a = cpu->gpr[in->r1], b = cpu->gpr[in->r2], r = a + b;
    cpu->gpr[in->r1] = r;
    lf_set(cpu, LF_ADD, 8, r, a, b);
}

static void sub64_ri(struct cpu *cpu, const struct insn *in)
{
    uint64_t a = cpu->gpr[in->r1], b = in->imm, r = a - b;
    if (in->op == ALU_SUB)
        cpu->gpr[in->r1] = r;
    lf_set(cpu, LF_SUB, 8, r, a, b);
}

static void add64_ri(struct cpu *cpu, const struct insn *in)
{
    uint64_t a = cpu->gpr[in->r1], b = in->imm, r = a + b;
    cpu->gpr[in->r1] = r;
    lf_set(cpu, LF_ADD, 8, r, a, b);
}

static void sub64_rr(struct cpu *cpu, const struct insn *in)
{
    uint64_t a = cpu->gpr[in->r1], b = cpu->gpr[in->r2], r = a - b;
    if (in->op == ALU_SUB)
        cpu->gpr[in->r1] = r;
    lf_set(cpu, LF_SUB, 8, r, a, b);
}

static insn_fn specialised(const struct insn *in, ZydisOperandType t1, bool mem)
{
    if (in->osz != 8 || mem)
        return NULL;
    bool imm = t1 == ZYDIS_OPERAND_TYPE_IMMEDIATE;
    switch (in->op) {
    case ALU_ADD: return imm ? add64_ri : add64_rr;
    case ALU_SUB:
    case ALU_CMP: return imm ? sub64_ri : sub64_rr;
    default: return NULL;
    }
}

bool xl_alu(const struct xlate *x, struct insn *in)
{
    ZydisOperandType t0 = xl_operand(x, 0, in);
    ZydisOperandType t1 = xl_operand(x, 1, in);
    bool m0 = t0 == ZYDIS_OPERAND_TYPE_MEMORY;
    if (t1 == ZYDIS_OPERAND_TYPE_IMMEDIATE)
        in->fn = m0 ? alu_mi : alu_ri;
    else if (t1 == ZYDIS_OPERAND_TYPE_MEMORY)
        in->fn = alu_rm;
    else
        in->fn = m0 ? alu_mr : alu_rr;
    insn_fn fast = specialised(in, t1, m0 || t1 == ZYDIS_OPERAND_TYPE_MEMORY);
    if (fast)
        in->fn = fast;
    return true;
}

/* ---- INC DEC NEG NOT --------------------------------------------------------- */

static void unary(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osz;
    uint64_t a = op0_read(cpu, in);
    uint64_t r;
    switch (in->op) {
    case UN_INC: r = a + 1; break;
    case UN_DEC: r = a - 1; break;
    case UN_NEG: r = 0 - a; break;
    default: r = ~a; break;
    }
    r &= size_mask(size);
    if (in->op == UN_INC || in->op == UN_DEC) {
        uint8_t cf = flags_cf(cpu);
        op0_write(cpu, in, r);
        lf_set(cpu, in->op == UN_INC ? LF_INC : LF_DEC, size, r, a, 1);
        cpu->lf.aux = cf;
        return;
    }
    op0_write(cpu, in, r);
    if (in->op == UN_NEG)
        lf_set(cpu, LF_NEG, size, r, a, 0);
}

bool xl_unary(const struct xlate *x, struct insn *in)
{
    xl_operand(x, 0, in);
    in->fn = unary;
    return true;
}
