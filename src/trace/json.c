#include "json.h"

#include <string.h>

#define NS_PER_US 1000ULL

static void key(struct sbuf *b, const char *k)
{
    sb_puts(b, ",\"");
    sb_puts(b, k);
    sb_puts(b, "\":");
}

void json_str(struct sbuf *b, const char *k, const char *value)
{
    key(b, k);
    sb_json_str(b, value, strlen(value));
}

void json_u64(struct sbuf *b, const char *k, uint64_t v)
{
    key(b, k);
    sb_u64(b, v);
}

void json_i64(struct sbuf *b, const char *k, int64_t v)
{
    key(b, k);
    sb_i64(b, v);
}

void json_hex(struct sbuf *b, const char *k, uint64_t v)
{
    key(b, k);
    sb_putc(b, '"');
    sb_hex(b, v);
    sb_putc(b, '"');
}

void json_bool(struct sbuf *b, const char *k, bool v)
{
    key(b, k);
    sb_puts(b, v ? "true" : "false");
}

void json_sb(struct sbuf *b, const char *k, const struct sbuf *text)
{
    key(b, k);
    sb_json_str(b, text->len ? text->p : "", text->len);
}

void json_us(struct sbuf *b, const char *k, uint64_t ns)
{
    key(b, k);
    sb_printf(b, "%llu.%03llu", (unsigned long long)(ns / NS_PER_US),
              (unsigned long long)(ns % NS_PER_US));
}

void json_call_text(struct tracer *t, struct sbuf *b, const emu_event *ev, bool returned)
{
    uint64_t nr = ev->u.sys.nr;
    sysfmt_name(b, nr);
    sb_putc(b, '(');
    unsigned from = sysfmt_entry(&t->fmt, b, nr, ev->u.sys.args);
    if (returned)
        sysfmt_exit(&t->fmt, b, nr, ev->u.sys.args, from, ev->u.sys.ret);
    else if (from < sysfmt_nargs(nr))
        sb_puts(b, "...");
    sb_puts(b, ") ");
    if (returned || sysfmt_no_return(nr))
        sysfmt_ret(b, nr, ev->u.sys.ret);
    else
        sb_puts(b, "= ?");
}

const char *json_event_name(const struct trace_rec *r)
{
    switch (r->kind) {
    case REC_SYSCALL_ENTRY:
    case REC_SYSCALL_EXIT: return "syscall";
    case REC_EXITED: return "exit";
    case REC_INTR: return r->ev->kind == EMU_EV_INTERRUPT ? "interrupt" : "exception";
    case REC_PAGE_FAULT: return "page_fault";
    case REC_SWITCH: return "switch";
    case REC_TLB: return "tlb";
    case REC_MSR: return "msr";
    case REC_CR: return "cr";
    case REC_IO: return "io";
    case REC_INSN: return "insn";
    case REC_IRQ_RAISE: return "irq_raise";
    }
    return "event";
}
