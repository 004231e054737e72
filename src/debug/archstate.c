/* Architectural state copies and their differences (see archstate.h). */
#include "archstate.h"

#include <string.h>

#include <stdarg.h>

#include "archdiff.h"
#include "desc.h"

const char *const arch_gpr_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                        "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

static const char *const seg_names[SEG_COUNT] = {"es", "cs", "ss", "ds", "fs", "gs"};

void arch_capture(struct cpu *cpu, struct arch_state *s)
{
    memset(s, 0, sizeof(*s));
    memcpy(s->gpr, cpu->gpr, sizeof(s->gpr));
    s->rip = cpu->rip;
    s->rflags = cpu_get_rflags(cpu);
    memcpy(s->seg, cpu->seg, sizeof(s->seg));
    s->ldtr = cpu->ldtr;
    s->tr = cpu->tr;
    s->gdtr = cpu->gdtr;
    s->idtr = cpu->idtr;
    s->cr0 = cpu->cr0;
    s->cr2 = cpu->cr2;
    s->cr3 = cpu->cr3;
    s->cr4 = cpu->cr4;
    s->cr8 = cpu->cr8;
    s->efer = cpu->efer;
    s->xcr0 = cpu->xcr0;
    memcpy(s->dr, cpu->dr, sizeof(s->dr));
    s->msr = cpu->msr;
    s->cpl = cpu->cpl;
    s->mode = cpu->mode;
    s->halted = cpu->halted;
    s->intr_shadow = cpu->intr_shadow;
    s->nmi_blocked = cpu->nmi_blocked;
    s->icount = cpu->icount;
}

const char *arch_mode_name(unsigned mode)
{
    static const char *const names[] = {
        [MODE_REAL] = "real-address mode",
        [MODE_PROT16] = "16-bit protected mode",
        [MODE_PROT32] = "32-bit protected mode",
        [MODE_COMPAT16] = "16-bit compatibility mode",
        [MODE_COMPAT32] = "32-bit compatibility mode",
        [MODE_LONG64] = "64-bit mode",
    };
    return mode <= MODE_LONG64 ? names[mode] : "?";
}

struct flag_name {
    uint64_t bit;
    const char *name;
};

static const struct flag_name rflags_names[] = {
    {RFLAGS_CF, "CF"}, {RFLAGS_PF, "PF"},   {RFLAGS_AF, "AF"},   {RFLAGS_ZF, "ZF"},
    {RFLAGS_SF, "SF"}, {RFLAGS_TF, "TF"},   {RFLAGS_IF, "IF"},   {RFLAGS_DF, "DF"},
    {RFLAGS_OF, "OF"}, {RFLAGS_NT, "NT"},   {RFLAGS_RF, "RF"},   {RFLAGS_VM, "VM"},
    {RFLAGS_AC, "AC"}, {RFLAGS_VIF, "VIF"}, {RFLAGS_VIP, "VIP"}, {RFLAGS_ID, "ID"},
};

#define NFLAGS (sizeof(rflags_names) / sizeof(rflags_names[0]))

void arch_format_flag_mask(uint64_t mask, char *buf, size_t n)
{
    arch_format_flags(mask & ~RFLAGS_IOPL, buf, n);
    if ((mask & RFLAGS_IOPL) && strlen(buf) + 6 < n) strcat(buf, *buf ? " IOPL" : "IOPL");
}

void arch_format_flags(uint64_t f, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = NFLAGS; i-- > 0;)
        if ((f & rflags_names[i].bit) && len < n)
            len +=
                (size_t)snprintf(buf + len, n - len, "%s%s", len ? " " : "", rflags_names[i].name);
    unsigned iopl = (unsigned)((f & RFLAGS_IOPL) >> RFLAGS_IOPL_SHIFT);
    if (iopl && len < n) snprintf(buf + len, n - len, "%sIOPL=%u", len ? " " : "", iopl);
}

void diff_line(struct diff *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs(d->indent, d->out);
    vfprintf(d->out, fmt, ap);
    fputc('\n', d->out);
    va_end(ap);
    d->lines++;
}

void diff_reg(struct diff *d, const char *name, uint64_t a, uint64_t b)
{
    if (a != b)
        diff_line(d, "%-7s 0x%016llx -> 0x%016llx", name, (unsigned long long)a,
                  (unsigned long long)b);
}

static void diff_rflags(struct diff *d, uint64_t a, uint64_t b)
{
    if (a == b) return;
    char set[96] = "", clr[96] = "";
    size_t ls = 0, lc = 0;
    for (size_t i = 0; i < NFLAGS; i++) {
        uint64_t bit = rflags_names[i].bit;
        if ((b & bit) && !(a & bit))
            ls += (size_t)snprintf(set + ls, sizeof(set) - ls, " %s", rflags_names[i].name);
        if ((a & bit) && !(b & bit))
            lc += (size_t)snprintf(clr + lc, sizeof(clr) - lc, " %s", rflags_names[i].name);
    }
    char iopl[24] = "";
    if ((a ^ b) & RFLAGS_IOPL)
        snprintf(iopl, sizeof(iopl), "  IOPL %llu -> %llu",
                 (unsigned long long)((a & RFLAGS_IOPL) >> RFLAGS_IOPL_SHIFT),
                 (unsigned long long)((b & RFLAGS_IOPL) >> RFLAGS_IOPL_SHIFT));
    diff_line(d, "rflags  0x%016llx -> 0x%016llx %s%s%s%s%s", (unsigned long long)a,
              (unsigned long long)b, ls ? " set:" : "", set, lc ? " cleared:" : "", clr, iopl);
}

static bool seg_equal(const struct seg *a, const struct seg *b)
{
    return a->sel == b->sel && a->base == b->base && a->limit == b->limit && a->attr == b->attr;
}

static void diff_seg(struct diff *d, const char *name, const struct seg *a, const struct seg *b,
                     bool ia32e)
{
    if (seg_equal(a, b)) return;
    char what[96];
    desc_format_cached(b->attr, ia32e, what, sizeof(what));
    diff_line(d, "%-7s 0x%04x -> 0x%04x  (base %#llx, limit %#x: %s)", name, a->sel, b->sel,
              (unsigned long long)b->base, b->limit, what);
}

static void diff_dtable(struct diff *d, const char *name, const struct dtable *a,
                        const struct dtable *b)
{
    if (a->base != b->base || a->limit != b->limit)
        diff_line(d, "%-7s base %#llx limit %#x -> base %#llx limit %#x", name,
                  (unsigned long long)a->base, a->limit, (unsigned long long)b->base, b->limit);
}

int arch_print_diff(FILE *out, const char *indent, const struct arch_state *a,
                    const struct arch_state *b, uint64_t fallthrough)
{
    struct diff d = {out, indent, 0};
    bool ia32e = (b->efer & EFER_LMA) != 0;
    for (int i = 0; i < 16; i++)
        diff_reg(&d, arch_gpr_names[i], a->gpr[i], b->gpr[i]);
    if (b->rip != fallthrough) diff_reg(&d, "rip", a->rip, b->rip);
    diff_rflags(&d, a->rflags, b->rflags);
    for (int s = 0; s < SEG_COUNT; s++)
        diff_seg(&d, seg_names[s], &a->seg[s], &b->seg[s], ia32e);
    diff_seg(&d, "ldtr", &a->ldtr, &b->ldtr, ia32e);
    diff_seg(&d, "tr", &a->tr, &b->tr, ia32e);
    diff_dtable(&d, "gdtr", &a->gdtr, &b->gdtr);
    diff_dtable(&d, "idtr", &a->idtr, &b->idtr);
    diff_system(&d, a, b);
    return d.lines;
}
