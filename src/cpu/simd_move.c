/* SSE/SSE2/MMX instructions that are not "dst op= src": moves between XMM,
 * MMX, general registers and memory; conversions with general registers;
 * compares into RFLAGS; mask extraction; MXCSR; FXSAVE/FXRSTOR; EMMS. */
#include "simd.h"

#define FXSAVE_SIZE 512
#define FXSAVE_MXCSR 24
#define FXSAVE_MXCSR_MASK 28
#define FXSAVE_MM 32
#define FXSAVE_XMM 160
#define FXSAVE_REG_STRIDE 16
#define FXSAVE_ALIGN 16

/* ---- whole-register and scalar moves ------------------------------------------ */

/* MOVAPS MOVUPS MOVAPD MOVUPD MOVDQA MOVDQU MOVNTPS MOVNTPD MOVNTDQ */
static void mov_full(struct cpu *cpu, const struct insn *in)
{
    simd_check(cpu, in);
    union xmm_reg v;
    simd_load_src(cpu, in, &v);
    if (in->flags & INSN_M0)
        simd_mem_write(cpu, in, &v, 16);
    else
        simd_store_dst(cpu, in, &v);
}

/* MOVSS / MOVSD (SSE): a load zeroes the upper lanes, a register move keeps
 * them, a store writes the low lane. osz2 is 4 or 8. */
static void mov_scalar(struct cpu *cpu, const struct insn *in)
{
    simd_check(cpu, in);
    unsigned size = in->osz2;
    union xmm_reg v;
    if (in->flags & INSN_M0) {
        simd_mem_write(cpu, in, &cpu->simd.xmm[in->r2 & 15], size);
        return;
    }
    if (in->flags & INSN_M1) {
        simd_mem_read(cpu, in, &v, size);
        cpu->simd.xmm[in->r1 & 15] = v;
        return;
    }
    union xmm_reg *d = &cpu->simd.xmm[in->r1 & 15];
    const union xmm_reg *s = &cpu->simd.xmm[in->r2 & 15];
    if (size == 4)
        d->d[0] = s->d[0];
    else
        d->q[0] = s->q[0];
}

/* The 64-bit source of MOVD/MOVQ-like moves: GPR, memory, MMX or XMM low. */
static uint64_t scalar_source(struct cpu *cpu, const struct insn *in, unsigned size)
{
    if (in->imm2 & SIMD_SRC_GPR)
        return reg_read(cpu, in->r2, size);
    if (in->flags & INSN_M1) {
        union xmm_reg v;
        simd_mem_read(cpu, in, &v, size);
        return v.q[0];
    }
    if (in->imm2 & SIMD_SRC_MMX)
        return cpu->simd.mm[in->r2 & 7];
    return cpu->simd.xmm[in->r2 & 15].q[0] & size_mask(size);
}

/* MOVD MOVQ MOVQ2DQ MOVDQ2Q MOVNTQ MOVNTI: XMM destinations are
 * zero-extended to 128 bits. */
static void mov_scalar_gpr(struct cpu *cpu, const struct insn *in)
{
    simd_check(cpu, in);
    unsigned size = in->osz2 ? in->osz2 : in->osz;
    uint64_t v = scalar_source(cpu, in, size);
    if (in->imm2 & SIMD_DST_GPR) {
        reg_write(cpu, in->r1, size, v);
    } else if (in->flags & INSN_M0) {
        union xmm_reg t = {.q = {v, 0}};
        simd_mem_write(cpu, in, &t, size);
    } else if (in->imm2 & SIMD_DST_MMX) {
        cpu->simd.mm[in->r1 & 7] = v;
    } else {
        union xmm_reg t = {.q = {v & size_mask(size), 0}};
        cpu->simd.xmm[in->r1 & 15] = t;
    }
}

/* MOVLPS/MOVLPD (lane 0) and MOVHPS/MOVHPD (lane 1) with memory. */
static void mov_half(struct cpu *cpu, const struct insn *in, unsigned lane)
{
    simd_check(cpu, in);
    union xmm_reg v;
    if (in->flags & INSN_M0) {
        v.q[0] = cpu->simd.xmm[in->r2 & 15].q[lane];
        v.q[1] = 0;
        simd_mem_write(cpu, in, &v, 8);
        return;
    }
    simd_mem_read(cpu, in, &v, 8);
    cpu->simd.xmm[in->r1 & 15].q[lane] = v.q[0];
}

static void mov_low(struct cpu *cpu, const struct insn *in)
{
    mov_half(cpu, in, 0);
}

static void mov_high(struct cpu *cpu, const struct insn *in)
{
    mov_half(cpu, in, 1);
}

static void movhlps(struct cpu *cpu, const struct insn *in)
{
    simd_check(cpu, in);
    cpu->simd.xmm[in->r1 & 15].q[0] = cpu->simd.xmm[in->r2 & 15].q[1];
}

static void movlhps(struct cpu *cpu, const struct insn *in)
{
    simd_check(cpu, in);
    cpu->simd.xmm[in->r1 & 15].q[1] = cpu->simd.xmm[in->r2 & 15].q[0];
}

/* ---- masks, word insert/extract --------------------------------------------------- */

static void movmskps(struct cpu *cpu, const struct insn *in)
{
    simd_check(cpu, in);
    const union xmm_reg *s = &cpu->simd.xmm[in->r2 & 15];
    uint64_t m = 0;
    for (unsigned i = 0; i < 4; i++)
        m |= (uint64_t)(s->d[i] >> 31) << i;
    reg_write(cpu, in->r1, in->osz, m);
}

static void movmskpd(struct cpu *cpu, const struct insn *in)
{
    simd_check(cpu, in);
    const union xmm_reg *s = &cpu->simd.xmm[in->r2 & 15];
    reg_write(cpu, in->r1, in->osz, (s->q[0] >> 63) | ((s->q[1] >> 63) << 1));
}

static void pmovmskb(struct cpu *cpu, const struct insn *in)
{
    simd_check(cpu, in);
    union xmm_reg s;
    simd_load_src(cpu, in, &s);
    unsigned width = (in->imm2 & SIMD_SRC_MMX) ? 8 : 16;
    uint64_t m = 0;
    for (unsigned i = 0; i < width; i++)
        m |= (uint64_t)(s.b[i] >> 7) << i;
    reg_write(cpu, in->r1, in->osz, m);
}

static void pextrw(struct cpu *cpu, const struct insn *in)
{
    simd_check(cpu, in);
    union xmm_reg s;
    simd_load_src(cpu, in, &s);
    unsigned lanes = (in->imm2 & SIMD_SRC_MMX) ? 4 : 8;
    reg_write(cpu, in->r1, in->osz, s.w[in->imm % lanes]);
}

static void pinsrw(struct cpu *cpu, const struct insn *in)
{
    simd_check(cpu, in);
    uint16_t v = (uint16_t)scalar_source(cpu, in, (in->flags & INSN_M1) ? 2 : 4);
    if (in->imm2 & SIMD_DST_MMX) {
        unsigned k = in->imm % 4;
        uint64_t m = cpu->simd.mm[in->r1 & 7] & ~(0xFFFFULL << (16 * k));
        cpu->simd.mm[in->r1 & 7] = m | ((uint64_t)v << (16 * k));
    } else {
        cpu->simd.xmm[in->r1 & 15].w[in->imm % 8] = v;
    }
}

/* MASKMOVDQU / MASKMOVQ: the bytes of r1 whose mask byte (r2) has its top
 * bit set go to DS:rDI. */
static void maskmov(struct cpu *cpu, const struct insn *in)
{
    simd_check(cpu, in);
    bool mmx = in->imm2 & SIMD_DST_MMX;
    union xmm_reg d, m;
    simd_load_dst(cpu, in, &d);
    if (mmx) {
        m.q[0] = cpu->simd.mm[in->r2 & 7];
        m.q[1] = 0;
    } else {
        m = cpu->simd.xmm[in->r2 & 15];
    }
    uint64_t rdi = reg_read(cpu, RDI, in->asz);
    for (unsigned i = 0; i < (mmx ? 8u : 16u); i++)
        if (m.b[i] & 0x80)
            mem_write(cpu, in->seg, (rdi + i) & size_mask(in->asz), 1, d.b[i]);
}

/* ---- conversions with general registers, compares into RFLAGS --------------------- */

#define HOST_CVT(insn, out, in_v, csr_in, csr_out)                                             \
    __asm__ volatile("ldmxcsr %[ci]\n\t" insn " %[s], %[d]\n\tstmxcsr %[co]"                \
                     : [d] "+x"(out), [co] "=m"(csr_out)                                        \
                     : [s] "r"(in_v), [ci] "m"(csr_in))

/* CVTSI2SS / CVTSI2SD xmm, r/m32/64. */
static void cvtsi2f(struct cpu *cpu, const struct insn *in)
{
    simd_check(cpu, in);
    unsigned isize = (in->flags & INSN_M1) ? in->osz2 : in->osz;
    int64_t v = sext(scalar_source(cpu, in, isize), isize);
    union xmm_reg x = cpu->simd.xmm[in->r1 & 15];
    typedef double v2df __attribute__((vector_size(16)));
    v2df d;
    memcpy(&d, &x, sizeof(d));
    uint32_t ci = simd_host_mxcsr(cpu), co;
    bool dbl = in->mnemonic == ZYDIS_MNEMONIC_CVTSI2SD;
    if (isize == 8 && dbl)
        HOST_CVT("cvtsi2sdq", d, v, ci, co);
    else if (isize == 8)
        HOST_CVT("cvtsi2ssq", d, v, ci, co);
    else if (dbl)
        HOST_CVT("cvtsi2sdl", d, (int32_t)v, ci, co);
    else
        HOST_CVT("cvtsi2ssl", d, (int32_t)v, ci, co);
    simd_fp_flags(cpu, co);
    memcpy(&x, &d, sizeof(x));
    cpu->simd.xmm[in->r1 & 15] = x;
}

#define HOST_CVT2I(insn, out, in_v, csr_in, csr_out)                                           \
    __asm__ volatile("ldmxcsr %[ci]\n\t" insn " %[s], %[d]\n\tstmxcsr %[co]"                \
                     : [d] "=r"(out), [co] "=m"(csr_out)                                        \
                     : [s] "x"(in_v), [ci] "m"(csr_in))

/* CVTSS2SI CVTTSS2SI CVTSD2SI CVTTSD2SI r32/64, xmm/m. */
static void cvtf2si(struct cpu *cpu, const struct insn *in)
{
    simd_check(cpu, in);
    bool dbl = in->mnemonic == ZYDIS_MNEMONIC_CVTSD2SI || in->mnemonic == ZYDIS_MNEMONIC_CVTTSD2SI;
    bool trunc = in->mnemonic == ZYDIS_MNEMONIC_CVTTSS2SI || in->mnemonic == ZYDIS_MNEMONIC_CVTTSD2SI;
    union xmm_reg s;
    if (in->flags & INSN_M1)
        simd_mem_read(cpu, in, &s, dbl ? 8 : 4);
    else
        s = cpu->simd.xmm[in->r2 & 15];
    double sd = s.df[0];
    float sf = s.f[0];
    uint32_t ci = simd_host_mxcsr(cpu), co;
    int64_t r64 = 0;
    int32_t r32 = 0;
    bool wide = in->osz == 8;
    unsigned form = (dbl ? 4u : 0u) | (trunc ? 2u : 0u) | (wide ? 1u : 0u);
    switch (form) {
    case 0: HOST_CVT2I("cvtss2si", r32, sf, ci, co); break;
    case 1: HOST_CVT2I("cvtss2siq", r64, sf, ci, co); break;
    case 2: HOST_CVT2I("cvttss2si", r32, sf, ci, co); break;
    case 3: HOST_CVT2I("cvttss2siq", r64, sf, ci, co); break;
    case 4: HOST_CVT2I("cvtsd2si", r32, sd, ci, co); break;
    case 5: HOST_CVT2I("cvtsd2siq", r64, sd, ci, co); break;
    case 6: HOST_CVT2I("cvttsd2si", r32, sd, ci, co); break;
    default: HOST_CVT2I("cvttsd2siq", r64, sd, ci, co); break;
    }
    simd_fp_flags(cpu, co);
    reg_write(cpu, in->r1, in->osz, wide ? (uint64_t)r64 : (uint32_t)r32);
}

/* COMISS UCOMISS COMISD UCOMISD: ZF PF CF from the compare, OF SF AF clear. */
static void comis(struct cpu *cpu, const struct insn *in)
{
    simd_check(cpu, in);
    bool dbl = in->mnemonic == ZYDIS_MNEMONIC_COMISD || in->mnemonic == ZYDIS_MNEMONIC_UCOMISD;
    bool quiet = in->mnemonic == ZYDIS_MNEMONIC_UCOMISS || in->mnemonic == ZYDIS_MNEMONIC_UCOMISD;
    union xmm_reg b;
    if (in->flags & INSN_M1)
        simd_mem_read(cpu, in, &b, dbl ? 8 : 4);
    else
        b = cpu->simd.xmm[in->r2 & 15];
    const union xmm_reg *a = &cpu->simd.xmm[in->r1 & 15];
    uint32_t ci = simd_host_mxcsr(cpu), co;
    uint64_t f;
#define COMI(insn, x, y)                                                                       \
    __asm__ volatile("ldmxcsr %[ci]\n\t" insn " %[b], %[a]\n\tpushfq\n\tpopq %[f]\n\t"        \
                     "stmxcsr %[co]"                                                           \
                     : [f] "=r"(f), [co] "=m"(co) : [a] "x"(x), [b] "x"(y), [ci] "m"(ci) : "cc")
    if (dbl && quiet)
        COMI("ucomisd", a->df[0], b.df[0]);
    else if (dbl)
        COMI("comisd", a->df[0], b.df[0]);
    else if (quiet)
        COMI("ucomiss", a->f[0], b.f[0]);
    else
        COMI("comiss", a->f[0], b.f[0]);
#undef COMI
    simd_fp_flags(cpu, co);
    flags_put(cpu, RFLAGS_ARITH, f & (RFLAGS_ZF | RFLAGS_PF | RFLAGS_CF));
}

/* ---- MXCSR, FXSAVE/FXRSTOR, EMMS ----------------------------------------------------- */

static void ldmxcsr(struct cpu *cpu, const struct insn *in)
{
    simd_check(cpu, in);
    uint32_t v = (uint32_t)insn_mem_read(cpu, in, 4);
    if (v & ~MXCSR_WRITABLE)
        cpu_fault(cpu, EXC_GP, 0);
    cpu->simd.mxcsr = v;
}

static void stmxcsr(struct cpu *cpu, const struct insn *in)
{
    simd_check(cpu, in);
    insn_mem_write(cpu, in, 4, cpu->simd.mxcsr);
}

static void fx_check(struct cpu *cpu, uint64_t ea, const struct insn *in)
{
    if (cpu->cr0 & (CR0_TS | CR0_EM))
        cpu_fault(cpu, EXC_NM, EXC_NO_ERROR);
    if ((ea + cpu->segbase[in->seg]) & (FXSAVE_ALIGN - 1))
        cpu_fault(cpu, EXC_GP, 0);
}

static unsigned xmm_count(const struct cpu *cpu)
{
    return cpu_long64(cpu) ? 16 : 8;
}

/* FXSAVE: an empty x87 state, MXCSR, the MMX and XMM registers (SDM Table
 * 10-2). Reserved bytes are left as they are. */
static void fxsave(struct cpu *cpu, const struct insn *in)
{
    uint64_t ea = insn_ea(cpu, in), m = size_mask(in->asz);
    fx_check(cpu, ea, in);
    mem_probe_write(cpu, in->seg, ea, FXSAVE_SIZE);
    const struct simd_state *s = &cpu->simd;
    mem_write(cpu, in->seg, ea, 2, s->fcw);
    mem_write(cpu, in->seg, (ea + 2) & m, 2, s->fsw);
    mem_write(cpu, in->seg, (ea + 4) & m, 1, s->ftw);
    mem_write(cpu, in->seg, (ea + FXSAVE_MXCSR) & m, 4, s->mxcsr);
    mem_write(cpu, in->seg, (ea + FXSAVE_MXCSR_MASK) & m, 4, MXCSR_WRITABLE);
    for (unsigned i = 0; i < 8; i++) {
        uint64_t at = ea + FXSAVE_MM + i * FXSAVE_REG_STRIDE;
        mem_write(cpu, in->seg, at & m, 8, s->mm[i]);
        mem_write(cpu, in->seg, (at + 8) & m, 8, 0);
    }
    for (unsigned i = 0; i < xmm_count(cpu); i++) {
        uint64_t at = ea + FXSAVE_XMM + i * FXSAVE_REG_STRIDE;
        mem_write(cpu, in->seg, at & m, 8, s->xmm[i].q[0]);
        mem_write(cpu, in->seg, (at + 8) & m, 8, s->xmm[i].q[1]);
    }
}

static void fxrstor(struct cpu *cpu, const struct insn *in)
{
    uint64_t ea = insn_ea(cpu, in), m = size_mask(in->asz);
    fx_check(cpu, ea, in);
    uint32_t mxcsr = (uint32_t)mem_read(cpu, in->seg, (ea + FXSAVE_MXCSR) & m, 4);
    if (mxcsr & ~MXCSR_WRITABLE)
        cpu_fault(cpu, EXC_GP, 0);
    struct simd_state s = cpu->simd;
    s.fcw = (uint16_t)mem_read(cpu, in->seg, ea, 2);
    s.fsw = (uint16_t)mem_read(cpu, in->seg, (ea + 2) & m, 2);
    s.ftw = (uint8_t)mem_read(cpu, in->seg, (ea + 4) & m, 1);
    s.mxcsr = mxcsr;
    for (unsigned i = 0; i < 8; i++)
        s.mm[i] = mem_read(cpu, in->seg, (ea + FXSAVE_MM + i * FXSAVE_REG_STRIDE) & m, 8);
    for (unsigned i = 0; i < xmm_count(cpu); i++) {
        uint64_t at = ea + FXSAVE_XMM + i * FXSAVE_REG_STRIDE;
        s.xmm[i].q[0] = mem_read(cpu, in->seg, at & m, 8);
        s.xmm[i].q[1] = mem_read(cpu, in->seg, (at + 8) & m, 8);
    }
    cpu->simd = s;
}

static void emms(struct cpu *cpu, const struct insn *in)
{
    (void)in;
    if (cpu->cr0 & CR0_EM)
        cpu_fault(cpu, EXC_UD, EXC_NO_ERROR);
    if (cpu->cr0 & CR0_TS)
        cpu_fault(cpu, EXC_NM, EXC_NO_ERROR);
    cpu->simd.ftw = 0; /* all x87 registers empty */
}

/* ---- which handler -------------------------------------------------------------- */

static const struct {
    ZydisMnemonic m;
    insn_fn fn;
    uint8_t flags; // SIMD_ALIGN for the aligned forms
} specials[] = {
    {ZYDIS_MNEMONIC_MOVAPS, mov_full, SIMD_ALIGN},
    {ZYDIS_MNEMONIC_MOVAPD, mov_full, SIMD_ALIGN},
    {ZYDIS_MNEMONIC_MOVDQA, mov_full, SIMD_ALIGN},
    {ZYDIS_MNEMONIC_MOVNTPS, mov_full, SIMD_ALIGN},
    {ZYDIS_MNEMONIC_MOVNTPD, mov_full, SIMD_ALIGN},
    {ZYDIS_MNEMONIC_MOVNTDQ, mov_full, SIMD_ALIGN},
    {ZYDIS_MNEMONIC_MOVUPS, mov_full, 0},
    {ZYDIS_MNEMONIC_MOVUPD, mov_full, 0},
    {ZYDIS_MNEMONIC_MOVDQU, mov_full, 0},
    {ZYDIS_MNEMONIC_MOVSS, mov_scalar, 0},
    {ZYDIS_MNEMONIC_MOVSD, mov_scalar, 0},
    {ZYDIS_MNEMONIC_MOVD, mov_scalar_gpr, 0},
    {ZYDIS_MNEMONIC_MOVQ, mov_scalar_gpr, 0},
    {ZYDIS_MNEMONIC_MOVQ2DQ, mov_scalar_gpr, 0},
    {ZYDIS_MNEMONIC_MOVDQ2Q, mov_scalar_gpr, 0},
    {ZYDIS_MNEMONIC_MOVNTQ, mov_scalar_gpr, 0},
    {ZYDIS_MNEMONIC_MOVNTI, mov_scalar_gpr, 0},
    {ZYDIS_MNEMONIC_MOVLPS, mov_low, 0},
    {ZYDIS_MNEMONIC_MOVLPD, mov_low, 0},
    {ZYDIS_MNEMONIC_MOVHPS, mov_high, 0},
    {ZYDIS_MNEMONIC_MOVHPD, mov_high, 0},
    {ZYDIS_MNEMONIC_MOVHLPS, movhlps, 0},
    {ZYDIS_MNEMONIC_MOVLHPS, movlhps, 0},
    {ZYDIS_MNEMONIC_MOVMSKPS, movmskps, 0},
    {ZYDIS_MNEMONIC_MOVMSKPD, movmskpd, 0},
    {ZYDIS_MNEMONIC_PMOVMSKB, pmovmskb, 0},
    {ZYDIS_MNEMONIC_PEXTRW, pextrw, 0},
    {ZYDIS_MNEMONIC_PINSRW, pinsrw, 0},
    {ZYDIS_MNEMONIC_MASKMOVDQU, maskmov, 0},
    {ZYDIS_MNEMONIC_MASKMOVQ, maskmov, 0},
    {ZYDIS_MNEMONIC_CVTSI2SS, cvtsi2f, 0},
    {ZYDIS_MNEMONIC_CVTSI2SD, cvtsi2f, 0},
    {ZYDIS_MNEMONIC_CVTSS2SI, cvtf2si, 0},
    {ZYDIS_MNEMONIC_CVTTSS2SI, cvtf2si, 0},
    {ZYDIS_MNEMONIC_CVTSD2SI, cvtf2si, 0},
    {ZYDIS_MNEMONIC_CVTTSD2SI, cvtf2si, 0},
    {ZYDIS_MNEMONIC_COMISS, comis, 0},
    {ZYDIS_MNEMONIC_UCOMISS, comis, 0},
    {ZYDIS_MNEMONIC_COMISD, comis, 0},
    {ZYDIS_MNEMONIC_UCOMISD, comis, 0},
    {ZYDIS_MNEMONIC_LDMXCSR, ldmxcsr, 0},
    {ZYDIS_MNEMONIC_STMXCSR, stmxcsr, 0},
    {ZYDIS_MNEMONIC_FXSAVE, fxsave, 0},
    {ZYDIS_MNEMONIC_FXSAVE64, fxsave, 0},
    {ZYDIS_MNEMONIC_FXRSTOR, fxrstor, 0},
    {ZYDIS_MNEMONIC_FXRSTOR64, fxrstor, 0},
    {ZYDIS_MNEMONIC_EMMS, emms, 0},
};

insn_fn simd_special_handler(ZydisMnemonic m, struct insn *in)
{
    for (size_t i = 0; i < sizeof(specials) / sizeof(specials[0]); i++) {
        if (specials[i].m != m)
            continue;
        in->imm2 |= specials[i].flags;
        if (specials[i].fn == mov_scalar && !(in->flags & (INSN_M0 | INSN_M1)))
            in->osz2 = m == ZYDIS_MNEMONIC_MOVSS ? 4 : 8;
        return specials[i].fn;
    }
    return NULL;
}
