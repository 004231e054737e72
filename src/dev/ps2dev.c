/* The PS/2 keyboard and mouse command sets (IBM PS/2 Technical Reference;
 * the replies QEMU's devices give). */
#include "ps2dev.h"

#include <string.h>

enum {
    DEV_SET_LEDS = 0xED,
    DEV_ECHO = 0xEE,
    DEV_SCANCODE_SET = 0xF0,
    DEV_IDENTIFY = 0xF2,
    DEV_SET_RATE = 0xF3,
    DEV_ENABLE = 0xF4,
    DEV_DISABLE = 0xF5,
    DEV_SET_DEFAULT = 0xF6,
    KBD_SET_MAKE_BREAK = 0xFC,
    DEV_RESET = 0xFF,
    AUX_SCALE11 = 0xE6,
    AUX_SCALE21 = 0xE7,
    AUX_SET_RESOLUTION = 0xE8,
    AUX_STATUS = 0xE9,
    AUX_SET_STREAM = 0xEA,
    AUX_SET_REMOTE = 0xF0,
};
#define REPLY_ACK              0xFA
#define REPLY_RESEND           0xFE
#define REPLY_BAT_OK           0xAA
#define KBD_ID1                0xAB
#define KBD_ID2                0x83
#define KBD_ID2_TRANSLATED     0x41
#define AUX_ID                 0x00
#define BREAK_PREFIX           0xF0
#define AUX_STATUS_ENABLED     0x20
#define AUX_DEFAULT_RESOLUTION 0x02
#define AUX_DEFAULT_RATE       100

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

static void reply(struct ps2dev *d, uint8_t v)
{
    q_push(&d->reply, v);
}

/* ---- keyboard ------------------------------------------------------------------- */

void ps2_kbd_reset(struct ps2dev *d)
{
    d->pending = 0;
    d->scanset = 2;
    d->enabled = true;
    memset(&d->data, 0, sizeof(d->data));
}

static void kbd_argument(struct ps2dev *d, uint8_t cmd, uint8_t v)
{
    if (cmd != DEV_SCANCODE_SET) {
        reply(d, REPLY_ACK); /* LEDs, typematic rate, make/break */
    } else if (v == 0) {
        reply(d, REPLY_ACK);
        reply(d, d->translate ? translate(d->scanset) : d->scanset);
    } else if (v <= 3) {
        d->scanset = v;
        reply(d, REPLY_ACK);
    } else {
        reply(d, REPLY_RESEND);
    }
}

void ps2_kbd_command(struct ps2dev *d, uint8_t v)
{
    memset(&d->reply, 0, sizeof(d->reply)); /* unread replies to the last command go */
    uint8_t cmd = d->pending;
    d->pending = 0;
    if (cmd) {
        kbd_argument(d, cmd, v);
        return;
    }
    switch (v) {
    case 0x00: reply(d, REPLY_ACK); break;
    case DEV_ECHO: reply(d, DEV_ECHO); break;
    case DEV_IDENTIFY:
        reply(d, REPLY_ACK);
        reply(d, KBD_ID1);
        reply(d, d->translate ? KBD_ID2_TRANSLATED : KBD_ID2);
        break;
    case DEV_SCANCODE_SET:
    case DEV_SET_LEDS:
    case DEV_SET_RATE:
    case KBD_SET_MAKE_BREAK:
        d->pending = v;
        reply(d, REPLY_ACK);
        break;
    case DEV_ENABLE:
        d->enabled = true;
        reply(d, REPLY_ACK);
        break;
    case DEV_DISABLE:
    case DEV_SET_DEFAULT:
        ps2_kbd_reset(d);
        d->enabled = v == DEV_SET_DEFAULT;
        reply(d, REPLY_ACK);
        break;
    case DEV_RESET:
        ps2_kbd_reset(d);
        reply(d, REPLY_ACK);
        reply(d, REPLY_BAT_OK);
        break;
    default: reply(d, REPLY_RESEND); break;
    }
}

void ps2_kbd_key(struct ps2dev *d, const uint8_t *set2, size_t n)
{
    if (!d->enabled || d->data.count + n > PS2_QUEUE_SIZE) return;
    for (size_t i = 0; i < n; i++) {
        uint8_t v = set2[i];
        if (d->translate || d->scanset == 1) {
            if (v == BREAK_PREFIX) {
                d->translate_break = true;
                continue;
            }
            v = (uint8_t)(translate(v) | (d->translate_break ? 0x80 : 0));
            d->translate_break = false;
        }
        q_push(&d->data, v);
    }
}

/* ---- mouse ------------------------------------------------------------------------- */

#define AUX_STATUS_REMOTE  0x40
#define AUX_STATUS_SCALE21 0x10
#define AUX_POLL           0xEB
#define AUX_RESET_WRAP     0xEC
#define AUX_SET_WRAP       0xEE
#define AUX_TYPE_IMPS2     3
#define AUX_TYPE_IMEX      4
#define AUX_PACKET_ALWAYS1 0x08

void ps2_mouse_reset(struct ps2dev *d)
{
    d->pending = 0;
    d->enabled = false;
    d->status = 0;
    d->resolution = AUX_DEFAULT_RESOLUTION;
    d->sample_rate = AUX_DEFAULT_RATE;
    d->type = 0;
    d->detect = 0;
    d->wrap = false;
    memset(&d->data, 0, sizeof(d->data));
}

/* A sample-rate sequence 200, 100, 80 turns on the wheel (IntelliMouse, ID
 * 3); 200, 200, 80 the fifth button too (ID 4). */
static void mouse_sample_rate(struct ps2dev *d, uint8_t v)
{
    d->sample_rate = v;
    switch (d->detect) {
    case 0: d->detect = v == 200 ? 1 : 0; break;
    case 1: d->detect = v == 100 ? 2 : v == 200 ? 3 : 0; break;
    case 2:
        if (v == 80) d->type = AUX_TYPE_IMPS2;
        d->detect = 0;
        break;
    default:
        if (v == 80) d->type = AUX_TYPE_IMEX;
        d->detect = 0;
        break;
    }
}

/* A movement packet with no movement and no buttons (remote-mode poll). */
static void mouse_packet(struct ps2dev *d)
{
    reply(d, AUX_PACKET_ALWAYS1);
    reply(d, 0);
    reply(d, 0);
    if (d->type == AUX_TYPE_IMPS2 || d->type == AUX_TYPE_IMEX) reply(d, 0);
}

static bool mouse_status_command(struct ps2dev *d, uint8_t v)
{
    switch (v) {
    case AUX_SCALE11: d->status &= (uint8_t)~AUX_STATUS_SCALE21; break;
    case AUX_SCALE21: d->status |= AUX_STATUS_SCALE21; break;
    case AUX_SET_STREAM: d->status &= (uint8_t)~AUX_STATUS_REMOTE; break;
    case AUX_SET_REMOTE: d->status |= AUX_STATUS_REMOTE; break;
    case AUX_SET_WRAP: d->wrap = true; break;
    case DEV_ENABLE: d->enabled = true; break;
    case DEV_DISABLE: d->enabled = false; break;
    case DEV_SET_DEFAULT:
        d->sample_rate = AUX_DEFAULT_RATE;
        d->resolution = AUX_DEFAULT_RESOLUTION;
        d->status = 0;
        d->enabled = false;
        break;
    default: return false;
    }
    reply(d, REPLY_ACK);
    return true;
}

/* Unlike the keyboard, the mouse keeps unread replies (as QEMU's does). */
void ps2_mouse_command(struct ps2dev *d, uint8_t v)
{
    uint8_t cmd = d->pending;
    d->pending = 0;
    if (cmd) {
        if (cmd == DEV_SET_RATE)
            mouse_sample_rate(d, v);
        else
            d->resolution = v;
        reply(d, REPLY_ACK);
        return;
    }
    if (d->wrap && v != AUX_RESET_WRAP && v != DEV_RESET) {
        reply(d, v);
        return;
    }
    if (mouse_status_command(d, v)) return;
    switch (v) {
    case AUX_RESET_WRAP:
        d->wrap = false;
        reply(d, REPLY_ACK);
        break;
    case AUX_SET_RESOLUTION:
    case DEV_SET_RATE:
        d->pending = v;
        reply(d, REPLY_ACK);
        break;
    case DEV_IDENTIFY:
        reply(d, REPLY_ACK);
        reply(d, d->type);
        break;
    case AUX_STATUS:
        reply(d, REPLY_ACK);
        reply(d, (uint8_t)(d->status | (d->enabled ? AUX_STATUS_ENABLED : 0)));
        reply(d, d->resolution);
        reply(d, d->sample_rate);
        break;
    case AUX_POLL:
        reply(d, REPLY_ACK);
        mouse_packet(d);
        break;
    case DEV_RESET:
        ps2_mouse_reset(d);
        reply(d, REPLY_ACK);
        reply(d, REPLY_BAT_OK);
        reply(d, d->type);
        break;
    default: reply(d, REPLY_RESEND); break;
    }
}
