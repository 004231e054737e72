/* Which SSE/SSE2/MMX mnemonics emu implements, and how. A mnemonic absent
 * here (and from optable.c) raises #UD; docs/cpu.md lists the set. */
#include "simd.h"

/* simd_int.c and simd_fp.c */
#define OP(name)                                                                               \
    void simd_##name(struct cpu *c, union xmm_reg *r, const union xmm_reg *a,                  \
                     const union xmm_reg *b, unsigned w, uint8_t imm);
OP(paddb) OP(paddw) OP(paddd) OP(paddq) OP(psubb) OP(psubw) OP(psubd) OP(psubq)
OP(paddsb) OP(paddsw) OP(paddusb) OP(paddusw) OP(psubsb) OP(psubsw) OP(psubusb) OP(psubusw)
OP(pmullw) OP(pmulhw) OP(pmulhuw) OP(pmuludq) OP(pmaddwd) OP(pavgb) OP(pavgw) OP(pminub)
OP(pmaxub) OP(pminsw) OP(pmaxsw) OP(psadbw) OP(pcmpeqb) OP(pcmpeqw) OP(pcmpeqd) OP(pcmpgtb)
OP(pcmpgtw) OP(pcmpgtd) OP(pand) OP(pandn) OP(por) OP(pxor) OP(psllw) OP(pslld) OP(psllq)
OP(psrlw) OP(psrld) OP(psrlq) OP(psraw) OP(psrad) OP(pslldq) OP(psrldq) OP(punpcklbw)
OP(punpckhbw) OP(punpcklwd) OP(punpckhwd) OP(punpckldq) OP(punpckhdq) OP(punpcklqdq)
OP(punpckhqdq) OP(packsswb) OP(packuswb) OP(packssdw) OP(pshufd) OP(pshuflw) OP(pshufhw)
OP(pshufw) OP(shufps) OP(shufpd) OP(unpcklps) OP(unpckhps)
OP(addps) OP(addss) OP(addpd) OP(addsd) OP(subps) OP(subss) OP(subpd) OP(subsd) OP(mulps)
OP(mulss) OP(mulpd) OP(mulsd) OP(divps) OP(divss) OP(divpd) OP(divsd) OP(minps) OP(minss)
OP(minpd) OP(minsd) OP(maxps) OP(maxss) OP(maxpd) OP(maxsd) OP(sqrtps) OP(sqrtss) OP(sqrtpd)
OP(sqrtsd) OP(cvtps2pd) OP(cvtpd2ps) OP(cvtss2sd) OP(cvtsd2ss) OP(cvtdq2ps) OP(cvtps2dq)
OP(cvttps2dq) OP(cvtdq2pd) OP(cvtpd2dq) OP(cvttpd2dq) OP(unpcklpd) OP(unpckhpd) OP(rcpps)
OP(rcpss) OP(rsqrtps) OP(rsqrtss) OP(cmpps) OP(cmpss) OP(cmppd) OP(cmpsd)
#undef OP

#define BIN(m, fn) [ZYDIS_MNEMONIC_##m] = {SK_BINOP, 0, 0, simd_##fn}
#define X87(m) [ZYDIS_MNEMONIC_##m] = {SK_X87, 0, 0, NULL}
#define SPECIAL(m) [ZYDIS_MNEMONIC_##m] = {SK_SPECIAL, 0, 0, NULL}

const struct simd_def simd_defs[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {
    /* integer (MMX and SSE2 forms) */
    BIN(PADDB, paddb), BIN(PADDW, paddw), BIN(PADDD, paddd), BIN(PADDQ, paddq),
    BIN(PSUBB, psubb), BIN(PSUBW, psubw), BIN(PSUBD, psubd), BIN(PSUBQ, psubq),
    BIN(PADDSB, paddsb), BIN(PADDSW, paddsw), BIN(PADDUSB, paddusb), BIN(PADDUSW, paddusw),
    BIN(PSUBSB, psubsb), BIN(PSUBSW, psubsw), BIN(PSUBUSB, psubusb), BIN(PSUBUSW, psubusw),
    BIN(PMULLW, pmullw), BIN(PMULHW, pmulhw), BIN(PMULHUW, pmulhuw), BIN(PMULUDQ, pmuludq),
    BIN(PMADDWD, pmaddwd), BIN(PAVGB, pavgb), BIN(PAVGW, pavgw), BIN(PMINUB, pminub),
    BIN(PMAXUB, pmaxub), BIN(PMINSW, pminsw), BIN(PMAXSW, pmaxsw), BIN(PSADBW, psadbw),
    BIN(PCMPEQB, pcmpeqb), BIN(PCMPEQW, pcmpeqw), BIN(PCMPEQD, pcmpeqd),
    BIN(PCMPGTB, pcmpgtb), BIN(PCMPGTW, pcmpgtw), BIN(PCMPGTD, pcmpgtd),
    BIN(PAND, pand), BIN(PANDN, pandn), BIN(POR, por), BIN(PXOR, pxor),
    BIN(ANDPS, pand), BIN(ANDPD, pand), BIN(ANDNPS, pandn), BIN(ANDNPD, pandn),
    BIN(ORPS, por), BIN(ORPD, por), BIN(XORPS, pxor), BIN(XORPD, pxor),
    BIN(PSLLW, psllw), BIN(PSLLD, pslld), BIN(PSLLQ, psllq), BIN(PSRLW, psrlw),
    BIN(PSRLD, psrld), BIN(PSRLQ, psrlq), BIN(PSRAW, psraw), BIN(PSRAD, psrad),
    BIN(PSLLDQ, pslldq), BIN(PSRLDQ, psrldq),
    BIN(PUNPCKLBW, punpcklbw), BIN(PUNPCKHBW, punpckhbw), BIN(PUNPCKLWD, punpcklwd),
    BIN(PUNPCKHWD, punpckhwd), BIN(PUNPCKLDQ, punpckldq), BIN(PUNPCKHDQ, punpckhdq),
    BIN(PUNPCKLQDQ, punpcklqdq), BIN(PUNPCKHQDQ, punpckhqdq),
    BIN(PACKSSWB, packsswb), BIN(PACKUSWB, packuswb), BIN(PACKSSDW, packssdw),
    BIN(PSHUFD, pshufd), BIN(PSHUFLW, pshuflw), BIN(PSHUFHW, pshufhw), BIN(PSHUFW, pshufw),
    BIN(SHUFPS, shufps), BIN(SHUFPD, shufpd), BIN(UNPCKLPS, unpcklps),
    BIN(UNPCKHPS, unpckhps), BIN(UNPCKLPD, unpcklpd), BIN(UNPCKHPD, unpckhpd),
    /* floating point */
    BIN(ADDPS, addps), BIN(ADDSS, addss), BIN(ADDPD, addpd), BIN(ADDSD, addsd),
    BIN(SUBPS, subps), BIN(SUBSS, subss), BIN(SUBPD, subpd), BIN(SUBSD, subsd),
    BIN(MULPS, mulps), BIN(MULSS, mulss), BIN(MULPD, mulpd), BIN(MULSD, mulsd),
    BIN(DIVPS, divps), BIN(DIVSS, divss), BIN(DIVPD, divpd), BIN(DIVSD, divsd),
    BIN(MINPS, minps), BIN(MINSS, minss), BIN(MINPD, minpd), BIN(MINSD, minsd),
    BIN(MAXPS, maxps), BIN(MAXSS, maxss), BIN(MAXPD, maxpd), BIN(MAXSD, maxsd),
    BIN(SQRTPS, sqrtps), BIN(SQRTSS, sqrtss), BIN(SQRTPD, sqrtpd), BIN(SQRTSD, sqrtsd),
    BIN(RCPPS, rcpps), BIN(RCPSS, rcpss), BIN(RSQRTPS, rsqrtps), BIN(RSQRTSS, rsqrtss),
    BIN(CMPPS, cmpps), BIN(CMPSS, cmpss), BIN(CMPPD, cmppd), BIN(CMPSD, cmpsd),
    BIN(CVTPS2PD, cvtps2pd), BIN(CVTPD2PS, cvtpd2ps), BIN(CVTSS2SD, cvtss2sd),
    BIN(CVTSD2SS, cvtsd2ss), BIN(CVTDQ2PS, cvtdq2ps), BIN(CVTPS2DQ, cvtps2dq),
    BIN(CVTTPS2DQ, cvttps2dq), BIN(CVTDQ2PD, cvtdq2pd), BIN(CVTPD2DQ, cvtpd2dq),
    BIN(CVTTPD2DQ, cvttpd2dq),
    /* moves, conversions with GPRs, compares into RFLAGS, state */
    SPECIAL(MOVAPS), SPECIAL(MOVAPD), SPECIAL(MOVDQA), SPECIAL(MOVNTPS), SPECIAL(MOVNTPD),
    SPECIAL(MOVNTDQ), SPECIAL(MOVUPS), SPECIAL(MOVUPD), SPECIAL(MOVDQU), SPECIAL(MOVSS),
    SPECIAL(MOVSD),
    SPECIAL(MOVD), SPECIAL(MOVQ), SPECIAL(MOVQ2DQ), SPECIAL(MOVDQ2Q), SPECIAL(MOVNTQ),
    SPECIAL(MOVNTI), SPECIAL(MOVLPS), SPECIAL(MOVLPD), SPECIAL(MOVHPS), SPECIAL(MOVHPD),
    SPECIAL(MOVHLPS), SPECIAL(MOVLHPS), SPECIAL(MOVMSKPS), SPECIAL(MOVMSKPD),
    SPECIAL(PMOVMSKB), SPECIAL(PEXTRW), SPECIAL(PINSRW), SPECIAL(MASKMOVDQU),
    SPECIAL(MASKMOVQ), SPECIAL(CVTSI2SS), SPECIAL(CVTSI2SD), SPECIAL(CVTSS2SI),
    SPECIAL(CVTTSS2SI), SPECIAL(CVTSD2SI), SPECIAL(CVTTSD2SI), SPECIAL(COMISS),
    SPECIAL(UCOMISS), SPECIAL(COMISD), SPECIAL(UCOMISD), SPECIAL(LDMXCSR), SPECIAL(STMXCSR),
    SPECIAL(FXSAVE), SPECIAL(FXSAVE64), SPECIAL(FXRSTOR), SPECIAL(FXRSTOR64), SPECIAL(EMMS),
    /* x87 control (x87.c) */
    X87(FNINIT), X87(FNCLEX), X87(FNSTSW), X87(FNSTCW), X87(FLDCW), X87(FWAIT), X87(FNOP),
};

/* MOVSD and CMPSD name both a string instruction and an SSE2 one: optable.c
 * sends them to the string family, which hands the XMM forms to xl_simd. */
