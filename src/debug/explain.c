/* The exception chain in plain words: what each event was, why it was
 * raised (the cause the CPU recorded, enum cpu_fault_cause), and the
 * descriptor, gate or page walk it was about. */
#include <inttypes.h>
#include <string.h>

#include "../cpu/internal.h"
#include "debug.h"

static const char *const vector_abbrev[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#CSO", "#TS",
    "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

static const char *const vector_text[32] = {
    "divide error", "debug exception", "non-maskable interrupt", "breakpoint", "overflow",
    "BOUND range exceeded", "invalid opcode", "device not available", "double fault",
    "coprocessor segment overrun", "invalid TSS", "segment not present", "stack-segment fault",
    "general-protection fault", "page fault", "reserved vector 15", "x87 floating-point error",
    "alignment check", "machine check", "SIMD floating-point exception",
    "virtualization exception", "control-protection exception",
};

const char *dbg_vector_description(unsigned vector)
{
    return vector < 32 ? vector_text[vector] : NULL;
}

void dbg_event_name(unsigned vector, unsigned kind, char *buf, size_t n)
{
    if (kind == CPU_EV_SOFTWARE && vector != EXC_BP && vector != EXC_OF)
        snprintf(buf, n, "INT 0x%x", vector);
    else if (kind == CPU_EV_EXTERNAL && vector != EXC_NMI)
        snprintf(buf, n, "interrupt 0x%x", vector);
    else if (vector < 32 && vector_abbrev[vector])
        snprintf(buf, n, "%s", vector_abbrev[vector]);
    else
        snprintf(buf, n, "vector 0x%x", vector);
}

/* "#PF: write to not-present page" from the error code and CR2. */
static void page_fault_text(const struct cpu_fault_record *r, char *buf, size_t n)
{
    uint32_t e = r->error;
    const char *what = (e & PF_I) ? "instruction fetch from" : (e & PF_W) ? "write to" : "read from";
    const char *page = (e & PF_RSVD) ? "a page whose paging entry has reserved bits set,"
                       : (e & PF_P)  ? "a protected page"
                                     : "a not-present page";
    snprintf(buf, n, "%s %s at 0x%" PRIx64 " (CR2)%s", what, page, r->cr2,
             (e & PF_U) ? ", a user-mode access" : "");
}

static const char *table_of(uint16_t sel)
{
    return (sel & SEL_TI) ? "LDT" : "GDT";
}

static unsigned desc_dpl(uint64_t lo)
{
    return (desc_attr(lo) & SEG_ATTR_DPL) >> SEG_ATTR_DPL_SHIFT;
}

/* Causes that name a selector (aux) and its descriptor (why.desc[0]). */
static bool selector_cause_text(struct cpu *cpu, const struct cpu_fault_record *r, char *buf,
                                size_t n)
{
    uint16_t sel = (uint16_t)r->why.aux;
    uint64_t d = r->why.desc[0];
    unsigned rpl = sel & SEL_RPL, cpl = r->cpl;
    switch (r->why.cause) {
    case FC_SEL_OUTSIDE_TABLE:
        snprintf(buf, n, "selector 0x%04x is beyond the %s limit (%s limit 0x%x)", sel,
                 table_of(sel), table_of(sel),
                 (sel & SEL_TI) ? cpu->ldtr.limit : cpu->gdtr.limit);
        return true;
    case FC_NULL_SELECTOR: snprintf(buf, n, "selector 0x%04x is null", sel); return true;
    case FC_NULL_SS:
        snprintf(buf, n, "SS cannot be null here (only 64-bit mode at CPL < 3 with RPL = CPL "
                         "allows it; selector 0x%04x, CPL %u)", sel, cpl);
        return true;
    case FC_NOT_DATA:
        snprintf(buf, n, "selector 0x%04x is not a data or readable code segment", sel);
        return true;
    case FC_DATA_PRIVILEGE:
        snprintf(buf, n, "selector 0x%04x: DPL %u is below CPL %u or RPL %u", sel, desc_dpl(d),
                 cpl, rpl);
        return true;
    case FC_SS_NOT_WRITABLE:
        snprintf(buf, n, "selector 0x%04x is not a writable data segment, so it cannot be SS",
                 sel);
        return true;
    case FC_SS_PRIVILEGE:
        snprintf(buf, n, "stack selector 0x%04x: RPL %u and DPL %u must equal the CPL (%u)", sel,
                 rpl, desc_dpl(d), cpl);
        return true;
    case FC_NOT_PRESENT:
        snprintf(buf, n, "selector 0x%04x names a segment that is not present (P=0)", sel);
        return true;
    case FC_NOT_CODE: snprintf(buf, n, "selector 0x%04x is not a code segment", sel); return true;
    case FC_CODE_PRIVILEGE:
        snprintf(buf, n, "code segment 0x%04x (DPL %u, RPL %u) is not reachable from CPL %u "
                         "this way", sel, desc_dpl(d), rpl, cpl);
        return true;
    case FC_CODE_NOT_64:
        snprintf(buf, n, "code segment 0x%04x is not a 64-bit code segment (needs L=1, D=0)",
                 sel);
        return true;
    case FC_CODE_L_AND_D:
        snprintf(buf, n, "code segment 0x%04x has both L and D set (reserved in IA-32e mode)",
                 sel);
        return true;
    case FC_BAD_SYSTEM_TYPE:
        snprintf(buf, n, "selector 0x%04x names a descriptor of the wrong type for this", sel);
        return true;
    case FC_TSS_BUSY:
        snprintf(buf, n, "TSS 0x%04x is already marked busy (LTR needs an available TSS)", sel);
        return true;
    case FC_NONCANONICAL_BASE:
        snprintf(buf, n, "the 16-byte descriptor 0x%04x has a non-canonical base", sel);
        return true;
    case FC_UPPER_TYPE:
        snprintf(buf, n, "the upper half of the 16-byte descriptor 0x%04x has a non-zero type",
                 sel);
        return true;
    case FC_SEL_IN_LDT:
        snprintf(buf, n, "selector 0x%04x points into the LDT; a GDT selector is required", sel);
        return true;
    case FC_CALL_GATE_PRIVILEGE:
        snprintf(buf, n, "call gate 0x%04x has DPL %u, below CPL %u or RPL %u", sel, desc_dpl(d),
                 cpl, rpl);
        return true;
    case FC_CALL_GATE_NOT_PRESENT:
        snprintf(buf, n, "call gate 0x%04x is not present", sel);
        return true;
    case FC_GATE_CS_NULL: snprintf(buf, n, "the gate's code segment selector is null"); return true;
    case FC_TSS_SS:
        snprintf(buf, n, "the stack segment 0x%04x in the TSS is not usable for the new ring",
                 sel);
        return true;
    default: return false;
    }
}

static bool idt_cause_text(struct cpu *cpu, const struct cpu_fault_record *r, char *buf, size_t n)
{
    unsigned v = (unsigned)r->why.aux;
    uint64_t g = r->why.desc[0];
    switch (r->why.cause) {
    case FC_IDT_LIMIT:
        snprintf(buf, n, "IDT entry %u is beyond the IDT limit (IDTR limit 0x%x)", v,
                 cpu->idtr.limit);
        return true;
    case FC_IDT_BAD_TYPE:
        if ((g | r->why.desc[1]) == 0)
            snprintf(buf, n, "IDT entry %u is empty (all zeros), not a gate", v);
        else
            snprintf(buf, n, "IDT entry %u is not an interrupt or trap gate valid in this mode",
                     v);
        return true;
    case FC_IDT_DPL:
        snprintf(buf, n, "IDT entry %u has DPL %u, below the CPL (%u): INT n may not use it", v,
                 (unsigned)((g >> 45) & 3), r->cpl);
        return true;
    case FC_IDT_NOT_PRESENT:
        snprintf(buf, n, "IDT entry %u points to a not-present descriptor (P=0)", v);
        return true;
    case FC_IDT_TARGET_NONCANONICAL:
        snprintf(buf, n, "IDT entry %u's handler address is not canonical", v);
        return true;
    default: return false;
    }
}

static void other_cause_text(struct cpu *cpu, const struct cpu_fault_record *r, char *buf,
                             size_t n)
{
    uint64_t aux = r->why.aux;
    char insn[96];
    switch (r->why.cause) {
    case FC_TSS_LIMIT:
        snprintf(buf, n, "the TSS (TR 0x%04x, limit 0x%x) is too short to hold the field at "
                         "offset 0x%" PRIx64, cpu->tr.sel, cpu->tr.limit, aux);
        return;
    case FC_NO_TSS: snprintf(buf, n, "no TSS is loaded (TR is null)"); return;
    case FC_STACK_NONCANONICAL:
        snprintf(buf, n, "the stack pointer 0x%" PRIx64 " is not canonical", aux);
        return;
    case FC_STACK_LIMIT:
        snprintf(buf, n, "the pushes below stack pointer 0x%" PRIx64
                         " do not fit in the stack segment", aux);
        return;
    case FC_PRIVILEGED:
        dbg_disasm_at(cpu, r->mode, r->cs_base, r->rip, insn, sizeof(insn));
        snprintf(buf, n, "`%s` is a privileged instruction and the CPL is %u", insn, r->cpl);
        return;
    case FC_IOPL:
        snprintf(buf, n, "the instruction needs CPL <= IOPL (CPL %u)", r->cpl);
        return;
    case FC_IO_BITMAP:
        snprintf(buf, n, "the TSS I/O permission bitmap denies port 0x%" PRIx64 " (CPL %u > IOPL)",
                 aux, r->cpl);
        return;
    case FC_SEG_LIMIT: snprintf(buf, n, "offset 0x%" PRIx64 " is beyond the segment limit", aux); return;
    case FC_SEG_TYPE: snprintf(buf, n, "the segment does not allow this kind of access"); return;
    case FC_SEG_UNUSABLE: snprintf(buf, n, "the access goes through a null segment register"); return;
    case FC_NONCANONICAL:
        snprintf(buf, n, "address 0x%" PRIx64 " is not canonical", aux);
        return;
    case FC_BAD_MSR: {
        snprintf(buf, n, "MSR 0x%" PRIx64 " is not implemented", aux);
        return;
    }
    case FC_MSR_VALUE: {
        const char *name = cpu_msr_name((uint32_t)aux);
        snprintf(buf, n, "the value is not valid for MSR 0x%" PRIx64 "%s%s%s (reserved bits or "
                         "a non-canonical address)", aux, name ? " (" : "", name ? name : "",
                 name ? ")" : "");
        return;
    }
    case FC_BAD_CR: snprintf(buf, n, "the control-register value is not valid"); return;
    case FC_ALIGNMENT:
        dbg_disasm_at(cpu, r->mode, r->cs_base, r->rip, insn, sizeof(insn));
        snprintf(buf, n, "`%s` accesses 0x%" PRIx64 ", not a multiple of the access size, with "
                         "alignment checking on (CR0.AM = 1, RFLAGS.AC = 1, ring 3)", insn, aux);
        return;
    case FC_INVALID_OPCODE:
    case FC_FEATURE_OFF:
        dbg_disasm_at(cpu, r->mode, r->cs_base, r->rip, insn, sizeof(insn));
        snprintf(buf, n, r->why.cause == FC_INVALID_OPCODE
                             ? "`%s` is not valid here or not implemented by emu"
                             : "`%s` is disabled by a control-register or EFER bit", insn);
        return;
    default: buf[0] = '\0'; return;
    }
}

/* What the exception means when no more specific cause was recorded. */
static void default_cause_text(struct cpu *cpu, const struct cpu_fault_record *r, char *buf,
                               size_t n)
{
    uint64_t dr6 = cpu->dr[6];
    switch (r->vector) {
    case EXC_DE: snprintf(buf, n, "DIV/IDIV by zero, or a quotient too large"); break;
    case EXC_BR: snprintf(buf, n, "BOUND: the index is outside the bounds"); break;
    case EXC_NM: snprintf(buf, n, "an MMX/SSE instruction with CR0.TS set"); break;
    case EXC_XM: snprintf(buf, n, "an unmasked SSE floating-point exception (see MXCSR)"); break;
    case EXC_DB:
        snprintf(buf, n, "%s", (dr6 & (1u << 14))  ? "single step (TF)"
                               : (dr6 & (1u << 13)) ? "general detect: MOV DR with DR7.GD set"
                               : (dr6 & 0xf)        ? "a DR0-DR3 breakpoint matched (see DR6)"
                                                    : "INT1 or a debug trap");
        break;
    default: break;
    }
}

/* The cause of r in words; empty if none was recorded. */
static void cause_text(struct cpu *cpu, const struct cpu_fault_record *r, char *buf, size_t n)
{
    buf[0] = '\0';
    if (r->vector == EXC_PF && r->kind == CPU_EV_FAULT && r->why.cause == FC_NONE) {
        page_fault_text(r, buf, n);
        return;
    }
    if (r->vector == EXC_UD && r->kind == CPU_EV_FAULT && r->why.cause == FC_NONE) {
        char insn[96];
        dbg_disasm_at(cpu, r->mode, r->cs_base, r->rip, insn, sizeof(insn));
        snprintf(buf, n, "`%s` is not a valid instruction here, or emu does not implement it", insn);
        return;
    }
    if (selector_cause_text(cpu, r, buf, n) || idt_cause_text(cpu, r, buf, n))
        return;
    other_cause_text(cpu, r, buf, n);
    if (!buf[0] && r->why.cause == FC_NONE && r->kind == CPU_EV_FAULT)
        default_cause_text(cpu, r, buf, n);
}

static bool desc_is_gate(const struct cpu_fault_record *r)
{
    switch (r->why.cause) {
    case FC_IDT_BAD_TYPE:
    case FC_IDT_DPL:
    case FC_IDT_NOT_PRESENT:
    case FC_IDT_TARGET_NONCANONICAL: return true;
    default: return false;
    }
}

/* The descriptor or gate the cause names, decoded. */
static void print_descriptor(struct cpu *cpu, const struct cpu_fault_record *r, FILE *out)
{
    const uint64_t *d = r->why.desc;
    if (d[0] == 0 && d[1] == 0 && !desc_is_gate(r))
        return;
    bool ia32e = (cpu->efer & EFER_LMA) != 0;
    char text[192];
    if (d[0] == 0 && d[1] == 0)
        snprintf(text, sizeof(text), "empty (all zeros): no gate was installed here");
    else
        dbg_describe_descriptor(d[0], d[1], ia32e, text, sizeof(text));
    if (desc_is_gate(r)) {
        unsigned size = ia32e ? 16 : 8;
        fprintf(out, "       IDT[%u] at 0x%" PRIx64 " = 0x%016" PRIx64, (unsigned)r->why.aux,
                cpu->idtr.base + size * r->why.aux, d[0]);
        if (ia32e)
            fprintf(out, " 0x%016" PRIx64, d[1]);
    } else {
        uint16_t sel = (uint16_t)r->why.aux;
        fprintf(out, "       %s[0x%x] = 0x%016" PRIx64, table_of(sel), sel & SEL_INDEX, d[0]);
        if (d[1])
            fprintf(out, " 0x%016" PRIx64, d[1]);
    }
    fprintf(out, "\n         %s\n", text);
}

static void print_error_code(const struct cpu_fault_record *r, FILE *out)
{
    if (!r->has_error || r->vector == EXC_PF)
        return;
    uint32_t e = r->error;
    if (e == 0)
        return;
    fprintf(out, "       error code 0x%x: %s %u%s%s\n", e,
            (e & 2) ? "IDT vector" : (e & 4) ? "LDT selector index" : "GDT selector index",
            (e & 2) ? e >> 3 : (e & 0xfff8) >> 3, "",
            (e & 1) ? ", raised while delivering an earlier event (EXT)" : "");
}

/* " <kmain+0x12 (main.c:42)>" after an address, when symbols know it. */
static void print_symbol(const struct dbg_syms *syms, uint64_t addr, FILE *out)
{
    char name[160];
    if (syms && syms->name && syms->name(syms->ctx, addr, name, sizeof(name)))
        fprintf(out, " <%s>", name);
}

void dbg_print_record(struct cpu *cpu, int i, const struct dbg_syms *syms, FILE *out)
{
    const struct cpu_fault_record *r = &cpu->chain[i];
    char name[32], cause[256], prev[32];
    dbg_event_name(r->vector, r->kind, name, sizeof(name));
    cause_text(cpu, r, cause, sizeof(cause));
    const char *arrow = i ? "  -> " : "     ";
    if (r->vector == EXC_DF && i > 0 && r->kind == CPU_EV_FAULT && r->why.cause == FC_NONE) {
        const struct cpu_fault_record *a = &cpu->chain[i - 2 >= 0 ? i - 2 : 0];
        const struct cpu_fault_record *b = &cpu->chain[i - 1];
        char an[32], bn[32];
        dbg_event_name(a->vector, a->kind, an, sizeof(an));
        dbg_event_name(b->vector, b->kind, bn, sizeof(bn));
        fprintf(out, "%s#DF double fault: the %s happened while delivering the %s\n", arrow, bn,
                an);
        return;
    }
    fprintf(out, "%s%s", arrow, name);
    if (r->has_error)
        fprintf(out, "(0x%x)", r->error);
    if (i > 0 && r->kind == CPU_EV_FAULT) {
        dbg_event_name(cpu->chain[i - 1].vector, cpu->chain[i - 1].kind, prev, sizeof(prev));
        fprintf(out, " while delivering %s", prev);
    } else {
        fprintf(out, " at 0x%" PRIx64, r->rip);
        print_symbol(syms, r->cs_base + r->rip, out);
        fprintf(out, ", ring %u", r->cpl);
        const char *what = dbg_vector_description(r->vector);
        if (r->kind == CPU_EV_FAULT && what)
            fprintf(out, " (%s)", what);
    }
    fprintf(out, "%s%s\n", cause[0] ? ": " : "", cause);
    print_error_code(r, out);
    print_descriptor(cpu, r, out);
    if (r->vector == EXC_PF && r->kind == CPU_EV_FAULT)
        dbg_print_walk(cpu, r->cr2, r->error, "       ", out);
}

/* One line on the likely mistake behind the first failed delivery, for the
 * causes a hobby kernel meets most. */
static void print_hint(struct cpu *cpu, FILE *out)
{
    for (int i = 1; i < cpu->chain_len; i++) {
        const struct cpu_fault_record *r = &cpu->chain[i];
        bool ia32e = (cpu->efer & EFER_LMA) != 0;
        const char *hint = NULL;
        switch (r->why.cause) {
        case FC_IDT_LIMIT:
            hint = ia32e ? "the IDT is too short: a 64-bit IDT has 16-byte gates, 256 of them "
                           "need IDTR.limit = 0xfff (is LIDT given the table, or not run at all?)"
                         : "the IDT is too short: 8-byte gates, 256 of them need IDTR.limit = "
                           "0x7ff (is LIDT given the table, or not run at all?)";
            break;
        case FC_IDT_BAD_TYPE:
            hint = (r->why.desc[0] | r->why.desc[1]) == 0
                       ? "the IDT entry is empty: install a handler for every vector the "
                         "kernel can raise (and check IDTR.base)"
                       : ia32e ? "in IA-32e mode a gate must have type 0xE (interrupt) or 0xF "
                                 "(trap) and 16 bytes"
                               : "a gate must have type 0xE/0xF (32-bit) or 0x6/0x7 (16-bit)";
            break;
        case FC_IDT_NOT_PRESENT: hint = "set the present bit (0x80 in the gate's type byte)"; break;
        case FC_IDT_DPL: hint = "INT n from ring 3 needs a gate with DPL 3"; break;
        case FC_CODE_NOT_64:
            hint = "in IA-32e mode every gate must name a 64-bit code segment (L=1, D=0)";
            break;
        case FC_TSS_LIMIT:
        case FC_TSS_SS:
            hint = "a change to a more privileged ring takes its stack from the TSS: load one "
                   "(LTR) with RSP0/ESP0 (and SS0 in legacy mode) set";
            break;
        case FC_STACK_NONCANONICAL:
            hint = "the stack taken for the handler (TSS.RSPn or ISTn) is not a valid address: "
                   "is the TSS filled in?";
            break;
        default: break;
        }
        if (!hint && r->vector == EXC_PF && r->kind == CPU_EV_FAULT)
            hint = "the handler's stack (or IDT, GDT, TSS) is not mapped";
        if (hint) {
            fprintf(out, "  hint: %s\n", hint);
            return;
        }
    }
}

void dbg_print_chain(struct cpu *cpu, const struct dbg_syms *syms, FILE *out)
{
    fprintf(out, "exception chain (oldest first):\n");
    if (cpu->chain_len == 0)
        fprintf(out, "     (no exception recorded)\n");
    for (int i = 0; i < cpu->chain_len; i++)
        dbg_print_record(cpu, i, syms, out);
    if (cpu->shutdown)
        fprintf(out, "  -> shutdown (triple fault): a fault while delivering #DF stops the CPU\n");
    print_hint(cpu, out);
}
