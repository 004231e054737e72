/* Near control transfers: JMP, Jcc, CALL, RET [imm16], LOOP/LOOPE/LOOPNE,
 * JrCXZ. Targets are checked before anything is pushed (#GP with RIP at the
 * branch); operand size truncates EIP in legacy modes and is ignored in
 * 64-bit mode (Intel); LOOP/JrCXZ count with the address size. Each test's
 * code marks the path it took with INC RAX and stops at a HLT. */
#include "isa_test.h"

#define CANONICAL_HOLE 0x0000800000000000ULL

static void test_jmp_rel8_skips_the_hlt(void **state)
{
    struct isa *m = *state;
    assert_int_equal(isa_run(m, "eb 01 f4 48 ff c0" /* jmp +1; hlt; inc rax */), NO_FAULT);
    assert_int_equal(REG(RAX), 1);
    assert_int_equal(m->cpu->rip, ISA_CODE + 7);
}

static void test_jz_not_taken_falls_through(void **state)
{
    struct isa *m = *state;
    isa_set_flags(m, RFLAGS_FIXED1);
    assert_int_equal(isa_run(m, "74 01 f4 48 ff c0" /* jz +1; hlt; inc rax */), NO_FAULT);
    assert_int_equal(REG(RAX), 0);
    assert_int_equal(m->cpu->rip, ISA_CODE + 3);
}

static void test_jl_taken_when_sf_differs_from_of(void **state)
{
    struct isa *m = *state;
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_OF);
    assert_int_equal(isa_run(m, "7c 01 f4 48 ff c0" /* jl +1; hlt; inc rax */), NO_FAULT);
    assert_int_equal(REG(RAX), 1);
}

static void test_call_pushes_return_address_and_ret_pops_it(void **state)
{
    struct isa *m = *state;
    /* call +1; hlt; inc rax; ret */
    assert_int_equal(isa_run(m, "e8 01 00 00 00 f4 48 ff c0 c3"), NO_FAULT);
    assert_int_equal(REG(RAX), 1);
    assert_int_equal(m->cpu->rip, ISA_CODE + 6);
    assert_int_equal(REG(RSP), ISA_STACK_TOP);
    assert_int_equal(isa_peek(m, ISA_STACK_TOP - 8, 8), ISA_CODE + 5);
}

static void test_ret_imm16_releases_extra_bytes(void **state)
{
    struct isa *m = *state;
    /* call +1; hlt; ret 8 */
    assert_int_equal(isa_run(m, "e8 01 00 00 00 f4 c2 08 00"), NO_FAULT);
    assert_int_equal(REG(RSP), ISA_STACK_TOP + 8);
}

static void test_call_indirect_through_memory(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, ISA_CODE + 8, 8);
    /* call [0x20000]; hlt; inc rax; hlt */
    assert_int_equal(isa_run(m, "ff 14 25 00 00 02 00 f4 48 ff c0"), NO_FAULT);
    assert_int_equal(REG(RAX), 1);
    assert_int_equal(isa_peek(m, ISA_STACK_TOP - 8, 8), ISA_CODE + 7);
}

static void test_call_to_non_canonical_target_faults_before_pushing(void **state)
{
    struct isa *m = *state;
    REG(RAX) = CANONICAL_HOLE;
    isa_poke(m, ISA_STACK_TOP - 8, 0x5555, 8);
    assert_int_equal(isa_run(m, "ff d0" /* call rax */), EXC_GP);
    assert_int_equal(m->cpu->rip, ISA_CODE);
    assert_int_equal(REG(RSP), ISA_STACK_TOP);
    assert_int_equal(isa_peek(m, ISA_STACK_TOP - 8, 8), 0x5555);
}

static void test_jmp_to_non_canonical_target_faults_at_the_jump(void **state)
{
    struct isa *m = *state;
    REG(RAX) = CANONICAL_HOLE;
    assert_int_equal(isa_run(m, "ff e0" /* jmp rax */), EXC_GP);
    assert_int_equal(m->cpu->rip, ISA_CODE);
}

static void test_loop_decrements_rcx_and_keeps_flags(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 2;
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_ZF | RFLAGS_CF);
    assert_int_equal(isa_run(m, "e2 01 f4 48 ff c0" /* loop +1; hlt; inc rax */), NO_FAULT);
    assert_int_equal(REG(RCX), 1);
    assert_int_equal(REG(RAX), 1);
    REG(RCX) = 1;
    REG(RAX) = 0;
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_ZF | RFLAGS_CF);
    assert_int_equal(isa_run(m, "e2 01 f4 48 ff c0"), NO_FAULT);
    assert_int_equal(REG(RCX), 0);
    assert_int_equal(REG(RAX), 0);
    assert_flags(m, RFLAGS_ARITH, RFLAGS_ZF | RFLAGS_CF);
}

static void test_loope_not_taken_when_zf_clear(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 5;
    isa_set_flags(m, RFLAGS_FIXED1);
    assert_int_equal(isa_run(m, "e1 01 f4 48 ff c0" /* loope +1; hlt; inc rax */), NO_FAULT);
    assert_int_equal(REG(RCX), 4);
    assert_int_equal(REG(RAX), 0);
}

static void test_jecxz_tests_ecx_and_jrcxz_tests_rcx(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 0x100000000ULL;
    assert_int_equal(isa_run(m, "67 e3 01 f4 48 ff c0" /* jecxz +1; hlt; inc rax */), NO_FAULT);
    assert_int_equal(REG(RAX), 1);
    REG(RAX) = 0;
    assert_int_equal(isa_run(m, "e3 01 f4 48 ff c0" /* jrcxz +1; hlt; inc rax */), NO_FAULT);
    assert_int_equal(REG(RAX), 0);
}

static void test_operand_size_prefix_is_ignored_by_jmp_in_64_bit_mode(void **state)
{
    struct isa *m = *state;
    /* Intel: near branches are 64-bit whatever the 66 prefix says. */
    assert_int_equal(isa_run(m, "66 eb 01 f4 48 ff c0" /* jmp +1; hlt; inc rax */), NO_FAULT);
    assert_int_equal(REG(RAX), 1);
    assert_int_equal(m->cpu->rip, ISA_CODE + 8);
}

static void test_jmp_ax_truncates_eip_to_16_bits(void **state)
{
    struct isa *m = *state;
    isa_poke(m, 0x20, 0xf4, 1); /* hlt at 0x0020 */
    REG(RAX) = ISA_CODE + 0x20;
    assert_int_equal(isa_run(m, "66 ff e0" /* jmp ax */), NO_FAULT);
    assert_int_equal(m->cpu->rip, 0x21);
}

static void test_jmp_beyond_cs_limit_raises_gp(void **state)
{
    struct isa *m = *state;
    struct seg cs = m->cpu->seg[SEG_CS];
    cpu_load_seg_raw(m->cpu, SEG_CS, cs.sel, 0, 0x1ffff, cs.attr & ~SEG_ATTR_G);
    REG(RAX) = 0x20000;
    assert_int_equal(isa_run(m, "ff e0" /* jmp eax */), EXC_GP);
    assert_int_equal(m->cpu->rip, ISA_CODE);
}

static void test_call_ax_pushes_two_bytes(void **state)
{
    struct isa *m = *state;
    isa_poke(m, 0x30, 0xf4, 1);
    REG(RAX) = 0x30;
    assert_int_equal(isa_run(m, "66 ff d0" /* call ax */), NO_FAULT);
    assert_int_equal(REG(RSP), ISA_STACK_TOP - 2);
    assert_int_equal(isa_peek(m, ISA_STACK_TOP - 2, 2), (ISA_CODE + 3) & 0xffff);
}

static void test_loop_with_address_size_16_counts_cx(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 0x10001; /* CX = 1 */
    assert_int_equal(isa_run(m, "67 e2 01 f4 40" /* loop (cx) +1; hlt; inc eax */), NO_FAULT);
    assert_int_equal(REG(RCX), 0x10000);
    assert_int_equal(REG(RAX), 0);
}

static void test_ret_in_compat_mode_pops_four_bytes(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_STACK_TOP, ISA_CODE + 2, 4);
    isa_poke(m, ISA_STACK_TOP + 4, 0xdeadbeef, 4);
    assert_int_equal(isa_run(m, "c3 f4 40" /* ret; hlt; inc eax */), NO_FAULT);
    assert_int_equal(REG(RAX), 1);
    assert_int_equal(REG(RSP), ISA_STACK_TOP + 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST64(test_jmp_rel8_skips_the_hlt),
        TEST64(test_jz_not_taken_falls_through),
        TEST64(test_jl_taken_when_sf_differs_from_of),
        TEST64(test_call_pushes_return_address_and_ret_pops_it),
        TEST64(test_ret_imm16_releases_extra_bytes),
        TEST64(test_call_indirect_through_memory),
        TEST64(test_call_to_non_canonical_target_faults_before_pushing),
        TEST64(test_jmp_to_non_canonical_target_faults_at_the_jump),
        TEST64(test_loop_decrements_rcx_and_keeps_flags),
        TEST64(test_loope_not_taken_when_zf_clear),
        TEST64(test_jecxz_tests_ecx_and_jrcxz_tests_rcx),
        TEST64(test_operand_size_prefix_is_ignored_by_jmp_in_64_bit_mode),
        TEST32(test_jmp_ax_truncates_eip_to_16_bits),
        TEST32(test_jmp_beyond_cs_limit_raises_gp),
        TEST32(test_call_ax_pushes_two_bytes),
        TEST32(test_loop_with_address_size_16_counts_cx),
        TEST_COMPAT(test_ret_in_compat_mode_pops_four_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
