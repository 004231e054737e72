/* strace -c's table over virtual time (calls, errors, time between entry
 * and return), and the TLB statistics --tlb prints at exit. */
#include <stdlib.h>

#include "tracer_int.h"

#define NS_PER_SEC  1e9
#define NS_PER_USEC 1000ULL
#define RULE        "------ ----------- ----------- --------- --------- ----------------\n"

static struct sc_stat *stat_of(struct tracer *t, uint64_t nr)
{
    return &t->stats[nr < SYSENT_MAX ? nr : SYSENT_MAX];
}

void summary_count_exit(struct tracer *t, const emu_event *ev)
{
    struct sc_stat *s = stat_of(t, ev->u.sys.nr);
    s->calls++;
    s->errors += sysfmt_is_error(ev->u.sys.ret);
    s->ns += ev->time_ns - ev->u.sys.entry_time_ns;
}

void summary_count_noreturn(struct tracer *t, uint64_t nr)
{
    stat_of(t, nr)->calls++;
}

struct row {
    unsigned nr;
    const struct sc_stat *s;
};

/* By time, most first; equal times in call-number order (as strace). */
static int by_time(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    if (x->s->ns != y->s->ns) return x->s->ns > y->s->ns ? -1 : 1;
    return x->nr < y->nr ? -1 : x->nr > y->nr;
}

static void print_row(struct sbuf *b, double pct, uint64_t ns, uint64_t calls, uint64_t errors,
                      const char *name)
{
    sb_printf(b, "%6.2f %11.6f %11llu %9llu ", pct, (double)ns / NS_PER_SEC,
              (unsigned long long)(calls ? ns / NS_PER_USEC / calls : 0),
              (unsigned long long)calls);
    if (errors)
        sb_printf(b, "%9llu", (unsigned long long)errors);
    else
        sb_printf(b, "%9s", "");
    sb_printf(b, " %s\n", name);
}

void summary_print(struct tracer *t)
{
    struct row rows[SYSENT_MAX + 1];
    unsigned n = 0;
    struct sc_stat total = {0};
    for (unsigned i = 0; i <= SYSENT_MAX; i++) {
        if (!t->stats[i].calls) continue;
        rows[n++] = (struct row){i, &t->stats[i]};
        total.calls += t->stats[i].calls;
        total.errors += t->stats[i].errors;
        total.ns += t->stats[i].ns;
    }
    qsort(rows, n, sizeof(rows[0]), by_time);
    struct sbuf *b = &t->line;
    sb_reset(b);
    sb_puts(b, "% time     seconds  usecs/call     calls    errors syscall\n" RULE);
    for (unsigned i = 0; i < n; i++) {
        const struct sysent *e = sysent_get(rows[i].nr);
        double pct = total.ns ? 100.0 * (double)rows[i].s->ns / (double)total.ns : 0.0;
        print_row(b, pct, rows[i].s->ns, rows[i].s->calls, rows[i].s->errors,
                  e ? e->name : "(unknown)");
    }
    sb_puts(b, RULE);
    print_row(b, 100.0, total.ns, total.calls, total.errors, "total");
    tracer_put_line(t, b);
}

static void tlb_row(struct sbuf *b, const char *name, const emu_tlb_stats *s)
{
    sb_printf(b, "  %-5s %12llu %12llu %12llu %12llu %12llu %12llu\n", name,
              (unsigned long long)s->lookups, (unsigned long long)s->hits,
              (unsigned long long)s->misses, (unsigned long long)s->fills,
              (unsigned long long)s->evictions, (unsigned long long)s->invalidated);
}

void tlb_stats_print(struct tracer *t)
{
    emu_tlb_stats it, dt;
    if (emu_cpu_get_tlb_stats(t->m, 0, EMU_TLB_INSTRUCTION, &it) != EMU_OK ||
        emu_cpu_get_tlb_stats(t->m, 0, EMU_TLB_DATA, &dt) != EMU_OK)
        return;
    struct sbuf *b = &t->line;
    sb_reset(b);
    sb_printf(b, "TLB statistics, CPU 0:\n  %-5s %12s %12s %12s %12s %12s %12s\n", "", "lookups",
              "hits", "misses", "fills", "evictions", "invalidated");
    tlb_row(b, "itlb", &it);
    tlb_row(b, "dtlb", &dt);
    sb_puts(b, "  flushes (itlb/dtlb):");
    int any = 0;
    for (int c = 0; c < EMU_TLB_FLUSH_CAUSES; c++) {
        if (!it.flushes[c] && !dt.flushes[c]) continue;
        sb_printf(b, "%s %s %llu/%llu", any++ ? "," : "", emu_tlb_flush_cause_name(c),
                  (unsigned long long)it.flushes[c], (unsigned long long)dt.flushes[c]);
    }
    sb_puts(b, any ? "\n" : " none\n");
    tracer_put_line(t, b);
}
