/* System call signatures for the strace-style decoder (sysfmt.c). Each
 * argument's kind is one character in sysent.args:
 *
 *   i int          u unsigned int   l long          z size_t (unsigned)
 *   x hex          p pointer (NULL or hex)          f file descriptor
 *   d dirfd (AT_FDCWD)              s path (shown whole)  m mode (octal)
 *   B buffer in, its length the next argument
 *   O buffer out, its length the return value (decoded at exit)
 *   Q path out (decoded at exit)    I int[2] out (pipe)
 *   F open flags   P mmap prot      M mmap flags    W wait options
 *   S wait status out               t struct timespec in
 *   T struct timespec out           g signal        c clock id
 *   r getrusage who                 R struct rusage out
 *   N struct utsname out            a arch_prctl code
 *   v argv (string array)           e envp (pointer and count)
 *   k lseek whence  A access mode   w priority which
 *   n AT_* flags    C fcntl command h sigprocmask how
 *   1 2 3 reboot magic, magic2, command
 *   L clone (all five raw arguments, printed as strace does)
 *
 * Kinds decoded at exit (O Q I S T R N) print the pointer in hex instead
 * when the call failed. */
#ifndef EMU_TRACE_SYSENT_H
#define EMU_TRACE_SYSENT_H

#include <stdint.h>

#define SYSENT_MAX 451 /* one past the highest number in the table */

/* How the return value reads. */
enum sysent_ret {
    SR_INT,  // signed decimal; -4095..-1 is -errno
    SR_HEX,  // an address (mmap, brk); errors still as errno
    SR_NONE, // never returns (exit, exit_group): "= ?"
};

struct sysent {
    const char *name; // NULL: no such call
    const char *args; // kinds, one per argument
    enum sysent_ret ret;
};

extern const struct sysent sysent_table[SYSENT_MAX];

/* The entry for nr, or NULL. */
const struct sysent *sysent_get(uint64_t nr);

/* The number of the call called name, or -1. */
int sysent_lookup(const char *name);

/* Whether kind k is decoded at exit. */
int sysent_kind_at_exit(char k);

#endif
