/* The buddy allocator for physical page frames. */
#include "page.h"

#include "bootinfo.h"
#include "printk.h"
#include "str.h"
#include "x86.h"

struct page *frames;

static struct {
    struct list_head free[MAX_ORDER + 1]; // free blocks, by order
    u64 nr_free[MAX_ORDER + 1];
    u64 max_pfn;     // frames[] covers 0 .. max_pfn - 1
    u64 total_pages; // handed to the allocator at boot
    u64 free_pages;
    u64 first_free; // physical end of the kernel, the loader's data and frames[]
} buddy;

extern char _end[]; /* end of the kernel image (kernel.ld) */

static void add_free(struct page *p, unsigned order)
{
    p->flags = PG_FREE;
    p->order = (u8)order;
    list_add_tail(&p->list, &buddy.free[order]);
    buddy.nr_free[order]++;
}

static void del_free(struct page *p, unsigned order)
{
    list_del(&p->list);
    p->flags = 0;
    buddy.nr_free[order]--;
}

struct page *alloc_pages(unsigned order)
{
    u64 flags = irq_save();
    unsigned o = order;
    while (o <= MAX_ORDER && list_empty(&buddy.free[o]))
        o++;
    struct page *p = NULL;
    if (o <= MAX_ORDER) {
        p = list_entry(buddy.free[o].next, struct page, list);
        del_free(p, o);
        while (o > order) { /* split: give back the upper half at each step */
            o--;
            add_free(p + (1ULL << o), o);
        }
        p->order = (u8)order;
        p->refcount = 1;
        buddy.free_pages -= 1ULL << order;
    }
    irq_restore(flags);
    return p;
}

void free_pages(struct page *p, unsigned order)
{
    u64 flags = irq_save();
    u64 pfn = page_to_pfn(p);
    buddy.free_pages += 1ULL << order;
    while (order < MAX_ORDER) {
        u64 buddy_pfn = pfn ^ (1ULL << order);
        struct page *b = pfn_to_page(buddy_pfn);
        if (buddy_pfn >= buddy.max_pfn || !(b->flags & PG_FREE) || b->order != order) break;
        del_free(b, order); /* merge with the buddy into a block twice the size */
        pfn &= ~(1ULL << order);
        order++;
    }
    add_free(pfn_to_page(pfn), order);
    irq_restore(flags);
}

/* The first usable physical address past the kernel and the loader's data;
 * the frame array goes there. */
static u64 place_frames(const struct boot_info *bi)
{
    u64 top = 0;
    for (int i = 0; i < bi->nram; i++)
        top = MAX(top, bi->ram[i].end);
    buddy.max_pfn = top >> PAGE_SHIFT;
    u64 start = ALIGN_UP(MAX(v2p(_end), bi->loader_end), PAGE_SIZE);
    u64 bytes = ALIGN_UP(buddy.max_pfn * sizeof(struct page), PAGE_SIZE);
    if (start + bytes > BOOT_MAPPED)
        panic("buddy: the frame array does not fit below %#lx", BOOT_MAPPED);
    frames = p2v(start);
    memset(frames, 0, bytes);
    return start + bytes;
}

/* Hands the usable RAM in [lo, hi) to the allocator, page by page (the
 * merging builds the large blocks). */
static void free_ram(const struct boot_info *bi, u64 lo, u64 hi)
{
    for (int i = 0; i < bi->nram; i++) {
        u64 start = MAX(MAX(bi->ram[i].base, buddy.first_free), lo);
        u64 end = MIN(bi->ram[i].end, hi);
        for (u64 pa = start; pa < end; pa += PAGE_SIZE) {
            struct page *p = phys_to_page(pa);
            p->flags = 0;
            buddy.total_pages++;
            free_pages(p, 0);
        }
    }
}

void buddy_init(const struct boot_info *bi)
{
    for (int o = 0; o <= MAX_ORDER; o++)
        list_init(&buddy.free[o]);
    buddy.first_free = place_frames(bi);
    for (u64 pfn = 0; pfn < buddy.max_pfn; pfn++)
        frames[pfn].flags = PG_RESERVED;
    free_ram(bi, 0, BOOT_MAPPED);
}

void buddy_init_late(const struct boot_info *bi)
{
    free_ram(bi, BOOT_MAPPED, ~0ULL);
    printk("Memory: %luK/%luK available (kernel and frame array end at %#lx)\n",
           buddy.free_pages * 4, buddy.total_pages * 4, buddy.first_free);
}

void meminfo_get(struct meminfo *mi)
{
    u64 flags = irq_save();
    mi->total_pages = buddy.total_pages;
    mi->free_pages = buddy.free_pages;
    for (int o = 0; o <= MAX_ORDER; o++)
        mi->free_blocks[o] = buddy.nr_free[o];
    irq_restore(flags);
}

void *page_alloc_zeroed(void)
{
    struct page *p = alloc_pages(0);
    if (!p) return NULL;
    void *va = page_address(p);
    memset(va, 0, PAGE_SIZE);
    return va;
}

void page_get(u64 pa)
{
    u64 flags = irq_save();
    phys_to_page(pa)->refcount++;
    irq_restore(flags);
}

void page_put(u64 pa)
{
    struct page *p = phys_to_page(pa);
    u64 flags = irq_save();
    bool last = --p->refcount == 0;
    irq_restore(flags);
    if (last) free_pages(p, 0);
}
