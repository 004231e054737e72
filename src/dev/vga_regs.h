/* The VGA's registers and state, private to vga*.c. Names follow the IBM VGA
 * technical reference (and Linux's include/video/vga.h). */
#ifndef EMU_DEV_VGA_REGS_H
#define EMU_DEV_VGA_REGS_H

#include <stdbool.h>
#include <stdint.h>

#include "vga.h"

/* Ports, as offsets from VGA_PORT_BASE (0x3B0). */
#define VGA_CRT_IM  0x04 /* 0x3B4 CRTC index, monochrome address select */
#define VGA_CRT_DM  0x05 /* 0x3B5 CRTC data, monochrome */
#define VGA_IS1_RM  0x0A /* 0x3BA input status 1 (read) / feature control (write), mono */
#define VGA_ATT_W   0x10 /* 0x3C0 attribute controller index / data write */
#define VGA_ATT_R   0x11 /* 0x3C1 attribute controller data read */
#define VGA_MIS_W   0x12 /* 0x3C2 misc output write; input status 0 read */
#define VGA_SEQ_I   0x14 /* 0x3C4 sequencer index */
#define VGA_SEQ_D   0x15 /* 0x3C5 sequencer data */
#define VGA_PEL_MSK 0x16 /* 0x3C6 DAC pixel mask */
#define VGA_PEL_IR  0x17 /* 0x3C7 DAC read index (write) / DAC state (read) */
#define VGA_PEL_IW  0x18 /* 0x3C8 DAC write index */
#define VGA_PEL_D   0x19 /* 0x3C9 DAC data */
#define VGA_FTC_R   0x1A /* 0x3CA feature control read */
#define VGA_MIS_R   0x1C /* 0x3CC misc output read */
#define VGA_GFX_I   0x1E /* 0x3CE graphics controller index */
#define VGA_GFX_D   0x1F /* 0x3CF graphics controller data */
#define VGA_CRT_IC  0x24 /* 0x3D4 CRTC index, colour address select */
#define VGA_CRT_DC  0x25 /* 0x3D5 CRTC data, colour */
#define VGA_IS1_RC  0x2A /* 0x3DA input status 1 / feature control, colour */

/* Miscellaneous output. */
#define VGA_MIS_COLOR 0x01 /* I/O address select: CRTC at 0x3Dx (else 0x3Bx) */

/* Sequencer registers. */
#define VGA_SEQ_CLOCK_MODE      0x01
#define VGA_SEQ_PLANE_WRITE     0x02
#define VGA_SEQ_CHARACTER_MAP   0x03
#define VGA_SEQ_MEMORY_MODE     0x04
#define VGA_SEQ_C               0x08
#define VGA_SR01_CHAR_CLK_8DOTS 0x01
#define VGA_SR01_SCREEN_OFF     0x20
#define VGA_SR04_CHN_4M         0x08

/* Graphics controller registers. */
#define VGA_GFX_PLANE_READ     0x04
#define VGA_GFX_MODE           0x05
#define VGA_GFX_MISC           0x06
#define VGA_GFX_C              0x09
#define VGA_GR05_HOST_ODD_EVEN 0x10
#define VGA_GR06_GRAPHICS_MODE 0x01
#define VGA_GR06_MAP_SHIFT     2
#define VGA_GR06_MAP_MASK      3

/* Attribute controller registers. */
#define VGA_ATC_PALETTE_COUNT  16
#define VGA_ATC_MODE           0x10
#define VGA_ATC_OVERSCAN       0x11
#define VGA_ATC_PLANE_ENABLE   0x12
#define VGA_ATC_PEL            0x13
#define VGA_ATC_COLOR_PAGE     0x14
#define VGA_ATC_C              0x15
#define VGA_AR_INDEX_MASK      0x1F
#define VGA_AR_ENABLE_DISPLAY  0x20 /* palette address source: 0 blanks the screen */
#define VGA_AR10_GRAPHICS      0x01
#define VGA_AR10_LINE_GRAPHICS 0x04
#define VGA_AR10_BLINK         0x08
#define VGA_AR10_P54S          0x80

/* CRTC registers. */
#define VGA_CRTC_H_DISP        0x01
#define VGA_CRTC_OVERFLOW      0x07
#define VGA_CRTC_MAX_SCAN      0x09
#define VGA_CRTC_CURSOR_START  0x0A
#define VGA_CRTC_CURSOR_END    0x0B
#define VGA_CRTC_START_HI      0x0C
#define VGA_CRTC_START_LO      0x0D
#define VGA_CRTC_CURSOR_HI     0x0E
#define VGA_CRTC_CURSOR_LO     0x0F
#define VGA_CRTC_V_SYNC_END    0x11
#define VGA_CRTC_V_DISP_END    0x12
#define VGA_CRTC_OFFSET        0x13
#define VGA_CRTC_REGS          256
#define VGA_CR07_VDE8          0x02
#define VGA_CR07_VDE9          0x40
#define VGA_CR07_LINE_COMPARE8 0x10
#define VGA_CR0A_CURSOR_OFF    0x20
#define VGA_CR11_LOCK_CR0_CR7  0x80
#define VGA_SCAN_MASK          0x1F

/* Input status 1. */
#define VGA_ST01_DISP_ENABLE 0x01 /* set while the beam is not in the active area */
#define VGA_ST01_V_RETRACE   0x08

/* DAC. */
#define VGA_DAC_ENTRIES     256
#define VGA_DAC_MASK        0x3F
#define VGA_DAC_STATE_WRITE 0x00
#define VGA_DAC_STATE_READ  0x03

/* Video memory: four planes of 64 KiB, interleaved (byte offset * 4 + plane). */
#define VGA_PLANES     4
#define VGA_PLANE_SIZE 0x10000
#define VGA_VRAM_SIZE  (VGA_PLANES * VGA_PLANE_SIZE)
#define VGA_FONT_PLANE 2

struct vga {
    const struct vclock *clock; // times the retrace bits
    uint8_t msr;                // miscellaneous output
    uint8_t fcr;                // feature control
    uint8_t sr_index, sr[VGA_SEQ_C];
    uint8_t gr_index, gr[VGA_GFX_C];
    uint8_t ar_index;  // index and palette address source bit
    bool ar_flip_flop; // next 0x3C0 write is data
    uint8_t ar[VGA_ATC_C];
    uint8_t cr_index, cr[VGA_CRTC_REGS];
    uint8_t dac[VGA_DAC_ENTRIES][3]; // 6-bit red, green, blue
    uint8_t dac_read_index, dac_write_index, dac_sub_index, dac_state;
    uint8_t dac_cache[3]; // the entry being written
    uint8_t vram[VGA_VRAM_SIZE];
};

static inline uint8_t *vga_plane_byte(struct vga *v, uint32_t offset, unsigned plane)
{
    return &v->vram[((offset & (VGA_PLANE_SIZE - 1)) << 2) | plane];
}

/* Resets to mode 3 (vga_reset.c). */
void vga_reset(struct vga *v);

#endif
