#include "render.h"

#define VGA_FRAME_HZ        70
#define CURSOR_BLINK_FRAMES 8
#define TEXT_BLINK_FRAMES   16
#define NS_PER_SEC          1000000000ULL
#define ATTR_BLINK          0x80
#define ATTR_FONT_A         0x08
#define LINE_GRAPHICS_FIRST 0xC0
#define LINE_GRAPHICS_LAST  0xDF
#define BLACK               0x000000u

struct ui_blink ui_blink_at(uint64_t ns)
{
    uint64_t frame = ns / (NS_PER_SEC / VGA_FRAME_HZ);
    return (struct ui_blink){
        .cursor_on = (frame / CURSOR_BLINK_FRAMES) % 2 == 0,
        .text_on = (frame / TEXT_BLINK_FRAMES) % 2 == 0,
    };
}

uint64_t ui_blink_next_edge(uint64_t ns)
{
    uint64_t period = CURSOR_BLINK_FRAMES * (NS_PER_SEC / VGA_FRAME_HZ);
    return (ns / period + 1) * period;
}

void ui_text_size(const emu_text_screen *s, int *width, int *height)
{
    *width = s->cols * s->char_width;
    *height = s->rows * s->char_height;
}

static inline void put(struct ui_canvas *c, int x, int y, uint32_t rgb)
{
    if (x >= 0 && y >= 0 && x < c->width && y < c->height) c->pixels[(long)y * c->pitch + x] = rgb;
}

void ui_fill(struct ui_canvas *c, int x, int y, int w, int h, uint32_t rgb)
{
    for (int j = 0; j < h; j++)
        for (int i = 0; i < w; i++)
            put(c, x + i, y + j, rgb);
}

/* The dots of one scan line of a cell, bit 8 the leftmost (9 dots wide). */
static unsigned cell_dots(const emu_text_screen *s, uint8_t ch, uint8_t attr, unsigned line)
{
    const uint8_t *glyph = s->font[(attr & ATTR_FONT_A) ? 0 : 1][ch];
    unsigned bits = glyph[line] << 1;
    if (s->line_graphics && ch >= LINE_GRAPHICS_FIRST && ch <= LINE_GRAPHICS_LAST)
        bits |= (bits >> 1) & 1;
    return bits;
}

struct cell_at {
    int x, y;
    unsigned row, col;
};

static void draw_cell(struct ui_canvas *c, const emu_text_screen *s, struct cell_at at,
                      struct ui_blink blink)
{
    uint16_t cell = s->cells[at.row * s->cols + at.col];
    uint8_t ch = cell & 0xff, attr = cell >> 8;
    unsigned fg = attr & 0x0f, bg = attr >> 4;
    if (s->blink_enabled) {
        bool blinking = bg & (ATTR_BLINK >> 4);
        bg &= 7;
        if (blinking && !blink.text_on) fg = bg;
    }
    bool cursor =
        s->cursor_visible && blink.cursor_on && at.row == s->cursor_row && at.col == s->cursor_col;
    for (unsigned line = 0; line < s->char_height; line++) {
        unsigned dots = line < EMU_GLYPH_BYTES ? cell_dots(s, ch, attr, line) : 0;
        if (cursor && line >= s->cursor_start && line <= s->cursor_end) dots = 0x1ff;
        for (unsigned d = 0; d < s->char_width; d++) {
            bool on = (dots >> (8 - d)) & 1;
            put(c, at.x + (int)d, at.y + (int)line, s->palette[on ? fg : bg]);
        }
    }
}

void ui_render_cell(struct ui_canvas *c, int x, int y, const emu_text_screen *s, unsigned row,
                    unsigned col, struct ui_blink blink)
{
    draw_cell(
        c, s,
        (struct cell_at){x + (int)(col * s->char_width), y + (int)(row * s->char_height), row, col},
        blink);
}

void ui_render_text(struct ui_canvas *c, int x, int y, const emu_text_screen *s,
                    struct ui_blink blink)
{
    int w, h;
    ui_text_size(s, &w, &h);
    if (s->blanked || !s->text_mode) {
        ui_fill(c, x, y, w, h, BLACK);
        return;
    }
    for (unsigned row = 0; row < s->rows; row++)
        for (unsigned col = 0; col < s->cols; col++)
            ui_render_cell(c, x, y, s, row, col, blink);
}

void ui_draw_string(struct ui_canvas *c, int x, int y, const char *text, int max_chars, uint32_t fg,
                    uint32_t bg)
{
    const uint8_t(*font)[16] = emu_builtin_font();
    bool ended = false;
    for (int i = 0; i < max_chars; i++) {
        ended = ended || !text[i];
        uint8_t ch = ended ? ' ' : (uint8_t)text[i];
        for (int line = 0; line < UI_FONT_HEIGHT; line++)
            for (int d = 0; d < UI_FONT_WIDTH; d++)
                put(c, x + i * UI_FONT_WIDTH + d, y + line,
                    ((font[ch][line] << d) & 0x80) ? fg : bg);
    }
}
