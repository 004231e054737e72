/* The PS/2 keyboard (i8042, IRQ 1): scancode set 1 to ASCII for a US
 * layout, fed to the console tty like serial input. */
#include "intr.h"

#include "tty.h"
#include "x86.h"

#define KBD_DATA           0x60
#define KBD_STATUS         0x64
#define STATUS_OUTPUT_FULL 0x01
#define SC_RELEASE         0x80
#define SC_LSHIFT          0x2A
#define SC_RSHIFT          0x36
#define ABSENT             0xFF /* what a read of an unconnected port returns */
#define MAX_DRAIN          16

/* clang-format off */
static const char normal[0x3A] = {
    0,   27,  '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', 0x7F, '\t',
    'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\r', 0,  'a', 's',
    'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`', 0,  '\\', 'z', 'x', 'c', 'v',
    'b', 'n', 'm', ',', '.', '/', 0,   '*', 0,   ' ',
};

static const char shifted[0x3A] = {
    0,   27,  '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+', 0x7F, '\t',
    'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\r', 0,  'A', 'S',
    'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~', 0,   '|', 'Z', 'X', 'C', 'V',
    'B', 'N', 'M', '<', '>', '?', 0,   '*', 0,   ' ',
};

/* clang-format on */

static bool shift;

bool kbd_init(void)
{
    if (inb(KBD_STATUS) == ABSENT) return false;
    for (int i = 0; i < MAX_DRAIN && (inb(KBD_STATUS) & STATUS_OUTPUT_FULL); i++)
        (void)inb(KBD_DATA); /* what the firmware left */
    return true;
}

void kbd_intr(void)
{
    for (int i = 0; i < MAX_DRAIN && (inb(KBD_STATUS) & STATUS_OUTPUT_FULL); i++) {
        u8 sc = inb(KBD_DATA);
        u8 key = sc & (u8)~SC_RELEASE;
        if (key == SC_LSHIFT || key == SC_RSHIFT) {
            shift = !(sc & SC_RELEASE);
        } else if (!(sc & SC_RELEASE) && key < sizeof(normal)) {
            char c = shift ? shifted[key] : normal[key];
            if (c) tty_receive(c);
        }
    }
}
