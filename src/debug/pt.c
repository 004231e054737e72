/* pt ADDR: the page walk for one linear address, level by level (entry
 * address, value, flags), the physical address it lands on, and for each
 * privilege and access kind whether the access would succeed -- or the
 * page fault it would raise and why, in the SDM's terms (Vol. 3 §4.6, §4.7). */
#include <string.h>

#include "../mmu/tlb.h"
#include "repl_int.h"

#define ADDR_FIELD 0x000ffffffffff000ULL

struct level_name {
    const char *entry; // "PDE"
    const char *table; // what the entry points to when not a leaf
};

/* Entry names by paging mode and walk level (4 = top). */
static struct level_name level_name(const struct cpu *c, int level)
{
    static const struct level_name four[] = {{"PTE", "page"},
                                             {"PDE", "page table"},
                                             {"PDPTE", "page directory"},
                                             {"PML4E", "page-directory-pointer table"}};
    if (!(c->cr4 & CR4_PAE) && level == 2) return (struct level_name){"PDE", "page table"};
    return four[level >= 1 && level <= 4 ? level - 1 : 0];
}

static unsigned level_index(const struct cpu *c, uint64_t lin, int level)
{
    if (!(c->cr4 & CR4_PAE)) return (unsigned)((lin >> (level == 2 ? 22 : 12)) & 0x3ff);
    if (!(c->efer & EFER_LMA) && level == 3) return (unsigned)((lin >> 30) & 3);
    return (unsigned)((lin >> (12 + 9 * (level - 1))) & 0x1ff);
}

static void entry_flags(uint64_t e, int level, bool wide, char *buf, size_t n)
{
    if (!(e & PTE_P)) {
        snprintf(buf, n, "not present");
        return;
    }
    snprintf(buf, n, "P %s %s%s%s%s%s%s%s%s", (e & PTE_W) ? "W" : "R/O", (e & PTE_U) ? "U" : "S",
             (e & PTE_PWT) ? " PWT" : "", (e & PTE_PCD) ? " PCD" : "", (e & PTE_A) ? " A" : "",
             (e & PTE_D) ? " D" : "", (e & PTE_PS) && level > 1 ? " PS" : "",
             (e & PTE_G) ? " G" : "", wide && (e & PTE_NX) ? " XD" : "");
}

static void show_steps(struct repl *r, uint64_t lin, const struct mmu_walk *w)
{
    const struct cpu *c = r->m->cpu;
    bool wide = (c->cr4 & CR4_PAE) != 0;
    for (int i = 0; i < w->nsteps; i++) {
        const struct mmu_walk_step *st = &w->steps[i];
        struct level_name ln = level_name(c, st->level);
        char flags[96], next[96] = "";
        entry_flags(st->entry, st->level, wide, flags, sizeof(flags));
        bool leaf = i == w->nsteps - 1;
        if ((st->entry & PTE_P) && !leaf)
            snprintf(next, sizeof(next), "-> %s at %#llx", ln.table,
                     (unsigned long long)(st->entry & (wide ? ADDR_FIELD : 0xfffff000ULL)));
        repl_printf(r, "  %-5s[%3u] at 0x%08llx = 0x%016llx  %-22s %s\n", ln.entry,
                    level_index(c, lin, st->level), (unsigned long long)st->entry_addr,
                    (unsigned long long)st->entry, flags, next);
    }
}

/* The first walk level whose entry lacks `bit` (or, with want = false, has it). */
static const char *level_with(const struct repl *r, const struct mmu_walk *w, uint64_t bit,
                              bool want)
{
    for (int i = 0; i < w->nsteps; i++)
        if (((w->steps[i].entry & bit) != 0) == want)
            return level_name(r->m->cpu, w->steps[i].level).entry;
    return "walk";
}

/* Why an access failed, given its walk and #PF error code. */
static void why(const struct repl *r, const struct mmu_walk *w, unsigned acc, char *buf, size_t n)
{
    const struct cpu *c = r->m->cpu;
    unsigned kind = acc & MMU_KIND_MASK;
    bool user = (acc & MMU_USER) != 0;
    if (!(w->error & PF_P))
        snprintf(buf, n, "not present (P=0 in the %s)",
                 w->nsteps ? level_name(c, w->steps[w->nsteps - 1].level).entry : "walk");
    else if (w->error & PF_RSVD)
        snprintf(buf, n, "reserved bit set in the %s",
                 level_name(c, w->steps[w->nsteps - 1].level).entry);
    else if (user && !(w->flags & TLBE_USER))
        snprintf(buf, n, "supervisor-only page (U/S=0 in the %s)", level_with(r, w, PTE_U, false));
    else if (kind == MMU_WRITE && !(w->flags & TLBE_WRITE))
        snprintf(buf, n, "read-only page (R/W=0 in the %s)%s", level_with(r, w, PTE_W, false),
                 user ? "" : "; CR0.WP=1 makes ring 0 honour it");
    else if (kind == MMU_EXEC && (w->flags & TLBE_NX))
        snprintf(buf, n, "no-execute page (XD=1 in the %s, EFER.NXE=1)",
                 level_with(r, w, PTE_NX, true));
    else if (kind == MMU_EXEC)
        snprintf(buf, n, "SMEP: ring 0 may not execute a user page");
    else
        snprintf(buf, n, "SMAP: ring 0 may not touch a user page while RFLAGS.AC=0");
}

static void verdicts(struct repl *r, uint64_t lin)
{
    static const char *const kinds[] = {"read", "write", "execute"};
    struct cpu *c = r->m->cpu;
    for (int ring = 0; ring <= 3; ring += 3)
        for (unsigned kind = MMU_READ; kind <= MMU_EXEC; kind++) {
            unsigned acc = kind | (ring == 3 ? MMU_USER : 0) | MMU_NO_SIDE_EFFECTS |
                           ((c->rflags & RFLAGS_AC) ? MMU_AC : 0);
            struct mmu_walk w;
            if (mmu_walk(&c->mmu, lin, acc, &w)) {
                repl_printf(r, "  ring %d %-8s ok\n", ring, kinds[kind]);
                continue;
            }
            char reason[160];
            why(r, &w, acc, reason, sizeof(reason));
            repl_printf(r, "  ring %d %-8s #PF, error code 0x%x: %s\n", ring, kinds[kind], w.error,
                        reason);
        }
}


void cmd_pt(struct repl *r, int argc, char **argv)
{
    uint64_t lin;
    if (argc < 2) {
        repl_error(r, "usage: pt ADDR   (for example: pt rip, pt 0xffffffff80100000)");
        return;
    }
    if (!repl_eval(r, argv[1], &lin)) return;
    struct cpu *c = r->m->cpu;
    if (!(c->cr0 & CR0_PG)) {
        repl_printf(r, "Paging is off (CR0.PG=0): linear %#llx is physical %#llx.\n",
                    (unsigned long long)lin, (unsigned long long)(lin & 0xffffffffULL));
        return;
    }
    if ((c->efer & EFER_LMA) && !is_canonical(lin)) {
        repl_printf(r,
                    "%#llx is not canonical (bits 63:47 differ): any access raises #GP "
                    "(#SS through RSP/RBP) before paging is consulted.\n",
                    (unsigned long long)lin);
        return;
    }
    const char *mode = (c->efer & EFER_LMA) ? "4-level paging"
                       : (c->cr4 & CR4_PAE) ? "PAE paging"
                                            : "32-bit paging";
    repl_printf(r, "%s of linear %#llx, CR3 %#llx\n", mode, (unsigned long long)lin,
                (unsigned long long)c->cr3);
    struct mmu_walk w;
    bool ok = mmu_walk(&c->mmu, lin, MMU_READ | MMU_NO_SIDE_EFFECTS, &w);
    show_steps(r, lin, &w);
    if (ok)
        repl_printf(r, "  => physical %#llx (%llu KiB page at %#llx%s)\n", (unsigned long long)w.pa,
                    (unsigned long long)((1ULL << w.shift) >> 10),
                    (unsigned long long)(w.pa & ~((1ULL << w.shift) - 1)),
                    (w.flags & TLBE_GLOBAL) ? ", global" : "");
    else
        repl_printf(r, "  => no translation\n");
    verdicts(r, lin);
}
