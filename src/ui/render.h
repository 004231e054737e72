/* Drawing the machine into a pixel buffer, without SDL: the VGA text screen
 * (glyphs, 16 colours, 9th-dot rule, blink, cursor) and lines of panel
 * text. Pixels are 0x00RRGGBB. */
#ifndef EMU_UI_RENDER_H
#define EMU_UI_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "../../include/emu/display.h"

#define UI_FONT_WIDTH  8
#define UI_FONT_HEIGHT 16

struct ui_canvas {
    uint32_t *pixels;
    int width, height; // in pixels
    int pitch;         // pixels from one row to the next
};

/* Where the blinking things are in their cycle (the VGA blinks the cursor
 * every 8 frames and blinking characters every 16, at 70 frames a second). */
struct ui_blink {
    bool cursor_on;
    bool text_on;
};

/* The blink state at host time `ns`, and when it next changes. */
struct ui_blink ui_blink_at(uint64_t ns);
uint64_t ui_blink_next_edge(uint64_t ns);

/* Pixel size of the screen s: cols * char_width by rows * char_height. */
void ui_text_size(const emu_text_screen *s, int *width, int *height);

/* Draws s at (x, y) of c, clipped to c. A blanked screen, or one in a
 * graphics mode, is drawn in black. */
void ui_render_text(struct ui_canvas *c, int x, int y, const emu_text_screen *s,
                    struct ui_blink blink);

/* Draws one cell of s (at row, col of a screen drawn at x, y). */
void ui_render_cell(struct ui_canvas *c, int x, int y, const emu_text_screen *s, unsigned row,
                    unsigned col, struct ui_blink blink);

/* Draws `text` in the built-in font from (x, y), clipped to c and to
 * `max_chars` characters. Bytes are code page 437. */
void ui_draw_string(struct ui_canvas *c, int x, int y, const char *text, int max_chars, uint32_t fg,
                    uint32_t bg);

/* Fills a rectangle, clipped to c. */
void ui_fill(struct ui_canvas *c, int x, int y, int w, int h, uint32_t rgb);

#endif
