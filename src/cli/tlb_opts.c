/* `emu run --tlb SPEC` and `--tlb-stats`: the TLB model's geometry from the
 * command line, and its statistics on stderr after the run (docs/mmu.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct tlb_key {
    const char *name;
    int dtlb; // 0: itlb, 1: dtlb
    int cls;  // emu_tlb_page_class
};

static const struct tlb_key keys[] = {
    {"itlb-4k", 0, EMU_TLB_PAGE_4K},       {"itlb-large", 0, EMU_TLB_PAGE_LARGE},
    {"itlb-1g", 0, EMU_TLB_PAGE_1G},       {"dtlb-4k", 1, EMU_TLB_PAGE_4K},
    {"dtlb-large", 1, EMU_TLB_PAGE_LARGE}, {"dtlb-1g", 1, EMU_TLB_PAGE_1G},
};

static const char *const policies[] = {
    [EMU_TLB_POLICY_CLOCK] = "clock",
    [EMU_TLB_POLICY_FIFO] = "fifo",
    [EMU_TLB_POLICY_RANDOM] = "random",
};

/* SETSxWAYS, e.g. 16x4. */
static bool parse_geometry(const char *s, emu_tlb_geometry *g)
{
    char *end;
    unsigned long sets = strtoul(s, &end, 10);
    if (end == s || *end != 'x') return false;
    const char *w = end + 1;
    unsigned long ways = strtoul(w, &end, 10);
    if (end == w || *end || sets > 0xffff || ways > 0xffff) return false;
    *g = (emu_tlb_geometry){(uint16_t)sets, (uint16_t)ways};
    return true;
}

static bool parse_item(const char *item, emu_tlb_config *c)
{
    if (!strcmp(item, "unified") || !strcmp(item, "split")) {
        c->unified = item[0] == 'u';
        return true;
    }
    const char *eq = strchr(item, '=');
    if (!eq) return false;
    size_t klen = (size_t)(eq - item);
    if (klen == 6 && !strncmp(item, "policy", 6)) {
        for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
            if (!strcmp(eq + 1, policies[i])) {
                c->policy = (emu_tlb_policy)i;
                return true;
            }
        return false;
    }
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strlen(keys[i].name) != klen || strncmp(item, keys[i].name, klen)) continue;
        emu_tlb_geometry *g = keys[i].dtlb ? &c->dtlb[keys[i].cls] : &c->itlb[keys[i].cls];
        return parse_geometry(eq + 1, g);
    }
    return false;
}

bool parse_tlb_spec(const char *spec, emu_tlb_config *c)
{
    char *copy = strdup(spec);
    if (!copy) return false;
    bool ok = *copy != '\0';
    for (char *save = NULL, *item = strtok_r(copy, ",", &save); ok && item;
         item = strtok_r(NULL, ",", &save))
        ok = parse_item(item, c);
    free(copy);
    return ok;
}

static void print_one(FILE *out, const char *name, const emu_tlb_stats *s)
{
    double rate = s->lookups ? 100.0 * (double)s->hits / (double)s->lookups : 0.0;
    fprintf(out,
            "emu: %s: %llu lookups, %llu hits (%.2f%%), %llu misses, %llu fills, "
            "%llu evictions, %llu invalidated\n",
            name, (unsigned long long)s->lookups, (unsigned long long)s->hits, rate,
            (unsigned long long)s->misses, (unsigned long long)s->fills,
            (unsigned long long)s->evictions, (unsigned long long)s->invalidated);
    for (int i = 0; i < EMU_TLB_FLUSH_CAUSES; i++)
        if (s->flushes[i])
            fprintf(out, "emu: %s: flushes %s: %llu\n", name,
                    emu_tlb_flush_cause_name((emu_tlb_flush_cause)i),
                    (unsigned long long)s->flushes[i]);
}

void print_tlb_stats(emu_machine *m, const emu_run_result *r, FILE *out)
{
    emu_tlb_config cfg;
    emu_tlb_stats s;
    emu_cpu_get_tlb_config(m, 0, &cfg);
    fprintf(out, "emu: %llu instructions retired\n", (unsigned long long)r->insns);
    if (cfg.unified) {
        emu_cpu_get_tlb_stats(m, 0, EMU_TLB_DATA, &s);
        print_one(out, "tlb", &s);
        return;
    }
    emu_cpu_get_tlb_stats(m, 0, EMU_TLB_INSTRUCTION, &s);
    print_one(out, "itlb", &s);
    emu_cpu_get_tlb_stats(m, 0, EMU_TLB_DATA, &s);
    print_one(out, "dtlb", &s);
}
