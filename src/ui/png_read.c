/* Reading back the PNGs png.c writes (8-bit RGB; any row filter). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "png.h"

#define PNG_SIG_LEN 8
#define COLOR_RGB   2
#define BIT_DEPTH   8
#define BPP         3
#define MAX_DIM     16384
#define MAX_FILE    (64u << 20)

enum { FILTER_NONE, FILTER_SUB, FILTER_UP, FILTER_AVG, FILTER_PAETH };

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = malloc(MAX_FILE);
    size_t n = buf ? fread(buf, 1, MAX_FILE, f) : 0;
    fclose(f);
    *len = n;
    return buf;
}

static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return (pa <= pb && pa <= pc) ? a : pb <= pc ? b : c;
}

/* Undoes the row filters in place; false on an unknown filter. */
static bool unfilter(uint8_t *raw, int width, int height)
{
    size_t stride = 1 + (size_t)width * BPP;
    for (int y = 0; y < height; y++) {
        uint8_t *row = raw + (size_t)y * stride + 1, *up = y ? row - stride : NULL;
        uint8_t f = row[-1];
        for (size_t i = 0; i < stride - 1; i++) {
            int a = i >= BPP ? row[i - BPP] : 0, b = up ? up[i] : 0;
            int c = (up && i >= BPP) ? up[i - BPP] : 0;
            switch (f) {
            case FILTER_NONE: break;
            case FILTER_SUB: row[i] = (uint8_t)(row[i] + a); break;
            case FILTER_UP: row[i] = (uint8_t)(row[i] + b); break;
            case FILTER_AVG: row[i] = (uint8_t)(row[i] + (a + b) / 2); break;
            case FILTER_PAETH: row[i] = (uint8_t)(row[i] + paeth(a, b, c)); break;
            default: return false;
            }
        }
    }
    return true;
}

/* Concatenated IDAT data and the IHDR fields; false if malformed. */
static bool parse(const uint8_t *d, size_t len, uint8_t *idat, size_t *idat_len, int *w, int *h)
{
    size_t pos = PNG_SIG_LEN, out = 0;
    bool have_ihdr = false;
    while (pos + 12 <= len) {
        uint32_t n = get_be32(d + pos);
        const uint8_t *type = d + pos + 4, *data = d + pos + 8;
        if (n > len - pos - 12) return false;
        if (!memcmp(type, "IHDR", 4) && n >= 13) {
            *w = (int)get_be32(data);
            *h = (int)get_be32(data + 4);
            have_ihdr = data[8] == BIT_DEPTH && data[9] == COLOR_RGB && data[12] == 0 && *w > 0 &&
                        *h > 0 && *w <= MAX_DIM && *h <= MAX_DIM;
        } else if (!memcmp(type, "IDAT", 4)) {
            memcpy(idat + out, data, n);
            out += n;
        }
        pos += 12 + n;
    }
    *idat_len = out;
    return have_ihdr;
}

uint32_t *ui_png_read(const char *path, int *width, int *height)
{
    size_t len, idat_len;
    uint8_t *file = slurp(path, &len);
    uint8_t *idat = file ? malloc(len) : NULL;
    uint8_t *raw = NULL;
    uint32_t *px = NULL;
    int w = 0, h = 0;
    if (!idat || len < PNG_SIG_LEN || memcmp(file, "\x89PNG\r\n\x1a\n", PNG_SIG_LEN) ||
        !parse(file, len, idat, &idat_len, &w, &h))
        goto out;
    uLongf raw_len = (uLongf)(1 + (size_t)w * BPP) * (uLongf)h;
    raw = malloc(raw_len);
    px = malloc((size_t)w * (size_t)h * sizeof(*px));
    if (!raw || !px || uncompress(raw, &raw_len, idat, idat_len) != Z_OK ||
        raw_len != (1 + (size_t)w * BPP) * (size_t)h || !unfilter(raw, w, h)) {
        free(px);
        px = NULL;
        goto out;
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const uint8_t *p = raw + (size_t)y * (1 + (size_t)w * BPP) + 1 + (size_t)x * BPP;
            px[(size_t)y * (size_t)w + (size_t)x] = (uint32_t)p[0] << 16 | p[1] << 8 | p[2];
        }
    *width = w;
    *height = h;
out:
    free(raw);
    free(idat);
    free(file);
    return px;
}
