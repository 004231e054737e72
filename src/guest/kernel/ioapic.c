/* The I/O APIC (82093AA datasheet): turns device interrupt lines into
 * messages to a LAPIC. Two registers at its MMIO base select and access the
 * indirect registers; the redirection table has one 64-bit entry per pin. */
#include "intr.h"

#include "mmu.h"
#include "printk.h"
#include "vm.h"

#define IOAPIC_BASE       0xFEC00000 /* the PC's fixed address (also in ACPI's MADT) */
#define IOREGSEL          0x00
#define IOWIN             0x10
#define IOAPIC_REG_ID     0x00
#define IOAPIC_REG_VER    0x01
#define IOAPIC_REG_REDTBL 0x10 /* pin n: registers 0x10 + 2n (low), + 1 (high) */
#define REDIR_MASKED      (1 << 16)
#define ISA_IRQ_TIMER     0
#define GSI_TIMER         2 /* the PC wires ISA IRQ 0 to pin 2 (an ACPI override) */

static volatile u32 *ioapic;

static u32 ioapic_read(u32 reg)
{
    ioapic[IOREGSEL / 4] = reg;
    return ioapic[IOWIN / 4];
}

static void ioapic_write(u32 reg, u32 v)
{
    ioapic[IOREGSEL / 4] = reg;
    ioapic[IOWIN / 4] = v;
}

void ioapic_init(void)
{
    ioapic = ioremap(IOAPIC_BASE, PAGE_SIZE);
    u32 ver = ioapic_read(IOAPIC_REG_VER);
    unsigned pins = ((ver >> 16) & 0xFF) + 1;
    for (unsigned pin = 0; pin < pins; pin++) {
        ioapic_write(IOAPIC_REG_REDTBL + 2 * pin, REDIR_MASKED);
        ioapic_write(IOAPIC_REG_REDTBL + 2 * pin + 1, 0);
    }
    printk("IOAPIC: id %u, version %#x, %u pins, at %#x\n", ioapic_read(IOAPIC_REG_ID) >> 24,
           ver & 0xFF, pins, IOAPIC_BASE);
}

/* Fixed delivery, physical destination, edge triggered, active high: the
 * ISA defaults. */
void ioapic_route(unsigned irq, unsigned vector)
{
    unsigned pin = irq == ISA_IRQ_TIMER ? GSI_TIMER : irq;
    ioapic_write(IOAPIC_REG_REDTBL + 2 * pin + 1, lapic_id() << 24);
    ioapic_write(IOAPIC_REG_REDTBL + 2 * pin, vector);
    printk("IOAPIC: IRQ %u -> pin %u -> vector %#x\n", irq, pin, vector);
}
