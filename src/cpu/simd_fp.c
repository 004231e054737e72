/* SSE/SSE2 floating point. Each operation runs the same instruction on the
 * host (an x86-64, whose SSE arithmetic is IEEE 754 as the guest's is)
 * under the guest's rounding, DAZ and FTZ with every exception masked;
 * the exception flags the host raised are merged into the guest's MXCSR,
 * and an unmasked one faults before the destination is written (SDM Vol. 1
 * §11.5). The operation and the MXCSR loads are one asm statement, so the
 * compiler cannot move the arithmetic away from its rounding mode. */
#include "simd.h"

#define MXCSR_ALL_MASKS (MXCSR_FLAGS << MXCSR_MASK_SHIFT)

uint32_t simd_host_mxcsr(const struct cpu *cpu)
{
    return (cpu->simd.mxcsr & ~MXCSR_FLAGS) | MXCSR_ALL_MASKS;
}

void simd_fp_flags(struct cpu *cpu, uint32_t after)
{
    uint32_t raised = after & MXCSR_FLAGS;
    uint32_t unmasked = raised & ~(cpu->simd.mxcsr >> MXCSR_MASK_SHIFT) & MXCSR_FLAGS;
    cpu->simd.mxcsr |= raised;
    if (unmasked)
        cpu_fault(cpu, (cpu->cr4 & CR4_OSXMMEXCPT) ? EXC_XM : EXC_UD, EXC_NO_ERROR);
}

/* dst = dst OP src with one host instruction `insn`. */
#define HOST_BINOP(insn, dst, src, csr_in, csr_out)                                            \
    __asm__ volatile("ldmxcsr %[in]\n\t" insn " %[b], %[a]\n\tstmxcsr %[out]"                \
                     : [a] "+x"(dst), [out] "=m"(csr_out)                                      \
                     : [b] "x"(src), [in] "m"(csr_in))

typedef double v2df __attribute__((vector_size(16)));

static v2df as_vec(const union xmm_reg *v)
{
    v2df x;
    memcpy(&x, v, sizeof(x));
    return x;
}

static void from_vec(union xmm_reg *v, v2df x)
{
    memcpy(v, &x, sizeof(x));
}

/* One function per host instruction: r = a OP b under the guest's MXCSR. */
#define FP_BINOP(name, insn)                                                                   \
    void simd_##name(struct cpu *c, union xmm_reg *r, const union xmm_reg *a,                  \
                     const union xmm_reg *b, unsigned w, uint8_t imm)                          \
    {                                                                                          \
        (void)w, (void)imm;                                                                    \
        v2df x = as_vec(a), y = as_vec(b);                                                     \
        uint32_t in = simd_host_mxcsr(c), out;                                                 \
        HOST_BINOP(insn, x, y, in, out);                                                       \
        simd_fp_flags(c, out);                                                                 \
        from_vec(r, x);                                                                        \
    }

FP_BINOP(addps, "addps")
FP_BINOP(addss, "addss")
FP_BINOP(addpd, "addpd")
FP_BINOP(addsd, "addsd")
FP_BINOP(subps, "subps")
FP_BINOP(subss, "subss")
FP_BINOP(subpd, "subpd")
FP_BINOP(subsd, "subsd")
FP_BINOP(mulps, "mulps")
FP_BINOP(mulss, "mulss")
FP_BINOP(mulpd, "mulpd")
FP_BINOP(mulsd, "mulsd")
FP_BINOP(divps, "divps")
FP_BINOP(divss, "divss")
FP_BINOP(divpd, "divpd")
FP_BINOP(divsd, "divsd")
FP_BINOP(minps, "minps")
FP_BINOP(minss, "minss")
FP_BINOP(minpd, "minpd")
FP_BINOP(minsd, "minsd")
FP_BINOP(maxps, "maxps")
FP_BINOP(maxss, "maxss")
FP_BINOP(maxpd, "maxpd")
FP_BINOP(maxsd, "maxsd")
FP_BINOP(sqrtps, "sqrtps")
FP_BINOP(sqrtss, "sqrtss")
FP_BINOP(sqrtpd, "sqrtpd")
FP_BINOP(sqrtsd, "sqrtsd")
FP_BINOP(cvtps2pd, "cvtps2pd")
FP_BINOP(cvtpd2ps, "cvtpd2ps")
FP_BINOP(cvtss2sd, "cvtss2sd")
FP_BINOP(cvtsd2ss, "cvtsd2ss")
FP_BINOP(cvtdq2ps, "cvtdq2ps")
FP_BINOP(cvtps2dq, "cvtps2dq")
FP_BINOP(cvttps2dq, "cvttps2dq")
FP_BINOP(cvtdq2pd, "cvtdq2pd")
FP_BINOP(cvtpd2dq, "cvtpd2dq")
FP_BINOP(cvttpd2dq, "cvttpd2dq")
FP_BINOP(unpcklpd, "unpcklpd")
FP_BINOP(unpckhpd, "unpckhpd")

/* RCP and RSQRT are approximations whose exact bits differ between CPU
 * models; emu returns the correctly rounded 1/x and 1/sqrt(x) (as QEMU's
 * TCG does), which is within the SDM's 1.5 * 2^-12 relative error. */
static float rcp_exact(float x, bool sqrt_first, uint32_t csr)
{
    float one = 1.0f;
    uint32_t out;
    if (sqrt_first)
        HOST_BINOP("sqrtss", x, x, csr, out);
    HOST_BINOP("divss", one, x, csr, out);
    (void)out;
    return one;
}

static void approx(union xmm_reg *r, const union xmm_reg *b, unsigned lanes, bool rsqrt,
                   uint32_t csr)
{
    for (unsigned i = 0; i < lanes; i++) {
        float x = b->f[i];
        r->f[i] = rcp_exact(x, rsqrt, csr);
    }
}

void simd_rcpps(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b,
                unsigned w, uint8_t imm)
{
    (void)a, (void)w, (void)imm;
    approx(r, b, 4, false, simd_host_mxcsr(c));
}

void simd_rcpss(struct cpu *c, union xmm_reg *r, const union xmm_reg *a, const union xmm_reg *b,
                unsigned w, uint8_t imm)
{
    (void)a, (void)w, (void)imm;
    approx(r, b, 1, false, simd_host_mxcsr(c));
}

void simd_rsqrtps(struct cpu *c, union xmm_reg *r, const union xmm_reg *a,
                  const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)a, (void)w, (void)imm;
    approx(r, b, 4, true, simd_host_mxcsr(c));
}

void simd_rsqrtss(struct cpu *c, union xmm_reg *r, const union xmm_reg *a,
                  const union xmm_reg *b, unsigned w, uint8_t imm)
{
    (void)a, (void)w, (void)imm;
    approx(r, b, 1, true, simd_host_mxcsr(c));
}

/* CMPccPS/SS/PD/SD: the predicate is the immediate (0..7). */
#define CMP_CASE(insn, n)                                                                      \
    case n: HOST_BINOP(insn " $" #n ",", x, y, in, out); break;

#define FP_CMP(name, insn)                                                                     \
    void simd_##name(struct cpu *c, union xmm_reg *r, const union xmm_reg *a,                  \
                     const union xmm_reg *b, unsigned w, uint8_t imm)                          \
    {                                                                                          \
        (void)w;                                                                               \
        v2df x = as_vec(a), y = as_vec(b);                                                     \
        uint32_t in = simd_host_mxcsr(c), out = in;                                            \
        switch (imm & 7) {                                                                     \
            CMP_CASE(insn, 0) CMP_CASE(insn, 1) CMP_CASE(insn, 2) CMP_CASE(insn, 3)            \
            CMP_CASE(insn, 4) CMP_CASE(insn, 5) CMP_CASE(insn, 6) CMP_CASE(insn, 7)            \
        }                                                                                      \
        simd_fp_flags(c, out);                                                                 \
        from_vec(r, x);                                                                        \
    }

FP_CMP(cmpps, "cmpps")
FP_CMP(cmpss, "cmpss")
FP_CMP(cmppd, "cmppd")
FP_CMP(cmpsd, "cmpsd")
