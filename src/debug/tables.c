/* info gdt, info idt [N], info tss: the descriptor tables and the TSS as
 * the CPU would read them now (in IA-32e mode system descriptors and gates
 * are 16 bytes: the GDT listing shows their upper half as part of them). */
#include <string.h>

#include "desc.h"
#include "repl_int.h"

#define GDT_SHOW_MAX   64 /* entries info gdt lists */
#define IDT_VECTORS    256
#define TSS64_IST_BASE 28
#define TSS64_IOMAP    102
#define TSS64_SIZE     104
#define TSS32_SIZE     104

static bool ia32e(const struct repl *r)
{
    return (r->m->cpu->efer & EFER_LMA) != 0;
}

static bool read_q(struct repl *r, uint64_t lin, uint64_t *v)
{
    *v = 0;
    return repl_read_linear(r, lin, v, 8) == 8;
}

void info_gdt(struct repl *r, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct cpu *c = r->m->cpu;
    bool wide_mode = ia32e(r);
    unsigned n = ((unsigned)c->gdtr.limit + 1) / 8;
    repl_printf(r, "GDT at %#llx, limit %#x (%u entries)%s\n", (unsigned long long)c->gdtr.base,
                c->gdtr.limit, n,
                wide_mode ? "; IA-32e mode: system descriptors are 16 bytes" : "");
    for (unsigned i = 0; i < n && i < GDT_SHOW_MAX; i++) {
        uint64_t lo, hi = 0;
        if (!read_q(r, c->gdtr.base + 8 * i, &lo)) {
            repl_printf(r, "  [%2u] sel 0x%04x  (not readable: the page is not mapped)\n", i,
                        8 * i);
            continue;
        }
        if (i == 0) {
            repl_printf(r, "  [ 0] sel 0x0000  %016llx  null descriptor\n", (unsigned long long)lo);
            continue;
        }
        if (!(lo & DESC_P) && !(lo >> 40 & 0xff) && lo == 0) {
            repl_printf(r, "  [%2u] sel 0x%04x  %016llx  (empty)\n", i, 8 * i,
                        (unsigned long long)lo);
            continue;
        }
        bool wide = desc_is_wide(lo, wide_mode) && i + 1 < n;
        if (wide) read_q(r, c->gdtr.base + 8 * (i + 1), &hi);
        struct desc_info d;
        desc_decode(lo, hi, wide_mode, &d);
        char text[256];
        desc_format(&d, wide_mode, text, sizeof(text));
        repl_printf(r, "  [%2u] sel 0x%04x  %016llx  %s\n", i, 8 * i, (unsigned long long)lo, text);
        if (wide) {
            repl_printf(r, "  [%2u]             %016llx  (upper half of entry %u: base 63:32)\n",
                        i + 1, (unsigned long long)hi, i);
            i++;
        }
    }
    if (n > GDT_SHOW_MAX) repl_printf(r, "  ... %u more entries\n", n - GDT_SHOW_MAX);
}

/* Shows gate v; with `all`, empty gates are skipped. Returns true if shown. */
static bool show_gate(struct repl *r, unsigned v, bool all)
{
    const struct cpu *c = r->m->cpu;
    bool wide = ia32e(r);
    unsigned size = wide ? 16 : 8;
    if ((uint64_t)v * size + size - 1 > c->idtr.limit) {
        if (!all)
            repl_printf(r, "  [0x%02x] beyond the IDT limit %#x: delivering it raises #GP\n", v,
                        c->idtr.limit);
        return false;
    }
    uint64_t lo, hi = 0;
    if (!read_q(r, c->idtr.base + (uint64_t)v * size, &lo) ||
        (wide && !read_q(r, c->idtr.base + (uint64_t)v * size + 8, &hi))) {
        repl_printf(r, "  [0x%02x] not readable: the IDT page is not mapped\n", v);
        return true;
    }
    if (all && lo == 0 && hi == 0) return false;
    struct desc_info d;
    desc_decode_gate(lo, hi, wide, &d);
    char text[256], target[200];
    desc_format(&d, wide, text, sizeof(text));
    repl_printf(r, "  [0x%02x] %-28.28s %s\n", v, repl_vector_name(v), text);
    if (!all && d.gate && d.type != DESC_TYPE_TASK) {
        repl_format_addr(r, d.offset, true, target, sizeof(target));
        repl_printf(r, "         raw %016llx %016llx\n         handler %s\n",
                    (unsigned long long)lo, (unsigned long long)hi, target);
        repl_printf(r, "         %s; %s\n",
                    d.type == DESC_TYPE_INT || d.type == DESC_TYPE_INT16
                        ? "interrupt gate: IF is cleared on entry"
                        : "trap gate: IF is left as it was",
                    d.dpl == 3 ? "DPL 3: user code may raise it with INT n"
                               : "DPL < 3: INT n from user mode raises #GP");
    }
    return true;
}

void info_idt(struct repl *r, int argc, char **argv)
{
    const struct cpu *c = r->m->cpu;
    if (!(c->cr0 & CR0_PE)) {
        repl_printf(r,
                    "Real-address mode: the interrupt vector table is at %#llx (4-byte "
                    "CS:IP entries).\n",
                    (unsigned long long)c->idtr.base);
        return;
    }
    repl_printf(r, "IDT at %#llx, limit %#x (%s gates)\n", (unsigned long long)c->idtr.base,
                c->idtr.limit, ia32e(r) ? "16-byte IA-32e" : "8-byte");
    if (argc > 2) {
        uint64_t v;
        if (!repl_eval(r, argv[2], &v)) return;
        if (v >= IDT_VECTORS)
            repl_error(r, "vectors are 0..255");
        else
            show_gate(r, (unsigned)v, false);
        return;
    }
    unsigned shown = 0;
    for (unsigned v = 0; v < IDT_VECTORS; v++)
        shown += show_gate(r, v, true);
    if (!shown)
        repl_printf(r, "  (no gate is set up: any interrupt or exception now would escalate to "
                       "a triple fault)\n");
}

static void tss64(struct repl *r, uint64_t base, uint32_t limit)
{
    uint8_t t[TSS64_SIZE];
    memset(t, 0, sizeof(t));
    size_t got = repl_read_linear(r, base, t, sizeof(t));
    if (got < sizeof(t) || limit + 1 < TSS64_SIZE)
        repl_printf(r, "  (only %zu bytes readable, limit %#x: a 64-bit TSS needs %d)\n", got,
                    limit, TSS64_SIZE);
    for (int i = 0; i < 3; i++) {
        uint64_t v;
        memcpy(&v, t + 4 + 8 * i, 8);
        repl_printf(r, "  RSP%d 0x%016llx%s\n", i, (unsigned long long)v,
                    i == 0 ? "  (the stack for interrupts and exceptions from ring 3)" : "");
    }
    for (int i = 1; i <= 7; i++) {
        uint64_t v;
        memcpy(&v, t + TSS64_IST_BASE + 8 * (i - 1), 8);
        if (v) repl_printf(r, "  IST%d 0x%016llx\n", i, (unsigned long long)v);
    }
    uint16_t iomap;
    memcpy(&iomap, t + TSS64_IOMAP, 2);
    repl_printf(r, "  I/O map base %#x%s\n", iomap,
                iomap > limit ? " (beyond the limit: no I/O bitmap, ring 3 port access needs IOPL)"
                              : "");
}

static void tss32(struct repl *r, uint64_t base)
{
    uint32_t t[TSS32_SIZE / 4];
    memset(t, 0, sizeof(t));
    repl_read_linear(r, base, t, sizeof(t));
    for (int i = 0; i < 3; i++)
        repl_printf(r, "  SS%d:ESP%d 0x%04x:0x%08x\n", i, i, t[2 + 2 * i] & 0xffff, t[1 + 2 * i]);
    repl_printf(r, "  CR3 %#x  EIP %#x  EFLAGS %#x\n", t[7], t[8], t[9]);
}

void info_tss(struct repl *r, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct seg *tr = &r->m->cpu->tr;
    if (tr->sel == 0 || (tr->attr & SEG_ATTR_UNUSABLE)) {
        repl_printf(r, "No TSS loaded (TR = 0): LTR has not run yet.\n");
        return;
    }
    char what[96];
    desc_format_cached(tr->attr, ia32e(r), what, sizeof(what));
    repl_printf(r, "TR 0x%04x: %s at %#llx, limit %#x\n", tr->sel, what,
                (unsigned long long)tr->base, tr->limit);
    if (ia32e(r))
        tss64(r, tr->base, tr->limit);
    else
        tss32(r, tr->base);
}
