/* The decoder front end: Zydis runs here, once per instruction at translation
 * time, and its output is turned into struct insn. */
#ifndef EMU_CPU_DECODE_H
#define EMU_CPU_DECODE_H

#include <Zydis/Zydis.h>

#include "internal.h"

#define X86_MAX_INSN_LEN 15

/* What a family's translate function sees. */
struct xlate {
    const ZydisDecodedInstruction *zi;
    const ZydisDecodedOperand *ops; // explicit operands first
    unsigned mode;                  // enum cpu_mode the block is decoded for
};

/* Fills `in` (fn and operands) for the decoded instruction; returns false if
 * emu does not implement this form (the instruction then raises #UD). */
typedef bool (*xlate_fn)(const struct xlate *x, struct insn *in);

struct xlate_entry {
    xlate_fn fn;
    uint8_t op;    // sub-operation stored in insn.op
    uint8_t flags; // INSN_END if this mnemonic always ends a block
};

/* The mnemonic table (optable.c). */
const struct xlate_entry *optable_lookup(ZydisMnemonic m);

struct decoders {
    ZydisDecoder d64, d32, d16, c32, c16;
};

void decoders_init(struct decoders *d);

/* Decodes one instruction from `bytes` for `mode`. Returns ZYAN_STATUS_SUCCESS
 * with `in` filled (fn may be the #UD handler), or the Zydis status for
 * ZYDIS_STATUS_NO_MORE_DATA (more bytes needed) / too long / bad encoding. */
ZyanStatus decode_insn(const struct decoders *d, unsigned mode, const uint8_t *bytes, size_t avail,
                       struct insn *in);

/* ---- helpers for translate functions (decode.c) ---- */

/* Our register number for a Zydis general-purpose register (any width). */
uint8_t xl_gpr(ZydisRegister r);
/* enum sreg for a Zydis segment register, or -1. */
int xl_sreg(ZydisRegister r);
/* Fills base/index/scale/disp/seg/asz from a memory operand. */
void xl_mem(const struct xlate *x, const ZydisDecodedOperand *op, struct insn *in);
/* Fills operand `i` into `in`: a register into r1 (i = 0) or r2 (i = 1), a
 * memory operand into the address fields with INSN_M0/INSN_M1, an immediate
 * into imm. Returns the operand type. */
ZydisOperandType xl_operand(const struct xlate *x, unsigned i, struct insn *in);

/* Handler for opcodes emu does not implement: #UD. */
void op_ud(struct cpu *cpu, const struct insn *in);
/* Handler for an instruction longer than 15 bytes: #GP(0). */
void op_too_long(struct cpu *cpu, const struct insn *in);

#endif
