/* Hook kinds that emu trace does not print, against the bundled kernel's
 * own account of its boot and the SDM: the local APIC version register
 * read is an MMIO event (and a memory-read event) carrying the value the
 * kernel printed on its console; a halted CPU wakes only for the
 * interrupt delivered next (SDM Vol. 2A, HLT); every event carries CPU 0,
 * and instruction counts and virtual time that never go back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emu/hooks.h"

#define LAPIC_BASE    0xFEE00000ULL
#define LAPIC_VERSION 0x030 /* SDM Vol. 3A, Table 11-1: Local APIC Version Register */
#define CONSOLE_MAX   8192
#define BOOT_INSNS    30000000 /* past the LAPIC and IOAPIC lines of the boot log */
#define MAX_RECORDED  4096

struct console {
    char text[CONSOLE_MAX];
    size_t len;
};

static void to_console(void *ctx, const uint8_t *buf, size_t len)
{
    struct console *c = ctx;
    size_t room = sizeof(c->text) - 1 - c->len;
    size_t n = len < room ? len : room;
    memcpy(c->text + c->len, buf, n);
    c->len += n;
    c->text[c->len] = '\0';
}

struct seen {
    emu_event ev[MAX_RECORDED];
    int n;
    int dropped;
};

static void record(void *ctx, const emu_event *ev)
{
    struct seen *s = ctx;
    if (s->n < MAX_RECORDED)
        s->ev[s->n++] = *ev;
    else
        s->dropped++;
}

/* The bundled kernel (GUEST_ELF), its console into *con. */
static emu_machine *boot_guest(struct console *con, uint64_t max_insns, const char *cmdline)
{
    const char *path = getenv("GUEST_ELF");
    assert_non_null(path);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *img = malloc((size_t)size);
    assert_non_null(img);
    assert_int_equal(fread(img, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    emu_config cfg = {.serial_out = to_console, .serial_ctx = con, .max_insns = max_insns};
    emu_machine *m = NULL;
    assert_int_equal(emu_machine_create(&cfg, &m), EMU_OK);
    assert_int_equal(emu_machine_load_multiboot(m, "guest", img, (size_t)size, cmdline, NULL, 0),
                     EMU_OK);
    free(img);
    return m;
}

/* The memory reads of the instruction an MMIO event came from. */
struct access {
    struct seen mmio;  // MMIO reads of the register
    emu_event same[4]; // memory reads in the same instruction, after the first MMIO read
    int nsame;
};

static void match_read(void *ctx, const emu_event *ev)
{
    struct access *a = ctx;
    if (a->mmio.n == 1 && ev->icount == a->mmio.ev[0].icount && ev->rip == a->mmio.ev[0].rip &&
        a->nsame < 4)
        a->same[a->nsame++] = *ev;
}

static void
test_lapic_version_read_is_an_mmio_and_memory_read_of_what_the_kernel_printed(void **state)
{
    (void)state;
    struct console con = {0};
    emu_machine *m = boot_guest(&con, BOOT_INSNS, NULL);
    struct access a = {0};
    uint64_t reg = LAPIC_BASE + LAPIC_VERSION;
    assert_true(emu_hook_add_range(m, EMU_EV_MMIO, reg, reg, record, &a.mmio) > 0);
    assert_true(emu_hook_add(m, EMU_EV_MEM_READ, match_read, &a) > 0);
    emu_run_result r;
    emu_machine_run(m, &r);
    const char *line = strstr(con.text, "LAPIC: id ");
    assert_non_null(line);
    unsigned id, printed;
    assert_int_equal(sscanf(line, "LAPIC: id %u, version %x", &id, &printed), 2);
    assert_true(a.mmio.n >= 1);
    const emu_event *v = &a.mmio.ev[0];
    assert_false(v->u.io.write);
    assert_int_equal(v->u.io.size, 4);
    assert_int_equal(v->u.io.addr, reg);
    assert_int_equal(v->u.io.value & 0xFF, printed);
    assert_non_null(v->u.io.device);
    /* the same access as the CPU saw it: one 4-byte data read of that value */
    assert_int_equal(a.nsame, 1);
    assert_int_equal(a.same[0].u.mem.size, 4);
    assert_int_equal(a.same[0].u.mem.value, v->u.io.value);
    assert_false(a.same[0].u.mem.implicit);
    emu_machine_destroy(m);
}

/* Events in the order they came: instruction counts and time never go
 * back, and everything happens on CPU 0 (emu has one). */
static void assert_ordered(const struct seen *s)
{
    for (int i = 0; i < s->n; i++) {
        assert_int_equal(s->ev[i].cpu, 0);
        if (i) {
            assert_true(s->ev[i].icount >= s->ev[i - 1].icount);
            assert_true(s->ev[i].time_ns >= s->ev[i - 1].time_ns);
        }
    }
}

static void test_each_wake_follows_a_hlt_and_names_the_interrupt_delivered_next(void **state)
{
    (void)state;
    struct console con = {0};
    emu_machine *m = boot_guest(&con, 0, "selftest");
    struct seen s = {0};
    assert_true(emu_hook_add(m, EMU_EV_HLT, record, &s) > 0);
    assert_true(emu_hook_add(m, EMU_EV_WAKE, record, &s) > 0);
    assert_true(emu_hook_add(m, EMU_EV_INTERRUPT, record, &s) > 0);
    emu_run_result r;
    emu_machine_run(m, &r);
    assert_non_null(strstr(con.text, "selftest: 10 of 10 passed"));
    assert_int_equal(s.dropped, 0);
    assert_ordered(&s);
    int halts = 0, wakes = 0;
    bool halted = false;
    for (int i = 0; i < s.n; i++) {
        const emu_event *e = &s.ev[i];
        if (e->kind == EMU_EV_HLT) {
            assert_false(halted);
            assert_int_equal(e->cpl, 0); /* HLT is privileged */
            halted = true;
            halts++;
        } else if (e->kind == EMU_EV_WAKE) {
            assert_true(halted);
            assert_true(e->time_ns >= s.ev[i - 1].time_ns);
            assert_true(i + 1 < s.n);
            assert_int_equal(s.ev[i + 1].kind, EMU_EV_INTERRUPT);
            assert_int_equal(s.ev[i + 1].u.intr.vector, e->u.intr.vector);
            halted = false;
            wakes++;
        } else {
            assert_false(halted); /* no delivery while halted without a wake */
        }
    }
    assert_true(halts >= 1); /* the self-test sleeps (nanosleep) */
    assert_true(wakes >= 1);
    assert_true(halts - wakes <= 1); /* at most the last HLT, that nothing woke */
    emu_machine_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_lapic_version_read_is_an_mmio_and_memory_read_of_what_the_kernel_printed),
        cmocka_unit_test(test_each_wake_follows_a_hlt_and_names_the_interrupt_delivered_next),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
