/* Chrome trace-event JSON that ui.perfetto.dev opens (docs/trace.md):
 *   - a process "CPUs" (pid PERFETTO_CPU_PID) with a thread per CPU, whose
 *     slices are the tasks running there (from context switches);
 *   - a process per guest task (its pid; address spaces without a guest
 *     note get PERFETTO_SPACE_PID + n), whose slices are its system calls;
 *   - instant events on the CPU tracks for interrupts, exceptions, page
 *     faults and the other events asked for.
 * Timestamps are virtual time in microseconds with nanosecond digits. */
#include <string.h>

#include "describe.h"
#include "json.h"

#define PERFETTO_CPU_PID   2000000000
#define PERFETTO_SPACE_PID 1000000000
#define NAMED_BITS         (sizeof(((struct tracer *)0)->named_pid) * 8)

/* Starts t->line; the first time, with the file's head and the CPU
 * process's metadata, so every event after it begins with ",\n". */
static void begin_event(struct tracer *t, struct sbuf *b)
{
    sb_reset(b);
    if (t->json_started) return;
    t->json_started = true;
    sb_puts(b, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
    sb_puts(b, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":");
    sb_i64(b, PERFETTO_CPU_PID);
    sb_puts(b, ",\"tid\":0,\"args\":{\"name\":\"CPUs\"}},\n");
    sb_puts(b, "{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":");
    sb_i64(b, PERFETTO_CPU_PID);
    sb_puts(b, ",\"tid\":0,\"args\":{\"sort_index\":-1}}");
}

/* The track id of a task: its pid, or one number per address space. */
static int64_t track_pid(struct tracer *t, const struct task_ref *task)
{
    if (task->pid >= 0) return task->pid;
    for (unsigned i = 0; i < t->nspaces; i++)
        if (t->spaces[i] == task->cr3) return PERFETTO_SPACE_PID + i;
    if (t->nspaces < TRACE_SPACES_MAX) t->spaces[t->nspaces++] = task->cr3;
    return PERFETTO_SPACE_PID + (t->nspaces - 1);
}

static void put_meta(struct sbuf *b, const char *what, int64_t pid, int64_t tid, struct sbuf *name)
{
    sb_printf(b, ",\n{\"name\":\"%s\",\"ph\":\"M\",\"pid\":", what);
    sb_i64(b, pid);
    sb_puts(b, ",\"tid\":");
    sb_i64(b, tid);
    sb_puts(b, ",\"args\":{\"name\":");
    sb_json_str(b, name->p, name->len);
    sb_puts(b, "}}");
}

/* Names a task's process and thread the first time it appears. */
static void name_task(struct tracer *t, struct sbuf *b, const struct task_ref *task)
{
    int64_t pid = track_pid(t, task);
    uint64_t bit =
        task->pid >= 0 ? (uint64_t)task->pid : NAMED_BITS - 1 - (pid - PERFETTO_SPACE_PID);
    if (bit < NAMED_BITS && (t->named_pid[bit / 8] >> (bit % 8) & 1)) return;
    if (bit < NAMED_BITS) t->named_pid[bit / 8] |= (uint8_t)(1u << (bit % 8));
    struct sbuf name = {0};
    task_label(&name, task);
    put_meta(b, "process_name", pid, pid, &name);
    put_meta(b, "thread_name", pid, pid, &name);
    sb_free(&name);
}

static void name_cpu(struct tracer *t, struct sbuf *b, unsigned cpu)
{
    uint64_t bit = NAMED_BITS / 2 + cpu; /* CPUs are few; pids this high are not named */
    if (t->named_pid[bit / 8] >> (bit % 8) & 1) return;
    t->named_pid[bit / 8] |= (uint8_t)(1u << (bit % 8));
    struct sbuf name = {0};
    sb_printf(&name, "CPU %u", cpu);
    put_meta(b, "thread_name", PERFETTO_CPU_PID, cpu, &name);
    sb_free(&name);
}

static void slice_head(struct sbuf *b, struct sbuf *name, const char *cat, uint64_t ts,
                       uint64_t dur, int64_t pid, int64_t tid)
{
    sb_puts(b, ",\n{\"name\":");
    sb_json_str(b, name->p, name->len);
    sb_printf(b, ",\"cat\":\"%s\",\"ph\":\"X\"", cat);
    json_us(b, "ts", ts);
    json_us(b, "dur", dur);
    json_i64(b, "pid", pid);
    json_i64(b, "tid", tid);
}

static void running_slice(struct tracer *t, struct sbuf *b, unsigned cpu, uint64_t end)
{
    const struct cpu_view *v = &t->cpus[cpu];
    struct sbuf name = {0};
    task_label(&name, &v->task);
    name_cpu(t, b, cpu);
    slice_head(b, &name, "sched", v->since_ns, end - v->since_ns, PERFETTO_CPU_PID, cpu);
    sb_puts(b, ",\"args\":{\"pid\":");
    sb_i64(b, track_pid(t, &v->task));
    sb_puts(b, "}}");
    sb_free(&name);
}

static void syscall_slice(struct tracer *t, struct sbuf *b, const struct trace_rec *r,
                          bool returned)
{
    const emu_event *ev = r->ev;
    int64_t pid = track_pid(t, r->task);
    struct sbuf name = {0}, text = {0};
    sysfmt_name(&name, ev->u.sys.nr);
    json_call_text(t, &text, ev, returned);
    name_task(t, b, r->task);
    uint64_t start = returned ? ev->u.sys.entry_time_ns : ev->time_ns;
    slice_head(b, &name, "syscall", start, returned ? ev->time_ns - start : 0, pid, pid);
    sb_puts(b, ",\"args\":{\"call\":");
    sb_json_str(b, text.p, text.len);
    sb_puts(b, "}}");
    sb_free(&name);
    sb_free(&text);
}

static const char *instant_name(const struct trace_rec *r, struct sbuf *tmp)
{
    const emu_event *ev = r->ev;
    if (r->kind == REC_INTR) {
        const char *mn = vector_mnemonic(ev->u.intr.vector);
        if (ev->kind == EMU_EV_EXCEPTION && mn && !ev->u.intr.software) return mn;
        sb_printf(tmp, "%s 0x%x", ev->kind == EMU_EV_INTERRUPT ? "irq" : "int", ev->u.intr.vector);
        return tmp->p;
    }
    return r->kind == REC_PAGE_FAULT ? "page fault" : json_event_name(r);
}

static void instant(struct tracer *t, struct sbuf *b, const struct trace_rec *r)
{
    unsigned cpu = r->ev->cpu;
    struct sbuf tmp = {0}, desc = {0};
    const char *name = instant_name(r, &tmp);
    describe_event(t, &desc, r);
    name_cpu(t, b, cpu);
    sb_puts(b, ",\n{\"name\":");
    sb_json_str(b, name, strlen(name));
    sb_printf(b, ",\"cat\":\"%s\",\"ph\":\"i\",\"s\":\"t\"", json_event_name(r));
    json_us(b, "ts", r->ev->time_ns);
    json_i64(b, "pid", PERFETTO_CPU_PID);
    json_i64(b, "tid", cpu);
    sb_puts(b, ",\"args\":{\"desc\":");
    sb_json_str(b, desc.p ? desc.p : "", desc.len);
    sb_puts(b, "}}");
    sb_free(&tmp);
    sb_free(&desc);
}

static void perfetto_rec(struct tracer *t, const struct trace_rec *r)
{
    struct sbuf *b = &t->line;
    begin_event(t, b);
    switch (r->kind) {
    case REC_SYSCALL_ENTRY:
        if (sysfmt_no_return(r->ev->u.sys.nr)) syscall_slice(t, b, r, false);
        break;
    case REC_SYSCALL_EXIT: syscall_slice(t, b, r, true); break;
    case REC_EXITED: break;
    case REC_SWITCH:
        if (r->ev->cpu < TRACE_MAX_CPUS) running_slice(t, b, r->ev->cpu, r->ev->time_ns);
        name_task(t, b, r->next);
        break;
    default: instant(t, b, r); break;
    }
    tracer_put_line(t, b);
}

static void perfetto_finish(struct tracer *t)
{
    struct sbuf *b = &t->line;
    begin_event(t, b);
    for (unsigned cpu = 0; cpu < TRACE_MAX_CPUS; cpu++)
        if (t->cpus[cpu].known && t->last_ns >= t->cpus[cpu].since_ns)
            running_slice(t, b, cpu, t->last_ns);
    sb_puts(b, "\n]}\n");
    tracer_put_line(t, b);
}

const struct sink sink_perfetto = {perfetto_rec, perfetto_finish};
