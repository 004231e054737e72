/* BMI1 (ANDN BEXTR BLSI BLSMSK BLSR) and XLAT. Flags per the SDM: the
 * undefined ones (AF and PF for all, SF for BEXTR) are not checked. */
#include "isa_test.h"

#define DEFINED_ANDN  (RFLAGS_CF | RFLAGS_OF | RFLAGS_ZF | RFLAGS_SF)
#define DEFINED_BEXTR (RFLAGS_CF | RFLAGS_OF | RFLAGS_ZF)
#define DEFINED_BLS   (RFLAGS_CF | RFLAGS_OF | RFLAGS_ZF | RFLAGS_SF)

static void test_andn_r64_inverts_first_source(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 0x00ff00ff00ff00ffULL;
    REG(RDX) = 0xffffffff00000000ULL;
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_CF | RFLAGS_OF);
    assert_int_equal(isa_run(m, "c4 e2 f0 f2 c2" /* andn rax, rcx, rdx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xff00ff0000000000ULL);
    assert_flags(m, DEFINED_ANDN, RFLAGS_SF);
}

static void test_andn_r32_memory_zero_result_sets_zf_and_zero_extends(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, 0x0000ffff, 4);
    REG(RAX) = ~0ULL;
    REG(RCX) = 0xffffffffffffffffULL;
    assert_int_equal(isa_run(m, "c4 e2 70 f2 04 25 00 00 02 00" /* andn eax, ecx, [0x20000] */),
                     NO_FAULT);
    assert_int_equal(REG(RAX), 0);
    assert_flags(m, DEFINED_ANDN, RFLAGS_ZF);
}

static void test_bextr_extracts_field(void **state)
{
    struct isa *m = *state;
    REG(RDX) = 0x123456789abcdef0ULL;
    REG(RCX) = (12 << 8) | 8; /* 12 bits from bit 8 */
    assert_int_equal(isa_run(m, "c4 e2 f0 f7 c2" /* bextr rax, rdx, rcx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xcdeULL);
    assert_flags(m, DEFINED_BEXTR, 0);
}

static void test_bextr_start_beyond_width_gives_zero_and_zf(void **state)
{
    struct isa *m = *state;
    REG(RDX) = ~0ULL;
    REG(RCX) = (8 << 8) | 64;
    REG(RAX) = 5;
    assert_int_equal(isa_run(m, "c4 e2 f0 f7 c2" /* bextr rax, rdx, rcx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0);
    assert_flags(m, DEFINED_BEXTR, RFLAGS_ZF);
}

static void test_bextr_r32_long_length_takes_rest_of_operand(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, 0x80000000u, 4);
    REG(RCX) = (200 << 8) | 31;
    assert_int_equal(isa_run(m, "c4 e2 70 f7 04 25 00 00 02 00" /* bextr eax, [0x20000], ecx */),
                     NO_FAULT);
    assert_int_equal(REG(RAX), 1);
}

static void test_blsi_isolates_lowest_set_bit_and_sets_cf(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 0xf0f0000000000000ULL;
    assert_int_equal(isa_run(m, "c4 e2 f8 f3 d9" /* blsi rax, rcx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x0010000000000000ULL);
    assert_flags(m, DEFINED_BLS, RFLAGS_CF);
}

static void test_blsi_zero_source_clears_cf_sets_zf(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 0;
    REG(RAX) = 9;
    assert_int_equal(isa_run(m, "c4 e2 f8 f3 d9" /* blsi rax, rcx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0);
    assert_flags(m, DEFINED_BLS, RFLAGS_ZF);
}

static void test_blsmsk_r32_zero_source_gives_all_ones_and_cf(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 0xffffffff00000000ULL;
    assert_int_equal(isa_run(m, "c4 e2 78 f3 d1" /* blsmsk eax, ecx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xffffffffULL);
    assert_flags(m, DEFINED_BLS, RFLAGS_CF | RFLAGS_SF);
}

static void test_blsmsk_masks_up_to_lowest_set_bit(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 0x58;
    assert_int_equal(isa_run(m, "c4 e2 78 f3 d1" /* blsmsk eax, ecx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xf);
    assert_flags(m, DEFINED_BLS, 0);
}

static void test_blsr_memory_clears_lowest_set_bit(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, 0x8000000000000001ULL, 8);
    assert_int_equal(isa_run(m, "c4 e2 f8 f3 0c 25 00 00 02 00" /* blsr rax, [0x20000] */),
                     NO_FAULT);
    assert_int_equal(REG(RAX), 0x8000000000000000ULL);
    assert_flags(m, DEFINED_BLS, RFLAGS_SF);
}

static void test_andn_in_protected_mode_is_32_bit(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 0xf0;
    REG(RDX) = 0xff;
    assert_int_equal(isa_run(m, "c4 e2 70 f2 c2" /* andn eax, ecx, edx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x0f);
}

static void test_xlat_reads_table_at_rbx_plus_al(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA + 0xfe, 0x5a, 1);
    REG(RBX) = ISA_DATA;
    REG(RAX) = 0x12345678123456feULL;
    assert_int_equal(isa_run(m, "d7" /* xlat */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x123456781234565aULL);
}

static void test_xlat_address_size_32_wraps_ebx_plus_al(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA + 0x10, 0x77, 1);
    REG(RBX) = 0xffffffff00000000ULL | (ISA_DATA + 0x10 - 0x80);
    REG(RAX) = 0x80;
    assert_int_equal(isa_run(m, "67 d7" /* xlat (addr32) */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x77);
}

static void test_xlat_in_protected_mode(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA + 3, 0x99, 1);
    REG(RBX) = ISA_DATA;
    REG(RAX) = 3;
    assert_int_equal(isa_run(m, "d7" /* xlat */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x99);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST64(test_andn_r64_inverts_first_source),
        TEST64(test_andn_r32_memory_zero_result_sets_zf_and_zero_extends),
        TEST64(test_bextr_extracts_field),
        TEST64(test_bextr_start_beyond_width_gives_zero_and_zf),
        TEST64(test_bextr_r32_long_length_takes_rest_of_operand),
        TEST64(test_blsi_isolates_lowest_set_bit_and_sets_cf),
        TEST64(test_blsi_zero_source_clears_cf_sets_zf),
        TEST64(test_blsmsk_r32_zero_source_gives_all_ones_and_cf),
        TEST64(test_blsmsk_masks_up_to_lowest_set_bit),
        TEST64(test_blsr_memory_clears_lowest_set_bit),
        TEST32(test_andn_in_protected_mode_is_32_bit),
        TEST64(test_xlat_reads_table_at_rbx_plus_al),
        TEST64(test_xlat_address_size_32_wraps_ebx_plus_al),
        TEST32(test_xlat_in_protected_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
