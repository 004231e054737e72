/* Disassembly for the debugger: Zydis decodes guest bytes for the CPU's
 * current mode and its formatter prints them in Intel or AT&T syntax; a
 * branch or RIP-relative target is followed by <symbol+offset>. */
#ifndef EMU_DEBUG_DISASM_H
#define EMU_DEBUG_DISASM_H

#include <Zydis/Zydis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "symbols.h"

#define DIS_MAX_LEN  15
#define DIS_TEXT_MAX 192

enum dis_syntax { DIS_INTEL, DIS_ATT };

struct disasm {
    ZydisDecoder dec[6];   // by enum cpu_mode
    ZydisFormatter fmt[2]; // by enum dis_syntax
};

/* One decoded instruction. */
struct dis_insn {
    bool ok; // false: the bytes do not decode (text says why)
    uint8_t len;
    uint8_t bytes[DIS_MAX_LEN];
    char text[DIS_TEXT_MAX]; // "mov rax, cr0"
    ZydisDecodedInstruction zi;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
};

void disasm_init(struct disasm *d);

/* Decodes the instruction at `ip` from bytes[0..avail) for CPU mode `mode`
 * (enum cpu_mode) and formats it; symbols may be NULL. */
void disasm_one(const struct disasm *d, unsigned mode, enum dis_syntax syntax,
                const struct symtab *symbols, const uint8_t *bytes, size_t avail, uint64_t ip,
                struct dis_insn *out);

#endif
