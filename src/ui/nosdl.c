/* The window in a build without SDL2 (meson -Dsdl=disabled): none. */
#include <stdio.h>

#include "ui.h"

bool ui_available(void)
{
    return false;
}

struct ui_window *ui_open(emu_machine *m, const char *title, char *err, size_t errlen)
{
    (void)m;
    (void)title;
    snprintf(err, errlen, "this emu was built without SDL2: --display sdl is not available");
    return NULL;
}

bool ui_closed(const struct ui_window *w)
{
    (void)w;
    return false;
}

uint32_t *ui_snapshot(struct ui_window *w, uint64_t ns, int *width, int *height)
{
    (void)w;
    (void)ns;
    (void)width;
    (void)height;
    return NULL;
}

void ui_panel_lines(struct ui_window *w, char (*lines)[UI_PANEL_COLS + 1], int rows)
{
    (void)w;
    for (int i = 0; i < rows; i++)
        lines[i][0] = '\0';
}

void ui_set_kernel(struct ui_window *w, const uint8_t *image, size_t size)
{
    (void)w;
    (void)image;
    (void)size;
}

void ui_set_panel(struct ui_window *w, bool on)
{
    (void)w;
    (void)on;
}

void ui_close(struct ui_window *w)
{
    (void)w;
}
