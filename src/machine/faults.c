/* Triple faults and --explain-faults on the board: what a CPU shutdown does
 * to the run, and the hook that explains every exception as it is
 * delivered (docs/faults.md). */
#include "../debug/debug.h"
#include "machine.h"

/* EMU_EV_EXCEPTION: explains the chain that led to this delivery. Software
 * interrupts (INT n, INT3) are the program's own business and are skipped. */
static void explain_delivery(void *ctx, const emu_event *ev)
{
    struct machine *m = ctx;
    FILE *out = m->cfg.explain_faults;
    if (ev->u.intr.software)
        return;
    struct cpu *c = m->cpu;
    fprintf(out, "emu: exception after %llu instructions:\n", (unsigned long long)ev->icount);
    for (int i = 0; i < c->chain_len; i++)
        dbg_print_record(c, i, m->syms.name ? &m->syms : NULL, out);
    fprintf(out, "     delivered to %04x:%llx (ring %u)\n", ev->u.intr.gate_selector,
            (unsigned long long)ev->u.intr.handler, ev->u.intr.cpl_to);
    fflush(out);
}

int machine_faults_init(struct machine *m)
{
    if (!m->cfg.explain_faults)
        return 0;
    return emu_hook_add(m, EMU_EV_EXCEPTION, explain_delivery, m) > 0 ? 0 : -1;
}

void machine_shutdown(struct machine *m)
{
    m->triple_fault = true;
    if (m->cfg.on_triple_fault == EMU_TRIPLE_FAULT_RESET)
        machine_request_stop(m, EMU_STOP_RESET, EXIT_RESET);
    else
        machine_request_stop(m, EMU_STOP_TRIPLE_FAULT, EXIT_TRIPLE_FAULT);
}
