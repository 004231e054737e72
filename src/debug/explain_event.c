/* explain, for events: how an exception or interrupt was delivered through
 * the IDT (SDM Vol. 3 §6.12, §6.14 for IA-32e mode), told with the values
 * of this delivery. */
#include <string.h>

#include "desc.h"
#include "explain_int.h"

#define TSS64_RSP0 4
#define TSS64_IST1 36
#define TSS32_ESP0 4

static const char *event_kind(const emu_event *ev)
{
    if (ev->kind == EMU_EV_INTERRUPT) return "an external interrupt";
    if (ev->u.intr.software) return "a software interrupt (INT n, INT3 or INTO)";
    return "an exception raised by the CPU";
}

/* Step 1: the gate. */
static void gate(struct repl *r, const emu_event *ev, bool ia32e, struct desc_info *d)
{
    unsigned v = ev->u.intr.vector, size = ia32e ? 16 : 8;
    uint64_t at = r->m->cpu->idtr.base + (uint64_t)v * size, lo = 0, hi = 0;
    repl_read_linear(r, at, &lo, 8);
    if (ia32e) repl_read_linear(r, at + 8, &hi, 8);
    desc_decode_gate(lo, hi, ia32e, d);
    char text[256];
    desc_format(d, ia32e, text, sizeof(text));
    explain_line(r, 1, "The CPU reads IDT entry %#x at IDTR.base + %#x * %u = %#llx:", v, v, size,
                 (unsigned long long)at);
    explain_line(r, 2, "%s.", text);
    if (ev->kind != EMU_EV_INTERRUPT && ev->u.intr.software)
        explain_line(r, 2, "INT n checks the gate's DPL (%u) against CPL (%u): allowed.", d->dpl,
                     ev->cpl);
}

/* Step 2: the stack the frame goes on. */
static void stack(struct repl *r, const struct step_record *rec, const emu_event *ev, bool ia32e,
                  const struct desc_info *d)
{
    uint64_t tr = rec->before.tr.base;
    if (ia32e && d->ist) {
        explain_line(r, 1, "The gate names IST %u: a stack switch whatever the privilege.", d->ist);
        explain_line(r, 2, "RSP <- TSS.IST%u, read at TR.base + %#x = %#llx", d->ist,
                     TSS64_IST1 + 8 * (d->ist - 1),
                     (unsigned long long)(tr + TSS64_IST1 + 8 * (d->ist - 1)));
    } else if (ev->u.intr.cpl_to < ev->cpl) {
        if (ia32e) {
            explain_line(r, 1, "CPL %u -> %u is a privilege change: a stack switch.", ev->cpl,
                         ev->u.intr.cpl_to);
            explain_line(r, 2, "RSP <- TSS.RSP%u, read at TR.base + %#x = %#llx", ev->u.intr.cpl_to,
                         TSS64_RSP0 + 8 * ev->u.intr.cpl_to,
                         (unsigned long long)(tr + TSS64_RSP0 + 8 * ev->u.intr.cpl_to));
            explain_line(r, 2, "SS <- a null selector (%u), as 64-bit mode does",
                         ev->u.intr.cpl_to);
        } else
            explain_line(r, 1, "CPL %u -> %u is a privilege change: SS:ESP <- TSS.SS%u:ESP%u.",
                         ev->cpl, ev->u.intr.cpl_to, ev->u.intr.cpl_to, ev->u.intr.cpl_to);
    } else {
        explain_line(r, 1, "No privilege change (CPL %u): the frame goes on the current stack.",
                     ev->cpl);
    }
    if (ia32e) explain_line(r, 2, "In IA-32e mode the new RSP is aligned down to 16 bytes first.");
}

/* Step 3: the frame. */
static void frame(struct repl *r, const struct step_record *rec, const emu_event *ev, bool ia32e)
{
    bool outer = ia32e || ev->u.intr.cpl_to < ev->cpl;
    unsigned w = ia32e ? 8 : 4;
    explain_line(r, 1,
                 "It pushes the interrupted context (%u bytes each), ending at RSP = %#llx:", w,
                 (unsigned long long)rec->after.gpr[RSP]);
    if (outer)
        explain_line(r, 2, "SS %#x, RSP %#llx (the interrupted stack)", rec->before.seg[SEG_SS].sel,
                     (unsigned long long)rec->before.gpr[RSP]);
    explain_line(
        r, 2, "RFLAGS %#llx, CS %#x, RIP %#llx (%s)", (unsigned long long)rec->before.rflags,
        rec->before.seg[SEG_CS].sel, (unsigned long long)ev->rip,
        ev->kind == EMU_EV_INTERRUPT || ev->u.intr.software ? "where execution resumes after IRET"
        : ev->u.intr.vector == EXC_DB || ev->u.intr.vector == EXC_OF
            ? "the next instruction: a trap"
            : "the faulting instruction itself: a fault, so IRET retries it");
    if (ev->u.intr.has_error && ev->u.intr.vector == EXC_PF && ev->kind == EMU_EV_EXCEPTION) {
        char words[96];
        repl_pf_words(ev->u.intr.error, words, sizeof(words));
        explain_line(r, 2, "and the error code %#x: %s", ev->u.intr.error, words);
    } else if (ev->u.intr.has_error) {
        explain_line(r, 2, "and the error code %#x", ev->u.intr.error);
    }
}

void explain_delivery(struct repl *r, const struct step_record *rec, const emu_event *ev)
{
    bool ia32e = (rec->before.efer & EFER_LMA) != 0;
    explain_line(r, 0, "%s: %s, delivered through the IDT.", repl_vector_name(ev->u.intr.vector),
                 event_kind(ev));
    if (!(rec->before.cr0 & CR0_PE)) {
        explain_line(r, 1,
                     "Real-address mode: the CPU pushes FLAGS, CS, IP and jumps to the "
                     "CS:IP in the interrupt vector table at %#llx.",
                     (unsigned long long)(rec->before.idtr.base + 4 * ev->u.intr.vector));
        return;
    }
    if (ev->u.intr.vector == EXC_PF && ev->kind == EMU_EV_EXCEPTION)
        explain_line(r, 1, "First CR2 <- %#llx, the linear address that faulted.",
                     (unsigned long long)ev->u.intr.cr2);
    struct desc_info d;
    gate(r, ev, ia32e, &d);
    stack(r, rec, ev, ia32e, &d);
    frame(r, rec, ev, ia32e);
    bool intr_gate = d.type == DESC_TYPE_INT || d.type == DESC_TYPE_INT16;
    explain_line(r, 1, "RFLAGS: TF, NT, RF and VM cleared; IF %s.",
                 intr_gate ? "cleared too (an interrupt gate)" : "kept (a trap gate)");
    char handler[200];
    repl_format_addr(r, ev->u.intr.handler, true, handler, sizeof(handler));
    explain_line(r, 1, "CS <- %#x (from the gate), RIP <- %s; CPL %u -> %u.",
                 ev->u.intr.gate_selector, handler, ev->cpl, ev->u.intr.cpl_to);
    explain_line(r, 1, "The handler returns with IRET%s, which pops this frame.", ia32e ? "Q" : "");
}
