/* AAA AAS DAA DAS AAM AAD and BOUND (legacy modes only; #UD in 64-bit
 * mode). Expected values worked by hand from the SDM's Operation sections;
 * only the flags the SDM defines are checked. */
#include "isa_test.h"

#define AF_CF (RFLAGS_AF | RFLAGS_CF)

static void test_aaa_adjusts_low_nibble_above_9(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x000b; /* 5 + 6 */
    assert_int_equal(isa_run(m, "37" /* aaa */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x0101);
    assert_flags(m, AF_CF, AF_CF);
}

static void test_aaa_adjusts_when_af_set(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x0011; /* 9 + 8 */
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_AF);
    assert_int_equal(isa_run(m, "37" /* aaa */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x0107);
    assert_flags(m, AF_CF, AF_CF);
}

static void test_aaa_without_adjustment_clears_af_cf_and_high_nibble(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x1235;
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_CF);
    assert_int_equal(isa_run(m, "37" /* aaa */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x1205);
    assert_flags(m, AF_CF, 0);
}

static void test_aas_borrows_from_ah(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x02ff; /* 0 - 1 */
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_AF);
    assert_int_equal(isa_run(m, "3f" /* aas */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x0109);
    assert_flags(m, AF_CF, AF_CF);
}

static void test_aas_subtracts_6_from_ax_then_1_from_ah(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x0503; /* AX - 6 borrows from AH, then AH - 1 */
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_AF);
    assert_int_equal(isa_run(m, "3f" /* aas */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x030d);
}

static void test_daa_after_packed_add(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xae; /* 0x79 + 0x35 */
    assert_int_equal(isa_run(m, "27" /* daa */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x14); /* 79 + 35 = 114 */
    assert_flags(m, AF_CF | RFLAGS_ZF | RFLAGS_SF, AF_CF);
}

static void test_das_after_packed_subtract(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xee; /* 0x35 - 0x47, CF and AF set */
    isa_set_flags(m, RFLAGS_FIXED1 | AF_CF);
    assert_int_equal(isa_run(m, "2f" /* das */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x88); /* 35 - 47 = -12: 88 with a borrow */
    assert_flags(m, AF_CF | RFLAGS_ZF | RFLAGS_SF, AF_CF | RFLAGS_SF);
}

static void test_aam_splits_al_into_decimal_digits(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xff3f; /* 63 */
    assert_int_equal(isa_run(m, "d4 0a" /* aam */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x0603);
    assert_flags(m, RFLAGS_ZF | RFLAGS_SF | RFLAGS_PF, RFLAGS_PF);
}

static void test_aam_with_other_base(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x3f;
    assert_int_equal(isa_run(m, "d4 10" /* aam 16 */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x030f);
}

static void test_aam_zero_raises_de_and_keeps_ax(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x1234;
    assert_int_equal(isa_run(m, "d4 00" /* aam 0 */), EXC_DE);
    assert_int_equal(REG(RAX), 0x1234);
}

static void test_aad_combines_digits(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x0603;
    assert_int_equal(isa_run(m, "d5 0a" /* aad */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x003f);
    assert_flags(m, RFLAGS_ZF | RFLAGS_SF, 0);
}

static void test_bound_in_range_passes(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, (uint32_t)-5, 4);
    isa_poke(m, ISA_DATA + 4, 10, 4);
    REG(RAX) = (uint32_t)-3;
    assert_int_equal(isa_run(m, "62 05 00 00 02 00" /* bound eax, [0x20000] */), NO_FAULT);
    REG(RAX) = 10;
    assert_int_equal(isa_run(m, "62 05 00 00 02 00"), NO_FAULT);
}

static void test_bound_above_upper_raises_br_at_the_instruction(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, (uint32_t)-5, 4);
    isa_poke(m, ISA_DATA + 4, 10, 4);
    REG(RAX) = 11;
    assert_int_equal(isa_run(m, "62 05 00 00 02 00" /* bound eax, [0x20000] */), EXC_BR);
    assert_int_equal(m->cpu->rip, ISA_CODE);
}

static void test_bound_r16_compares_signed_words(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, 0x0000fff0, 4); /* lower -16, upper 0 */
    REG(RAX) = 0x1234ffff;                /* AX = -1 */
    assert_int_equal(isa_run(m, "66 62 05 00 00 02 00" /* bound ax, [0x20000] */), NO_FAULT);
    REG(RAX) = 0x00000001;
    assert_int_equal(isa_run(m, "66 62 05 00 00 02 00"), EXC_BR);
}

static void test_bcd_opcodes_raise_ud_in_64_bit_mode(void **state)
{
    struct isa *m = *state;
    assert_int_equal(isa_run(m, "37" /* aaa */), EXC_UD);
    assert_int_equal(isa_run(m, "d4 0a" /* aam */), EXC_UD);
}

static void test_daa_in_compat_mode(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x0f;
    assert_int_equal(isa_run(m, "27" /* daa */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST32(test_aaa_adjusts_low_nibble_above_9),
        TEST32(test_aaa_adjusts_when_af_set),
        TEST32(test_aaa_without_adjustment_clears_af_cf_and_high_nibble),
        TEST32(test_aas_borrows_from_ah),
        TEST32(test_aas_subtracts_6_from_ax_then_1_from_ah),
        TEST32(test_daa_after_packed_add),
        TEST32(test_das_after_packed_subtract),
        TEST32(test_aam_splits_al_into_decimal_digits),
        TEST32(test_aam_with_other_base),
        TEST32(test_aam_zero_raises_de_and_keeps_ax),
        TEST32(test_aad_combines_digits),
        TEST32(test_bound_in_range_passes),
        TEST32(test_bound_above_upper_raises_br_at_the_instruction),
        TEST32(test_bound_r16_compares_signed_words),
        TEST64(test_bcd_opcodes_raise_ud_in_64_bit_mode),
        TEST_COMPAT(test_daa_in_compat_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
