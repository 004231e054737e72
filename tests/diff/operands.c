/* Operands for the generated instructions: registers (never a write to
 * RSP outside the patterns that mean it), immediates in the form Zydis's
 * encoder wants, and memory operands that always land in the scratch data or
 * the stack: absolute, RIP-relative, base + index * scale + disp with setup
 * MOVs (also 32-bit address size with garbage in the upper halves), and
 * [rsp + disp]. */
#include "diff.h"

ZydisEncoderOperand op_reg(ZydisRegister r)
{
    ZydisEncoderOperand o = {.type = ZYDIS_OPERAND_TYPE_REGISTER};
    o.reg.value = r;
    return o;
}

ZydisEncoderOperand op_imm(uint64_t v)
{
    ZydisEncoderOperand o = {.type = ZYDIS_OPERAND_TYPE_IMMEDIATE};
    o.imm.u = v;
    return o;
}

ZydisEncoderOperand op_imm_sized(uint64_t v, unsigned size)
{
    return op_imm(sext_to(v, size));
}

ZydisRegister reg_of(unsigned id, unsigned size)
{
    static const ZydisRegister base[] = {[1] = ZYDIS_REGISTER_AL,
                                         [2] = ZYDIS_REGISTER_AX,
                                         [4] = ZYDIS_REGISTER_EAX,
                                         [8] = ZYDIS_REGISTER_RAX};
    if (size == 1 && id >= 4)
        return (ZydisRegister)(ZYDIS_REGISTER_SPL + (id - 4)); /* SPL.. DIL, R8B.. */
    return (ZydisRegister)(base[size] + id);
}

ZydisRegister reg_word(const struct gen *g, unsigned id)
{
    return reg_of(id, g->compat ? 4 : 8);
}

unsigned pick_size(struct gen *g, unsigned mask)
{
    if (g->compat) mask = (mask & 7) ? (mask & 7) : 4;
    unsigned sizes[4], n = 0;
    for (unsigned s = 1; s <= 8; s <<= 1)
        if (mask & s) sizes[n++] = s;
    return sizes[rng_below(&g->rng, n)];
}

/* A free register id (not reserved by the pattern; not RSP if `no_rsp`). */
static unsigned pick_id(struct gen *g, bool no_rsp)
{
    for (;;) {
        unsigned id = (unsigned)rng_below(&g->rng, g->compat ? 8 : 16);
        if ((no_rsp && id == REG_RSP_ID) || (g->used & (1u << id))) continue;
        g->used |= (uint16_t)(1u << id);
        return id;
    }
}

ZydisRegister pick_reg(struct gen *g, unsigned size, bool write)
{
    unsigned id;
    do
        id = pick_id(g, write);
    while (g->compat && size == 1 && id >= 4); /* no SPL..DIL without REX */
    if (size == 1 && id < 4 && rng_below(&g->rng, 3) == 0)
        return (ZydisRegister)(ZYDIS_REGISTER_AH + id); /* AH CH DH BH */
    return reg_of(id, size);
}

void reserve(struct gen *g, unsigned id)
{
    g->used |= (uint16_t)(1u << id);
}

uint64_t data_addr_for(struct gen *g, unsigned size)
{
    unsigned margin = g->mopt.margin, align = g->mopt.align ? g->mopt.align : 1;
    uint64_t span = DIFF_DATA_SIZE - 2 * margin - size + 1;
    uint64_t a = DIFF_SCRATCH + margin + rng_below(&g->rng, span);
    return a & ~(uint64_t)(align - 1);
}

ZydisEncoderOperand mem_at(struct gen *g, uint64_t addr, unsigned size)
{
    ZydisEncoderOperand o = {.type = ZYDIS_OPERAND_TYPE_MEMORY};
    o.mem.size = (ZyanU16)size;
    o.mem.displacement = (ZyanI64)addr;
    if (!g->compat && rng_below(&g->rng, 2)) o.mem.base = ZYDIS_REGISTER_RIP;
    return o;
}

/* [base + index * scale + disp] with setup MOVs; 32-bit address size for
 * some, with garbage in the upper register halves (ignored by then). */
static ZydisEncoderOperand mem_based(struct gen *g, unsigned size)
{
    uint64_t addr = data_addr_for(g, size);
    bool a32 = g->compat || rng_below(&g->rng, 4) == 0;
    unsigned b = pick_id(g, true), i = pick_id(g, true), scale = 1u << rng_below(&g->rng, 4);
    bool has_index = rng_below(&g->rng, 3) != 0;
    int64_t idx = has_index ? (int64_t)rng_below(&g->rng, 64) - 16 : 0;
    int64_t disp = rng_below(&g->rng, 2) ? (int64_t)rng_below(&g->rng, 256) - 128
                                         : (int64_t)rng_below(&g->rng, 1u << 20) - (1 << 19);
    uint64_t bval = addr - (uint64_t)(idx * (int64_t)scale) - (uint64_t)disp;
    if (a32) bval = (bval & 0xffffffffULL) | (g->compat ? 0 : rng_next(&g->rng) << 32);
    if (g->compat) {
        bval = sext_to(bval, 4);
        idx = (int64_t)sext_to((uint64_t)idx, 4);
    }
    EMIT(g, MOV, op_reg(reg_word(g, b)), op_imm(bval));
    if (has_index) EMIT(g, MOV, op_reg(reg_word(g, i)), op_imm((uint64_t)idx));
    ZydisEncoderOperand o = {.type = ZYDIS_OPERAND_TYPE_MEMORY};
    o.mem.size = (ZyanU16)size;
    o.mem.base = reg_of(b, a32 ? 4 : 8);
    o.mem.index = has_index ? reg_of(i, a32 ? 4 : 8) : ZYDIS_REGISTER_NONE;
    o.mem.scale = has_index ? (ZyanU8)scale : 0;
    o.mem.displacement = disp;
    return o;
}

ZydisEncoderOperand pick_mem(struct gen *g, unsigned size)
{
    unsigned kind = (unsigned)rng_below(&g->rng, 8);
    if (kind == 3 && (g->mopt.no_stack || g->mopt.align > 1 || g->mopt.margin)) kind = 4;
    switch (kind) {
    case 0:
    case 1:
    case 2: return mem_based(g, size);
    case 3: {
        ZydisEncoderOperand o = {.type = ZYDIS_OPERAND_TYPE_MEMORY};
        o.mem.size = (ZyanU16)size;
        o.mem.base = reg_word(g, REG_RSP_ID);
        o.mem.displacement = (ZyanI64)rng_below(&g->rng, 512) - 256;
        return o;
    }
    default: return mem_at(g, data_addr_for(g, size), size);
    }
}

ZydisEncoderOperand pick_rm(struct gen *g, unsigned size, bool write)
{
    if (rng_below(&g->rng, 2)) return pick_mem(g, size);
    return op_reg(pick_reg(g, size, write));
}

ZydisEncoderOperand mem_offset(ZydisEncoderOperand o, int64_t delta)
{
    o.mem.displacement += delta;
    return o;
}

