/* ADD ADC SUB SBB AND OR XOR CMP TEST INC DEC NEG NOT: flags per the SDM,
 * operand-size merging (8/16-bit keep, 32-bit zero-extends), high-byte
 * registers, precise faults on memory destinations, 16-bit addressing and
 * segment limits in protected mode, and the 0x40 opcodes as INC/DEC outside
 * 64-bit mode. */
#include "isa_test.h"

static void test_add_al_0x80_plus_0x80_sets_cf_of_zf_pf(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x1234567890abcd80ULL;
    assert_int_equal(isa_run(m, "04 80" /* add al, 0x80 */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x1234567890abcd00ULL);
    assert_flags(m, RFLAGS_ARITH, RFLAGS_CF | RFLAGS_OF | RFLAGS_ZF | RFLAGS_PF);
}

static void test_adc_r32_adds_carry_and_zero_extends(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xaaaaaaaaffffffffULL;
    REG(RCX) = 0;
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_CF);
    assert_int_equal(isa_run(m, "11 c8" /* adc eax, ecx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0);
    assert_flags(m, RFLAGS_ARITH, RFLAGS_CF | RFLAGS_ZF | RFLAGS_PF | RFLAGS_AF);
}

static void test_sbb_high_byte_borrows_through_af(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x1000; /* AH = 0x10 */
    REG(RBX) = 0x0f;   /* BL */
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_CF);
    assert_int_equal(isa_run(m, "18 dc" /* sbb ah, bl */), NO_FAULT);
    assert_int_equal(REG(RAX), 0);
    assert_flags(m, RFLAGS_ARITH, RFLAGS_ZF | RFLAGS_PF | RFLAGS_AF);
}

static void test_add_memory_write_fault_keeps_flags_and_memory(void **state)
{
    struct isa *m = *state;
    *isa_pte(m, ISA_DATA + 0x1000) &= ~PTE_W;
    mmu_flush_all(&m->cpu->mmu);
    isa_poke(m, ISA_DATA + 0x1000, 5, 8);
    REG(RAX) = ~0ULL;
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_SF);
    assert_int_equal(isa_run(m, "48 01 04 25 00 10 02 00" /* add [0x21000], rax */), EXC_PF);
    assert_int_equal(m->error, PF_P | PF_W);
    assert_int_equal(isa_peek(m, ISA_DATA + 0x1000, 8), 5);
    assert_flags(m, RFLAGS_ARITH, RFLAGS_SF);
}

static void test_add_write_crossing_into_read_only_page_writes_neither(void **state)
{
    struct isa *m = *state;
    *isa_pte(m, ISA_DATA + 0x2000) &= ~PTE_W;
    mmu_flush_all(&m->cpu->mmu);
    isa_poke(m, ISA_DATA + 0x1ffc, 0x1111111111111111ULL, 8);
    REG(RAX) = 1;
    assert_int_equal(isa_run(m, "48 01 04 25 fc 1f 02 00" /* add [0x21ffc], rax */), EXC_PF);
    assert_int_equal(m->cpu->cr2, ISA_DATA + 0x2000);
    assert_int_equal(isa_peek(m, ISA_DATA + 0x1ffc, 8), 0x1111111111111111ULL);
}

static void test_add_reg_from_memory_crossing_pages(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA + 0x1ffc, 0x0102030405060708ULL, 8);
    REG(RAX) = 1;
    assert_int_equal(isa_run(m, "48 03 04 25 fc 1f 02 00" /* add rax, [0x21ffc] */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x0102030405060709ULL);
}

static void test_inc_memory_keeps_cf(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, 0xff, 1);
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_CF);
    assert_int_equal(isa_run(m, "fe 04 25 00 00 02 00" /* inc byte [0x20000] */), NO_FAULT);
    assert_int_equal(isa_peek(m, ISA_DATA, 1), 0);
    assert_flags(m, RFLAGS_ARITH, RFLAGS_CF | RFLAGS_ZF | RFLAGS_PF | RFLAGS_AF);
}

static void test_neg_zero_clears_cf_nonzero_sets_it(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0;
    assert_int_equal(isa_run(m, "48 f7 d8" /* neg rax */), NO_FAULT);
    assert_flags(m, RFLAGS_CF | RFLAGS_ZF, RFLAGS_ZF);
    REG(RAX) = 0x8000000000000000ULL;
    assert_int_equal(isa_run(m, "48 f7 d8" /* neg rax */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x8000000000000000ULL);
    assert_flags(m, RFLAGS_CF | RFLAGS_OF | RFLAGS_SF, RFLAGS_CF | RFLAGS_OF | RFLAGS_SF);
}

static void test_lock_add_to_memory(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, 41, 4);
    assert_int_equal(isa_run(m, "f0 83 04 25 00 00 02 00 01" /* lock add dword [0x20000], 1 */),
                     NO_FAULT);
    assert_int_equal(isa_peek(m, ISA_DATA, 4), 42);
}

static void test_lock_on_register_destination_raises_ud(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 7;
    assert_int_equal(isa_run(m, "f0 01 c0" /* lock add eax, eax */), EXC_UD);
    assert_int_equal(REG(RAX), 7);
}

static void test_cmp_sets_flags_without_writing(void **state)
{
    struct isa *m = *state;
    REG(RAX) = ~0ULL;
    assert_int_equal(isa_run(m, "48 83 f8 ff" /* cmp rax, -1 */), NO_FAULT);
    assert_int_equal(REG(RAX), ~0ULL);
    assert_flags(m, RFLAGS_ARITH, RFLAGS_ZF | RFLAGS_PF);
}

static void test_test_high_byte_sets_sf_clears_cf_of(void **state)
{
    struct isa *m = *state;
    REG(RBX) = 0x8000;
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_CF | RFLAGS_OF);
    assert_int_equal(isa_run(m, "84 ff" /* test bh, bh */), NO_FAULT);
    assert_flags(m, RFLAGS_CF | RFLAGS_OF | RFLAGS_SF | RFLAGS_ZF, RFLAGS_SF);
}

static void test_sub_word_memory_borrow(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, 0, 2);
    assert_int_equal(isa_run(m, "66 83 2c 25 00 00 02 00 01" /* sub word [0x20000], 1 */),
                     NO_FAULT);
    assert_int_equal(isa_peek(m, ISA_DATA, 4), 0xffff);
    assert_flags(m, RFLAGS_ARITH, RFLAGS_CF | RFLAGS_SF | RFLAGS_AF | RFLAGS_PF);
}

static void test_add_r16_in_protected_mode_keeps_upper_half(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x1234ffff;
    REG(RCX) = 2;
    assert_int_equal(isa_run(m, "66 01 c8" /* add ax, cx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x12340001);
    assert_flags(m, RFLAGS_CF | RFLAGS_ZF, RFLAGS_CF);
}

static void test_16_bit_addressing_wraps_bx_plus_si_at_64k(void **state)
{
    struct isa *m = *state;
    isa_poke(m, 0x8000, 0x10, 1);
    REG(RBX) = 0xffff;
    REG(RSI) = 0x8001;
    REG(RAX) = 0x05;
    assert_int_equal(isa_run(m, "67 00 00" /* add [bx+si], al */), NO_FAULT);
    assert_int_equal(isa_peek(m, 0x8000, 1), 0x15);
}

static void test_data_segment_limit_violation_raises_gp0(void **state)
{
    struct isa *m = *state;
    struct seg ds = m->cpu->seg[SEG_DS];
    cpu_load_seg_raw(m->cpu, SEG_DS, ds.sel, 0, 0xffff, ds.attr & ~SEG_ATTR_G);
    REG(RCX) = 3;
    assert_int_equal(isa_run(m, "03 0d 00 00 02 00" /* add ecx, [0x20000] */), EXC_GP);
    assert_int_equal(m->error, 0);
    assert_int_equal(REG(RCX), 3);
}

static void test_data_segment_base_is_added(void **state)
{
    struct isa *m = *state;
    struct seg ds = m->cpu->seg[SEG_DS];
    cpu_load_seg_raw(m->cpu, SEG_DS, ds.sel, 0x10000, 0xffffffff, ds.attr);
    isa_poke(m, ISA_DATA + 0x10000, 9, 4);
    REG(RCX) = 1;
    assert_int_equal(isa_run(m, "03 0d 00 00 02 00" /* add ecx, [0x20000] */), NO_FAULT);
    assert_int_equal(REG(RCX), 10);
}

static void test_bp_based_address_beyond_stack_limit_raises_ss(void **state)
{
    struct isa *m = *state;
    struct seg ss = m->cpu->seg[SEG_SS];
    cpu_load_seg_raw(m->cpu, SEG_SS, ss.sel, 0, 0xfff, ss.attr & ~SEG_ATTR_G);
    REG(RBP) = 0x2000;
    REG(RDI) = 0;
    assert_int_equal(isa_run(m, "67 8a 63 04" /* mov ah, [bp+di+4] */), EXC_SS);
}

static void test_opcode_0x40_is_inc_eax_in_compat_mode(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x7fffffff;
    assert_int_equal(isa_run(m, "40" /* inc eax */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x80000000);
    assert_flags(m, RFLAGS_OF | RFLAGS_SF, RFLAGS_OF | RFLAGS_SF);
}

static void test_opcode_0x48_is_dec_eax_in_protected_mode(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0;
    assert_int_equal(isa_run(m, "48" /* dec eax */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xffffffff);
    assert_flags(m, RFLAGS_SF | RFLAGS_ZF, RFLAGS_SF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST64(test_add_al_0x80_plus_0x80_sets_cf_of_zf_pf),
        TEST64(test_adc_r32_adds_carry_and_zero_extends),
        TEST64(test_sbb_high_byte_borrows_through_af),
        TEST64(test_add_memory_write_fault_keeps_flags_and_memory),
        TEST64(test_add_write_crossing_into_read_only_page_writes_neither),
        TEST64(test_add_reg_from_memory_crossing_pages),
        TEST64(test_inc_memory_keeps_cf),
        TEST64(test_neg_zero_clears_cf_nonzero_sets_it),
        TEST64(test_lock_add_to_memory),
        TEST64(test_lock_on_register_destination_raises_ud),
        TEST64(test_cmp_sets_flags_without_writing),
        TEST64(test_test_high_byte_sets_sf_clears_cf_of),
        TEST64(test_sub_word_memory_borrow),
        TEST32(test_add_r16_in_protected_mode_keeps_upper_half),
        TEST32(test_16_bit_addressing_wraps_bx_plus_si_at_64k),
        TEST32(test_data_segment_limit_violation_raises_gp0),
        TEST32(test_data_segment_base_is_added),
        TEST32(test_bp_based_address_beyond_stack_limit_raises_ss),
        TEST_COMPAT(test_opcode_0x40_is_inc_eax_in_compat_mode),
        TEST32(test_opcode_0x48_is_dec_eax_in_protected_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
