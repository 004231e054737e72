/* The slab allocator and kmalloc (after Linux's SLAB/SLUB, much smaller): a
 * cache hands out objects of one size, carved from one-page slabs; each
 * slab's free objects form a list threaded through the objects themselves,
 * and the slab's struct page records its cache, so kfree needs no size. */
#ifndef KERNEL_SLAB_H
#define KERNEL_SLAB_H

#include "list.h"
#include "types.h"

struct kmem_cache {
    const char *name;         // "task_struct", "kmalloc-64", ...
    u32 size;                 // object size, a multiple of 16
    u32 per_slab;             // objects per one-page slab
    struct list_head partial; // slabs with at least one free object
    struct list_head full;    // slabs with none
    u64 active;               // objects handed out
    u64 slabs;                // slabs (pages) held
    struct list_head caches;  // link in the list of all caches
};

void slab_init(void);
/* A cache of objects of `size` bytes (at most 2048). */
struct kmem_cache *kmem_cache_create(const char *name, u32 size);
void *kmem_cache_alloc(struct kmem_cache *c);
void kmem_cache_free(struct kmem_cache *c, void *obj);

/* n bytes (zeroed), from the smallest kmalloc cache that fits, or whole
 * pages from the buddy allocator above 2 KiB. NULL when out of memory. */
void *kmalloc(u64 n);
void kfree(void *p);

/* Calls fn for every cache (for /proc/slabinfo). */
void slab_for_each(void (*fn)(const struct kmem_cache *c, void *arg), void *arg);

#endif
