/* Inside the tracer (tracer.h): its state, the records it hands to an
 * output format, and the functions the files share. */
#ifndef EMU_TRACE_TRACER_INT_H
#define EMU_TRACE_TRACER_INT_H

#include "disasm.h"
#include "elfinfo.h"
#include "sbuf.h"
#include "sysfmt.h"
#include "tracer.h"

#define TRACE_MAX_CPUS    16
#define TRACE_MAX_HOOKS   24
#define TRACE_SPACES_MAX  1024 /* address spaces named in a Perfetto file */
#define TRACE_PENDING_MAX 64
#define CR3_ADDR_MASK     0x000FFFFFFFFFF000ULL

/* Who was running when an event happened. */
struct task_ref {
    int32_t pid;  // from the guest note; -1 when unknown
    uint64_t cr3; // the address space (CR3 without PCID and flag bits)
    uint64_t ptr; // the guest's task struct (0: none or no note)
    char comm[EMU_GUEST_NOTE_COMM_MAX + 1];
};

enum rec_kind {
    REC_SYSCALL_ENTRY, // ev: EMU_EV_SYSCALL_ENTRY
    REC_SYSCALL_EXIT,  // ev: EMU_EV_SYSCALL_EXIT
    REC_EXITED,        // exit/exit_group entered: the task ends (code)
    REC_INTR,          // ev: EMU_EV_INTERRUPT or EMU_EV_EXCEPTION
    REC_PAGE_FAULT,    // ev: EMU_EV_PAGE_FAULT
    REC_SWITCH,        // task -> next (ev: the event that revealed it)
    REC_TLB,
    REC_MSR,
    REC_CR,
    REC_IO, // ev: EMU_EV_PORT_IO or EMU_EV_MMIO
    REC_INSN,
    REC_IRQ_RAISE,
};

struct trace_rec {
    enum rec_kind kind;
    const emu_event *ev;
    const struct task_ref *task; // the running task (REC_SWITCH: the one leaving)
    const struct task_ref *next; // REC_SWITCH: the one arriving
    int64_t code;                // REC_EXITED: the exit status
};

struct tracer;

struct sink {
    void (*rec)(struct tracer *t, const struct trace_rec *r);
    void (*finish)(struct tracer *t);
};

struct sc_stat {
    uint64_t calls, errors, ns;
};

/* The per-CPU view of who runs. */
struct cpu_view {
    bool known;
    struct task_ref task;
    uint64_t since_ns; // when it started running (Perfetto slices)
};

struct tracer {
    emu_machine *m;
    struct trace_opts o;
    FILE *out;
    struct elfinfo elf;
    struct sysfmt fmt;
    struct tdis dis;
    const struct sink *sink;
    emu_hook_id hooks[TRACE_MAX_HOOKS];
    unsigned nhooks;
    unsigned cur_cpu; // the CPU whose memory the decoders read
    struct sbuf line; // the line being built
    /* text: a syscall whose entry was printed without its end */
    struct sbuf open_line;
    bool open;
    struct task_ref open_task;
    uint64_t open_nr;
    /* identity */
    bool task_cache_valid;
    struct task_ref task_cache;
    struct cpu_view cpus[TRACE_MAX_CPUS];
    bool track_switches;
    /* -c */
    struct sc_stat stats[SYSENT_MAX + 1]; // [SYSENT_MAX]: numbers outside the table
    /* JSON: calls entered and not yet returned, to list at the end */
    struct trace_pending {
        struct task_ref task;
        emu_event entry;
    } pending[TRACE_PENDING_MAX];
    unsigned npending;
    /* Perfetto */
    bool json_started;
    uint64_t spaces[TRACE_SPACES_MAX]; // address spaces seen, for track ids
    unsigned nspaces;
    uint8_t named_pid[8192]; // bit per pid: process_name emitted
    uint64_t last_ns;        // latest timestamp seen
};

/* task.c */
void task_current(struct tracer *t, unsigned cpu, uint64_t cr3, struct task_ref *out);
uint64_t task_key(void *ctx, unsigned cpu);
void task_forget(struct tracer *t);
bool task_same(const struct task_ref *a, const struct task_ref *b);
/* "[pid 3] " or "[cr3 0x105000] " */
void task_prefix(struct sbuf *b, const struct task_ref *task);
/* "pid 3 (sh)" or "cr3 0x105000" */
void task_label(struct sbuf *b, const struct task_ref *task);

/* The output formats. */
extern const struct sink sink_text, sink_jsonl, sink_perfetto;

/* summary.c */
void summary_count_exit(struct tracer *t, const emu_event *ev);
void summary_count_noreturn(struct tracer *t, uint64_t nr);
void summary_print(struct tracer *t);
void tlb_stats_print(struct tracer *t);

/* The mode an instruction at the CPU's current state decodes in. */
enum dis_mode tracer_insn_mode(struct tracer *t, unsigned cpu);

/* Writes t->line to the output. */
void tracer_put_line(struct tracer *t, struct sbuf *b);

/* Text describing an event's detail, shared by text and JSON formats:
 * everything between "--- " and " ---" in a text line. */
void describe_event(struct tracer *t, struct sbuf *b, const struct trace_rec *r);

#endif
