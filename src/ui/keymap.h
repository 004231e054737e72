/* Host keys to PS/2 scancode set 2, the codes a PC keyboard sends (the
 * i8042 translates them to set 1 when the guest asks it to). Keys are named
 * by their USB HID usage (page 7), which is what SDL_Scancode values are. */
#ifndef EMU_UI_KEYMAP_H
#define EMU_UI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UI_KEY_MAX_BYTES 8 /* Pause: E1 14 77 E1 F0 14 F0 77 */

/* The set 2 bytes a keyboard sends when the key with HID usage `usage` is
 * pressed (or repeats: typematic repeat resends the make code) or released.
 * Returns how many were written to out, 0 for a key PS/2 does not have
 * (and for releasing Pause, which sends nothing). */
size_t ui_key_set2(unsigned usage, bool pressed, uint8_t out[UI_KEY_MAX_BYTES]);

#endif
