/* Instruction text for --insns: Zydis decodes the bytes for the mode the
 * CPU was in, its formatter writes Intel syntax. */
#ifndef EMU_TRACE_DISASM_H
#define EMU_TRACE_DISASM_H

#include <Zydis/Zydis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

enum dis_mode {
    DIS_REAL16,
    DIS_PROT16,
    DIS_PROT32,
    DIS_COMPAT16,
    DIS_COMPAT32,
    DIS_LONG64,
    DIS_MODES
};

struct tdis {
    ZydisDecoder dec[DIS_MODES];
    ZydisFormatter fmt;
};

void tdis_init(struct tdis *d);

/* Appends the instruction in bytes[0..len) at rip; "(bad)" if it does not
 * decode. */
void tdis_format(const struct tdis *d, struct sbuf *b, enum dis_mode mode, const uint8_t *bytes,
                 size_t len, uint64_t rip);

#endif
