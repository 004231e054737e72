/* irq_latency: how many instructions pass between an interrupt being raised
 * and the first instruction of its handler -- the time the CPU spends with
 * interrupts off, in a block, or behind a higher-priority request.
 *
 *   irq_latency KERNEL [CMDLINE]
 *
 * Three hooks: EMU_EV_IRQ_RAISE (a device asserts an ISA line, or a vector
 * becomes pending in the local APIC), EMU_EV_INTERRUPT (the CPU delivers
 * it through the IDT: vector, source, handler address), and EMU_EV_INSN on
 * the handler's address alone, added the first time a handler is seen, to
 * catch its first instruction retiring. Latency = instructions retired
 * after the raise and before that first instruction. */
#include <emu/hooks.h>
#include <string.h>

#include "common.h"

#define VECTORS 256
#define ISA_LINES 16
#define MAX_HANDLERS 64
#define BUCKETS 8 /* 0, 1-7, 8-15, 16-31, 32-63, 64-127, 128-255, 256+ */

struct raise {
    bool pending;
    uint64_t icount;
};

struct source_stats {
    uint64_t n, sum, min, max;
    uint64_t buckets[BUCKETS];
};

struct meter {
    emu_machine *m;
    struct raise by_vector[VECTORS];  /* raises that name their vector */
    struct raise by_line[ISA_LINES];  /* ISA lines (PIC deliveries) */
    uint64_t handlers[MAX_HANDLERS];  /* handlers with an instruction hook */
    unsigned nhandlers;
    bool waiting;                     /* a delivery waits for its handler */
    uint64_t wait_handler, wait_raised;
    emu_irq_source wait_source;
    struct source_stats stats[EMU_IRQ_ISA + 1];
};

static void on_raise(void *ctx, const emu_event *ev)
{
    struct meter *mt = ctx;
    struct raise *r = NULL;
    if (ev->u.irq.vector >= 0 && ev->u.irq.vector < VECTORS)
        r = &mt->by_vector[ev->u.irq.vector];
    else if (ev->u.irq.source == EMU_IRQ_ISA && ev->u.irq.pin >= 0 && ev->u.irq.pin < ISA_LINES)
        r = &mt->by_line[ev->u.irq.pin];
    if (r && !r->pending) /* the first raise counts until delivery */
        *r = (struct raise){true, ev->icount};
}

static void on_handler_insn(void *ctx, const emu_event *ev);

static void hook_handler(struct meter *mt, uint64_t handler)
{
    for (unsigned i = 0; i < mt->nhandlers; i++)
        if (mt->handlers[i] == handler)
            return;
    if (mt->nhandlers < MAX_HANDLERS &&
        emu_hook_add_range(mt->m, EMU_EV_INSN, handler, handler, on_handler_insn, mt) > 0)
        mt->handlers[mt->nhandlers++] = handler;
}

static void on_interrupt(void *ctx, const emu_event *ev)
{
    struct meter *mt = ctx;
    struct raise *r = &mt->by_vector[ev->u.intr.vector];
    if (!r->pending && ev->u.intr.source == EMU_IRQ_PIC && ev->u.intr.pin >= 0 &&
        ev->u.intr.pin < ISA_LINES)
        r = &mt->by_line[ev->u.intr.pin];
    if (!r->pending)
        return; /* raised before we looked, or by a source that does not say */
    r->pending = false;
    mt->waiting = true;
    mt->wait_handler = ev->u.intr.handler;
    mt->wait_raised = r->icount;
    mt->wait_source = ev->u.intr.source <= EMU_IRQ_ISA ? ev->u.intr.source : EMU_IRQ_UNKNOWN;
    hook_handler(mt, ev->u.intr.handler);
}

/* The histogram bucket of a latency (the labels in print_stats). */
static unsigned bucket_of(uint64_t latency)
{
    static const uint64_t upper[BUCKETS - 1] = {1, 8, 16, 32, 64, 128, 256};
    unsigned b = 0;
    while (b < BUCKETS - 1 && latency >= upper[b])
        b++;
    return b;
}

static void on_handler_insn(void *ctx, const emu_event *ev)
{
    struct meter *mt = ctx;
    if (!mt->waiting || ev->rip != mt->wait_handler)
        return;
    mt->waiting = false;
    uint64_t latency = ev->icount - 1 - mt->wait_raised; /* icount counts this one */
    struct source_stats *s = &mt->stats[mt->wait_source];
    s->min = s->n == 0 || latency < s->min ? latency : s->min;
    s->max = latency > s->max ? latency : s->max;
    s->n++;
    s->sum += latency;
    s->buckets[bucket_of(latency)]++;
}

static const char *source_name(emu_irq_source s)
{
    static const char *const names[] = {
        [EMU_IRQ_UNKNOWN] = "unknown",       [EMU_IRQ_PIC] = "8259 PIC",
        [EMU_IRQ_IOAPIC] = "I/O APIC",       [EMU_IRQ_LAPIC_TIMER] = "LAPIC timer",
        [EMU_IRQ_LAPIC_LINT] = "LAPIC LINT", [EMU_IRQ_LAPIC_ERROR] = "LAPIC error",
        [EMU_IRQ_IPI] = "IPI",               [EMU_IRQ_NMI] = "NMI",
        [EMU_IRQ_ISA] = "ISA line",
    };
    return names[s];
}

static void print_stats(const struct meter *mt)
{
    static const char *const labels[BUCKETS] = {"0", "1-7", "8-15", "16-31", "32-63",
                                                 "64-127", "128-255", "256+"};
    printf("%-12s %6s %6s %8s %6s   instructions from raise to handler\n", "source", "irqs",
           "min", "mean", "max");
    for (int s = 0; s <= EMU_IRQ_ISA; s++) {
        const struct source_stats *st = &mt->stats[s];
        if (!st->n)
            continue;
        printf("%-12s %6llu %6llu %8.1f %6llu  ", source_name((emu_irq_source)s),
               (unsigned long long)st->n, (unsigned long long)st->min,
               (double)st->sum / (double)st->n, (unsigned long long)st->max);
        for (int b = 0; b < BUCKETS; b++)
            if (st->buckets[b])
                printf(" %s:%llu", labels[b], (unsigned long long)st->buckets[b]);
        printf("\n");
    }
}

int main(int argc, char **argv)
{
    static struct meter mt;
    mt.m = boot_from_args(argc, argv, "KERNEL [CMDLINE]");
    if (emu_hook_add(mt.m, EMU_EV_IRQ_RAISE, on_raise, &mt) < 0 ||
        emu_hook_add(mt.m, EMU_EV_INTERRUPT, on_interrupt, &mt) < 0) {
        fprintf(stderr, "cannot subscribe\n");
        return 2;
    }
    emu_run_result r;
    emu_machine_run(mt.m, &r);
    print_stats(&mt);
    emu_machine_destroy(mt.m);
    return 0;
}
