/* The window without a display (SDL's dummy video driver): a test kernel's
 * text screen and the bundled kernel's boot screen rendered to images and
 * compared pixel for pixel with golden PNGs (tests/ui/golden). The golden was checked by eye
 * against the VGA's rules (16 CGA colours, 9-dot cells with line graphics, blink, cursor shape);
 * regenerate it after an intended change with UI_GOLDEN_UPDATE=1 meson test -C build --suite ui
 * screen and look at it before committing. Also: the panel's counts when the bundled kernel's shell
 * first prompts equal what the same hooks report to a counter of the test's own (`emu trace` prints
 * those events). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
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

/* Notices the shell's first prompt on COM1, and ends the run there if m is
 * set. */
struct prompt_watch {
    emu_machine *m;
    char last[2];
    bool prompted; // "$ " was printed
};

static void watch_output(void *ctx, const uint8_t *buf, size_t len)
{
    struct prompt_watch *p = ctx;
    for (size_t i = 0; i < len; i++) {
        p->last[0] = p->last[1];
        p->last[1] = (char)buf[i];
        if (p->last[0] != '$' || p->last[1] != ' ') continue;
        p->prompted = true;
        if (p->m) emu_machine_quit(p->m);
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
    watch.prompted = false;
    FILE *f = fopen(getenv(env), "rb");
    assert_non_null(f);
    image_len = fread(image, 1, sizeof(image), f);
    fclose(f);
    assert_int_equal(emu_machine_load_multiboot(m, "k", image, image_len, NULL, NULL, 0), EMU_OK);
    return m;
}

/* Compares the window's console (panel hidden, blink phases on) with the
 * golden PNG in GOLDEN_DIR; UI_GOLDEN_UPDATE=1 rewrites the golden. On a
 * difference the actual image is written beside the test (NAME-actual.png). */
static void expect_golden(struct ui_window *w, const char *name)
{
    ui_set_panel(w, false);
    int width, height;
    uint32_t *px = ui_snapshot(w, 0, &width, &height);
    assert_non_null(px);
    assert_int_equal(width, 720);
    assert_int_equal(height, 400);
    char golden[4096], actual[256];
    snprintf(golden, sizeof(golden), "%s/%s.png", getenv("GOLDEN_DIR"), name);
    snprintf(actual, sizeof(actual), "%s-actual.png", name);
    if (getenv("UI_GOLDEN_UPDATE")) assert_int_equal(ui_png_write(golden, px, width, height), 0);
    int gw, gh;
    uint32_t *want = ui_png_read(golden, &gw, &gh);
    assert_non_null(want);
    assert_int_equal(gw, width);
    assert_int_equal(gh, height);
    long differ = 0;
    for (long i = 0; i < (long)width * height; i++)
        differ += px[i] != want[i];
    if (differ) {
        ui_png_write(actual, px, width, height);
        print_message("%ld pixels differ from %s; see %s\n", differ, golden, actual);
    }
    assert_int_equal(differ, 0);
    free(want);
    free(px);
}

static void test_vga_screen_kernel_matches_golden_image(void **state)
{
    (void)state;
    emu_machine *m = boot("VGA_SCREEN_ELF", 2000000000ULL);
    char err[256];
    struct ui_window *w = ui_open(m, "test", err, sizeof(err));
    if (!w) fail_msg("%s", err);
    emu_run_result r;
    emu_machine_run(m, &r);
    assert_int_equal(r.reason, EMU_STOP_DEBUG_EXIT);
    expect_golden(w, "vga-screen");
    ui_close(w);
    emu_machine_destroy(m);
}

static void stop_when_idle_after_prompt(void *ctx, const emu_event *ev)
{
    (void)ev;
    if (watch.prompted) emu_machine_request_stop(ctx);
}

/* The bundled kernel's boot log and first prompt as the window shows them
 * once the shell waits for input: the first HLT after the prompt (the
 * prompt is on COM1 before the VGA, so stopping at it would catch the
 * console half-written). A change to the kernel's boot messages changes
 * this image: rebase it. */
static void test_bundled_kernel_boot_screen_matches_golden_image(void **state)
{
    (void)state;
    emu_machine *m = boot("GUEST_ELF", 2000000000ULL);
    watch.m = NULL;
    char err[256];
    struct ui_window *w = ui_open(m, "test", err, sizeof(err));
    if (!w) fail_msg("%s", err);
    assert_true(emu_hook_add(m, EMU_EV_HLT, stop_when_idle_after_prompt, m) > 0);
    emu_run_result r;
    emu_machine_run(m, &r);
    assert_int_equal(r.reason, EMU_STOP_REQUESTED);
    expect_golden(w, "guest-boot");
    ui_close(w);
    emu_machine_destroy(m);
}

struct counter {
    uint64_t count[256];
    uint64_t syscalls;
};

static void count_vector(void *ctx, const emu_event *ev)
{
    ((struct counter *)ctx)->count[ev->u.intr.vector]++;
}

static void count_syscall(void *ctx, const emu_event *ev)
{
    (void)ev;
    ((struct counter *)ctx)->syscalls++;
}

/* What the panel shows, parsed back. */
struct panel_view {
    uint64_t count[256];                  // the "vector count" lines
    char task[UI_PANEL_COLS + 1];         // the "task" line
    unsigned long long syscalls;          // the "syscalls" line
    char last_syscall[UI_PANEL_COLS + 1]; // the last "[pid N] name" event line
};

static void panel_view(struct ui_window *w, struct panel_view *out)
{
    char lines[60][UI_PANEL_COLS + 1];
    ui_panel_lines(w, lines, 60);
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < 60; i++) {
        if (!strncmp(lines[i], " task ", 6)) strcpy(out->task, lines[i]);
        if (!strncmp(lines[i], "  [pid ", 7)) strcpy(out->last_syscall, lines[i] + 2);
        sscanf(lines[i], " syscalls %llu", &out->syscalls);
        unsigned v;
        char name[16];
        unsigned long long n;
        if (sscanf(lines[i], " %u %15s %llu", &v, name, &n) == 3 && v < 256) out->count[v] = n;
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
    assert_true(emu_hook_add(m, EMU_EV_SYSCALL_ENTRY, count_syscall, &c) > 0);
    emu_run_result r;
    emu_machine_run(m, &r);
    assert_int_equal(r.reason, EMU_STOP_QUIT);
    struct panel_view shown;
    panel_view(w, &shown);
    assert_string_equal(shown.task, " task  pid 2 sh"); /* the shell printed the prompt */
    uint64_t total = 0;
    for (int v = 0; v < 256; v++) {
        assert_int_equal(shown.count[v], c.count[v]);
        total += c.count[v];
    }
    assert_true(total > 0); /* the kernel's timer ran */
    assert_int_equal(shown.syscalls, c.syscalls);
    assert_true(c.syscalls > 0);
    /* The shell prints its prompt with write(2) (Linux x86_64 number 1), as
     * `emu trace --syscalls` shows it: "[pid 2] write(1, "$ ", 2) = 2". */
    assert_string_equal(shown.last_syscall, "[pid 2] write");
    ui_close(w);
    emu_machine_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vga_screen_kernel_matches_golden_image),
        cmocka_unit_test(test_bundled_kernel_boot_screen_matches_golden_image),
        cmocka_unit_test(test_panel_counts_and_task_at_the_first_shell_prompt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
