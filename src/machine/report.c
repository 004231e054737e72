/* The forensics report printed when a run ends with a triple fault (or on
 * demand): the exception chain in plain words with the descriptors, gates
 * and page walks involved, the last instructions executed, and the
 * registers (src/debug; docs/faults.md). */
#include <stdio.h>
#include <string.h>

#include "../debug/debug.h"
#include "machine.h"

void machine_report(struct machine *m, FILE *out)
{
    struct cpu *c = m->cpu;
    const struct dbg_syms *syms = m->syms.name ? &m->syms : NULL;
    dbg_print_chain(c, syms, out);
    fputc('\n', out);
    dbg_print_history(c, syms, out);
    fputc('\n', out);
    dbg_print_registers(c, out);
}

void emu_machine_report(emu_machine *m, FILE *out)
{
    machine_report(m, out);
}

void emu_machine_set_symbolizer(emu_machine *m, emu_symbolize_fn fn, void *ctx)
{
    m->syms = (struct dbg_syms){fn, ctx};
}
