/* Bit instructions: BT BTS BTR BTC, BSF BSR, LZCNT TZCNT POPCNT.
 *
 * BT*: CF = the selected bit; ZF is unaffected; OF, SF, AF, PF are undefined
 * (emu leaves them unchanged). With a register bit offset and a memory
 * operand the offset is a signed bit-string index (SDM Vol. 1 §3.4.1.1
 * "bit string"): the access is the operand-sized unit at
 * ea + size * floor(offset / bits), so it may lie outside the operand.
 *
 * BSF/BSR: ZF = (source == 0); with a zero source the destination keeps its
 * value (AMD documents it; Intel does the same, but the 32-bit form still
 * zero-extends into the full register, as the Linux ffs() comment reports
 * from Intel). CF, OF, SF, AF, PF are undefined (left unchanged). */
#include "ops.h"

static void put_cf(struct cpu *cpu, bool cf)
{
    flags_put(cpu, RFLAGS_CF, cf ? RFLAGS_CF : 0);
}

static uint64_t bt_apply(unsigned op, uint64_t v, uint64_t bit)
{
    switch (op) {
    case BT_BTS: return v | bit;
    case BT_BTR: return v & ~bit;
    case BT_BTC: return v ^ bit;
    default: return v;
    }
}

static unsigned log2_bits(unsigned size)
{
    return size == 8 ? 6 : size == 4 ? 5 : size == 2 ? 4 : 3;
}

static void bt_reg(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osz;
    uint64_t off = in->r2 == REG_NONE ? in->imm : reg_read(cpu, in->r2, size);
    uint64_t bit = 1ULL << (off & (size * 8 - 1));
    uint64_t v = reg_read(cpu, in->r1, size);
    if (in->op != BT_BT) reg_write(cpu, in->r1, size, bt_apply(in->op, v, bit));
    put_cf(cpu, (v & bit) != 0);
}

static void bt_mem(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osz;
    uint64_t ea = insn_ea(cpu, in);
    uint64_t off = in->imm;
    if (in->r2 != REG_NONE) {
        int64_t s = sext(reg_read(cpu, in->r2, size), size);
        ea = (ea + (uint64_t)((s >> log2_bits(size)) * (int64_t)size)) & size_mask(in->asz);
        off = (uint64_t)s;
    }
    uint64_t bit = 1ULL << (off & (size * 8 - 1));
    uint64_t v = mem_read(cpu, in->seg, ea, size);
    if (in->op != BT_BT) mem_write(cpu, in->seg, ea, size, bt_apply(in->op, v, bit));
    put_cf(cpu, (v & bit) != 0);
}

bool xl_bt(const struct xlate *x, struct insn *in)
{
    ZydisOperandType t0 = xl_operand(x, 0, in);
    in->r2 = REG_NONE;
    if (xl_operand(x, 1, in) == ZYDIS_OPERAND_TYPE_IMMEDIATE) in->imm &= 0xff;
    in->fn = t0 == ZYDIS_OPERAND_TYPE_MEMORY ? bt_mem : bt_reg;
    return true;
}

/* ---- BSF BSR LZCNT TZCNT POPCNT ------------------------------------------------------ */

static void bitscan(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osz;
    uint64_t s = op1_read(cpu, in, size);
    if (s == 0) {
        reg_write(cpu, in->r1, size, reg_read(cpu, in->r1, size));
        flags_put(cpu, RFLAGS_ZF, RFLAGS_ZF);
        return;
    }
    unsigned r =
        in->op == BIT_BSF ? (unsigned)__builtin_ctzll(s) : 63u - (unsigned)__builtin_clzll(s);
    reg_write(cpu, in->r1, size, r);
    flags_put(cpu, RFLAGS_ZF, 0);
}

/* LZCNT/TZCNT: CF = (source == 0), ZF = (result == 0); OF SF AF PF undefined. */
static void count_zeros(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osz, bits = size * 8;
    uint64_t s = op1_read(cpu, in, size);
    unsigned r = bits;
    if (s != 0)
        r = in->op == BIT_TZCNT ? (unsigned)__builtin_ctzll(s)
                                : (unsigned)__builtin_clzll(s) - (64 - bits);
    reg_write(cpu, in->r1, size, r);
    flags_put(cpu, RFLAGS_CF | RFLAGS_ZF, (s == 0 ? RFLAGS_CF : 0) | (r == 0 ? RFLAGS_ZF : 0));
}

/* POPCNT: ZF = (source == 0); OF SF AF CF PF cleared. */
static void popcnt(struct cpu *cpu, const struct insn *in)
{
    uint64_t s = op1_read(cpu, in, in->osz);
    reg_write(cpu, in->r1, in->osz, (uint64_t)__builtin_popcountll(s));
    flags_put(cpu, RFLAGS_ARITH, s == 0 ? RFLAGS_ZF : 0);
}

bool xl_bitcount(const struct xlate *x, struct insn *in)
{
    xl_operand(x, 0, in);
    xl_operand(x, 1, in);
    switch (in->op) {
    case BIT_BSF:
    case BIT_BSR: in->fn = bitscan; break;
    case BIT_POPCNT: in->fn = popcnt; break;
    default: in->fn = count_zeros; break;
    }
    return true;
}
