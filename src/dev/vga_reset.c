/* The VGA after a VGA BIOS has set mode 3: the register values of the IBM
 * VGA's mode 3 parameter table (as SeaBIOS's vgabios programs them), the
 * EGA-compatible 64-colour DAC palette, the font in plane 2 and a screen of
 * grey-on-black spaces. */
#include "vga_regs.h"

#include <string.h>

#define MODE3_MISC       0x67
#define MODE3_TEXT_CELL  0x0720 /* a space, light grey on black */
#define MODE3_TEXT_CELLS (80 * 25)
#define EGA_PALETTE_SIZE 64
#define DAC_TWO_THIRDS   0x2A
#define DAC_ONE_THIRD    0x15

static const uint8_t mode3_sr[VGA_SEQ_C] = {0x03, 0x00, 0x03, 0x00, 0x02};
static const uint8_t mode3_gr[VGA_GFX_C] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x0f, 0xff};
static const uint8_t mode3_ar[VGA_ATC_C] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a,
    0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00,
};
static const uint8_t mode3_cr[] = {
    0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00,
    0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
};

/* EGA colour i: bits 0-2 blue, green, red at 2/3; bits 3-5 the same at 1/3. */
static void load_ega_palette(struct vga *v)
{
    for (unsigned i = 0; i < EGA_PALETTE_SIZE; i++) {
        for (unsigned c = 0; c < 3; c++) {
            unsigned bit = 2 - c; /* red is bit 2, green 1, blue 0 */
            v->dac[i][c] = (uint8_t)(((i >> bit) & 1) * DAC_TWO_THIRDS +
                                     ((i >> (bit + 3)) & 1) * DAC_ONE_THIRD);
        }
    }
}

/* Glyph c of character map 0 is at plane 2 offset c * 32. */
static void load_font(struct vga *v)
{
    for (unsigned c = 0; c < 256; c++)
        for (unsigned row = 0; row < 16; row++)
            *vga_plane_byte(v, c * EMU_GLYPH_BYTES + row, VGA_FONT_PLANE) = vga_font8x16[c][row];
}

void vga_reset(struct vga *v)
{
    const struct vclock *clock = v->clock;
    memset(v, 0, sizeof(*v));
    v->clock = clock;
    v->msr = MODE3_MISC;
    memcpy(v->sr, mode3_sr, sizeof(mode3_sr));
    memcpy(v->gr, mode3_gr, sizeof(mode3_gr));
    memcpy(v->ar, mode3_ar, sizeof(mode3_ar));
    memcpy(v->cr, mode3_cr, sizeof(mode3_cr));
    v->ar_index = VGA_AR_ENABLE_DISPLAY;
    load_ega_palette(v);
    load_font(v);
    for (unsigned i = 0; i < MODE3_TEXT_CELLS; i++) {
        *vga_plane_byte(v, 2 * i, 0) = MODE3_TEXT_CELL & 0xff;
        *vga_plane_byte(v, 2 * i, 1) = MODE3_TEXT_CELL >> 8;
    }
}
