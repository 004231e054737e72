/* The SDL2 window onto a machine (docs/ui.md): the VGA text console at an
 * integer scale, the live panel beside it, keys to the PS/2 keyboard. It
 * runs inside the machine's run loop as its front end (display.h): no
 * thread of its own, drawing at the host's frame rate while the CPU runs and
 * sleeping on window events while the guest idles. */
#ifndef EMU_UI_UI_H
#define EMU_UI_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../include/emu/display.h"
#include "panel.h"

struct ui_window;

/* True if this build has the SDL window. */
bool ui_available(void);

/* Opens a window titled `title` and installs it as m's front end. Returns
 * NULL after writing a one-line reason to err. */
struct ui_window *ui_open(emu_machine *m, const char *title, char *err, size_t errlen);

/* True if the user closed the window (the run was ended with emu_machine_quit). */
bool ui_closed(const struct ui_window *w);

/* Draws the current frame now (blink phases at host time `ns`) and copies it
 * as 0x00RRGGBB pixels into a buffer of *width by *height the caller frees
 * with free(). NULL on failure. For tests and screenshots. */
uint32_t *ui_snapshot(struct ui_window *w, uint64_t ns, int *width, int *height);

/* The panel's text as it would be drawn now, `rows` lines. */
void ui_panel_lines(struct ui_window *w, char (*lines)[UI_PANEL_COLS + 1], int rows);

/* The kernel image, for the panel's running task (its guest note). */
void ui_set_kernel(struct ui_window *w, const uint8_t *image, size_t size);

/* Shows or hides the panel. */
void ui_set_panel(struct ui_window *w, bool on);

/* Removes the front end from the machine and closes the window. */
void ui_close(struct ui_window *w);

#endif
