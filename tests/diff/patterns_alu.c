/* Patterns: ALU, INC/DEC/NEG/NOT, shifts and rotates, SHLD/SHRD, MUL/IMUL,
 * DIV/IDIV. Each emits one instruction (plus the setup it needs) and
 * records which flags it leaves defined or undefined, per the SDM's "Flags
 * Affected" section. */
#include "patterns.h"

static const ZydisMnemonic alu_ops[] = {
    ZYDIS_MNEMONIC_ADD, ZYDIS_MNEMONIC_OR,  ZYDIS_MNEMONIC_ADC,
    ZYDIS_MNEMONIC_SBB, ZYDIS_MNEMONIC_AND, ZYDIS_MNEMONIC_SUB,
    ZYDIS_MNEMONIC_XOR, ZYDIS_MNEMONIC_CMP, ZYDIS_MNEMONIC_TEST,
};

static bool is_logic(ZydisMnemonic m)
{
    return m == ZYDIS_MNEMONIC_AND || m == ZYDIS_MNEMONIC_OR || m == ZYDIS_MNEMONIC_XOR ||
           m == ZYDIS_MNEMONIC_TEST;
}

/* An immediate for an operand of `size` bytes (imm32 sign-extended for 64). */
uint64_t imm_for(struct gen *g, unsigned size)
{
    return rng_value(&g->rng, size < 8 ? size : 4);
}

/* A LOCK prefix now and then on a memory destination. */
void maybe_lock(struct gen *g, ZydisEncoderOperand dst)
{
    if (dst.type == ZYDIS_OPERAND_TYPE_MEMORY && rng_below(&g->rng, 4) == 0)
        g->opt.prefixes |= ZYDIS_ATTRIB_HAS_LOCK;
}

/* ADD OR ADC SBB AND SUB XOR CMP TEST in the forms r,r r,m m,r r,imm m,imm.
 * Logic ops leave AF undefined and clear CF/OF. */
static bool p_alu(struct gen *g)
{
    ZydisMnemonic m = alu_ops[rng_below(&g->rng, ARRAY_LEN(alu_ops))];
    unsigned size = pick_size(g, 0xf);
    bool writes = m != ZYDIS_MNEMONIC_CMP && m != ZYDIS_MNEMONIC_TEST;
    if (m == ZYDIS_MNEMONIC_ADC || m == ZYDIS_MNEMONIC_SBB) need_flags(g, FL_CF);
    ZydisEncoderOperand d, s;
    switch (rng_below(&g->rng, 5)) {
    case 0: d = op_reg(pick_reg(g, size, writes)), s = op_reg(pick_reg(g, size, false)); break;
    case 1:
        if (m == ZYDIS_MNEMONIC_TEST) return false; /* TEST has no r, m form */
        d = op_reg(pick_reg(g, size, writes)), s = pick_mem(g, size);
        break;
    case 2: d = pick_mem(g, size), s = op_reg(pick_reg(g, size, false)); break;
    case 3: d = op_reg(pick_reg(g, size, writes)), s = op_imm(imm_for(g, size)); break;
    default: d = pick_mem(g, size), s = op_imm(imm_for(g, size)); break;
    }
    if (writes) maybe_lock(g, d);
    TRY(emit(g, m, 2, (ZydisEncoderOperand[]){d, s}));
    if (is_logic(m))
        flags_effect(g, FL_ARITH & ~FL_AF, FL_AF);
    else
        flags_effect(g, FL_ARITH, 0);
    return true;
}

/* INC DEC (CF unaffected), NEG (all), NOT (none). */
static bool p_unary(struct gen *g)
{
    static const ZydisMnemonic ops[] = {ZYDIS_MNEMONIC_INC, ZYDIS_MNEMONIC_DEC, ZYDIS_MNEMONIC_NEG,
                                        ZYDIS_MNEMONIC_NOT};
    ZydisMnemonic m = ops[rng_below(&g->rng, ARRAY_LEN(ops))];
    unsigned size = pick_size(g, 0xf);
    ZydisEncoderOperand d = pick_rm(g, size, true);
    maybe_lock(g, d);
    TRY(emit(g, m, 1, &d));
    if (m == ZYDIS_MNEMONIC_NEG)
        flags_effect(g, FL_ARITH, 0);
    else if (m != ZYDIS_MNEMONIC_NOT)
        flags_effect(g, FL_ARITH & ~FL_CF, 0);
    return true;
}

/* A shift/rotate count: mostly small, sometimes at or beyond the width. */
static unsigned shift_count(struct gen *g)
{
    switch (rng_below(&g->rng, 4)) {
    case 0: return 1;
    case 1: return (unsigned)rng_below(&g->rng, 8);
    case 2: return (unsigned)rng_below(&g->rng, 70);
    default: return (unsigned)rng_below(&g->rng, 256);
    }
}

/* Emits the count operand: 1, imm8 or CL (set up first). */
static ZydisEncoderOperand count_operand(struct gen *g, unsigned count, bool allow_one)
{
    unsigned form = (unsigned)rng_below(&g->rng, 3);
    if (form == 0 && allow_one && count == 1) return op_imm(1);
    if (form == 2 && !(g->used & (1u << 1))) {
        reserve(g, 1);
        EMIT(g, MOV, op_reg(ZYDIS_REGISTER_CL), op_imm_sized(count, 1));
        return op_reg(ZYDIS_REGISTER_CL);
    }
    return op_imm_sized(count, 1);
}

/* SDM "Flags Affected" for SAL/SAR/SHL/SHR and ROL/ROR/RCL/RCR with masked
 * count c != 0: shifts define SF ZF PF, leave AF undefined, define CF except
 * for SHL/SHR with c >= the width, and OF only for c == 1; rotates define CF
 * and OF only for c == 1. */
static void shift_effect(struct gen *g, ZydisMnemonic m, unsigned size, unsigned c)
{
    if (c == 0) return;
    uint32_t def = 0, undef = 0;
    bool rotate = m == ZYDIS_MNEMONIC_ROL || m == ZYDIS_MNEMONIC_ROR || m == ZYDIS_MNEMONIC_RCL ||
                  m == ZYDIS_MNEMONIC_RCR;
    if (!rotate) {
        def |= FL_SF | FL_ZF | FL_PF;
        undef |= FL_AF;
        bool shl_shr = m == ZYDIS_MNEMONIC_SHL || m == ZYDIS_MNEMONIC_SHR;
        if (shl_shr && c >= size * 8)
            undef |= FL_CF;
        else
            def |= FL_CF;
    } else {
        def |= FL_CF;
    }
    if (c == 1)
        def |= FL_OF;
    else
        undef |= FL_OF;
    flags_effect(g, def, undef);
}

static bool p_shift(struct gen *g)
{
    static const ZydisMnemonic ops[] = {ZYDIS_MNEMONIC_ROL, ZYDIS_MNEMONIC_ROR, ZYDIS_MNEMONIC_RCL,
                                        ZYDIS_MNEMONIC_RCR, ZYDIS_MNEMONIC_SHL, ZYDIS_MNEMONIC_SHR,
                                        ZYDIS_MNEMONIC_SAR};
    ZydisMnemonic m = ops[rng_below(&g->rng, ARRAY_LEN(ops))];
    unsigned size = pick_size(g, 0xf), count = shift_count(g);
    unsigned c = count & (size == 8 ? 63 : 31);
    ZydisEncoderOperand cnt = count_operand(g, count, true);
    ZydisEncoderOperand d = pick_rm(g, size, true);
    if ((m == ZYDIS_MNEMONIC_RCL || m == ZYDIS_MNEMONIC_RCR) && c) need_flags(g, FL_CF);
    TRY(emit(g, m, 2, (ZydisEncoderOperand[]){d, cnt}));
    shift_effect(g, m, size, c);
    return true;
}

/* SHLD/SHRD: a masked count above 16 with 16-bit operands gives an undefined
 * result (SDM), so those counts are not generated. */
static bool p_shxd(struct gen *g)
{
    ZydisMnemonic m = rng_below(&g->rng, 2) ? ZYDIS_MNEMONIC_SHLD : ZYDIS_MNEMONIC_SHRD;
    unsigned size = pick_size(g, 0xe), count = shift_count(g);
    unsigned c = count & (size == 8 ? 63 : 31);
    if (size == 2 && c > 16) count = c = c & 15;
    ZydisEncoderOperand cnt = count_operand(g, count, false);
    ZydisEncoderOperand d = pick_rm(g, size, true);
    ZydisEncoderOperand s = op_reg(pick_reg(g, size, false));
    TRY(emit(g, m, 3, (ZydisEncoderOperand[]){d, s, cnt}));
    if (c)
        flags_effect(g, FL_SF | FL_ZF | FL_PF | FL_CF | (c == 1 ? FL_OF : 0),
                     FL_AF | (c == 1 ? 0 : FL_OF));
    return true;
}

/* MUL / IMUL: CF OF defined; SF ZF AF PF undefined. */
static bool p_mul(struct gen *g)
{
    unsigned form = (unsigned)rng_below(&g->rng, 4);
    unsigned size = pick_size(g, form == 0 ? 0xf : 0xe);
    if (form == 0) {
        ZydisMnemonic m = rng_below(&g->rng, 2) ? ZYDIS_MNEMONIC_MUL : ZYDIS_MNEMONIC_IMUL;
        reserve(g, 0);
        reserve(g, 2);
        ZydisEncoderOperand s = pick_rm(g, size, false);
        TRY(emit(g, m, 1, &s));
    } else if (form == 1 || form == 2) {
        ZydisEncoderOperand d = op_reg(pick_reg(g, size, true));
        ZydisEncoderOperand s = pick_rm(g, size, false);
        TRY(EMIT(g, IMUL, d, s));
    } else {
        ZydisEncoderOperand d = op_reg(pick_reg(g, size, true));
        ZydisEncoderOperand s = pick_rm(g, size, false);
        uint64_t imm = rng_below(&g->rng, 2) ? rng_value(&g->rng, 1) : imm_for(g, size);
        TRY(EMIT(g, IMUL, d, s, op_imm(imm)));
    }
    flags_effect(g, FL_CF | FL_OF, FL_SF | FL_ZF | FL_AF | FL_PF);
    return true;
}

/* The divisor: a nonzero value (never -1 for IDIV) put in a register or in
 * memory, returned as the operand. */
static ZydisEncoderOperand divisor(struct gen *g, unsigned size, bool is_signed, uint64_t *value)
{
    uint64_t d;
    do
        d = imm_for(g, size);
    while ((d & (size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1)) == 0 || (is_signed && d == ~0ULL));
    *value = d;
    ZydisEncoderOperand o = pick_rm(g, size, true);
    EMIT(g, MOV, o, op_imm(d));
    return o;
}

/* DIV/IDIV, guarded so that the quotient fits (and, one time in 16,
 * unguarded: a #DE is then compared as a fault). All flags undefined. */
static bool p_div(struct gen *g)
{
    static const ZydisMnemonic widen[] = {[1] = ZYDIS_MNEMONIC_CBW,
                                          [2] = ZYDIS_MNEMONIC_CWD,
                                          [4] = ZYDIS_MNEMONIC_CDQ,
                                          [8] = ZYDIS_MNEMONIC_CQO};
    bool is_signed = rng_below(&g->rng, 2);
    ZydisMnemonic m = is_signed ? ZYDIS_MNEMONIC_IDIV : ZYDIS_MNEMONIC_DIV;
    unsigned size = pick_size(g, 0xf);
    reserve(g, 0);
    reserve(g, 2);
    ZydisEncoderOperand s;
    if (rng_below(&g->rng, 16) == 0) {
        s = pick_rm(g, size, false);
    } else {
        uint64_t d;
        s = divisor(g, size, is_signed, &d);
        uint64_t dm = d & (size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1);
        if (is_signed)
            TRY(emit(g, widen[size], 0, NULL));
        else if (size == 1)
            TRY(EMIT(g, MOV, op_reg(ZYDIS_REGISTER_AH), op_imm_sized(rng_below(&g->rng, dm), 1)));
        else
            TRY(EMIT(g, MOV, op_reg(reg_of(2, size)), op_imm_sized(rng_below(&g->rng, dm), size)));
    }
    TRY(emit(g, m, 1, &s));
    flags_effect(g, 0, FL_ARITH);
    return true;
}

const struct pattern patterns_alu[] = {
    {p_alu, 30, "alu", PM_ALL},  {p_unary, 8, "unary", PM_ALL}, {p_shift, 14, "shift", PM_ALL},
    {p_shxd, 5, "shxd", PM_ALL}, {p_mul, 8, "mul", PM_ALL},     {p_div, 6, "div", PM_ALL},
};
const unsigned patterns_alu_count = ARRAY_LEN(patterns_alu);
