/* Helpers the device test kernels share: the 8259 pair, the PIT, the local
 * APIC and the I/O APIC as a kernel programs them, and a trap dispatcher
 * that counts external interrupts per vector. Everything here is plain
 * register programming; the kernels check what the devices do. */
#ifndef DEVLIB_H
#define DEVLIB_H

#include "klib.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI 0x20
#define PIC_READ_IRR 0x0A
#define PIC_READ_ISR 0x0B
#define PIC_VEC1 0x20 /* IRQ 0-7 -> 0x20-0x27 */
#define PIC_VEC2 0x28 /* IRQ 8-15 -> 0x28-0x2F */

#define PIT_CH0 0x40
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_HZ 1193182u
#define PORT_B 0x61

#define LAPIC_BASE 0xFEE00000UL
#define LAPIC_ID 0x020
#define LAPIC_VER 0x030
#define LAPIC_TPR 0x080
#define LAPIC_PPR 0x0A0
#define LAPIC_EOI 0x0B0
#define LAPIC_SVR 0x0F0
#define LAPIC_ISR 0x100
#define LAPIC_TMR 0x180
#define LAPIC_IRR 0x200
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3E0
#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)

#define IOAPIC_BASE 0xFEC00000UL
#define IOAPIC_MASKED (1u << 16)
#define IOAPIC_LEVEL (1u << 15)

extern volatile unsigned irq_count[256];
extern volatile unsigned irq_order[64];
extern volatile unsigned irq_order_len;
/* Called from the trap dispatcher for vectors >= 32 before counting (may be
 * NULL): it sends the EOI the test wants. */
extern void (*irq_hook)(unsigned vector);

/* Installs the IDT and the dispatcher: exceptions end the test through
 * trap_default; vectors >= 32 are counted and passed to irq_hook. */
void dev_init(void);

/* STI; HLT; CLI: sleeps until an interrupt has been taken. */
static inline void wait_irq(void)
{
    __asm__ volatile("sti; hlt; cli" ::: "memory");
}

void pic_remap(uint8_t vec1, uint8_t vec2, uint8_t icw4);
void pic_mask(uint8_t m1, uint8_t m2);
uint8_t pic_read(uint16_t cmd_port, uint8_t ocw3);
void pit_program(unsigned channel, unsigned mode, uint16_t count);

static inline uint32_t lapic_read(unsigned reg)
{
    return *(volatile uint32_t *)(LAPIC_BASE + reg);
}

static inline void lapic_write(unsigned reg, uint32_t v)
{
    *(volatile uint32_t *)(LAPIC_BASE + reg) = v;
}

static inline int lapic_vec_bit(unsigned base, unsigned vector)
{
    return (lapic_read(base + (vector / 32) * 0x10) >> (vector % 32)) & 1;
}

uint32_t ioapic_read(unsigned reg);
void ioapic_write(unsigned reg, uint32_t v);
/* Redirection entry of `pin`: low word `lo`, destination APIC `dest`. */
void ioapic_route(unsigned pin, uint32_t lo, uint8_t dest);

#endif
