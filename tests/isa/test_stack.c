/* PUSH POP PUSHF POPF PUSHA POPA ENTER LEAVE: sizes, PUSH/POP of RSP,
 * POP m addressing after the increment, RFLAGS images, precise faults
 * (RSP unchanged, no partial frame), 16-bit stacks wrapping SP. */
#include "isa_test.h"

#define STACK_PAGE (ISA_STACK_TOP - 0x1000)

static void test_push_pop_round_trip(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x1122334455667788ULL;
    assert_int_equal(isa_run(m, "50 59" /* push rax; pop rcx */), NO_FAULT);
    assert_int_equal(REG(RCX), 0x1122334455667788ULL);
    assert_int_equal(REG(RSP), ISA_STACK_TOP);
}

static void test_push_imm8_is_sign_extended_to_64_bits(void **state)
{
    struct isa *m = *state;
    assert_int_equal(isa_run(m, "6a ff" /* push -1 */), NO_FAULT);
    assert_int_equal(REG(RSP), ISA_STACK_TOP - 8);
    assert_int_equal(isa_peek(m, ISA_STACK_TOP - 8, 8), ~0ULL);
}

static void test_push_r16_moves_rsp_by_two(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xbeef;
    assert_int_equal(isa_run(m, "66 50" /* push ax */), NO_FAULT);
    assert_int_equal(REG(RSP), ISA_STACK_TOP - 2);
    assert_int_equal(isa_peek(m, ISA_STACK_TOP - 2, 2), 0xbeef);
}

static void test_push_rsp_pushes_old_value_pop_rsp_loads_it(void **state)
{
    struct isa *m = *state;
    assert_int_equal(isa_run(m, "54" /* push rsp */), NO_FAULT);
    assert_int_equal(isa_peek(m, ISA_STACK_TOP - 8, 8), ISA_STACK_TOP);
    isa_poke(m, ISA_STACK_TOP - 8, 0x12340, 8);
    assert_int_equal(isa_run(m, "5c" /* pop rsp */), NO_FAULT);
    assert_int_equal(REG(RSP), 0x12340);
}

static void test_pop_memory_addresses_with_incremented_rsp(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_STACK_TOP, 0xabc, 8);
    assert_int_equal(isa_run(m, "8f 44 24 08" /* pop qword [rsp+8] */), NO_FAULT);
    assert_int_equal(REG(RSP), ISA_STACK_TOP + 8);
    assert_int_equal(isa_peek(m, ISA_STACK_TOP + 16, 8), 0xabc);
}

static void test_push_to_not_present_stack_faults_and_keeps_rsp(void **state)
{
    struct isa *m = *state;
    *isa_pte(m, STACK_PAGE) &= ~PTE_P;
    mmu_flush_all(&m->cpu->mmu);
    assert_int_equal(isa_run(m, "ff 34 25 00 00 02 00" /* push qword [0x20000] */), EXC_PF);
    assert_int_equal(m->cpu->cr2, ISA_STACK_TOP - 8);
    assert_int_equal(REG(RSP), ISA_STACK_TOP);
}

static void test_popfq_loads_flags_and_pushfq_stores_them(void **state)
{
    struct isa *m = *state;
    /* push 0x200cd7 (ID, OF, DF, SF, ZF, AF, PF, CF, bit 1); popfq; pushfq */
    assert_int_equal(isa_run(m, "68 d7 0c 20 00 9d 9c"), NO_FAULT);
    assert_int_equal(isa_flags(m), 0x200cd7);
    assert_int_equal(isa_peek(m, ISA_STACK_TOP - 8, 8), 0x200cd7);
}

static void test_popf_cannot_set_vm_or_rf(void **state)
{
    struct isa *m = *state;
    /* push 0x30002 (VM, RF, bit 1); popfq */
    assert_int_equal(isa_run(m, "68 02 00 03 00 9d"), NO_FAULT);
    assert_int_equal(isa_flags(m) & (RFLAGS_VM | RFLAGS_RF), 0);
}

static void test_enter_level_0_builds_frame(void **state)
{
    struct isa *m = *state;
    REG(RBP) = 0x5555;
    assert_int_equal(isa_run(m, "c8 10 00 00" /* enter 16, 0 */), NO_FAULT);
    assert_int_equal(REG(RBP), ISA_STACK_TOP - 8);
    assert_int_equal(REG(RSP), ISA_STACK_TOP - 8 - 16);
    assert_int_equal(isa_peek(m, ISA_STACK_TOP - 8, 8), 0x5555);
}

static void test_enter_level_2_copies_one_frame_pointer(void **state)
{
    struct isa *m = *state;
    REG(RBP) = ISA_DATA + 0x100;
    isa_poke(m, ISA_DATA + 0xf8, 0x7777, 8);
    assert_int_equal(isa_run(m, "c8 08 00 02" /* enter 8, 2 */), NO_FAULT);
    uint64_t frame = ISA_STACK_TOP - 8;
    assert_int_equal(isa_peek(m, frame, 8), ISA_DATA + 0x100);
    assert_int_equal(isa_peek(m, frame - 8, 8), 0x7777);
    assert_int_equal(isa_peek(m, frame - 16, 8), frame);
    assert_int_equal(REG(RBP), frame);
    assert_int_equal(REG(RSP), frame - 16 - 8);
}

static void test_enter_fault_part_way_writes_nothing(void **state)
{
    struct isa *m = *state;
    *isa_pte(m, STACK_PAGE - 0x1000) &= ~PTE_W;
    mmu_flush_all(&m->cpu->mmu);
    isa_poke(m, STACK_PAGE, 0x1234, 8);
    REG(RSP) = STACK_PAGE + 8; /* the first push fits, the second does not */
    REG(RBP) = ISA_DATA + 0x100;
    assert_int_equal(isa_run(m, "c8 00 00 02" /* enter 0, 2 */), EXC_PF);
    assert_int_equal(isa_peek(m, STACK_PAGE, 8), 0x1234);
    assert_int_equal(REG(RSP), STACK_PAGE + 8);
    assert_int_equal(REG(RBP), ISA_DATA + 0x100);
}

static void test_leave_restores_rsp_and_rbp(void **state)
{
    struct isa *m = *state;
    REG(RBP) = ISA_STACK_TOP - 0x40;
    isa_poke(m, ISA_STACK_TOP - 0x40, 0x999, 8);
    assert_int_equal(isa_run(m, "c9" /* leave */), NO_FAULT);
    assert_int_equal(REG(RSP), ISA_STACK_TOP - 0x38);
    assert_int_equal(REG(RBP), 0x999);
}

static void test_pushad_stores_original_esp_popad_skips_it(void **state)
{
    struct isa *m = *state;
    for (unsigned r = RAX; r <= RDI; r++)
        if (r != RSP) REG(r) = 0x100 + r;
    assert_int_equal(isa_run(m, "60" /* pushad */), NO_FAULT);
    assert_int_equal(REG(RSP), ISA_STACK_TOP - 32);
    assert_int_equal(isa_peek(m, ISA_STACK_TOP - 4, 4), 0x100 + RAX);
    assert_int_equal(isa_peek(m, ISA_STACK_TOP - 20, 4), ISA_STACK_TOP); /* ESP slot */
    assert_int_equal(isa_peek(m, ISA_STACK_TOP - 32, 4), 0x100 + RDI);
    isa_poke(m, ISA_STACK_TOP - 20, 0x4444, 4);
    for (unsigned r = RAX; r <= RDI; r++)
        if (r != RSP) REG(r) = 0;
    assert_int_equal(isa_run(m, "61" /* popad */), NO_FAULT);
    assert_int_equal(REG(RSP), ISA_STACK_TOP);
    assert_int_equal(REG(RBX), 0x100 + RBX);
    assert_int_equal(REG(RDI), 0x100 + RDI);
}

static void test_16_bit_stack_wraps_sp_and_keeps_upper_esp(void **state)
{
    struct isa *m = *state;
    struct seg ss = m->cpu->seg[SEG_SS];
    cpu_load_seg_raw(m->cpu, SEG_SS, ss.sel, 0x30000, 0xffff,
                     ss.attr & ~(SEG_ATTR_DB | SEG_ATTR_G));
    REG(RSP) = 0xabcd0000;
    REG(RAX) = 0x4242;
    assert_int_equal(isa_run(m, "66 50" /* push ax */), NO_FAULT);
    assert_int_equal(REG(RSP), 0xabcdfffe);
    assert_int_equal(isa_peek(m, 0x3fffe, 2), 0x4242);
}

static void test_push_r32_in_compat_mode(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0x11111111deadbeefULL;
    assert_int_equal(isa_run(m, "50" /* push eax */), NO_FAULT);
    assert_int_equal(REG(RSP), ISA_STACK_TOP - 4);
    assert_int_equal(isa_peek(m, ISA_STACK_TOP - 4, 4), 0xdeadbeef);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST64(test_push_pop_round_trip),
        TEST64(test_push_imm8_is_sign_extended_to_64_bits),
        TEST64(test_push_r16_moves_rsp_by_two),
        TEST64(test_push_rsp_pushes_old_value_pop_rsp_loads_it),
        TEST64(test_pop_memory_addresses_with_incremented_rsp),
        TEST64(test_push_to_not_present_stack_faults_and_keeps_rsp),
        TEST64(test_popfq_loads_flags_and_pushfq_stores_them),
        TEST64(test_popf_cannot_set_vm_or_rf),
        TEST64(test_enter_level_0_builds_frame),
        TEST64(test_enter_level_2_copies_one_frame_pointer),
        TEST64(test_enter_fault_part_way_writes_nothing),
        TEST64(test_leave_restores_rsp_and_rbp),
        TEST32(test_pushad_stores_original_esp_popad_skips_it),
        TEST32(test_16_bit_stack_wraps_sp_and_keeps_upper_esp),
        TEST_COMPAT(test_push_r32_in_compat_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
