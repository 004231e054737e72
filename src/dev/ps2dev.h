/* PS/2 devices behind the i8042 (private to i8042.c and ps2dev.c): a
 * keyboard and a mouse, each with a queue of command replies and a queue of
 * input data. As on QEMU, a new command to the keyboard discards the
 * replies not yet read; the mouse keeps them. */
#ifndef EMU_DEV_PS2DEV_H
#define EMU_DEV_PS2DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PS2_QUEUE_SIZE 32

struct byteq {
    uint8_t b[PS2_QUEUE_SIZE];
    unsigned head, count;
};

static inline bool q_push(struct byteq *q, uint8_t v)
{
    if (q->count == PS2_QUEUE_SIZE) return false;
    q->b[(q->head + q->count++) % PS2_QUEUE_SIZE] = v;
    return true;
}

static inline bool q_pop(struct byteq *q, uint8_t *v)
{
    if (q->count == 0) return false;
    *v = q->b[q->head];
    q->head = (q->head + 1) % PS2_QUEUE_SIZE;
    q->count--;
    return true;
}

struct ps2dev {
    struct byteq reply;   // answers to commands
    struct byteq data;    // keystrokes / movement (and bytes the controller injects)
    bool enabled;         // scanning / streaming
    uint8_t pending;      // command waiting for its argument, 0: none
    uint8_t scanset;      // keyboard: 1, 2 or 3
    bool translate;       // keyboard: set 2 -> set 1 (the controller's command byte bit 6)
    bool translate_break; // translation saw the 0xF0 break prefix
    /* Mouse state (QEMU's model). */
    uint8_t status; // bit 6 remote mode, 5 enabled (mirrors `enabled`), 4 scaling 2:1
    uint8_t resolution;
    uint8_t sample_rate;
    uint8_t type;   // device ID: 0 PS/2, 3 IntelliMouse, 4 IntelliMouse Explorer
    uint8_t detect; // progress through the 200-100-80 / 200-200-80 rate sequences
    bool wrap;      // echo mode
};

void ps2_kbd_reset(struct ps2dev *d);
void ps2_kbd_command(struct ps2dev *d, uint8_t v);
/* One scancode in set 2, queued in the current set (translated if asked). */
void ps2_kbd_key(struct ps2dev *d, const uint8_t *set2, size_t n);

void ps2_mouse_reset(struct ps2dev *d);
void ps2_mouse_command(struct ps2dev *d, uint8_t v);

static inline bool ps2_has_data(const struct ps2dev *d)
{
    return d->reply.count || d->data.count;
}

/* Pops the next byte: replies first. */
static inline bool ps2_pop(struct ps2dev *d, uint8_t *v)
{
    return q_pop(&d->reply, v) || q_pop(&d->data, v);
}

#endif
