#include "i8042.h"

#include <stdbool.h>
#include <stdlib.h>

/* Status register. */
#define ST_OBF      0x01
#define ST_SYS      0x04
#define ST_CMD      0x08 /* last write went to the command port */
#define ST_UNLOCKED 0x10 /* keyboard not inhibited */
#define ST_AUX_OBF  0x20

/* Controller command byte. */
#define CCB_KBD_INT     0x01
#define CCB_AUX_INT     0x02
#define CCB_KBD_DISABLE 0x10
#define CCB_AUX_DISABLE 0x20
#define CCB_TRANSLATE   0x40

/* Output port. */
#define OUT_RESET       0x01 /* 0 holds the CPU in reset */
#define OUT_A20         0x02
#define OUT_RESET_VALUE 0xCF

/* Controller commands (port 0x64). */
enum {
    CMD_READ_CCB = 0x20,
    CMD_WRITE_CCB = 0x60,
    CMD_AUX_DISABLE = 0xA7,
    CMD_AUX_ENABLE = 0xA8,
    CMD_AUX_TEST = 0xA9,
    CMD_SELF_TEST = 0xAA,
    CMD_KBD_TEST = 0xAB,
    CMD_KBD_DISABLE = 0xAD,
    CMD_KBD_ENABLE = 0xAE,
    CMD_READ_INPUT = 0xC0,
    CMD_READ_OUTPUT = 0xD0,
    CMD_WRITE_OUTPUT = 0xD1,
    CMD_WRITE_KBD_OBUF = 0xD2,
    CMD_WRITE_AUX_OBUF = 0xD3,
    CMD_WRITE_AUX = 0xD4,
    CMD_A20_DISABLE = 0xDD,
    CMD_A20_ENABLE = 0xDF,
    CMD_READ_TEST = 0xE0,
    CMD_PULSE_FIRST = 0xF0, /* 0xF0-0xFF: pulse output lines whose bit is 0 */
};

#define SELF_TEST_OK     0x55
#define PORT_TEST_OK     0x00
#define INPUT_PORT_VALUE 0x80

/* Device commands and replies. */
enum {
    DEV_SET_LEDS = 0xED,
    DEV_ECHO = 0xEE,
    DEV_SCANCODE_SET = 0xF0,
    DEV_IDENTIFY = 0xF2,
    DEV_SET_RATE = 0xF3,
    DEV_ENABLE = 0xF4,
    DEV_DISABLE = 0xF5,
    DEV_SET_DEFAULT = 0xF6,
    DEV_RESEND = 0xFE,
    DEV_RESET = 0xFF,
    AUX_SET_RESOLUTION = 0xE8,
    AUX_STATUS = 0xE9,
};
#define REPLY_ACK          0xFA
#define REPLY_RESEND       0xFE
#define REPLY_BAT_OK       0xAA
#define KBD_ID1            0xAB
#define KBD_ID2            0x83
#define KBD_ID2_TRANSLATED 0x41
#define AUX_ID             0x00
#define BREAK_PREFIX       0xF0

#define QUEUE_SIZE 32

struct byteq {
    uint8_t b[QUEUE_SIZE];
    unsigned head, count;
};

struct ps2dev {
    struct byteq q;
    bool enabled;    // scanning / streaming
    uint8_t pending; // command waiting for its argument, 0: none
    uint8_t scanset; // keyboard: 1, 2 or 3
};

struct i8042 {
    uint8_t status, ccb, outport;
    uint8_t pending_cmd; // controller command waiting for a data byte
    uint8_t obuf;        // output buffer (valid while ST_OBF)
    bool obuf_aux;
    struct byteq ctrl; // controller replies
    struct ps2dev kbd, aux;
    bool translate_break; // translation saw 0xF0
    struct irq_line kbd_irq, aux_irq;
    const struct sysctl_sink *sys;
};

/* The 8042's scancode set 2 -> set 1 translation (codes below 0x80). */
static const uint8_t translate_table[0x80] = {
    0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
    0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, 0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
    0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, 0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, 0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
    0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, 0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
    0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, 0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, 0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
    0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45, 0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
};

static uint8_t translate(uint8_t code)
{
    if (code < 0x80) return translate_table[code];
    if (code == 0x83) return 0x41; /* F7 */
    if (code == 0x84) return 0x54; /* SysRq */
    return code;
}

/* ---- queues ---------------------------------------------------------------- */

static bool q_push(struct byteq *q, uint8_t v)
{
    if (q->count == QUEUE_SIZE) return false;
    q->b[(q->head + q->count++) % QUEUE_SIZE] = v;
    return true;
}

static bool q_pop(struct byteq *q, uint8_t *v)
{
    if (q->count == 0) return false;
    *v = q->b[q->head];
    q->head = (q->head + 1) % QUEUE_SIZE;
    q->count--;
    return true;
}

/* Refills an empty output buffer (controller replies first, then the
 * keyboard, then the mouse, skipping disabled ports) and drives the IRQs. */
static void update(struct i8042 *k)
{
    if (!(k->status & ST_OBF)) {
        uint8_t v;
        if (q_pop(&k->ctrl, &v) || (!(k->ccb & CCB_KBD_DISABLE) && q_pop(&k->kbd.q, &v))) {
            k->obuf = v;
            k->obuf_aux = false;
            k->status = (k->status | ST_OBF) & (uint8_t)~ST_AUX_OBF;
        } else if (!(k->ccb & CCB_AUX_DISABLE) && q_pop(&k->aux.q, &v)) {
            k->obuf = v;
            k->obuf_aux = true;
            k->status |= ST_OBF | ST_AUX_OBF;
        }
    }
    bool full = k->status & ST_OBF;
    irq_set(&k->kbd_irq, full && !k->obuf_aux && (k->ccb & CCB_KBD_INT));
    irq_set(&k->aux_irq, full && k->obuf_aux && (k->ccb & CCB_AUX_INT));
}

/* A byte from the keyboard, through the translation when enabled. */
static void kbd_out(struct i8042 *k, uint8_t v)
{
    if (k->ccb & CCB_TRANSLATE) {
        if (v == BREAK_PREFIX) {
            k->translate_break = true;
            return;
        }
        v = (uint8_t)(translate(v) | (k->translate_break ? 0x80 : 0));
        k->translate_break = false;
    }
    q_push(&k->kbd.q, v);
}

static void reply(struct i8042 *k, uint8_t v)
{
    q_push(&k->ctrl, v);
}

/* ---- keyboard ------------------------------------------------------------------- */

static void kbd_defaults(struct ps2dev *d)
{
    d->enabled = true;
    d->scanset = 2;
    d->pending = 0;
}

static void kbd_argument(struct i8042 *k, uint8_t v)
{
    struct ps2dev *d = &k->kbd;
    uint8_t cmd = d->pending;
    d->pending = 0;
    kbd_out(k, REPLY_ACK);
    if (cmd == DEV_SCANCODE_SET) {
        if (v == 0)
            kbd_out(k, d->scanset);
        else if (v <= 3)
            d->scanset = v;
    }
}

static void kbd_command(struct i8042 *k, uint8_t v)
{
    struct ps2dev *d = &k->kbd;
    if (d->pending) {
        kbd_argument(k, v);
        return;
    }
    switch (v) {
    case DEV_ECHO: kbd_out(k, DEV_ECHO); return;
    case DEV_SET_LEDS:
    case DEV_SCANCODE_SET:
    case DEV_SET_RATE: d->pending = v; break;
    case DEV_IDENTIFY:
        kbd_out(k, REPLY_ACK);
        kbd_out(k, KBD_ID1);
        kbd_out(k, KBD_ID2); /* 0x41 after translation */
        return;
    case DEV_ENABLE: d->enabled = true; break;
    case DEV_DISABLE:
        kbd_defaults(d);
        d->enabled = false;
        break;
    case DEV_SET_DEFAULT: kbd_defaults(d); break;
    case DEV_RESET:
        kbd_defaults(d);
        kbd_out(k, REPLY_ACK);
        kbd_out(k, REPLY_BAT_OK);
        return;
    default:
        if (v >= 0xF7 && v <= 0xFD) break; /* set-3 key types: acknowledged, no effect */
        kbd_out(k, REPLY_RESEND);
        return;
    }
    kbd_out(k, REPLY_ACK);
}

void i8042_key(struct i8042 *k, const uint8_t *set2, size_t n)
{
    if (!k->kbd.enabled || k->kbd.q.count + n > QUEUE_SIZE) return;
    for (size_t i = 0; i < n; i++)
        kbd_out(k, set2[i]);
    update(k);
}

/* ---- mouse ---------------------------------------------------------------------- */

static void aux_command(struct i8042 *k, uint8_t v)
{
    struct ps2dev *d = &k->aux;
    struct byteq *q = &d->q;
    if (d->pending) {
        d->pending = 0;
        q_push(q, REPLY_ACK);
        return;
    }
    switch (v) {
    case AUX_SET_RESOLUTION:
    case DEV_SET_RATE: d->pending = v; break;
    case DEV_IDENTIFY:
        q_push(q, REPLY_ACK);
        q_push(q, AUX_ID);
        return;
    case AUX_STATUS:
        q_push(q, REPLY_ACK);
        q_push(q, d->enabled ? 0x20 : 0x00);
        q_push(q, 0x02); /* resolution 4 counts/mm */
        q_push(q, 100);  /* sample rate */
        return;
    case DEV_ENABLE: d->enabled = true; break;
    case DEV_DISABLE:
    case DEV_SET_DEFAULT: d->enabled = false; break;
    case DEV_RESET:
        d->enabled = false;
        q_push(q, REPLY_ACK);
        q_push(q, REPLY_BAT_OK);
        q_push(q, AUX_ID);
        return;
    default:
        if (v < 0xE6) {
            q_push(q, REPLY_RESEND);
            return;
        }
        break; /* scaling, stream/remote/wrap modes: acknowledged */
    }
    q_push(q, REPLY_ACK);
}

/* ---- controller ------------------------------------------------------------------ */

static void write_outport(struct i8042 *k, uint8_t v)
{
    k->outport = v;
    if (!(v & OUT_RESET)) k->sys->request(k->sys->ctx, SYSCTL_RESET, 0);
}

static void controller_command(struct i8042 *k, uint8_t v)
{
    switch (v) {
    case CMD_READ_CCB: reply(k, k->ccb); break;
    case CMD_WRITE_CCB:
    case CMD_WRITE_OUTPUT:
    case CMD_WRITE_KBD_OBUF:
    case CMD_WRITE_AUX_OBUF:
    case CMD_WRITE_AUX: k->pending_cmd = v; break;
    case CMD_AUX_DISABLE: k->ccb |= CCB_AUX_DISABLE; break;
    case CMD_AUX_ENABLE: k->ccb &= (uint8_t)~CCB_AUX_DISABLE; break;
    case CMD_AUX_TEST:
    case CMD_KBD_TEST: reply(k, PORT_TEST_OK); break;
    case CMD_SELF_TEST:
        k->status |= ST_SYS;
        reply(k, SELF_TEST_OK);
        break;
    case CMD_KBD_DISABLE: k->ccb |= CCB_KBD_DISABLE; break;
    case CMD_KBD_ENABLE: k->ccb &= (uint8_t)~CCB_KBD_DISABLE; break;
    case CMD_READ_INPUT: reply(k, INPUT_PORT_VALUE); break;
    case CMD_READ_OUTPUT: reply(k, k->outport); break;
    case CMD_A20_DISABLE: k->outport &= (uint8_t)~OUT_A20; break;
    case CMD_A20_ENABLE: k->outport |= OUT_A20; break;
    case CMD_READ_TEST: reply(k, 0x00); break;
    default:
        if (v >= CMD_PULSE_FIRST && !(v & OUT_RESET))
            k->sys->request(k->sys->ctx, SYSCTL_RESET, 0); /* 0xFE and friends */
        break;
    }
}

static void controller_data(struct i8042 *k, uint8_t v)
{
    uint8_t cmd = k->pending_cmd;
    k->pending_cmd = 0;
    switch (cmd) {
    case CMD_WRITE_CCB: k->ccb = v; break;
    case CMD_WRITE_OUTPUT: write_outport(k, v); break;
    case CMD_WRITE_KBD_OBUF: q_push(&k->kbd.q, v); break;
    case CMD_WRITE_AUX_OBUF: q_push(&k->aux.q, v); break;
    case CMD_WRITE_AUX: aux_command(k, v); break;
    default: kbd_command(k, v); break;
    }
}

static uint64_t data_read(void *opaque, uint64_t off, unsigned size)
{
    struct i8042 *k = opaque;
    (void)off;
    (void)size;
    k->status &= (uint8_t) ~(ST_OBF | ST_AUX_OBF);
    uint8_t v = k->obuf; /* an empty buffer reads its last byte again */
    update(k);
    return v;
}

static void data_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct i8042 *k = opaque;
    (void)off;
    (void)size;
    k->status &= (uint8_t)~ST_CMD;
    controller_data(k, (uint8_t)value);
    update(k);
}

static uint64_t cmd_read(void *opaque, uint64_t off, unsigned size)
{
    struct i8042 *k = opaque;
    (void)off;
    (void)size;
    return k->status;
}

static void cmd_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct i8042 *k = opaque;
    (void)off;
    (void)size;
    k->status |= ST_CMD;
    k->pending_cmd = 0;
    controller_command(k, (uint8_t)value);
    update(k);
}

static const struct bus_ops data_ops = {data_read, data_write};
static const struct bus_ops cmd_ops = {cmd_read, cmd_write};

const struct bus_ops *i8042_data_ops(void)
{
    return &data_ops;
}

const struct bus_ops *i8042_cmd_ops(void)
{
    return &cmd_ops;
}

struct i8042 *i8042_new(struct irq_line kbd_irq, struct irq_line aux_irq,
                        const struct sysctl_sink *sys)
{
    struct i8042 *k = calloc(1, sizeof(*k));
    if (!k) return NULL;
    k->kbd_irq = kbd_irq;
    k->aux_irq = aux_irq;
    k->sys = sys;
    k->status = ST_CMD | ST_UNLOCKED | ST_SYS;
    k->ccb = CCB_KBD_INT | CCB_AUX_DISABLE | CCB_TRANSLATE;
    k->outport = OUT_RESET_VALUE;
    kbd_defaults(&k->kbd);
    return k;
}

void i8042_free(struct i8042 *k)
{
    free(k);
}
