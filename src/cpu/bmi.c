/* BMI1 (CPUID.07H:EBX.BMI1): ANDN BEXTR BLSI BLSMSK BLSR. VEX-encoded, 32-bit
 * operands (64-bit with VEX.W in 64-bit mode). The r/m operand is either the
 * instruction's memory operand (INSN_M1) or a register whose number is kept
 * in `imm`; r1 is the destination and r2 the VEX.vvvv register where the
 * instruction has one.
 *
 * Flags (SDM): ANDN: SF ZF from the result, CF = OF = 0, AF PF undefined.
 * BEXTR: ZF from the result, CF = OF = 0, AF SF PF undefined. BLSI: ZF SF from
 * the result, CF = (src != 0), OF = 0. BLSMSK: SF from the result, ZF = 0,
 * CF = (src == 0), OF = 0. BLSR: ZF SF from the result, CF = (src == 0),
 * OF = 0. emu computes the undefined PF from the result and clears AF. */
#include "ops.h"

static uint64_t rm_read(struct cpu *cpu, const struct insn *in)
{
    if (in->flags & INSN_M1) return insn_mem_read(cpu, in, in->osz);
    return reg_read(cpu, (unsigned)in->imm, in->osz);
}

static void andn(struct cpu *cpu, const struct insn *in)
{
    uint64_t b = rm_read(cpu, in);
    uint64_t r = ~reg_read(cpu, in->r2, in->osz) & b;
    reg_write(cpu, in->r1, in->osz, r);
    lf_set(cpu, LF_LOGIC, in->osz, r, 0, 0);
}

/* BEXTR: start = ctrl[7:0], length = ctrl[15:8], both may exceed the width. */
static void bextr(struct cpu *cpu, const struct insn *in)
{
    unsigned bits = in->osz * 8;
    uint64_t src = rm_read(cpu, in), ctrl = reg_read(cpu, in->r2, in->osz);
    unsigned start = ctrl & 0xff, len = (ctrl >> 8) & 0xff;
    uint64_t r = start < bits ? src >> start : 0;
    if (len < 64) r &= (1ULL << len) - 1;
    reg_write(cpu, in->r1, in->osz, r);
    lf_set(cpu, LF_LOGIC, in->osz, r, 0, 0);
}

/* BLSI / BLSMSK / BLSR: the result's SF ZF PF, AF = OF = 0, and CF. */
static void bls(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osz;
    uint64_t s = rm_read(cpu, in), r;
    bool cf;
    switch (in->op) {
    case BMI_BLSI: r = (0 - s) & s, cf = s != 0; break;
    case BMI_BLSMSK: r = (s - 1) ^ s, cf = s == 0; break;
    default: r = (s - 1) & s, cf = s == 0; break;
    }
    r &= size_mask(size);
    reg_write(cpu, in->r1, size, r);
    uint64_t f = (cf ? RFLAGS_CF : 0) | (r == 0 ? RFLAGS_ZF : 0) |
                 ((r & sign_bit(size)) ? RFLAGS_SF : 0) | (parity8(r) ? RFLAGS_PF : 0);
    flags_put(cpu, RFLAGS_ARITH, f);
}

/* Takes the r/m operand (Zydis operand i) into the memory fields or imm. */
static void rm_operand(const struct xlate *x, unsigned i, struct insn *in)
{
    const ZydisDecodedOperand *op = &x->ops[i];
    if (op->type == ZYDIS_OPERAND_TYPE_MEMORY) {
        xl_mem(x, op, in);
        in->flags |= INSN_M1;
    } else {
        in->imm = xl_gpr(op->reg.value);
    }
}

static uint8_t vex_reg(const struct xlate *x, unsigned i)
{
    return xl_gpr(x->ops[i].reg.value);
}

bool xl_bmi(const struct xlate *x, struct insn *in)
{
    in->r1 = vex_reg(x, 0);
    switch (in->op) {
    case BMI_ANDN:
        in->r2 = vex_reg(x, 1);
        rm_operand(x, 2, in);
        in->fn = andn;
        break;
    case BMI_BEXTR:
        rm_operand(x, 1, in);
        in->r2 = vex_reg(x, 2);
        in->fn = bextr;
        break;
    default:
        rm_operand(x, 1, in);
        in->fn = bls;
        break;
    }
    return true;
}
