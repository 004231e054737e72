/* Instructions that exist only outside 64-bit mode (where their opcodes
 * raise #UD, as Zydis decodes them): the BCD adjustments AAA AAS DAA DAS
 * AAM AAD, and BOUND. Operation and defined flags per the SDM; the flags it
 * leaves undefined are computed from AL (SF ZF PF) or cleared (OF, and AF CF
 * for AAM/AAD). */
#include "ops.h"

static uint64_t szp_of(uint64_t al)
{
    al &= 0xff;
    return (al == 0 ? RFLAGS_ZF : 0) | ((al & 0x80) ? RFLAGS_SF : 0) |
           (parity8(al) ? RFLAGS_PF : 0);
}

static void put_arith(struct cpu *cpu, uint64_t f)
{
    flags_put(cpu, RFLAGS_ARITH, f);
}

/* AAA / AAS: adjust AX after an unpacked-BCD add / subtract. */
static void ascii_adjust(struct cpu *cpu, const struct insn *in)
{
    uint64_t f = flags_materialize(cpu), ax = reg_read(cpu, RAX, 2), adj = 0;
    if ((ax & 0xf) > 9 || (f & RFLAGS_AF)) {
        ax = in->op == BCD_AAA ? ax + 0x106 : ax - 6 - 0x100; /* AX -= 6; AH -= 1 */
        adj = RFLAGS_AF | RFLAGS_CF;
    }
    ax = (ax & 0xff00) | (ax & 0x0f); /* also drops the carry out of AX */
    reg_write(cpu, RAX, 2, ax);
    put_arith(cpu, adj | szp_of(ax));
}

/* DAA / DAS: adjust AL after a packed-BCD add / subtract. */
static void decimal_adjust(struct cpu *cpu, const struct insn *in)
{
    uint64_t f = flags_materialize(cpu), al = reg_read(cpu, RAX, 1), old_al = al;
    bool old_cf = (f & RFLAGS_CF) != 0, cf = false, af = false, add = in->op == BCD_DAA;
    if ((al & 0xf) > 9 || (f & RFLAGS_AF)) {
        cf = old_cf || (add ? al + 6 > 0xff : al < 6);
        al = (add ? al + 6 : al - 6) & 0xff;
        af = true;
    }
    if (old_al > 0x99 || old_cf) {
        al = (add ? al + 0x60 : al - 0x60) & 0xff;
        cf = true;
    } else if (add) {
        cf = false;
    }
    reg_write(cpu, RAX, 1, al);
    put_arith(cpu, (cf ? RFLAGS_CF : 0) | (af ? RFLAGS_AF : 0) | szp_of(al));
}

/* AAM imm8: AH = AL / imm8, AL = AL % imm8 (#DE for 0). AAD imm8:
 * AL = AL + AH * imm8, AH = 0. */
static void aam_aad(struct cpu *cpu, const struct insn *in)
{
    uint64_t al = reg_read(cpu, RAX, 1), ah = reg_read(cpu, REG_AH, 1), base = in->imm & 0xff;
    uint64_t ax;
    if (in->op == BCD_AAM) {
        if (base == 0) cpu_fault(cpu, EXC_DE, EXC_NO_ERROR);
        ax = ((al / base) << 8) | (al % base);
    } else {
        ax = (al + ah * base) & 0xff;
    }
    reg_write(cpu, RAX, 2, ax);
    put_arith(cpu, szp_of(ax));
}

bool xl_bcd(const struct xlate *x, struct insn *in)
{
    if (x->mode == MODE_LONG64) return false;
    switch (in->op) {
    case BCD_AAA:
    case BCD_AAS: in->fn = ascii_adjust; break;
    case BCD_DAA:
    case BCD_DAS: in->fn = decimal_adjust; break;
    default:
        xl_operand(x, 0, in);
        in->fn = aam_aad;
        break;
    }
    return true;
}

/* BOUND r, m: #BR (a fault) unless lower <= r <= upper, all signed, the
 * bounds being the two operand-sized values at m. */
static void bound(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osz;
    uint64_t ea = insn_ea(cpu, in);
    int64_t lower = sext(mem_read(cpu, in->seg, ea, size), size);
    int64_t upper = sext(mem_read(cpu, in->seg, (ea + size) & size_mask(in->asz), size), size);
    int64_t index = sext(reg_read(cpu, in->r1, size), size);
    if (index < lower || index > upper) cpu_fault(cpu, EXC_BR, EXC_NO_ERROR);
}

bool xl_bound(const struct xlate *x, struct insn *in)
{
    if (x->mode == MODE_LONG64) return false;
    xl_operand(x, 0, in);
    if (xl_operand(x, 1, in) != ZYDIS_OPERAND_TYPE_MEMORY) return false;
    in->fn = bound;
    return true;
}
