/* Decoders for system call arguments that point at structures and arrays
 * (sysfmt.c handles scalars and strings). Shared helpers of both files. */
#ifndef EMU_TRACE_SYSARGS_H
#define EMU_TRACE_SYSARGS_H

#include "sysfmt.h"

/* A pointer: "NULL" or hex. */
void print_ptr(struct sbuf *b, uint64_t p);
/* A NUL-terminated guest string, quoted and shortened; hex if unreadable. */
void print_cstring(const struct sysfmt *f, struct sbuf *b, uint64_t p);
/* A path: like print_cstring, but whole (strace shows paths up to PATH_MAX). */
void print_path(const struct sysfmt *f, struct sbuf *b, uint64_t p);
/* len bytes of guest memory, quoted and shortened; hex if unreadable. */
void print_buffer(const struct sysfmt *f, struct sbuf *b, uint64_t p, uint64_t len);

/* Kinds t T S R N I Q v e (sysent.h) of the value v, after a return of ret. */
bool print_struct_arg(const struct sysfmt *f, struct sbuf *b, char k, uint64_t v, uint64_t ret);

/* clone(flags, child_stack, parent_tid, child_tid, tls) as strace prints it. */
void print_clone(struct sbuf *b, const uint64_t args[6]);

#endif
