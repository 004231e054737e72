/* The VGA device on its own: what the CPU writes through the memory window
 * and the ports, and the text screen the CRTC would scan out of it. The
 * expected colours are the IBM VGA's mode 3 colours (16 CGA colours, 6-bit
 * DAC values 0x00/0x15/0x2A/0x3F shown as 0x00/0x55/0xAA/0xFF); geometry and
 * cursor follow the CRTC register definitions of the IBM VGA reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dev/vga.h"

#define TEXT_OFF (0xB8000 - VGA_MEM_BASE)
#define PORT(p)  ((p)-VGA_PORT_BASE)

struct fixture {
    struct vga *vga;
    emu_text_screen screen;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->vga = vga_new(NULL);
    *state = f;
    return f->vga ? 0 : -1;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    vga_free(f->vga);
    free(f);
    return 0;
}

static void out8(struct vga *v, uint16_t port, uint8_t val)
{
    vga_io_ops()->write(v, PORT(port), val, 1);
}

static uint8_t in8(struct vga *v, uint16_t port)
{
    return (uint8_t)vga_io_ops()->read(v, PORT(port), 1);
}

static void crtc(struct vga *v, uint8_t index, uint8_t val)
{
    out8(v, 0x3D4, index);
    out8(v, 0x3D5, val);
}

static void test_reset_screen_is_80x25_grey_spaces_with_underline_cursor(void **state)
{
    struct fixture *f = *state;
    vga_text_screen(f->vga, &f->screen);
    assert_true(f->screen.text_mode);
    assert_false(f->screen.blanked);
    assert_int_equal(f->screen.cols, 80);
    assert_int_equal(f->screen.rows, 25);
    assert_int_equal(f->screen.char_width, 9);
    assert_int_equal(f->screen.char_height, 16);
    assert_int_equal(f->screen.cells[0], 0x0720);
    assert_int_equal(f->screen.cells[80 * 25 - 1], 0x0720);
    assert_true(f->screen.blink_enabled);
    assert_true(f->screen.cursor_visible);
    assert_int_equal(f->screen.cursor_start, 13);
    assert_int_equal(f->screen.cursor_end, 14);
}

static void test_reset_palette_is_the_16_cga_colours(void **state)
{
    struct fixture *f = *state;
    static const uint32_t cga[16] = {
        0x000000, 0x0000AA, 0x00AA00, 0x00AAAA, 0xAA0000, 0xAA00AA, 0xAA5500, 0xAAAAAA,
        0x555555, 0x5555FF, 0x55FF55, 0x55FFFF, 0xFF5555, 0xFF55FF, 0xFFFF55, 0xFFFFFF,
    };
    vga_text_screen(f->vga, &f->screen);
    for (int i = 0; i < 16; i++)
        assert_int_equal(f->screen.palette[i], cga[i]);
}

static void test_text_written_at_b8000_appears_as_cells(void **state)
{
    struct fixture *f = *state;
    const struct bus_ops *mem = vga_mem_ops();
    mem->write(f->vga, TEXT_OFF, 0x1E48, 2);          /* 'H', yellow on blue */
    mem->write(f->vga, TEXT_OFF + 2 * 81, 0x4F69, 2); /* row 1 col 1: 'i' */
    assert_int_equal(mem->read(f->vga, TEXT_OFF, 2), 0x1E48);
    vga_text_screen(f->vga, &f->screen);
    assert_int_equal(f->screen.cells[0], 0x1E48);
    assert_int_equal(f->screen.cells[81], 0x4F69);
}

static void test_cursor_follows_crtc_location_and_shape(void **state)
{
    struct fixture *f = *state;
    uint16_t pos = 3 * 80 + 7;
    crtc(f->vga, 0x0E, pos >> 8);
    crtc(f->vga, 0x0F, pos & 0xff);
    crtc(f->vga, 0x0A, 0x00);
    crtc(f->vga, 0x0B, 0x0F);
    vga_text_screen(f->vga, &f->screen);
    assert_true(f->screen.cursor_visible);
    assert_int_equal(f->screen.cursor_row, 3);
    assert_int_equal(f->screen.cursor_col, 7);
    assert_int_equal(f->screen.cursor_start, 0);
    assert_int_equal(f->screen.cursor_end, 15);
    crtc(f->vga, 0x0A, 0x20); /* cursor disable */
    vga_text_screen(f->vga, &f->screen);
    assert_false(f->screen.cursor_visible);
}

static void test_start_address_scrolls_the_screen(void **state)
{
    struct fixture *f = *state;
    vga_mem_ops()->write(f->vga, TEXT_OFF + 2 * 80, 0x0741, 2); /* row 1 col 0 */
    crtc(f->vga, 0x0C, 0);
    crtc(f->vga, 0x0D, 80);
    vga_text_screen(f->vga, &f->screen);
    assert_int_equal(f->screen.cells[0], 0x0741);
    assert_false(f->screen.cursor_visible); /* location 0 is above the start */
}

static void test_attribute_mode_bit3_off_gives_bright_backgrounds(void **state)
{
    struct fixture *f = *state;
    in8(f->vga, 0x3DA);
    out8(f->vga, 0x3C0, 0x10 | 0x20);
    out8(f->vga, 0x3C0, 0x04);
    vga_text_screen(f->vga, &f->screen);
    assert_false(f->screen.blink_enabled);
    assert_true(f->screen.line_graphics);
}

static void test_palette_index_without_pas_blanks_the_screen(void **state)
{
    struct fixture *f = *state;
    in8(f->vga, 0x3DA);
    out8(f->vga, 0x3C0, 0x00);
    vga_text_screen(f->vga, &f->screen);
    assert_true(f->screen.blanked);
}

static void test_dac_write_changes_the_colour_of_an_attribute(void **state)
{
    struct fixture *f = *state;
    out8(f->vga, 0x3C8, 0x01); /* DAC entry 1: attribute colour 1 in mode 3 */
    out8(f->vga, 0x3C9, 0x3F);
    out8(f->vga, 0x3C9, 0x20);
    out8(f->vga, 0x3C9, 0x00);
    vga_text_screen(f->vga, &f->screen);
    assert_int_equal(f->screen.palette[1], 0xFF8200);
}

static void test_font_plane_holds_the_builtin_font_for_both_maps(void **state)
{
    struct fixture *f = *state;
    vga_text_screen(f->vga, &f->screen);
    assert_memory_equal(f->screen.font[0]['A'], vga_font8x16['A'], 16);
    assert_memory_equal(f->screen.font[1]['A'], vga_font8x16['A'], 16);
    assert_int_equal(f->screen.font[0]['A'][16], 0);
}

static void test_outside_the_selected_map_reads_all_ones(void **state)
{
    struct fixture *f = *state;
    vga_mem_ops()->write(f->vga, 0, 0x12, 1); /* 0xA0000: not in map 3 */
    assert_int_equal(vga_mem_ops()->read(f->vga, 0, 1), 0xff);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_reset_screen_is_80x25_grey_spaces_with_underline_cursor),
        T(test_reset_palette_is_the_16_cga_colours),
        T(test_text_written_at_b8000_appears_as_cells),
        T(test_cursor_follows_crtc_location_and_shape),
        T(test_start_address_scrolls_the_screen),
        T(test_attribute_mode_bit3_off_gives_bright_backgrounds),
        T(test_palette_index_without_pas_blanks_the_screen),
        T(test_dac_write_changes_the_colour_of_an_attribute),
        T(test_font_plane_holds_the_builtin_font_for_both_maps),
        T(test_outside_the_selected_map_reads_all_ones),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
