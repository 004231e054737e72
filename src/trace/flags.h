/* Symbolic names for system call arguments, as strace prints them:
 * bit sets joined by '|' with leftover bits in hex, and enumerations with
 * "0x.. / * PREFIX_??? * /" for values that have no name. */
#ifndef EMU_TRACE_FLAGS_H
#define EMU_TRACE_FLAGS_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

struct flagname {
    uint64_t value; // the bits (a set) or the value (an enumeration)
    const char *name;
};

/* One table of names: a set of bits or an enumeration. */
struct xlat {
    const struct flagname *names;
    size_t n;
    const char *unknown; // "F_???": printed in a comment after unknown values
};

/* Names for every set bit, in table order (a multi-bit name matches only
 * when all its bits are set); leftover bits in hex; zero as "0". */
void flags_print(struct sbuf *b, uint64_t v, const struct xlat *x);
/* The name of an enumerated value, or the value and a comment. */
void xlat_print(struct sbuf *b, int64_t v, const struct xlat *x);

extern const struct xlat xl_prot, xl_mmap, xl_wait, xl_at, xl_access, xl_whence, xl_clock,
    xl_rusage_who, xl_arch_prctl, xl_prio_which, xl_fcntl, xl_sighow, xl_reboot_magic1,
    xl_reboot_magic2, xl_reboot_cmd;

/* open(2) flags: access mode first, then the rest. */
void print_open_flags(struct sbuf *b, uint64_t v);
/* mmap(2) flags: the mapping type, then the rest; protection ("PROT_NONE" for 0). */
void print_mmap_flags(struct sbuf *b, uint64_t v);
void print_prot(struct sbuf *b, uint64_t v);
/* clone(2) flags: CLONE_* names then the exit signal. */
void print_clone_flags(struct sbuf *b, uint64_t v);
/* A signal by name ("SIGCHLD"), a real-time one as "SIGRTMIN+n", else the number. */
void print_signal(struct sbuf *b, int64_t sig);
/* A mode in octal with a leading 0 ("0644", "000"). */
void print_mode(struct sbuf *b, uint64_t mode);

#define OPEN_O_CREAT   0100
#define OPEN_O_TMPFILE 020000000

#endif
