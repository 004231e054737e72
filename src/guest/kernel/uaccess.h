/* Touching user memory from the kernel (Linux's uaccess).
 *
 * A user pointer is untrusted: it may point into the kernel, at nothing, or
 * at a page not mapped yet. access_ok() rejects kernel addresses up front;
 * the copy itself is one REP MOVSB listed in the exception table
 * (__ex_table: faulting instruction -> where to resume). When it faults, the
 * page-fault handler first tries to map the page (demand-zero, COW); if the
 * access is bad, trap() finds the instruction in the table and resumes at
 * its fixup, and the copy reports how much it did not copy: -EFAULT. */
#ifndef KERNEL_UACCESS_H
#define KERNEL_UACCESS_H

#include "types.h"

struct trapframe;

/* 0, or -EFAULT if any byte of the user range is not accessible. */
int copy_from_user(void *dst, const void *usrc, u64 n);
int copy_to_user(void *udst, const void *src, u64 n);
/* Copies a NUL-terminated user string into dst[size]; returns its length,
 * -EFAULT, or -ENAMETOOLONG if it does not fit. */
long strncpy_from_user(char *dst, const char *usrc, u64 size);

/* Whether the instruction at rip is a listed user access (so a page fault
 * there may be served like a user's own). */
bool in_user_access(u64 rip);
/* If tf->rip is a user-access instruction, points tf->rip at its fixup
 * and returns true. */
bool fixup_exception(struct trapframe *tf);

#endif
