/* Single steps and their report: the instruction (or the event) and what
 * changed -- registers, flags, memory, mode and privilege. */
#include <stdlib.h>
#include <string.h>

#include "repl_int.h"

#define MAX_IDLE_STEPS 1000 /* steps without progress while halted before giving up */

void repl_note_boundary(struct repl *r, uint64_t pos)
{
    if (r->chain_len && r->chain[r->chain_len - 1] == pos) return;
    if (r->chain_len == BOUNDARY_RING) {
        memmove(r->chain, r->chain + 1, (BOUNDARY_RING - 1) * sizeof(r->chain[0]));
        r->chain_len--;
    }
    r->chain[r->chain_len++] = pos;
}

void repl_reset_chain(struct repl *r, uint64_t pos)
{
    r->chain[0] = pos;
    r->chain_len = 1;
}

static bool ended(const emu_run_result *res)
{
    return res->reason != EMU_STOP_STEPPED && res->reason != EMU_STOP_REQUESTED &&
           res->reason != EMU_STOP_MAX_INSNS;
}

bool step_once(struct repl *r, struct step_record *rec)
{
    memset(rec, 0, sizeof(*rec));
    if (r->machine_ended || repl_limit_reached(r)) return false;
    struct cpu *cpu = r->m->cpu;
    arch_capture(cpu, &rec->before);
    rec->insn_read = repl_decode(r, rec->before.rip, &rec->insn);
    rec->pos_before = repl_pos(r);
    r->phase = PHASE_STEP;
    repl_sync_hooks(r);
    r->rec = rec;
    emu_run_result res;
    for (int i = 0; i < MAX_IDLE_STEPS; i++) {
        emu_machine_step(r->m, 1, &res);
        if (ended(&res)) {
            r->machine_ended = true;
            r->end = res;
            break;
        }
        if (repl_pos(r) != rec->pos_before) break;
    }
    r->rec = NULL;
    arch_capture(cpu, &rec->after);
    rec->retired = rec->after.icount > rec->before.icount;
    rec->pos_after = repl_pos(r);
    repl_note_boundary(r, rec->pos_after);
    return true;
}

/* The instruction line: address, symbol, source line, then bytes and text. */
static void print_insn(struct repl *r, const struct step_record *rec)
{
    char where[256];
    repl_format_addr(r, rec->before.rip, true, where, sizeof(where));
    repl_printf(r, "[%llu] %s\n", (unsigned long long)rec->before.icount, where);
    if (!rec->insn_read) {
        repl_printf(r, "    (cannot read the instruction: %#llx is not mapped)\n",
                    (unsigned long long)repl_code_linear(r, rec->before.rip));
        return;
    }
    char bytes[3 * DIS_MAX_LEN + 1] = "";
    for (unsigned i = 0; i < rec->insn.len; i++)
        snprintf(bytes + 3 * i, sizeof(bytes) - 3 * i, "%02x ", rec->insn.bytes[i]);
    repl_printf(r, "    %-24s %s\n", bytes, rec->insn.text);
}

void repl_show_location(struct repl *r)
{
    struct step_record *rec = calloc(1, sizeof(*rec));
    if (!rec) return;
    arch_capture(r->m->cpu, &rec->before);
    rec->insn_read = repl_decode(r, rec->before.rip, &rec->insn);
    print_insn(r, rec);
    free(rec);
}

/* True if the step began with an external event rather than the instruction. */
static bool began_with_event(const struct step_record *rec)
{
    if (rec->retired || rec->nevents == 0) return false;
    const emu_event *ev = &rec->events[0];
    return ev->kind == EMU_EV_INTERRUPT || ev->kind == EMU_EV_WAKE;
}

static void print_writes(struct repl *r, const struct step_record *rec)
{
    for (int i = 0; i < rec->nwrites; i++) {
        const struct mem_write *w = &rec->writes[i];
        int digits = 2 * w->size;
        const char *by = w->implicit ? "  (by the CPU itself)" : "";
        if (w->count > 1) {
            repl_printf(r,
                        "    mem     [%#llx, %#llx) %u writes of %u bytes, the first 0x%0*llx -> "
                        "0x%0*llx%s\n",
                        (unsigned long long)w->addr,
                        (unsigned long long)(w->addr + (uint64_t)w->count * w->size), w->count,
                        w->size, digits, (unsigned long long)w->old_value, digits,
                        (unsigned long long)w->new_value, by);
            continue;
        }
        repl_printf(r, "    mem     [%#llx] %u byte%s 0x%0*llx -> 0x%0*llx%s\n",
                    (unsigned long long)w->addr, w->size, w->size > 1 ? "s" : "", digits,
                    (unsigned long long)w->old_value, digits, (unsigned long long)w->new_value, by);
    }
    if (rec->dropped_writes) repl_printf(r, "    ... and %d more writes\n", rec->dropped_writes);
}

static void print_events(struct repl *r, const struct step_record *rec)
{
    for (int i = 0; i < rec->nevents; i++) {
        char line[256];
        repl_format_event(r, &rec->events[i], line, sizeof(line));
        repl_printf(r, "    => %s\n", line);
    }
    if (rec->dropped_events) repl_printf(r, "    ... and %d more events\n", rec->dropped_events);
}

#define GPR_RCX 1 /* register number 1 in the SDM's encoding (arch_gpr_names) */

/* True if a REP-prefixed instruction stopped between iterations (emu runs
 * them in chunks so interrupts are taken in between, as the SDM allows):
 * RIP stays on the instruction and RCX tells what is left. */
static bool rep_paused(const struct step_record *rec)
{
    const ZyanU64 rep = ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REPNE;
    return rec->insn_read && rec->insn.ok && (rec->insn.zi.attributes & rep) &&
           rec->after.rip == rec->before.rip;
}

void step_print(struct repl *r, const struct step_record *rec)
{
    if (began_with_event(rec)) {
        char where[200];
        repl_format_addr(r, rec->before.rip, false, where, sizeof(where));
        repl_printf(r, "[%llu] (before %s)\n", (unsigned long long)rec->before.icount, where);
    } else {
        print_insn(r, rec);
    }
    print_events(r, rec);
    repl_break_guest_line(r);
    uint64_t next = rec->before.rip + (rec->insn_read ? rec->insn.len : 0);
    /* RIP is told in words: "jumped to", or the event's handler */
    arch_print_diff(r->out, "    ", &rec->before, &rec->after, rec->after.rip);
    print_writes(r, rec);
    if (rec->retired && !rec->nevents && rep_paused(rec)) {
        repl_printf(r,
                    "    => REP paused between iterations (RCX = %#llx left): the next step "
                    "continues this instruction\n",
                    (unsigned long long)rec->after.gpr[GPR_RCX]);
    } else if (rec->retired && !rec->nevents && rec->after.rip != next) {
        char to[200];
        repl_format_addr(r, rec->after.rip, false, to, sizeof(to));
        repl_printf(r, "    => jumped to %s\n", to);
    }
}

bool repl_limit_reached(struct repl *r)
{
    uint64_t max = r->opt.cfg.max_insns;
    if (!max || r->m->cpu->icount < max || r->machine_ended) return r->machine_ended;
    r->machine_ended = true;
    r->end = (emu_run_result){
        .reason = EMU_STOP_MAX_INSNS, .exit_status = EXIT_MAX_INSNS, .insns = r->m->cpu->icount};
    return true;
}

void repl_report_end(struct repl *r)
{
    static const char *const reasons[] = {
        [EMU_STOP_DEBUG_EXIT] = "the guest wrote to isa-debug-exit (port 0xf4)",
        [EMU_STOP_POWEROFF] = "the guest powered the machine off (ACPI S5)",
        [EMU_STOP_TRIPLE_FAULT] = "triple fault: the CPU shut down",
        [EMU_STOP_HALTED] = "the CPU halted with nothing that could wake it",
        [EMU_STOP_STUCK] = "the CPU is stuck, taking exceptions without completing an instruction",
        [EMU_STOP_RESET] = "the guest reset the machine",
        [EMU_STOP_MAX_INSNS] = "the instruction limit (--max-insns) was reached",
    };
    unsigned why = r->end.reason;
    const char *text = why < sizeof(reasons) / sizeof(reasons[0]) && reasons[why]
                           ? reasons[why]
                           : "the machine stopped";
    repl_printf(r, "The machine has stopped: %s; exit status %d.\n", text, r->end.exit_status);
    if (why == EMU_STOP_TRIPLE_FAULT || why == EMU_STOP_STUCK) emu_machine_report(r->m, r->out);
    repl_printf(r, "(reverse-step and reverse-continue still work from here.)\n");
}

/* step [N]: N single steps, each reported. */
void cmd_step(struct repl *r, int argc, char **argv)
{
    uint64_t n = 1;
    if (argc > 1 && !repl_eval(r, argv[1], &n)) return;
    struct step_record *rec = malloc(sizeof(*rec));
    if (!rec) {
        repl_error(r, "out of memory");
        return;
    }
    for (uint64_t i = 0; i < n && !r->interrupted; i++) {
        if (!step_once(r, rec)) {
            repl_report_end(r);
            break;
        }
        step_print(r, rec);
        r->last = *rec;
        r->have_last = true;
        if (r->machine_ended) {
            repl_report_end(r);
            break;
        }
    }
    free(rec);
}
