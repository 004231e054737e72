/* Oops: a kernel-mode exception. */
#ifndef KERNEL_OOPS_H
#define KERNEL_OOPS_H

#include "types.h"

struct trapframe;

/* Prints what happened (vector, error code, CR2, registers, a backtrace
 * through the frame pointers) and ends the machine with EXIT_PANIC. */
NORETURN void oops(const struct trapframe *tf, u64 cr2);

#endif
