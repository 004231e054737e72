/* Shifts and rotates: count masking, the zero-count rule (no flag change,
 * but a 32-bit register is still zero-extended), RCL/RCR through CF with
 * the 9/17-bit rotation of small operands, CF/OF for one-bit counts,
 * SHLD/SHRD, precise faults on memory operands. */
#include "isa_test.h"

static void test_shl_r32_count_masked_to_5_bits(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x80000001;
    REG(RCX) = 33; /* masked to 1 */
    assert_int_equal(isa_run(m, "d3 e0" /* shl eax, cl */), NO_FAULT);
    assert_int_equal(REG(RAX), 2);
    assert_flags(m, RFLAGS_CF | RFLAGS_OF, RFLAGS_CF | RFLAGS_OF); /* OF = CF ^ MSB */
}

static void test_shift_by_zero_keeps_flags_and_zero_extends_r32(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xffffffff00000001ULL;
    REG(RCX) = 32; /* masked to 0 */
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_CF | RFLAGS_ZF);
    assert_int_equal(isa_run(m, "d3 e0" /* shl eax, cl */), NO_FAULT);
    assert_int_equal(REG(RAX), 1);
    assert_flags(m, RFLAGS_ARITH, RFLAGS_CF | RFLAGS_ZF);
    REG(RAX) = 0xffffffff00000001ULL;
    assert_int_equal(isa_run(m, "c1 e0 00" /* shl eax, 0 */), NO_FAULT);
    assert_int_equal(REG(RAX), 1);
    assert_flags(m, RFLAGS_ARITH, RFLAGS_CF | RFLAGS_ZF);
}

static void test_rcl_by_one_rotates_through_cf(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x80;
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_CF);
    assert_int_equal(isa_run(m, "d0 d0" /* rcl al, 1 */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x01);
    assert_flags(m, RFLAGS_CF | RFLAGS_OF, RFLAGS_CF | RFLAGS_OF);
}

static void test_rcl_r8_by_9_is_identity(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x5a;
    REG(RCX) = 9; /* 9 mod 9 = 0: nine-bit rotation comes full circle */
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_CF);
    assert_int_equal(isa_run(m, "d2 d0" /* rcl al, cl */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x5a);
    assert_flags(m, RFLAGS_CF, RFLAGS_CF);
}

static void test_rcr_r8_by_4_rotates_cf_into_bit_7(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x05;
    REG(RCX) = 4;
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_CF);
    /* CF:AL = 1:0000 0101 as a 9-bit value rotated right by 4 gives
     * 0:1011 0000 -- the old CF lands in bit 4, the old bit 3 in CF. */
    assert_int_equal(isa_run(m, "d2 d8" /* rcr al, cl */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xb0);
    assert_flags(m, RFLAGS_CF, 0);
}

static void test_sar_r64_by_63_replicates_sign(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x8000000000000000ULL;
    assert_int_equal(isa_run(m, "48 c1 f8 3f" /* sar rax, 63 */), NO_FAULT);
    assert_int_equal(REG(RAX), ~0ULL);
    assert_flags(m, RFLAGS_CF | RFLAGS_SF | RFLAGS_ZF, RFLAGS_SF);
}

static void test_shl_r8_by_8_moves_bit_0_into_cf(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x01;
    REG(RCX) = 8;
    assert_int_equal(isa_run(m, "d2 e0" /* shl al, cl */), NO_FAULT);
    assert_int_equal(REG(RAX), 0);
    assert_flags(m, RFLAGS_CF | RFLAGS_ZF, RFLAGS_CF | RFLAGS_ZF);
}

static void test_shr_r8_by_20_clears_the_byte(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x12ff;
    REG(RCX) = 20;
    assert_int_equal(isa_run(m, "d2 e8" /* shr al, cl */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x1200);
    assert_flags(m, RFLAGS_ZF, RFLAGS_ZF);
}

static void test_rol_r8_by_8_keeps_value_sets_cf_from_lsb(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x81;
    assert_int_equal(isa_run(m, "c0 c0 08" /* rol al, 8 */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x81);
    assert_flags(m, RFLAGS_CF, RFLAGS_CF);
}

static void test_ror_by_one_sets_of_from_top_bits(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 1;
    assert_int_equal(isa_run(m, "d1 c8" /* ror eax, 1 */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x80000000);
    assert_flags(m, RFLAGS_CF | RFLAGS_OF, RFLAGS_CF | RFLAGS_OF);
}

static void test_shld_r32_fills_from_source(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x12345678;
    REG(RCX) = 0xabcdef01;
    assert_int_equal(isa_run(m, "0f a4 c8 04" /* shld eax, ecx, 4 */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x2345678a);
    assert_flags(m, RFLAGS_CF, RFLAGS_CF);
}

static void test_shrd_r64_by_cl(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x00000000000000f0ULL;
    REG(RCX) = 0x0000000000000008ULL; /* also the source: CL = 8 */
    assert_int_equal(isa_run(m, "48 0f ad c8" /* shrd rax, rcx, cl */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x0800000000000000ULL);
    assert_flags(m, RFLAGS_CF, RFLAGS_CF);
}

static void test_shl_memory_write_fault_keeps_flags(void **state)
{
    struct isa *m = *state;
    *isa_pte(m, ISA_DATA) &= ~PTE_W;
    mmu_flush_all(&m->cpu->mmu);
    isa_poke(m, ISA_DATA, 0x8000000000000000ULL, 8);
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_ZF);
    assert_int_equal(isa_run(m, "48 d1 24 25 00 00 02 00" /* shl qword [0x20000], 1 */), EXC_PF);
    assert_flags(m, RFLAGS_ARITH, RFLAGS_ZF);
    assert_int_equal(isa_peek(m, ISA_DATA, 8), 0x8000000000000000ULL);
}

static void test_shl_r16_by_16_in_protected_mode(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xabcd8001;
    assert_int_equal(isa_run(m, "66 c1 e0 10" /* shl ax, 16 */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xabcd0000);
    assert_flags(m, RFLAGS_CF | RFLAGS_ZF, RFLAGS_CF | RFLAGS_ZF);
}

static void test_sar_r16_by_31_in_protected_mode_fills_sign(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x8000;
    REG(RCX) = 31;
    assert_int_equal(isa_run(m, "66 d3 f8" /* sar ax, cl */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xffff);
    assert_flags(m, RFLAGS_CF, RFLAGS_CF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST64(test_shl_r32_count_masked_to_5_bits),
        TEST64(test_shift_by_zero_keeps_flags_and_zero_extends_r32),
        TEST64(test_rcl_by_one_rotates_through_cf),
        TEST64(test_rcl_r8_by_9_is_identity),
        TEST64(test_rcr_r8_by_4_rotates_cf_into_bit_7),
        TEST64(test_sar_r64_by_63_replicates_sign),
        TEST64(test_shl_r8_by_8_moves_bit_0_into_cf),
        TEST64(test_shr_r8_by_20_clears_the_byte),
        TEST64(test_rol_r8_by_8_keeps_value_sets_cf_from_lsb),
        TEST64(test_ror_by_one_sets_of_from_top_bits),
        TEST64(test_shld_r32_fills_from_source),
        TEST64(test_shrd_r64_by_cl),
        TEST64(test_shl_memory_write_fault_keeps_flags),
        TEST32(test_shl_r16_by_16_in_protected_mode),
        TEST32(test_sar_r16_by_31_in_protected_mode_fills_sign),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
