/* Private to archstate.c and archwords.c: the writer of one state diff. */
#ifndef EMU_DEBUG_ARCHDIFF_H
#define EMU_DEBUG_ARCHDIFF_H

#include "archstate.h"

struct diff {
    FILE *out;
    const char *indent;
    int lines;
};

/* One indented line. */
void diff_line(struct diff *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "name  old -> new" when they differ. */
void diff_reg(struct diff *d, const char *name, uint64_t a, uint64_t b);
/* Control registers and MSRs, then the consequences in words (archwords.c). */
void diff_system(struct diff *d, const struct arch_state *a, const struct arch_state *b);

#endif
