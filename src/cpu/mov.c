/* Data movement: MOV, MOVZX/MOVSX/MOVSXD, LEA, XCHG, CMOVcc, SETcc, BSWAP,
 * the sign-extension conversions, NOPs and the flag instructions. */
#include "ops.h"

/* ---- MOV ------------------------------------------------------------------------- */

static void mov_rr(struct cpu *cpu, const struct insn *in)
{
    reg_write(cpu, in->r1, in->osz, reg_read(cpu, in->r2, in->osz));
}

static void mov64_rr(struct cpu *cpu, const struct insn *in)
{
    cpu->gpr[in->r1] = cpu->gpr[in->r2];
}

static void mov_ri(struct cpu *cpu, const struct insn *in)
{
    reg_write(cpu, in->r1, in->osz, in->imm);
}

static void mov_rm(struct cpu *cpu, const struct insn *in)
{
    reg_write(cpu, in->r1, in->osz, insn_mem_read(cpu, in, in->osz));
}

static void mov_mr(struct cpu *cpu, const struct insn *in)
{
    insn_mem_write(cpu, in, in->osz, reg_read(cpu, in->r2, in->osz));
}

static void mov_mi(struct cpu *cpu, const struct insn *in)
{
    insn_mem_write(cpu, in, in->osz, in->imm);
}

static ZydisRegisterClass reg_class(const ZydisDecodedOperand *op)
{
    if (op->type != ZYDIS_OPERAND_TYPE_REGISTER)
        return ZYDIS_REGCLASS_INVALID;
    return ZydisRegisterGetClass(op->reg.value);
}

bool xl_mov(const struct xlate *x, struct insn *in)
{
    ZydisRegisterClass c0 = reg_class(&x->ops[0]), c1 = reg_class(&x->ops[1]);
    if (c0 == ZYDIS_REGCLASS_SEGMENT || c1 == ZYDIS_REGCLASS_SEGMENT)
        return xl_mov_sreg(x, in);
    if (c0 == ZYDIS_REGCLASS_CONTROL || c1 == ZYDIS_REGCLASS_CONTROL)
        return xl_mov_cr(x, in);
    if (c0 == ZYDIS_REGCLASS_DEBUG || c1 == ZYDIS_REGCLASS_DEBUG)
        return xl_mov_dr(x, in);
    ZydisOperandType t0 = xl_operand(x, 0, in);
    ZydisOperandType t1 = xl_operand(x, 1, in);
    bool m0 = t0 == ZYDIS_OPERAND_TYPE_MEMORY;
    if (t1 == ZYDIS_OPERAND_TYPE_IMMEDIATE)
        in->fn = m0 ? mov_mi : mov_ri;
    else if (t1 == ZYDIS_OPERAND_TYPE_MEMORY)
        in->fn = mov_rm;
    else if (m0)
        in->fn = mov_mr;
    else
        in->fn = in->osz == 8 ? mov64_rr : mov_rr;
    return true;
}

/* ---- MOVZX MOVSX MOVSXD ------------------------------------------------------------ */

static void movzx(struct cpu *cpu, const struct insn *in)
{
    reg_write(cpu, in->r1, in->osz, op1_read(cpu, in, in->osz2));
}

static void movsx(struct cpu *cpu, const struct insn *in)
{
    uint64_t v = (uint64_t)sext(op1_read(cpu, in, in->osz2), in->osz2);
    reg_write(cpu, in->r1, in->osz, v);
}

bool xl_movx(const struct xlate *x, struct insn *in)
{
    xl_operand(x, 0, in);
    xl_operand(x, 1, in);
    in->osz2 = (uint8_t)(x->ops[1].size / 8);
    in->fn = x->zi->mnemonic == ZYDIS_MNEMONIC_MOVZX ? movzx : movsx;
    return true;
}

/* ---- LEA ---------------------------------------------------------------------- */

static void lea(struct cpu *cpu, const struct insn *in)
{
    reg_write(cpu, in->r1, in->osz, insn_ea(cpu, in));
}

/* 64-bit address and operand size: no masking at all. */
static void lea64(struct cpu *cpu, const struct insn *in)
{
    cpu->gpr[in->r1] = (uint64_t)in->disp + cpu->gpr[in->base] + (cpu->gpr[in->index] << in->scale);
}

/* 32-bit operand size (any address size): the address truncated to 32 bits. */
static void lea32(struct cpu *cpu, const struct insn *in)
{
    uint64_t ea = (uint64_t)in->disp + cpu->gpr[in->base] + (cpu->gpr[in->index] << in->scale);
    cpu->gpr[in->r1] = (uint32_t)ea;
}

bool xl_lea(const struct xlate *x, struct insn *in)
{
    xl_operand(x, 0, in);
    if (xl_operand(x, 1, in) != ZYDIS_OPERAND_TYPE_MEMORY)
        return false;
    in->flags &= (uint8_t)~INSN_M1;
    in->fn = lea;
    if (in->osz == 8 && in->asz == 8)
        in->fn = lea64;
    else if (in->osz == 4 && in->asz >= 4)
        in->fn = lea32;
    return true;
}

/* ---- XCHG ----------------------------------------------------------------------- */

static void xchg_rr(struct cpu *cpu, const struct insn *in)
{
    uint64_t a = reg_read(cpu, in->r1, in->osz), b = reg_read(cpu, in->r2, in->osz);
    reg_write(cpu, in->r1, in->osz, b);
    reg_write(cpu, in->r2, in->osz, a);
}

/* Memory operand first: if the write faults no register has changed. */
static void xchg_mr(struct cpu *cpu, const struct insn *in)
{
    unsigned reg = (in->flags & INSN_M0) ? in->r2 : in->r1;
    uint64_t m = insn_mem_read(cpu, in, in->osz);
    insn_mem_write(cpu, in, in->osz, reg_read(cpu, reg, in->osz));
    reg_write(cpu, reg, in->osz, m);
}

bool xl_xchg(const struct xlate *x, struct insn *in)
{
    ZydisOperandType t0 = xl_operand(x, 0, in), t1 = xl_operand(x, 1, in);
    bool mem = t0 == ZYDIS_OPERAND_TYPE_MEMORY || t1 == ZYDIS_OPERAND_TYPE_MEMORY;
    in->fn = mem ? xchg_mr : xchg_rr;
    return true;
}

/* ---- XLAT ------------------------------------------------------------------------- */

/* AL = [seg:rBX + AL], the sum wrapped to the address size. */
static void xlat(struct cpu *cpu, const struct insn *in)
{
    uint64_t ea = (cpu->gpr[RBX] + (cpu->gpr[RAX] & 0xff)) & size_mask(in->asz);
    reg_write(cpu, RAX, 1, mem_read(cpu, in->seg, ea, 1));
}

bool xl_xlat(const struct xlate *x, struct insn *in)
{
    if (x->ops[0].type != ZYDIS_OPERAND_TYPE_MEMORY)
        return false;
    xl_mem(x, &x->ops[0], in);
    in->fn = xlat;
    return true;
}

/* ---- CMOVcc SETcc --------------------------------------------------------------- */

/* The source is read whatever the condition; a 32-bit destination is
 * zero-extended even when the move does not happen. */
static void cmov(struct cpu *cpu, const struct insn *in)
{
    uint64_t v = op1_read(cpu, in, in->osz);
    if (flags_cond(cpu, in->op))
        reg_write(cpu, in->r1, in->osz, v);
    else if (in->osz == 4)
        reg_write(cpu, in->r1, 4, reg_read(cpu, in->r1, 4));
}

/* Hot forms: register to register, 64- and 32-bit. */
static void cmov_rr64(struct cpu *cpu, const struct insn *in)
{
    if (flags_cond(cpu, in->op))
        cpu->gpr[in->r1] = cpu->gpr[in->r2];
}

static void cmov_rr32(struct cpu *cpu, const struct insn *in)
{
    unsigned from = flags_cond(cpu, in->op) ? in->r2 : in->r1;
    cpu->gpr[in->r1] = (uint32_t)cpu->gpr[from];
}

bool xl_cmov(const struct xlate *x, struct insn *in)
{
    xl_operand(x, 0, in);
    xl_operand(x, 1, in);
    in->fn = cmov;
    if (!(in->flags & INSN_M1) && in->osz == 8)
        in->fn = cmov_rr64;
    else if (!(in->flags & INSN_M1) && in->osz == 4)
        in->fn = cmov_rr32;
    return true;
}

static void setcc(struct cpu *cpu, const struct insn *in)
{
    uint64_t v = flags_cond(cpu, in->op);
    if (in->flags & INSN_M0)
        insn_mem_write(cpu, in, 1, v);
    else
        reg_write(cpu, in->r1, 1, v);
}

bool xl_setcc(const struct xlate *x, struct insn *in)
{
    xl_operand(x, 0, in);
    in->fn = setcc;
    return true;
}

/* ---- BSWAP ----------------------------------------------------------------------- */

static void bswap(struct cpu *cpu, const struct insn *in)
{
    uint64_t v = cpu->gpr[in->r1];
    if (in->osz == 8)
        cpu->gpr[in->r1] = __builtin_bswap64(v);
    else if (in->osz == 4)
        cpu->gpr[in->r1] = __builtin_bswap32((uint32_t)v);
    else
        reg_write(cpu, in->r1, 2, 0); /* BSWAP r16 is undefined; hardware clears it */
}

bool xl_bswap(const struct xlate *x, struct insn *in)
{
    xl_operand(x, 0, in);
    in->fn = bswap;
    return true;
}

/* ---- CBW/CWDE/CDQE, CWD/CDQ/CQO ---------------------------------------------------- */

static void widen_a(struct cpu *cpu, const struct insn *in)
{
    unsigned half = in->osz / 2;
    reg_write(cpu, RAX, in->osz, (uint64_t)sext(reg_read(cpu, RAX, half), half));
}

static void widen_ad(struct cpu *cpu, const struct insn *in)
{
    uint64_t a = reg_read(cpu, RAX, in->osz);
    reg_write(cpu, RDX, in->osz, (a & sign_bit(in->osz)) ? ~0ULL : 0);
}

bool xl_convert(const struct xlate *x, struct insn *in)
{
    switch (x->zi->mnemonic) {
    case ZYDIS_MNEMONIC_CBW:
    case ZYDIS_MNEMONIC_CWDE:
    case ZYDIS_MNEMONIC_CDQE: in->fn = widen_a; break;
    default: in->fn = widen_ad; break;
    }
    return true;
}

/* ---- NOP family ----------------------------------------------------------------- */

static void nop(struct cpu *cpu, const struct insn *in)
{
    (void)cpu;
    (void)in;
}

bool xl_nop(const struct xlate *x, struct insn *in)
{
    (void)x;
    in->fn = nop;
    return true;
}

/* ---- CLC STC CMC CLD STD LAHF SAHF ------------------------------------------------ */

enum flag_op { FL_CLC, FL_STC, FL_CMC, FL_CLD, FL_STD, FL_LAHF, FL_SAHF };

#define SAHF_MASK (RFLAGS_SF | RFLAGS_ZF | RFLAGS_AF | RFLAGS_PF | RFLAGS_CF)

static void flagop(struct cpu *cpu, const struct insn *in)
{
    uint64_t f = flags_materialize(cpu);
    switch (in->op) {
    case FL_CLC: f &= ~RFLAGS_CF; break;
    case FL_STC: f |= RFLAGS_CF; break;
    case FL_CMC: f ^= RFLAGS_CF; break;
    case FL_CLD: f &= ~RFLAGS_DF; break;
    case FL_STD: f |= RFLAGS_DF; break;
    case FL_LAHF: reg_write(cpu, REG_AH, 1, (f & SAHF_MASK) | RFLAGS_FIXED1); return;
    default: f = (f & ~SAHF_MASK) | (reg_read(cpu, REG_AH, 1) & SAHF_MASK); break;
    }
    cpu->rflags = f;
}

bool xl_flagop(const struct xlate *x, struct insn *in)
{
    switch (x->zi->mnemonic) {
    case ZYDIS_MNEMONIC_CLC: in->op = FL_CLC; break;
    case ZYDIS_MNEMONIC_STC: in->op = FL_STC; break;
    case ZYDIS_MNEMONIC_CMC: in->op = FL_CMC; break;
    case ZYDIS_MNEMONIC_CLD: in->op = FL_CLD; break;
    case ZYDIS_MNEMONIC_STD: in->op = FL_STD; break;
    case ZYDIS_MNEMONIC_LAHF: in->op = FL_LAHF; break;
    default: in->op = FL_SAHF; break;
    }
    in->fn = flagop;
    return true;
}
