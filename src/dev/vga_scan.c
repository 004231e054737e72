/* What the CRTC scans out in text mode, resolved into an emu_text_screen:
 * geometry from the horizontal/vertical display end, maximum scan line and
 * offset registers; cells from the start address in word mode (cell k at
 * plane offset 2k: characters in plane 0, attributes in plane 1); glyphs
 * from the sequencer's character maps in plane 2; colours through the
 * attribute controller's palette and the DAC. */
#include "vga_regs.h"

#include <string.h>

#define VGA_MAP_SELECT_COUNT 8
#define VGA_ADDR_MASK        0xFFFF /* the CRTC address counter is 16 bits */

/* Plane 2 offsets of the eight character maps. */
static const uint32_t char_map_offset[VGA_MAP_SELECT_COUNT] = {
    0x0000, 0x4000, 0x8000, 0xc000, 0x2000, 0x6000, 0xa000, 0xe000,
};

static uint8_t vga_byte(const struct vga *v, uint32_t offset, unsigned plane)
{
    return v->vram[((offset & (VGA_PLANE_SIZE - 1)) << 2) | plane];
}

/* 6-bit DAC component to 8 bits (0x2A -> 0xAA, 0x3F -> 0xFF). */
static uint32_t dac_to_rgb(const struct vga *v, uint8_t index)
{
    uint32_t rgb = 0;
    for (int c = 0; c < 3; c++) {
        uint32_t x = v->dac[index][c] & VGA_DAC_MASK;
        rgb = (rgb << 8) | (x << 2) | (x >> 4);
    }
    return rgb;
}

/* The DAC index of attribute colour c, as the attribute controller forms it. */
static uint8_t palette_index(const struct vga *v, unsigned c)
{
    uint8_t p = v->ar[c];
    uint8_t page = v->ar[VGA_ATC_COLOR_PAGE];
    if (v->ar[VGA_ATC_MODE] & VGA_AR10_P54S) return (uint8_t)(((page & 0x0f) << 4) | (p & 0x0f));
    return (uint8_t)(((page & 0x0c) << 4) | (p & 0x3f));
}

static void scan_geometry(const struct vga *v, emu_text_screen *out)
{
    const uint8_t *cr = v->cr;
    out->char_width = (v->sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_CHAR_CLK_8DOTS) ? 8 : 9;
    out->char_height = (uint8_t)((cr[VGA_CRTC_MAX_SCAN] & VGA_SCAN_MASK) + 1);
    unsigned cols = cr[VGA_CRTC_H_DISP] + 1u;
    unsigned lines = cr[VGA_CRTC_V_DISP_END] + 1u;
    if (cr[VGA_CRTC_OVERFLOW] & VGA_CR07_VDE8) lines += 0x100;
    if (cr[VGA_CRTC_OVERFLOW] & VGA_CR07_VDE9) lines += 0x200;
    unsigned rows = lines / out->char_height;
    out->cols = (uint16_t)(cols > EMU_TEXT_MAX_COLS ? EMU_TEXT_MAX_COLS : cols);
    out->rows = (uint16_t)(rows == 0 ? 1 : rows > EMU_TEXT_MAX_ROWS ? EMU_TEXT_MAX_ROWS : rows);
}

static void scan_cells(const struct vga *v, emu_text_screen *out)
{
    uint32_t start = (uint32_t)(v->cr[VGA_CRTC_START_HI] << 8) | v->cr[VGA_CRTC_START_LO];
    uint32_t stride = v->cr[VGA_CRTC_OFFSET] * 2u;
    for (unsigned r = 0; r < out->rows; r++) {
        for (unsigned c = 0; c < out->cols; c++) {
            uint32_t off = ((start + r * stride + c) << 1) & VGA_ADDR_MASK;
            out->cells[r * out->cols + c] =
                (uint16_t)(vga_byte(v, off, 0) | (vga_byte(v, off, 1) << 8));
        }
    }
    uint32_t loc = (uint32_t)(v->cr[VGA_CRTC_CURSOR_HI] << 8) | v->cr[VGA_CRTC_CURSOR_LO];
    uint32_t idx = (loc - start) & VGA_ADDR_MASK;
    out->cursor_start = v->cr[VGA_CRTC_CURSOR_START] & VGA_SCAN_MASK;
    out->cursor_end = v->cr[VGA_CRTC_CURSOR_END] & VGA_SCAN_MASK;
    out->cursor_visible = false;
    out->cursor_row = out->cursor_col = 0;
    if (stride == 0 || (v->cr[VGA_CRTC_CURSOR_START] & VGA_CR0A_CURSOR_OFF) ||
        out->cursor_start > out->cursor_end || out->cursor_start >= out->char_height)
        return;
    if (idx / stride < out->rows && idx % stride < out->cols) {
        out->cursor_row = (uint16_t)(idx / stride);
        out->cursor_col = (uint16_t)(idx % stride);
        out->cursor_visible = true;
    }
}

/* Map A (attribute bit 3 set) is font[0], map B is font[1]. */
static void scan_fonts(const struct vga *v, emu_text_screen *out)
{
    uint8_t sr3 = v->sr[VGA_SEQ_CHARACTER_MAP];
    unsigned map_a = (((sr3 >> 5) & 1u) << 2) | ((sr3 >> 2) & 3u);
    unsigned map_b = (((sr3 >> 4) & 1u) << 2) | (sr3 & 3u);
    const unsigned maps[2] = {map_a, map_b};
    for (int f = 0; f < 2; f++)
        for (unsigned ch = 0; ch < 256; ch++)
            for (unsigned row = 0; row < EMU_GLYPH_BYTES; row++)
                out->font[f][ch][row] = vga_byte(
                    v, char_map_offset[maps[f]] + ch * EMU_GLYPH_BYTES + row, VGA_FONT_PLANE);
}

void vga_text_screen(const struct vga *v, emu_text_screen *out)
{
    memset(out->cells, 0, sizeof(out->cells));
    out->text_mode = !(v->gr[VGA_GFX_MISC] & VGA_GR06_GRAPHICS_MODE) &&
                     !(v->ar[VGA_ATC_MODE] & VGA_AR10_GRAPHICS);
    out->blanked =
        !(v->ar_index & VGA_AR_ENABLE_DISPLAY) || (v->sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_SCREEN_OFF);
    out->blink_enabled = v->ar[VGA_ATC_MODE] & VGA_AR10_BLINK;
    out->line_graphics = v->ar[VGA_ATC_MODE] & VGA_AR10_LINE_GRAPHICS;
    for (unsigned c = 0; c < 16; c++)
        out->palette[c] = dac_to_rgb(v, palette_index(v, c));
    out->border = dac_to_rgb(v, v->ar[VGA_ATC_OVERSCAN]);
    scan_geometry(v, out);
    scan_cells(v, out);
    scan_fonts(v, out);
}
