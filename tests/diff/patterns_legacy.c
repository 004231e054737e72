/* Patterns for compatibility mode only (their opcodes mean something else
 * or #UD in 64-bit mode): AAA AAS DAA DAS AAM AAD, PUSHA/POPA, BOUND. */
#include "patterns.h"

/* BCD adjustments. AAA/AAS read AF, define AF CF, leave OF SF ZF PF
 * undefined; DAA/DAS read AF CF, define CF AF SF ZF PF, leave OF undefined;
 * AAM/AAD define SF ZF PF, leave OF AF CF undefined; AAM 0 raises #DE. */
static bool p_bcd(struct gen *g)
{
    static const ZydisMnemonic ops[] = {ZYDIS_MNEMONIC_AAA, ZYDIS_MNEMONIC_AAS, ZYDIS_MNEMONIC_DAA,
                                        ZYDIS_MNEMONIC_DAS, ZYDIS_MNEMONIC_AAM, ZYDIS_MNEMONIC_AAD};
    unsigned k = (unsigned)rng_below(&g->rng, ARRAY_LEN(ops));
    reserve(g, 0);
    if (rng_below(&g->rng, 2))
        TRY(EMIT(g, MOV, op_reg(ZYDIS_REGISTER_AX), op_imm_sized(rng_value(&g->rng, 2), 2)));
    if (k < 4) {
        need_flags(g, k < 2 ? FL_AF : FL_AF | FL_CF);
        TRY(emit(g, ops[k], 0, NULL));
        if (k < 2)
            flags_effect(g, FL_AF | FL_CF, FL_OF | FL_SF | FL_ZF | FL_PF);
        else
            flags_effect(g, FL_ARITH & ~FL_OF, FL_OF);
        return true;
    }
    uint64_t base = rng_below(&g->rng, 2) ? 10 : rng_below(&g->rng, 256);
    if (k == 4 && rng_below(&g->rng, 32) == 0) base = 0; /* #DE, compared as a fault */
    TRY(emit(g, ops[k], 1, (ZydisEncoderOperand[]){op_imm_sized(base, 1)}));
    flags_effect(g, FL_SF | FL_ZF | FL_PF, FL_OF | FL_AF | FL_CF);
    return true;
}

/* PUSHAD/POPAD or PUSHA/POPA (66), alone or as a pair. */
static bool p_pusha(struct gen *g)
{
    bool o16 = rng_below(&g->rng, 4) == 0;
    int bytes = o16 ? 16 : 32;
    unsigned form = (unsigned)rng_below(&g->rng, 3); /* push, pop, both */
    if (!stack_ok(g, form != 1 ? bytes : 0, form == 1 ? bytes : 0)) return false;
    ZydisOperandSizeHint osz = o16 ? ZYDIS_OPERAND_SIZE_HINT_16 : ZYDIS_OPERAND_SIZE_HINT_32;
    if (form != 1) {
        g->opt.osz = osz;
        TRY(emit(g, o16 ? ZYDIS_MNEMONIC_PUSHA : ZYDIS_MNEMONIC_PUSHAD, 0, NULL));
        stack_effect(g, bytes);
    }
    if (form != 0) {
        g->opt.osz = osz;
        TRY(emit(g, o16 ? ZYDIS_MNEMONIC_POPA : ZYDIS_MNEMONIC_POPAD, 0, NULL));
        stack_effect(g, -bytes);
    }
    return true;
}

/* BOUND r, m: signed bounds set up in memory; the index is inside them
 * mostly, outside (#BR, compared as a fault) one time in eight. */
static bool p_bound(struct gen *g)
{
    unsigned size = rng_below(&g->rng, 4) ? 4 : 2;
    ZydisRegister r = pick_reg(g, size, true);
    g->mopt.no_stack = true;
    ZydisEncoderOperand m = pick_mem(g, size * 2);
    int64_t lo = (int64_t)rng_below(&g->rng, 200) - 100, hi = lo + (int64_t)rng_below(&g->rng, 100);
    int64_t idx = lo + (int64_t)rng_below(&g->rng, (uint64_t)(hi - lo + 1));
    if (rng_below(&g->rng, 8) == 0) idx = rng_below(&g->rng, 2) ? lo - 1 : hi + 1;
    ZydisEncoderOperand lower = m, upper = mem_offset(m, size);
    lower.mem.size = upper.mem.size = (ZyanU16)size;
    TRY(EMIT(g, MOV, lower, op_imm_sized((uint64_t)lo, size)));
    TRY(EMIT(g, MOV, upper, op_imm_sized((uint64_t)hi, size)));
    TRY(EMIT(g, MOV, op_reg(r), op_imm_sized((uint64_t)idx, size)));
    TRY(EMIT(g, BOUND, op_reg(r), m));
    return true;
}

const struct pattern patterns_legacy[] = {
    {p_bcd, 8, "bcd", PM_32},
    {p_pusha, 4, "pusha/popa", PM_32},
    {p_bound, 3, "bound", PM_32},
};
const unsigned patterns_legacy_count = ARRAY_LEN(patterns_legacy);
