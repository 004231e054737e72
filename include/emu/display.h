/**
 * @file display.h
 * @brief The machine's screen and keyboard as a front end sees them: the VGA
 *        text screen as the CRTC scans it out, key presses into the PS/2
 *        keyboard, and a callback the run loop makes between CPU slices so a
 *        window can draw and read its events without a thread of its own.
 */
#ifndef EMU_DISPLAY_H
#define EMU_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "emu.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EMU_TEXT_MAX_COLS 132 /**< widest text screen reported */
#define EMU_TEXT_MAX_ROWS 60  /**< tallest text screen reported */
#define EMU_GLYPH_BYTES   32  /**< bytes per glyph in a VGA font (one per scan line) */

/** The VGA text screen, resolved through the adapter's registers. */
typedef struct emu_text_screen {
    uint16_t cols, rows; /**< characters per row, character rows */
    uint8_t char_width;  /**< 8 or 9 dots (sequencer clocking mode) */
    uint8_t char_height; /**< scan lines per character row (1..32) */
    bool text_mode;      /**< false: the adapter is in a graphics mode */
    bool blanked;        /**< screen off (attribute controller or sequencer) */
    bool blink_enabled;  /**< attribute bit 7 blinks (else: bright background) */
    bool line_graphics;  /**< 9th dot repeats the 8th for characters 0xC0-0xDF */
    bool cursor_visible; /**< cursor enabled and on the screen */
    uint16_t cursor_row, cursor_col;
    uint8_t cursor_start, cursor_end; /**< first and last scan line of the cursor */
    uint32_t palette[16];             /**< 0xRRGGBB of attribute colours 0-15 (palette + DAC) */
    uint32_t border;                  /**< 0xRRGGBB of the overscan colour */
    uint16_t cells[EMU_TEXT_MAX_ROWS * EMU_TEXT_MAX_COLS]; /**< char | attr << 8, row-major */
    uint8_t font[2][256][EMU_GLYPH_BYTES]; /**< character maps A and B from plane 2 */
} emu_text_screen;

/** Reads the text screen as the adapter would show it now. */
emu_status emu_display_text(emu_machine *m, emu_text_screen *out);

/**
 * A key event from the host keyboard: the bytes of one PS/2 scancode in set 2
 * (the i8042 translates to set 1 when the guest asked it to). Like a real
 * keyboard, the controller drops the event while the guest has the keyboard
 * disabled or its 32-byte buffer has no room for it. Returns
 * EMU_ERR_ARG if the machine has no keyboard controller or n is 0.
 */
emu_status emu_keyboard_input(emu_machine *m, const uint8_t *set2, size_t n);

/**
 * A front end's share of the run loop. `poll` runs between CPU slices at
 * least every `interval_ns` of host time while the guest runs; `wait` runs
 * when the guest is halted and nothing in the machine can wake it before
 * `timeout_ns` of host time (UINT64_MAX: nothing will): it should sleep until
 * host input arrives or the timeout passes. Either may call
 * emu_keyboard_input or emu_machine_quit.
 */
typedef struct emu_frontend {
    void (*poll)(void *ctx, emu_machine *m);
    void (*wait)(void *ctx, emu_machine *m, uint64_t timeout_ns);
    void *ctx;
    uint64_t interval_ns;
} emu_frontend;

/** What a status panel shows about CPU 0. */
typedef struct emu_machine_status {
    uint64_t insns;   /**< instructions retired */
    uint64_t time_ns; /**< virtual time */
    uint8_t cpl;      /**< current privilege level */
    const char *mode; /**< "real", "protected-16", "protected-32", "virtual-8086",
                           "compat-16", "compat-32" or "64-bit" */
    bool halted;      /**< in HLT, waiting for an interrupt */
} emu_machine_status;

/** Reads CPU 0's status. */
emu_status emu_machine_get_status(emu_machine *m, emu_machine_status *out);

/** The built-in 8x16 code page 437 font the VGA starts with (256 glyphs). */
const uint8_t (*emu_builtin_font(void))[16];

/** Installs (or with NULL removes) the machine's front end. */
emu_status emu_set_frontend(emu_machine *m, const emu_frontend *fe);

#ifdef __cplusplus
}
#endif

#endif
