/* BT BTS BTR BTC (register, immediate and bit-string memory forms), BSF BSR,
 * LZCNT TZCNT POPCNT. Expected values from the SDM's definitions. */
#include "isa_test.h"

static void test_bt_reg_reg_copies_bit_to_cf_and_keeps_zf(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 1ULL << 40;
    REG(RCX) = 40 + 64; /* the offset is taken modulo 64 */
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_ZF);
    assert_int_equal(isa_run(m, "48 0f a3 c8" /* bt rax, rcx */), NO_FAULT);
    assert_flags(m, RFLAGS_CF | RFLAGS_ZF, RFLAGS_CF | RFLAGS_ZF);
    assert_int_equal(REG(RAX), 1ULL << 40);
}

static void test_bt_imm_offset_is_taken_modulo_operand_width(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xfffffff7ULL | (1ULL << 35); /* bit 3 clear */
    assert_int_equal(isa_run(m, "0f ba e0 23" /* bt eax, 35 */), NO_FAULT);
    assert_flags(m, RFLAGS_CF, 0);
}

static void test_bts_sets_bit_and_reports_old_value(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0;
    assert_int_equal(isa_run(m, "48 0f ba e8 3f" /* bts rax, 63 */), NO_FAULT);
    assert_int_equal(REG(RAX), 1ULL << 63);
    assert_flags(m, RFLAGS_CF, 0);
}

static void test_btr_r16_clears_bit_and_keeps_upper_bits(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xffffffffffffffffULL;
    REG(RCX) = 0x1f; /* 31 mod 16 = 15 */
    assert_int_equal(isa_run(m, "66 0f b3 c8" /* btr ax, cx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xffffffffffff7fffULL);
    assert_flags(m, RFLAGS_CF, RFLAGS_CF);
}

static void test_btc_memory_imm_complements_bit(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, 0x20, 8);
    assert_int_equal(isa_run(m, "48 0f ba 3c 25 00 00 02 00 05" /* btc qword [0x20000], 5 */),
                     NO_FAULT);
    assert_int_equal(isa_peek(m, ISA_DATA, 8), 0);
    assert_flags(m, RFLAGS_CF, RFLAGS_CF);
}

static void test_bt_memory_imm_offset_stays_inside_operand(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA + 0x100, 2, 4); /* bit 33 mod 32 = 1 */
    isa_poke(m, ISA_DATA + 0x104, 0, 4); /* bit 33 of a bit string would be here */
    assert_int_equal(isa_run(m, "0f ba 24 25 00 01 02 00 21" /* bt dword [0x20100], 33 */),
                     NO_FAULT);
    assert_flags(m, RFLAGS_CF, RFLAGS_CF);
}

static void test_bt_memory_reg_offset_addresses_beyond_operand(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA + 0x100 + 12, 1u << 5, 4); /* bit 101 = dword 3, bit 5 */
    REG(RCX) = 101;
    assert_int_equal(isa_run(m, "0f a3 0c 25 00 01 02 00" /* bt dword [0x20100], ecx */), NO_FAULT);
    assert_flags(m, RFLAGS_CF, RFLAGS_CF);
}

static void test_bts_memory_negative_reg_offset_addresses_below_operand(void **state)
{
    struct isa *m = *state;
    REG(RCX) = (uint64_t)-1; /* the last bit of the qword below */
    assert_int_equal(isa_run(m, "48 0f ab 0c 25 00 01 02 00" /* bts qword [0x20100], rcx */),
                     NO_FAULT);
    assert_int_equal(isa_peek(m, ISA_DATA + 0xf8, 8), 1ULL << 63);
    assert_int_equal(isa_peek(m, ISA_DATA + 0x100, 8), 0);
    assert_flags(m, RFLAGS_CF, 0);
}

static void test_btr_memory_r16_offset_is_sign_extended_from_16_bits(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA + 0x100 - 2, 0xffff, 2);
    REG(RCX) = 0x1234ffff; /* CX = -1: bit 15 of the word below */
    assert_int_equal(isa_run(m, "66 0f b3 0c 25 00 01 02 00" /* btr word [0x20100], cx */),
                     NO_FAULT);
    assert_int_equal(isa_peek(m, ISA_DATA + 0x100 - 2, 2), 0x7fff);
    assert_flags(m, RFLAGS_CF, RFLAGS_CF);
}

static void test_bt_memory_reg_offset_wraps_at_address_size(void **state)
{
    struct isa *m = *state;
    /* EBX + 4 * floor(-1 / 32) = 0x20000 - 4 with a 32-bit address size. */
    isa_poke(m, ISA_DATA - 4, 0x80000000u, 4);
    REG(RBX) = 0xffffffff00020000ULL; /* upper half ignored: 67 prefix */
    REG(RCX) = 0xffffffff;
    assert_int_equal(isa_run(m, "67 0f a3 0b" /* bt dword [ebx], ecx */), NO_FAULT);
    assert_flags(m, RFLAGS_CF, RFLAGS_CF);
}

static void test_bts_memory_page_fault_on_write_keeps_flags_and_memory(void **state)
{
    struct isa *m = *state;
    *isa_pte(m, ISA_DATA) &= ~PTE_W;
    mmu_flush_all(&m->cpu->mmu);
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_CF);
    assert_int_equal(
        isa_run(m, "f0 48 0f ba 2c 25 00 00 02 00 01" /* lock bts qword [0x20000], 1 */), EXC_PF);
    assert_int_equal(isa_peek(m, ISA_DATA, 8), 0);
    assert_flags(m, RFLAGS_CF, RFLAGS_CF);
}

static void test_bsf_finds_lowest_set_bit_and_clears_zf(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 0xa000000000000000ULL;
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_ZF);
    assert_int_equal(isa_run(m, "48 0f bc c1" /* bsf rax, rcx */), NO_FAULT);
    assert_int_equal(REG(RAX), 61);
    assert_flags(m, RFLAGS_ZF, 0);
}

static void test_bsf_zero_source_sets_zf_and_keeps_destination(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x1122334455667788ULL;
    REG(RCX) = 0;
    assert_int_equal(isa_run(m, "48 0f bc c1" /* bsf rax, rcx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x1122334455667788ULL);
    assert_flags(m, RFLAGS_ZF, RFLAGS_ZF);
}

static void test_bsf_r32_zero_source_keeps_low_half_and_zero_extends(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x1122334455667788ULL;
    REG(RCX) = 0xffffffff00000000ULL; /* ECX = 0 */
    assert_int_equal(isa_run(m, "0f bc c1" /* bsf eax, ecx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x55667788ULL);
    assert_flags(m, RFLAGS_ZF, RFLAGS_ZF);
}

static void test_bsr_r16_finds_highest_set_bit(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xffffffffffffffffULL;
    REG(RCX) = 0x10300; /* CX = 0x0300 */
    assert_int_equal(isa_run(m, "66 0f bd c1" /* bsr ax, cx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xffffffffffff0009ULL);
    assert_flags(m, RFLAGS_ZF, 0);
}

static void test_bsr_memory_source(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, 1, 8);
    assert_int_equal(isa_run(m, "48 0f bd 04 25 00 00 02 00" /* bsr rax, [0x20000] */), NO_FAULT);
    assert_int_equal(REG(RAX), 0);
    assert_flags(m, RFLAGS_ZF, 0);
}

static void test_lzcnt_zero_source_gives_width_and_sets_cf(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 0xffff0000ULL << 32; /* ECX = 0 */
    REG(RAX) = ~0ULL;
    assert_int_equal(isa_run(m, "f3 0f bd c1" /* lzcnt eax, ecx */), NO_FAULT);
    assert_int_equal(REG(RAX), 32);
    assert_flags(m, RFLAGS_CF | RFLAGS_ZF, RFLAGS_CF);
}

static void test_lzcnt_r64_msb_set_gives_zero_and_sets_zf(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 1ULL << 63;
    assert_int_equal(isa_run(m, "f3 48 0f bd c1" /* lzcnt rax, rcx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0);
    assert_flags(m, RFLAGS_CF | RFLAGS_ZF, RFLAGS_ZF);
}

static void test_lzcnt_r16_counts_within_16_bits(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 0xffff0001ULL;
    REG(RAX) = 0xaaaaaaaaaaaaaaaaULL;
    assert_int_equal(isa_run(m, "66 f3 0f bd c1" /* lzcnt ax, cx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xaaaaaaaaaaaa000fULL);
    assert_flags(m, RFLAGS_CF | RFLAGS_ZF, 0);
}

static void test_tzcnt_counts_trailing_zeros(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 0x80ULL << 32;
    assert_int_equal(isa_run(m, "f3 48 0f bc c1" /* tzcnt rax, rcx */), NO_FAULT);
    assert_int_equal(REG(RAX), 39);
    assert_flags(m, RFLAGS_CF | RFLAGS_ZF, 0);
}

static void test_tzcnt_r16_zero_source_gives_16_and_sets_cf(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 0x10000;
    assert_int_equal(isa_run(m, "66 f3 0f bc c1" /* tzcnt ax, cx */), NO_FAULT);
    assert_int_equal(REG(RAX) & 0xffff, 16);
    assert_flags(m, RFLAGS_CF | RFLAGS_ZF, RFLAGS_CF);
}

static void test_popcnt_counts_bits_and_clears_other_flags(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 0xf0f0f0f0f0f0f0f1ULL;
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_ARITH);
    assert_int_equal(isa_run(m, "f3 48 0f b8 c1" /* popcnt rax, rcx */), NO_FAULT);
    assert_int_equal(REG(RAX), 33);
    assert_flags(m, RFLAGS_ARITH, 0);
}

static void test_popcnt_zero_memory_source_sets_only_zf(void **state)
{
    struct isa *m = *state;
    REG(RAX) = ~0ULL;
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_CF | RFLAGS_OF);
    assert_int_equal(isa_run(m, "66 f3 0f b8 04 25 00 00 02 00" /* popcnt ax, word [0x20000] */),
                     NO_FAULT);
    assert_int_equal(REG(RAX), 0xffffffffffff0000ULL);
    assert_flags(m, RFLAGS_ARITH, RFLAGS_ZF);
}

static void test_vex_encoded_popcnt_of_knights_corner_raises_ud(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 7;
    assert_int_equal(isa_run(m, "c4 e1 7a b8 c0" /* KNC: popcnt eax, eax */), EXC_UD);
    assert_int_equal(REG(RAX), 7);
}

static void test_bt_reg_in_compat_mode(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x100;
    REG(RCX) = 8;
    assert_int_equal(isa_run(m, "0f a3 c8" /* bt eax, ecx */), NO_FAULT);
    assert_flags(m, RFLAGS_CF, RFLAGS_CF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST64(test_bt_reg_reg_copies_bit_to_cf_and_keeps_zf),
        TEST64(test_bt_imm_offset_is_taken_modulo_operand_width),
        TEST64(test_bts_sets_bit_and_reports_old_value),
        TEST64(test_btr_r16_clears_bit_and_keeps_upper_bits),
        TEST64(test_btc_memory_imm_complements_bit),
        TEST64(test_bt_memory_imm_offset_stays_inside_operand),
        TEST64(test_bt_memory_reg_offset_addresses_beyond_operand),
        TEST64(test_bts_memory_negative_reg_offset_addresses_below_operand),
        TEST64(test_btr_memory_r16_offset_is_sign_extended_from_16_bits),
        TEST64(test_bt_memory_reg_offset_wraps_at_address_size),
        TEST64(test_bts_memory_page_fault_on_write_keeps_flags_and_memory),
        TEST64(test_bsf_finds_lowest_set_bit_and_clears_zf),
        TEST64(test_bsf_zero_source_sets_zf_and_keeps_destination),
        TEST64(test_bsf_r32_zero_source_keeps_low_half_and_zero_extends),
        TEST64(test_bsr_r16_finds_highest_set_bit),
        TEST64(test_bsr_memory_source),
        TEST64(test_lzcnt_zero_source_gives_width_and_sets_cf),
        TEST64(test_lzcnt_r64_msb_set_gives_zero_and_sets_zf),
        TEST64(test_lzcnt_r16_counts_within_16_bits),
        TEST64(test_tzcnt_counts_trailing_zeros),
        TEST64(test_tzcnt_r16_zero_source_gives_16_and_sets_cf),
        TEST64(test_popcnt_counts_bits_and_clears_other_flags),
        TEST64(test_popcnt_zero_memory_source_sets_only_zf),
        TEST64(test_vex_encoded_popcnt_of_knights_corner_raises_ud),
        TEST_COMPAT(test_bt_reg_in_compat_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
