/* The slab allocator and kmalloc. */
#include "slab.h"

#include "page.h"
#include "printk.h"
#include "str.h"
#include "x86.h"

#define KMALLOC_MIN_SHIFT 4  /* kmalloc-16 */
#define KMALLOC_MAX_SHIFT 11 /* kmalloc-2048 */
#define NKMALLOC          (KMALLOC_MAX_SHIFT - KMALLOC_MIN_SHIFT + 1)

static struct list_head all_caches = LIST_HEAD_INIT(all_caches);
static struct kmem_cache cache_cache; /* the cache the caches come from */
static struct kmem_cache *kmalloc_caches[NKMALLOC];

static void cache_setup(struct kmem_cache *c, const char *name, u32 size)
{
    c->name = name;
    c->size = (u32)ALIGN_UP(size, 16);
    c->per_slab = PAGE_SIZE / c->size;
    list_init(&c->partial);
    list_init(&c->full);
    c->active = c->slabs = 0;
    list_add_tail(&c->caches, &all_caches);
}

struct kmem_cache *kmem_cache_create(const char *name, u32 size)
{
    if (size == 0 || size > PAGE_SIZE / 2)
        panic("kmem_cache_create: bad size %u for %s", size, name);
    struct kmem_cache *c = kmem_cache_alloc(&cache_cache);
    if (!c) panic("kmem_cache_create: out of memory");
    cache_setup(c, name, size);
    return c;
}

/* A new slab: one page cut into objects, all on the page's free list. */
static struct page *slab_grow(struct kmem_cache *c)
{
    struct page *p = alloc_pages(0);
    if (!p) return NULL;
    char *base = page_address(p);
    p->flags |= PG_SLAB;
    p->slab_cache = c;
    p->inuse = 0;
    p->freelist = NULL;
    for (u32 i = c->per_slab; i-- > 0;) {
        void **obj = (void **)(base + i * c->size);
        *obj = p->freelist;
        p->freelist = obj;
    }
    list_add(&p->list, &c->partial);
    c->slabs++;
    return p;
}

void *kmem_cache_alloc(struct kmem_cache *c)
{
    u64 flags = irq_save();
    struct page *p =
        list_empty(&c->partial) ? slab_grow(c) : list_entry(c->partial.next, struct page, list);
    void **obj = NULL;
    if (p) {
        obj = p->freelist;
        p->freelist = *obj;
        p->inuse++;
        c->active++;
        if (!p->freelist) { /* now full */
            list_del(&p->list);
            list_add(&p->list, &c->full);
        }
    }
    irq_restore(flags);
    if (obj) memset(obj, 0, c->size);
    return obj;
}

void kmem_cache_free(struct kmem_cache *c, void *obj)
{
    u64 flags = irq_save();
    struct page *p = virt_to_page(obj);
    if (!(p->flags & PG_SLAB) || p->slab_cache != c)
        panic("kmem_cache_free: %p is not from %s", obj, c->name);
    if (!p->freelist) { /* was full */
        list_del(&p->list);
        list_add(&p->list, &c->partial);
    }
    *(void **)obj = p->freelist;
    p->freelist = obj;
    p->inuse--;
    c->active--;
    if (p->inuse == 0 && c->partial.next != c->partial.prev) {
        list_del(&p->list); /* empty, and not the last partial slab: give it back */
        p->flags &= (u8)~PG_SLAB;
        c->slabs--;
        free_pages(p, 0);
    }
    irq_restore(flags);
}

void *kmalloc(u64 n)
{
    for (int i = 0; i < NKMALLOC; i++)
        if (n <= (1ULL << (i + KMALLOC_MIN_SHIFT))) return kmem_cache_alloc(kmalloc_caches[i]);
    unsigned order = 0;
    while (((u64)PAGE_SIZE << order) < n)
        order++;
    if (order > MAX_ORDER) return NULL;
    struct page *p = alloc_pages(order);
    if (!p) return NULL;
    memset(page_address(p), 0, PAGE_SIZE << order);
    return page_address(p);
}

void kfree(void *ptr)
{
    if (!ptr) return;
    struct page *p = virt_to_page(ptr);
    if (p->flags & PG_SLAB)
        kmem_cache_free(p->slab_cache, ptr);
    else
        free_pages(p, p->order);
}

void slab_init(void)
{
    static const char *names[NKMALLOC] = {"kmalloc-16",   "kmalloc-32",  "kmalloc-64",
                                          "kmalloc-128",  "kmalloc-256", "kmalloc-512",
                                          "kmalloc-1024", "kmalloc-2048"};
    cache_setup(&cache_cache, "kmem_cache", sizeof(struct kmem_cache));
    for (int i = 0; i < NKMALLOC; i++)
        kmalloc_caches[i] = kmem_cache_create(names[i], 1u << (i + KMALLOC_MIN_SHIFT));
    printk("slab: %d kmalloc caches, %u to %u bytes\n", NKMALLOC, 1u << KMALLOC_MIN_SHIFT,
           1u << KMALLOC_MAX_SHIFT);
}

void slab_for_each(void (*fn)(const struct kmem_cache *c, void *arg), void *arg)
{
    struct list_head *pos;
    list_for_each(pos, &all_caches) fn(list_entry(pos, struct kmem_cache, caches), arg);
}
