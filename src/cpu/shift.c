/* Shifts and rotates: SHL/SAL SHR SAR ROL ROR RCL RCR (by 1, CL or imm8).
 * The count is masked to 5 bits (6 with a 64-bit operand); a masked count of
 * zero changes nothing, not even the flags. Flags the SDM leaves undefined
 * (OF for counts > 1, AF) are computed as for a count of 1 / cleared. */
#include "ops.h"

static unsigned count_of(struct cpu *cpu, const struct insn *in)
{
    unsigned raw = in->r2 == REG_NONE ? (unsigned)in->imm : (unsigned)(cpu->gpr[RCX] & 0xff);
    return raw & (in->osz == 8 ? 0x3f : 0x1f);
}

struct shift_out {
    uint64_t res;
    bool cf, of;
    bool szp; // SF/ZF/PF follow the result (shifts, not rotates)
};

static struct shift_out do_shift(unsigned op, unsigned size, uint64_t a, unsigned n, bool cf_in)
{
    unsigned bits = size * 8;
    uint64_t m = size_mask(size), sign = sign_bit(size);
    struct shift_out o = {0, false, false, true};
    switch (op) {
    case SH_SHL:
    case SH_SAL:
        o.res = n < 64 ? (a << n) & m : 0;
        o.cf = n <= bits ? (a >> (bits - n)) & 1 : 0;
        o.of = ((o.res & sign) != 0) != o.cf;
        break;
    case SH_SHR:
        o.res = n < 64 ? a >> n : 0;
        o.cf = (a >> (n - 1)) & 1;
        o.of = (a & sign) != 0;
        break;
    case SH_SAR: {
        int64_t s = sext(a, size);
        unsigned k = n < 64 ? n : 63;
        o.res = (uint64_t)(s >> k) & m;
        o.cf = (uint64_t)(s >> (n - 1 < 63 ? n - 1 : 63)) & 1;
        o.of = false;
        break;
    }
    case SH_ROL: {
        unsigned k = n % bits;
        o.res = k ? ((a << k) | (a >> (bits - k))) & m : a;
        o.cf = o.res & 1;
        o.of = ((o.res & sign) != 0) != o.cf;
        o.szp = false;
        break;
    }
    case SH_ROR: {
        unsigned k = n % bits;
        o.res = k ? ((a >> k) | (a << (bits - k))) & m : a;
        o.cf = (o.res & sign) != 0;
        o.of = ((o.res & sign) != 0) != ((o.res & (sign >> 1)) != 0);
        o.szp = false;
        break;
    }
    default: { /* RCL / RCR through a (bits+1)-bit value, one step at a time */
        unsigned k = size < 4 ? n % (bits + 1) : n;
        uint64_t v = a;
        bool c = cf_in;
        for (unsigned i = 0; i < k; i++) {
            bool out;
            if (op == SH_RCL) {
                out = (v & sign) != 0;
                v = ((v << 1) | c) & m;
            } else {
                out = v & 1;
                v = (v >> 1) | (c ? sign : 0);
            }
            c = out;
        }
        o.res = v;
        o.cf = c;
        o.of = op == SH_RCL ? (((v & sign) != 0) != c)
                            : (((v & sign) != 0) != ((v & (sign >> 1)) != 0));
        o.szp = false;
        break;
    }
    }
    return o;
}

static void shift_flags(struct cpu *cpu, unsigned size, const struct shift_out *o)
{
    uint64_t f = flags_materialize(cpu);
    uint64_t keep = o->szp ? ~RFLAGS_ARITH : ~(RFLAGS_CF | RFLAGS_OF);
    f &= keep;
    f |= o->cf ? RFLAGS_CF : 0;
    f |= o->of ? RFLAGS_OF : 0;
    if (o->szp) {
        uint64_t r = o->res & size_mask(size);
        f |= r == 0 ? RFLAGS_ZF : 0;
        f |= (r & sign_bit(size)) ? RFLAGS_SF : 0;
        f |= parity8(r) ? RFLAGS_PF : 0;
    }
    cpu->rflags = f;
}

/* SHL/SHR/SAR leave lazy flags (LF_SHL...); rotates change CF/OF only and
 * so merge into the materialised flags. */
static const uint8_t shift_lazy_op[] = {
    [SH_SHL] = LF_SHL, [SH_SAL] = LF_SHL, [SH_SHR] = LF_SHR, [SH_SAR] = LF_SAR,
};

/* A masked count of zero still writes a 32-bit register destination back,
 * zero-extending it, as hardware does. */
static void count_zero(struct cpu *cpu, const struct insn *in)
{
    if (in->osz == 4 && !(in->flags & INSN_M0))
        reg_write(cpu, in->r1, 4, reg_read(cpu, in->r1, 4));
}

static void shift(struct cpu *cpu, const struct insn *in)
{
    unsigned n = count_of(cpu, in);
    uint64_t a = op0_read(cpu, in);
    if (n == 0) {
        count_zero(cpu, in);
        return;
    }
    struct shift_out o = do_shift(in->op, in->osz, a, n, flags_cf(cpu));
    op0_write(cpu, in, o.res);
    if (in->op >= SH_SHL)
        lf_set(cpu, shift_lazy_op[in->op], in->osz, o.res, a, n);
    else
        shift_flags(cpu, in->osz, &o);
}

/* ---- hot forms: a register shifted or rotated by an immediate ---------------- */

static void shl_ri(struct cpu *cpu, const struct insn *in)
{
    unsigned n = (unsigned)in->imm;
    uint64_t a = reg_read(cpu, in->r1, in->osz), r = (a << n) & size_mask(in->osz);
    reg_write(cpu, in->r1, in->osz, r);
    lf_set(cpu, LF_SHL, in->osz, r, a, n);
}

static void shr_ri(struct cpu *cpu, const struct insn *in)
{
    unsigned n = (unsigned)in->imm;
    uint64_t a = reg_read(cpu, in->r1, in->osz), r = a >> n;
    reg_write(cpu, in->r1, in->osz, r);
    lf_set(cpu, LF_SHR, in->osz, r, a, n);
}

static void sar_ri(struct cpu *cpu, const struct insn *in)
{
    unsigned n = (unsigned)in->imm;
    uint64_t a = reg_read(cpu, in->r1, in->osz);
    uint64_t r = (uint64_t)(sext(a, in->osz) >> n) & size_mask(in->osz);
    reg_write(cpu, in->r1, in->osz, r);
    lf_set(cpu, LF_SAR, in->osz, r, a, n);
}

static void rotate_flags(struct cpu *cpu, bool cf, bool of)
{
    uint64_t f = flags_materialize(cpu) & ~(RFLAGS_CF | RFLAGS_OF);
    cpu->rflags = f | (cf ? RFLAGS_CF : 0) | (of ? RFLAGS_OF : 0);
}

static void rol_ri(struct cpu *cpu, const struct insn *in)
{
    unsigned bits = in->osz * 8u, k = (unsigned)in->imm % bits;
    uint64_t a = reg_read(cpu, in->r1, in->osz), sign = sign_bit(in->osz);
    uint64_t r = k ? ((a << k) | (a >> (bits - k))) & size_mask(in->osz) : a;
    reg_write(cpu, in->r1, in->osz, r);
    rotate_flags(cpu, r & 1, ((r & sign) != 0) != (r & 1));
}

static void ror_ri(struct cpu *cpu, const struct insn *in)
{
    unsigned bits = in->osz * 8u, k = (unsigned)in->imm % bits;
    uint64_t a = reg_read(cpu, in->r1, in->osz), sign = sign_bit(in->osz);
    uint64_t r = k ? ((a >> k) | (a << (bits - k))) & size_mask(in->osz) : a;
    reg_write(cpu, in->r1, in->osz, r);
    rotate_flags(cpu, (r & sign) != 0, ((r & sign) != 0) != ((r & (sign >> 1)) != 0));
}

static void shift_nop(struct cpu *cpu, const struct insn *in)
{
    (void)cpu;
    (void)in;
}

static void shift_zext(struct cpu *cpu, const struct insn *in)
{
    count_zero(cpu, in);
}

/* A register by a non-zero immediate count: no memory, no CL. */
static insn_fn shift_fast(const struct insn *in)
{
    if ((in->flags & INSN_M0) || in->r2 != REG_NONE)
        return NULL;
    if ((in->imm & (in->osz == 8 ? 0x3f : 0x1f)) == 0)
        return in->osz == 4 ? shift_zext : shift_nop; /* a masked count of 0: no flags */
    unsigned n = (unsigned)in->imm & (in->osz == 8 ? 0x3f : 0x1f);
    bool in_range = n < in->osz * 8u; /* larger counts (8/16-bit) take the general path */
    switch (in->op) {
    case SH_SHL:
    case SH_SAL: return in_range ? shl_ri : NULL;
    case SH_SHR: return in_range ? shr_ri : NULL;
    case SH_SAR: return in_range ? sar_ri : NULL;
    case SH_ROL: return rol_ri;
    case SH_ROR: return ror_ri;
    default: return NULL;
    }
}

bool xl_shift(const struct xlate *x, struct insn *in)
{
    xl_operand(x, 0, in);
    in->r2 = REG_NONE;
    in->imm = 1;
    if (x->zi->operand_count_visible > 1) {
        const ZydisDecodedOperand *c = &x->ops[1];
        if (c->type == ZYDIS_OPERAND_TYPE_IMMEDIATE)
            in->imm = c->imm.value.u & 0xff;
        else
            in->r2 = RCX;
    }
    in->fn = shift;
    insn_fn fast = shift_fast(in);
    if (fast) {
        in->imm &= in->osz == 8 ? 0x3f : 0x1f;
        in->fn = fast;
    }
    return true;
}

/* ---- SHLD / SHRD ------------------------------------------------------------------- */

static void shxd(struct cpu *cpu, const struct insn *in)
{
    unsigned size = in->osz, bits = size * 8;
    unsigned n = (in->imm2 ? (unsigned)(cpu->gpr[RCX] & 0xff) : (unsigned)in->imm) &
                 (size == 8 ? 0x3f : 0x1f);
    uint64_t a = op0_read(cpu, in), b = reg_read(cpu, in->r2, size);
    if (n == 0) {
        count_zero(cpu, in);
        return;
    }
    uint64_t m = size_mask(size), res;
    bool cf;
    if (n > bits) { /* 16-bit operand, count 17..31: undefined; use the 32-bit view */
        n -= bits;
        uint64_t t = a;
        a = b;
        b = t;
    }
    if (in->op == 0) { /* SHLD */
        res = ((a << n) | (n == bits ? b : (b >> (bits - n)))) & m;
        if (n == bits)
            res = b;
        cf = (a >> (bits - n)) & 1;
    } else {
        res = ((a >> n) | (n == bits ? b : (b << (bits - n)))) & m;
        if (n == bits)
            res = b;
        cf = (a >> (n - 1)) & 1;
    }
    op0_write(cpu, in, res);
    struct shift_out o = {res, cf, ((res ^ a) & sign_bit(size)) != 0, true};
    shift_flags(cpu, size, &o);
}

bool xl_shxd(const struct xlate *x, struct insn *in)
{
    xl_operand(x, 0, in);
    xl_operand(x, 1, in);
    in->op = x->zi->mnemonic == ZYDIS_MNEMONIC_SHLD ? 0 : 1;
    const ZydisDecodedOperand *c = &x->ops[2];
    in->imm2 = c->type == ZYDIS_OPERAND_TYPE_REGISTER;
    in->imm = c->type == ZYDIS_OPERAND_TYPE_IMMEDIATE ? (c->imm.value.u & 0xff) : 0;
    in->fn = shxd;
    return true;
}
