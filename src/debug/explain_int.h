/* Private to the explain files: indented explanation lines and the parts
 * of an explanation. */
#ifndef EMU_DEBUG_EXPLAIN_INT_H
#define EMU_DEBUG_EXPLAIN_INT_H

#include "repl_int.h"

/* One line at indentation `depth` (0: a heading). */
void explain_line(struct repl *r, int depth, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An exception or interrupt delivery (explain_event.c). */
void explain_delivery(struct repl *r, const struct step_record *rec, const emu_event *ev);

/* The system instructions with their own story (explain_sys.c). Returns
 * false if the mnemonic has none (the generic explanation follows). */
bool explain_system(struct repl *r, const struct step_record *rec);
/* HLT, CLI, STI, SWAPGS, INVLPG, INT n (explain.c); false for others. */
bool explain_simple(struct repl *r, const struct step_record *rec);

#endif
