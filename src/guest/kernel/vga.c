/* The VGA text console: 80x25 cells at physical 0xB8000, each a character
 * and a colour attribute, with the cursor in the CRT controller. The kernel
 * writes here as well as to COM1, so a display window (emu --display sdl)
 * shows the same console. */
#include "console.h"

#include "memlayout.h"
#include "str.h"
#include "vm.h"
#include "x86.h"

#define VGA_TEXT_PHYS    0xB8000
#define VGA_COLS         80
#define VGA_ROWS         25
#define VGA_ATTR         0x0700 /* light grey on black */
#define CRTC_INDEX       0x3D4
#define CRTC_DATA        0x3D5
#define CRTC_CURSOR_HIGH 0x0E
#define CRTC_CURSOR_LOW  0x0F

static struct {
    volatile u16 *cells; // NULL until vga_init
    int row, col;
} vga;

static void move_cursor(void)
{
    u16 pos = (u16)(vga.row * VGA_COLS + vga.col);
    outb(CRTC_INDEX, CRTC_CURSOR_HIGH);
    outb(CRTC_DATA, (u8)(pos >> 8));
    outb(CRTC_INDEX, CRTC_CURSOR_LOW);
    outb(CRTC_DATA, (u8)pos);
}

static void scroll(void)
{
    for (int i = 0; i < (VGA_ROWS - 1) * VGA_COLS; i++)
        vga.cells[i] = vga.cells[i + VGA_COLS];
    for (int i = 0; i < VGA_COLS; i++)
        vga.cells[(VGA_ROWS - 1) * VGA_COLS + i] = VGA_ATTR | ' ';
    vga.row = VGA_ROWS - 1;
}

void vga_putc(char c)
{
    if (!vga.cells) return;
    if (c == '\n') {
        vga.col = 0;
        vga.row++;
    } else if (c == '\r') {
        vga.col = 0;
    } else if (c == '\b') {
        if (vga.col > 0) vga.col--;
    } else {
        vga.cells[vga.row * VGA_COLS + vga.col] = VGA_ATTR | (u8)c;
        if (++vga.col == VGA_COLS) {
            vga.col = 0;
            vga.row++;
        }
    }
    if (vga.row == VGA_ROWS) scroll();
    move_cursor();
}

void vga_init(void)
{
    vga.cells = ioremap(VGA_TEXT_PHYS, VGA_ROWS * VGA_COLS * 2);
    for (int i = 0; i < VGA_ROWS * VGA_COLS; i++)
        vga.cells[i] = VGA_ATTR | ' ';
    vga.row = vga.col = 0;
}
