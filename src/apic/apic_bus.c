#include "apic_bus.h"

#include <string.h>

#include "lapic.h"

void apic_bus_init(struct apic_bus *b)
{
    memset(b, 0, sizeof(*b));
}

int apic_bus_attach(struct apic_bus *b, struct lapic *l)
{
    if (b->ncpus == APIC_BUS_MAX_CPUS) return -1;
    b->cpus[b->ncpus++] = l;
    return 0;
}

void apic_bus_detach(struct apic_bus *b, struct lapic *l)
{
    for (int i = 0; i < b->ncpus; i++) {
        if (b->cpus[i] == l) {
            memmove(&b->cpus[i], &b->cpus[i + 1], (size_t)(b->ncpus - i - 1) * sizeof(l));
            b->ncpus--;
            return;
        }
    }
}

/* Does the message reach l, given the shorthand and its sender? */
static bool addressed(const struct apic_msg *m, const struct lapic *l, const struct lapic *from)
{
    if (!lapic_hw_enabled(l)) return false;
    switch (m->shorthand) {
    case SH_SELF: return l == from;
    case SH_ALL: return true;
    case SH_ALL_BUT_SELF: return l != from;
    default: return lapic_dest_matches(l, m);
    }
}

/* Lowest-priority arbitration: the lowest arbitration priority wins; ties go
 * to the first APIC in creation order. */
static struct lapic *lowest_priority(struct apic_bus *b, const struct apic_msg *m,
                                     struct lapic *from)
{
    struct lapic *best = NULL;
    for (int i = 0; i < b->ncpus; i++) {
        struct lapic *l = b->cpus[i];
        if (addressed(m, l, from) && (!best || lapic_arb_priority(l) < lapic_arb_priority(best)))
            best = l;
    }
    return best;
}

int apic_bus_send(struct apic_bus *b, const struct apic_msg *m, struct lapic *from)
{
    if (m->delivery == APIC_DM_LOWPRI && m->shorthand != SH_SELF) {
        struct lapic *l = lowest_priority(b, m, from);
        if (!l) return 0;
        lapic_accept(l, m);
        return 1;
    }
    int n = 0;
    for (int i = 0; i < b->ncpus; i++) {
        if (addressed(m, b->cpus[i], from)) {
            lapic_accept(b->cpus[i], m);
            n++;
        }
    }
    return n;
}

void apic_bus_eoi(struct apic_bus *b, uint8_t vector)
{
    if (b->eoi) b->eoi(b->eoi_ctx, vector);
}
