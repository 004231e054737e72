/* Lazy flags: arithmetic handlers record (op, size, result, sources); the
 * flags are computed only when something reads them. ZF, SF and PF always
 * follow the result; CF, OF and AF come from one switch on the operation.
 * Conditions are answered from the recorded operands where they can be. */
#include "internal.h"

/* Condition codes in their encoding order (Jcc/SETcc/CMOVcc low nibble). */
enum { CC_O, CC_NO, CC_B, CC_AE, CC_E, CC_NE, CC_BE, CC_A,
       CC_S, CC_NS, CC_P, CC_NP, CC_L, CC_GE, CC_LE, CC_G };

#define AF_BIT 0x10

static uint64_t bit_if(bool c, uint64_t flag)
{
    return c ? flag : 0;
}

/* CF | OF | AF of the recorded operation, in their RFLAGS positions. */
static uint64_t lazy_cf_of_af(const struct lazy_flags *lf)
{
    uint64_t m = size_mask(lf->size), sign = sign_bit(lf->size);
    uint64_t r = lf->res & m, a = lf->src1 & m, b = lf->src2 & m;
    uint64_t af = (a ^ b ^ r) & AF_BIT ? RFLAGS_AF : 0;
    unsigned bits = lf->size * 8u;
    switch (lf->op) {
    case LF_ADD:
        return bit_if(r < a, RFLAGS_CF) | bit_if((a ^ r) & (b ^ r) & sign, RFLAGS_OF) | af;
    case LF_ADC:
        return bit_if(lf->aux ? r <= a : r < a, RFLAGS_CF) |
               bit_if((a ^ r) & (b ^ r) & sign, RFLAGS_OF) | af;
    case LF_SUB:
        return bit_if(a < b, RFLAGS_CF) | bit_if((a ^ b) & (a ^ r) & sign, RFLAGS_OF) | af;
    case LF_SBB:
        return bit_if(lf->aux ? a <= b : a < b, RFLAGS_CF) |
               bit_if((a ^ b) & (a ^ r) & sign, RFLAGS_OF) | af;
    case LF_INC:
        return bit_if(lf->aux, RFLAGS_CF) | bit_if(r == sign, RFLAGS_OF) |
               bit_if((r & 0xf) == 0, RFLAGS_AF);
    case LF_DEC:
        return bit_if(lf->aux, RFLAGS_CF) | bit_if(r == sign - 1, RFLAGS_OF) |
               bit_if((r & 0xf) == 0xf, RFLAGS_AF);
    case LF_NEG: return bit_if(a != 0, RFLAGS_CF) | bit_if(r == sign, RFLAGS_OF) | af;
    case LF_MUL: return lf->aux ? RFLAGS_CF | RFLAGS_OF : 0;
    case LF_SHL: { /* b = count, 1..bits (masked, non-zero) */
        bool cf = b <= bits && ((a >> (bits - b)) & 1);
        return bit_if(cf, RFLAGS_CF) | bit_if(((r & sign) != 0) != cf, RFLAGS_OF);
    }
    case LF_SHR:
        return bit_if(b <= bits && ((a >> (b - 1)) & 1), RFLAGS_CF) | bit_if(a & sign, RFLAGS_OF);
    case LF_SAR: {
        unsigned k = b - 1 < 63 ? (unsigned)b - 1 : 63;
        return bit_if(((uint64_t)sext(a, lf->size) >> k) & 1, RFLAGS_CF);
    }
    default: return 0; /* LF_LOGIC */
    }
}

uint64_t flags_materialize(struct cpu *cpu)
{
    const struct lazy_flags *lf = &cpu->lf;
    if (lf->op == LF_NONE)
        return cpu->rflags;
    uint64_t r = lf->res & size_mask(lf->size);
    uint64_t f = (cpu->rflags & ~RFLAGS_ARITH) | lazy_cf_of_af(lf);
    f |= bit_if(parity8(r), RFLAGS_PF) | bit_if(r == 0, RFLAGS_ZF) |
         bit_if(r & sign_bit(lf->size), RFLAGS_SF);
    cpu->rflags = f;
    cpu->lf.op = LF_NONE;
    return f;
}

bool flags_cf(const struct cpu *cpu)
{
    if (cpu->lf.op == LF_NONE)
        return (cpu->rflags & RFLAGS_CF) != 0;
    return (lazy_cf_of_af(&cpu->lf) & RFLAGS_CF) != 0;
}

/* Conditions straight from the operands after SUB/CMP; -1 if not one of them. */
static int cond_after_sub(const struct lazy_flags *lf, unsigned cc)
{
    uint64_t m = size_mask(lf->size);
    uint64_t a = lf->src1 & m, b = lf->src2 & m;
    switch (cc >> 1) {
    case CC_B >> 1: return a < b;
    case CC_E >> 1: return a == b;
    case CC_BE >> 1: return a <= b;
    case CC_L >> 1: return sext(a, lf->size) < sext(b, lf->size);
    case CC_LE >> 1: return sext(a, lf->size) <= sext(b, lf->size);
    default: return -1;
    }
}

/* After AND/OR/XOR/TEST: CF = OF = 0, so every condition follows the result. */
static bool cond_after_logic(const struct lazy_flags *lf, unsigned cc)
{
    uint64_t r = lf->res & size_mask(lf->size);
    bool zf = r == 0, sf = (r & sign_bit(lf->size)) != 0;
    switch (cc >> 1) {
    case CC_O >> 1:
    case CC_B >> 1: return false;
    case CC_E >> 1:
    case CC_BE >> 1: return zf;
    case CC_S >> 1:
    case CC_L >> 1: return sf;
    case CC_P >> 1: return parity8(r);
    default: return zf || sf; /* LE */
    }
}

static bool cond_from_flags(uint64_t f, unsigned cc)
{
    switch (cc >> 1) {
    case CC_O >> 1: return f & RFLAGS_OF;
    case CC_B >> 1: return f & RFLAGS_CF;
    case CC_E >> 1: return f & RFLAGS_ZF;
    case CC_BE >> 1: return f & (RFLAGS_CF | RFLAGS_ZF);
    case CC_S >> 1: return f & RFLAGS_SF;
    case CC_P >> 1: return f & RFLAGS_PF;
    case CC_L >> 1: return !(f & RFLAGS_SF) != !(f & RFLAGS_OF);
    default: return (f & RFLAGS_ZF) || (!(f & RFLAGS_SF) != !(f & RFLAGS_OF));
    }
}

bool flags_cond(struct cpu *cpu, unsigned cc)
{
    const struct lazy_flags *lf = &cpu->lf;
    switch (lf->op) {
    case LF_NONE: return cond_from_flags(cpu->rflags, cc) ^ (cc & 1);
    case LF_SUB: {
        int r = cond_after_sub(lf, cc);
        if (r >= 0)
            return (bool)r ^ (cc & 1);
        break;
    }
    case LF_LOGIC: return cond_after_logic(lf, cc) ^ (cc & 1);
    default:
        if ((cc >> 1) == (CC_E >> 1)) /* ZF follows the result of every operation */
            return ((lf->res & size_mask(lf->size)) == 0) ^ (cc & 1);
        break;
    }
    return cond_from_flags(flags_materialize(cpu), cc) ^ (cc & 1);
}
