/* The text format: strace's lines for system calls ("[pid 3] write(1,
 * \"hi\\n\", 3) = 3", with "<unfinished ...>" and "<... write resumed>"
 * when another line comes between a call's entry and its end), and
 * "--- ... ---" lines for everything else. */
#include "tracer_int.h"

#define NS_PER_SEC  1000000000ULL
#define NS_PER_USEC 1000ULL

static void prefix(struct tracer *t, struct sbuf *b, const struct trace_rec *r)
{
    if (t->o.timestamps) {
        uint64_t ns = r->ev->time_ns;
        sb_printf(b, "%llu.%09llu ", (unsigned long long)(ns / NS_PER_SEC),
                  (unsigned long long)(ns % NS_PER_SEC));
    }
    task_prefix(b, r->task);
}

/* Ends a pending entry line: another line is about to be written. */
static void close_open(struct tracer *t)
{
    if (!t->open) return;
    sb_puts(&t->open_line, " <unfinished ...>\n");
    tracer_put_line(t, &t->open_line);
    sb_reset(&t->open_line);
    t->open = false;
}

/* ") = ret" aligned as strace aligns it, the -T time, the newline. */
static void finish_call(struct tracer *t, struct sbuf *b, const emu_event *ev, bool returned)
{
    sb_putc(b, ')');
    if (b->len < SYSFMT_RET_COLUMN)
        sb_pad_to(b, SYSFMT_RET_COLUMN);
    else
        sb_putc(b, ' ');
    sysfmt_ret(b, ev->u.sys.nr, ev->u.sys.ret);
    if (t->o.syscall_times && returned) {
        uint64_t ns = ev->time_ns - ev->u.sys.entry_time_ns;
        sb_printf(b, " <%llu.%06llu>", (unsigned long long)(ns / NS_PER_SEC),
                  (unsigned long long)(ns % NS_PER_SEC / NS_PER_USEC));
    }
    sb_putc(b, '\n');
}

static void syscall_entry(struct tracer *t, const struct trace_rec *r)
{
    const emu_event *ev = r->ev;
    close_open(t);
    struct sbuf *b = &t->open_line;
    sb_reset(b);
    prefix(t, b, r);
    sysfmt_name(b, ev->u.sys.nr);
    sb_putc(b, '(');
    sysfmt_entry(&t->fmt, b, ev->u.sys.nr, ev->u.sys.args);
    if (sysfmt_no_return(ev->u.sys.nr)) {
        finish_call(t, b, ev, false);
        tracer_put_line(t, b);
        return;
    }
    t->open = true;
    t->open_task = *r->task;
    t->open_nr = ev->u.sys.nr;
}

static void syscall_exit(struct tracer *t, const struct trace_rec *r)
{
    const emu_event *ev = r->ev;
    struct sbuf *b = &t->open_line;
    if (!t->open || t->open_nr != ev->u.sys.nr || !task_same(&t->open_task, r->task)) {
        close_open(t);
        sb_reset(b);
        prefix(t, b, r);
        sb_puts(b, "<... ");
        sysfmt_name(b, ev->u.sys.nr);
        sb_puts(b, " resumed>");
    }
    t->open = false;
    sysfmt_exit(&t->fmt, b, ev->u.sys.nr, ev->u.sys.args, sysfmt_split(ev->u.sys.nr),
                ev->u.sys.ret);
    finish_call(t, b, ev, true);
    tracer_put_line(t, b);
    sb_reset(b);
}

static void text_rec(struct tracer *t, const struct trace_rec *r)
{
    if (r->kind == REC_SYSCALL_ENTRY) {
        syscall_entry(t, r);
        return;
    }
    if (r->kind == REC_SYSCALL_EXIT) {
        syscall_exit(t, r);
        return;
    }
    close_open(t);
    struct sbuf *b = &t->line;
    sb_reset(b);
    prefix(t, b, r);
    if (r->kind == REC_EXITED) {
        sb_printf(b, "+++ exited with %lld +++\n", (long long)r->code);
    } else if (r->kind == REC_INSN) {
        describe_event(t, b, r);
        sb_putc(b, '\n');
    } else {
        sb_puts(b, "--- ");
        describe_event(t, b, r);
        sb_puts(b, " ---\n");
    }
    tracer_put_line(t, b);
}

static void text_finish(struct tracer *t)
{
    close_open(t);
}

const struct sink sink_text = {text_rec, text_finish};
