/* The hook API against a kernel whose every step is known (the sample
 * kernel in examples/hello-kernel): control-register and MSR writes in the
 * order hello.S makes them, the serial bytes as port writes, one
 * instruction event per retired instruction, range filters, removal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emu/hooks.h"

#define MAX_EV 64

struct log {
    emu_event ev[MAX_EV];
    emu_event last;
    int n;
    uint64_t count;
    char out[128];
    size_t outlen;
};

static void record(void *ctx, const emu_event *ev)
{
    struct log *l = ctx;
    if (l->n < MAX_EV)
        l->ev[l->n++] = *ev;
    l->last = *ev;
    l->count++;
}

static void collect_serial(void *ctx, const emu_event *ev)
{
    struct log *l = ctx;
    if (ev->u.io.write && ev->u.io.addr == 0x3F8 && l->outlen < sizeof(l->out) - 1)
        l->out[l->outlen++] = (char)ev->u.io.value;
    l->count++;
}

static void quiet(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
}

static emu_machine *boot_hello(void)
{
    const char *path = getenv("HELLO_ELF32");
    assert_non_null(path);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t img[65536];
    size_t len = fread(img, 1, sizeof(img), f);
    fclose(f);
    emu_config cfg = {.serial_out = quiet};
    emu_machine *m = NULL;
    assert_int_equal(emu_machine_create(&cfg, &m), EMU_OK);
    assert_int_equal(emu_machine_load_multiboot(m, "hello", img, len, NULL, NULL, 0), EMU_OK);
    return m;
}

static void test_cr_and_msr_writes_arrive_in_program_order(void **state)
{
    (void)state;
    emu_machine *m = boot_hello();
    struct log l = {0};
    assert_true(emu_hook_add(m, EMU_EV_CR_WRITE, record, &l) > 0);
    assert_true(emu_hook_add(m, EMU_EV_MSR_WRITE, record, &l) > 0);
    assert_true(emu_hook_add(m, EMU_EV_CR3_SWITCH, record, &l) > 0);
    emu_run_result r;
    emu_machine_run(m, &r);
    assert_int_equal(r.reason, EMU_STOP_POWEROFF);
    /* hello.S: mov cr3; mov cr4 (PAE); wrmsr EFER (LME); mov cr0 (PG). */
    assert_int_equal(l.n, 5);
    assert_int_equal(l.ev[0].kind, EMU_EV_CR_WRITE);
    assert_int_equal(l.ev[0].u.reg.reg, 3);
    assert_int_equal(l.ev[0].u.reg.old_value, 0);
    assert_int_equal(l.ev[1].kind, EMU_EV_CR3_SWITCH);
    assert_int_equal(l.ev[1].u.reg.new_value, l.ev[0].u.reg.new_value);
    assert_int_equal(l.ev[2].u.reg.reg, 4);
    assert_int_equal(l.ev[2].u.reg.new_value, 0x20);
    assert_int_equal(l.ev[3].kind, EMU_EV_MSR_WRITE);
    assert_int_equal(l.ev[3].u.reg.reg, 0xC0000080u);
    assert_int_equal(l.ev[3].u.reg.old_value, 0);
    assert_int_equal(l.ev[3].u.reg.new_value, 0x100);
    assert_int_equal(l.ev[4].u.reg.reg, 0);
    assert_int_equal(l.ev[4].u.reg.old_value, 0x11);
    assert_int_equal(l.ev[4].u.reg.new_value, 0x80000011u);
    for (int i = 1; i < l.n; i++)
        assert_true(l.ev[i].icount > l.ev[i - 1].icount || l.ev[i].kind == EMU_EV_CR3_SWITCH);
    emu_machine_destroy(m);
}

static void test_port_writes_carry_the_serial_bytes_and_device_names(void **state)
{
    (void)state;
    emu_machine *m = boot_hello();
    struct log l = {0};
    struct log all = {0};
    assert_true(emu_hook_add_range(m, EMU_EV_PORT_IO, 0x3F8, 0x3F8, collect_serial, &l) > 0);
    assert_true(emu_hook_add(m, EMU_EV_PORT_IO, record, &all) > 0);
    emu_run_result r;
    emu_machine_run(m, &r);
    assert_string_equal(l.out, "Hello from 64-bit long mode on emu!\n");
    assert_int_equal(l.count, strlen(l.out)); /* the range filter kept only port 0x3F8 */
    const emu_event *last = &all.last;
    assert_int_equal(last->u.io.addr, 0x604);
    assert_true(last->u.io.write);
    assert_string_equal(last->u.io.device, "acpi-pm");
    assert_string_equal(all.ev[0].u.io.device, "uart0"); /* the first LSR poll */
    assert_int_equal(all.ev[0].u.io.addr, 0x3FD);
    emu_machine_destroy(m);
}

static void test_one_insn_event_per_retired_instruction(void **state)
{
    (void)state;
    emu_machine *m = boot_hello();
    struct log l = {0}, entry = {0};
    emu_regs regs;
    emu_cpu_get_regs(m, 0, &regs);
    assert_true(emu_hook_add(m, EMU_EV_INSN, record, &l) > 0);
    assert_true(emu_hook_add_range(m, EMU_EV_INSN, regs.rip, regs.rip, record, &entry) > 0);
    emu_run_result r;
    emu_machine_run(m, &r);
    assert_int_equal(l.count, r.insns);
    assert_int_equal(l.ev[0].rip, regs.rip);
    assert_int_equal(l.ev[1].rip, regs.rip + l.ev[0].u.insn.len);
    assert_int_equal(entry.count, 1);
    emu_machine_destroy(m);
}

static void test_insn_range_hook_alone_sees_only_its_address(void **state)
{
    (void)state;
    emu_machine *m = boot_hello();
    struct log l = {0};
    emu_regs regs;
    emu_cpu_get_regs(m, 0, &regs);
    uint64_t second = regs.rip + 5; /* hello.S begins with a 5-byte mov */
    assert_true(emu_hook_add_range(m, EMU_EV_INSN, second, second, record, &l) > 0);
    emu_run_result r;
    emu_machine_run(m, &r);
    assert_int_equal(l.count, 1);
    assert_int_equal(l.ev[0].rip, second);
    assert_int_equal(l.ev[0].icount, 2); /* the second instruction retired */
    emu_machine_destroy(m);
}

static void test_memory_hooks_see_page_table_writes_without_changing_the_run(void **state)
{
    (void)state;
    emu_machine *plain = boot_hello();
    emu_run_result r0;
    emu_machine_run(plain, &r0);
    emu_machine_destroy(plain);

    emu_machine *m = boot_hello();
    struct log w = {0};
    emu_hook_id id = emu_hook_add(m, EMU_EV_MEM_WRITE, record, &w);
    assert_true(id > 0);
    emu_run_result r;
    emu_machine_run(m, &r);
    assert_int_equal(r.insns, r0.insns);
    assert_int_equal(r.reason, EMU_STOP_POWEROFF);
    assert_true(w.count >= 512 + 2); /* 512 PDEs + PML4E + PDPTE */
    assert_int_equal(w.ev[0].u.mem.size, 4);
    assert_int_equal(emu_hook_remove(m, id), EMU_OK);
    assert_int_equal(emu_hook_remove(m, id), EMU_ERR_ARG);
    emu_machine_destroy(m);
}

static void test_bad_subscriptions_are_refused(void **state)
{
    (void)state;
    emu_machine *m = boot_hello();
    struct log l = {0};
    assert_true(emu_hook_add(m, EMU_EV_COUNT, record, &l) < 0);
    assert_true(emu_hook_add(m, EMU_EV_INSN, NULL, &l) < 0);
    assert_true(emu_hook_add_range(m, EMU_EV_INSN, 10, 5, record, &l) < 0);
    assert_string_equal(emu_event_kind_name(EMU_EV_SYSCALL_ENTRY), "syscall-entry");
    assert_null(emu_event_kind_name(EMU_EV_COUNT));
    emu_machine_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cr_and_msr_writes_arrive_in_program_order),
        cmocka_unit_test(test_port_writes_carry_the_serial_bytes_and_device_names),
        cmocka_unit_test(test_one_insn_event_per_retired_instruction),
        cmocka_unit_test(test_insn_range_hook_alone_sees_only_its_address),
        cmocka_unit_test(test_memory_hooks_see_page_table_writes_without_changing_the_run),
        cmocka_unit_test(test_bad_subscriptions_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
