#include "phys.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int phys_init(struct physmem *pm, uint64_t ram_size)
{
    memset(pm, 0, sizeof(*pm));
    ram_size = (ram_size + PAGE_OFFSET_MASK) & ~PAGE_OFFSET_MASK;
    if (ram_size == 0)
        return -1;
    void *p = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED)
        return -1;
    pm->code_pages = calloc(ram_size >> PAGE_SHIFT, 1);
    if (!pm->code_pages) {
        munmap(p, ram_size);
        return -1;
    }
    pm->ram = p;
    pm->ram_size = ram_size;
    pm->lowmem = ram_size < PHYS_LOWMEM_SPLIT_AT ? ram_size : PHYS_LOWMEM_SPLIT;
    bus_init(&pm->mmio);
    return 0;
}

void phys_destroy(struct physmem *pm)
{
    if (pm->ram)
        munmap(pm->ram, pm->ram_size);
    free(pm->code_pages);
    pm->ram = NULL;
    pm->code_pages = NULL;
}

int64_t phys_ram_offset(const struct physmem *pm, uint64_t pa)
{
    uint64_t off;
    if (pa < pm->lowmem)
        off = pa;
    else if (pa >= PHYS_4G && pa - PHYS_4G < pm->ram_size - pm->lowmem)
        off = pm->lowmem + (pa - PHYS_4G);
    else
        return -1;
    if (pm->mmio.nregions && bus_find(&pm->mmio, pa))
        return -1;
    return (int64_t)off;
}

static uint64_t load_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    memcpy(&v, p, size);
    return v;
}

uint64_t phys_read(struct physmem *pm, uint64_t pa, unsigned size)
{
    int64_t off = phys_ram_offset(pm, pa);
    if (off >= 0)
        return load_le(pm->ram + off, size);
    return bus_read(&pm->mmio, pa, size);
}

void phys_write(struct physmem *pm, uint64_t pa, uint64_t value, unsigned size)
{
    int64_t off = phys_ram_offset(pm, pa);
    if (off < 0) {
        bus_write(&pm->mmio, pa, value, size);
        return;
    }
    if (pm->code_pages[off >> PAGE_SHIFT] && pm->on_code_write)
        pm->on_code_write(pm->code_write_ctx, pa, size);
    memcpy(pm->ram + off, &value, size);
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
        int64_t off = phys_ram_offset(pm, pa);
        if (off < 0)
            continue;
        if (pm->code_pages[off >> PAGE_SHIFT] && pm->on_code_write)
            pm->on_code_write(pm->code_write_ctx, pa, (unsigned)n);
        memcpy(pm->ram + off, s, n);
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
        int64_t off = phys_ram_offset(pm, pa);
        if (off < 0) {
            memset(d, 0xff, n);
            continue;
        }
        memcpy(d, pm->ram + off, n);
        done += n;
    }
    return done;
}
