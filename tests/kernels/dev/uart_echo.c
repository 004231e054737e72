/* Serial input through interrupts: COM1's receive interrupt routed by the
 * I/O APIC (the 8259 masked), the kernel halting between bytes; it echoes
 * each line in upper case until it reads '~'. The harness feeds stdin from
 * a file on both machines. */
#include "devlib.h"

#define V_COM1 0x34
#define LSR_DR 0x01

static char line[128];
static volatile unsigned len, lines, done;

static void hook(unsigned v)
{
    if (v != V_COM1)
        return;
    while (!done && (inb(COM1 + 5) & LSR_DR)) {
        char c = (char)inb(COM1);
        if (c == '~') {
            done = 1; /* what follows is not read: its timing differs */
        } else if (c == '\n') {
            line[len] = 0;
            kprintf("%u: %s\n", ++lines, line);
            len = 0;
        } else if (len < sizeof(line) - 1) {
            line[len++] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
        }
    }
    lapic_write(LAPIC_EOI, 0);
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    dev_init();
    irq_hook = hook;
    pic_remap(PIC_VEC1, PIC_VEC2, 0x01);
    pic_mask(0xFF, 0xFF);
    ioapic_route(4, V_COM1, 0);
    outb(COM1 + 4, 0x0B); /* DTR, RTS, OUT2 */
    outb(COM1 + 1, 0x01); /* received-data interrupt */
    while (!done)
        wait_irq();
    kprintf("bye after %u lines\n", lines);
    return 0;
}
