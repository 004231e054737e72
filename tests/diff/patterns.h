/* Shared by the pattern files of the differential test. */
#ifndef EMU_TESTS_DIFF_PATTERNS_H
#define EMU_TESTS_DIFF_PATTERNS_H

#include "diff.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* Fails the pattern when an emit could not be encoded. */
#define TRY(x)                                                                                     \
    do {                                                                                           \
        if ((x) < 0) return false;                                                                 \
    } while (0)

/* Flags each condition code (the low nibble of Jcc/SETcc/CMOVcc) reads. */
extern const uint32_t cc_flags[16];

uint64_t imm_for(struct gen *g, unsigned size);
void maybe_lock(struct gen *g, ZydisEncoderOperand dst);

extern const struct pattern patterns_alu[];
extern const unsigned patterns_alu_count;
extern const struct pattern patterns_data[];
extern const unsigned patterns_data_count;
extern const struct pattern patterns_flow[];
extern const unsigned patterns_flow_count;
extern const struct pattern patterns_legacy[];
extern const unsigned patterns_legacy_count;

#endif
