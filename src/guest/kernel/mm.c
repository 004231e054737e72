/* Address spaces, their regions and their PCIDs. */
#include "mm.h"

#include "cpu.h"
#include "errno.h"
#include "memlayout.h"
#include "mmu.h"
#include "page.h"
#include "printk.h"
#include "slab.h"
#include "x86.h"

#define NPCID 4096 /* CR3[11:0] */

static struct {
    struct kmem_cache *mm_cache, *vma_cache;
    u64 pcid_used[NPCID / 64]; // bit n: PCID n belongs to an mm (PCID 0 is the kernel's)
    u64 pcid_ever[NPCID / 64]; // bit n: PCID n was used, the TLB may hold entries tagged n
} mms;

static bool bit(const u64 *map, u16 n)
{
    return map[n / 64] & (1ULL << (n % 64));
}

/* A free PCID for mm (0 when the CPU has none or all are taken). If an
 * earlier mm used it, the TLB may still hold its entries: mm->pcid_fresh
 * makes the first CR3 load flush them. */
static void pcid_alloc(struct mm *mm)
{
    mm->pcid = 0;
    if (!cpu_has.pcid) return;
    for (u16 p = 1; p < NPCID; p++) {
        if (!bit(mms.pcid_used, p)) {
            mm->pcid = p;
            mm->pcid_fresh = bit(mms.pcid_ever, p);
            mms.pcid_used[p / 64] |= 1ULL << (p % 64);
            mms.pcid_ever[p / 64] |= 1ULL << (p % 64);
            return;
        }
    }
}

static void pcid_free(u16 p)
{
    mms.pcid_used[p / 64] &= ~(1ULL << (p % 64));
}

u64 mm_cr3(struct mm *mm)
{
    u64 cr3 = v2p(mm->pml4);
    if (!mm->pcid) return cr3; /* no PCID: every CR3 load flushes the TLB's non-global entries */
    cr3 |= mm->pcid;
    if (mm->pcid_fresh)
        mm->pcid_fresh = false; /* this load flushes what an earlier owner left */
    else
        cr3 |= CR3_NOFLUSH;
    return cr3;
}

struct mm *mm_create(void)
{
    if (!mms.mm_cache) {
        mms.mm_cache = kmem_cache_create("mm_struct", sizeof(struct mm));
        mms.vma_cache = kmem_cache_create("vm_area_struct", sizeof(struct vma));
    }
    struct mm *mm = kmem_cache_alloc(mms.mm_cache);
    if (!mm) return NULL;
    mm->pml4 = vm_create();
    if (!mm->pml4) {
        kmem_cache_free(mms.mm_cache, mm);
        return NULL;
    }
    pcid_alloc(mm);
    list_init(&mm->vmas);
    mm->mmap_next = USER_MMAP_BASE;
    return mm;
}

void mm_destroy(struct mm *mm)
{
    struct list_head *pos, *tmp;
    list_for_each_safe(pos, tmp, &mm->vmas)
        kmem_cache_free(mms.vma_cache, list_entry(pos, struct vma, link));
    vm_destroy(mm->pml4);
    if (mm->pcid) pcid_free(mm->pcid);
    kmem_cache_free(mms.mm_cache, mm);
}

struct vma *vma_add(struct mm *mm, u64 start, u64 end, u32 flags, const char *name)
{
    struct list_head *pos;
    list_for_each(pos, &mm->vmas)
    {
        struct vma *v = list_entry(pos, struct vma, link);
        if (start < v->end && v->start < end) return NULL;
        if (v->start >= end) break;
    }
    struct vma *v = kmem_cache_alloc(mms.vma_cache);
    if (!v) return NULL;
    *v = (struct vma){.start = start, .end = end, .flags = flags, .name = name};
    list_add_tail(&v->link, pos); /* before the first region above it */
    return v;
}

struct vma *vma_find(struct mm *mm, u64 addr)
{
    struct list_head *pos;
    list_for_each(pos, &mm->vmas)
    {
        struct vma *v = list_entry(pos, struct vma, link);
        if (addr >= v->start && addr < v->end) return v;
    }
    return NULL;
}

struct mm *mm_fork(struct mm *parent)
{
    struct mm *mm = mm_create();
    if (!mm) return NULL;
    struct list_head *pos;
    list_for_each(pos, &parent->vmas)
    {
        struct vma *v = list_entry(pos, struct vma, link);
        struct vma *copy = vma_add(mm, v->start, v->end, v->flags, v->name);
        if (!copy) {
            mm_destroy(mm);
            return NULL;
        }
        if (v == parent->heap) mm->heap = copy;
    }
    mm->brk_start = parent->brk_start;
    mm->brk = parent->brk;
    mm->mmap_next = parent->mmap_next;
    int r = vm_copy_cow(mm->pml4, parent->pml4);
    /* The parent's writable pages just became read-only: drop its stale
     * TLB entries (a CR3 write without the no-flush bit flushes its PCID). */
    write_cr3(v2p(parent->pml4) | parent->pcid);
    if (r) {
        mm_destroy(mm);
        return NULL;
    }
    return mm;
}

void vm_unmap_range(struct mm *mm, u64 start, u64 end)
{
    for (u64 va = start; va < end; va += PAGE_SIZE) {
        pte_t *pte = vm_walk(mm->pml4, va, false);
        if (pte && (*pte & PTE_P)) {
            u64 pa = *pte & PTE_ADDR_MASK;
            *pte = 0;
            invlpg(va); /* the TLB may still hold the old translation */
            page_put(pa);
        }
    }
}

int vma_unmap(struct mm *mm, u64 start, u64 end)
{
    struct list_head *pos, *tmp;
    list_for_each_safe(pos, tmp, &mm->vmas)
    {
        struct vma *v = list_entry(pos, struct vma, link);
        if (v->end <= start || v->start >= end) continue;
        if (start > v->start && end < v->end) { /* a hole in the middle: split */
            struct vma *tail = kmem_cache_alloc(mms.vma_cache);
            if (!tail) return -ENOMEM;
            *tail = (struct vma){.start = end, .end = v->end, .flags = v->flags, .name = v->name};
            list_add(&tail->link, &v->link);
            v->end = start;
        } else if (start > v->start) {
            v->end = start;
        } else if (end < v->end) {
            v->start = end;
        } else {
            list_del(&v->link);
            kmem_cache_free(mms.vma_cache, v);
        }
    }
    vm_unmap_range(mm, start, end);
    return 0;
}
