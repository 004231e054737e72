#include "pic.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define ICW1_IC4         0x01 /* ICW4 needed */
#define ICW1_SNGL        0x02 /* single chip, no ICW3 */
#define ICW1_INIT        0x10
#define ICW4_AEOI        0x02
#define ICW4_SFNM        0x10
#define OCW3_SEL         0x08 /* bit 3 set, bit 4 clear: OCW3 */
#define OCW3_RIS         0x01 /* read ISR instead of IRR */
#define OCW3_RR          0x02 /* RIS is valid */
#define OCW3_POLL        0x04
#define OCW3_SMM         0x20 /* special mask mode on/off */
#define OCW3_ESMM        0x40 /* SMM is valid */
#define OCW2_LEVEL       0x07
#define OCW2_CMD_SHIFT   5
#define VECTOR_BASE_MASK 0xF8
#define POLL_IRQ_VALID   0x80
#define SPURIOUS_IRQ     7
#define ELCR_MASTER_MASK 0xF8 /* IRQ 0-2 are always edge */
#define ELCR_SLAVE_MASK  0xDE /* IRQ 8 and 13 are always edge */

/* OCW2 commands (R, SL, EOI bits). */
enum {
    OCW2_ROTATE_AEOI_CLEAR = 0,
    OCW2_NONSPECIFIC_EOI = 1,
    OCW2_NOP = 2,
    OCW2_SPECIFIC_EOI = 3,
    OCW2_ROTATE_AEOI_SET = 4,
    OCW2_ROTATE_NONSPECIFIC_EOI = 5,
    OCW2_SET_PRIORITY = 6,
    OCW2_ROTATE_SPECIFIC_EOI = 7,
};

/* Initialisation sequence: what the next data-port write is. */
enum { INIT_DONE, INIT_ICW2, INIT_ICW3, INIT_ICW4 };

struct pic_chip {
    uint8_t irr, isr, imr;
    uint8_t last_level; // input levels as last seen (edge detection)
    uint8_t elcr, elcr_mask;
    uint8_t vector_base;  // ICW2 & 0xF8
    uint8_t priority_add; // the IRQ with the highest priority (rotation)
    uint8_t init_state;
    bool icw4_needed, single, auto_eoi, rotate_on_aeoi, sfnm;
    bool read_isr, poll, special_mask;
};

struct pic {
    struct pic_chip chip[2]; // master, slave
    struct irq_line intr;
    bool out;     // level last driven on intr
    int last_irq; // ISA IRQ of the last INTA, -1 spurious
};

/* ICW1: everything but the ELCR returns to its initial state; level
 * requests stay in IRR, latched edges are forgotten. */
static void chip_init_reset(struct pic_chip *c)
{
    uint8_t elcr = c->elcr, mask = c->elcr_mask, irr = c->irr & c->elcr;
    memset(c, 0, sizeof(*c));
    c->elcr = elcr;
    c->elcr_mask = mask;
    c->irr = irr;
}

void pic_reset(struct pic *p)
{
    for (int i = 0; i < 2; i++) {
        p->chip[i].elcr = 0;
        chip_init_reset(&p->chip[i]);
        p->chip[i].irr = 0;
    }
    p->chip[0].elcr_mask = ELCR_MASTER_MASK;
    p->chip[1].elcr_mask = ELCR_SLAVE_MASK;
    p->out = false;
}

struct pic *pic_new(struct irq_line intr)
{
    struct pic *p = calloc(1, sizeof(*p));
    if (!p) return NULL;
    p->intr = intr;
    pic_reset(p);
    return p;
}

void pic_free(struct pic *p)
{
    free(p);
}

/* Relative priority 0 (highest) .. 7 of the first set bit of `mask` counted
 * from priority_add, or 8 if none. */
static int priority(const struct pic_chip *c, uint8_t mask)
{
    for (int p = 0; p < 8; p++)
        if (mask & (1u << ((p + c->priority_add) & 7))) return p;
    return 8;
}

/* The IRQ (0-7) this chip would present now, or -1. */
static int chip_pending(const struct pic_chip *c, bool master)
{
    int p = priority(c, c->irr & ~c->imr);
    if (p == 8) return -1;
    uint8_t in_service = c->isr;
    if (c->special_mask) in_service &= ~c->imr;
    if (master && c->sfnm) in_service &= ~(1u << PIC_CASCADE_IRQ);
    if (p < priority(c, in_service)) return (p + c->priority_add) & 7;
    return -1;
}

static void chip_input(struct pic_chip *c, int irq, int level)
{
    uint8_t bit = (uint8_t)(1u << irq);
    if (c->elcr & bit) {
        c->irr = level ? c->irr | bit : c->irr & ~bit;
    } else if (level && !(c->last_level & bit)) {
        c->irr |= bit; /* edge: latched until acknowledged */
    }
    c->last_level = level ? c->last_level | bit : c->last_level & ~bit;
}

/* Recomputes the cascade and the INT output. A request the slave presents
 * is latched in the master's IRR2 at every update (as QEMU's cascade does),
 * so a second slave request is seen after the first is acknowledged. */
static void update(struct pic *p)
{
    if (chip_pending(&p->chip[1], false) >= 0) p->chip[0].irr |= 1u << PIC_CASCADE_IRQ;
    bool out = chip_pending(&p->chip[0], true) >= 0;
    if (out != p->out) {
        p->out = out;
        irq_set(&p->intr, out);
    }
}

void pic_set_irq(void *opaque, int irq, int level)
{
    struct pic *p = opaque;
    if (irq < 0 || irq >= PIC_IRQS) return;
    chip_input(&p->chip[irq >> 3], irq & 7, level);
    update(p);
}

/* Acknowledges `irq` on chip c: ISR set (or rotation in auto-EOI mode), an
 * edge request leaves IRR. */
static void chip_ack(struct pic_chip *c, int irq)
{
    uint8_t bit = (uint8_t)(1u << irq);
    if (c->auto_eoi) {
        if (c->rotate_on_aeoi) c->priority_add = (uint8_t)((irq + 1) & 7);
    } else {
        c->isr |= bit;
    }
    if (!(c->elcr & bit)) c->irr &= ~bit;
}

int pic_intack(void *opaque)
{
    struct pic *p = opaque;
    struct pic_chip *m = &p->chip[0], *s = &p->chip[1];
    int irq = chip_pending(m, true);
    int vector;
    p->last_irq = -1;
    if (irq < 0) {
        vector = m->vector_base + SPURIOUS_IRQ;
    } else if (irq == PIC_CASCADE_IRQ) {
        int irq2 = chip_pending(s, false);
        if (irq2 >= 0) {
            chip_ack(s, irq2);
            vector = s->vector_base + irq2;
            p->last_irq = 8 + irq2;
        } else {
            vector = s->vector_base + SPURIOUS_IRQ;
        }
        chip_ack(m, irq);
    } else {
        chip_ack(m, irq);
        vector = m->vector_base + irq;
        p->last_irq = irq;
    }
    update(p);
    return vector;
}

/* ---- ports ---------------------------------------------------------------- */

static void write_ocw2(struct pic_chip *c, uint8_t v)
{
    int highest = priority(c, c->isr);
    int irq = highest == 8 ? -1 : (highest + c->priority_add) & 7;
    unsigned level = v & OCW2_LEVEL;
    switch (v >> OCW2_CMD_SHIFT) {
    case OCW2_ROTATE_AEOI_CLEAR: c->rotate_on_aeoi = false; break;
    case OCW2_ROTATE_AEOI_SET: c->rotate_on_aeoi = true; break;
    case OCW2_NONSPECIFIC_EOI:
    case OCW2_ROTATE_NONSPECIFIC_EOI:
        if (irq < 0) break;
        c->isr &= (uint8_t) ~(1u << irq);
        if ((v >> OCW2_CMD_SHIFT) == OCW2_ROTATE_NONSPECIFIC_EOI)
            c->priority_add = (uint8_t)((irq + 1) & 7);
        break;
    case OCW2_SPECIFIC_EOI: c->isr &= (uint8_t) ~(1u << level); break;
    case OCW2_ROTATE_SPECIFIC_EOI:
        c->isr &= (uint8_t) ~(1u << level);
        c->priority_add = (uint8_t)((level + 1) & 7);
        break;
    case OCW2_SET_PRIORITY: c->priority_add = (uint8_t)((level + 1) & 7); break;
    default: break; /* OCW2_NOP */
    }
}

static void write_command(struct pic_chip *c, uint8_t v)
{
    if (v & ICW1_INIT) {
        chip_init_reset(c);
        c->init_state = INIT_ICW2;
        c->icw4_needed = v & ICW1_IC4;
        c->single = v & ICW1_SNGL;
    } else if (v & OCW3_SEL) {
        if (v & OCW3_POLL) c->poll = true;
        if (v & OCW3_RR) c->read_isr = v & OCW3_RIS;
        if (v & OCW3_ESMM) c->special_mask = (v & OCW3_SMM) != 0;
    } else {
        write_ocw2(c, v);
    }
}

static void write_data(struct pic_chip *c, uint8_t v)
{
    switch (c->init_state) {
    case INIT_ICW2:
        c->vector_base = v & VECTOR_BASE_MASK;
        c->init_state = c->single ? (c->icw4_needed ? INIT_ICW4 : INIT_DONE) : INIT_ICW3;
        break;
    case INIT_ICW3: c->init_state = c->icw4_needed ? INIT_ICW4 : INIT_DONE; break;
    case INIT_ICW4:
        c->auto_eoi = v & ICW4_AEOI;
        c->sfnm = v & ICW4_SFNM;
        c->init_state = INIT_DONE;
        break;
    default: c->imr = v; break;
    }
}

/* Poll command: the next read is an INTA without the vector: 0x80 | IRQ,
 * or 0 if nothing is pending. */
static uint8_t poll_read(struct pic *p, int chip)
{
    struct pic_chip *c = &p->chip[chip];
    c->poll = false;
    int irq = chip_pending(c, chip == 0);
    if (irq < 0) return 0;
    chip_ack(c, irq);
    update(p);
    return (uint8_t)(POLL_IRQ_VALID | irq);
}

static uint64_t chip_read(struct pic *p, int chip, uint64_t off)
{
    struct pic_chip *c = &p->chip[chip];
    if (c->poll) return poll_read(p, chip);
    if (off == 0) return c->read_isr ? c->isr : c->irr;
    return c->imr;
}

static void chip_write(struct pic *p, int chip, uint64_t off, uint64_t value)
{
    if (off == 0)
        write_command(&p->chip[chip], (uint8_t)value);
    else
        write_data(&p->chip[chip], (uint8_t)value);
    update(p);
}

static uint64_t master_read(void *o, uint64_t off, unsigned size)
{
    (void)size;
    return chip_read(o, 0, off);
}

static void master_write(void *o, uint64_t off, uint64_t v, unsigned size)
{
    (void)size;
    chip_write(o, 0, off, v);
}

static uint64_t slave_read(void *o, uint64_t off, unsigned size)
{
    (void)size;
    return chip_read(o, 1, off);
}

static void slave_write(void *o, uint64_t off, uint64_t v, unsigned size)
{
    (void)size;
    chip_write(o, 1, off, v);
}

static uint64_t elcr_read(void *o, uint64_t off, unsigned size)
{
    struct pic *p = o;
    (void)size;
    return p->chip[off & 1].elcr;
}

static void elcr_write(void *o, uint64_t off, uint64_t v, unsigned size)
{
    struct pic *p = o;
    (void)size;
    struct pic_chip *c = &p->chip[off & 1];
    c->elcr = (uint8_t)v & c->elcr_mask;
    update(p);
}

static const struct bus_ops master = {master_read, master_write};
static const struct bus_ops slave = {slave_read, slave_write};
static const struct bus_ops elcr = {elcr_read, elcr_write};

const struct bus_ops *pic_master_ops(void)
{
    return &master;
}

const struct bus_ops *pic_slave_ops(void)
{
    return &slave;
}

const struct bus_ops *pic_elcr_ops(void)
{
    return &elcr;
}

int pic_last_irq(const struct pic *p)
{
    return p->last_irq;
}

void pic_bios_init(struct pic *p)
{
    static const uint8_t seq[2][5] = {
        {0x11, 0x08, 0x04, 0x01, 0xB8}, /* ICW1 (IC4), ICW2, ICW3 (slave on 2), ICW4, IMR */
        {0x11, 0x70, 0x02, 0x01, 0x8E},
    };
    for (int chip = 0; chip < 2; chip++) {
        chip_write(p, chip, 0, seq[chip][0]);
        for (int i = 1; i < 5; i++)
            chip_write(p, chip, 1, seq[chip][i]);
    }
    elcr_write(p, 1, 0x0C, 1);
}

void pic_view(const struct pic *p, int chip, struct pic_view *out)
{
    const struct pic_chip *c = &p->chip[chip ? 1 : 0];
    *out = (struct pic_view){c->irr, c->isr, c->imr, c->elcr, c->vector_base,
                             c->init_state == INIT_DONE, c->auto_eoi};
}
