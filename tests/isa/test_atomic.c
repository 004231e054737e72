/* XADD, CMPXCHG, CMPXCHG8B, CMPXCHG16B: exchange results, flags, the
 * memory write-back on a failed compare, 16-byte alignment, and precise
 * faults. */
#include "isa_test.h"

static void test_xadd_reg_exchanges_and_adds_with_add_flags(void **state)
{
    struct isa *m = *state;
    REG(RAX) = ~0ULL;
    REG(RCX) = 1;
    assert_int_equal(isa_run(m, "48 0f c1 c8" /* xadd rax, rcx */), NO_FAULT);
    assert_int_equal(REG(RAX), 0);
    assert_int_equal(REG(RCX), ~0ULL);
    assert_flags(m, RFLAGS_CF | RFLAGS_ZF | RFLAGS_OF, RFLAGS_CF | RFLAGS_ZF);
}

static void test_xadd_same_register_leaves_the_sum(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x1234567890abcd21ULL;
    assert_int_equal(isa_run(m, "0f c0 c0" /* xadd al, al */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x1234567890abcd42ULL);
}

static void test_xadd_r32_zero_extends_both_registers(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xffffffff00000001ULL;
    REG(RCX) = 0xffffffff00000002ULL;
    assert_int_equal(isa_run(m, "0f c1 c8" /* xadd eax, ecx */), NO_FAULT);
    assert_int_equal(REG(RAX), 3);
    assert_int_equal(REG(RCX), 1);
}

static void test_xadd_memory_write_fault_keeps_register(void **state)
{
    struct isa *m = *state;
    *isa_pte(m, ISA_DATA) &= ~PTE_W;
    mmu_flush_all(&m->cpu->mmu);
    isa_poke(m, ISA_DATA, 5, 8);
    REG(RCX) = 7;
    assert_int_equal(isa_run(m, "48 0f c1 0c 25 00 00 02 00" /* xadd [0x20000], rcx */), EXC_PF);
    assert_int_equal(REG(RCX), 7);
    assert_int_equal(isa_peek(m, ISA_DATA, 8), 5);
}

static void test_cmpxchg_equal_stores_source_and_sets_zf(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 10;
    REG(RCX) = 10;
    REG(RDX) = 99;
    assert_int_equal(isa_run(m, "48 0f b1 d1" /* cmpxchg rcx, rdx */), NO_FAULT);
    assert_int_equal(REG(RCX), 99);
    assert_int_equal(REG(RAX), 10);
    assert_flags(m, RFLAGS_ARITH, RFLAGS_ZF | RFLAGS_PF);
}

static void test_cmpxchg_not_equal_loads_accumulator_with_cmp_flags(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 1;
    REG(RCX) = 2;
    REG(RDX) = 99;
    assert_int_equal(isa_run(m, "48 0f b1 d1" /* cmpxchg rcx, rdx */), NO_FAULT);
    assert_int_equal(REG(RAX), 2);
    assert_int_equal(REG(RCX), 2);
    /* 1 - 2 = -1: CF SF AF PF */
    assert_flags(m, RFLAGS_ARITH, RFLAGS_CF | RFLAGS_SF | RFLAGS_AF | RFLAGS_PF);
}

static void test_cmpxchg_r32_equal_zero_extends_destination_only(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xaaaaaaaa00000005ULL;
    REG(RCX) = 0xbbbbbbbb00000005ULL;
    REG(RDX) = 0xcccccccc00000007ULL;
    assert_int_equal(isa_run(m, "0f b1 d1" /* cmpxchg ecx, edx */), NO_FAULT);
    assert_int_equal(REG(RCX), 7);
    assert_int_equal(REG(RAX), 0xaaaaaaaa00000005ULL);
}

static void test_cmpxchg_r32_not_equal_zero_extends_accumulator_only(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xaaaaaaaa00000005ULL;
    REG(RCX) = 0xbbbbbbbb00000006ULL;
    REG(RDX) = 0xcccccccc00000007ULL;
    assert_int_equal(isa_run(m, "0f b1 d1" /* cmpxchg ecx, edx */), NO_FAULT);
    assert_int_equal(REG(RAX), 6);
    assert_int_equal(REG(RCX), 0xbbbbbbbb00000006ULL);
}

static void test_cmpxchg_r8_uses_al(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x1142;
    REG(RBX) = 0x2242;
    REG(RDX) = 0x3377;
    assert_int_equal(isa_run(m, "0f b0 d3" /* cmpxchg bl, dl */), NO_FAULT);
    assert_int_equal(REG(RBX), 0x2277);
    assert_flags(m, RFLAGS_ZF, RFLAGS_ZF);
}

static void test_cmpxchg_memory_failed_compare_still_writes_and_faults_read_only(void **state)
{
    struct isa *m = *state;
    *isa_pte(m, ISA_DATA) &= ~PTE_W;
    mmu_flush_all(&m->cpu->mmu);
    isa_poke(m, ISA_DATA, 8, 4);
    REG(RAX) = 1; /* differs from memory: no new value, but the write-back faults */
    assert_int_equal(isa_run(m, "0f b1 14 25 00 00 02 00" /* cmpxchg [0x20000], edx */), EXC_PF);
    assert_int_equal(REG(RAX), 1);
    assert_true(m->error & PF_W);
}

static void test_cmpxchg8b_equal_stores_ecx_ebx(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, 0x1111111122222222ULL, 8);
    REG(RDX) = 0x11111111;
    REG(RAX) = 0x22222222;
    REG(RCX) = 0xffffffff33333333ULL; /* upper halves are ignored */
    REG(RBX) = 0xffffffff44444444ULL;
    assert_int_equal(isa_run(m, "f0 0f c7 0c 25 00 00 02 00" /* lock cmpxchg8b [0x20000] */),
                     NO_FAULT);
    assert_int_equal(isa_peek(m, ISA_DATA, 8), 0x3333333344444444ULL);
    assert_flags(m, RFLAGS_ZF, RFLAGS_ZF);
}

static void test_cmpxchg8b_not_equal_loads_edx_eax_zero_extended(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, 0x1111111122222222ULL, 8);
    REG(RDX) = 0xffffffff00000000ULL;
    REG(RAX) = 0xffffffff00000000ULL;
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_ZF | RFLAGS_CF);
    assert_int_equal(isa_run(m, "f0 0f c7 0c 25 00 00 02 00" /* lock cmpxchg8b [0x20000] */),
                     NO_FAULT);
    assert_int_equal(REG(RDX), 0x11111111);
    assert_int_equal(REG(RAX), 0x22222222);
    assert_flags(m, RFLAGS_ZF | RFLAGS_CF, RFLAGS_CF);
}

static void test_cmpxchg16b_equal_stores_rcx_rbx(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, 1, 8);
    isa_poke(m, ISA_DATA + 8, 2, 8);
    REG(RAX) = 1;
    REG(RDX) = 2;
    REG(RBX) = 0xbbbbbbbbbbbbbbbbULL;
    REG(RCX) = 0xccccccccccccccccULL;
    assert_int_equal(isa_run(m, "48 0f c7 0c 25 00 00 02 00" /* cmpxchg16b [0x20000] */), NO_FAULT);
    assert_int_equal(isa_peek(m, ISA_DATA, 8), 0xbbbbbbbbbbbbbbbbULL);
    assert_int_equal(isa_peek(m, ISA_DATA + 8, 8), 0xccccccccccccccccULL);
    assert_flags(m, RFLAGS_ZF, RFLAGS_ZF);
}

static void test_cmpxchg16b_not_equal_loads_rdx_rax(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, 1, 8);
    isa_poke(m, ISA_DATA + 8, 2, 8);
    REG(RAX) = 1;
    REG(RDX) = 3;
    assert_int_equal(isa_run(m, "48 0f c7 0c 25 00 00 02 00" /* cmpxchg16b [0x20000] */), NO_FAULT);
    assert_int_equal(REG(RAX), 1);
    assert_int_equal(REG(RDX), 2);
    assert_flags(m, RFLAGS_ZF, 0);
}

static void test_cmpxchg16b_misaligned_raises_gp0_and_changes_nothing(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA + 8, 1, 8);
    REG(RAX) = 1;
    REG(RBX) = 5;
    assert_int_equal(isa_run(m, "48 0f c7 0c 25 08 00 02 00" /* cmpxchg16b [0x20008] */), EXC_GP);
    assert_int_equal(m->error, 0);
    assert_int_equal(isa_peek(m, ISA_DATA + 8, 8), 1);
    assert_int_equal(REG(RAX), 1);
}

static void test_cmpxchg8b_in_protected_mode(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, 0x0000000500000006ULL, 8);
    REG(RDX) = 5;
    REG(RAX) = 6;
    REG(RCX) = 7;
    REG(RBX) = 8;
    assert_int_equal(isa_run(m, "0f c7 0d 00 00 02 00" /* cmpxchg8b [0x20000] */), NO_FAULT);
    assert_int_equal(isa_peek(m, ISA_DATA, 8), 0x0000000700000008ULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST64(test_xadd_reg_exchanges_and_adds_with_add_flags),
        TEST64(test_xadd_same_register_leaves_the_sum),
        TEST64(test_xadd_r32_zero_extends_both_registers),
        TEST64(test_xadd_memory_write_fault_keeps_register),
        TEST64(test_cmpxchg_equal_stores_source_and_sets_zf),
        TEST64(test_cmpxchg_not_equal_loads_accumulator_with_cmp_flags),
        TEST64(test_cmpxchg_r32_equal_zero_extends_destination_only),
        TEST64(test_cmpxchg_r32_not_equal_zero_extends_accumulator_only),
        TEST64(test_cmpxchg_r8_uses_al),
        TEST64(test_cmpxchg_memory_failed_compare_still_writes_and_faults_read_only),
        TEST64(test_cmpxchg8b_equal_stores_ecx_ebx),
        TEST64(test_cmpxchg8b_not_equal_loads_edx_eax_zero_extended),
        TEST64(test_cmpxchg16b_equal_stores_rcx_rbx),
        TEST64(test_cmpxchg16b_not_equal_loads_rdx_rax),
        TEST64(test_cmpxchg16b_misaligned_raises_gp0_and_changes_nothing),
        TEST32(test_cmpxchg8b_in_protected_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
