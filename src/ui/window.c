/* The SDL2 window: composes the console and the panel into one pixel
 * buffer, uploads it to a streaming texture and lets SDL scale it by an
 * integer factor into the (resizable) window, letterboxed. */
#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keymap.h"
#include "panel.h"
#include "render.h"
#include "ui.h"

#define FRAME_NS         (1000000000ULL / 60)
#define PANEL_REFRESH_NS 250000000ULL
#define NS_PER_MS        1000000ULL
#define MAX_WAIT_MS      1000 /* the longest idle sleep between looks at the machine */
#define PANEL_BG         0x101828u
#define PANEL_FG         0xC8D0E0u
#define PANEL_GAP        8
#define HID_P            0x13

struct ui_window {
    emu_machine *m;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    int tex_w, tex_h;
    struct ui_canvas canvas;
    emu_text_screen screen, shown; // current and last drawn text screen
    struct ui_blink shown_blink;
    struct ui_panel panel;
    bool panel_on;
    bool dirty;     // something besides the screen changed (panel, window)
    bool swallow_p; // the P of Ctrl-Alt-P is down: keep its release from the guest
    bool closed;
    uint64_t last_frame_ns, last_panel_ns;
    char panel_text[EMU_TEXT_MAX_ROWS][UI_PANEL_COLS + 1]; // the panel as last drawn
    int panel_rows;
};

bool ui_available(void)
{
    return true;
}

static uint64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int panel_width(const struct ui_window *w)
{
    return w->panel_on ? UI_PANEL_COLS * UI_FONT_WIDTH + PANEL_GAP : 0;
}

/* (Re)creates the texture and pixel buffer for a frame of width x height. */
static bool ensure_size(struct ui_window *w, int width, int height)
{
    if (w->tex && w->tex_w == width && w->tex_h == height) return true;
    uint32_t *px = calloc((size_t)width * (size_t)height, sizeof(*px));
    SDL_Texture *tex = SDL_CreateTexture(w->ren, SDL_PIXELFORMAT_RGB888,
                                         SDL_TEXTUREACCESS_STREAMING, width, height);
    if (!px || !tex) {
        free(px);
        if (tex) SDL_DestroyTexture(tex);
        return false;
    }
    if (w->tex) SDL_DestroyTexture(w->tex);
    free(w->canvas.pixels);
    w->tex = tex;
    w->tex_w = width;
    w->tex_h = height;
    w->canvas = (struct ui_canvas){px, width, height, width};
    SDL_RenderSetLogicalSize(w->ren, width, height);
    SDL_RenderSetIntegerScale(w->ren, SDL_TRUE);
    return true;
}

/* Samples the panel's figures; true if its text changed since it was drawn. */
static bool update_panel(struct ui_window *w, uint64_t ns, int height)
{
    char lines[EMU_TEXT_MAX_ROWS][UI_PANEL_COLS + 1];
    int rows = height / UI_FONT_HEIGHT;
    if (rows > EMU_TEXT_MAX_ROWS) rows = EMU_TEXT_MAX_ROWS;
    ui_panel_sample(&w->panel, ns);
    ui_panel_text(&w->panel, lines, rows);
    w->last_panel_ns = ns;
    if (rows == w->panel_rows && !memcmp(lines, w->panel_text, sizeof(lines[0]) * (size_t)rows))
        return false;
    memcpy(w->panel_text, lines, sizeof(lines[0]) * (size_t)rows);
    w->panel_rows = rows;
    return true;
}

static void draw_panel(struct ui_window *w, int x, int height)
{
    ui_fill(&w->canvas, x - PANEL_GAP, 0, PANEL_GAP, height, 0);
    ui_fill(&w->canvas, x, 0, UI_PANEL_COLS * UI_FONT_WIDTH, height, PANEL_BG);
    for (int i = 0; i < w->panel_rows; i++)
        ui_draw_string(&w->canvas, x, i * UI_FONT_HEIGHT, w->panel_text[i], UI_PANEL_COLS,
                       i == 0 ? 0xFFFFFFu : PANEL_FG, PANEL_BG);
}

/* True if only cells can have changed since the last frame: same geometry,
 * fonts, palette and modes (the cells and the cursor are compared apart). */
static bool same_frame_layout(const emu_text_screen *a, const emu_text_screen *b)
{
    return a->cols == b->cols && a->rows == b->rows && a->char_width == b->char_width &&
           a->char_height == b->char_height && a->text_mode == b->text_mode &&
           a->blanked == b->blanked && a->blink_enabled == b->blink_enabled &&
           a->line_graphics == b->line_graphics && a->text_mode && !a->blanked &&
           !memcmp(a->palette, b->palette, sizeof(a->palette)) &&
           !memcmp(a->font, b->font, sizeof(a->font));
}

static bool is_cursor(const emu_text_screen *s, unsigned row, unsigned col)
{
    return s->cursor_visible && s->cursor_row == row && s->cursor_col == col;
}

/* Redraws the cells that differ from the last frame. */
static void render_changes(struct ui_window *w, struct ui_blink blink)
{
    const emu_text_screen *s = &w->screen, *old = &w->shown;
    bool cursor_moved = s->cursor_visible != old->cursor_visible ||
                        s->cursor_start != old->cursor_start || s->cursor_end != old->cursor_end ||
                        s->cursor_row != old->cursor_row || s->cursor_col != old->cursor_col;
    bool cursor_blinked = blink.cursor_on != w->shown_blink.cursor_on;
    bool text_blinked = blink.text_on != w->shown_blink.text_on;
    for (unsigned row = 0; row < s->rows; row++)
        for (unsigned col = 0; col < s->cols; col++) {
            unsigned i = row * s->cols + col;
            bool cursor_here = is_cursor(s, row, col) || is_cursor(old, row, col);
            if (s->cells[i] != old->cells[i] || (cursor_here && (cursor_moved || cursor_blinked)) ||
                (text_blinked && (s->cells[i] & 0x8000)))
                ui_render_cell(&w->canvas, 0, 0, s, row, col, blink);
        }
}

/* Draws the frame for host time ns into the canvas; false if nothing changed. */
static bool compose(struct ui_window *w, uint64_t ns, bool force)
{
    emu_display_text(w->m, &w->screen);
    struct ui_blink blink = ui_blink_at(ns);
    int tw, th;
    ui_text_size(&w->screen, &tw, &th);
    bool panel_changed = false;
    if (w->panel_on && (force || w->dirty || ns - w->last_panel_ns >= PANEL_REFRESH_NS))
        panel_changed = update_panel(w, ns, th);
    if (!force && !w->dirty && !panel_changed && blink.cursor_on == w->shown_blink.cursor_on &&
        blink.text_on == w->shown_blink.text_on &&
        !memcmp(&w->screen, &w->shown, sizeof(w->screen)))
        return false;
    bool full = force || w->dirty || !same_frame_layout(&w->screen, &w->shown) ||
                w->tex_w != tw + panel_width(w) || w->tex_h != th;
    if (!ensure_size(w, tw + panel_width(w), th)) return false;
    if (full)
        ui_render_text(&w->canvas, 0, 0, &w->screen, blink);
    else
        render_changes(w, blink);
    if (w->panel_on && (full || panel_changed)) draw_panel(w, tw + PANEL_GAP, th);
    memcpy(&w->shown, &w->screen, sizeof(w->screen));
    w->shown_blink = blink;
    w->dirty = false;
    return true;
}

static void present(struct ui_window *w)
{
    SDL_UpdateTexture(w->tex, NULL, w->canvas.pixels, w->canvas.pitch * (int)sizeof(uint32_t));
    SDL_SetRenderDrawColor(w->ren, 0, 0, 0, 255);
    SDL_RenderClear(w->ren);
    SDL_RenderCopy(w->ren, w->tex, NULL, NULL);
    SDL_RenderPresent(w->ren);
}

static void redraw(struct ui_window *w, bool force)
{
    uint64_t ns = host_ns();
    w->last_frame_ns = ns;
    if (compose(w, ns, force)) present(w);
}

/* Ctrl-Alt-P toggles the panel; every other key goes to the guest. */
static void on_key(struct ui_window *w, const SDL_KeyboardEvent *k)
{
    bool down = k->type == SDL_KEYDOWN;
    unsigned usage = (unsigned)k->keysym.scancode;
    if (usage == HID_P && (down || w->swallow_p)) {
        SDL_Keymod mod = SDL_GetModState();
        if (!down || ((mod & KMOD_CTRL) && (mod & KMOD_ALT))) {
            if (down && !k->repeat) ui_set_panel(w, !w->panel_on);
            w->swallow_p = down;
            return;
        }
    }
    uint8_t bytes[UI_KEY_MAX_BYTES];
    size_t n = ui_key_set2(usage, down, bytes);
    if (n) emu_keyboard_input(w->m, bytes, n);
}

static void on_event(struct ui_window *w, const SDL_Event *ev)
{
    switch (ev->type) {
    case SDL_QUIT:
        w->closed = true;
        emu_machine_quit(w->m);
        break;
    case SDL_KEYDOWN:
    case SDL_KEYUP: on_key(w, &ev->key); break;
    case SDL_WINDOWEVENT: w->dirty = true; break;
    default: break;
    }
}

static void drain_events(struct ui_window *w)
{
    SDL_Event ev;
    while (SDL_PollEvent(&ev))
        on_event(w, &ev);
}

static void fe_poll(void *ctx, emu_machine *m)
{
    struct ui_window *w = ctx;
    (void)m;
    drain_events(w);
    redraw(w, false);
}

/* Milliseconds from host time ns to the next thing the idle window must
 * redraw: a blink edge or a panel refresh. */
static uint64_t next_wake_ms(const struct ui_window *w, uint64_t ns)
{
    uint64_t edge = ui_blink_next_edge(ns) - ns;
    if (w->panel_on && PANEL_REFRESH_NS < edge) edge = PANEL_REFRESH_NS;
    return edge / NS_PER_MS + 1;
}

static void fe_wait(void *ctx, emu_machine *m, uint64_t timeout_ns)
{
    struct ui_window *w = ctx;
    (void)m;
    redraw(w, false);
    uint64_t ms = timeout_ns / NS_PER_MS, wake = next_wake_ms(w, host_ns());
    if (wake < ms) ms = wake;
    SDL_Event ev;
    if (SDL_WaitEventTimeout(&ev, ms < MAX_WAIT_MS ? (int)ms : MAX_WAIT_MS)) on_event(w, &ev);
    drain_events(w);
    redraw(w, false);
}

static int initial_scale(int width, int height)
{
    SDL_DisplayMode dm;
    if (SDL_GetDesktopDisplayMode(0, &dm) == 0 && dm.w >= 2 * width && dm.h >= 2 * height) return 2;
    return 1;
}

static bool open_sdl(struct ui_window *w, const char *title)
{
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) < 0) return false;
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "0");
    emu_display_text(w->m, &w->screen);
    int tw, th;
    ui_text_size(&w->screen, &tw, &th);
    int width = tw + panel_width(w), scale = initial_scale(width, th);
    w->win = SDL_CreateWindow(title, SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                              width * scale, th * scale, SDL_WINDOW_RESIZABLE);
    if (!w->win) return false;
    w->ren = SDL_CreateRenderer(w->win, -1, 0);
    if (!w->ren) w->ren = SDL_CreateRenderer(w->win, -1, SDL_RENDERER_SOFTWARE);
    return w->ren && ensure_size(w, width, th);
}

struct ui_window *ui_open(emu_machine *m, const char *title, char *err, size_t errlen)
{
    struct ui_window *w = calloc(1, sizeof(*w));
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->m = m;
    w->panel_on = true;
    if (!open_sdl(w, title)) {
        snprintf(err, errlen, "cannot open an SDL window: %s", SDL_GetError());
        ui_close(w);
        return NULL;
    }
    if (ui_panel_attach(&w->panel, m) < 0) {
        snprintf(err, errlen, "cannot subscribe the panel to machine events");
        ui_close(w);
        return NULL;
    }
    emu_frontend fe = {fe_poll, fe_wait, w, FRAME_NS};
    emu_set_frontend(m, &fe);
    redraw(w, true);
    return w;
}

bool ui_closed(const struct ui_window *w)
{
    return w->closed;
}

void ui_panel_lines(struct ui_window *w, char (*lines)[UI_PANEL_COLS + 1], int rows)
{
    ui_panel_text(&w->panel, lines, rows);
}

void ui_set_kernel(struct ui_window *w, const uint8_t *image, size_t size)
{
    ui_panel_set_kernel(&w->panel, image, size);
}

void ui_set_panel(struct ui_window *w, bool on)
{
    w->panel_on = on;
    w->dirty = true;
    w->last_panel_ns = 0;
}

uint32_t *ui_snapshot(struct ui_window *w, uint64_t ns, int *width, int *height)
{
    if (!compose(w, ns, true)) return NULL;
    size_t bytes = (size_t)w->canvas.width * (size_t)w->canvas.height * sizeof(uint32_t);
    uint32_t *copy = malloc(bytes);
    if (!copy) return NULL;
    memcpy(copy, w->canvas.pixels, bytes);
    *width = w->canvas.width;
    *height = w->canvas.height;
    present(w);
    return copy;
}

void ui_close(struct ui_window *w)
{
    if (!w) return;
    emu_set_frontend(w->m, NULL);
    ui_panel_detach(&w->panel);
    if (w->tex) SDL_DestroyTexture(w->tex);
    if (w->ren) SDL_DestroyRenderer(w->ren);
    if (w->win) SDL_DestroyWindow(w->win);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    free(w->canvas.pixels);
    free(w);
}
