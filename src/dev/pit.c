#include "pit.h"

#include <stdbool.h>
#include <stdlib.h>

#define NS_PER_SEC    1000000000ULL
#define PIT_CONTROL   3
#define CW_BCD        0x01
#define CW_MODE_SHIFT 1
#define CW_RW_SHIFT   4
#define CW_SC_SHIFT   6
#define CW_READ_BACK  3
#define RB_NO_COUNT   0x20
#define RB_NO_STATUS  0x10
#define STATUS_OUT    0x80
#define STATUS_NULL   0x40
#define MAX_COUNT_BIN 0x10000u
#define MAX_COUNT_BCD 10000u
#define PORTB_GATE2   0x01
#define PORTB_SPEAKER 0x02
#define PORTB_REFRESH 0x10
#define PORTB_OUT2    0x20

enum { RW_LATCH = 0, RW_LSB = 1, RW_MSB = 2, RW_WORD = 3 };

/* What the next read of a latched count returns. */
enum { LATCH_NONE, LATCH_LSB, LATCH_MSB, LATCH_WORD_LSB, LATCH_WORD_MSB };

struct pit_channel {
    uint8_t mode; // 0-5
    uint8_t rw;   // RW_* access mode
    bool bcd;
    bool gate;
    uint32_t count; // initial count, 1..65536 (binary)
    bool loaded;    // a count was written since the control word
    bool triggered; // modes 1 and 5: the gate rose since loading
    bool frozen;    // counting stopped by a low gate (modes 0 and 4)
    uint64_t frozen_ticks;
    uint64_t load_ns; // virtual time at which counting started
    uint16_t hold;    // counter value while not loaded
    bool write_msb;   // word access: the next write is the MSB
    uint8_t write_lsb;
    bool read_msb;   // word access: the next live read is the MSB
    uint8_t latched; // LATCH_*: what of a latched count is still to read
    uint16_t latch_value;
    bool status_latched;
    uint8_t status;
    bool null_count; // count written but not loaded into the counter yet
    bool out;        // output level last driven (channel 0)
};

struct pit {
    struct pit_channel ch[PIT_CHANNELS];
    struct vclock *clock;
    struct irq_line irq0;
    struct vtimer timer; // next output transition of channel 0
    bool speaker;
    bool refresh;
};

/* ---- time ------------------------------------------------------------------ */

static uint64_t ns_to_ticks(uint64_t ns)
{
    return ns / NS_PER_SEC * PIT_HZ + ns % NS_PER_SEC * PIT_HZ / NS_PER_SEC;
}

/* The first time (ns after load) at which `ticks` ticks have elapsed. */
static uint64_t ticks_to_ns(uint64_t ticks)
{
    uint64_t rem = ticks % PIT_HZ;
    return ticks / PIT_HZ * NS_PER_SEC + (rem * NS_PER_SEC + PIT_HZ - 1) / PIT_HZ;
}

static bool waits_for_gate(const struct pit_channel *c)
{
    return (c->mode == 1 || c->mode == 5) && !c->triggered;
}

/* Ticks counted since loading; a low gate holds modes 2 and 3 at their
 * initial count (the rising gate reloads them). */
static uint64_t elapsed(const struct pit_channel *c, uint64_t now)
{
    if (!c->loaded || waits_for_gate(c)) return 0;
    if (!c->gate && (c->mode == 2 || c->mode == 3)) return 0;
    if (c->frozen) return c->frozen_ticks;
    return ns_to_ticks(now - c->load_ns);
}

/* ---- counter and output as functions of elapsed ticks d ---------------------- */

static uint32_t counter_at(const struct pit_channel *c, uint64_t d)
{
    uint32_t n = c->count;
    switch (c->mode) {
    case 2: return (uint32_t)(n - d % n);
    case 3: return (uint32_t)(n - (2 * d) % n);
    default: return (uint32_t)((n - d) & 0xFFFF);
    }
}

static bool out_at(const struct pit_channel *c, uint64_t d)
{
    uint64_t n = c->count;
    if (!c->loaded) return c->mode != 0;
    switch (c->mode) {
    case 0: return d >= n;
    case 1: return !c->triggered || d >= n;
    case 2: return !c->gate || n < 2 || d % n != n - 1;
    case 3: return !c->gate || d % n < (n + 1) / 2;
    default: return waits_for_gate(c) || d != n; /* 4, 5: one low tick at n */
    }
}

/* The elapsed-tick count of the next output change after d, or 0 if none. */
static uint64_t next_change(const struct pit_channel *c, uint64_t d)
{
    uint64_t n = c->count, base = d - d % n;
    if (!c->loaded || c->frozen || waits_for_gate(c)) return 0;
    switch (c->mode) {
    case 0:
    case 1: return d < n ? n : 0;
    case 2:
        if (!c->gate || n < 2) return 0;
        return d % n < n - 1 ? base + n - 1 : base + n;
    case 3:
        if (!c->gate || n < 2) return 0;
        return d % n < (n + 1) / 2 ? base + (n + 1) / 2 : base + n;
    default: return d < n ? n : d == n ? n + 1 : 0;
    }
}

/* ---- channel 0's output drives IRQ 0 ----------------------------------------- */

static void drive_irq0(struct pit *p)
{
    struct pit_channel *c = &p->ch[0];
    uint64_t now = vclock_now(p->clock);
    uint64_t d = elapsed(c, now);
    bool out = out_at(c, d);
    if (out != c->out) {
        c->out = out;
        irq_set(&p->irq0, out);
    }
    uint64_t next = next_change(c, d);
    if (next)
        vtimer_arm(&p->timer, c->load_ns + ticks_to_ns(next));
    else
        vtimer_cancel(&p->timer);
}

static void timer_fire(void *opaque)
{
    drive_irq0(opaque);
}

static void changed(struct pit *p, int i)
{
    if (i == 0) drive_irq0(p);
}

/* ---- lifecycle ----------------------------------------------------------------- */

void pit_reset(struct pit *p)
{
    for (int i = 0; i < PIT_CHANNELS; i++) {
        p->ch[i] = (struct pit_channel){
            .mode = 3,
            .gate = i != 2,
            .count = MAX_COUNT_BIN,
            .loaded = true,
            .load_ns = vclock_now(p->clock),
            .out = p->ch[i].out,
        };
    }
    p->speaker = false;
    p->refresh = false;
    changed(p, 0);
}

struct pit *pit_new(struct vclock *clock, struct irq_line irq0)
{
    struct pit *p = calloc(1, sizeof(*p));
    if (!p) return NULL;
    p->clock = clock;
    p->irq0 = irq0;
    vtimer_init(&p->timer, clock, timer_fire, p);
    pit_reset(p);
    return p;
}

void pit_free(struct pit *p)
{
    if (!p) return;
    vtimer_cancel(&p->timer);
    free(p);
}

/* ---- BCD ----------------------------------------------------------------------- */

static uint32_t from_bcd(uint32_t v)
{
    return (v >> 12 & 0xF) * 1000 + (v >> 8 & 0xF) * 100 + (v >> 4 & 0xF) * 10 + (v & 0xF);
}

static uint16_t to_bcd(uint32_t v)
{
    v %= MAX_COUNT_BCD;
    return (uint16_t)((v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

/* The counter as the guest reads it. */
static uint16_t read_counter(const struct pit *p, const struct pit_channel *c)
{
    if (!c->loaded) return c->hold;
    uint32_t v = counter_at(c, elapsed(c, vclock_now(p->clock)));
    return c->bcd ? to_bcd(v) : (uint16_t)v;
}

/* ---- control word -------------------------------------------------------------- */

static void latch_count(const struct pit *p, struct pit_channel *c)
{
    if (c->latched) return; /* a second latch before the read is ignored */
    static const uint8_t first[4] = {LATCH_NONE, LATCH_LSB, LATCH_MSB, LATCH_WORD_LSB};
    c->latch_value = read_counter(p, c);
    c->latched = first[c->rw];
}

static void latch_status(const struct pit *p, struct pit_channel *c)
{
    if (c->status_latched) return;
    bool out = out_at(c, elapsed(c, vclock_now(p->clock)));
    c->status = (uint8_t)((out ? STATUS_OUT : 0) | (c->null_count ? STATUS_NULL : 0) |
                          c->rw << CW_RW_SHIFT | c->mode << CW_MODE_SHIFT | (c->bcd ? 1 : 0));
    c->status_latched = true;
}

static void read_back(struct pit *p, uint8_t v)
{
    for (int i = 0; i < PIT_CHANNELS; i++) {
        if (!(v & (2u << i))) continue;
        if (!(v & RB_NO_COUNT)) latch_count(p, &p->ch[i]);
        if (!(v & RB_NO_STATUS)) latch_status(p, &p->ch[i]);
    }
}

/* A control word stops the channel until a count is written: OUT goes low in
 * mode 0 and high otherwise. */
static void write_control(struct pit *p, uint8_t v)
{
    unsigned sc = v >> CW_SC_SHIFT, rw = (v >> CW_RW_SHIFT) & 3;
    if (sc == CW_READ_BACK) {
        read_back(p, v);
        return;
    }
    struct pit_channel *c = &p->ch[sc];
    if (rw == RW_LATCH) {
        latch_count(p, c);
        return;
    }
    c->hold = read_counter(p, c);
    unsigned mode = (v >> CW_MODE_SHIFT) & 7;
    c->mode = (uint8_t)(mode > 5 ? mode - 4 : mode); /* 6, 7 alias 2, 3 */
    c->rw = (uint8_t)rw;
    c->bcd = v & CW_BCD;
    c->loaded = false;
    c->null_count = true;
    c->write_msb = c->read_msb = false;
    changed(p, (int)sc);
}

/* ---- counts ---------------------------------------------------------------------- */

static void load_count(struct pit *p, int i, uint32_t raw)
{
    struct pit_channel *c = &p->ch[i];
    uint32_t n = c->bcd ? from_bcd(raw) : raw;
    c->count = n ? n : (c->bcd ? MAX_COUNT_BCD : MAX_COUNT_BIN);
    c->loaded = true;
    c->null_count = false;
    c->triggered = false;
    c->load_ns = vclock_now(p->clock);
    c->frozen = !c->gate && (c->mode == 0 || c->mode == 4);
    c->frozen_ticks = 0;
    changed(p, i);
}

static void write_count(struct pit *p, int i, uint8_t v)
{
    struct pit_channel *c = &p->ch[i];
    switch (c->rw) {
    case RW_LSB: load_count(p, i, v); break;
    case RW_MSB: load_count(p, i, (uint32_t)v << 8); break;
    case RW_WORD:
        if (!c->write_msb) {
            c->write_lsb = v;
            c->write_msb = true;
        } else {
            c->write_msb = false;
            load_count(p, i, c->write_lsb | (uint32_t)v << 8);
        }
        break;
    default: break;
    }
}

/* One byte of a 16-bit value in access mode rw; *msb_next tracks word order. */
static uint8_t byte_of(uint16_t v, unsigned rw, bool *msb_next)
{
    if (rw == RW_LSB) return (uint8_t)v;
    if (rw == RW_MSB) return (uint8_t)(v >> 8);
    bool msb = *msb_next;
    *msb_next = !msb;
    return (uint8_t)(msb ? v >> 8 : v);
}

static uint8_t read_count(struct pit *p, int i)
{
    struct pit_channel *c = &p->ch[i];
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    uint16_t v = c->latch_value;
    switch (c->latched) {
    case LATCH_LSB: c->latched = LATCH_NONE; return (uint8_t)v;
    case LATCH_MSB: c->latched = LATCH_NONE; return (uint8_t)(v >> 8);
    case LATCH_WORD_LSB: c->latched = LATCH_WORD_MSB; return (uint8_t)v;
    case LATCH_WORD_MSB: c->latched = LATCH_NONE; return (uint8_t)(v >> 8);
    default: return byte_of(read_counter(p, c), c->rw, &c->read_msb);
    }
}

/* ---- gate ------------------------------------------------------------------------ */

static void set_gate(struct pit *p, int i, bool gate)
{
    struct pit_channel *c = &p->ch[i];
    if (gate == c->gate) return;
    uint64_t now = vclock_now(p->clock);
    if (c->mode == 0 || c->mode == 4) {
        if (!gate && c->loaded) {
            c->frozen_ticks = elapsed(c, now);
            c->frozen = true;
        } else if (gate && c->frozen) {
            c->load_ns = now - ticks_to_ns(c->frozen_ticks);
            c->frozen = false;
        }
    } else if (gate && c->loaded) {
        c->load_ns = now; /* modes 1, 2, 3, 5: a rising gate (re)starts the count */
        c->triggered = true;
    }
    c->gate = gate;
    changed(p, i);
}

/* ---- ports ----------------------------------------------------------------------- */

static uint64_t pit_read(void *opaque, uint64_t off, unsigned size)
{
    (void)size;
    if (off == PIT_CONTROL) return 0xFF; /* the control register is write-only */
    return read_count(opaque, (int)off);
}

static void pit_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    (void)size;
    if (off == PIT_CONTROL)
        write_control(opaque, (uint8_t)value);
    else
        write_count(opaque, (int)off, (uint8_t)value);
}

static uint64_t port_b_read(void *opaque, uint64_t off, unsigned size)
{
    struct pit *p = opaque;
    (void)off;
    (void)size;
    const struct pit_channel *c = &p->ch[2];
    p->refresh = !p->refresh;
    bool out2 = out_at(c, elapsed(c, vclock_now(p->clock)));
    return (c->gate ? PORTB_GATE2 : 0) | (p->speaker ? PORTB_SPEAKER : 0) |
           (p->refresh ? PORTB_REFRESH : 0) | (out2 ? PORTB_OUT2 : 0);
}

static void port_b_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct pit *p = opaque;
    (void)off;
    (void)size;
    p->speaker = value & PORTB_SPEAKER;
    set_gate(p, 2, value & PORTB_GATE2);
}

static const struct bus_ops ops = {pit_read, pit_write};
static const struct bus_ops port_b = {port_b_read, port_b_write};

const struct bus_ops *pit_ops(void)
{
    return &ops;
}

const struct bus_ops *pit_port_b_ops(void)
{
    return &port_b;
}

void pit_bios_init(struct pit *p)
{
    write_control(p, 0x34); /* channel 0, LSB then MSB, mode 2 */
    write_count(p, 0, 0);
    write_count(p, 0, 0);
}
