/* Guest physical memory: RAM plus MMIO holes claimed by devices.
 *
 * RAM is one host mapping reserved with MAP_NORESERVE, so the host backs only
 * the pages the guest touches (an untouched gigabyte costs nothing). Large
 * RAM is split around the 4 GiB hole as on QEMU's q35 (PHYS_LOWMEM_SPLIT):
 * the rest lies above 4 GiB. Devices claim MMIO windows with
 * phys_map_mmio (LAPIC 0xFEE00000, IOAPIC 0xFEC00000, VGA 0xA0000-0xBFFFF);
 * a window takes precedence over RAM beneath it. Reads of addresses nothing
 * backs return all-ones and writes to them are dropped. Every access is
 * bounds-checked: no guest physical address reaches host memory outside the
 * RAM mapping. */
#ifndef EMU_MMU_PHYS_H
#define EMU_MMU_PHYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../machine/bus.h"

#define PAGE_SHIFT       12
#define PAGE_SIZE        (1ULL << PAGE_SHIFT)
#define PAGE_OFFSET_MASK (PAGE_SIZE - 1)
#define PHYS_4G          (1ULL << 32)
/* RAM below 4 GiB, as on QEMU's q35: all of it when it ends below
 * PHYS_LOWMEM_SPLIT_AT, else the first PHYS_LOWMEM_SPLIT bytes (the rest
 * goes above 4 GiB). */
#define PHYS_LOWMEM_SPLIT_AT 0xB0000000ULL
#define PHYS_LOWMEM_SPLIT    0x80000000ULL

/* Called before a write lands on a physical page that holds translated code,
 * with the physical address and length of the write. */
typedef void (*phys_code_write_fn)(void *ctx, uint64_t pa, unsigned len);
/* Called after the memory map changed (an MMIO window appeared), so that
 * cached host pointers to RAM pages can be dropped. */
typedef void (*phys_map_change_fn)(void *ctx);

struct physmem {
    uint8_t *ram;        // host mapping of all RAM
    uint64_t ram_size;   // bytes of RAM in all
    uint64_t lowmem;     // RAM bytes at [0, lowmem); the rest at [4 GiB, ...)
    struct bus mmio;     // devices in the physical address space
    uint64_t overlay_lo; // MMIO windows over RAM lie within [overlay_lo, overlay_hi)
    uint64_t overlay_hi;
    int overlay_nregions; // regions the overlay bounds account for (see phys_ram_offset)
    uint8_t *code_pages;  // per RAM page: nonzero if translated code lives there
    phys_code_write_fn on_code_write;
    void *code_write_ctx;
    phys_map_change_fn on_map_change;
    void *map_change_ctx;
};

/* Reserves `ram_size` bytes of RAM (rounded up to a page). 0 or -1 (out of memory). */
int phys_init(struct physmem *pm, uint64_t ram_size);

/* Re-splits RAM around the 4 GiB hole (before any use): all of it below
 * 4 GiB when smaller than split_at, else `split` bytes below and the rest
 * from 4 GiB up. phys_init splits as q35 does (PHYS_LOWMEM_SPLIT*). */
void phys_split_low(struct physmem *pm, uint64_t split_at, uint64_t split);
void phys_destroy(struct physmem *pm);

/* Claims [base, base+len) for a device; accesses there call `ops` with the
 * offset into the window. Returns 0, or -1 if the window overlaps another or
 * the table is full. `name` must outlive pm. The same as bus_register on
 * pm->mmio: either way the map is updated and on_map_change called. pm must
 * not move after phys_init (the bus points back at it). */
int phys_map_mmio(struct physmem *pm, uint64_t base, uint64_t len, const struct bus_ops *ops,
                  void *opaque, const char *name);

/* Offset into pm->ram of the RAM byte at pa, or -1 if pa is not RAM (MMIO, hole,
 * beyond the end). An MMIO window hides the RAM beneath it. */
int64_t phys_ram_offset_slow(const struct physmem *pm, uint64_t pa);
static inline int64_t phys_ram_offset(const struct physmem *pm, uint64_t pa)
{
    if (pa < pm->lowmem && (pa >= pm->overlay_hi || pa < pm->overlay_lo))
        return (int64_t)pa; /* low RAM outside every MMIO window: the common case */
    return phys_ram_offset_slow(pm, pa);
}

/* Host pointer to the RAM page that holds pa, or NULL if any byte of that
 * page is not plain RAM (so the page may be accessed through the pointer). */
uint8_t *phys_page_ptr_slow(const struct physmem *pm, uint64_t pa);
static inline uint8_t *phys_page_ptr(const struct physmem *pm, uint64_t pa)
{
    uint64_t page = pa & ~PAGE_OFFSET_MASK;
    if (page < pm->lowmem && (page >= pm->overlay_hi || page + PAGE_SIZE <= pm->overlay_lo))
        return pm->ram + page;
    return phys_page_ptr_slow(pm, pa);
}

static inline bool phys_is_code_page(const struct physmem *pm, uint64_t pa)
{
    int64_t off = phys_ram_offset(pm, pa);
    return off >= 0 && pm->code_pages[off >> PAGE_SHIFT];
}

/* Accesses of 1, 2, 4 or 8 bytes. RAM, MMIO or all-ones/dropped. An access
 * that crosses a page is split into bytes. Writes to code pages notify
 * on_code_write first. */
uint64_t phys_read(struct physmem *pm, uint64_t pa, unsigned size);
void phys_write(struct physmem *pm, uint64_t pa, uint64_t value, unsigned size);

/* Atomically ORs `bits` into the naturally aligned 4- or 8-byte RAM word at
 * pa (the processor's locked update of accessed and dirty flags). Words that
 * are not RAM are left alone. */
void phys_set_bits(struct physmem *pm, uint64_t pa, uint64_t bits, unsigned size);

/* Zeroed host memory that costs nothing until touched (per-page tables
 * sized by guest RAM); NULL on failure. Free with phys_free_lazy. */
void *phys_alloc_lazy(size_t bytes);
void phys_free_lazy(void *p, size_t bytes);

/* Byte-range copies for loaders and debuggers (any length, RAM only; bytes
 * outside RAM read as 0xff and are not written). Return bytes that were RAM. */
size_t phys_copy_to(struct physmem *pm, uint64_t pa, const void *src, size_t len);
size_t phys_copy_from(struct physmem *pm, uint64_t pa, void *dst, size_t len);

#endif
