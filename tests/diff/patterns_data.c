/* Patterns: data movement (MOV MOVZX MOVSX MOVSXD LEA XCHG BSWAP CMOVcc
 * SETcc, conversions, NOPs), flag instructions, bit instructions (BT*, BSF
 * BSR LZCNT TZCNT POPCNT), BMI1, and XADD/CMPXCHG/CMPXCHG8B/16B. */
#include "patterns.h"

const uint32_t cc_flags[16] = {
    FL_OF,
    FL_OF,
    FL_CF,
    FL_CF,
    FL_ZF,
    FL_ZF,
    FL_CF | FL_ZF,
    FL_CF | FL_ZF,
    FL_SF,
    FL_SF,
    FL_PF,
    FL_PF,
    FL_SF | FL_OF,
    FL_SF | FL_OF,
    FL_ZF | FL_SF | FL_OF,
    FL_ZF | FL_SF | FL_OF,
};

static bool p_mov(struct gen *g)
{
    unsigned size = pick_size(g, 0xf);
    ZydisEncoderOperand d, s;
    switch (rng_below(&g->rng, 6)) {
    case 0: d = op_reg(pick_reg(g, size, true)), s = op_reg(pick_reg(g, size, false)); break;
    case 1: d = op_reg(pick_reg(g, size, true)), s = pick_mem(g, size); break;
    case 2: d = pick_mem(g, size), s = op_reg(pick_reg(g, size, false)); break;
    case 3: d = pick_mem(g, size), s = op_imm(imm_for(g, size)); break;
    case 4: d = op_reg(pick_reg(g, size, true)), s = op_imm(imm_for(g, size)); break;
    default: d = op_reg(pick_reg(g, size, true)), s = op_imm(rng_value(&g->rng, size)); break;
    }
    TRY(EMIT(g, MOV, d, s));
    return true;
}

/* MOVZX/MOVSX r16/32/64 <- r/m8/16, MOVSXD r64 <- r/m32. */
static bool p_movx(struct gen *g)
{
    unsigned kind = (unsigned)rng_below(&g->rng, g->compat ? 2 : 3);
    if (kind == 2) {
        ZydisEncoderOperand d = op_reg(pick_reg(g, 8, true));
        TRY(EMIT(g, MOVSXD, d, pick_rm(g, 4, false)));
        return true;
    }
    unsigned ssize = pick_size(g, 3), dsize = pick_size(g, ssize == 1 ? 0xe : 0xc);
    ZydisEncoderOperand d = op_reg(pick_reg(g, dsize, true));
    ZydisEncoderOperand s = pick_rm(g, ssize, false);
    TRY(emit(g, kind ? ZYDIS_MNEMONIC_MOVSX : ZYDIS_MNEMONIC_MOVZX, 2,
             (ZydisEncoderOperand[]){d, s}));
    return true;
}

/* LEA with any registers (no access is made): address-size and
 * operand-size truncation. */
/* The base and index of a 16-bit address: [BX|BP|-] + [SI|DI|-]. */
static void mem16(struct gen *g, ZydisEncoderOperand *s)
{
    static const ZydisRegister bases[] = {ZYDIS_REGISTER_BX, ZYDIS_REGISTER_BP,
                                          ZYDIS_REGISTER_NONE};
    static const ZydisRegister indexes[] = {ZYDIS_REGISTER_SI, ZYDIS_REGISTER_DI,
                                            ZYDIS_REGISTER_NONE};
    s->mem.base = bases[rng_below(&g->rng, 3)];
    s->mem.index = indexes[rng_below(&g->rng, 3)];
    s->mem.scale = s->mem.index ? 1 : 0;
    s->mem.displacement = (ZyanI64)rng_value(&g->rng, 2);
}

/* LEA with any registers (no access is made): address-size and
 * operand-size truncation; 16-bit addressing in compatibility mode. */
static bool p_lea(struct gen *g)
{
    unsigned size = pick_size(g, 0xe), nreg = g->compat ? 8 : 16;
    unsigned asz = g->compat ? (rng_below(&g->rng, 3) ? 4 : 2) : (rng_below(&g->rng, 3) ? 8 : 4);
    ZydisEncoderOperand d = op_reg(pick_reg(g, size, true));
    ZydisEncoderOperand s = {.type = ZYDIS_OPERAND_TYPE_MEMORY};
    s.mem.size = (ZyanU16)asz; /* Zydis wants the address size for LEA */
    if (asz == 2) {
        mem16(g, &s);
        TRY(EMIT(g, LEA, d, s));
        return true;
    }
    s.mem.base = rng_below(&g->rng, 8) ? reg_of((unsigned)rng_below(&g->rng, nreg), asz)
                                       : ZYDIS_REGISTER_NONE;
    unsigned idx = (unsigned)rng_below(&g->rng, nreg);
    if (idx != REG_RSP_ID && rng_below(&g->rng, 2)) {
        s.mem.index = reg_of(idx, asz);
        s.mem.scale = (ZyanU8)(1u << rng_below(&g->rng, 4));
    }
    s.mem.displacement = (ZyanI64)rng_value(&g->rng, 4);
    if (!g->compat && rng_below(&g->rng, 4) == 0) {
        s = mem_at(g, rng_value(&g->rng, 4) & 0x7fffffff, 8);
        s.mem.base = ZYDIS_REGISTER_RIP;
    }
    TRY(EMIT(g, LEA, d, s));
    return true;
}

static bool p_xchg(struct gen *g)
{
    unsigned size = pick_size(g, 0xf);
    ZydisEncoderOperand a = op_reg(pick_reg(g, size, true));
    ZydisEncoderOperand b =
        rng_below(&g->rng, 2) ? pick_mem(g, size) : op_reg(pick_reg(g, size, true));
    if (rng_below(&g->rng, 2))
        TRY(EMIT(g, XCHG, a, b));
    else
        TRY(EMIT(g, XCHG, b, a));
    return true;
}

/* BSWAP r32/r64 (the 16-bit form is undefined: not generated). */
static bool p_bswap(struct gen *g)
{
    TRY(EMIT(g, BSWAP, op_reg(pick_reg(g, pick_size(g, 0xc), true))));
    return true;
}

static bool p_cmov(struct gen *g)
{
    static const ZydisMnemonic ops[16] = {
        ZYDIS_MNEMONIC_CMOVO, ZYDIS_MNEMONIC_CMOVNO, ZYDIS_MNEMONIC_CMOVB,  ZYDIS_MNEMONIC_CMOVNB,
        ZYDIS_MNEMONIC_CMOVZ, ZYDIS_MNEMONIC_CMOVNZ, ZYDIS_MNEMONIC_CMOVBE, ZYDIS_MNEMONIC_CMOVNBE,
        ZYDIS_MNEMONIC_CMOVS, ZYDIS_MNEMONIC_CMOVNS, ZYDIS_MNEMONIC_CMOVP,  ZYDIS_MNEMONIC_CMOVNP,
        ZYDIS_MNEMONIC_CMOVL, ZYDIS_MNEMONIC_CMOVNL, ZYDIS_MNEMONIC_CMOVLE, ZYDIS_MNEMONIC_CMOVNLE};
    unsigned cc = (unsigned)rng_below(&g->rng, 16), size = pick_size(g, 0xe);
    ZydisEncoderOperand d = op_reg(pick_reg(g, size, true)), s = pick_rm(g, size, false);
    need_flags(g, cc_flags[cc]);
    TRY(emit(g, ops[cc], 2, (ZydisEncoderOperand[]){d, s}));
    return true;
}

static bool p_setcc(struct gen *g)
{
    static const ZydisMnemonic ops[16] = {
        ZYDIS_MNEMONIC_SETO, ZYDIS_MNEMONIC_SETNO, ZYDIS_MNEMONIC_SETB,  ZYDIS_MNEMONIC_SETNB,
        ZYDIS_MNEMONIC_SETZ, ZYDIS_MNEMONIC_SETNZ, ZYDIS_MNEMONIC_SETBE, ZYDIS_MNEMONIC_SETNBE,
        ZYDIS_MNEMONIC_SETS, ZYDIS_MNEMONIC_SETNS, ZYDIS_MNEMONIC_SETP,  ZYDIS_MNEMONIC_SETNP,
        ZYDIS_MNEMONIC_SETL, ZYDIS_MNEMONIC_SETNL, ZYDIS_MNEMONIC_SETLE, ZYDIS_MNEMONIC_SETNLE};
    unsigned cc = (unsigned)rng_below(&g->rng, 16);
    ZydisEncoderOperand d = pick_rm(g, 1, true);
    need_flags(g, cc_flags[cc]);
    TRY(emit(g, ops[cc], 1, &d));
    return true;
}

/* CBW CWDE CDQE CWD CDQ CQO, the NOP forms, CLC STC CMC CLD STD, LAHF SAHF. */
static bool p_misc(struct gen *g)
{
    static const ZydisMnemonic ops[] = {
        ZYDIS_MNEMONIC_CBW,    ZYDIS_MNEMONIC_CWDE,   ZYDIS_MNEMONIC_CDQE,   ZYDIS_MNEMONIC_CWD,
        ZYDIS_MNEMONIC_CDQ,    ZYDIS_MNEMONIC_CQO,    ZYDIS_MNEMONIC_NOP,    ZYDIS_MNEMONIC_PAUSE,
        ZYDIS_MNEMONIC_LFENCE, ZYDIS_MNEMONIC_MFENCE, ZYDIS_MNEMONIC_SFENCE, ZYDIS_MNEMONIC_CLC,
        ZYDIS_MNEMONIC_STC,    ZYDIS_MNEMONIC_CMC,    ZYDIS_MNEMONIC_CLD,    ZYDIS_MNEMONIC_STD,
        ZYDIS_MNEMONIC_LAHF,   ZYDIS_MNEMONIC_SAHF,   ZYDIS_MNEMONIC_NOP};
    unsigned k = (unsigned)rng_below(&g->rng, ARRAY_LEN(ops));
    ZydisMnemonic m = ops[k];
    if (g->compat && (m == ZYDIS_MNEMONIC_CDQE || m == ZYDIS_MNEMONIC_CQO)) return false;
    if (m == ZYDIS_MNEMONIC_LAHF) need_flags(g, FL_ARITH & ~FL_OF);
    if (m == ZYDIS_MNEMONIC_NOP && k == ARRAY_LEN(ops) - 1) /* 0F 18 /4: reserved NOP */
        TRY(EMIT(g, NOP, pick_mem(g, pick_size(g, 6))));
    else
        TRY(emit(g, m, 0, NULL));
    if (m == ZYDIS_MNEMONIC_CLC || m == ZYDIS_MNEMONIC_STC) flags_effect(g, FL_CF, 0);
    if (m == ZYDIS_MNEMONIC_SAHF) flags_effect(g, FL_ARITH & ~FL_OF, 0);
    return true;
}

/* BT BTS BTR BTC: r,r r,imm m,imm m,r (bit-string addressing: the offset
 * register holds a small signed value, the operand sits mid-buffer). CF
 * defined; OF SF AF PF undefined; ZF unaffected. */
static bool p_bt(struct gen *g)
{
    static const ZydisMnemonic ops[] = {ZYDIS_MNEMONIC_BT, ZYDIS_MNEMONIC_BTS, ZYDIS_MNEMONIC_BTR,
                                        ZYDIS_MNEMONIC_BTC};
    ZydisMnemonic m = ops[rng_below(&g->rng, 4)];
    bool writes = m != ZYDIS_MNEMONIC_BT;
    unsigned size = pick_size(g, 0xe);
    ZydisEncoderOperand d, s;
    switch (rng_below(&g->rng, 4)) {
    case 0: d = op_reg(pick_reg(g, size, writes)), s = op_reg(pick_reg(g, size, false)); break;
    case 1:
        d = op_reg(pick_reg(g, size, writes)), s = op_imm_sized(rng_below(&g->rng, 256), 1);
        break;
    case 2: d = pick_mem(g, size), s = op_imm_sized(rng_below(&g->rng, 256), 1); break;
    default: {
        unsigned id = (unsigned)rng_below(&g->rng, g->compat ? 8 : 16);
        if (id == REG_RSP_ID || (g->used & (1u << id))) return false;
        reserve(g, id);
        uint64_t off = (uint64_t)((int64_t)rng_below(&g->rng, 4096) - 2048);
        if (size < 8) off = (off & ((1ULL << (size * 8)) - 1)) | (rng_next(&g->rng) << (size * 8));
        EMIT(g, MOV, op_reg(reg_word(g, id)), op_imm_sized(off, g->compat ? 4 : 8));
        g->mopt.margin = 512;
        d = pick_mem(g, size), s = op_reg(reg_of(id, size));
        break;
    }
    }
    if (writes) maybe_lock(g, d);
    TRY(emit(g, m, 2, (ZydisEncoderOperand[]){d, s}));
    flags_effect(g, FL_CF, FL_OF | FL_SF | FL_AF | FL_PF);
    return true;
}

/* BSF BSR (ZF defined, the rest undefined; a zero source keeps the
 * destination), LZCNT TZCNT (CF ZF defined), POPCNT (all defined). A zero
 * source is made likely. With a 32-bit BSF/BSR and a zero source, Intel
 * zero-extends the kept destination and AMD (this host) does not: the
 * SDM leaves it undefined, so a MOV r32, r32 after it evens the upper half. */
static bool p_bitcount(struct gen *g)
{
    static const ZydisMnemonic ops[] = {ZYDIS_MNEMONIC_BSF, ZYDIS_MNEMONIC_BSR,
                                        ZYDIS_MNEMONIC_LZCNT, ZYDIS_MNEMONIC_TZCNT,
                                        ZYDIS_MNEMONIC_POPCNT};
    ZydisMnemonic m = ops[rng_below(&g->rng, ARRAY_LEN(ops))];
    unsigned size = pick_size(g, 0xe);
    ZydisRegister d = pick_reg(g, size, true);
    ZydisEncoderOperand s = pick_rm(g, size, true);
    if (rng_below(&g->rng, 4) == 0) TRY(EMIT(g, MOV, s, op_imm(0)));
    TRY(emit(g, m, 2, (ZydisEncoderOperand[]){op_reg(d), s}));
    if (m == ZYDIS_MNEMONIC_BSF || m == ZYDIS_MNEMONIC_BSR) {
        flags_effect(g, FL_ZF, FL_CF | FL_OF | FL_SF | FL_AF | FL_PF);
        if (size == 4) TRY(EMIT(g, MOV, op_reg(d), op_reg(d)));
    } else if (m == ZYDIS_MNEMONIC_POPCNT) {
        flags_effect(g, FL_ARITH, 0);
    } else {
        flags_effect(g, FL_CF | FL_ZF, FL_OF | FL_SF | FL_AF | FL_PF);
    }
    return true;
}

/* BMI1. ANDN: SF ZF CF OF defined. BEXTR: ZF CF OF defined (SF undefined).
 * BLSI BLSMSK BLSR: SF ZF CF OF defined. AF PF undefined for all. */
static bool p_bmi(struct gen *g)
{
    static const ZydisMnemonic ops[] = {ZYDIS_MNEMONIC_ANDN, ZYDIS_MNEMONIC_BEXTR,
                                        ZYDIS_MNEMONIC_BLSI, ZYDIS_MNEMONIC_BLSMSK,
                                        ZYDIS_MNEMONIC_BLSR};
    ZydisMnemonic m = ops[rng_below(&g->rng, ARRAY_LEN(ops))];
    unsigned size = pick_size(g, 0xc);
    ZydisEncoderOperand d = op_reg(pick_reg(g, size, true));
    ZydisEncoderOperand v = op_reg(pick_reg(g, size, true));
    ZydisEncoderOperand s = pick_rm(g, size, false);
    if (m == ZYDIS_MNEMONIC_ANDN) {
        TRY(EMIT(g, ANDN, d, v, s));
    } else if (m == ZYDIS_MNEMONIC_BEXTR) {
        if (rng_below(&g->rng, 4)) {
            uint64_t ctl = (rng_below(&g->rng, 72) << 8) | rng_below(&g->rng, 72);
            TRY(EMIT(g, MOV, op_reg(reg_word(g, (unsigned)(v.reg.value - reg_of(0, size)))),
                     op_imm_sized(ctl | (rng_next(&g->rng) << 16), g->compat ? 4 : 8)));
        }
        TRY(EMIT(g, BEXTR, d, s, v));
    } else {
        TRY(emit(g, m, 2, (ZydisEncoderOperand[]){d, s}));
    }
    uint32_t def =
        m == ZYDIS_MNEMONIC_BEXTR ? (FL_ZF | FL_CF | FL_OF) : (FL_SF | FL_ZF | FL_CF | FL_OF);
    flags_effect(g, def, FL_ARITH & ~def);
    return true;
}

/* XADD (flags as ADD), CMPXCHG (flags as CMP; the equal case made likely). */
static bool p_xadd_cmpxchg(struct gen *g)
{
    unsigned size = pick_size(g, 0xf);
    reserve(g, 0);
    ZydisEncoderOperand d = pick_rm(g, size, true);
    ZydisEncoderOperand s = op_reg(pick_reg(g, size, true));
    ZydisMnemonic m = ZYDIS_MNEMONIC_XADD;
    if (rng_below(&g->rng, 2)) {
        m = ZYDIS_MNEMONIC_CMPXCHG;
        if (rng_below(&g->rng, 2)) TRY(EMIT(g, MOV, op_reg(reg_of(0, size)), d));
    }
    maybe_lock(g, d);
    TRY(emit(g, m, 2, (ZydisEncoderOperand[]){d, s}));
    flags_effect(g, FL_ARITH, 0);
    return true;
}

/* CMPXCHG8B / CMPXCHG16B (16-byte aligned but one time in 16): ZF only. */
static bool p_cmpxchg_double(struct gen *g)
{
    bool wide = !g->compat && rng_below(&g->rng, 2);
    unsigned half = wide ? 8 : 4;
    for (unsigned id = 0; id < 4; id++)
        reserve(g, id); /* RAX RCX RDX RBX */
    g->mopt.align = wide && rng_below(&g->rng, 16) ? 16 : 1;
    g->mopt.no_stack = true;
    ZydisEncoderOperand m = pick_mem(g, half * 2);
    if (rng_below(&g->rng, 2)) {
        TRY(EMIT(g, MOV, op_reg(reg_of(0, half)), mem_offset(m, 0)));
        TRY(EMIT(g, MOV, op_reg(reg_of(2, half)), mem_offset(m, half)));
    }
    if (rng_below(&g->rng, 4) == 0) g->opt.prefixes |= ZYDIS_ATTRIB_HAS_LOCK;
    m.mem.size = (ZyanU16)(half * 2);
    TRY(emit(g, wide ? ZYDIS_MNEMONIC_CMPXCHG16B : ZYDIS_MNEMONIC_CMPXCHG8B, 1, &m));
    flags_effect(g, FL_ZF, 0);
    return true;
}

const struct pattern patterns_data[] = {
    {p_mov, 16, "mov", PM_ALL},
    {p_movx, 6, "movx", PM_ALL},
    {p_lea, 6, "lea", PM_ALL},
    {p_xchg, 4, "xchg", PM_ALL},
    {p_bswap, 2, "bswap", PM_ALL},
    {p_cmov, 10, "cmov", PM_ALL},
    {p_setcc, 8, "setcc", PM_ALL},
    {p_misc, 8, "misc", PM_ALL},
    {p_bt, 8, "bt", PM_ALL},
    {p_bitcount, 8, "bitcount", PM_ALL},
    {p_bmi, 6, "bmi", PM_ALL},
    {p_xadd_cmpxchg, 6, "xadd/cmpxchg", PM_ALL},
    {p_cmpxchg_double, 3, "cmpxchg8b/16b", PM_ALL},
};
const unsigned patterns_data_count = ARRAY_LEN(patterns_data);
