#include "i8042.h"

#include <stdbool.h>
#include <stdlib.h>

#include "ps2dev.h"

/* Status register. */
#define ST_OBF      0x01
#define ST_SYS      0x04
#define ST_CMD      0x08 /* set at reset; QEMU never clears it, nor does emu */
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
#define OUT_OBF         0x10
#define OUT_AUX_OBF     0x20
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
    CMD_PULSE_FIRST = 0xF0, /* 0xF0-0xFF: pulse output lines whose bit is 0 */
};

#define SELF_TEST_OK     0x55
#define PORT_TEST_OK     0x00
#define INPUT_PORT_VALUE 0x80

/* Which queue the next data-port read comes from. */
enum source { SRC_NONE, SRC_CTRL, SRC_KBD, SRC_AUX };

struct i8042 {
    uint8_t status, ccb, outport;
    uint8_t pending_cmd; // controller command waiting for a data byte
    uint8_t last;        // last byte read (an empty buffer reads it again)
    struct byteq ctrl;   // controller replies
    struct ps2dev kbd, aux;
    struct irq_line kbd_irq, aux_irq;
    const struct sysctl_sink *sys;
};

/* Controller replies first, then the keyboard, then the mouse. */
static enum source next_source(const struct i8042 *k)
{
    if (k->ctrl.count) return SRC_CTRL;
    if (ps2_has_data(&k->kbd)) return SRC_KBD;
    if (ps2_has_data(&k->aux)) return SRC_AUX;
    return SRC_NONE;
}

/* Status, output-port mirror bits and the two IRQ lines follow the queues.
 * As on QEMU, a disabled keyboard port only silences IRQ 1. */
static void update(struct i8042 *k)
{
    enum source s = next_source(k);
    k->status &= (uint8_t) ~(ST_OBF | ST_AUX_OBF);
    k->outport &= (uint8_t) ~(OUT_OBF | OUT_AUX_OBF);
    if (s != SRC_NONE) {
        k->status |= ST_OBF;
        k->outport |= OUT_OBF;
    }
    if (s == SRC_AUX) {
        k->status |= ST_AUX_OBF;
        k->outport |= OUT_AUX_OBF;
    }
    bool kbd =
        (s == SRC_CTRL || s == SRC_KBD) && (k->ccb & CCB_KBD_INT) && !(k->ccb & CCB_KBD_DISABLE);
    irq_set(&k->kbd_irq, kbd);
    irq_set(&k->aux_irq, s == SRC_AUX && (k->ccb & CCB_AUX_INT));
}

void i8042_key(struct i8042 *k, const uint8_t *set2, size_t n)
{
    ps2_kbd_key(&k->kbd, set2, n);
    update(k);
}

static void reset_request(struct i8042 *k)
{
    k->sys->request(k->sys->ctx, SYSCTL_RESET, 0);
}

static void controller_command(struct i8042 *k, uint8_t v)
{
    switch (v) {
    case CMD_READ_CCB: q_push(&k->ctrl, k->ccb); break;
    case CMD_WRITE_CCB:
    case CMD_WRITE_OUTPUT:
    case CMD_WRITE_KBD_OBUF:
    case CMD_WRITE_AUX_OBUF:
    case CMD_WRITE_AUX: k->pending_cmd = v; break;
    case CMD_AUX_DISABLE: k->ccb |= CCB_AUX_DISABLE; break;
    case CMD_AUX_ENABLE: k->ccb &= (uint8_t)~CCB_AUX_DISABLE; break;
    case CMD_AUX_TEST:
    case CMD_KBD_TEST: q_push(&k->ctrl, PORT_TEST_OK); break;
    case CMD_SELF_TEST:
        k->status |= ST_SYS;
        q_push(&k->ctrl, SELF_TEST_OK);
        break;
    case CMD_KBD_DISABLE: k->ccb |= CCB_KBD_DISABLE; break;
    case CMD_KBD_ENABLE: k->ccb &= (uint8_t)~CCB_KBD_DISABLE; break;
    case CMD_READ_INPUT: q_push(&k->ctrl, INPUT_PORT_VALUE); break;
    case CMD_READ_OUTPUT: q_push(&k->ctrl, k->outport); break;
    case CMD_A20_DISABLE: k->outport &= (uint8_t)~OUT_A20; break;
    case CMD_A20_ENABLE: k->outport |= OUT_A20; break;
    default:
        if (v >= CMD_PULSE_FIRST && !(v & OUT_RESET)) reset_request(k); /* 0xFE */
        break;
    }
}

static void controller_data(struct i8042 *k, uint8_t v)
{
    uint8_t cmd = k->pending_cmd;
    k->pending_cmd = 0;
    switch (cmd) {
    case CMD_WRITE_CCB:
        k->ccb = v;
        k->kbd.translate = v & CCB_TRANSLATE;
        break;
    case CMD_WRITE_OUTPUT:
        k->outport = v;
        if (!(v & OUT_RESET)) reset_request(k);
        break;
    case CMD_WRITE_KBD_OBUF: q_push(&k->kbd.data, v); break;
    case CMD_WRITE_AUX_OBUF: q_push(&k->aux.data, v); break;
    case CMD_WRITE_AUX: ps2_mouse_command(&k->aux, v); break;
    default: ps2_kbd_command(&k->kbd, v); break;
    }
}

static uint64_t data_read(void *opaque, uint64_t off, unsigned size)
{
    struct i8042 *k = opaque;
    (void)off;
    (void)size;
    switch (next_source(k)) {
    case SRC_CTRL: q_pop(&k->ctrl, &k->last); break;
    case SRC_KBD: ps2_pop(&k->kbd, &k->last); break;
    case SRC_AUX: ps2_pop(&k->aux, &k->last); break;
    default: break;
    }
    update(k);
    return k->last;
}

static void data_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct i8042 *k = opaque;
    (void)off;
    (void)size;
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
    ps2_kbd_reset(&k->kbd);
    k->kbd.translate = true;
    ps2_mouse_reset(&k->aux);
    return k;
}

void i8042_free(struct i8042 *k)
{
    free(k);
}
