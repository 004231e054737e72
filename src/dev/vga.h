/* The VGA adapter in text mode (docs/ui.md): 256 KiB of video memory in
 * four planes behind the window at 0xA0000-0xBFFFF (the graphics
 * controller's memory map select decides which part answers; odd/even
 * addressing puts characters in plane 0, attributes in plane 1, fonts in
 * plane 2), and the registers at ports 0x3B0-0x3DF: miscellaneous output,
 * sequencer, graphics controller, attribute controller, DAC, CRTC (cursor
 * shape and position, start address) and input status 1 (retrace timed
 * by the virtual clock). The reset state is what a VGA BIOS leaves after
 * setting mode 3 (80x25, 16 colours, 9-dot characters, the built-in
 * 8x16 code page 437 font in plane 2, the screen cleared to grey spaces). */
#ifndef EMU_DEV_VGA_H
#define EMU_DEV_VGA_H

#include <stdint.h>

#include "../../include/emu/display.h"
#include "../machine/bus.h"
#include "../machine/vclock.h"

#define VGA_MEM_BASE   0xA0000
#define VGA_MEM_SIZE   0x20000
#define VGA_PORT_BASE  0x3B0
#define VGA_PORT_COUNT 0x30

struct vga;

/* A VGA in mode 3 whose retrace follows `clock`. NULL on allocation failure. */
struct vga *vga_new(const struct vclock *clock);
void vga_free(struct vga *v);

/* The memory window (offsets from VGA_MEM_BASE) and the ports (offsets from
 * VGA_PORT_BASE). */
const struct bus_ops *vga_mem_ops(void);
const struct bus_ops *vga_io_ops(void);

/* The text screen as the CRTC would scan it out now. */
void vga_text_screen(const struct vga *v, emu_text_screen *out);

/* The built-in font: 8x16 glyphs of code page 437 (vga_font.c). */
extern const uint8_t vga_font8x16[256][16];

#endif
