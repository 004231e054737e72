/* MUL, IMUL (one-, two- and three-operand forms), DIV, IDIV.
 *
 * One-operand forms use the accumulator pair: AX = AL * src (8-bit), else
 * rDX:rAX. MUL/IMUL set CF = OF when the high half is significant; SF, ZF,
 * AF and PF are undefined (emu: SF/ZF/PF from the low half, AF = 0, see
 * LF_MUL). DIV/IDIV raise #DE for a zero divisor or a quotient that does not
 * fit, before anything is written; their flags are undefined and emu leaves
 * them unchanged. */
#include "ops.h"

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

static void mul_flags(struct cpu *cpu, unsigned size, uint64_t lo, bool overflow)
{
    lf_set(cpu, LF_MUL, size, lo, 0, 0);
    cpu->lf.aux = overflow;
}

/* Writes a double-width result: AH:AL for bytes, rDX:rAX otherwise. */
static void acc_write(struct cpu *cpu, unsigned size, uint64_t lo, uint64_t hi)
{
    if (size == 1) {
        reg_write(cpu, RAX, 2, (hi << 8) | lo);
        return;
    }
    reg_write(cpu, RAX, size, lo);
    reg_write(cpu, RDX, size, hi);
}

/* ---- one-operand MUL / IMUL ---------------------------------------------------- */

static void mul1(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osz, bits = size * 8;
    uint64_t m = size_mask(size);
    uint64_t src = op0_read(cpu, in);
    uint64_t a = reg_read(cpu, RAX, size);
    u128 p = (u128)a * src;
    uint64_t lo = (uint64_t)p & m, hi = (uint64_t)(p >> bits) & m;
    acc_write(cpu, size, lo, hi);
    mul_flags(cpu, size, lo, hi != 0);
}

static void imul1(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osz, bits = size * 8;
    uint64_t m = size_mask(size);
    int64_t src = sext(op0_read(cpu, in), size);
    int64_t a = sext(reg_read(cpu, RAX, size), size);
    i128 p = (i128)a * src;
    uint64_t lo = (uint64_t)p & m, hi = (uint64_t)(p >> bits) & m;
    acc_write(cpu, size, lo, hi);
    mul_flags(cpu, size, lo, p != (i128)sext(lo, size));
}

/* ---- two- and three-operand IMUL: r1 = a * b, truncated ---------------------------- */

static void imul_to_reg(struct cpu *cpu, const struct insn *in, uint64_t a, uint64_t b)
{
    unsigned size = in->osz;
    int64_t r;
    bool of = __builtin_mul_overflow(sext(a, size), sext(b, size), &r);
    if (size < 8) of = r != sext((uint64_t)r, size);
    uint64_t lo = (uint64_t)r & size_mask(size);
    reg_write(cpu, in->r1, size, lo);
    mul_flags(cpu, size, lo, of);
}

static void imul2(struct cpu *cpu, const struct insn *in)
{
    uint64_t b = op1_read(cpu, in, in->osz);
    imul_to_reg(cpu, in, reg_read(cpu, in->r1, in->osz), b);
}

static void imul3(struct cpu *cpu, const struct insn *in)
{
    imul_to_reg(cpu, in, op1_read(cpu, in, in->osz), in->imm);
}

/* The hot form: IMUL r64, r64. */
static void imul64_rr(struct cpu *cpu, const struct insn *in)
{
    int64_t r;
    bool of = __builtin_mul_overflow((int64_t)cpu->gpr[in->r1], (int64_t)cpu->gpr[in->r2], &r);
    cpu->gpr[in->r1] = (uint64_t)r;
    mul_flags(cpu, 8, (uint64_t)r, of);
}

/* ---- DIV / IDIV --------------------------------------------------------------------- */

/* The dividend: AX for bytes, rDX:rAX otherwise. */
static u128 dividend(const struct cpu *cpu, unsigned size)
{
    if (size == 1) return reg_read(cpu, RAX, 2);
    return ((u128)reg_read(cpu, RDX, size) << (size * 8)) | reg_read(cpu, RAX, size);
}

static void div_u(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osz;
    uint64_t d = op0_read(cpu, in);
    if (d == 0) cpu_fault(cpu, EXC_DE, EXC_NO_ERROR);
    u128 n = dividend(cpu, size);
    u128 q = n / d;
    if (q > size_mask(size)) cpu_fault(cpu, EXC_DE, EXC_NO_ERROR);
    acc_write(cpu, size, (uint64_t)q, (uint64_t)(n % d));
}

/* Sign-extends the 2*size-byte dividend to 128 bits. */
static i128 sdividend(const struct cpu *cpu, unsigned size)
{
    unsigned shift = 128 - size * 16;
    return (i128)(dividend(cpu, size) << shift) >> shift;
}

static void div_s(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osz;
    int64_t d = sext(op0_read(cpu, in), size);
    if (d == 0) cpu_fault(cpu, EXC_DE, EXC_NO_ERROR);
    i128 n = sdividend(cpu, size);
    i128 max = (i128)(sign_bit(size) - 1);
    if (d == -1 && (u128)n == (u128)1 << 127) /* -2^127 / -1 would overflow the host too */
        cpu_fault(cpu, EXC_DE, EXC_NO_ERROR);
    i128 q = n / d;
    if (q > max || q < -max - 1) cpu_fault(cpu, EXC_DE, EXC_NO_ERROR);
    uint64_t m = size_mask(size);
    acc_write(cpu, size, (uint64_t)q & m, (uint64_t)(n % d) & m);
}

bool xl_muldiv(const struct xlate *x, struct insn *in)
{
    unsigned visible = x->zi->operand_count_visible;
    ZydisOperandType t1 = ZYDIS_OPERAND_TYPE_UNUSED;
    xl_operand(x, 0, in);
    if (visible > 1) t1 = xl_operand(x, 1, in);
    if (visible > 2) xl_operand(x, 2, in);
    switch (in->op) {
    case MD_MUL: in->fn = mul1; break;
    case MD_DIV: in->fn = div_u; break;
    case MD_IDIV: in->fn = div_s; break;
    default:
        if (visible == 1)
            in->fn = imul1;
        else if (visible == 3)
            in->fn = imul3;
        else if (in->osz == 8 && t1 == ZYDIS_OPERAND_TYPE_REGISTER)
            in->fn = imul64_rr;
        else
            in->fn = imul2;
        break;
    }
    return true;
}
