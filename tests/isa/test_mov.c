/* MOV MOVZX MOVSX MOVSXD LEA XCHG CMOVcc SETcc BSWAP, the conversions,
 * LAHF/SAHF: register merging rules, address-size truncation, precise
 * faults, segment bases. */
#include "isa_test.h"

static void test_mov_r32_zero_extends_r16_r8_merge(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 0x1122334455667788ULL;
    REG(RAX) = ~0ULL;
    assert_int_equal(isa_run(m, "89 c8" /* mov eax, ecx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x55667788ULL);
    REG(RAX) = ~0ULL;
    assert_int_equal(isa_run(m, "66 89 c8" /* mov ax, cx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xffffffffffff7788ULL);
    REG(RAX) = ~0ULL;
    assert_int_equal(isa_run(m, "88 cc" /* mov ah, cl */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xffffffffffff88ffULL);
}

static void test_movzx_from_high_byte(void **state)
{
    struct isa *m = *state;
    REG(RBX) = 0xab00;
    REG(RAX) = ~0ULL;
    assert_int_equal(isa_run(m, "0f b6 c7" /* movzx eax, bh */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xab);
}

static void test_movsx_word_memory_to_r64(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, 0x8001, 2);
    assert_int_equal(isa_run(m, "48 0f bf 04 25 00 00 02 00" /* movsx rax, word [0x20000] */),
                     NO_FAULT);
    assert_int_equal(REG(RAX), 0xffffffffffff8001ULL);
}

static void test_movsxd_sign_extends_r32(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 0x12345678fffffffeULL;
    assert_int_equal(isa_run(m, "48 63 c1" /* movsxd rax, ecx */), NO_FAULT);
    assert_int_equal(REG(RAX), (uint64_t)-2);
}

static void test_lea_r32_truncates_64_bit_address(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 0x100000000ULL;
    REG(RDX) = 0x20000000ULL;
    REG(RAX) = ~0ULL;
    assert_int_equal(isa_run(m, "8d 44 d1 10" /* lea eax, [rcx+rdx*8+0x10] */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x10);
}

static void test_lea_with_address_size_32_wraps_at_4g(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 0xfffffff0ULL;
    REG(RDX) = 0x20;
    assert_int_equal(isa_run(m, "67 8d 04 11" /* lea eax, [ecx+edx] */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x10);
}

static void test_lea_r16_keeps_upper_bits(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 0xffff;
    REG(RAX) = 0xaaaaaaaaaaaaaaaaULL;
    assert_int_equal(isa_run(m, "66 8d 41 01" /* lea ax, [rcx+1] */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xaaaaaaaaaaaa0000ULL);
}

static void test_xchg_eax_eax_zero_extends_but_nop_does_not(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x1122334455667788ULL;
    assert_int_equal(isa_run(m, "90" /* nop */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x1122334455667788ULL);
    assert_int_equal(isa_run(m, "87 c0" /* xchg eax, eax */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x55667788ULL);
}

static void test_xchg_memory_fault_keeps_register(void **state)
{
    struct isa *m = *state;
    *isa_pte(m, ISA_DATA) &= ~PTE_W;
    mmu_flush_all(&m->cpu->mmu);
    REG(RCX) = 5;
    assert_int_equal(isa_run(m, "48 87 0c 25 00 00 02 00" /* xchg [0x20000], rcx */), EXC_PF);
    assert_int_equal(REG(RCX), 5);
}

static void test_cmov_false_r32_still_zero_extends(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x1122334455667788ULL;
    REG(RCX) = 1;
    isa_set_flags(m, RFLAGS_FIXED1); /* ZF = 0 */
    assert_int_equal(isa_run(m, "0f 44 c1" /* cmovz eax, ecx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x55667788ULL);
}

static void test_cmov_false_memory_source_still_faults(void **state)
{
    struct isa *m = *state;
    *isa_pte(m, ISA_DATA + 0x1000) &= ~PTE_P;
    mmu_flush_all(&m->cpu->mmu);
    isa_set_flags(m, RFLAGS_FIXED1);
    assert_int_equal(isa_run(m, "0f 44 04 25 00 10 02 00" /* cmovz eax, [0x21000] */), EXC_PF);
}

static void test_setnz_writes_high_byte_only(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xffffffffffff00ffULL;
    isa_set_flags(m, RFLAGS_FIXED1);
    assert_int_equal(isa_run(m, "0f 95 c4" /* setnz ah */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xffffffffffff01ffULL);
}

static void test_bswap_r64_and_r32(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x0102030405060708ULL;
    REG(RCX) = 0xffffffff11223344ULL;
    assert_int_equal(isa_run(m, "48 0f c8 0f c9" /* bswap rax; bswap ecx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x0807060504030201ULL);
    assert_int_equal(REG(RCX), 0x44332211ULL);
}

static void test_sign_extension_conversions(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xffffffffffff0080ULL;
    assert_int_equal(isa_run(m, "66 98" /* cbw */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xffffffffffffff80ULL);
    REG(RAX) = 0x12345678ffff8000ULL;
    assert_int_equal(isa_run(m, "98" /* cwde */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xffff8000ULL);
    assert_int_equal(isa_run(m, "48 98" /* cdqe */), NO_FAULT);
    assert_int_equal(REG(RAX), 0xffffffffffff8000ULL);
    REG(RDX) = 0x1234567812345678ULL;
    assert_int_equal(isa_run(m, "66 99" /* cwd */), NO_FAULT);
    assert_int_equal(REG(RDX), 0x123456781234ffffULL);
    assert_int_equal(isa_run(m, "99" /* cdq */), NO_FAULT);
    assert_int_equal(REG(RDX), 0xffffffffULL);
    REG(RAX) = 1;
    assert_int_equal(isa_run(m, "48 99" /* cqo */), NO_FAULT);
    assert_int_equal(REG(RDX), 0);
}

static void test_lahf_sahf_round_trip_low_flags(void **state)
{
    struct isa *m = *state;
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_SF | RFLAGS_CF | RFLAGS_OF);
    REG(RAX) = 0;
    assert_int_equal(isa_run(m, "9f" /* lahf */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x8300); /* SF, bit 1, CF */
    REG(RAX) = 0xd500;                  /* SF ZF AF PF CF */
    assert_int_equal(isa_run(m, "9e" /* sahf */), NO_FAULT);
    assert_int_equal(isa_flags(m) & (RFLAGS_ARITH), RFLAGS_ARITH); /* OF untouched (set) */
}

static void test_mov_moffs_with_64_bit_address(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, 0x5a, 1);
    assert_int_equal(isa_run(m, "a0 00 00 02 00 00 00 00 00" /* movabs al, [0x20000] */), NO_FAULT);
    assert_int_equal(REG(RAX) & 0xff, 0x5a);
}

static void test_fs_override_adds_fs_base_in_64_bit_mode(void **state)
{
    struct isa *m = *state;
    struct seg fs = m->cpu->seg[SEG_FS];
    cpu_load_seg_raw(m->cpu, SEG_FS, fs.sel, ISA_DATA, fs.limit, fs.attr);
    isa_poke(m, ISA_DATA + 0x10, 0x1234, 8);
    assert_int_equal(isa_run(m, "64 48 8b 04 25 10 00 00 00" /* mov rax, fs:[0x10] */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x1234);
}

static void test_ds_base_is_ignored_in_64_bit_mode(void **state)
{
    struct isa *m = *state;
    struct seg ds = m->cpu->seg[SEG_DS];
    cpu_load_seg_raw(m->cpu, SEG_DS, ds.sel, 0x1000, 0xfff, ds.attr);
    assert_int_equal(isa_run(m, "c6 04 25 00 00 02 00 ff" /* mov byte [0x20000], 0xff */),
                     NO_FAULT);
    assert_int_equal(isa_peek(m, ISA_DATA, 1), 0xff);
}

static void test_mov_to_non_canonical_address_raises_gp(void **state)
{
    struct isa *m = *state;
    REG(RBX) = 0x0000800000000000ULL;
    assert_int_equal(isa_run(m, "88 03" /* mov [rbx], al */), EXC_GP);
}

static void test_mov_rsp_based_non_canonical_raises_ss(void **state)
{
    struct isa *m = *state;
    REG(RSP) = 0x0000800000000000ULL;
    assert_int_equal(isa_run(m, "8b 04 24" /* mov eax, [rsp] */), EXC_SS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST64(test_mov_r32_zero_extends_r16_r8_merge),
        TEST64(test_movzx_from_high_byte),
        TEST64(test_movsx_word_memory_to_r64),
        TEST64(test_movsxd_sign_extends_r32),
        TEST64(test_lea_r32_truncates_64_bit_address),
        TEST64(test_lea_with_address_size_32_wraps_at_4g),
        TEST64(test_lea_r16_keeps_upper_bits),
        TEST64(test_xchg_eax_eax_zero_extends_but_nop_does_not),
        TEST64(test_xchg_memory_fault_keeps_register),
        TEST64(test_cmov_false_r32_still_zero_extends),
        TEST64(test_cmov_false_memory_source_still_faults),
        TEST64(test_setnz_writes_high_byte_only),
        TEST64(test_bswap_r64_and_r32),
        TEST64(test_sign_extension_conversions),
        TEST64(test_lahf_sahf_round_trip_low_flags),
        TEST64(test_mov_moffs_with_64_bit_address),
        TEST64(test_fs_override_adds_fs_base_in_64_bit_mode),
        TEST64(test_ds_base_is_ignored_in_64_bit_mode),
        TEST64(test_mov_to_non_canonical_address_raises_gp),
        TEST64(test_mov_rsp_based_non_canonical_raises_ss),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
