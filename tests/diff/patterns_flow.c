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

/* The stack slot size: 8 in 64-bit mode, 4 in compatibility mode. */
static unsigned word(const struct gen *g)
{
    return g->compat ? 4 : 8;
}

static ZydisOperandSizeHint osz_hint(unsigned size)
{
    return size == 8   ? ZYDIS_OPERAND_SIZE_HINT_64
           : size == 4 ? ZYDIS_OPERAND_SIZE_HINT_32
                       : ZYDIS_OPERAND_SIZE_HINT_16;
}

/* The label's address in a register: LEA r, [rip + label] (64-bit) or
 * MOV r, label (compatibility mode). */
static ZydisRegister label_address(struct gen *g, int label, int *item)
{
    ZydisRegister r = pick_reg(g, word(g), true);
    g->opt.target = label;
    if (g->compat) {
        *item = EMIT(g, MOV, op_reg(r), op_imm(DIFF_SEQ));
        return r;
    }
    ZydisEncoderOperand m = mem_at(g, 0, 8);
    m.mem.base = ZYDIS_REGISTER_RIP;
    *item = EMIT(g, LEA, op_reg(r), m);
    return r;
}

/* JMP or CALL, direct or through a register or memory. */
static bool p_jmp_call(struct gen *g)
{
    bool call = rng_below(&g->rng, 2);
    ZydisMnemonic m = call ? ZYDIS_MNEMONIC_CALL : ZYDIS_MNEMONIC_JMP;
    int label = pick_label(g, 4), w = (int)word(g);
    if (call && !stack_ok(g, w, 0)) return false;
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
            t = pick_mem(g, word(g));
            TRY(EMIT(g, MOV, t, op_reg(r)));
        }
        TRY(emit(g, m, 1, &t));
    }
    if (call) stack_effect(g, w);
    return flow_to(g, label, false);
}

/* RET [imm16] to a pushed label address. */
static bool p_ret(struct gen *g)
{
    int w = (int)word(g);
    unsigned n = rng_below(&g->rng, 3) ? 0 : (unsigned)rng_below(&g->rng, 48);
    if (!stack_ok(g, w, (int)n)) return false;
    int label = pick_label(g, 4), lea;
    ZydisRegister r = label_address(g, label, &lea);
    TRY(lea);
    TRY(EMIT(g, PUSH, op_reg(r)));
    stack_effect(g, w);
    if (n || rng_below(&g->rng, 2))
        TRY(EMIT(g, RET, op_imm(n)));
    else
        TRY(EMIT0(g, RET));
    stack_effect(g, -w - (int)n);
    return flow_to(g, label, false);
}

/* LOOP LOOPE LOOPNE and JRCXZ JECXZ (64-bit) or JECXZ JCXZ (compatibility
 * mode): rel8; the count register follows the address size (67 selects
 * ECX in 64-bit mode, CX in compatibility mode). */
static bool p_loop(struct gen *g)
{
    static const ZydisMnemonic ops[2][5] = {
        {ZYDIS_MNEMONIC_LOOP, ZYDIS_MNEMONIC_LOOPE, ZYDIS_MNEMONIC_LOOPNE, ZYDIS_MNEMONIC_JRCXZ,
         ZYDIS_MNEMONIC_JECXZ},
        {ZYDIS_MNEMONIC_LOOP, ZYDIS_MNEMONIC_LOOPE, ZYDIS_MNEMONIC_LOOPNE, ZYDIS_MNEMONIC_JECXZ,
         ZYDIS_MNEMONIC_JCXZ}};
    unsigned k = (unsigned)rng_below(&g->rng, 5);
    ZydisMnemonic m = ops[g->compat][k];
    bool narrow = k == 4 || (k < 3 && rng_below(&g->rng, 4) == 0); /* 67 prefix */
    reserve(g, 1);
    if (rng_below(&g->rng, 2)) {
        uint64_t garbage = rng_next(&g->rng) << (g->compat ? 16 : 32);
        uint64_t v = rng_below(&g->rng, 3) | (narrow ? garbage : 0);
        TRY(EMIT(g, MOV, op_reg(reg_word(g, 1)), op_imm_sized(v, word(g))));
    }
    if (m == ZYDIS_MNEMONIC_LOOPE || m == ZYDIS_MNEMONIC_LOOPNE) need_flags(g, FL_ZF);
    int label = pick_label(g, 2);
    if (narrow && k < 3)
        g->opt.asz = g->compat ? ZYDIS_ADDRESS_SIZE_HINT_16 : ZYDIS_ADDRESS_SIZE_HINT_32;
    int item = emit_rel(g, m, label, true);
    return branch_to(g, item, label, true);
}

/* PUSH and POP of registers, memory and immediates, word-sized or 16-bit. */
static bool p_push_pop(struct gen *g)
{
    unsigned size = rng_below(&g->rng, 4) ? word(g) : 2;
    bool push = rng_below(&g->rng, 2);
    if (!stack_ok(g, push ? (int)size : 0, push ? 0 : (int)size)) return false;
    ZydisEncoderOperand o;
    switch (rng_below(&g->rng, push ? 3 : 2)) {
    case 0: o = op_reg(pick_reg(g, size, !push)); break;
    case 1: o = pick_mem(g, size); break;
    default:
        o = op_imm(rng_value(&g->rng, size == 2 ? 2 : 4));
        g->opt.osz = osz_hint(size);
        break;
    }
    TRY(emit(g, push ? ZYDIS_MNEMONIC_PUSH : ZYDIS_MNEMONIC_POP, 1, &o));
    stack_effect(g, push ? (int)size : -(int)size);
    return true;
}

/* PUSHF/PUSHFD/PUSHFQ (all flags must be defined), POPF/POPFD/POPFQ of a
 * pushed value with random arithmetic flags, DF and IF (IF is ignored at
 * CPL 3). */
static bool p_pushf_popf(struct gen *g)
{
    bool wide = rng_below(&g->rng, 4) != 0;
    unsigned size = wide ? word(g) : 2;
    ZydisMnemonic pushf = !wide       ? ZYDIS_MNEMONIC_PUSHF
                          : g->compat ? ZYDIS_MNEMONIC_PUSHFD
                                      : ZYDIS_MNEMONIC_PUSHFQ;
    ZydisMnemonic popf = !wide       ? ZYDIS_MNEMONIC_POPF
                         : g->compat ? ZYDIS_MNEMONIC_POPFD
                                     : ZYDIS_MNEMONIC_POPFQ;
    if (!stack_ok(g, (int)size, 0)) return false;
    if (rng_below(&g->rng, 2)) {
        need_flags(g, FL_ARITH);
        TRY(emit(g, pushf, 0, NULL));
        stack_effect(g, (int)size);
        return true;
    }
    uint64_t v = (rng_next(&g->rng) & (FL_ARITH | FL_DF | FL_IF)) | FL_FIXED;
    g->opt.osz = osz_hint(size);
    TRY(EMIT(g, PUSH, op_imm(v)));
    TRY(emit(g, popf, 0, NULL));
    flags_effect(g, FL_ARITH, 0);
    return true;
}

/* LEA rBP near rSP, ENTER imm16, level, LEAVE (word-sized or 16-bit). */
static bool p_enter_leave(struct gen *g)
{
    bool o16 = rng_below(&g->rng, 4) == 0;
    unsigned sz = o16 ? 2 : word(g), level = (unsigned)rng_below(&g->rng, 5);
    unsigned frame = (unsigned)rng_below(&g->rng, 3) * 8 + (unsigned)rng_below(&g->rng, 2) * 3;
    if (!stack_ok(g, (int)(sz * (level + 1) + frame), 0)) return false;
    ZydisEncoderOperand m = {.type = ZYDIS_OPERAND_TYPE_MEMORY};
    m.mem.base = reg_word(g, REG_RSP_ID);
    m.mem.displacement = (ZyanI64)rng_below(&g->rng, 64);
    m.mem.size = (ZyanU16)word(g);
    TRY(EMIT(g, LEA, op_reg(reg_word(g, 5)), m));
    g->opt.osz = osz_hint(sz);
    TRY(EMIT(g, ENTER, op_imm(frame), op_imm(level)));
    g->opt.osz = osz_hint(sz);
    TRY(EMIT0(g, LEAVE));
    return true;
}

/* MOVS STOS LODS CMPS SCAS, B/W/D(/Q), with REP/REPE/REPNE; in 64-bit mode
 * also with 32-bit addresses (garbage in the upper register halves). RSI and
 * RDI point mid-buffer, RCX is small, DF set or inherited. */
static bool p_string(struct gen *g)
{
    static const ZydisMnemonic ops[5][4] = {
        {ZYDIS_MNEMONIC_MOVSB, ZYDIS_MNEMONIC_MOVSW, ZYDIS_MNEMONIC_MOVSD, ZYDIS_MNEMONIC_MOVSQ},
        {ZYDIS_MNEMONIC_STOSB, ZYDIS_MNEMONIC_STOSW, ZYDIS_MNEMONIC_STOSD, ZYDIS_MNEMONIC_STOSQ},
        {ZYDIS_MNEMONIC_LODSB, ZYDIS_MNEMONIC_LODSW, ZYDIS_MNEMONIC_LODSD, ZYDIS_MNEMONIC_LODSQ},
        {ZYDIS_MNEMONIC_CMPSB, ZYDIS_MNEMONIC_CMPSW, ZYDIS_MNEMONIC_CMPSD, ZYDIS_MNEMONIC_CMPSQ},
        {ZYDIS_MNEMONIC_SCASB, ZYDIS_MNEMONIC_SCASW, ZYDIS_MNEMONIC_SCASD, ZYDIS_MNEMONIC_SCASQ}};
    unsigned op = (unsigned)rng_below(&g->rng, 5);
    unsigned k = (unsigned)rng_below(&g->rng, g->compat ? 3 : 4);
    bool compares = op >= 3, a32 = !g->compat && rng_below(&g->rng, 4) == 0;
    unsigned rep = (unsigned)rng_below(&g->rng, compares ? 3 : 2); /* none, REP(E), REPNE */
    uint64_t count = rng_below(&g->rng, 4) ? rng_below(&g->rng, 6) : rng_below(&g->rng, 24);
    uint64_t hi = a32 ? rng_next(&g->rng) << 32 : 0;
    for (unsigned id = 0; id < 8; id++)
        reserve(g, id);
    g->mopt.margin = 256;
    TRY(EMIT(g, MOV, op_reg(reg_word(g, 6)), op_imm(hi | data_addr_for(g, 1))));
    TRY(EMIT(g, MOV, op_reg(reg_word(g, 7)), op_imm(hi | data_addr_for(g, 1))));
    if (rep) TRY(EMIT(g, MOV, op_reg(reg_word(g, 1)), op_imm(hi | count)));
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

/* XLAT with rBX at a table mid-buffer (EBX with 32-bit addresses). */
static bool p_xlat(struct gen *g)
{
    bool a32 = !g->compat && rng_below(&g->rng, 4) == 0;
    reserve(g, 0);
    reserve(g, 3);
    g->mopt.margin = 256;
    uint64_t base = data_addr_for(g, 1) | (a32 ? rng_next(&g->rng) << 32 : 0);
    TRY(EMIT(g, MOV, op_reg(reg_word(g, 3)), op_imm(base)));
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
    {p_jcc, 14, "jcc", PM_ALL},
    {p_jmp_call, 4, "jmp/call", PM_ALL},
    {p_ret, 2, "ret", PM_ALL},
    {p_loop, 4, "loop/jrcxz", PM_ALL},
    {p_push_pop, 10, "push/pop", PM_ALL},
    {p_pushf_popf, 4, "pushf/popf", PM_ALL},
    {p_enter_leave, 2, "enter/leave", PM_ALL},
    {p_string, 10, "string", PM_ALL},
    {p_xlat, 2, "xlat", PM_ALL},
    {p_prefetch, 1, "prefetch", PM_ALL},
};
const unsigned patterns_flow_count = ARRAY_LEN(patterns_flow);

static unsigned weight_in(const struct pattern *p, bool compat)
{
    return (p->modes & (compat ? PM_32 : PM_64)) ? p->weight : 0;
}

const struct pattern *pattern_pick(struct rng *r, bool compat)
{
    static const struct {
        const struct pattern *p;
        const unsigned *n;
    } tables[] = {{patterns_alu, &patterns_alu_count},
                  {patterns_data, &patterns_data_count},
                  {patterns_flow, &patterns_flow_count},
                  {patterns_legacy, &patterns_legacy_count}};
    unsigned total = 0;
    for (unsigned t = 0; t < ARRAY_LEN(tables); t++)
        for (unsigned i = 0; i < *tables[t].n; i++)
            total += weight_in(&tables[t].p[i], compat);
    uint64_t w = rng_below(r, total);
    for (unsigned t = 0; t < ARRAY_LEN(tables); t++)
        for (unsigned i = 0; i < *tables[t].n; i++) {
            unsigned wi = weight_in(&tables[t].p[i], compat);
            if (w < wi) return &tables[t].p[i];
            w -= wi;
        }
    return &patterns_alu[0];
}
