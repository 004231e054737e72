#include "tlb.h"

#include <stdlib.h>
#include <string.h>

#define RNG_SEED 0x9E3779B9u

void tlb_default_config(emu_tlb_config *c)
{
    *c = (emu_tlb_config){
        .itlb = {[EMU_TLB_PAGE_4K] = {16, 8},
                 [EMU_TLB_PAGE_LARGE] = {1, 8},
                 [EMU_TLB_PAGE_1G] = {1, 4}},
        .dtlb = {[EMU_TLB_PAGE_4K] = {16, 4},
                 [EMU_TLB_PAGE_LARGE] = {8, 4},
                 [EMU_TLB_PAGE_1G] = {1, 4}},
        .policy = EMU_TLB_POLICY_CLOCK,
        .unified = 0,
    };
}

static bool geometry_valid(const emu_tlb_geometry *g)
{
    bool pow2 = g->sets && !(g->sets & (g->sets - 1));
    return pow2 && g->sets <= TLB_MAX_SETS && g->ways <= TLB_MAX_WAYS;
}

bool tlb_config_valid(const emu_tlb_config *c)
{
    for (int i = 0; i < TLB_CLASSES; i++)
        if (!geometry_valid(&c->itlb[i]) || !geometry_valid(&c->dtlb[i])) return false;
    return c->policy == EMU_TLB_POLICY_CLOCK || c->policy == EMU_TLB_POLICY_FIFO ||
           c->policy == EMU_TLB_POLICY_RANDOM;
}

int tlb_init(struct tlb *t, enum tlb_id id, const emu_tlb_geometry geom[TLB_CLASSES],
             emu_tlb_policy policy, tlb_drop_fn on_drop, void *drop_ctx)
{
    memset(t, 0, sizeof(*t));
    t->id = (uint8_t)id;
    t->policy = (uint8_t)policy;
    t->rng = RNG_SEED;
    t->on_drop = on_drop;
    t->drop_ctx = drop_ctx;
    for (int c = 0; c < TLB_CLASSES; c++) {
        struct tlb_array *a = &t->arr[c];
        a->sets = geom[c].sets;
        a->ways = geom[c].ways;
        size_t n = (size_t)a->sets * a->ways;
        if (n == 0) continue;
        a->e = calloc(n, sizeof(*a->e));
        a->hand = calloc(a->sets, 1);
        if (!a->e || !a->hand) {
            tlb_destroy(t);
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            a->e[i].vpn = TLB_VPN_NONE;
    }
    return 0;
}

void tlb_destroy(struct tlb *t)
{
    for (int c = 0; c < TLB_CLASSES; c++) {
        free(t->arr[c].e);
        free(t->arr[c].hand);
        t->arr[c].e = NULL;
        t->arr[c].hand = NULL;
        t->arr[c].ways = 0;
    }
}

static struct tlb_entry *set_of(const struct tlb_array *a, uint64_t vpn)
{
    return &a->e[(vpn & (a->sets - 1)) * a->ways];
}

static bool matches(const struct tlb_entry *e, uint64_t vpn, uint16_t pcid)
{
    return e->vpn == vpn && (e->pcid == pcid || (e->flags & TLBE_GLOBAL));
}

struct tlb_entry *tlb_lookup(struct tlb *t, uint64_t lin, uint16_t pcid, unsigned large_shift)
{
    for (int c = 0; c < TLB_CLASSES; c++) {
        const struct tlb_array *a = &t->arr[c];
        if (!a->nvalid) continue;
        uint64_t vpn = lin >> tlb_class_shift((enum tlb_class)c, large_shift);
        struct tlb_entry *set = set_of(a, vpn);
        for (unsigned w = 0; w < a->ways; w++)
            if (matches(&set[w], vpn, pcid)) return &set[w];
    }
    return NULL;
}

/* Takes e out: folds its hits into the totals and tells the owner. */
static void drop(struct tlb *t, struct tlb_array *a, struct tlb_entry *e, bool evicted)
{
    a->nvalid--;
    t->on_drop(t->drop_ctx, t, e, evicted);
    t->stats.hits_retired += e->hits;
    e->vpn = TLB_VPN_NONE;
    e->hits = e->seen = 0;
    e->ref = false;
}

static bool used_since_hand(const struct tlb_entry *e)
{
    return e->ref || e->hits != e->seen;
}

/* CLOCK: the hand skips (and clears) ways used since it last passed. */
static unsigned next_way(unsigned w, unsigned ways)
{
    return w + 1 == ways ? 0 : w + 1;
}

/* CLOCK: the hand skips (and clears) ways used since it last passed. */
static unsigned victim_clock(struct tlb_entry *set, unsigned ways, uint8_t *hand)
{
    unsigned w = *hand;
    for (unsigned i = 0; i < 2 * ways; i++, w = next_way(w, ways)) {
        struct tlb_entry *e = &set[w];
        if (!used_since_hand(e)) break;
        e->ref = false;
        e->seen = e->hits;
    }
    /* the second lap always finds a way cleared on the first */
    *hand = (uint8_t)next_way(w, ways);
    return w;
}

/* A full set's victim under the policy. */
static unsigned victim(struct tlb *t, struct tlb_array *a, struct tlb_entry *set, uint64_t vpn)
{
    uint8_t *hand = &a->hand[vpn & (a->sets - 1)];
    switch (t->policy) {
    case EMU_TLB_POLICY_FIFO: {
        unsigned w = *hand;
        *hand = (uint8_t)next_way(w, a->ways);
        return w;
    }
    case EMU_TLB_POLICY_RANDOM:
        t->rng ^= t->rng << 13;
        t->rng ^= t->rng >> 17;
        t->rng ^= t->rng << 5;
        return t->rng % a->ways;
    default: return victim_clock(set, a->ways, hand);
    }
}

static enum tlb_class class_of(unsigned shift)
{
    return shift == 12 ? TLB_CLASS_4K : shift == 30 ? TLB_CLASS_1G : TLB_CLASS_LARGE;
}

/* The array and set entry `e` lives in (it may be of another size class
 * than the fill that replaces it). */
static struct tlb_array *array_of(struct tlb *t, const struct tlb_entry *e)
{
    for (int c = 0; c < TLB_CLASSES; c++) {
        struct tlb_array *a = &t->arr[c];
        if (e >= a->e && e < a->e + (size_t)a->sets * a->ways) return a;
    }
    return NULL;
}

struct tlb_entry *tlb_insert(struct tlb *t, const struct tlb_fill *f, struct tlb_entry *replace)
{
    struct tlb_array *a = &t->arr[class_of(f->shift)];
    if (!a->ways) return NULL;
    uint64_t vpn = f->lin >> f->shift;
    struct tlb_entry *set = set_of(a, vpn);
    struct tlb_entry *e = NULL;
    if (replace && array_of(t, replace) == a) {
        e = replace;
        drop(t, a, e, false);
    } else {
        if (replace) drop(t, array_of(t, replace), replace, false);
        for (unsigned w = 0; w < a->ways && !e; w++)
            if (set[w].vpn == TLB_VPN_NONE) e = &set[w];
        if (!e) {
            e = &set[victim(t, a, set, vpn)];
            t->stats.evictions++;
            drop(t, a, e, true);
        }
    }
    *e = (struct tlb_entry){.vpn = vpn,
                            .pa = f->pa,
                            .pcid = f->pcid,
                            .flags = f->flags,
                            .shift = f->shift,
                            .ref = true};
    a->nvalid++;
    t->stats.fills++;
    return e;
}

static bool selected(const struct tlb_entry *e, enum tlb_match match, uint16_t pcid)
{
    if (e->vpn == TLB_VPN_NONE) return false;
    bool global = (e->flags & TLBE_GLOBAL) != 0;
    switch (match) {
    case TLB_MATCH_ALL: return true;
    case TLB_MATCH_PCID: return e->pcid == pcid;
    case TLB_MATCH_PCID_NONGLOBAL: return e->pcid == pcid && !global;
    default: return !global;
    }
}

uint64_t tlb_flush(struct tlb *t, enum tlb_match match, uint16_t pcid, unsigned cause)
{
    uint64_t n = 0;
    for (int c = 0; c < TLB_CLASSES; c++) {
        struct tlb_array *a = &t->arr[c];
        size_t total = (size_t)a->sets * a->ways;
        for (size_t i = 0; i < total; i++) {
            if (!selected(&a->e[i], match, pcid)) continue;
            drop(t, a, &a->e[i], false);
            n++;
        }
    }
    t->stats.flushes[cause]++;
    t->stats.invalidated += n;
    return n;
}

void tlb_clear(struct tlb *t)
{
    for (int c = 0; c < TLB_CLASSES; c++) {
        struct tlb_array *a = &t->arr[c];
        size_t total = (size_t)a->sets * a->ways;
        for (size_t i = 0; i < total; i++)
            if (a->e[i].vpn != TLB_VPN_NONE) drop(t, a, &a->e[i], false);
    }
}

uint64_t tlb_flush_page(struct tlb *t, uint64_t lin, uint16_t pcid, bool globals,
                        unsigned large_shift, unsigned cause)
{
    uint64_t n = 0;
    for (int c = 0; c < TLB_CLASSES; c++) {
        struct tlb_array *a = &t->arr[c];
        if (!a->nvalid) continue;
        uint64_t vpn = lin >> tlb_class_shift((enum tlb_class)c, large_shift);
        struct tlb_entry *set = set_of(a, vpn);
        for (unsigned w = 0; w < a->ways; w++) {
            struct tlb_entry *e = &set[w];
            bool global = (e->flags & TLBE_GLOBAL) != 0;
            if (e->vpn != vpn || !(e->pcid == pcid || (globals && global))) continue;
            if (global && !globals) continue;
            drop(t, a, e, false);
            n++;
        }
    }
    t->stats.flushes[cause]++;
    t->stats.invalidated += n;
    return n;
}

void tlb_read_stats(const struct tlb *t, emu_tlb_stats *out)
{
    uint64_t live = 0;
    for (int c = 0; c < TLB_CLASSES; c++) {
        const struct tlb_array *a = &t->arr[c];
        size_t total = (size_t)a->sets * a->ways;
        for (size_t i = 0; i < total; i++)
            if (a->e[i].vpn != TLB_VPN_NONE) live += a->e[i].hits;
    }
    memset(out, 0, sizeof(*out));
    out->hits = t->stats.hits_retired + live;
    out->misses = t->stats.misses;
    out->lookups = out->hits + out->misses;
    out->fills = t->stats.fills;
    out->evictions = t->stats.evictions;
    out->invalidated = t->stats.invalidated;
    memcpy(out->flushes, t->stats.flushes, sizeof(out->flushes));
}
