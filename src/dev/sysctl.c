#include "sysctl.h"

#define EXIT_STATUS_MASK 0xff

static uint64_t read_none(void *opaque, uint64_t off, unsigned size)
{
    (void)opaque;
    (void)off;
    return bus_ones(size);
}

static void debug_exit_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    const struct sysctl_sink *s = opaque;
    (void)off;
    (void)size;
    int status = (int)(((value << 1) | 1) & EXIT_STATUS_MASK);
    s->request(s->ctx, SYSCTL_DEBUG_EXIT, status);
}

static uint64_t pm_read(void *opaque, uint64_t off, unsigned size)
{
    (void)opaque;
    (void)off;
    (void)size;
    return 0;
}

static void pm_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    const struct sysctl_sink *s = opaque;
    (void)size;
    if (off != 0)
        return;
    unsigned typ = (unsigned)(value >> ACPI_SLP_TYP_SHIFT) & ACPI_SLP_TYP_MASK;
    if ((value & ACPI_SLP_EN) && typ == 0)
        s->request(s->ctx, SYSCTL_POWEROFF, 0);
}

static uint64_t port_a_read(void *opaque, uint64_t off, unsigned size)
{
    const struct port_a *p = opaque;
    (void)off;
    (void)size;
    return p->value;
}

/* The reset bit acts on its 0 -> 1 transition (QEMU's port 92 does the same). */
static void port_a_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct port_a *p = opaque;
    (void)off;
    (void)size;
    uint8_t old = p->value;
    p->value = (uint8_t)value;
    if ((value & PORT_A_RESET) && !(old & PORT_A_RESET))
        p->sink->request(p->sink->ctx, SYSCTL_RESET, 0);
}

static const struct bus_ops debug_exit = {read_none, debug_exit_write};
static const struct bus_ops port_a = {port_a_read, port_a_write};
static const struct bus_ops acpi_pm = {pm_read, pm_write};

const struct bus_ops *debug_exit_ops(void)
{
    return &debug_exit;
}

const struct bus_ops *port_a_ops(void)
{
    return &port_a;
}

const struct bus_ops *acpi_pm_ops(void)
{
    return &acpi_pm;
}
