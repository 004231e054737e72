/* The kernel's own symbol table (Linux's kallsyms): function addresses and
 * names, generated from the linked image by mkkallsyms.py and linked into
 * a second build of it, so oops backtraces can name functions. */
#ifndef KERNEL_KALLSYMS_H
#define KERNEL_KALLSYMS_H

#include "types.h"

/* Prints prefix, then "[<addr>] name+0xoff/0xsize" (or just the address). */
void print_symbol(const char *prefix, u64 addr);

#endif
