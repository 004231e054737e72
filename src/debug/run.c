/* Running until something happens: continue, next, finish, until. Runs go
 * in chunks of RUN_CHUNK instructions so Ctrl-C is noticed and snapshots
 * can be taken along the way; chunk ends are exact instruction boundaries
 * and change nothing the guest can see. */
#include <stdlib.h>
#include <string.h>

#include "repl_int.h"
#include "snapshot.h"

#define RUN_CHUNK       (1ULL << 20)
#define UNTIL_MAX_STEPS 100000 /* `until` without an address steps at most this many */

static bool ended(const emu_run_result *res)
{
    return res->reason != EMU_STOP_REQUESTED && res->reason != EMU_STOP_MAX_INSNS &&
           res->reason != EMU_STOP_STEPPED;
}

bool run_until_stop(struct repl *r, uint64_t limit)
{
    r->stop_hit = false;
    memset(&r->stop, 0, sizeof(r->stop));
    if (r->machine_ended) return false;
    if (r->opt.cfg.max_insns && limit > r->opt.cfg.max_insns) limit = r->opt.cfg.max_insns;
    r->phase = PHASE_RUN;
    r->have_last = false;
    repl_sync_hooks(r);
    while (!r->stop_hit && !r->interrupted) {
        uint64_t icount = r->m->cpu->icount;
        if (icount >= limit) break;
        uint64_t goal = limit - icount > RUN_CHUNK ? icount + RUN_CHUNK : limit;
        emu_run_result res;
        emu_machine_run_until(r->m, goal, &res);
        if (ended(&res)) {
            r->machine_ended = true;
            r->end = res;
            break;
        }
        if (!r->stop_hit && snapshots_maybe_take(r))
            return false; /* resumed from this snapshot: unwind to repl_execute */
    }
    r->phase = PHASE_IDLE;
    repl_sync_hooks(r);
    repl_reset_chain(r, repl_pos(r));
    repl_limit_reached(r);
    return r->stop_hit;
}

/* Steps once without printing (to leave a breakpoint, or for `until`). */
static bool quiet_step(struct repl *r)
{
    struct step_record *rec = malloc(sizeof(*rec));
    bool ok = rec && step_once(r, rec);
    if (ok) {
        r->last = *rec;
        r->have_last = true;
    }
    free(rec);
    return ok && !r->machine_ended;
}

/* Runs, then says why it stopped and where the CPU is. */
static void run_and_report(struct repl *r)
{
    bool hit = run_until_stop(r, UINT64_MAX);
    if (r->resumed) return;
    breaks_delete_temporary(r);
    if (hit)
        repl_printf(r, "%s\n", r->stop.why);
    else if (r->machine_ended) {
        repl_report_end(r);
        return;
    } else if (r->interrupted)
        repl_printf(r, "interrupted\n");
    repl_show_location(r);
}

void cmd_continue(struct repl *r, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    if (r->machine_ended) {
        repl_report_end(r);
        return;
    }
    run_and_report(r);
}

/* A temporary breakpoint at addr that fires only once RSP is above min_rsp. */
static void run_to(struct repl *r, uint64_t addr, uint64_t min_rsp, const char *what)
{
    struct breakpoint *b = breaks_add(r, BK_ADDR);
    if (!b) return;
    b->addr = addr;
    b->temporary = true;
    b->frame_rsp = min_rsp;
    snprintf(b->what, sizeof(b->what), "%s", what);
    run_and_report(r);
}

static bool steps_over(const struct dis_insn *in)
{
    if (!in->ok) return false;
    switch (in->zi.mnemonic) {
    case ZYDIS_MNEMONIC_CALL:
    case ZYDIS_MNEMONIC_SYSCALL:
    case ZYDIS_MNEMONIC_SYSENTER:
    case ZYDIS_MNEMONIC_INT: return true;
    default: return false;
    }
}

/* next: step, but run through calls (and system calls) to the instruction after them. */
void cmd_next(struct repl *r, int argc, char **argv)
{
    struct dis_insn in;
    if (r->machine_ended || !repl_decode(r, r->m->cpu->rip, &in) || !steps_over(&in)) {
        cmd_step(r, argc, argv);
        return;
    }
    uint64_t rsp = r->m->cpu->gpr[RSP];
    run_to(r, r->m->cpu->rip + in.len, rsp - 1, "next");
}

/* finish: run until the current function returns to its caller. */
void cmd_finish(struct repl *r, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    if (r->machine_ended) {
        repl_report_end(r);
        return;
    }
    struct cpu *c = r->m->cpu;
    struct sym_loc loc;
    bool at_entry = symtab_lookup(r->syms, c->rip, &loc) && loc.name && loc.offset == 0;
    uint64_t slot = at_entry ? c->gpr[RSP] : c->gpr[RBP] + 8, ret = 0;
    if (repl_read_linear(r, slot, &ret, 8) != 8) {
        repl_error(r, "cannot read the return address at %#llx", (unsigned long long)slot);
        return;
    }
    char to[200];
    repl_format_addr(r, ret, false, to, sizeof(to));
    repl_printf(r, "Run till exit (return to %s, read at %s%s)\n", to,
                at_entry ? "[rsp]" : "[rbp+8]", at_entry ? "" : ": assumes a frame pointer");
    run_to(r, ret, at_entry ? c->gpr[RSP] : c->gpr[RBP], "finish");
}

/* until ADDR: run to ADDR. until: step until past the current instruction
 * in this frame (leaves a loop whose branch goes backwards). */
void cmd_until(struct repl *r, int argc, char **argv)
{
    if (r->machine_ended) {
        repl_report_end(r);
        return;
    }
    if (argc > 1) {
        uint64_t addr;
        if (repl_eval(r, argv[1], &addr)) run_to(r, addr, 0, argv[1]);
        return;
    }
    struct cpu *c = r->m->cpu;
    uint64_t start = c->rip, rsp = c->gpr[RSP];
    for (int i = 0; i < UNTIL_MAX_STEPS && !r->interrupted; i++) {
        struct dis_insn in;
        if (repl_decode(r, c->rip, &in) && steps_over(&in)) {
            uint64_t after = c->rip + in.len;
            struct breakpoint *b = breaks_add(r, BK_ADDR);
            if (!b) return;
            *b = (struct breakpoint){.id = b->id,
                                     .kind = BK_ADDR,
                                     .addr = after,
                                     .temporary = true,
                                     .frame_rsp = c->gpr[RSP] - 1};
            run_until_stop(r, UINT64_MAX);
            breaks_delete_temporary(r);
            if (r->resumed) return;
        } else if (!quiet_step(r)) {
            break;
        }
        if (r->machine_ended || (r->stop_hit && r->stop.bp_id > 0) ||
            (c->rip > start && c->gpr[RSP] >= rsp) || breaks_find_addr(r, c->rip))
            break;
    }
    if (r->machine_ended)
        repl_report_end(r);
    else
        repl_show_location(r);
}
