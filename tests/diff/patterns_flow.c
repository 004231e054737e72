/* Patterns: forward branches (Jcc, JMP, CALL, RET, LOOPcc, JrCXZ; direct
 * and indirect), the stack (PUSH POP PUSHF POPF ENTER LEAVE), string
 * instructions with REP prefixes, XLAT, prefetch hints. Branches only go
 * forward, so every sequence ends; the generator merges the flag and stack
 * state of every path at each label. */
#include "patterns.h"

static const ZydisMnemonic jcc_ops[16] = {
    ZYDIS_MNEMONIC_JO, ZYDIS_MNEMONIC_JNO, ZYDIS_MNEMONIC_JB,  ZYDIS_MNEMONIC_JNB,
    ZYDIS_MNEMONIC_JZ, ZYDIS_MNEMONIC_JNZ, ZYDIS_MNEMONIC_JBE, ZYDIS_MNEMONIC_JNBE,
    ZYDIS_MNEMONIC_JS, ZYDIS_MNEMONIC_JNS, ZYDIS_MNEMONIC_JP,  ZYDIS_MNEMONIC_JNP,
    ZYDIS_MNEMONIC_JL, ZYDIS_MNEMONIC_JNL, ZYDIS_MNEMONIC_JLE, ZYDIS_MNEMONIC_JNLE};

/* A relative branch to `label` with an 8- or 32-bit displacement. */
static int emit_rel(struct gen *g, ZydisMnemonic m, int label, bool short_)
{
    g->opt.branch_type = short_ ? ZYDIS_BRANCH_TYPE_SHORT : ZYDIS_BRANCH_TYPE_NEAR;
    g->opt.branch_width = short_ ? ZYDIS_BRANCH_WIDTH_8 : ZYDIS_BRANCH_WIDTH_32;
    g->opt.target = label;
    ZydisEncoderOperand t = op_imm(0);
    return emit(g, m, 1, &t);
}

static bool p_jcc(struct gen *g)
{
    unsigned cc = (unsigned)rng_below(&g->rng, 16);
    bool short_ = rng_below(&g->rng, 2);
    int label = pick_label(g, short_ ? 2 : 6);
    need_flags(g, cc_flags[cc]);
    int item = emit_rel(g, jcc_ops[cc], label, short_);
    return branch_to(g, item, label, true);
}

/* LEA r, [rip + label]: the label's address in a register. */
static ZydisRegister label_address(struct gen *g, int label, int *item)
{
    ZydisRegister r = pick_reg(g, 8, true);
    ZydisEncoderOperand m = mem_at(g, 0, 8);
    m.mem.base = ZYDIS_REGISTER_RIP;
    g->opt.target = label;
    *item = EMIT(g, LEA, op_reg(r), m);
    return r;
}

/* JMP or CALL, direct or through a register or memory. */
static bool p_jmp_call(struct gen *g)
{
    bool call = rng_below(&g->rng, 2);
    ZydisMnemonic m = call ? ZYDIS_MNEMONIC_CALL : ZYDIS_MNEMONIC_JMP;
    int label = pick_label(g, 4);
    if (call && !stack_ok(g, 8, 0)) return false;
    if (rng_below(&g->rng, 2)) {
        bool short_ = !call && rng_below(&g->rng, 2) && label <= (int)g->pat + 2;
        TRY(emit_rel(g, m, label, short_));
    } else {
        int lea;
        ZydisRegister r = label_address(g, label, &lea);
        TRY(lea);
        ZydisEncoderOperand t = op_reg(r);
        if (rng_below(&g->rng, 2)) {
            g->mopt.no_stack = true; /* [rsp + x] would move with a CALL's push */
            t = pick_mem(g, 8);
            TRY(EMIT(g, MOV, t, op_reg(r)));
        }
        TRY(emit(g, m, 1, &t));
    }
    if (call) stack_effect(g, 8);
    return flow_to(g, label, false);
}

/* RET [imm16] to a pushed label address. */
static bool p_ret(struct gen *g)
{
    unsigned n = rng_below(&g->rng, 3) ? 0 : (unsigned)rng_below(&g->rng, 48);
    if (!stack_ok(g, 8, (int)n)) return false;
    int label = pick_label(g, 4), lea;
    ZydisRegister r = label_address(g, label, &lea);
    TRY(lea);
    TRY(EMIT(g, PUSH, op_reg(r)));
    stack_effect(g, 8);
    if (n || rng_below(&g->rng, 2))
        TRY(EMIT(g, RET, op_imm(n)));
    else
        TRY(EMIT0(g, RET));
    stack_effect(g, -8 - (int)n);
    return flow_to(g, label, false);
}

/* LOOP LOOPE LOOPNE JRCXZ JECXZ (rel8; 32-bit address size uses ECX). */
static bool p_loop(struct gen *g)
{
    static const ZydisMnemonic ops[] = {ZYDIS_MNEMONIC_LOOP, ZYDIS_MNEMONIC_LOOPE,
                                        ZYDIS_MNEMONIC_LOOPNE, ZYDIS_MNEMONIC_JRCXZ,
                                        ZYDIS_MNEMONIC_JECXZ};
    ZydisMnemonic m = ops[rng_below(&g->rng, ARRAY_LEN(ops))];
    bool a32 =
        m == ZYDIS_MNEMONIC_JECXZ || (m != ZYDIS_MNEMONIC_JRCXZ && rng_below(&g->rng, 4) == 0);
    reserve(g, 1);
    if (rng_below(&g->rng, 2))
        TRY(EMIT(g, MOV, op_reg(ZYDIS_REGISTER_RCX),
                 op_imm(rng_below(&g->rng, 3) | (a32 ? rng_next(&g->rng) << 32 : 0))));
    if (m == ZYDIS_MNEMONIC_LOOPE || m == ZYDIS_MNEMONIC_LOOPNE) need_flags(g, FL_ZF);
    int label = pick_label(g, 2);
    if (a32 && m != ZYDIS_MNEMONIC_JECXZ) g->opt.asz = ZYDIS_ADDRESS_SIZE_HINT_32;
    int item = emit_rel(g, m, label, true);
    return branch_to(g, item, label, true);
}

/* PUSH and POP of registers, memory and immediates, 64- and 16-bit. */
static bool p_push_pop(struct gen *g)
{
    unsigned size = rng_below(&g->rng, 4) ? 8 : 2;
    bool push = rng_below(&g->rng, 2);
    if (!stack_ok(g, push ? (int)size : 0, push ? 0 : (int)size)) return false;
    ZydisEncoderOperand o;
    switch (rng_below(&g->rng, push ? 3 : 2)) {
    case 0: o = op_reg(pick_reg(g, size, !push)); break;
    case 1: o = pick_mem(g, size); break;
    default:
        o = op_imm(rng_value(&g->rng, size == 8 ? 4 : 2));
        g->opt.osz = size == 8 ? ZYDIS_OPERAND_SIZE_HINT_64 : ZYDIS_OPERAND_SIZE_HINT_16;
        break;
    }
    TRY(emit(g, push ? ZYDIS_MNEMONIC_PUSH : ZYDIS_MNEMONIC_POP, 1, &o));
    stack_effect(g, push ? (int)size : -(int)size);
    return true;
}

/* PUSHF/PUSHFQ (all flags must be defined), POPF/POPFQ of a pushed value
 * with random arithmetic flags, DF and IF (IF is ignored at CPL 3). */
static bool p_pushf_popf(struct gen *g)
{
    bool wide = rng_below(&g->rng, 4) != 0;
    unsigned size = wide ? 8 : 2;
    if (!stack_ok(g, (int)size, 0)) return false;
    if (rng_below(&g->rng, 2)) {
        need_flags(g, FL_ARITH);
        TRY(emit(g, wide ? ZYDIS_MNEMONIC_PUSHFQ : ZYDIS_MNEMONIC_PUSHF, 0, NULL));
        stack_effect(g, (int)size);
        return true;
    }
    uint64_t v = (rng_next(&g->rng) & (FL_ARITH | FL_DF | FL_IF)) | FL_FIXED;
    g->opt.osz = wide ? ZYDIS_OPERAND_SIZE_HINT_64 : ZYDIS_OPERAND_SIZE_HINT_16;
    TRY(EMIT(g, PUSH, op_imm(v)));
    TRY(emit(g, wide ? ZYDIS_MNEMONIC_POPFQ : ZYDIS_MNEMONIC_POPF, 0, NULL));
    flags_effect(g, FL_ARITH, 0);
    return true;
}

/* MOV/LEA RBP near RSP, ENTER imm16, level, LEAVE (16- or 64-bit). */
static bool p_enter_leave(struct gen *g)
{
    bool o16 = rng_below(&g->rng, 4) == 0;
    unsigned sz = o16 ? 2 : 8, level = (unsigned)rng_below(&g->rng, 5);
    unsigned frame = (unsigned)rng_below(&g->rng, 3) * 8 + (unsigned)rng_below(&g->rng, 2) * 3;
    if (!stack_ok(g, (int)(sz * (level + 1) + frame), 0)) return false;
    ZydisEncoderOperand m = {.type = ZYDIS_OPERAND_TYPE_MEMORY};
    m.mem.base = ZYDIS_REGISTER_RSP;
    m.mem.displacement = (ZyanI64)rng_below(&g->rng, 64);
    m.mem.size = 8;
    TRY(EMIT(g, LEA, op_reg(ZYDIS_REGISTER_RBP), m));
    g->opt.osz = o16 ? ZYDIS_OPERAND_SIZE_HINT_16 : ZYDIS_OPERAND_SIZE_HINT_64;
    TRY(EMIT(g, ENTER, op_imm(frame), op_imm(level)));
    g->opt.osz = o16 ? ZYDIS_OPERAND_SIZE_HINT_16 : ZYDIS_OPERAND_SIZE_HINT_64;
    TRY(EMIT0(g, LEAVE));
    return true;
}

/* MOVS STOS LODS CMPS SCAS, B/W/D/Q, with REP/REPE/REPNE and 64- or 32-bit
 * addresses; RSI/RDI point mid-buffer, RCX is small, DF set or inherited. */
static bool p_string(struct gen *g)
{
    static const ZydisMnemonic ops[5][4] = {
        {ZYDIS_MNEMONIC_MOVSB, ZYDIS_MNEMONIC_MOVSW, ZYDIS_MNEMONIC_MOVSD, ZYDIS_MNEMONIC_MOVSQ},
        {ZYDIS_MNEMONIC_STOSB, ZYDIS_MNEMONIC_STOSW, ZYDIS_MNEMONIC_STOSD, ZYDIS_MNEMONIC_STOSQ},
        {ZYDIS_MNEMONIC_LODSB, ZYDIS_MNEMONIC_LODSW, ZYDIS_MNEMONIC_LODSD, ZYDIS_MNEMONIC_LODSQ},
        {ZYDIS_MNEMONIC_CMPSB, ZYDIS_MNEMONIC_CMPSW, ZYDIS_MNEMONIC_CMPSD, ZYDIS_MNEMONIC_CMPSQ},
        {ZYDIS_MNEMONIC_SCASB, ZYDIS_MNEMONIC_SCASW, ZYDIS_MNEMONIC_SCASD, ZYDIS_MNEMONIC_SCASQ}};
    unsigned op = (unsigned)rng_below(&g->rng, 5), k = (unsigned)rng_below(&g->rng, 4);
    bool compares = op >= 3, a32 = rng_below(&g->rng, 4) == 0;
    unsigned rep = (unsigned)rng_below(&g->rng, compares ? 3 : 2); /* none, REP(E), REPNE */
    uint64_t count = rng_below(&g->rng, 4) ? rng_below(&g->rng, 6) : rng_below(&g->rng, 24);
    uint64_t hi = a32 ? rng_next(&g->rng) << 32 : 0;
    for (unsigned id = 0; id < 8; id++)
        reserve(g, id);
    g->mopt.margin = 256;
    TRY(EMIT(g, MOV, op_reg(ZYDIS_REGISTER_RSI), op_imm(hi | (data_addr_for(g, 1)))));
    TRY(EMIT(g, MOV, op_reg(ZYDIS_REGISTER_RDI), op_imm(hi | (data_addr_for(g, 1)))));
    if (rep) TRY(EMIT(g, MOV, op_reg(ZYDIS_REGISTER_RCX), op_imm(hi | count)));
    if (rng_below(&g->rng, 3) == 0)
        TRY(emit(g, rng_below(&g->rng, 2) ? ZYDIS_MNEMONIC_CLD : ZYDIS_MNEMONIC_STD, 0, NULL));
    g->opt.prefixes = rep == 0   ? 0
                      : rep == 2 ? ZYDIS_ATTRIB_HAS_REPNE
                      : compares ? ZYDIS_ATTRIB_HAS_REPE
                                 : ZYDIS_ATTRIB_HAS_REP;
    if (a32) g->opt.asz = ZYDIS_ADDRESS_SIZE_HINT_32;
    TRY(emit(g, ops[op][k], 0, NULL));
    if (compares && (!rep || count)) flags_effect(g, FL_ARITH, 0);
    return true;
}

/* XLAT with RBX at a table mid-buffer (EBX with 32-bit addresses). */
static bool p_xlat(struct gen *g)
{
    bool a32 = rng_below(&g->rng, 4) == 0;
    reserve(g, 0);
    reserve(g, 3);
    g->mopt.margin = 256;
    uint64_t base = data_addr_for(g, 1) | (a32 ? rng_next(&g->rng) << 32 : 0);
    TRY(EMIT(g, MOV, op_reg(ZYDIS_REGISTER_RBX), op_imm(base)));
    if (a32) g->opt.asz = ZYDIS_ADDRESS_SIZE_HINT_32;
    TRY(EMIT0(g, XLAT));
    return true;
}

static bool p_prefetch(struct gen *g)
{
    static const ZydisMnemonic ops[] = {ZYDIS_MNEMONIC_PREFETCHNTA, ZYDIS_MNEMONIC_PREFETCHT0,
                                        ZYDIS_MNEMONIC_PREFETCHT1, ZYDIS_MNEMONIC_PREFETCHT2};
    ZydisEncoderOperand m = pick_mem(g, 1);
    TRY(emit(g, ops[rng_below(&g->rng, ARRAY_LEN(ops))], 1, &m));
    return true;
}

const struct pattern patterns_flow[] = {
    {p_jcc, 14, "jcc"},
    {p_jmp_call, 4, "jmp/call"},
    {p_ret, 2, "ret"},
    {p_loop, 4, "loop/jrcxz"},
    {p_push_pop, 10, "push/pop"},
    {p_pushf_popf, 4, "pushf/popf"},
    {p_enter_leave, 2, "enter/leave"},
    {p_string, 10, "string"},
    {p_xlat, 2, "xlat"},
    {p_prefetch, 1, "prefetch"},
};
const unsigned patterns_flow_count = ARRAY_LEN(patterns_flow);

const struct pattern *pattern_pick(struct rng *r)
{
    static const struct {
        const struct pattern *p;
        const unsigned *n;
    } tables[] = {{patterns_alu, &patterns_alu_count},
                  {patterns_data, &patterns_data_count},
                  {patterns_flow, &patterns_flow_count}};
    unsigned total = 0;
    for (unsigned t = 0; t < ARRAY_LEN(tables); t++)
        for (unsigned i = 0; i < *tables[t].n; i++)
            total += tables[t].p[i].weight;
    uint64_t w = rng_below(r, total);
    for (unsigned t = 0; t < ARRAY_LEN(tables); t++)
        for (unsigned i = 0; i < *tables[t].n; i++) {
            if (w < tables[t].p[i].weight) return &tables[t].p[i];
            w -= tables[t].p[i].weight;
        }
    return &patterns_alu[0];
}
