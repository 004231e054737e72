/* explain: the last step in architectural terms. A step is an instruction
 * (which may fault, trap or make a system call) or an event delivery;
 * system instructions have their own story (explain_sys.c), deliveries
 * theirs (explain_event.c), and everything else gets its operands, flags
 * and memory spelled out from Zydis's operand information. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "explain_int.h"

void explain_line(struct repl *r, int depth, const char *fmt, ...)
{
    repl_break_guest_line(r);
    va_list ap;
    va_start(ap, fmt);
    fprintf(r->out, "%*s", 2 + 2 * depth, "");
    vfprintf(r->out, fmt, ap);
    fputc('\n', r->out);
    va_end(ap);
}

static void flags_line(struct repl *r, const char *what, uint32_t mask)
{
    if (!mask) return;
    char names[128];
    arch_format_flag_mask(mask, names, sizeof(names));
    explain_line(r, 1, "%s: %s", what, names);
}

/* The value of a Zydis register in a state (general registers only). */
static bool gpr_of(ZydisRegister reg, const struct arch_state *s, uint64_t *v)
{
    ZydisRegister full = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, reg);
    if (ZydisRegisterGetClass(full) != ZYDIS_REGCLASS_GPR64) return false;
    *v = s->gpr[ZydisRegisterGetId(full)];
    return true;
}

static void operand(struct repl *r, const struct step_record *rec, const ZydisDecodedOperand *op)
{
    const char *access = (op->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) &&
                                 (op->actions & ZYDIS_OPERAND_ACTION_MASK_READ)
                             ? "reads and writes"
                         : (op->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) ? "writes"
                                                                           : "reads";
    uint64_t a, b;
    switch (op->type) {
    case ZYDIS_OPERAND_TYPE_REGISTER:
        if (gpr_of(op->reg.value, &rec->before, &a) && gpr_of(op->reg.value, &rec->after, &b) &&
            (op->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE))
            explain_line(r, 1, "%s %s (%u bits): %#llx -> %#llx", access,
                         ZydisRegisterGetString(op->reg.value), op->size, (unsigned long long)a,
                         (unsigned long long)b);
        else if (gpr_of(op->reg.value, &rec->before, &a))
            explain_line(r, 1, "%s %s (%u bits) = %#llx", access,
                         ZydisRegisterGetString(op->reg.value), op->size, (unsigned long long)a);
        else
            explain_line(r, 1, "%s %s", access, ZydisRegisterGetString(op->reg.value));
        break;
    case ZYDIS_OPERAND_TYPE_MEMORY:
        explain_line(r, 1, "%s %u bytes of memory%s", access, op->size / 8,
                     (op->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) && rec->nwrites
                         ? " (see the writes below)"
                         : "");
        break;
    case ZYDIS_OPERAND_TYPE_IMMEDIATE: {
        unsigned bits = rec->insn.zi.operand_width;
        uint64_t v = op->imm.value.u;
        if (bits && bits < 64) v &= (1ULL << bits) - 1;
        explain_line(r, 1, "uses the constant %#llx", (unsigned long long)v);
        break;
    }
    default: break;
    }
}

static void generic(struct repl *r, const struct step_record *rec)
{
    const struct dis_insn *in = &rec->insn;
    explain_line(r, 0, "%s (%u bytes at %#llx):", in->text, in->len,
                 (unsigned long long)rec->before.rip);
    for (unsigned i = 0; i < in->zi.operand_count_visible; i++)
        operand(r, rec, &in->ops[i]);
    for (unsigned i = in->zi.operand_count_visible; i < in->zi.operand_count; i++) {
        const ZydisDecodedOperand *op = &in->ops[i];
        if (op->type == ZYDIS_OPERAND_TYPE_REGISTER &&
            (op->reg.value == ZYDIS_REGISTER_RSP || op->reg.value == ZYDIS_REGISTER_ESP))
            explain_line(r, 1, "and implicitly the stack pointer: RSP %#llx -> %#llx",
                         (unsigned long long)rec->before.gpr[RSP],
                         (unsigned long long)rec->after.gpr[RSP]);
    }
    if (in->zi.cpu_flags) {
        flags_line(r, "tests flags", in->zi.cpu_flags->tested);
        flags_line(r, "sets flags from the result", in->zi.cpu_flags->modified);
        flags_line(r, "leaves undefined (the SDM promises no value)", in->zi.cpu_flags->undefined);
    }
    uint64_t next = rec->before.rip + in->len;
    if (rec->retired && rec->after.rip != next) {
        char to[200];
        repl_format_addr(r, rec->after.rip, false, to, sizeof(to));
        explain_line(r, 1, "and transfers control: RIP <- %s", to);
    }
    for (int i = 0; i < rec->nwrites; i++) {
        const struct mem_write *w = &rec->writes[i];
        if (w->count > 1)
            explain_line(r, 1, "memory [%#llx, %#llx): %u writes of %u bytes (a string operation)",
                         (unsigned long long)w->addr,
                         (unsigned long long)(w->addr + (uint64_t)w->count * w->size), w->count,
                         w->size);
        else
            explain_line(r, 1, "memory [%#llx] (%u bytes): %#llx -> %#llx",
                         (unsigned long long)w->addr, w->size, (unsigned long long)w->old_value,
                         (unsigned long long)w->new_value);
    }
}

bool explain_simple(struct repl *r, const struct step_record *rec)
{
    const struct arch_state *a = &rec->before, *b = &rec->after;
    switch (rec->insn.zi.mnemonic) {
    case ZYDIS_MNEMONIC_HLT:
        explain_line(r, 0, "HLT: the CPU stops until an interrupt arrives (ring 0 only).");
        explain_line(r, 1,
                     (a->rflags & RFLAGS_IF)
                         ? "IF=1: the next external interrupt wakes it; emu jumps virtual "
                           "time straight to the next timer."
                         : "IF=0: only an NMI or a reset can wake it.");
        return true;
    case ZYDIS_MNEMONIC_CLI:
        explain_line(r, 0,
                     "CLI: IF <- 0. External interrupts stay pending until IF is set "
                     "again (NMIs and exceptions still happen).");
        return true;
    case ZYDIS_MNEMONIC_STI:
        explain_line(r, 0,
                     "STI: IF <- 1. One more instruction runs before any interrupt is "
                     "taken (the STI shadow), so 'sti; hlt' cannot miss a wake-up.");
        return true;
    case ZYDIS_MNEMONIC_SWAPGS:
        explain_line(r, 0, "SWAPGS: exchanges GS.base with IA32_KERNEL_GS_BASE.");
        explain_line(r, 1,
                     "GS.base %#llx -> %#llx: on kernel entry this points GS at the "
                     "per-CPU data; before returning to user mode it swaps back.",
                     (unsigned long long)a->seg[SEG_GS].base,
                     (unsigned long long)b->seg[SEG_GS].base);
        return true;
    case ZYDIS_MNEMONIC_INVLPG:
        explain_line(r, 0,
                     "INVLPG: removes the TLB entries for the page of its operand, so the "
                     "next access walks the page tables again.");
        return true;
    case ZYDIS_MNEMONIC_INT:
    case ZYDIS_MNEMONIC_INT3:
        explain_line(r, 0,
                     "%s: a software interrupt: the CPU delivers the vector through the "
                     "IDT like a hardware one (below), returning to the next instruction.",
                     rec->insn.text);
        return true;
    default: return false;
    }
}

/* The first delivery the step recorded, or NULL. */
static const emu_event *delivery(const struct step_record *rec)
{
    for (int i = 0; i < rec->nevents; i++)
        if (rec->events[i].kind == EMU_EV_EXCEPTION || rec->events[i].kind == EMU_EV_INTERRUPT)
            return &rec->events[i];
    return NULL;
}

void explain_step(struct repl *r, const struct step_record *rec)
{
    const emu_event *ev = delivery(rec);
    bool insn_ran =
        rec->insn_read &&
        (rec->retired || (ev && ev->kind == EMU_EV_EXCEPTION && ev->rip == rec->before.rip));
    if (ev && ev->kind == EMU_EV_INTERRUPT && !rec->retired) {
        explain_delivery(r, rec, ev);
        return;
    }
    if (insn_ran && !rec->retired) {
        explain_line(r, 0, "The instruction raised %s and did not complete:",
                     repl_vector_name(ev->u.intr.vector));
        char at[200];
        repl_format_addr(r, rec->before.rip, true, at, sizeof(at));
        explain_line(r, 1, "%s", rec->insn.text);
        explain_line(r, 1, "at %s", at);
        explain_line(r, 1, "Exceptions are precise: nothing it would have written was written,");
        explain_line(r, 1, "and the saved RIP points at it, so the handler can fix the cause");
        explain_line(r, 1, "and return to retry it.");
        explain_delivery(r, rec, ev);
        return;
    }
    if (!rec->insn_read) {
        explain_line(r, 0, "The instruction could not be read at %#llx.",
                     (unsigned long long)rec->before.rip);
        return;
    }
    if (!explain_system(r, rec)) generic(r, rec);
    if (ev) explain_delivery(r, rec, ev);
}
