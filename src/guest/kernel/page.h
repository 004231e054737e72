/* Physical page frames and the buddy allocator (as Linux's mm/page_alloc.c,
 * smaller): free memory is kept in blocks of 2^order pages, one free list per
 * order. Allocation splits a larger block when needed; freeing merges a
 * block with its "buddy" (the block whose frame number differs only in bit
 * `order`) for as long as the buddy is free too. */
#ifndef KERNEL_PAGE_H
#define KERNEL_PAGE_H

#include "list.h"
#include "memlayout.h"
#include "mmu.h"
#include "types.h"

#define MAX_ORDER 10 /* largest block: 2^10 pages = 4 MiB */

#define PG_FREE     (1 << 0) /* heads a free block of 2^order pages */
#define PG_SLAB     (1 << 1) /* holds slab objects (slab.c) */
#define PG_RESERVED (1 << 2) /* not RAM, or the kernel's own */

struct kmem_cache;

/* One per physical frame, indexed by frame number (Linux's struct page). */
struct page {
    struct list_head list;         // free list (buddy) or slab list link
    u32 refcount;                  // mappings and other users; freed at 0
    u8 order;                      // block order (free heads and allocation heads)
    u8 flags;                      // PG_*
    u16 inuse;                     // slab: objects handed out
    struct kmem_cache *slab_cache; // slab: the cache it belongs to
    void *freelist;                // slab: first free object
};

struct meminfo {
    u64 total_pages; // RAM managed by the buddy allocator
    u64 free_pages;
    u64 free_blocks[MAX_ORDER + 1]; // free blocks of each order (/proc/buddyinfo)
};

struct boot_info;

#define BOOT_MAPPED (1UL << 30) /* entry.S maps the first GiB: usable before vm_init */

/* Sets up the frame array and frees the usable pages below BOOT_MAPPED not
 * taken by the kernel image or the boot loader's data: enough for vm_init
 * to build the page tables that map the rest. */
void buddy_init(const struct boot_info *bi);
/* Frees the rest of RAM, once vm_init has mapped it. */
void buddy_init_late(const struct boot_info *bi);
/* 2^order contiguous pages with refcount 1, or NULL. Interrupt-safe. */
struct page *alloc_pages(unsigned order);
void free_pages(struct page *p, unsigned order);
void meminfo_get(struct meminfo *mi);

extern struct page *frames; /* the frame array */

static inline u64 page_to_pfn(const struct page *p)
{
    return (u64)(p - frames);
}

static inline struct page *pfn_to_page(u64 pfn)
{
    return &frames[pfn];
}

static inline u64 page_to_phys(const struct page *p)
{
    return page_to_pfn(p) << PAGE_SHIFT;
}

static inline void *page_address(const struct page *p)
{
    return p2v(page_to_phys(p));
}

static inline struct page *phys_to_page(u64 pa)
{
    return pfn_to_page(pa >> PAGE_SHIFT);
}

static inline struct page *virt_to_page(const void *va)
{
    return phys_to_page(v2p(va));
}

/* A zeroed page's kernel address, or NULL. */
void *page_alloc_zeroed(void);
/* Drops a reference to the frame at pa; frees it at zero. */
void page_put(u64 pa);
void page_get(u64 pa);

#endif
