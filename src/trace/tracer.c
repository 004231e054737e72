/* The tracer's hooks (tracer.h): each event is attributed to the running
 * task, checked against the filters, and handed to the output format as a
 * trace_rec. Context switches are noticed when the running task differs
 * from the one last seen on that CPU. */
#include <stdlib.h>
#include <string.h>

#include "tracer_int.h"

#define NR_EXECVE   59
#define NR_EXECVEAT 322
#define CR3         3

static uint64_t current_cr3(struct tracer *t, unsigned cpu)
{
    emu_sregs s;
    return emu_cpu_get_sregs(t->m, cpu, &s) == EMU_OK ? s.cr3 : 0;
}

static size_t guest_read(void *ctx, uint64_t lin, void *buf, size_t len)
{
    struct tracer *t = ctx;
    size_t done = 0;
    emu_virt_read(t->m, t->cur_cpu, lin, buf, len, &done);
    return done;
}

static bool in_window(const struct tracer *t, const emu_event *ev)
{
    return ev->icount >= t->o.after && (!t->o.until || ev->icount < t->o.until);
}

static bool pid_ok(const struct tracer *t, const struct task_ref *task)
{
    if (!t->o.npids) return true;
    for (unsigned i = 0; i < t->o.npids; i++)
        if (task->pid == t->o.pids[i]) return true;
    return false;
}

static bool cpl_ok(const struct tracer *t, unsigned cpl)
{
    return !t->o.cpl_mask || (t->o.cpl_mask >> cpl & 1);
}

static bool range_ok(const struct tracer *t, uint64_t addr)
{
    if (!t->o.nranges) return true;
    for (unsigned i = 0; i < t->o.nranges; i++)
        if (addr >= t->o.ranges[i].lo && addr <= t->o.ranges[i].hi) return true;
    return false;
}

static void emit(struct tracer *t, enum rec_kind kind, const emu_event *ev,
                 const struct task_ref *task)
{
    struct trace_rec r = {kind, ev, task, NULL, 0};
    t->cur_cpu = ev->cpu;
    t->last_ns = ev->time_ns > t->last_ns ? ev->time_ns : t->last_ns;
    t->sink->rec(t, &r);
}

/* Reports a switch if `now` is not the task last seen on ev's CPU. */
static void note_running(struct tracer *t, const emu_event *ev, const struct task_ref *now)
{
    if (!t->track_switches || ev->cpu >= TRACE_MAX_CPUS) return;
    struct cpu_view *v = &t->cpus[ev->cpu];
    if (v->known && task_same(&v->task, now)) return;
    if (v->known && in_window(t, ev) && (pid_ok(t, &v->task) || pid_ok(t, now))) {
        struct trace_rec r = {REC_SWITCH, ev, &v->task, now, 0};
        t->sink->rec(t, &r);
    }
    v->known = true;
    v->task = *now;
    v->since_ns = ev->time_ns;
}

/* The running task for an event (cr3: its address space, 0 to ask). */
static void identify(struct tracer *t, const emu_event *ev, uint64_t cr3, struct task_ref *out)
{
    task_current(t, ev->cpu, cr3 ? cr3 : current_cr3(t, ev->cpu), out);
    note_running(t, ev, out);
}

static void on_syscall_entry(void *ctx, const emu_event *ev)
{
    struct tracer *t = ctx;
    struct task_ref task;
    identify(t, ev, ev->u.sys.cr3, &task);
    uint64_t nr = ev->u.sys.nr;
    if (!in_window(t, ev) || !pid_ok(t, &task) ||
        (t->o.syscall_filter && (nr >= SYSENT_MAX || !t->o.syscall_set[nr])))
        return;
    bool ends = sysfmt_no_return(nr);
    if (ends) summary_count_noreturn(t, nr);
    if (t->o.summary == TRACE_SUMMARY_ONLY) return;
    emit(t, REC_SYSCALL_ENTRY, ev, &task);
    if (ends) {
        struct trace_rec r = {REC_EXITED, ev, &task, NULL, (int64_t)(ev->u.sys.args[0] & 0xff)};
        t->sink->rec(t, &r);
    }
}

static void on_syscall_exit(void *ctx, const emu_event *ev)
{
    struct tracer *t = ctx;
    uint64_t nr = ev->u.sys.nr;
    if (nr == NR_EXECVE || nr == NR_EXECVEAT) task_forget(t); /* the same task has a new name */
    struct task_ref task;
    identify(t, ev, ev->u.sys.cr3, &task);
    if (!in_window(t, ev) || !pid_ok(t, &task) ||
        (t->o.syscall_filter && (nr >= SYSENT_MAX || !t->o.syscall_set[nr])))
        return;
    summary_count_exit(t, ev);
    if (t->o.summary != TRACE_SUMMARY_ONLY) emit(t, REC_SYSCALL_EXIT, ev, &task);
}

static void on_intr(void *ctx, const emu_event *ev)
{
    struct tracer *t = ctx;
    struct task_ref task;
    identify(t, ev, 0, &task);
    unsigned want = ev->kind == EMU_EV_INTERRUPT ? TR_INTERRUPTS : TR_EXCEPTIONS;
    if (!(t->o.what & want) || !in_window(t, ev) || !pid_ok(t, &task) || !cpl_ok(t, ev->cpl) ||
        (t->o.vector_filter && !t->o.vector_set[ev->u.intr.vector]) || !range_ok(t, ev->rip))
        return;
    emit(t, REC_INTR, ev, &task);
}

static void on_page_fault(void *ctx, const emu_event *ev)
{
    struct tracer *t = ctx;
    struct task_ref task;
    identify(t, ev, 0, &task);
    if (in_window(t, ev) && pid_ok(t, &task) && cpl_ok(t, ev->cpl) && range_ok(t, ev->u.pf.lin))
        emit(t, REC_PAGE_FAULT, ev, &task);
}

/* Every CR write: a CR3 load may bring another task (the guest note asks
 * kernels to update their current pointer first), and --cr lines. */
static void on_cr_write(void *ctx, const emu_event *ev)
{
    struct tracer *t = ctx;
    struct task_ref task;
    if (ev->u.reg.reg == CR3) task_forget(t);
    identify(t, ev, ev->u.reg.reg == CR3 ? ev->u.reg.new_value : 0, &task);
    if ((t->o.what & TR_CR) && in_window(t, ev) && pid_ok(t, &task) && cpl_ok(t, ev->cpl))
        emit(t, REC_CR, ev, &task);
}

/* Without a guest note, an address-space switch is the context switch. */
static void on_cr3_switch(void *ctx, const emu_event *ev)
{
    struct tracer *t = ctx;
    struct task_ref task;
    task_current(t, ev->cpu, ev->u.reg.new_value, &task);
    note_running(t, ev, &task);
}

/* The rest: one record kind per event kind, with the address the range
 * filter applies to. */
static void on_other(void *ctx, const emu_event *ev)
{
    struct tracer *t = ctx;
    struct task_ref task;
    identify(t, ev, 0, &task);
    enum rec_kind kind;
    uint64_t addr = ev->rip;
    switch (ev->kind) {
    case EMU_EV_MSR_WRITE: kind = REC_MSR; break;
    case EMU_EV_TLB:
        kind = REC_TLB;
        addr = ev->u.tlb.lin;
        break;
    case EMU_EV_PORT_IO:
    case EMU_EV_MMIO:
        kind = REC_IO;
        addr = ev->u.io.addr;
        break;
    case EMU_EV_INSN: kind = REC_INSN; break;
    case EMU_EV_IRQ_RAISE: kind = REC_IRQ_RAISE; break;
    default: return;
    }
    if (in_window(t, ev) && pid_ok(t, &task) && cpl_ok(t, ev->cpl) && range_ok(t, addr))
        emit(t, kind, ev, &task);
}

static bool subscribe(struct tracer *t, emu_event_kind kind, emu_hook_fn fn)
{
    if (t->nhooks == TRACE_MAX_HOOKS) return false;
    emu_hook_id id = emu_hook_add(t->m, kind, fn, t);
    if (id <= 0) return false;
    t->hooks[t->nhooks++] = id;
    return true;
}

static bool subscribe_all(struct tracer *t)
{
    unsigned w = t->o.what;
    bool ok = true;
    bool syscalls = (w & TR_SYSCALLS) || t->o.summary != TRACE_SUMMARY_NONE;
    if (syscalls) {
        ok &= subscribe(t, EMU_EV_SYSCALL_ENTRY, on_syscall_entry);
        ok &= subscribe(t, EMU_EV_SYSCALL_EXIT, on_syscall_exit);
        if (t->elf.has_note) emu_hook_set_task_key(t->m, task_key, t);
    }
    if (w & TR_INTERRUPTS) ok &= subscribe(t, EMU_EV_INTERRUPT, on_intr);
    if (w & TR_EXCEPTIONS) ok &= subscribe(t, EMU_EV_EXCEPTION, on_intr);
    if (w & TR_PAGE_FAULTS) ok &= subscribe(t, EMU_EV_PAGE_FAULT, on_page_fault);
    if (t->elf.has_note || (w & TR_CR)) ok &= subscribe(t, EMU_EV_CR_WRITE, on_cr_write);
    if (!t->elf.has_note && t->track_switches) ok &= subscribe(t, EMU_EV_CR3_SWITCH, on_cr3_switch);
    static const struct {
        unsigned bit;
        emu_event_kind kind;
    } others[] = {
        {TR_MSR, EMU_EV_MSR_WRITE}, {TR_TLB, EMU_EV_TLB},    {TR_IO, EMU_EV_PORT_IO},
        {TR_IO, EMU_EV_MMIO},       {TR_INSNS, EMU_EV_INSN}, {TR_IRQ_RAISE, EMU_EV_IRQ_RAISE},
    };
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
        if (w & others[i].bit) ok &= subscribe(t, others[i].kind, on_other);
    return ok;
}

static const struct sink *sink_for(enum trace_format f)
{
    switch (f) {
    case TRACE_JSONL: return &sink_jsonl;
    case TRACE_PERFETTO: return &sink_perfetto;
    default: return &sink_text;
    }
}

struct tracer *tracer_attach(emu_machine *m, const struct trace_opts *o, const void *kernel,
                             size_t size, FILE *out, char *err, size_t errlen)
{
    struct tracer *t = calloc(1, sizeof(*t));
    if (!t || (kernel && !elfinfo_load(&t->elf, kernel, size))) {
        snprintf(err, errlen, "out of memory");
        free(t);
        return NULL;
    }
    t->m = m;
    t->o = *o;
    t->out = out;
    t->sink = sink_for(o->format);
    t->track_switches = (o->what & TR_CTXSW) || o->format == TRACE_PERFETTO;
    t->fmt.strsize = o->strsize;
    t->fmt.mem = (struct guest_reader){guest_read, t};
    if (o->what & TR_INSNS) tdis_init(&t->dis);
    if (!subscribe_all(t)) {
        snprintf(err, errlen, "cannot subscribe to the machine's events");
        tracer_free(t);
        return NULL;
    }
    return t;
}

void tracer_put_line(struct tracer *t, struct sbuf *b)
{
    fwrite(b->p, 1, b->len, t->out);
}

void tracer_finish(struct tracer *t)
{
    t->sink->finish(t);
    if (t->o.summary != TRACE_SUMMARY_NONE) summary_print(t);
    if (t->o.what & TR_TLB) tlb_stats_print(t);
    fflush(t->out);
}

void tracer_free(struct tracer *t)
{
    if (!t) return;
    for (unsigned i = 0; i < t->nhooks; i++)
        emu_hook_remove(t->m, t->hooks[i]);
    if (t->elf.has_note) emu_hook_set_task_key(t->m, NULL, NULL);
    elfinfo_free(&t->elf);
    sb_free(&t->line);
    sb_free(&t->open_line);
    free(t);
}
