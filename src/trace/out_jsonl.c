/* JSON lines (docs/trace.md has the schema): one object per event, fields
 * common to all first. A system call is one object when it returns (calls
 * that never return -- exit, or still blocked when the run ends -- get one
 * with "ret": null). */
#include <string.h>

#include "describe.h"
#include "json.h"

static void common(struct tracer *t, struct sbuf *b, const struct trace_rec *r)
{
    (void)t;
    const emu_event *ev = r->ev;
    sb_puts(b, "{\"ns\":");
    sb_u64(b, ev->time_ns);
    json_u64(b, "icount", ev->icount);
    json_u64(b, "cpu", ev->cpu);
    if (r->task->pid >= 0) {
        json_i64(b, "pid", r->task->pid);
        json_str(b, "comm", r->task->comm);
    } else {
        sb_puts(b, ",\"pid\":null");
    }
    json_hex(b, "cr3", r->task->cr3);
    json_str(b, "event", json_event_name(r));
}

static void syscall_fields(struct tracer *t, struct sbuf *b, const emu_event *ev, bool returned)
{
    uint64_t nr = ev->u.sys.nr;
    struct sbuf tmp = {0};
    sysfmt_name(&tmp, nr);
    json_sb(b, "name", &tmp);
    json_u64(b, "nr", nr);
    sb_puts(b, ",\"args\":[");
    unsigned shown = 0;
    for (unsigned i = 0; i < sysfmt_nargs(nr); i++) {
        sb_reset(&tmp);
        bool late = i >= sysfmt_split(nr);
        if ((late && !returned) || !sysfmt_arg(&t->fmt, &tmp, nr, ev->u.sys.args, i, ev->u.sys.ret))
            continue;
        if (shown++) sb_putc(b, ',');
        sb_json_str(b, tmp.len ? tmp.p : "", tmp.len);
    }
    sb_putc(b, ']');
    if (returned) {
        json_i64(b, "ret", (int64_t)ev->u.sys.ret);
        if (sysfmt_is_error(ev->u.sys.ret)) {
            sb_reset(&tmp);
            sysfmt_ret(&tmp, nr, ev->u.sys.ret);
            json_sb(b, "error", &tmp);
        }
        json_u64(b, "entry_ns", ev->u.sys.entry_time_ns);
        json_u64(b, "entry_icount", ev->u.sys.entry_icount);
        json_u64(b, "duration_ns", ev->time_ns - ev->u.sys.entry_time_ns);
    } else {
        sb_puts(b, ",\"ret\":null");
    }
    sb_reset(&tmp);
    json_call_text(t, &tmp, ev, returned);
    json_sb(b, "text", &tmp);
    sb_free(&tmp);
}

static void intr_fields(struct sbuf *b, const emu_event *ev)
{
    json_u64(b, "vector", ev->u.intr.vector);
    const char *mn = vector_mnemonic(ev->u.intr.vector);
    if (ev->kind == EMU_EV_EXCEPTION && mn && !ev->u.intr.software) json_str(b, "mnemonic", mn);
    if (ev->u.intr.has_error) json_hex(b, "error_code", ev->u.intr.error);
    if (ev->kind == EMU_EV_EXCEPTION && ev->u.intr.vector == VEC_PF)
        json_hex(b, "cr2", ev->u.intr.cr2);
    json_hex(b, "rip", ev->rip);
    json_u64(b, "cpl_from", ev->cpl);
    json_u64(b, "cpl_to", ev->u.intr.cpl_to);
    json_hex(b, "handler", ev->u.intr.handler);
    json_u64(b, "gate_type", ev->u.intr.gate_type);
    json_u64(b, "ist", ev->u.intr.ist);
    if (ev->kind == EMU_EV_INTERRUPT) {
        json_str(b, "source", irq_source_name(ev->u.intr.source));
        json_i64(b, "pin", ev->u.intr.pin);
    }
    json_bool(b, "software", ev->u.intr.software);
}

static void kind_fields(struct tracer *t, struct sbuf *b, const struct trace_rec *r)
{
    const emu_event *ev = r->ev;
    switch (r->kind) {
    case REC_EXITED: json_i64(b, "code", r->code); break;
    case REC_INTR: intr_fields(b, ev); break;
    case REC_PAGE_FAULT:
        json_hex(b, "addr", ev->u.pf.lin);
        json_hex(b, "error_code", ev->u.pf.error);
        json_hex(b, "rip", ev->rip);
        break;
    case REC_SWITCH:
        if (r->next->pid >= 0) {
            json_i64(b, "to_pid", r->next->pid);
            json_str(b, "to_comm", r->next->comm);
        }
        json_hex(b, "to_cr3", r->next->cr3);
        break;
    case REC_MSR:
    case REC_CR:
        json_u64(b, "reg", ev->u.reg.reg);
        json_hex(b, "old", ev->u.reg.old_value);
        json_hex(b, "new", ev->u.reg.new_value);
        break;
    case REC_IO:
        json_str(b, "space", ev->kind == EMU_EV_PORT_IO ? "port" : "mmio");
        json_hex(b, "addr", ev->u.io.addr);
        json_hex(b, "value", ev->u.io.value);
        json_u64(b, "size", ev->u.io.size);
        json_bool(b, "write", ev->u.io.write);
        json_str(b, "device", ev->u.io.device ? ev->u.io.device : "");
        break;
    case REC_TLB:
        json_str(b, "op", tlb_op_name(ev->u.tlb.op));
        json_str(b, "tlb", ev->u.tlb.instruction ? "itlb" : "dtlb");
        json_hex(b, "lin", ev->u.tlb.lin);
        json_hex(b, "pa", ev->u.tlb.pa);
        json_u64(b, "pcid", ev->u.tlb.pcid);
        json_bool(b, "global", ev->u.tlb.global);
        break;
    case REC_INSN:
        json_hex(b, "rip", ev->rip);
        json_u64(b, "len", ev->u.insn.len);
        break;
    case REC_IRQ_RAISE:
        json_str(b, "source", irq_source_name(ev->u.irq.source));
        json_i64(b, "pin", ev->u.irq.pin);
        json_i64(b, "vector", ev->u.irq.vector);
        break;
    default: break;
    }
    (void)t;
}

static void remember(struct tracer *t, const struct trace_rec *r)
{
    if (t->npending < TRACE_PENDING_MAX)
        t->pending[t->npending++] = (struct trace_pending){*r->task, *r->ev};
}

static void forget(struct tracer *t, const struct trace_rec *r)
{
    for (unsigned i = 0; i < t->npending; i++) {
        if (task_same(&t->pending[i].task, r->task) &&
            t->pending[i].entry.u.sys.nr == r->ev->u.sys.nr) {
            t->pending[i] = t->pending[--t->npending];
            return;
        }
    }
}

static void jsonl_rec(struct tracer *t, const struct trace_rec *r)
{
    bool noreturn = r->kind == REC_SYSCALL_ENTRY && sysfmt_no_return(r->ev->u.sys.nr);
    if (r->kind == REC_SYSCALL_ENTRY && !noreturn) {
        remember(t, r);
        return;
    }
    if (r->kind == REC_SYSCALL_EXIT) forget(t, r);
    struct sbuf *b = &t->line;
    sb_reset(b);
    common(t, b, r);
    if (r->kind == REC_SYSCALL_ENTRY || r->kind == REC_SYSCALL_EXIT)
        syscall_fields(t, b, r->ev, r->kind == REC_SYSCALL_EXIT);
    else
        kind_fields(t, b, r);
    if (r->kind != REC_SYSCALL_ENTRY && r->kind != REC_SYSCALL_EXIT && r->kind != REC_EXITED) {
        struct sbuf d = {0};
        describe_event(t, &d, r);
        json_sb(b, "desc", &d);
        sb_free(&d);
    }
    sb_puts(b, "}\n");
    tracer_put_line(t, b);
}

static void jsonl_finish(struct tracer *t)
{
    for (unsigned i = 0; i < t->npending; i++) {
        struct trace_rec r = {REC_SYSCALL_ENTRY, &t->pending[i].entry, &t->pending[i].task, NULL,
                              0};
        struct sbuf *b = &t->line;
        sb_reset(b);
        common(t, b, &r);
        syscall_fields(t, b, r.ev, false);
        json_bool(b, "unfinished", true);
        sb_puts(b, "}\n");
        tracer_put_line(t, b);
    }
    t->npending = 0;
}

const struct sink sink_jsonl = {jsonl_rec, jsonl_finish};
