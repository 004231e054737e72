/* The 8259A PIC pair. This kernel uses the APICs; the PICs are only
 * initialised so they deliver nothing: their vectors moved off the
 * exceptions (the BIOS leaves IRQ 0-7 at vectors 8-15, on top of #DF..#GP),
 * then every line masked. */
#include "intr.h"
#include "traps.h"
#include "x86.h"

#define PIC1_CMD           0x20
#define PIC1_DATA          0x21
#define PIC2_CMD           0xA0
#define PIC2_DATA          0xA1
#define ICW1_INIT          0x10 /* start initialisation */
#define ICW1_ICW4          0x01 /* ICW4 follows */
#define ICW3_SLAVE_AT_IRQ2 0x04
#define ICW3_CASCADE_ID    0x02
#define ICW4_8086          0x01
#define OCW1_MASK_ALL      0xFF

void pic_init(void)
{
    outb(PIC1_CMD, ICW1_INIT | ICW1_ICW4);
    outb(PIC2_CMD, ICW1_INIT | ICW1_ICW4);
    outb(PIC1_DATA, VEC_PIC_BASE);     /* ICW2: vector of IRQ 0 */
    outb(PIC2_DATA, VEC_PIC_BASE + 8); /* ICW2: vector of IRQ 8 */
    outb(PIC1_DATA, ICW3_SLAVE_AT_IRQ2);
    outb(PIC2_DATA, ICW3_CASCADE_ID);
    outb(PIC1_DATA, ICW4_8086);
    outb(PIC2_DATA, ICW4_8086);
    outb(PIC1_DATA, OCW1_MASK_ALL);
    outb(PIC2_DATA, OCW1_MASK_ALL);
}
