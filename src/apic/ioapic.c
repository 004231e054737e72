#include "ioapic.h"

#include <stdlib.h>

#include "apic_defs.h"

enum {
    IOREGSEL = 0x00,
    IOWIN = 0x10,
    IOEOI = 0x40,
};

enum {
    IOAPICID = 0x00,
    IOAPICVER = 0x01,
    IOAPICARB = 0x02,
    IOREDTBL = 0x10, /* two registers per pin */
};

#define IOAPIC_VERSION   0x20u
#define IOAPIC_VER_VALUE (IOAPIC_VERSION | ((IOAPIC_PINS - 1u) << 16))
#define IOAPIC_ID_SHIFT  24
#define IOAPIC_ID_MASK   (0xFu << IOAPIC_ID_SHIFT)

/* Redirection entry fields. */
#define RTE_VECTOR       0xFFULL
#define RTE_DM_SHIFT     8
#define RTE_DEST_LOGICAL (1ULL << 11)
#define RTE_PENDING      (1ULL << 12)
#define RTE_POLARITY     (1ULL << 13)
#define RTE_REMOTE_IRR   (1ULL << 14)
#define RTE_LEVEL        (1ULL << 15)
#define RTE_MASKED       (1ULL << 16)
#define RTE_DEST_SHIFT   56
#define RTE_READONLY     (RTE_PENDING | RTE_REMOTE_IRR)
#define RTE_WRITABLE     (0xFF00000000000000ULL | 0x1FFFFULL)

struct ioapic {
    uint8_t regsel;
    uint32_t id;               // IOAPICID register
    uint64_t rte[IOAPIC_PINS]; // redirection table
    uint32_t level;            // input levels, one bit per pin
    struct apic_bus *bus;
};

struct ioapic *ioapic_new(struct apic_bus *bus)
{
    struct ioapic *io = calloc(1, sizeof(*io));
    if (!io) return NULL;
    io->bus = bus;
    ioapic_reset(io);
    return io;
}

void ioapic_free(struct ioapic *io)
{
    free(io);
}

void ioapic_reset(struct ioapic *io)
{
    io->regsel = 0;
    io->id = 0;
    for (int i = 0; i < IOAPIC_PINS; i++)
        io->rte[i] = RTE_MASKED;
}

static void send(struct ioapic *io, int pin)
{
    uint64_t e = io->rte[pin];
    struct apic_msg m = {
        .vector = (uint8_t)(e & RTE_VECTOR),
        .delivery = (uint8_t)((e >> RTE_DM_SHIFT) & 7),
        .logical = (e & RTE_DEST_LOGICAL) != 0,
        .level = (e & RTE_LEVEL) != 0,
        .assert = true,
        .dest = (uint32_t)(e >> RTE_DEST_SHIFT),
        .src = APIC_SRC_IOAPIC,
        .src_pin = (int8_t)pin,
    };
    if (m.level) io->rte[pin] |= RTE_REMOTE_IRR;
    apic_bus_send(io->bus, &m, NULL);
}

/* A level-triggered pin asserts a message while its input is high, one at a
 * time (remote IRR), until the EOI. */
static void service_level(struct ioapic *io, int pin)
{
    uint64_t e = io->rte[pin];
    if ((e & RTE_LEVEL) && !(e & RTE_MASKED) && !(e & RTE_REMOTE_IRR) && (io->level >> pin & 1))
        send(io, pin);
}

/* Edge-triggered pins send a message for every request the device makes
 * while unmasked -- a raise of an already-high line counts, as on QEMU --
 * and requests on masked pins are lost (82093AA datasheet). */
void ioapic_set_irq(void *opaque, int pin, int level)
{
    struct ioapic *io = opaque;
    if (pin < 0 || pin >= IOAPIC_PINS) return;
    uint32_t bit = 1u << pin;
    io->level = level ? io->level | bit : io->level & ~bit;
    uint64_t e = io->rte[pin];
    if (e & RTE_LEVEL)
        service_level(io, pin);
    else if (level && !(e & RTE_MASKED))
        send(io, pin);
}

void ioapic_eoi(void *opaque, uint8_t vector)
{
    struct ioapic *io = opaque;
    for (int pin = 0; pin < IOAPIC_PINS; pin++) {
        uint64_t e = io->rte[pin];
        if ((e & RTE_LEVEL) && (e & RTE_REMOTE_IRR) && (e & RTE_VECTOR) == vector) {
            io->rte[pin] &= ~RTE_REMOTE_IRR;
            service_level(io, pin);
        }
    }
}

static uint32_t reg_read(const struct ioapic *io)
{
    unsigned r = io->regsel;
    if (r == IOAPICID) return io->id;
    if (r == IOAPICVER) return IOAPIC_VER_VALUE;
    if (r == IOAPICARB) return io->id; /* arbitration ID: loaded from the ID */
    if (r >= IOREDTBL && r < IOREDTBL + 2 * IOAPIC_PINS) {
        uint64_t e = io->rte[(r - IOREDTBL) / 2];
        return (uint32_t)((r & 1) ? e >> 32 : e);
    }
    return 0;
}

static void reg_write(struct ioapic *io, uint32_t v)
{
    unsigned r = io->regsel;
    if (r == IOAPICID) {
        io->id = v & IOAPIC_ID_MASK;
        return;
    }
    if (r < IOREDTBL || r >= IOREDTBL + 2 * IOAPIC_PINS) return;
    int pin = (int)(r - IOREDTBL) / 2;
    uint64_t e = io->rte[pin];
    uint64_t nv = (r & 1) ? (e & 0xFFFFFFFFULL) | ((uint64_t)v << 32) : (e & ~0xFFFFFFFFULL) | v;
    io->rte[pin] = (nv & RTE_WRITABLE & ~RTE_READONLY) | (e & RTE_READONLY);
    if (!(io->rte[pin] & RTE_LEVEL)) io->rte[pin] &= ~RTE_REMOTE_IRR;
    service_level(io, pin);
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    struct ioapic *io = opaque;
    (void)size;
    switch (off) {
    case IOREGSEL: return io->regsel;
    case IOWIN: return reg_read(io);
    default: return 0;
    }
}

static void mmio_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct ioapic *io = opaque;
    (void)size;
    switch (off) {
    case IOREGSEL: io->regsel = (uint8_t)value; break;
    case IOWIN: reg_write(io, (uint32_t)value); break;
    case IOEOI: ioapic_eoi(io, (uint8_t)value); break;
    default: break;
    }
}

static const struct bus_ops ops = {mmio_read, mmio_write};

const struct bus_ops *ioapic_ops(void)
{
    return &ops;
}
