/* The instruction history: the CPU records where each block started and
 * how many instructions had retired (cpu->recent); the instructions are
 * re-decoded here from memory. The faulting instruction, which did not
 * retire, comes from the exception chain. */
#include <inttypes.h>
#include <string.h>

#include "../cpu/internal.h"
#include "debug.h"

#define MAX_INSN 15
#define LINE_BYTES 8

struct hist_line {
    uint64_t rip;
    uint64_t lin;
    uint8_t mode;
    bool faulted;
};

static uint64_t linear(uint64_t cs_base, uint64_t rip, unsigned mode)
{
    uint64_t lin = cs_base + rip;
    return mode == MODE_LONG64 ? lin : lin & 0xffffffffULL;
}

/* Appends the `count` instructions of block r to lines (a ring of `cap`). */
static void add_block(struct cpu *cpu, const struct cpu_recent_block *r, uint64_t count,
                      struct hist_line *lines, unsigned cap, unsigned *n)
{
    uint64_t rip = r->rip;
    for (uint64_t k = 0; k < count; k++) {
        uint8_t bytes[MAX_INSN];
        char text[8];
        uint64_t lin = linear(r->cs_base, rip, r->mode);
        size_t got = cpu_read_linear(cpu, lin, bytes, sizeof(bytes));
        unsigned len = got ? dbg_disasm(r->mode, bytes, got, rip, text, sizeof(text)) : 0;
        lines[*n % cap] = (struct hist_line){rip, lin, r->mode, false};
        (*n)++;
        if (len == 0)
            return;
        rip += len;
    }
}

static void print_line(struct cpu *cpu, const struct hist_line *l, const char *note, FILE *out)
{
    uint8_t bytes[MAX_INSN];
    char text[128], hex[3 * LINE_BYTES + 4] = "";
    size_t got = cpu_read_linear(cpu, l->lin, bytes, sizeof(bytes));
    unsigned len = got ? dbg_disasm(l->mode, bytes, got, l->rip, text, sizeof(text)) : 0;
    if (len == 0)
        snprintf(text, sizeof(text), "%s", got ? "(bad)" : "(not readable)");
    for (unsigned i = 0; i < len && i < LINE_BYTES; i++)
        snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%02x ", bytes[i]);
    if (len > LINE_BYTES)
        strcat(hex, "..");
    fprintf(out, "  %s %016" PRIx64 "  %-26s %s%s%s\n", note ? "=>" : "  ", l->rip, hex, text,
            note ? "    <- " : "", note ? note : "");
}

/* Prints "  <kmain+0x12 (main.c:42)>:" before l when the symbols put it in
 * a different function than the line before (fn holds that function). */
static void print_symbol_header(const struct dbg_syms *syms, const struct hist_line *l,
                                char *fn, size_t n, FILE *out)
{
    char sym[160];
    if (!syms || !syms->name || !syms->name(syms->ctx, l->lin, sym, sizeof(sym))) {
        fn[0] = 0;
        return;
    }
    size_t k = strcspn(sym, "+ ");
    if (strlen(fn) == k && strncmp(fn, sym, k) == 0)
        return;
    snprintf(fn, n, "%.*s", (int)k, sym);
    fprintf(out, "  <%s>:\n", sym);
}

void dbg_print_history(struct cpu *cpu, const struct dbg_syms *syms, FILE *out)
{
    struct hist_line lines[DBG_HISTORY + 1];
    unsigned n = 0, cap = DBG_HISTORY + 1;
    unsigned total = cpu->recent_pos;
    unsigned first = total > CPU_RECENT_BLOCKS ? total - CPU_RECENT_BLOCKS : 0;
    for (unsigned i = first; i < total; i++) {
        const struct cpu_recent_block *r = &cpu->recent[i % CPU_RECENT_BLOCKS];
        uint64_t end = i + 1 < total ? cpu->recent[(i + 1) % CPU_RECENT_BLOCKS].icount
                                     : cpu->icount;
        add_block(cpu, r, end - r->icount, lines, cap, &n);
    }
    /* The instruction that raised the chain did not retire if it faulted,
     * or if it was a software interrupt whose delivery failed. */
    const struct cpu_fault_record *f = cpu->chain_len ? &cpu->chain[0] : NULL;
    bool unretired = f && (f->kind == CPU_EV_FAULT ||
                           (f->kind == CPU_EV_SOFTWARE && cpu->chain_len > 1));
    if (unretired && total) {
        lines[n % cap] = (struct hist_line){f->rip, linear(f->cs_base, f->rip, f->mode), f->mode,
                                            true};
        n++;
    }
    unsigned shown = n < DBG_HISTORY ? n : DBG_HISTORY;
    fprintf(out, "last %u instructions executed (oldest first):\n", shown);
    if (n == 0)
        fprintf(out, "     (none)\n");
    char note[48] = "";
    if (f)
        dbg_event_name(f->vector, f->kind, note, sizeof(note));
    char fn[160] = "";
    for (unsigned k = n - shown; k < n; k++) {
        const struct hist_line *l = &lines[k % cap];
        print_symbol_header(syms, l, fn, sizeof(fn), out);
        print_line(cpu, l, l->faulted ? note : NULL, out);
    }
}
