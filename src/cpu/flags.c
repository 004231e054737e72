/* Lazy flags: arithmetic handlers record (op, size, result, sources); the
 * flags are computed only when something reads them. */
#include "internal.h"

/* Condition codes in their encoding order (Jcc/SETcc/CMOVcc low nibble). */
enum { CC_O, CC_NO, CC_B, CC_AE, CC_E, CC_NE, CC_BE, CC_A,
       CC_S, CC_NS, CC_P, CC_NP, CC_L, CC_GE, CC_LE, CC_G };

static bool lazy_cf(const struct lazy_flags *lf, uint64_t m)
{
    uint64_t r = lf->res & m, a = lf->src1 & m, b = lf->src2 & m;
    switch (lf->op) {
    case LF_ADD: return r < a;
    case LF_ADC: return lf->aux ? r <= a : r < a;
    case LF_SUB: return a < b;
    case LF_SBB: return lf->aux ? a <= b : a < b;
    case LF_INC:
    case LF_DEC:
    case LF_MUL: return lf->aux;
    case LF_NEG: return a != 0;
    default: return false;
    }
}

static bool lazy_of(const struct lazy_flags *lf, uint64_t sign)
{
    uint64_t r = lf->res, a = lf->src1, b = lf->src2;
    switch (lf->op) {
    case LF_ADD:
    case LF_ADC: return ((a ^ r) & (b ^ r) & sign) != 0;
    case LF_SUB:
    case LF_SBB: return ((a ^ b) & (a ^ r) & sign) != 0;
    case LF_INC: return (r & (sign | (sign - 1))) == sign;
    case LF_DEC: return (r & (sign | (sign - 1))) == sign - 1;
    case LF_NEG: return (r & (sign | (sign - 1))) == sign;
    case LF_MUL: return lf->aux;
    default: return false;
    }
}

static bool lazy_af(const struct lazy_flags *lf)
{
    switch (lf->op) {
    case LF_LOGIC:
    case LF_MUL: return false;
    case LF_INC: return (lf->res & 0xf) == 0;
    case LF_DEC: return (lf->res & 0xf) == 0xf;
    default: return ((lf->src1 ^ lf->src2 ^ lf->res) & 0x10) != 0;
    }
}

uint64_t flags_materialize(struct cpu *cpu)
{
    const struct lazy_flags *lf = &cpu->lf;
    if (lf->op == LF_NONE)
        return cpu->rflags;
    uint64_t m = size_mask(lf->size), sign = sign_bit(lf->size), r = lf->res & m;
    uint64_t f = cpu->rflags & ~RFLAGS_ARITH;
    f |= lazy_cf(lf, m) ? RFLAGS_CF : 0;
    f |= parity8(r) ? RFLAGS_PF : 0;
    f |= lazy_af(lf) ? RFLAGS_AF : 0;
    f |= r == 0 ? RFLAGS_ZF : 0;
    f |= (r & sign) ? RFLAGS_SF : 0;
    f |= lazy_of(lf, sign) ? RFLAGS_OF : 0;
    cpu->rflags = f;
    cpu->lf.op = LF_NONE;
    return f;
}

bool flags_cf(const struct cpu *cpu)
{
    if (cpu->lf.op == LF_NONE)
        return (cpu->rflags & RFLAGS_CF) != 0;
    return lazy_cf(&cpu->lf, size_mask(cpu->lf.size));
}

/* Compares straight from the operands after SUB/CMP, the common case. */
static int cond_after_sub(const struct lazy_flags *lf, unsigned cc)
{
    uint64_t m = size_mask(lf->size);
    uint64_t a = lf->src1 & m, b = lf->src2 & m;
    int64_t sa = sext(a, lf->size), sb = sext(b, lf->size);
    switch (cc >> 1) {
    case CC_B >> 1: return a < b;
    case CC_E >> 1: return a == b;
    case CC_BE >> 1: return a <= b;
    case CC_L >> 1: return sa < sb;
    case CC_LE >> 1: return sa <= sb;
    default: return -1;
    }
}

bool flags_cond(struct cpu *cpu, unsigned cc)
{
    if (cpu->lf.op == LF_SUB) {
        int r = cond_after_sub(&cpu->lf, cc);
        if (r >= 0)
            return (bool)r ^ (cc & 1);
    }
    uint64_t f = flags_materialize(cpu);
    bool r;
    switch (cc >> 1) {
    case CC_O >> 1: r = f & RFLAGS_OF; break;
    case CC_B >> 1: r = f & RFLAGS_CF; break;
    case CC_E >> 1: r = f & RFLAGS_ZF; break;
    case CC_BE >> 1: r = f & (RFLAGS_CF | RFLAGS_ZF); break;
    case CC_S >> 1: r = f & RFLAGS_SF; break;
    case CC_P >> 1: r = f & RFLAGS_PF; break;
    case CC_L >> 1: r = !(f & RFLAGS_SF) != !(f & RFLAGS_OF); break;
    default: r = (f & RFLAGS_ZF) || (!(f & RFLAGS_SF) != !(f & RFLAGS_OF)); break;
    }
    return r ^ (cc & 1);
}
