/* The i8042 and its PS/2 devices (8042 and PS/2 keyboard references, the
 * replies QEMU gives): controller commands, command byte, self-test, the
 * keyboard's replies with and without translation, keys through the
 * translation table, IRQ 1, the reset line; and port 0x92's fast reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dev/i8042.h"
#include "dev/sysctl.h"
#include "machine/bus.h"

struct fixture {
    struct i8042 *k;
    struct bus io;
    struct sysctl_sink sys;
    struct port_a porta;
    int kbd_level, aux_level, resets;
};

static void on_kbd(void *c, int pin, int level)
{
    (void)pin;
    ((struct fixture *)c)->kbd_level = level;
}

static void on_aux(void *c, int pin, int level)
{
    (void)pin;
    ((struct fixture *)c)->aux_level = level;
}

static void on_request(void *c, enum sysctl_event ev, int status)
{
    (void)status;
    if (ev == SYSCTL_RESET) ((struct fixture *)c)->resets++;
}

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof(*f));
    f->sys = (struct sysctl_sink){on_request, f};
    f->k = i8042_new((struct irq_line){on_kbd, f, 1}, (struct irq_line){on_aux, f, 12}, &f->sys);
    f->porta = (struct port_a){&f->sys, PORT_A_A20};
    bus_init(&f->io);
    bus_register(&f->io, 0x60, 1, i8042_data_ops(), f->k, "data");
    bus_register(&f->io, 0x64, 1, i8042_cmd_ops(), f->k, "cmd");
    bus_register(&f->io, PORT_A_PORT, 1, port_a_ops(), &f->porta, "port-a");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    i8042_free(f->k);
    test_free(f);
    return 0;
}

static void cmd(struct fixture *f, uint8_t v)
{
    bus_write(&f->io, 0x64, v, 1);
}

static void data(struct fixture *f, uint8_t v)
{
    bus_write(&f->io, 0x60, v, 1);
}

static int next(struct fixture *f)
{
    if (!(bus_read(&f->io, 0x64, 1) & 0x01)) return -1;
    return (int)bus_read(&f->io, 0x60, 1);
}

static void test_controller_self_test_and_command_byte(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(bus_read(&f->io, 0x64, 1), 0x1C);
    cmd(f, 0xAA);
    assert_int_equal(next(f), 0x55);
    cmd(f, 0x20);
    assert_int_equal(next(f), 0x61);
    cmd(f, 0x60);
    data(f, 0x20); /* no interrupts, no translation */
    cmd(f, 0x20);
    assert_int_equal(next(f), 0x20);
    assert_int_equal(next(f), -1);
}

static void test_keyboard_identify_is_translated_like_the_8042_does(void **state)
{
    struct fixture *f = *state;
    data(f, 0xF2);
    assert_int_equal(next(f), 0xFA);
    assert_int_equal(next(f), 0xAB);
    assert_int_equal(next(f), 0x41);
    cmd(f, 0x60);
    data(f, 0x01); /* translation off */
    data(f, 0xF2);
    next(f);
    next(f);
    assert_int_equal(next(f), 0x83);
}

static void test_new_command_discards_unread_replies(void **state)
{
    struct fixture *f = *state;
    data(f, 0xED);
    data(f, 0x07);
    assert_int_equal(next(f), 0xFA);
    assert_int_equal(next(f), -1);
}

static void test_key_goes_through_set1_translation_and_raises_irq1(void **state)
{
    struct fixture *f = *state;
    static const uint8_t press_a[] = {0x1C}, release_a[] = {0xF0, 0x1C};
    i8042_key(f->k, press_a, 1);
    assert_int_equal(f->kbd_level, 1);
    assert_int_equal(next(f), 0x1E);
    assert_int_equal(f->kbd_level, 0);
    i8042_key(f->k, release_a, 2);
    assert_int_equal(next(f), 0x9E);
}

static void test_mouse_replies_come_on_the_aux_port(void **state)
{
    struct fixture *f = *state;
    cmd(f, 0x60);
    data(f, 0x43); /* both interrupts, translation, both ports on */
    cmd(f, 0xD4);
    data(f, 0xF2);
    assert_int_equal(bus_read(&f->io, 0x64, 1) & 0x21, 0x21);
    assert_int_equal(f->aux_level, 1);
    assert_int_equal(next(f), 0xFA);
    assert_int_equal(next(f), 0x00);
    assert_int_equal(f->aux_level, 0);
}

static void test_reset_line_and_fast_reset(void **state)
{
    struct fixture *f = *state;
    cmd(f, 0xFE);
    assert_int_equal(f->resets, 1);
    cmd(f, 0xFF); /* pulses nothing */
    assert_int_equal(f->resets, 1);
    assert_int_equal(bus_read(&f->io, PORT_A_PORT, 1), 0x02);
    bus_write(&f->io, PORT_A_PORT, 0x03, 1);
    assert_int_equal(f->resets, 2);
    bus_write(&f->io, PORT_A_PORT, 0x03, 1); /* no 0 -> 1 transition */
    assert_int_equal(f->resets, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_controller_self_test_and_command_byte),
        T(test_keyboard_identify_is_translated_like_the_8042_does),
        T(test_new_command_discards_unread_replies),
        T(test_key_goes_through_set1_translation_and_raises_irq1),
        T(test_mouse_replies_come_on_the_aux_port),
        T(test_reset_line_and_fast_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
