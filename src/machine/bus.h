/* The device boundary (TinyEMU style): a device is an opaque pointer plus
 * read/write callbacks that receive the access size, registered on a bus at an
 * address range. One bus type serves port I/O (16-bit addresses) and MMIO
 * (physical addresses). Reads of addresses no device claims return all-ones;
 * writes to them are dropped, as on a PC bus. */
#ifndef EMU_MACHINE_BUS_H
#define EMU_MACHINE_BUS_H

#include <stdbool.h>
#include <stdint.h>

/* Callbacks get the offset from the start of the registered range and the
 * access size in bytes (1, 2, 4 or 8). */
struct bus_ops {
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
};

struct bus_region {
    uint64_t base;            // first address claimed
    uint64_t len;             // bytes claimed
    const struct bus_ops *ops;
    void *opaque;             // the device
    const char *name;         // shown by traces ("uart0", "pit")
};

/* Optional observer of every access, for tracing: costs one predictable
 * branch when unset. `hit` is false for an unclaimed address. */
typedef void (*bus_observer)(void *ctx, const struct bus_region *r, uint64_t addr,
                             uint64_t value, unsigned size, bool is_write);

#define BUS_MAX_REGIONS 64

struct bus {
    struct bus_region regions[BUS_MAX_REGIONS]; // sorted by base, non-overlapping
    int nregions;
    bus_observer observer;                      // NULL: no tracing
    void *observer_ctx;
    void (*on_change)(void *ctx);               // after a register/unregister (or NULL)
    void *change_ctx;
};

void bus_init(struct bus *bus);

/* Claims [base, base+len). Returns 0, or -1 if the range overlaps another
 * device or the table is full. `name` must outlive the bus. */
int bus_register(struct bus *bus, uint64_t base, uint64_t len, const struct bus_ops *ops,
                 void *opaque, const char *name);

/* Releases the range registered at `base` (a device that moves, such as the
 * local APIC page). Returns 0, or -1 if nothing is registered there. */
int bus_unregister(struct bus *bus, uint64_t base);

/* The region that claims addr, or NULL. */
const struct bus_region *bus_find(const struct bus *bus, uint64_t addr);

/* Access of `size` bytes; unclaimed reads return all-ones of that size. */
uint64_t bus_read(struct bus *bus, uint64_t addr, unsigned size);
void bus_write(struct bus *bus, uint64_t addr, uint64_t value, unsigned size);

/* All-ones for an access of `size` bytes. */
static inline uint64_t bus_ones(unsigned size)
{
    return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

#endif
