/* Host keys to the guest: SDL scancodes through ui_key_set2 (set 2) and the
 * i8042's translation to the set 1 bytes a kernel reads from port 0x60.
 *
 * The oracle for set 1 is independent of both tables: for the keys of the
 * original PC/XT layout, Linux's KEY_* code (linux/input-event-codes.h) is
 * the set 1 make code; for E0-prefixed keys, the codes are those of
 * Microsoft's Keyboard Scan Code Specification, written out below. The
 * bytes are read by a guest (tests/kernels/vga/vga_screen.c "keys") that
 * echoes port 0x60 over COM1, so the path is the one a kernel sees.
 *
 * The last test types a command into the bundled kernel's shell through the
 * PS/2 keyboard and checks the program's output on COM1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL_scancode.h>
#include <cmocka.h>
#include <linux/input-event-codes.h>

#include "emu/display.h"
#include "ui/keymap.h"

#define SET1_E0    0xE0
#define SET1_BREAK 0x80
#define OUT_MAX    (1 << 16)

struct key_case {
    SDL_Scancode sdl;
    bool extended; /* E0 prefix in set 1 */
    uint8_t set1;  /* make code */
};

static const struct key_case keys[] = {
    {SDL_SCANCODE_A, false, KEY_A},
    {SDL_SCANCODE_Z, false, KEY_Z},
    {SDL_SCANCODE_Q, false, KEY_Q},
    {SDL_SCANCODE_M, false, KEY_M},
    {SDL_SCANCODE_1, false, KEY_1},
    {SDL_SCANCODE_0, false, KEY_0},
    {SDL_SCANCODE_RETURN, false, KEY_ENTER}, /* Esc: last, it ends the guest */
    {SDL_SCANCODE_BACKSPACE, false, KEY_BACKSPACE},
    {SDL_SCANCODE_TAB, false, KEY_TAB},
    {SDL_SCANCODE_SPACE, false, KEY_SPACE},
    {SDL_SCANCODE_MINUS, false, KEY_MINUS},
    {SDL_SCANCODE_EQUALS, false, KEY_EQUAL},
    {SDL_SCANCODE_LEFTBRACKET, false, KEY_LEFTBRACE},
    {SDL_SCANCODE_RIGHTBRACKET, false, KEY_RIGHTBRACE},
    {SDL_SCANCODE_BACKSLASH, false, KEY_BACKSLASH},
    {SDL_SCANCODE_SEMICOLON, false, KEY_SEMICOLON},
    {SDL_SCANCODE_APOSTROPHE, false, KEY_APOSTROPHE},
    {SDL_SCANCODE_GRAVE, false, KEY_GRAVE},
    {SDL_SCANCODE_COMMA, false, KEY_COMMA},
    {SDL_SCANCODE_PERIOD, false, KEY_DOT},
    {SDL_SCANCODE_SLASH, false, KEY_SLASH},
    {SDL_SCANCODE_CAPSLOCK, false, KEY_CAPSLOCK},
    {SDL_SCANCODE_F1, false, KEY_F1},
    {SDL_SCANCODE_F7, false, KEY_F7},
    {SDL_SCANCODE_F10, false, KEY_F10},
    {SDL_SCANCODE_F11, false, KEY_F11},
    {SDL_SCANCODE_F12, false, KEY_F12},
    {SDL_SCANCODE_NUMLOCKCLEAR, false, KEY_NUMLOCK},
    {SDL_SCANCODE_SCROLLLOCK, false, KEY_SCROLLLOCK},
    {SDL_SCANCODE_KP_7, false, KEY_KP7},
    {SDL_SCANCODE_KP_0, false, KEY_KP0},
    {SDL_SCANCODE_KP_PERIOD, false, KEY_KPDOT},
    {SDL_SCANCODE_KP_MINUS, false, KEY_KPMINUS},
    {SDL_SCANCODE_KP_PLUS, false, KEY_KPPLUS},
    {SDL_SCANCODE_KP_MULTIPLY, false, KEY_KPASTERISK},
    {SDL_SCANCODE_NONUSBACKSLASH, false, KEY_102ND},
    {SDL_SCANCODE_LCTRL, false, KEY_LEFTCTRL},
    {SDL_SCANCODE_LSHIFT, false, KEY_LEFTSHIFT},
    {SDL_SCANCODE_RSHIFT, false, KEY_RIGHTSHIFT},
    {SDL_SCANCODE_LALT, false, KEY_LEFTALT},
    /* E0 keys, Keyboard Scan Code Specification, set 1 column */
    {SDL_SCANCODE_RCTRL, true, 0x1D},
    {SDL_SCANCODE_RALT, true, 0x38},
    {SDL_SCANCODE_UP, true, 0x48},
    {SDL_SCANCODE_DOWN, true, 0x50},
    {SDL_SCANCODE_LEFT, true, 0x4B},
    {SDL_SCANCODE_RIGHT, true, 0x4D},
    {SDL_SCANCODE_INSERT, true, 0x52},
    {SDL_SCANCODE_DELETE, true, 0x53},
    {SDL_SCANCODE_HOME, true, 0x47},
    {SDL_SCANCODE_END, true, 0x4F},
    {SDL_SCANCODE_PAGEUP, true, 0x49},
    {SDL_SCANCODE_PAGEDOWN, true, 0x51},
    {SDL_SCANCODE_KP_ENTER, true, 0x1C},
    {SDL_SCANCODE_KP_DIVIDE, true, 0x35},
    {SDL_SCANCODE_LGUI, true, 0x5B},
    {SDL_SCANCODE_RGUI, true, 0x5C},
    {SDL_SCANCODE_APPLICATION, true, 0x5D},
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* A guest's serial output and a queue of key events for it. */
struct rig {
    emu_machine *m;
    char out[OUT_MAX];
    size_t out_len;
    uint8_t queue[4096][UI_KEY_MAX_BYTES];
    size_t qlen[4096], qhead, qtail;
    const char *lines[4]; /* shell: lines to type at successive prompts */
    int next_line;
    size_t prompt_seen; /* output length when the last prompt was answered */
};

static void serial_out(void *ctx, const uint8_t *buf, size_t len)
{
    struct rig *r = ctx;
    for (size_t i = 0; i < len && r->out_len + 1 < OUT_MAX; i++)
        r->out[r->out_len++] = (char)buf[i];
    r->out[r->out_len] = '\0';
}

static void enqueue(struct rig *r, unsigned usage, bool down)
{
    size_t n = ui_key_set2(usage, down, r->queue[r->qtail]);
    assert_true(n > 0);
    r->qlen[r->qtail++] = n;
}

/* Key events for one front-end call, at most half the i8042's 32-byte queue:
 * the guest has drained what came before (it reads in a tight loop, or the
 * call is made while it halts between keys). */
#define FEED_BYTES 16

static void feed(struct rig *r)
{
    size_t bytes = 0;
    while (r->qhead < r->qtail && bytes + r->qlen[r->qhead] <= FEED_BYTES) {
        assert_int_equal(emu_keyboard_input(r->m, r->queue[r->qhead], r->qlen[r->qhead]),
                         EMU_OK);
        bytes += r->qlen[r->qhead++];
    }
}

/* One event per call: the shell's kernel reads the keyboard from its IRQ 1
 * handler while the shell waits, so each key is typed at a halt. */
static void feed_one(struct rig *r)
{
    if (r->qhead < r->qtail) {
        assert_int_equal(emu_keyboard_input(r->m, r->queue[r->qhead], r->qlen[r->qhead]),
                         EMU_OK);
        r->qhead++;
    }
}

static void fe_poll(void *ctx, emu_machine *m)
{
    (void)m;
    feed(ctx);
}

static void fe_wait(void *ctx, emu_machine *m, uint64_t timeout)
{
    (void)m;
    (void)timeout;
    feed(ctx);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static struct rig *boot(const char *env, const char *append, emu_frontend fe)
{
    struct rig *r = calloc(1, sizeof(*r));
    emu_config cfg = {.serial_out = serial_out, .serial_ctx = r, .max_insns = 4000000000ULL};
    assert_int_equal(emu_machine_create(&cfg, &r->m), EMU_OK);
    size_t len;
    uint8_t *image = read_file(getenv(env), &len);
    assert_int_equal(emu_machine_load_multiboot(r->m, "k", image, len, append, NULL, 0), EMU_OK);
    free(image);
    fe.ctx = r;
    assert_int_equal(emu_set_frontend(r->m, &fe), EMU_OK);
    return r;
}

static void test_each_key_reaches_port_0x60_as_its_set1_make_and_break(void **state)
{
    (void)state;
    struct rig *r = boot("VGA_SCREEN_ELF", "keys", (emu_frontend){fe_poll, fe_wait, NULL, 0});
    for (size_t i = 0; i < NKEYS; i++) {
        enqueue(r, keys[i].sdl, true);
        enqueue(r, keys[i].sdl, false);
    }
    enqueue(r, SDL_SCANCODE_ESCAPE, true);
    enqueue(r, SDL_SCANCODE_ESCAPE, false); /* the guest exits on Esc released */
    emu_run_result res;
    emu_machine_run(r->m, &res);
    assert_int_equal(res.reason, EMU_STOP_DEBUG_EXIT);
    char expect[OUT_MAX] = "screen drawn\n";
    size_t n = strlen(expect);
    for (size_t i = 0; i < NKEYS; i++)
        for (int brk = 0; brk < 2; brk++) {
            if (keys[i].extended)
                n += (size_t)snprintf(expect + n, sizeof(expect) - n, "%02x\n", SET1_E0);
            n += (size_t)snprintf(expect + n, sizeof(expect) - n, "%02x\n",
                                  keys[i].set1 | (brk ? SET1_BREAK : 0));
        }
    snprintf(expect + n, sizeof(expect) - n, "%02x\n%02x\n", KEY_ESC, KEY_ESC | SET1_BREAK);
    assert_string_equal(r->out, expect);
    emu_machine_destroy(r->m);
    free(r);
}

static void test_repeat_resends_the_make_code_and_pause_has_no_break(void **state)
{
    (void)state;
    uint8_t b[UI_KEY_MAX_BYTES];
    assert_int_equal(ui_key_set2(SDL_SCANCODE_A, true, b), 1);
    assert_int_equal(b[0], 0x1C); /* set 2 'A' */
    assert_int_equal(ui_key_set2(SDL_SCANCODE_UP, false, b), 3);
    assert_memory_equal(b, "\xE0\xF0\x75", 3);
    assert_int_equal(ui_key_set2(SDL_SCANCODE_PAUSE, true, b), 8);
    assert_int_equal(ui_key_set2(SDL_SCANCODE_PAUSE, false, b), 0);
    assert_int_equal(ui_key_set2(SDL_SCANCODE_PRINTSCREEN, true, b), 4);
    assert_int_equal(ui_key_set2(SDL_SCANCODE_AUDIOPLAY, true, b), 0); /* no PS/2 key */
}

/* Types text (lower case, digits, space, Enter for '\n') as key presses. */
static void type(struct rig *r, const char *s)
{
    for (; *s; s++) {
        unsigned usage = *s == '\n'                 ? SDL_SCANCODE_RETURN
                         : *s == ' '                ? SDL_SCANCODE_SPACE
                         : (*s >= 'a' && *s <= 'z') ? SDL_SCANCODE_A + (unsigned)(*s - 'a')
                                                    : SDL_SCANCODE_UNKNOWN;
        assert_int_not_equal(usage, SDL_SCANCODE_UNKNOWN);
        enqueue(r, usage, true);
        enqueue(r, usage, false);
    }
}

/* At each new shell prompt, types the next line. */
static void shell_wait(void *ctx, emu_machine *m, uint64_t timeout)
{
    struct rig *r = ctx;
    (void)m;
    (void)timeout;
    bool at_prompt = r->out_len >= 2 && !strcmp(r->out + r->out_len - 2, "$ ");
    if (at_prompt && r->out_len != r->prompt_seen && r->lines[r->next_line]) {
        r->prompt_seen = r->out_len;
        type(r, r->lines[r->next_line++]);
    }
    feed_one(r);
}

static void test_typed_command_runs_in_the_bundled_kernel_shell(void **state)
{
    (void)state;
    struct rig *r = boot("GUEST_ELF", NULL, (emu_frontend){NULL, shell_wait, NULL, 0});
    r->lines[0] = "hello\n";
    r->lines[1] = "poweroff\n";
    emu_run_result res;
    emu_machine_run(r->m, &res);
    assert_int_equal(res.reason, EMU_STOP_POWEROFF);
    const char *typed = strstr(r->out, "$ hello");
    assert_non_null(typed);
    assert_non_null(strstr(typed, "Hello from user space!"));
    emu_machine_destroy(r->m);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_key_reaches_port_0x60_as_its_set1_make_and_break),
        cmocka_unit_test(test_repeat_resends_the_make_code_and_pause_has_no_break),
        cmocka_unit_test(test_typed_command_runs_in_the_bundled_kernel_shell),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
