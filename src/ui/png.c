#include "png.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define PNG_SIG_LEN 8
#define IHDR_LEN    13
#define COLOR_RGB   2
#define BIT_DEPTH   8
#define BPP         3

static const uint8_t png_sig[PNG_SIG_LEN] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int chunk(FILE *f, const char *type, const uint8_t *data, uint32_t len)
{
    uint8_t hdr[8];
    be32(hdr, len);
    memcpy(hdr + 4, type, 4);
    static const uint8_t none[1];
    uLong crc = crc32(crc32(0, (const Bytef *)type, 4), data ? data : none, len);
    uint8_t tail[4];
    be32(tail, (uint32_t)crc);
    bool ok = fwrite(hdr, 1, 8, f) == 8 && (len == 0 || fwrite(data, 1, len, f) == len) &&
              fwrite(tail, 1, 4, f) == 4;
    return ok ? 0 : -1;
}

/* Rows with filter byte 0 and RGB triples. */
static uint8_t *raw_rows(const uint32_t *pixels, int width, int height, size_t *len)
{
    size_t stride = 1 + (size_t)width * BPP;
    uint8_t *raw = malloc(stride * (size_t)height);
    if (!raw) return NULL;
    for (int y = 0; y < height; y++) {
        uint8_t *row = raw + (size_t)y * stride;
        row[0] = 0;
        for (int x = 0; x < width; x++) {
            uint32_t p = pixels[(size_t)y * (size_t)width + (size_t)x];
            row[1 + x * BPP] = (uint8_t)(p >> 16);
            row[2 + x * BPP] = (uint8_t)(p >> 8);
            row[3 + x * BPP] = (uint8_t)p;
        }
    }
    *len = stride * (size_t)height;
    return raw;
}

int ui_png_write(const char *path, const uint32_t *pixels, int width, int height)
{
    size_t raw_len = 0;
    uint8_t *raw = raw_rows(pixels, width, height, &raw_len);
    uLongf z_len = compressBound(raw_len);
    uint8_t *z = malloc(z_len);
    if (!raw || !z || compress2(z, &z_len, raw, raw_len, Z_BEST_COMPRESSION) != Z_OK) {
        free(raw);
        free(z);
        errno = ENOMEM;
        return -1;
    }
    free(raw);
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(z);
        return -1;
    }
    uint8_t ihdr[IHDR_LEN] = {0};
    be32(ihdr, (uint32_t)width);
    be32(ihdr + 4, (uint32_t)height);
    ihdr[8] = BIT_DEPTH;
    ihdr[9] = COLOR_RGB;
    int rc = fwrite(png_sig, 1, PNG_SIG_LEN, f) == PNG_SIG_LEN ? 0 : -1;
    rc |= chunk(f, "IHDR", ihdr, IHDR_LEN);
    rc |= chunk(f, "IDAT", z, (uint32_t)z_len);
    rc |= chunk(f, "IEND", NULL, 0);
    free(z);
    return (fclose(f) != 0 || rc) ? -1 : 0;
}
