/* A text-mode boot screen for the display's golden image (tests/ui): a
 * title bar, all 256 attribute colours, the code page 437 characters
 * (box drawing with the 9th-dot rule), bright backgrounds next to blinking
 * text, and the cursor moved and reshaped through the CRTC at 0x3D4/0x3D5.
 * With "keys" on the command line it then echoes PS/2 scancodes from port
 * 0x60 over COM1 until Esc is released (tests/ui's keyboard test types into
 * it); with "hold" it halts with interrupts off (the screen stays up); else
 * it exits. On QEMU the harness checks its serial output only. */
#include <stdbool.h>

#include "klib.h"

#define COLS            80
#define ROWS            25
#define CRT_I           0x3D4
#define CRT_D           0x3D5
#define CR_CURSOR_START 0x0A
#define CR_CURSOR_END   0x0B
#define CR_CURSOR_HI    0x0E
#define CR_CURSOR_LO    0x0F
#define KBD_DATA        0x60
#define KBD_STATUS      0x64
#define KBD_OUTPUT_FULL 0x01
#define SC_ESC_RELEASE  0x81
#define ATTR(fg, bg)    ((uint8_t)((bg) << 4 | (fg)))

static volatile uint16_t *const text = (volatile uint16_t *)0xB8000;

static void put(int row, int col, uint8_t ch, uint8_t attr)
{
    text[row * COLS + col] = (uint16_t)(attr << 8 | ch);
}

static void puts_at(int row, int col, const char *s, uint8_t attr)
{
    for (; *s && col < COLS; s++, col++)
        put(row, col, (uint8_t)*s, attr);
}

static void fill_row(int row, uint8_t ch, uint8_t attr)
{
    for (int col = 0; col < COLS; col++)
        put(row, col, ch, attr);
}

static void set_cursor(int row, int col, uint8_t start, uint8_t end)
{
    uint16_t pos = (uint16_t)(row * COLS + col);
    outb(CRT_I, CR_CURSOR_HI);
    outb(CRT_D, (uint8_t)(pos >> 8));
    outb(CRT_I, CR_CURSOR_LO);
    outb(CRT_D, (uint8_t)pos);
    outb(CRT_I, CR_CURSOR_START);
    outb(CRT_D, start);
    outb(CRT_I, CR_CURSOR_END);
    outb(CRT_D, end);
}

static void draw(void)
{
    for (int row = 0; row < ROWS; row++)
        fill_row(row, ' ', ATTR(7, 0));
    fill_row(0, ' ', ATTR(15, 1));
    puts_at(0, 2, "emu VGA text mode: 80x25, 16 colours, code page 437", ATTR(14, 1));
    for (int bg = 0; bg < 8; bg++)
        for (int fg = 0; fg < 16; fg++) {
            char hex[3];
            ksnprintf(hex, sizeof(hex), "%x%x", bg, fg);
            puts_at(2 + bg, 2 + fg * 3, hex, ATTR(fg, bg));
        }
    puts_at(2, 52, "\xC9\xCD\xCD\xCD\xCD\xCD\xCD\xCD\xCD\xBB", ATTR(11, 0));
    puts_at(3, 52, "\xBA box \x01\x02\x03\xBA", ATTR(11, 0));
    puts_at(4, 52, "\xC8\xCD\xCD\xCD\xCD\xCD\xCD\xCD\xCD\xBC", ATTR(11, 0));
    puts_at(5, 52, "\xC4\xC4\xC4\xC5\xC4\xC4\xC4 \xB0\xB1\xB2\xDB", ATTR(10, 0));
    puts_at(7, 52, "blinks:", ATTR(7, 0));
    puts_at(7, 60, "ALERT", ATTR(15, 4) | 0x80);
    for (int i = 0; i < 256; i++)
        put(11 + i / 64, 2 + i % 64, (uint8_t)i, ATTR(15, 0));
    puts_at(16, 2, "\xE0\xE1\xE2\xE3\xE4\xE5\xE6\xE7 \xF1 \xF6 \xF8 \xFB \x18\x19\x1A\x1B",
            ATTR(13, 0));
    puts_at(18, 2, "$ ", ATTR(7, 0));
    puts_at(18, 4, "type here", ATTR(15, 0));
    set_cursor(18, 13, 0, 15);
}

static void echo_keys(void)
{
    for (;;) {
        while (!(inb(KBD_STATUS) & KBD_OUTPUT_FULL))
            ;
        uint8_t sc = inb(KBD_DATA);
        kprintf("%02x\n", sc);
        if (sc == SC_ESC_RELEASE) return;
    }
}

static bool has_option(uint32_t mbi, const char *opt)
{
    const uint32_t *info = (const uint32_t *)(uintptr_t)mbi;
    if (!(info[0] & (1u << 2))) return false;
    const char *cmdline = (const char *)(uintptr_t)info[4];
    size_t n = strlen(opt);
    for (const char *p = cmdline; *p; p++)
        if (!memcmp(p, opt, n)) return true;
    return false;
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)magic;
    draw();
    kprintf("screen drawn\n");
    if (has_option(mbi, "hold")) {
        cli();
        for (;;)
            hlt();
    }
    if (has_option(mbi, "keys")) echo_keys();
    return 0;
}
