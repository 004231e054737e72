/* Interrupt lines: a small object a device drives with irq_set(line, level).
 * The receiver (PIC, I/O APIC, CPU) supplies the callback and its pin number. */
#ifndef EMU_MACHINE_IRQ_H
#define EMU_MACHINE_IRQ_H

typedef void (*irq_handler)(void *opaque, int pin, int level);

struct irq_line {
    irq_handler handler; // NULL: the line is not connected
    void *opaque;        // the receiver
    int pin;             // the receiver's input number
};

static inline void irq_connect(struct irq_line *l, irq_handler h, void *opaque, int pin)
{
    l->handler = h;
    l->opaque = opaque;
    l->pin = pin;
}

static inline void irq_set(const struct irq_line *l, int level)
{
    if (l->handler)
        l->handler(l->opaque, l->pin, level);
}

/* An edge: raise then lower. */
static inline void irq_pulse(const struct irq_line *l)
{
    irq_set(l, 1);
    irq_set(l, 0);
}

#endif
