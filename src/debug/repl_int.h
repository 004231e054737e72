/* Internals of the REPL shared by its files: the session, the record of one
 * step, stop conditions, and helpers every command uses. */
#ifndef EMU_DEBUG_REPL_INT_H
#define EMU_DEBUG_REPL_INT_H

#include <signal.h>

#include "../../include/emu/hooks.h"
#include "../machine/machine.h"
#include "archstate.h"
#include "disasm.h"
#include "repl.h"
#include "symbols.h"

#define REPL_MAX_ARGS   16
#define REPL_MAX_BREAKS 64
#define STEP_MAX_EVENTS 64
#define STEP_MAX_WRITES 32
#define BOUNDARY_RING   256

/* ---- one step ------------------------------------------------------------- */

/* A memory write seen during a step. */
struct mem_write {
    uint64_t addr;
    uint64_t old_value, new_value;
    uint8_t size;
    bool implicit;  // interrupt frame, descriptor table
    uint32_t count; // contiguous writes of `size` folded into this one (a string instruction)
};

/* Everything one step did: the instruction, the state before and after,
 * the events the machine reported while it ran. */
struct step_record {
    struct arch_state before, after;
    struct dis_insn insn; // decoded at before.rip (before it ran)
    bool insn_read;       // the bytes could be read (the page is mapped)
    bool retired;         // the instruction completed
    emu_event events[STEP_MAX_EVENTS];
    int nevents;
    int dropped_events;
    struct mem_write writes[STEP_MAX_WRITES];
    int nwrites;
    int dropped_writes;
    uint64_t pos_before, pos_after;
};

/* ---- stop conditions ------------------------------------------------------ */

enum break_kind {
    BK_ADDR,      // execution reaches addr
    BK_SYSCALL,   // a system call is entered (any, or number nr)
    BK_VECTOR,    // vector n is delivered
    BK_EXCEPTION, // any exception (vectors 0-31 raised by the CPU)
    BK_CR3,       // CR3 changes
    BK_PAGEFAULT, // a #PF (on the page of addr, with has_nr)
    BK_WATCH,     // a data access to [addr, addr+len) (access bits in `rw`)
};

enum { WATCH_R = 1, WATCH_W = 2 };

struct breakpoint {
    int id; // 0: free slot
    enum break_kind kind;
    uint64_t addr, len; // BK_ADDR, BK_WATCH
    uint64_t nr;        // BK_SYSCALL (with has_nr), BK_VECTOR
    bool has_nr;
    unsigned rw;        // BK_WATCH: WATCH_R | WATCH_W
    bool user_only;     // BK_VECTOR: only deliveries that interrupt ring 3
    bool temporary;     // until/finish: deleted when hit
    uint64_t frame_rsp; // finish/next: stop only with RSP above this (0: any)
    uint64_t hits;
    char what[64]; // as the user wrote it ("kmain", "syscall write")
};

/* Why a run stopped. */
struct stop_info {
    int bp_id;     // breakpoint that fired, 0 if none
    char why[160]; // "breakpoint 1, kmain", "watchpoint 2: write ..."
};

/* ---- the session ---------------------------------------------------------- */

enum repl_phase { PHASE_IDLE, PHASE_STEP, PHASE_RUN, PHASE_REPLAY };

struct repl {
    struct repl_options opt;
    FILE *out;
    struct machine *m; // the live machine (emu_machine)
    struct symtab *syms;
    struct disasm dis;
    enum dis_syntax syntax;

    /* Hooks and what they feed. */
    emu_hook_id hook_ids[EMU_EV_COUNT]; // our subscription per kind (0: none)
    enum repl_phase phase;
    struct step_record *rec; // PHASE_STEP: where events go
    uint64_t deliveries;     // exceptions + interrupts delivered since boot
    bool stop_on_delivery;   // replays: end a run after every delivery

    /* Stop conditions. */
    struct breakpoint bps[REPL_MAX_BREAKS];
    int next_bp_id;
    struct stop_info stop; // filled by hooks in PHASE_RUN
    bool stop_hit;

    /* Display and history. */
    bool trace;              // print events while running
    bool guest_partial_line; // guest output left a line unfinished
    bool quiet;              // replaying: guest output and traces are not printed
    struct step_record last; // the most recent step, for `explain`
    bool have_last;
    uint64_t chain[BOUNDARY_RING]; // step boundaries, each one step after the previous;
    unsigned chain_len;            // the last is the current position
    char arrival[192];             // what to say when a reverse move arrives
    bool arrival_explain;          // ... and then redo the last step and explain it

    /* End of the session or of the machine. */
    bool machine_ended; // the guest stopped the machine (exit, shutdown)
    emu_run_result end;
    bool quit;
    int quit_status;
    bool quit_status_set;
    volatile sig_atomic_t interrupted;
    struct snapshots *snaps; // fork-based snapshots (NULL: replay from boot)
    bool resumed;            // this process was just resumed from a snapshot
    uint64_t resume_target;  // ... and must replay to this position
};

/* --max-insns: true (and the machine has ended) once that many
 * instructions have retired. */
bool repl_limit_reached(struct repl *r);

/* The machine's position: instructions retired + events delivered since
 * boot. Each step moves it forward; equal positions are equal states. */
static inline uint64_t repl_pos(const struct repl *r)
{
    return r->m->cpu->icount + r->deliveries;
}

/* Creates the machine, loads the kernel, subscribes the hooks (repl.c). */
int repl_boot(struct repl *r);
/* Subscribes exactly the event kinds the phase, stop conditions and trace
 * need (hooks.c). */
void repl_sync_hooks(struct repl *r);
/* The hook callback for every kind (hooks.c). */
void repl_on_event(void *ctx, const emu_event *ev);

/* Output helpers (repl.c): a line to the session, and a newline first if
 * the guest left its output mid-line. */
void repl_printf(struct repl *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void repl_error(struct repl *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void repl_break_guest_line(struct repl *r);

/* "0xffffffff80100020 <_start+0x20> (entry.S:31)" into buf. */
void repl_format_addr(const struct repl *r, uint64_t addr, bool with_line, char *buf, size_t n);

/* Parses an address expression (numbers, registers, symbols, + - and *
 * for an 8-byte load). Returns false after printing an error. */
bool repl_eval(struct repl *r, const char *expr, uint64_t *out);

/* Reads guest linear memory without side effects; returns bytes read. */
size_t repl_read_linear(struct repl *r, uint64_t lin, void *buf, size_t len);
/* The linear address of CS:RIP. */
uint64_t repl_code_linear(const struct repl *r, uint64_t rip);
/* Decodes the instruction at rip (current mode and CS base). */
bool repl_decode(struct repl *r, uint64_t rip, struct dis_insn *out);

/* ---- stepping and running (step.c, run.c) ---------------------------------- */

/* One step with the record filled; false if the machine has ended. */
bool step_once(struct repl *r, struct step_record *rec);
/* Prints a step record (the instruction or event, then what changed). */
void step_print(struct repl *r, const struct step_record *rec);
/* Prints where the CPU is: address, symbol, line, the next instruction. */
void repl_show_location(struct repl *r);
/* A single step arrived at pos: extends the chain of boundaries that
 * reverse-step walks back along. */
void repl_note_boundary(struct repl *r, uint64_t pos);
/* Anything else arrived at pos (a run, a reverse move): the chain restarts. */
void repl_reset_chain(struct repl *r, uint64_t pos);
/* Runs forward, quietly, to position target (reverse.c). */
void replay_forward(struct repl *r, uint64_t target);
/* Reaches target, then says r->arrival and where the CPU is -- or, with
 * r->arrival_explain, steps once more and explains that step (a reverse
 * move ends here, in whichever process continues the session). */
void repl_arrive(struct repl *r, uint64_t target);
/* The previous step boundary before the current position (0: none). */
uint64_t repl_previous_boundary(struct repl *r);

/* Runs until a stop condition, the machine ending, Ctrl-C, or icount `limit`
 * (UINT64_MAX: none). Returns true if a stop condition fired. */
bool run_until_stop(struct repl *r, uint64_t limit);
/* Reports why the machine ended, once. */
void repl_report_end(struct repl *r);

/* ---- breakpoints (breaks.c) ---------------------------------------------- */

struct breakpoint *breaks_add(struct repl *r, enum break_kind kind);
struct breakpoint *breaks_find_addr(struct repl *r, uint64_t rip);
bool breaks_any(const struct repl *r, enum break_kind kind);
void breaks_delete_temporary(struct repl *r);

/* ---- the command table (commands are spread over several files) ---------- */

struct repl_cmd {
    const char *name;
    const char *alias; // short form ("s", "c", "b"), or NULL
    void (*fn)(struct repl *r, int argc, char **argv);
    const char *usage;   // "step [N]"
    const char *summary; // one line
    const char *help;    // the long text, with examples
};

extern const struct repl_cmd repl_commands[];
const struct repl_cmd *repl_find_command(const char *name);

/* Command handlers. */
void cmd_step(struct repl *r, int argc, char **argv);
void cmd_next(struct repl *r, int argc, char **argv);
void cmd_finish(struct repl *r, int argc, char **argv);
void cmd_continue(struct repl *r, int argc, char **argv);
void cmd_until(struct repl *r, int argc, char **argv);
void cmd_break(struct repl *r, int argc, char **argv);
void cmd_watch(struct repl *r, int argc, char **argv);
void cmd_delete(struct repl *r, int argc, char **argv);
void cmd_info(struct repl *r, int argc, char **argv);
void cmd_x(struct repl *r, int argc, char **argv);
void cmd_disas(struct repl *r, int argc, char **argv);
void cmd_pt(struct repl *r, int argc, char **argv);
void cmd_explain(struct repl *r, int argc, char **argv);
void cmd_reverse_step(struct repl *r, int argc, char **argv);
void cmd_reverse_continue(struct repl *r, int argc, char **argv);
void cmd_trace(struct repl *r, int argc, char **argv);
void cmd_set(struct repl *r, int argc, char **argv);
void cmd_help(struct repl *r, int argc, char **argv);
void cmd_quit(struct repl *r, int argc, char **argv);
void cmd_print(struct repl *r, int argc, char **argv);
void cmd_symbol_file(struct repl *r, int argc, char **argv);

/* `info` subcommands that live with their subject. */
void info_registers(struct repl *r, int argc, char **argv);
void info_breakpoints(struct repl *r);
void info_gdt(struct repl *r, int argc, char **argv);
void info_idt(struct repl *r, int argc, char **argv);
void info_tss(struct repl *r, int argc, char **argv);
void info_checksum(struct repl *r);
void info_apic(struct repl *r);
void info_pic(struct repl *r);

/* The explanation of a recorded step (explain.c). */
void explain_step(struct repl *r, const struct step_record *rec);
/* One event of a step or a trace, in one line (evfmt.c). */
void repl_format_event(const struct repl *r, const emu_event *ev, char *buf, size_t n);
/* The name of vector v ("#PF page fault", "interrupt 0x20"). */
const char *repl_vector_name(unsigned v);
/* Linux x86_64 system call names (until src/trace provides its table). */
const char *repl_syscall_name(uint64_t nr);
/* A #PF error code in words: "not-present page, write, user". */
void repl_pf_words(uint32_t error, char *buf, size_t n);
bool repl_syscall_number(const char *name, uint64_t *nr);

#endif
