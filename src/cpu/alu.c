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

/* ---- hot forms: a 32/64-bit register op= register or immediate ---------------
 * alu_hot is inlined into one small handler per operation x width x source
 * (Blink's kAlu table), so each resolves its operation at compile time. */

static inline __attribute__((always_inline)) void alu_hot(struct cpu *cpu,
                                                          const struct insn *in, uint64_t b,
                                                          unsigned op, unsigned size)
{
    uint64_t m = size_mask(size), a = cpu->gpr[in->r1] & m;
    b &= m;
    uint64_t r = alu_result(op, a, b, 0) & m;
    if (alu_writes(op))
        cpu->gpr[in->r1] = r; /* a 32-bit result zero-extends */
    lf_set(cpu, alu_lf[op], size, r, a, b);
}

#define ALU_HOT(op, name)                                                                          static void name##_rr32(struct cpu *c, const struct insn *in)                                  {                                                                                                  alu_hot(c, in, c->gpr[in->r2], op, 4);                                                     }                                                                                              static void name##_ri32(struct cpu *c, const struct insn *in)                                  {                                                                                                  alu_hot(c, in, in->imm, op, 4);                                                            }                                                                                              static void name##_rr64(struct cpu *c, const struct insn *in)                                  {                                                                                                  alu_hot(c, in, c->gpr[in->r2], op, 8);                                                     }                                                                                              static void name##_ri64(struct cpu *c, const struct insn *in)                                  {                                                                                                  alu_hot(c, in, in->imm, op, 8);                                                            }

ALU_HOT(ALU_ADD, add)
ALU_HOT(ALU_OR, or)
ALU_HOT(ALU_AND, and)
ALU_HOT(ALU_SUB, sub)
ALU_HOT(ALU_XOR, xor)
ALU_HOT(ALU_CMP, cmp)
ALU_HOT(ALU_TEST, test)

/* [op][0: 32-bit, 1: 64-bit][0: register source, 1: immediate] */
static const insn_fn hot_alu[ALU_TEST + 1][2][2] = {
    [ALU_ADD] = {{add_rr32, add_ri32}, {add_rr64, add_ri64}},
    [ALU_OR] = {{or_rr32, or_ri32}, {or_rr64, or_ri64}},
    [ALU_AND] = {{and_rr32, and_ri32}, {and_rr64, and_ri64}},
    [ALU_SUB] = {{sub_rr32, sub_ri32}, {sub_rr64, sub_ri64}},
    [ALU_XOR] = {{xor_rr32, xor_ri32}, {xor_rr64, xor_ri64}},
    [ALU_CMP] = {{cmp_rr32, cmp_ri32}, {cmp_rr64, cmp_ri64}},
    [ALU_TEST] = {{test_rr32, test_ri32}, {test_rr64, test_ri64}},
};

static insn_fn specialised(const struct insn *in, ZydisOperandType t1, bool mem)
{
    if (mem || (in->osz != 4 && in->osz != 8))
        return NULL;
    return hot_alu[in->op][in->osz == 8][t1 == ZYDIS_OPERAND_TYPE_IMMEDIATE];
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

/* Hot forms: a 32- or 64-bit register. INC/DEC keep CF in `aux`. */
static void not_r64(struct cpu *cpu, const struct insn *in)
{
    cpu->gpr[in->r1] = ~cpu->gpr[in->r1];
}

static void not_r32(struct cpu *cpu, const struct insn *in)
{
    cpu->gpr[in->r1] = (uint32_t)~cpu->gpr[in->r1];
}

static void incdec_r(struct cpu *cpu, const struct insn *in, unsigned size, uint64_t delta)
{
    uint8_t cf = flags_cf(cpu);
    uint64_t a = cpu->gpr[in->r1], r = (a + delta) & size_mask(size);
    cpu->gpr[in->r1] = r; /* a 32-bit result is zero-extended by the mask */
    lf_set(cpu, delta == 1 ? LF_INC : LF_DEC, size, r, a, 1);
    cpu->lf.aux = cf;
}

static void inc_r64(struct cpu *cpu, const struct insn *in)
{
    incdec_r(cpu, in, 8, 1);
}

static void dec_r64(struct cpu *cpu, const struct insn *in)
{
    incdec_r(cpu, in, 8, ~0ULL);
}

static void inc_r32(struct cpu *cpu, const struct insn *in)
{
    incdec_r(cpu, in, 4, 1);
}

static void dec_r32(struct cpu *cpu, const struct insn *in)
{
    incdec_r(cpu, in, 4, ~0ULL);
}

static const insn_fn hot_unary[4][2] = {
    [UN_INC] = {inc_r32, inc_r64},
    [UN_DEC] = {dec_r32, dec_r64},
    [UN_NOT] = {not_r32, not_r64},
};

bool xl_unary(const struct xlate *x, struct insn *in)
{
    xl_operand(x, 0, in);
    in->fn = unary;
    bool reg = !(in->flags & INSN_M0) && in->r1 < REG_ZERO;
    if (reg && (in->osz == 4 || in->osz == 8) && hot_unary[in->op][in->osz == 8])
        in->fn = hot_unary[in->op][in->osz == 8];
    return true;
}
