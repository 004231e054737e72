#include "phys.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void *phys_alloc_lazy(size_t bytes)
{
    void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void phys_free_lazy(void *p, size_t bytes)
{
    if (p) munmap(p, bytes ? bytes : 1);
}

static void bus_changed(void *ctx);

int phys_init(struct physmem *pm, uint64_t ram_size)
{
    memset(pm, 0, sizeof(*pm));
    ram_size = (ram_size + PAGE_OFFSET_MASK) & ~PAGE_OFFSET_MASK;
    if (ram_size == 0) return -1;
    void *p = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return -1;
    /* Host huge pages where the host allows them (as QEMU does): far fewer
     * host TLB misses when the guest roams its RAM. Still allocated on touch. */
    madvise(p, ram_size, MADV_HUGEPAGE);
    pm->code_pages = phys_alloc_lazy(ram_size >> PAGE_SHIFT);
    if (!pm->code_pages) {
        munmap(p, ram_size);
        return -1;
    }
    pm->ram = p;
    pm->ram_size = ram_size;
    phys_split_low(pm, PHYS_LOWMEM_SPLIT_AT, PHYS_LOWMEM_SPLIT);
    bus_init(&pm->mmio);
    pm->mmio.on_change = bus_changed;
    pm->mmio.change_ctx = pm;
    return 0;
}

void phys_split_low(struct physmem *pm, uint64_t split_at, uint64_t split)
{
    pm->lowmem = pm->ram_size < split_at ? pm->ram_size : split;
}

void phys_destroy(struct physmem *pm)
{
    if (pm->ram) munmap(pm->ram, pm->ram_size);
    phys_free_lazy(pm->code_pages, pm->ram_size >> PAGE_SHIFT);
    pm->ram = NULL;
    pm->code_pages = NULL;
}

/* RAM offset of pa ignoring MMIO windows, or -1. */
static int64_t ram_offset_raw(const struct physmem *pm, uint64_t pa)
{
    if (pa < pm->lowmem) return (int64_t)pa;
    if (pa >= PHYS_4G && pa - PHYS_4G < pm->ram_size - pm->lowmem)
        return (int64_t)(pm->lowmem + (pa - PHYS_4G));
    return -1;
}

/* True if some MMIO window may overlap [pa, pa + len) (a window over RAM
 * lies within the overlay bounds; the rest never hides RAM). */
static bool may_hit_mmio(const struct physmem *pm, uint64_t pa, uint64_t len)
{
    return pa < pm->overlay_hi && pm->overlay_lo < pa + len;
}

/* The bus changed: recompute which windows lie over RAM, then tell the CPU. */
static void bus_changed(void *ctx)
{
    struct physmem *pm = ctx;
    pm->overlay_lo = pm->overlay_hi = 0;
    for (int i = 0; i < pm->mmio.nregions; i++) {
        const struct bus_region *r = &pm->mmio.regions[i];
        bool low = r->base < pm->lowmem;
        bool high = r->base + r->len > PHYS_4G && r->base < PHYS_4G + (pm->ram_size - pm->lowmem);
        if (!low && !high) continue;
        if (pm->overlay_lo == pm->overlay_hi || r->base < pm->overlay_lo) pm->overlay_lo = r->base;
        if (r->base + r->len > pm->overlay_hi) pm->overlay_hi = r->base + r->len;
    }
    if (pm->on_map_change) pm->on_map_change(pm->map_change_ctx);
}

int64_t phys_ram_offset_slow(const struct physmem *pm, uint64_t pa)
{
    int64_t off = ram_offset_raw(pm, pa);
    if (off >= 0 && may_hit_mmio(pm, pa, 1) && bus_find(&pm->mmio, pa)) return -1;
    return off;
}

/* True if a window overlaps [pa, pa + len). */
static bool mmio_overlaps(const struct physmem *pm, uint64_t pa, uint64_t len)
{
    for (int i = 0; i < pm->mmio.nregions; i++) {
        const struct bus_region *r = &pm->mmio.regions[i];
        if (pa < r->base + r->len && r->base < pa + len) return true;
    }
    return false;
}

uint8_t *phys_page_ptr_slow(const struct physmem *pm, uint64_t pa)
{
    uint64_t page = pa & ~PAGE_OFFSET_MASK;
    int64_t off = ram_offset_raw(pm, page);
    if (off < 0) return NULL;
    if (may_hit_mmio(pm, page, PAGE_SIZE) && mmio_overlaps(pm, page, PAGE_SIZE)) return NULL;
    return pm->ram + off;
}

int phys_map_mmio(struct physmem *pm, uint64_t base, uint64_t len, const struct bus_ops *ops,
                  void *opaque, const char *name)
{
    if (len == 0 || base + len < base) return -1;
    return bus_register(&pm->mmio, base, len, ops, opaque, name);
}

/* Little-endian loads and stores of 1, 2, 4 or 8 bytes (constant-size
 * copies, which the compiler turns into single moves). */
static uint64_t load_le(const uint8_t *p, unsigned size)
{
    uint8_t b;
    uint16_t h;
    uint32_t w;
    uint64_t q;
    switch (size) {
    case 1: memcpy(&b, p, 1); return b;
    case 2: memcpy(&h, p, 2); return h;
    case 4: memcpy(&w, p, 4); return w;
    default: memcpy(&q, p, 8); return q;
    }
}

static void store_le(uint8_t *p, uint64_t v, unsigned size)
{
    uint8_t b = (uint8_t)v;
    uint16_t h = (uint16_t)v;
    uint32_t w = (uint32_t)v;
    switch (size) {
    case 1: memcpy(p, &b, 1); break;
    case 2: memcpy(p, &h, 2); break;
    case 4: memcpy(p, &w, 4); break;
    default: memcpy(p, &v, 8); break;
    }
}

/* Accesses done byte by byte: across a page, or of an odd size. */
static bool bytewise(uint64_t pa, unsigned size)
{
    return (pa & PAGE_OFFSET_MASK) + size > PAGE_SIZE || (size & (size - 1)) || size > 8;
}

uint64_t phys_read(struct physmem *pm, uint64_t pa, unsigned size)
{
    if (bytewise(pa, size)) {
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++)
            v |= phys_read(pm, pa + i, 1) << (8 * i);
        return v;
    }
    int64_t off = phys_ram_offset(pm, pa);
    if (off >= 0) return load_le(pm->ram + off, size);
    return bus_read(&pm->mmio, pa, size);
}

void phys_write(struct physmem *pm, uint64_t pa, uint64_t value, unsigned size)
{
    if (bytewise(pa, size)) {
        for (unsigned i = 0; i < size; i++)
            phys_write(pm, pa + i, (value >> (8 * i)) & 0xff, 1);
        return;
    }
    int64_t off = phys_ram_offset(pm, pa);
    if (off < 0) {
        bus_write(&pm->mmio, pa, value, size);
        return;
    }
    if (pm->code_pages[off >> PAGE_SHIFT] && pm->on_code_write)
        pm->on_code_write(pm->code_write_ctx, pa, size);
    store_le(pm->ram + off, value, size);
}

void phys_set_bits(struct physmem *pm, uint64_t pa, uint64_t bits, unsigned size)
{
    int64_t off = phys_ram_offset(pm, pa);
    if (off < 0 || (pa & (size - 1))) return;
    if (pm->code_pages[off >> PAGE_SHIFT] && pm->on_code_write)
        pm->on_code_write(pm->code_write_ctx, pa, size);
    if (size == 8)
        __atomic_fetch_or((uint64_t *)(void *)(pm->ram + off), bits, __ATOMIC_SEQ_CST);
    else
        __atomic_fetch_or((uint32_t *)(void *)(pm->ram + off), (uint32_t)bits, __ATOMIC_SEQ_CST);
}

/* Length of the run starting at pa that stays within one page and len. */
static size_t page_chunk(uint64_t pa, size_t len)
{
    size_t room = PAGE_SIZE - (pa & PAGE_OFFSET_MASK);
    return len < room ? len : room;
}

size_t phys_copy_to(struct physmem *pm, uint64_t pa, const void *src, size_t len)
{
    const uint8_t *s = src;
    size_t done = 0;
    for (size_t n; len; pa += n, s += n, len -= n) {
        n = page_chunk(pa, len);
        uint8_t *page = phys_page_ptr(pm, pa);
        if (!page) {
            for (size_t i = 0; i < n; i++)
                if (phys_ram_offset(pm, pa + i) >= 0) {
                    phys_write(pm, pa + i, s[i], 1);
                    done++;
                }
            continue;
        }
        int64_t off = page - pm->ram;
        if (pm->code_pages[off >> PAGE_SHIFT] && pm->on_code_write)
            pm->on_code_write(pm->code_write_ctx, pa, (unsigned)n);
        memcpy(page + (pa & PAGE_OFFSET_MASK), s, n);
        done += n;
    }
    return done;
}

size_t phys_copy_from(struct physmem *pm, uint64_t pa, void *dst, size_t len)
{
    uint8_t *d = dst;
    size_t done = 0;
    for (size_t n; len; pa += n, d += n, len -= n) {
        n = page_chunk(pa, len);
        const uint8_t *page = phys_page_ptr(pm, pa);
        if (!page) {
            for (size_t i = 0; i < n; i++) {
                int64_t off = phys_ram_offset(pm, pa + i);
                d[i] = off >= 0 ? pm->ram[off] : 0xff;
                done += off >= 0;
            }
            continue;
        }
        memcpy(d, page + (pa & PAGE_OFFSET_MASK), n);
        done += n;
    }
    return done;
}
