/* The window without a display (SDL's dummy video driver): a kernel's text
 * screen rendered to an image and compared pixel for pixel with a golden
 * PNG (tests/ui/golden). The golden was checked by eye against the VGA's
 * rules (16 CGA colours, 9-dot cells with line graphics, blink, cursor
 * shape); regenerate it after an intended change with
 *     UI_GOLDEN_UPDATE=1 meson test -C build --suite ui screen
 * and look at it before committing. Also: the panel's counts when the
 * bundled kernel's shell first prompts equal what the same hooks report to
 * a counter of the test's own (`emu trace` prints those events). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emu/display.h"
#include "emu/hooks.h"
#include "ui/png.h"
#include "ui/ui.h"

/* Ends the run at the shell's first prompt. */
struct prompt_watch {
    emu_machine *m;
    char last[2];
};

static void watch_output(void *ctx, const uint8_t *buf, size_t len)
{
    struct prompt_watch *p = ctx;
    for (size_t i = 0; i < len; i++) {
        p->last[0] = p->last[1];
        p->last[1] = (char)buf[i];
        if (p->m && p->last[0] == '$' && p->last[1] == ' ') emu_machine_quit(p->m);
    }
}

static struct prompt_watch watch;
static uint8_t image[8 << 20];
static size_t image_len;

static emu_machine *boot(const char *env, uint64_t max_insns)
{
    emu_config cfg = {.serial_out = watch_output, .serial_ctx = &watch, .max_insns = max_insns};
    emu_machine *m;
    assert_int_equal(emu_machine_create(&cfg, &m), EMU_OK);
    watch.m = m;
    FILE *f = fopen(getenv(env), "rb");
    assert_non_null(f);
    image_len = fread(image, 1, sizeof(image), f);
    fclose(f);
    assert_int_equal(emu_machine_load_multiboot(m, "k", image, image_len, NULL, NULL, 0), EMU_OK);
    return m;
}

static void test_boot_screen_matches_golden_image(void **state)
{
    (void)state;
    emu_machine *m = boot("VGA_SCREEN_ELF", 2000000000ULL);
    char err[256];
    struct ui_window *w = ui_open(m, "test", err, sizeof(err));
    if (!w) fail_msg("%s", err);
    emu_run_result r;
    emu_machine_run(m, &r);
    assert_int_equal(r.reason, EMU_STOP_DEBUG_EXIT);
    ui_set_panel(w, false);
    int width, height;
    uint32_t *px = ui_snapshot(w, 0, &width, &height); /* blink phases: on */
    assert_non_null(px);
    assert_int_equal(width, 720);
    assert_int_equal(height, 400);
    const char *golden = getenv("GOLDEN_PNG");
    if (getenv("UI_GOLDEN_UPDATE")) assert_int_equal(ui_png_write(golden, px, width, height), 0);
    int gw, gh;
    uint32_t *want = ui_png_read(golden, &gw, &gh);
    assert_non_null(want);
    assert_int_equal(gw, width);
    assert_int_equal(gh, height);
    long differ = 0;
    for (long i = 0; i < (long)width * height; i++)
        differ += px[i] != want[i];
    if (differ) ui_png_write("vga-screen-actual.png", px, width, height);
    assert_int_equal(differ, 0);
    free(want);
    free(px);
    ui_close(w);
    emu_machine_destroy(m);
}

struct counter {
    uint64_t count[256];
};

static void count_vector(void *ctx, const emu_event *ev)
{
    ((struct counter *)ctx)->count[ev->u.intr.vector]++;
}

/* The panel's "vector count" lines parsed back; the "task" line. */
static void panel_counts(struct ui_window *w, uint64_t *out, char *task)
{
    char lines[60][UI_PANEL_COLS + 1];
    ui_panel_lines(w, lines, 60);
    for (int i = 0; i < 60; i++) {
        if (!strncmp(lines[i], " task ", 6)) strcpy(task, lines[i]);
        unsigned v;
        char name[16];
        unsigned long long n;
        if (sscanf(lines[i], " %u %15s %llu", &v, name, &n) == 3 && v < 256) out[v] = n;
    }
}

static void test_panel_counts_and_task_at_the_first_shell_prompt(void **state)
{
    (void)state;
    emu_machine *m = boot("GUEST_ELF", 2000000000ULL);
    char err[256];
    struct ui_window *w = ui_open(m, "test", err, sizeof(err));
    if (!w) fail_msg("%s", err);
    ui_set_kernel(w, image, image_len);
    struct counter c = {0};
    assert_true(emu_hook_add(m, EMU_EV_INTERRUPT, count_vector, &c) > 0);
    assert_true(emu_hook_add(m, EMU_EV_EXCEPTION, count_vector, &c) > 0);
    emu_run_result r;
    emu_machine_run(m, &r);
    assert_int_equal(r.reason, EMU_STOP_QUIT);
    uint64_t shown[256] = {0};
    char task[UI_PANEL_COLS + 1] = "";
    panel_counts(w, shown, task);
    assert_string_equal(task, " task  pid 2 sh"); /* the shell printed the prompt */
    uint64_t total = 0;
    for (int v = 0; v < 256; v++) {
        assert_int_equal(shown[v], c.count[v]);
        total += c.count[v];
    }
    assert_true(total > 0); /* the kernel's timer ran */
    ui_close(w);
    emu_machine_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boot_screen_matches_golden_image),
        cmocka_unit_test(test_panel_counts_and_task_at_the_first_shell_prompt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
