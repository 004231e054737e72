/* PNG files of 0x00RRGGBB pixels (8-bit RGB, no interlace): screenshots and
 * the golden images of tests/ui. The reader takes what the writer makes
 * (and any 8-bit RGB PNG whose rows use filter 0 or 1 - 4). */
#ifndef EMU_UI_PNG_H
#define EMU_UI_PNG_H

#include <stdint.h>

/* Writes a width x height image. 0, or -1 (errno says why). */
int ui_png_write(const char *path, const uint32_t *pixels, int width, int height);

/* Reads an image into a buffer the caller frees. NULL if the file is
 * missing or is not such a PNG. */
uint32_t *ui_png_read(const char *path, int *width, int *height);

#endif
