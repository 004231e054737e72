/* SSE, SSE2 and MMX: the SIMD instruction framework.
 *
 * A SIMD instruction's struct insn holds: r1 the destination register (an
 * XMM/MM number, or a GPR for moves out), r2 the source register, INSN_M0 /
 * INSN_M1 a memory destination / source of osz2 bytes, imm the imm8,
 * imm2 the SIMD_* flags below, osz the GPR size where a GPR takes part. The
 * operation is found at run time by the instruction's mnemonic
 * (simd_def_of), one load away. */
#ifndef EMU_CPU_SIMD_H
#define EMU_CPU_SIMD_H

#include "decode.h"

enum {
    SIMD_MMX = 1 << 0,    // the registers are MMX registers (8 bytes wide)
    SIMD_ALIGN = 1 << 1,  // a 16-byte memory operand must be 16-byte aligned (#GP)
    SIMD_IMM_SRC = 1 << 2, // the source is the immediate (shift counts)
    SIMD_SRC_MMX = 1 << 3, // the source register is an MMX register (MOVQ2DQ, CVTPI2PS)
    SIMD_DST_MMX = 1 << 4, // the destination is an MMX register (MOVDQ2Q, CVTPS2PI)
    SIMD_SRC_GPR = 1 << 5, // the source is a general register (MOVD, CVTSI2SS, PINSRW)
    SIMD_DST_GPR = 1 << 6, // the destination is a general register (MOVD, PEXTRW, MOVMSKPS)
};

/* r = a OP b, lane by lane over `width` bytes (8 or 16). r starts as a copy
 * of a, so scalar operations leave the upper lanes as they were. */
typedef void (*simd_fn)(struct cpu *cpu, union xmm_reg *r, const union xmm_reg *a,
                        const union xmm_reg *b, unsigned width, uint8_t imm);

/* How an instruction is translated and executed. */
enum simd_kind {
    SK_NONE,
    SK_BINOP,   // dst op= src (register or memory), fn does the work
    SK_SPECIAL, // moves, conversions with GPRs, compares into RFLAGS, MXCSR/FXSAVE:
                // their own handler, chosen by simd_special_handler
    SK_X87,     // the x87 control instructions (x87.c)
};

struct simd_def {
    uint8_t kind;     // enum simd_kind
    uint8_t mem_size; // bytes a memory source/destination has (0: the register width)
    uint8_t flags;    // SIMD_ALIGN etc. that always apply
    simd_fn fn;       // SK_BINOP
};

const struct simd_def *simd_def_of(unsigned mnemonic);
const struct xlate_entry *simd_lookup(ZydisMnemonic m);
bool xl_simd(const struct xlate *x, struct insn *in);

/* The x87 control instructions (x87.c). */
bool xl_x87(const struct xlate *x, struct insn *in);

/* ---- run-time helpers (simd_exec.c) ------------------------------------- */

/* #UD / #NM rules for SSE (CR0.EM, CR4.OSFXSR, CR0.TS) or MMX instructions. */
void simd_check(struct cpu *cpu, const struct insn *in);
/* The source operand: register, memory (with the alignment check) or imm. */
void simd_load_src(struct cpu *cpu, const struct insn *in, union xmm_reg *v);
void simd_load_dst(struct cpu *cpu, const struct insn *in, union xmm_reg *v);
void simd_store_dst(struct cpu *cpu, const struct insn *in, const union xmm_reg *v);
/* 1..16 bytes of memory at the instruction's memory operand. */
void simd_mem_read(struct cpu *cpu, const struct insn *in, union xmm_reg *v, unsigned size);
void simd_mem_write(struct cpu *cpu, const struct insn *in, const union xmm_reg *v,
                    unsigned size);

/* ---- FP support (simd_fp.c) ---------------------------------------------- */

/* Merges the host's exception flags into MXCSR; raises #XM (CR4.OSXMMEXCPT)
 * or #UD for an unmasked one. Call before writing any result. */
void simd_fp_flags(struct cpu *cpu, uint32_t host_mxcsr_after);
/* The MXCSR value to run a host operation under: the guest's rounding, DAZ
 * and FTZ, every exception masked, no sticky flags. */
uint32_t simd_host_mxcsr(const struct cpu *cpu);

/* ---- the operations (simd_int.c, simd_fp.c, simd_move.c) ------------------ */
extern const struct simd_def simd_defs[ZYDIS_MNEMONIC_MAX_VALUE + 1];

/* Fills r1/r2/memory/imm and the SIMD_* register-class flags of operands
 * 0..2 (simd_exec.c). */
void simd_fill_operands(const struct xlate *x, struct insn *in);
/* The handler of an SK_SPECIAL instruction, or NULL (simd_move.c). */
insn_fn simd_special_handler(ZydisMnemonic m, struct insn *in);

#endif
