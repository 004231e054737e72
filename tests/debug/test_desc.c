/* The REPL's descriptor decoder (src/debug/desc.c) against descriptors
 * encoded here from the Intel SDM's figures: Vol. 3 Figure 3-8 (segment
 * descriptor), Figure 7-4 (TSS descriptor in 64-bit mode), Figure 6-8
 * (64-bit IDT gate), Figure 6-2 (IDT gates), Figure 5-8 (call gate) and
 * Table 3-2 (system types, IA-32e column). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "debug/desc.h"

/* Figure 3-8: limit 15:0, base 23:0, type, S, DPL, P, limit 19:16, AVL, L,
 * D/B, G, base 31:24. */
static uint64_t seg_desc(uint32_t base, uint32_t limit, unsigned type, unsigned s, unsigned dpl,
                         unsigned l, unsigned db, unsigned g)
{
    return (uint64_t)(limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 | (uint64_t)type << 40 |
           (uint64_t)s << 44 | (uint64_t)dpl << 45 | 1ULL << 47 |
           (uint64_t)((limit >> 16) & 0xf) << 48 | (uint64_t)l << 53 | (uint64_t)db << 54 |
           (uint64_t)g << 55 | (uint64_t)(base >> 24) << 56;
}

/* Figure 6-8: offset 15:0, selector, IST, type, DPL, P, offset 31:16;
 * offset 63:32 in the second quadword. */
static void gate64(uint64_t offset, uint16_t sel, unsigned ist, unsigned type, unsigned dpl,
                   uint64_t q[2])
{
    q[0] = (offset & 0xffff) | (uint64_t)sel << 16 | (uint64_t)ist << 32 | (uint64_t)type << 40 |
           (uint64_t)dpl << 45 | 1ULL << 47 | ((offset >> 16) & 0xffff) << 48;
    q[1] = offset >> 32;
}

static void test_64bit_code_segment_decodes_l_and_flat_limit(void **state)
{
    (void)state;
    struct desc_info d;
    desc_decode(0x00AF9A000000FFFFULL, 0, true, &d);
    assert_true(d.segment);
    assert_false(d.wide);
    assert_true(d.l);
    assert_false(d.db);
    assert_int_equal(d.type, 0xA);
    assert_int_equal(d.dpl, 0);
    assert_int_equal(d.base, 0);
    assert_int_equal(d.limit, 0xffffffffULL);
    char buf[200];
    desc_format(&d, true, buf, sizeof(buf));
    assert_non_null(strstr(buf, "64-bit code"));
    assert_non_null(strstr(buf, "execute/read"));
}

static void test_data_segment_base_and_byte_limit(void **state)
{
    (void)state;
    struct desc_info d;
    desc_decode(seg_desc(0x12345678, 0xABCDE, 0x3, 1, 3, 0, 1, 0), 0, false, &d);
    assert_int_equal(d.base, 0x12345678);
    assert_int_equal(d.limit, 0xABCDE);
    assert_int_equal(d.dpl, 3);
    assert_true(d.present);
    char buf[200];
    desc_type_name(&d, false, buf, sizeof(buf));
    assert_string_equal(buf, "data, read/write, accessed");
}

static void test_expand_down_data_is_named(void **state)
{
    (void)state;
    struct desc_info d;
    desc_decode(seg_desc(0, 0xfffff, 0x6, 1, 0, 0, 1, 1), 0, false, &d);
    char buf[100];
    desc_type_name(&d, false, buf, sizeof(buf));
    assert_string_equal(buf, "data, read/write, expand-down");
    assert_int_equal(d.limit, 0xffffffffULL); /* G=1: (limit << 12) | 0xfff */
}

/* Figure 7-4: a 64-bit TSS descriptor takes two GDT slots; base 63:32 is
 * in the second. */
static void test_ia32e_tss_descriptor_is_16_bytes_with_64bit_base(void **state)
{
    (void)state;
    uint64_t base = 0xffffffff801ae3d8ULL;
    uint64_t lo = seg_desc((uint32_t)base, 0x67, 0x9, 0, 0, 0, 0, 0);
    uint64_t hi = base >> 32;
    assert_true(desc_is_wide(lo, true));
    assert_false(desc_is_wide(lo, false));
    struct desc_info d;
    desc_decode(lo, hi, true, &d);
    assert_true(d.wide);
    assert_true(d.valid_type);
    assert_int_equal(d.base, base);
    assert_int_equal(d.limit, 0x67);
    char buf[100];
    assert_string_equal(desc_type_name(&d, true, buf, sizeof(buf)), "64-bit TSS (available)");
    desc_decode(lo | (0x2ULL << 40), hi, true, &d); /* type B: busy */
    assert_string_equal(desc_type_name(&d, true, buf, sizeof(buf)), "64-bit TSS (busy)");
}

/* Outside IA-32e mode the same type is a 32-bit TSS with a 32-bit base. */
static void test_legacy_tss_descriptor_is_8_bytes(void **state)
{
    (void)state;
    struct desc_info d;
    desc_decode(seg_desc(0x00123000, 0x67, 0x9, 0, 0, 0, 0, 0), 0xdeadbeef, false, &d);
    assert_false(d.wide);
    assert_int_equal(d.base, 0x00123000);
    char buf[100];
    assert_string_equal(desc_type_name(&d, false, buf, sizeof(buf)), "32-bit TSS (available)");
}

/* Table 3-2: in IA-32e mode the 16-bit types and the task gate are reserved. */
static void test_ia32e_reserves_16bit_system_types(void **state)
{
    (void)state;
    static const unsigned reserved[] = {0x1, 0x3, 0x4, 0x5, 0x6, 0x7};
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        struct desc_info d;
        desc_decode(seg_desc(0, 0, reserved[i], 0, 0, 0, 0, 0), 0, true, &d);
        assert_false(d.valid_type);
        desc_decode(seg_desc(0, 0, reserved[i], 0, 0, 0, 0, 0), 0, false, &d);
        assert_true(d.valid_type);
    }
}

static void test_64bit_interrupt_gate_offset_ist_dpl(void **state)
{
    (void)state;
    uint64_t q[2];
    gate64(0xffffffff80100fc0ULL, 0x08, 2, 0xE, 3, q);
    struct desc_info d;
    desc_decode_gate(q[0], q[1], true, &d);
    assert_true(d.gate);
    assert_true(d.valid_type);
    assert_int_equal(d.offset, 0xffffffff80100fc0ULL);
    assert_int_equal(d.selector, 0x08);
    assert_int_equal(d.ist, 2);
    assert_int_equal(d.dpl, 3);
    char buf[200];
    desc_format(&d, true, buf, sizeof(buf));
    assert_string_equal(buf, "64-bit interrupt gate, DPL 3, -> 0x8:0xffffffff80100fc0, IST 2");
}

static void test_64bit_idt_rejects_task_and_16bit_gates(void **state)
{
    (void)state;
    uint64_t q[2];
    struct desc_info d;
    gate64(0x1000, 0x08, 0, 0x5, 0, q);
    desc_decode_gate(q[0], q[1], true, &d);
    assert_false(d.valid_type);
    gate64(0x1000, 0x08, 0, 0x6, 0, q);
    desc_decode_gate(q[0], q[1], true, &d);
    assert_false(d.valid_type);
    gate64(0x1000, 0x08, 0, 0xF, 0, q);
    desc_decode_gate(q[0], q[1], true, &d);
    assert_true(d.valid_type);
}

/* Figure 6-2: 32-bit gates carry a 32-bit offset and no IST; a task gate a
 * TSS selector and no offset. */
static void test_protected_mode_gates(void **state)
{
    (void)state;
    uint64_t lo = 0x5678 | (0x10ULL << 16) | (0xFULL << 40) | (1ULL << 47) | (0x1234ULL << 48);
    struct desc_info d;
    desc_decode_gate(lo, 0, false, &d);
    assert_true(d.valid_type);
    assert_false(d.wide);
    assert_int_equal(d.offset, 0x12345678);
    assert_int_equal(d.selector, 0x10);
    assert_int_equal(d.ist, 0);
    char buf[100];
    assert_string_equal(desc_type_name(&d, false, buf, sizeof(buf)), "32-bit trap gate");
    uint64_t task = (0x28ULL << 16) | (0x5ULL << 40) | (1ULL << 47);
    desc_decode_gate(task, 0, false, &d);
    assert_true(d.valid_type);
    assert_int_equal(d.selector, 0x28);
    assert_int_equal(d.offset, 0);
}

/* Figure 5-8: a 32-bit call gate's parameter count is bits 36:32. */
static void test_call_gate_parameter_count(void **state)
{
    (void)state;
    uint64_t lo = 0x1000 | (0x08ULL << 16) | (3ULL << 32) | (0xCULL << 40) | (3ULL << 45) |
                  (1ULL << 47);
    struct desc_info d;
    desc_decode(lo, 0, false, &d);
    assert_true(d.gate);
    assert_int_equal(d.params, 3);
    assert_int_equal(d.dpl, 3);
    assert_true(desc_is_wide(lo, true)); /* the 64-bit call gate is 16 bytes */
}

static void test_not_present_is_said(void **state)
{
    (void)state;
    struct desc_info d;
    desc_decode(seg_desc(0, 0xfffff, 0x3, 1, 0, 0, 1, 1) & ~(1ULL << 47), 0, true, &d);
    char buf[200];
    desc_format(&d, true, buf, sizeof(buf));
    assert_false(d.present);
    assert_non_null(strstr(buf, "NOT PRESENT"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_64bit_code_segment_decodes_l_and_flat_limit),
        cmocka_unit_test(test_data_segment_base_and_byte_limit),
        cmocka_unit_test(test_expand_down_data_is_named),
        cmocka_unit_test(test_ia32e_tss_descriptor_is_16_bytes_with_64bit_base),
        cmocka_unit_test(test_legacy_tss_descriptor_is_8_bytes),
        cmocka_unit_test(test_ia32e_reserves_16bit_system_types),
        cmocka_unit_test(test_64bit_interrupt_gate_offset_ist_dpl),
        cmocka_unit_test(test_64bit_idt_rejects_task_and_16bit_gates),
        cmocka_unit_test(test_protected_mode_gates),
        cmocka_unit_test(test_call_gate_parameter_count),
        cmocka_unit_test(test_not_present_is_said),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
