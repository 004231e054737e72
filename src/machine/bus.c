#include "bus.h"

#include <string.h>

void bus_init(struct bus *bus)
{
    memset(bus, 0, sizeof(*bus));
}

static bool overlaps(const struct bus_region *r, uint64_t base, uint64_t len)
{
    return base < r->base + r->len && r->base < base + len;
}

int bus_register(struct bus *bus, uint64_t base, uint64_t len, const struct bus_ops *ops,
                 void *opaque, const char *name)
{
    if (len == 0 || bus->nregions == BUS_MAX_REGIONS)
        return -1;
    int at = 0;
    for (; at < bus->nregions; at++) {
        if (overlaps(&bus->regions[at], base, len))
            return -1;
        if (bus->regions[at].base > base)
            break;
    }
    memmove(&bus->regions[at + 1], &bus->regions[at],
            (size_t)(bus->nregions - at) * sizeof(bus->regions[0]));
    bus->regions[at] = (struct bus_region){base, len, ops, opaque, name};
    bus->nregions++;
    if (bus->on_change)
        bus->on_change(bus->change_ctx);
    return 0;
}

int bus_unregister(struct bus *bus, uint64_t base)
{
    for (int i = 0; i < bus->nregions; i++) {
        if (bus->regions[i].base == base) {
            memmove(&bus->regions[i], &bus->regions[i + 1],
                    (size_t)(bus->nregions - i - 1) * sizeof(bus->regions[0]));
            bus->nregions--;
            if (bus->on_change)
                bus->on_change(bus->change_ctx);
            return 0;
        }
    }
    return -1;
}

const struct bus_region *bus_find(const struct bus *bus, uint64_t addr)
{
    int lo = 0, hi = bus->nregions - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        const struct bus_region *r = &bus->regions[mid];
        if (addr < r->base)
            hi = mid - 1;
        else if (addr - r->base >= r->len)
            lo = mid + 1;
        else
            return r;
    }
    return NULL;
}

uint64_t bus_read(struct bus *bus, uint64_t addr, unsigned size)
{
    const struct bus_region *r = bus_find(bus, addr);
    uint64_t v = bus_ones(size);
    if (r && r->ops->read)
        v = r->ops->read(r->opaque, addr - r->base, size) & bus_ones(size);
    if (bus->observer)
        bus->observer(bus->observer_ctx, r, addr, v, size, false);
    return v;
}

void bus_write(struct bus *bus, uint64_t addr, uint64_t value, unsigned size)
{
    const struct bus_region *r = bus_find(bus, addr);
    value &= bus_ones(size);
    if (r && r->ops->write)
        r->ops->write(r->opaque, addr - r->base, value, size);
    if (bus->observer)
        bus->observer(bus->observer_ctx, r, addr, value, size, true);
}
