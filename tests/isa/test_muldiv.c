/* MUL, IMUL (1-, 2-, 3-operand), DIV, IDIV: results per the SDM's
 * "Operation" sections, CF/OF, #DE for zero divisors and quotient overflow
 * with no partial state, 32-bit zero extension and 8-bit AH:AL forms. */
#include "isa_test.h"

#define CF_OF (RFLAGS_CF | RFLAGS_OF)

static void test_mul_r64_puts_high_half_in_rdx_and_sets_cf_of(void **state)
{
    struct isa *m = *state;
    REG(RAX) = ~0ULL;
    REG(RCX) = 2;
    assert_int_equal(isa_run(m, "48 f7 e1" /* mul rcx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xfffffffffffffffeULL);
    assert_int_equal(REG(RDX), 1);
    assert_flags(m, CF_OF, CF_OF);
}

static void test_mul_small_product_clears_cf_of(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 1000;
    REG(RCX) = 1000;
    REG(RDX) = 0x1234;
    isa_set_flags(m, RFLAGS_FIXED1 | CF_OF);
    assert_int_equal(isa_run(m, "48 f7 e1" /* mul rcx */), NO_FAULT);
    assert_int_equal(REG(RAX), 1000000);
    assert_int_equal(REG(RDX), 0);
    assert_flags(m, CF_OF, 0);
}

static void test_mul_r8_writes_ax_only(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x1122334455667780ULL; /* AL = 0x80 */
    REG(RCX) = 0x03;
    REG(RDX) = 0x99;
    assert_int_equal(isa_run(m, "f6 e1" /* mul cl */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x1122334455660180ULL);
    assert_int_equal(REG(RDX), 0x99);
    assert_flags(m, CF_OF, CF_OF);
}

static void test_mul_r32_zero_extends_rax_and_rdx(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xaaaaaaaa80000000ULL;
    REG(RCX) = 0xbbbbbbbb00000002ULL;
    REG(RDX) = 0xccccccccccccccccULL;
    assert_int_equal(isa_run(m, "f7 e1" /* mul ecx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0);
    assert_int_equal(REG(RDX), 1);
    assert_flags(m, CF_OF, CF_OF);
}

static void test_imul_r64_one_operand_is_signed(void **state)
{
    struct isa *m = *state;
    REG(RAX) = ~0ULL; /* -1 */
    REG(RCX) = ~0ULL;
    assert_int_equal(isa_run(m, "48 f7 e9" /* imul rcx */), NO_FAULT);
    assert_int_equal(REG(RAX), 1);
    assert_int_equal(REG(RDX), 0);
    assert_flags(m, CF_OF, 0);
}

static void test_imul_r64_one_operand_negative_product_sign_extends_into_rdx(void **state)
{
    struct isa *m = *state;
    REG(RAX) = (uint64_t)-3;
    REG(RCX) = 5;
    assert_int_equal(isa_run(m, "48 f7 e9" /* imul rcx */), NO_FAULT);
    assert_int_equal(REG(RAX), (uint64_t)-15);
    assert_int_equal(REG(RDX), ~0ULL);
    assert_flags(m, CF_OF, 0);
}

static void test_imul_r16_one_operand_overflow_sets_dx_and_cf_of(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xffff4000; /* AX = 16384 */
    REG(RCX) = 4;
    REG(RDX) = 0xffffffffffff0000ULL;
    assert_int_equal(isa_run(m, "66 f7 e9" /* imul cx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xffff0000);
    assert_int_equal(REG(RDX), 0xffffffffffff0001ULL);
    assert_flags(m, CF_OF, CF_OF);
}

static void test_imul_two_operand_truncates_and_sets_cf_of(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 1ULL << 62;
    REG(RCX) = 4;
    assert_int_equal(isa_run(m, "48 0f af c1" /* imul rax, rcx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0);
    assert_flags(m, CF_OF, CF_OF);
}

static void test_imul_three_operand_sign_extends_imm8_and_zero_extends_r32(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xdeadbeefdeadbeefULL;
    REG(RCX) = 5;
    assert_int_equal(isa_run(m, "6b c1 fe" /* imul eax, ecx, -2 */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xfffffff6ULL);
    assert_flags(m, CF_OF, 0);
}

static void test_imul_three_operand_memory_source(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, (uint64_t)-7, 8);
    assert_int_equal(
        isa_run(m, "48 69 04 25 00 00 02 00 e8 03 00 00" /* imul rax, [0x20000], 1000 */),
        NO_FAULT);
    assert_int_equal(REG(RAX), (uint64_t)-7000);
    assert_flags(m, CF_OF, 0);
}

static void test_imul_r32_memory_overflow_sets_cf_of(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, 0x10000, 4);
    REG(RAX) = 0x8000;
    assert_int_equal(isa_run(m, "0f af 04 25 00 00 02 00" /* imul eax, [0x20000] */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x80000000ULL);
    assert_flags(m, CF_OF, CF_OF);
}

static void test_div_by_zero_raises_de_and_keeps_rax_rdx(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 1234;
    REG(RDX) = 5678;
    REG(RCX) = 0;
    assert_int_equal(isa_run(m, "48 f7 f1" /* div rcx */), EXC_DE);
    assert_int_equal(m->cpu->rip, ISA_CODE);
    assert_int_equal(REG(RAX), 1234);
    assert_int_equal(REG(RDX), 5678);
}

static void test_div_quotient_overflow_raises_de_and_keeps_state(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0;
    REG(RDX) = 1; /* dividend 2^64, quotient 2^64 */
    REG(RCX) = 1;
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_ZF);
    assert_int_equal(isa_run(m, "48 f7 f1" /* div rcx */), EXC_DE);
    assert_int_equal(REG(RAX), 0);
    assert_int_equal(REG(RDX), 1);
    assert_flags(m, RFLAGS_ARITH, RFLAGS_ZF);
}

static void test_div_r8_puts_quotient_in_al_remainder_in_ah(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x77770000000003e8ULL; /* AX = 1000 */
    REG(RCX) = 7;
    assert_int_equal(isa_run(m, "f6 f1" /* div cl */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x777700000000068eULL); /* AH = 6, AL = 142 */
}

static void test_div_r8_quotient_above_255_raises_de(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x100;
    REG(RCX) = 1;
    assert_int_equal(isa_run(m, "f6 f1" /* div cl */), EXC_DE);
    assert_int_equal(REG(RAX), 0x100);
}

static void test_div_r64_divides_128_bit_dividend(void **state)
{
    struct isa *m = *state;
    REG(RDX) = 1;
    REG(RAX) = 5; /* 2^64 + 5 */
    REG(RCX) = 3;
    assert_int_equal(isa_run(m, "48 f7 f1" /* div rcx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x5555555555555557ULL);
    assert_int_equal(REG(RDX), 0);
}

static void test_div_r32_zero_extends_results(void **state)
{
    struct isa *m = *state;
    REG(RDX) = 0xffffffff00000000ULL;
    REG(RAX) = 0xffffffff00000011ULL; /* EDX:EAX = 17 */
    REG(RCX) = 0xffffffff00000005ULL;
    assert_int_equal(isa_run(m, "f7 f1" /* div ecx */), NO_FAULT);
    assert_int_equal(REG(RAX), 3);
    assert_int_equal(REG(RDX), 2);
}

static void test_idiv_truncates_toward_zero_remainder_has_dividend_sign(void **state)
{
    struct isa *m = *state;
    REG(RAX) = (uint64_t)-7;
    REG(RDX) = ~0ULL;
    REG(RCX) = 2;
    assert_int_equal(isa_run(m, "48 f7 f9" /* idiv rcx */), NO_FAULT);
    assert_int_equal(REG(RAX), (uint64_t)-3);
    assert_int_equal(REG(RDX), (uint64_t)-1);
}

static void test_idiv_r32_int_min_by_minus_one_raises_de(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x80000000;
    REG(RDX) = 0xffffffff; /* EDX:EAX = -2^31 */
    REG(RCX) = 0xffffffff;
    assert_int_equal(isa_run(m, "f7 f9" /* idiv ecx */), EXC_DE);
    assert_int_equal(REG(RAX), 0x80000000);
    assert_int_equal(REG(RDX), 0xffffffff);
}

static void test_idiv_r64_most_negative_128_bit_dividend_by_minus_one_raises_de(void **state)
{
    struct isa *m = *state;
    REG(RDX) = 0x8000000000000000ULL;
    REG(RAX) = 0; /* -2^127 */
    REG(RCX) = ~0ULL;
    assert_int_equal(isa_run(m, "48 f7 f9" /* idiv rcx */), EXC_DE);
    assert_int_equal(REG(RDX), 0x8000000000000000ULL);
}

static void test_idiv_r8_negative_quotient_in_range(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xff80; /* AX = -128 */
    REG(RCX) = 1;
    assert_int_equal(isa_run(m, "f6 f9" /* idiv cl */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x0080); /* AL = -128, AH = 0 */
}

static void test_idiv_r8_quotient_128_raises_de(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xff80; /* -128 / -1 = 128 */
    REG(RCX) = 0xff;
    assert_int_equal(isa_run(m, "f6 f9" /* idiv cl */), EXC_DE);
}

static void test_idiv_r16_memory_divisor(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, (uint16_t)-10, 2);
    REG(RAX) = 1001;
    REG(RDX) = 0;
    assert_int_equal(isa_run(m, "66 f7 3c 25 00 00 02 00" /* idiv word [0x20000] */), NO_FAULT);
    assert_int_equal(REG(RAX), (uint16_t)-100);
    assert_int_equal(REG(RDX), 1);
}

static void test_div_memory_page_fault_keeps_registers(void **state)
{
    struct isa *m = *state;
    *isa_pte(m, ISA_DATA + 0x1000) &= ~PTE_P;
    mmu_flush_all(&m->cpu->mmu);
    REG(RAX) = 77;
    REG(RDX) = 0;
    assert_int_equal(isa_run(m, "48 f7 34 25 00 10 02 00" /* div qword [0x21000] */), EXC_PF);
    assert_int_equal(m->cpu->cr2, ISA_DATA + 0x1000);
    assert_int_equal(REG(RAX), 77);
}

static void test_div_r32_in_protected_mode(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 100;
    REG(RDX) = 0;
    REG(RCX) = 7;
    assert_int_equal(isa_run(m, "f7 f1" /* div ecx */), NO_FAULT);
    assert_int_equal(REG(RAX), 14);
    assert_int_equal(REG(RDX), 2);
}

static void test_idiv_r16_in_protected_mode_keeps_upper_halves(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xabcd0000u | (uint16_t)-9;
    REG(RDX) = 0x1234ffffu;
    REG(RCX) = 2;
    assert_int_equal(isa_run(m, "66 f7 f9" /* idiv cx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xabcd0000u | (uint16_t)-4);
    assert_int_equal(REG(RDX), 0x1234ffffu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST64(test_mul_r64_puts_high_half_in_rdx_and_sets_cf_of),
        TEST64(test_mul_small_product_clears_cf_of),
        TEST64(test_mul_r8_writes_ax_only),
        TEST64(test_mul_r32_zero_extends_rax_and_rdx),
        TEST64(test_imul_r64_one_operand_is_signed),
        TEST64(test_imul_r64_one_operand_negative_product_sign_extends_into_rdx),
        TEST64(test_imul_r16_one_operand_overflow_sets_dx_and_cf_of),
        TEST64(test_imul_two_operand_truncates_and_sets_cf_of),
        TEST64(test_imul_three_operand_sign_extends_imm8_and_zero_extends_r32),
        TEST64(test_imul_three_operand_memory_source),
        TEST64(test_imul_r32_memory_overflow_sets_cf_of),
        TEST64(test_div_by_zero_raises_de_and_keeps_rax_rdx),
        TEST64(test_div_quotient_overflow_raises_de_and_keeps_state),
        TEST64(test_div_r8_puts_quotient_in_al_remainder_in_ah),
        TEST64(test_div_r8_quotient_above_255_raises_de),
        TEST64(test_div_r64_divides_128_bit_dividend),
        TEST64(test_div_r32_zero_extends_results),
        TEST64(test_idiv_truncates_toward_zero_remainder_has_dividend_sign),
        TEST64(test_idiv_r32_int_min_by_minus_one_raises_de),
        TEST64(test_idiv_r64_most_negative_128_bit_dividend_by_minus_one_raises_de),
        TEST64(test_idiv_r8_negative_quotient_in_range),
        TEST64(test_idiv_r8_quotient_128_raises_de),
        TEST64(test_idiv_r16_memory_divisor),
        TEST64(test_div_memory_page_fault_keeps_registers),
        TEST32(test_div_r32_in_protected_mode),
        TEST32(test_idiv_r16_in_protected_mode_keeps_upper_halves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
