/* describe_event (tracer_int.h): the words for every event that is not a
 * system call, shared by the text lines and the "desc" field of JSON. */
#include "describe.h"
#include "tracer_int.h"

#define INSN_MAX              15
#define EFER_LMA              (1ULL << 10)
#define CR0_PE                1ULL
#define DESC_L                (1ULL << 53)
#define DESC_DB               (1ULL << 54)
#define SEL_TI                4u
#define FIRST_EXTERNAL_VECTOR 32

/* " <symbol+0x12>" when the kernel's symbols cover addr. */
static void symbol(struct tracer *t, struct sbuf *b, uint64_t addr)
{
    size_t mark = b->len;
    sb_puts(b, " <");
    if (elfinfo_symbolize(&t->elf, b, addr)) {
        sb_putc(b, '>');
    } else {
        b->len = mark;
        b->p[mark] = '\0';
    }
}

static void describe_intr(struct tracer *t, struct sbuf *b, const emu_event *ev)
{
    unsigned v = ev->u.intr.vector;
    const char *mn = vector_mnemonic(v);
    if (ev->kind == EMU_EV_INTERRUPT) {
        sb_printf(b, "interrupt 0x%x (", v);
        describe_irq_source(b, ev->u.intr.source, ev->u.intr.pin);
        sb_putc(b, ')');
    } else if (ev->u.intr.software && (v >= FIRST_EXTERNAL_VECTOR || !mn)) {
        sb_printf(b, "int 0x%x", v);
    } else if (mn) {
        sb_printf(b, "%s %s", mn, vector_name(v));
    } else {
        sb_printf(b, "exception 0x%x", v);
    }
    if (ev->u.intr.has_error) {
        sb_printf(b, ", error 0x%x (", ev->u.intr.error);
        if (v == VEC_PF)
            describe_pf_error(b, ev->u.intr.error);
        else if (vector_has_selector_error(v))
            describe_selector_error(b, ev->u.intr.error);
        else
            sb_hex(b, ev->u.intr.error);
        sb_putc(b, ')');
    }
    if (v == VEC_PF && ev->kind == EMU_EV_EXCEPTION) {
        sb_puts(b, ", cr2 ");
        sb_hex(b, ev->u.intr.cr2);
    }
    sb_puts(b, ", at ");
    sb_hex(b, ev->rip);
    symbol(t, b, ev->rip);
    sb_printf(b, ", cpl %u->%u, handler ", ev->cpl, ev->u.intr.cpl_to);
    sb_hex(b, ev->u.intr.handler);
    symbol(t, b, ev->u.intr.handler);
}

static void describe_reg(struct sbuf *b, const emu_event *ev)
{
    if (ev->kind == EMU_EV_CR_WRITE) {
        sb_printf(b, "mov cr%u ", ev->u.reg.reg);
    } else {
        const char *name = emu_msr_name(ev->u.reg.reg);
        sb_puts(b, "wrmsr ");
        if (name)
            sb_printf(b, "%s ", name);
        else
            sb_printf(b, "MSR 0x%x ", ev->u.reg.reg);
    }
    sb_hex(b, ev->u.reg.old_value);
    sb_puts(b, " -> ");
    sb_hex(b, ev->u.reg.new_value);
    size_t mark = b->len;
    sb_puts(b, " (");
    size_t inner = b->len;
    describe_reg_change(b, ev->kind, ev->u.reg.reg, ev->u.reg.old_value, ev->u.reg.new_value);
    if (b->len == inner) {
        b->len = mark;
        b->p[mark] = '\0';
    } else {
        sb_putc(b, ')');
    }
}

static void describe_io(struct sbuf *b, const emu_event *ev)
{
    bool port = ev->kind == EMU_EV_PORT_IO;
    if (port)
        sb_puts(b, ev->u.io.write ? "out " : "in ");
    else
        sb_puts(b, ev->u.io.write ? "mmio write " : "mmio read ");
    sb_hex(b, ev->u.io.addr);
    sb_printf(b, " (%s) %s ", ev->u.io.device ? ev->u.io.device : "no device",
              ev->u.io.write ? "<-" : "->");
    sb_hex(b, ev->u.io.value);
    sb_printf(b, ", %u byte%s", ev->u.io.size, ev->u.io.size == 1 ? "" : "s");
}

static void describe_tlb(struct sbuf *b, const emu_event *ev)
{
    sb_printf(b, "tlb %s %s", tlb_op_name(ev->u.tlb.op), ev->u.tlb.instruction ? "itlb" : "dtlb");
    if (ev->u.tlb.op == EMU_TLB_FLUSH) {
        sb_printf(b, " (%s)", tlb_cause_name(ev->u.tlb.cause));
        if (ev->u.tlb.lin) {
            sb_putc(b, ' ');
            sb_hex(b, ev->u.tlb.lin);
        }
    } else {
        sb_putc(b, ' ');
        sb_hex(b, ev->u.tlb.lin);
        if (ev->u.tlb.op != EMU_TLB_MISS) {
            sb_puts(b, " -> ");
            sb_hex(b, ev->u.tlb.pa);
        }
    }
    sb_printf(b, " pcid %u%s", ev->u.tlb.pcid, ev->u.tlb.global ? " global" : "");
}

enum dis_mode tracer_insn_mode(struct tracer *t, unsigned cpu)
{
    emu_sregs s;
    if (emu_cpu_get_sregs(t->m, cpu, &s) != EMU_OK || !(s.cr0 & CR0_PE)) return DIS_REAL16;
    uint64_t desc = 0;
    size_t done = 0;
    if (!(s.cs & SEL_TI))
        emu_virt_read(t->m, cpu, s.gdt_base + (s.cs & ~7u), &desc, sizeof(desc), &done);
    if (s.efer & EFER_LMA) {
        if (desc & DESC_L) return DIS_LONG64;
        return (desc & DESC_DB) ? DIS_COMPAT32 : DIS_COMPAT16;
    }
    return (desc & DESC_DB) ? DIS_PROT32 : DIS_PROT16;
}

static void describe_insn(struct tracer *t, struct sbuf *b, const emu_event *ev)
{
    uint8_t bytes[INSN_MAX];
    size_t len = ev->u.insn.len <= INSN_MAX ? ev->u.insn.len : INSN_MAX, done = 0;
    sb_hex(b, ev->rip);
    symbol(t, b, ev->rip);
    sb_puts(b, ": ");
    emu_virt_read(t->m, ev->cpu, ev->rip, bytes, len, &done);
    tdis_format(&t->dis, b, tracer_insn_mode(t, ev->cpu), bytes, done, ev->rip);
}

void describe_event(struct tracer *t, struct sbuf *b, const struct trace_rec *r)
{
    const emu_event *ev = r->ev;
    switch (r->kind) {
    case REC_INTR: describe_intr(t, b, ev); break;
    case REC_PAGE_FAULT:
        sb_puts(b, "page fault at ");
        sb_hex(b, ev->u.pf.lin);
        sb_puts(b, " (");
        describe_pf_error(b, ev->u.pf.error);
        sb_puts(b, "), rip ");
        sb_hex(b, ev->rip);
        symbol(t, b, ev->rip);
        break;
    case REC_SWITCH:
        sb_puts(b, "switch to ");
        task_label(b, r->next);
        break;
    case REC_MSR:
    case REC_CR: describe_reg(b, ev); break;
    case REC_IO: describe_io(b, ev); break;
    case REC_TLB: describe_tlb(b, ev); break;
    case REC_INSN: describe_insn(t, b, ev); break;
    case REC_IRQ_RAISE:
        sb_puts(b, "irq raised: ");
        describe_irq_source(b, ev->u.irq.source, ev->u.irq.pin);
        if (ev->u.irq.vector >= 0) sb_printf(b, " (vector 0x%x)", ev->u.irq.vector);
        break;
    default: break;
    }
}
