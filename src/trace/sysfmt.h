/* strace-style rendering of one system call: "write(1, \"hi\\n\", 3) = 3".
 * Arguments are split as strace splits them: those known at entry, and
 * those that are results (read's buffer, wait4's status), decoded at exit
 * -- so a call interrupted by another task's output prints as
 * "read(0, <unfinished ...>" and "<... read resumed>\"abc\", 64) = 3".
 * Guest memory is read through a callback (the guest's own page tables in
 * emu trace; the host's memory in the strace oracle test). */
#ifndef EMU_TRACE_SYSFMT_H
#define EMU_TRACE_SYSFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"
#include "sysent.h"

#define SYSFMT_DEFAULT_STRSIZE 32 /* strace -s */
#define SYSFMT_RET_COLUMN      40 /* strace pads "= ret" to this column */

struct guest_reader {
    /* Copies up to len bytes at lin into buf; returns how many it could
     * (it stops at the first address that does not translate). */
    size_t (*read)(void *ctx, uint64_t lin, void *buf, size_t len);
    void *ctx;
};

struct sysfmt {
    struct guest_reader mem;
    unsigned strsize; // bytes of strings and buffers shown
};

/* The call's name ("write", or "syscall_0x1f4" for an unknown number). */
void sysfmt_name(struct sbuf *b, uint64_t nr);

/* Appends the arguments known at entry. Returns the index of the first
 * argument left for exit (then a ", " has been appended), or the number of
 * arguments printed. */
unsigned sysfmt_entry(const struct sysfmt *f, struct sbuf *b, uint64_t nr, const uint64_t args[6]);

/* The index of the first argument decoded at exit (the `from` of
 * sysfmt_exit), as sysfmt_entry returns it. */
unsigned sysfmt_split(uint64_t nr);

/* Appends arguments [from, n) now that the call returned `ret`. */
void sysfmt_exit(const struct sysfmt *f, struct sbuf *b, uint64_t nr, const uint64_t args[6],
                 unsigned from, uint64_t ret);

/* The number of arguments the call prints (clone prints one: all of them). */
unsigned sysfmt_nargs(uint64_t nr);
/* Appends argument i as the line would show it (ret: the return value, for
 * kinds decoded at exit); false if the line leaves it out (open's mode
 * without O_CREAT) -- then nothing is appended. */
bool sysfmt_arg(const struct sysfmt *f, struct sbuf *b, uint64_t nr, const uint64_t args[6],
                unsigned i, uint64_t ret);

/* Appends "= 3", "= 0x7f00", "= ?" or "= -1 ENOENT (No such file or directory)". */
void sysfmt_ret(struct sbuf *b, uint64_t nr, uint64_t ret);

/* Whether ret is an error return (-4095..-1), and the errno it carries. */
bool sysfmt_is_error(uint64_t ret);

/* Whether the call never returns to its caller (exit, exit_group). */
bool sysfmt_no_return(uint64_t nr);

/* How one byte shows inside a quoted string (quote_table.c). */
struct quote_esc {
    uint8_t len;
    char s[5];
};
extern const struct quote_esc quote_table[256];

/* Appends bytes as a quoted C string the way strace escapes it; `more`
 * appends "..." after the closing quote. */
void sysfmt_quote(struct sbuf *b, const uint8_t *s, size_t n, bool more);

#endif
