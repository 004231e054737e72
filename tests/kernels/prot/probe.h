/* Running a probe that may fault, in ring 0 or ring 3, and getting the
 * exception frame back (probe.c, probe_asm.S). */
#ifndef PROT_PROBE_H
#define PROT_PROBE_H

#include "user.h"

struct probe_result {
    int faulted;              // an exception came
    struct trap_frame f;      // its frame as the CPU pushed it
    uint64_t cr2;             // for #PF
    uint64_t handler_rsp;     // where the handler's stack was
};

/* Runs fn (ring 0, or ring 3 with `user`); any exception ends it and
 * returns to the caller in ring 0. Clobbers r->. */
void probe(void (*fn)(void), int user, struct probe_result *r);
/* Installs the probe handler for every vector (IDT stubs, TSS stacks). */
void probe_init(void);
/* Prints one line: what the probe raised, the frame relative to fn. */
void probe_print(const char *name, void (*fn)(void), const struct probe_result *r);
/* Which stack the handler ran on: "rsp0", "ist1", "ist2" or "other". */
const char *probe_stack_name(uint64_t rsp);

#endif
