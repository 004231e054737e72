/* pagefault_heatmap: boots a kernel and shows which pages fault most --
 * demand paging, copy-on-write and crashes side by side -- as a heat map by
 * page, with the kinds of fault each page took.
 *
 *   pagefault_heatmap KERNEL [CMDLINE]
 *
 * EMU_EV_PAGE_FAULT arrives as the CPU raises #PF, with the faulting address
 * (CR2) and the error code (SDM Vol. 3A, 4.7). */
#include <emu/hooks.h>
#include <string.h>

#include "common.h"

#define MAX_PAGES 4096
#define PAGE_SHIFT 12
#define SHOW 20
#define PF_P 0x1u
#define PF_W 0x2u
#define PF_U 0x4u
#define PF_I 0x10u
static const char shades[] = " .:-=+*#%@"; /* heat, coolest to hottest */

struct page_heat {
    uint64_t page;
    uint64_t faults;
    uint64_t not_present, protection, writes, user, fetches;
};

struct heatmap {
    struct page_heat pages[MAX_PAGES];
    unsigned n;
    uint64_t total, dropped;
};

static struct page_heat *find_page(struct heatmap *h, uint64_t page)
{
    for (unsigned i = 0; i < h->n; i++)
        if (h->pages[i].page == page)
            return &h->pages[i];
    if (h->n == MAX_PAGES)
        return NULL;
    h->pages[h->n] = (struct page_heat){.page = page};
    return &h->pages[h->n++];
}

static void on_fault(void *ctx, const emu_event *ev)
{
    struct heatmap *h = ctx;
    uint32_t e = ev->u.pf.error;
    struct page_heat *p = find_page(h, ev->u.pf.lin >> PAGE_SHIFT);
    h->total++;
    if (!p) {
        h->dropped++;
        return;
    }
    p->faults++;
    p->not_present += !(e & PF_P);
    p->protection += (e & PF_P) != 0;
    p->writes += (e & PF_W) != 0;
    p->user += (e & PF_U) != 0;
    p->fetches += (e & PF_I) != 0;
}

static int hotter(const void *a, const void *b)
{
    const struct page_heat *x = a, *y = b;
    if (x->faults != y->faults)
        return x->faults > y->faults ? -1 : 1;
    return x->page < y->page ? -1 : x->page > y->page;
}

static void print_heatmap(struct heatmap *h)
{
    qsort(h->pages, h->n, sizeof(h->pages[0]), hotter);
    uint64_t max = h->n ? h->pages[0].faults : 1;
    printf("%-18s %7s  heat  %s\n", "page", "faults", "not-present protection write user fetch");
    for (unsigned i = 0; i < h->n && i < SHOW; i++) {
        const struct page_heat *p = &h->pages[i];
        size_t shade = (size_t)((p->faults * (sizeof(shades) - 2) + max - 1) / max);
        printf("0x%016llx %7llu  [%c]   %11llu %10llu %5llu %4llu %5llu\n",
               (unsigned long long)(p->page << PAGE_SHIFT), (unsigned long long)p->faults,
               shades[shade], (unsigned long long)p->not_present,
               (unsigned long long)p->protection, (unsigned long long)p->writes,
               (unsigned long long)p->user, (unsigned long long)p->fetches);
    }
    printf("%llu page faults on %u pages", (unsigned long long)h->total, h->n);
    if (h->n > SHOW)
        printf(" (the %d hottest shown)", SHOW);
    if (h->dropped)
        printf(", %llu on pages beyond the first %d", (unsigned long long)h->dropped, MAX_PAGES);
    printf("\n");
}

int main(int argc, char **argv)
{
    emu_machine *m = boot_from_args(argc, argv, "KERNEL [CMDLINE]");
    static struct heatmap h;
    if (emu_hook_add(m, EMU_EV_PAGE_FAULT, on_fault, &h) < 0) {
        fprintf(stderr, "cannot subscribe\n");
        return 2;
    }
    emu_run_result r;
    emu_machine_run(m, &r);
    print_heatmap(&h);
    emu_machine_destroy(m);
    return 0;
}
