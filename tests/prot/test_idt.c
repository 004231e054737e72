/* Interrupt and exception delivery (SDM Vol. 2 INT n "Operation"; Vol. 3
 * §6.12-6.15, Tables 6-4/6-5 for double faults). */
#include "harness.h"

SNIPPET(div0_64, "xor %ecx, %ecx\n div %ecx\n hlt");
SNIPPET(ud2_64, "ud2\n hlt");
SNIPPET(int3_64, "int3\n hlt");
SNIPPET(int80_64, "int $0x80\n hlt");
SNIPPET(int13_64, "int $13\n hlt");
SNIPPET(int1_64, ".byte 0xf1\n hlt");
SNIPPET(into32, ".code32\n mov $0x7fffffff, %eax\n add $1, %eax\n into\n hlt");
SNIPPET(touch_rbx64, "mov (%rbx), %rax\n hlt");
SNIPPET(int20_32, ".code32\n int $0x20\n hlt");
SNIPPET(int10_real, ".code16\n int $0x10\n hlt");
SNIPPET(sti_int3_64, "sti\n int3\n hlt");

static struct th *at64(const uint8_t *s, const uint8_t *e)
{
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, s, e);
    return t;
}

static uint64_t gate_target(unsigned v)
{
    return TH_STUBS + 16 * v;
}

/* #DE is a fault: the frame's RIP is the DIV; no error code; RF = 1 in the
 * pushed RFLAGS (a fault-class exception, Vol. 3 §17.3.1.1). */
static void test_divide_error_frame_points_at_div(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(div0_64));
    th_expect_fault(t, EXC_DE, EXC_NO_ERROR);
    assert_int_equal(th_stack(t, 0), TH_CODE + 2);
    assert_int_equal(th_stack(t, 1), TH_KCODE64);
    assert_true(th_stack(t, 2) & RFLAGS_RF);
    assert_int_equal(th_stack(t, 3), TH_KSTACK);
    assert_int_equal(th_stack(t, 4), TH_KDATA);
    th_free(t);
}

static void test_ud2_raises_ud_at_ud2(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(ud2_64));
    th_expect_fault(t, EXC_UD, EXC_NO_ERROR);
    assert_int_equal(th_stack(t, 0), TH_CODE);
    th_free(t);
}

/* INT3 from ring 3 through a DPL 3 gate: a trap (RIP = next), stack from
 * TSS.RSP0, SS null with RPL 0, RF not set. */
static void test_int3_from_ring3_switches_to_rsp0(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(int3_64));
    th_set_gate(t, EXC_BP, TH_KCODE64, gate_target(EXC_BP), DESC_TYPE_TRAP, 3, 0, 1);
    th_enter_ring3(t);
    th_expect_fault(t, EXC_BP, EXC_NO_ERROR);
    struct cpu *c = t->cpu;
    assert_int_equal(c->gpr[RSP], TH_KSTACK - 40);
    assert_int_equal(c->seg[SEG_SS].sel, 0);
    assert_int_equal(c->cpl, 0);
    assert_int_equal(th_stack(t, 0), TH_CODE + 1);
    assert_int_equal(th_stack(t, 1), TH_UCODE64 | 3);
    assert_false(th_stack(t, 2) & RFLAGS_RF);
    assert_int_equal(th_stack(t, 3), TH_USTACK);
    assert_int_equal(th_stack(t, 4), TH_UDATA | 3);
    th_free(t);
}

/* INT n with gate DPL < CPL: #GP((n << 3) | 2), EXT = 0, and the fault
 * points at the INT instruction. */
static void test_int80_to_dpl0_gate_from_ring3_raises_gp(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(int80_64));
    th_enter_ring3(t);
    th_expect_fault(t, EXC_GP, (0x80 << 3) | 2);
    assert_int_equal(th_stack(t, 1), TH_CODE);
    th_free(t);
}

/* INT1 (F1) is not a software interrupt: no DPL check. */
static void test_int1_ignores_gate_dpl(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(int1_64));
    th_enter_ring3(t);
    th_expect_fault(t, EXC_DB, EXC_NO_ERROR);
    assert_int_equal(th_stack(t, 0), TH_CODE + 1);
    th_free(t);
}

/* INTO with OF = 1 (compatibility mode; INTO is invalid in 64-bit mode). */
static void test_into_with_overflow_traps(void **state)
{
    (void)state;
    struct th *t = th_new(TH_COMPAT32);
    th_code(t, 0, TH_CODE_OF(into32));
    th_expect_fault(t, EXC_OF, EXC_NO_ERROR);
    assert_int_equal(th_stack(t, 0), TH_CODE + 9);
    th_free(t);
}

/* A hardware exception whose gate is not present: #NP(v*8 + 2 + EXT). */
static void test_not_present_gate_for_exception_sets_ext(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(ud2_64));
    th_set_gate(t, EXC_UD, TH_KCODE64, gate_target(EXC_UD), DESC_TYPE_INT, 0, 0, 0);
    th_expect_fault(t, EXC_NP, (EXC_UD << 3) | 2 | 1);
    assert_int_equal(th_stack(t, 1), TH_CODE); /* at the UD2 */
    th_free(t);
}

/* A 16-bit gate type in IA-32e mode: #GP(v*8 + 2 + EXT). */
static void test_16bit_gate_in_long_mode_raises_gp(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(ud2_64));
    th_set_gate(t, EXC_UD, TH_KCODE64, gate_target(EXC_UD), DESC_TYPE_INT16, 0, 0, 1);
    th_expect_fault(t, EXC_GP, (EXC_UD << 3) | 3);
    th_free(t);
}

/* Benign first (#UD), contributory second (#NP): handled serially. */
static void test_benign_then_contributory_is_serial(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(ud2_64));
    th_set_gate(t, EXC_UD, TH_KCODE64, gate_target(EXC_UD), DESC_TYPE_INT, 0, 0, 0);
    th_expect_fault(t, EXC_NP, (EXC_UD << 3) | 3);
    assert_int_equal(t->cpu->chain_len, 2);
    th_free(t);
}

/* Contributory first (#GP from HLT in ring 3) whose gate is missing, so #NP
 * while delivering it: contributory + contributory = #DF(0). */
static void test_contributory_during_contributory_is_double_fault(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(int3_64));
    th_code(t, 0, (const uint8_t *)"\xf4", (const uint8_t *)"\xf4" + 1);
    th_set_gate(t, EXC_GP, TH_KCODE64, gate_target(EXC_GP), DESC_TYPE_INT, 0, 0, 0);
    th_enter_ring3(t);
    th_expect_fault(t, EXC_DF, 0);
    assert_int_equal(t->cpu->chain_len, 3);
    assert_int_equal(t->cpu->chain[0].vector, EXC_GP);
    assert_int_equal(t->cpu->chain[1].vector, EXC_NP);
    assert_int_equal(t->cpu->chain[1].error, (EXC_GP << 3) | 3);
    assert_int_equal(t->cpu->chain[2].vector, EXC_DF);
    th_free(t);
}

/* A software INT 13 whose gate is missing is not an exception: the #NP is
 * handled serially, no #DF. */
static void test_software_int13_gate_fault_is_serial(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(int13_64));
    th_set_gate(t, EXC_GP, TH_KCODE64, gate_target(EXC_GP), DESC_TYPE_INT, 0, 0, 0);
    th_expect_fault(t, EXC_NP, (EXC_GP << 3) | 2);
    th_free(t);
}

/* #PF while delivering #PF: #DF. */
static void test_page_fault_during_page_fault_is_double_fault(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(touch_rbx64));
    th_set_gate(t, EXC_PF, TH_KCODE64, 0x40000000, DESC_TYPE_INT, 0, 0, 1); /* unmapped */
    t->cpu->gpr[RSP] = 0x50000000; /* unmapped stack: pushing the #PF frame faults */
    th_set_gate(t, EXC_DF, TH_KCODE64, gate_target(EXC_DF), DESC_TYPE_INT, 0, 1, 1);
    t->cpu->gpr[RBX] = 0x40000000;
    th_expect_fault(t, EXC_DF, 0);
    assert_int_equal(t->cpu->chain[0].vector, EXC_PF);
    assert_int_equal(t->cpu->chain[1].vector, EXC_PF);
    assert_int_equal(t->cpu->gpr[RSP], TH_IST_TOP(1) - 48);
    th_free(t);
}

/* A contributory fault while delivering #DF: shutdown. */
static void test_fault_during_double_fault_shuts_down(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(int3_64));
    th_code(t, 0, (const uint8_t *)"\xf4", (const uint8_t *)"\xf4" + 1);
    th_set_gate(t, EXC_GP, TH_KCODE64, gate_target(EXC_GP), DESC_TYPE_INT, 0, 0, 0);
    th_set_gate(t, EXC_DF, TH_KCODE64, gate_target(EXC_DF), DESC_TYPE_INT, 0, 0, 0);
    th_enter_ring3(t);
    assert_int_equal(th_run(t, 100), CPU_EXIT_SHUTDOWN);
    assert_true(t->cpu->shutdown);
    assert_int_equal(t->nev, 0);
    assert_int_equal(t->cpu->chain_len, 4);
    assert_int_equal(t->cpu->chain[2].vector, EXC_DF);
    assert_int_equal(t->cpu->chain[3].vector, EXC_NP);
    assert_int_equal(t->cpu->chain[3].error, (EXC_DF << 3) | 3);
    th_free(t);
}

/* An IDT limit of 0: every delivery fails; the chain ends in shutdown. */
static void test_empty_idt_triple_faults(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(ud2_64));
    t->cpu->idtr.limit = 0;
    assert_int_equal(th_run(t, 100), CPU_EXIT_SHUTDOWN);
    assert_int_equal(t->cpu->chain[0].vector, EXC_UD);
    assert_int_equal(t->cpu->chain[1].vector, EXC_GP);
    assert_int_equal(t->cpu->chain[1].error, (EXC_UD << 3) | 3);
    th_free(t);
}

/* IST: the stack comes from TSS.IST[n] even without a privilege change,
 * aligned down to 16 bytes. */
static void test_ist_switches_stack_in_ring0(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(ud2_64));
    th_set_gate(t, EXC_UD, TH_KCODE64, gate_target(EXC_UD), DESC_TYPE_INT, 0, 3, 1);
    th_write(t, TH_TSS_BASE + 0x24 + 16, TH_IST_TOP(3) - 8, 8);
    th_expect_fault(t, EXC_UD, EXC_NO_ERROR);
    assert_int_equal(t->cpu->gpr[RSP], TH_IST_TOP(3) - 16 - 40);
    assert_int_equal(th_stack(t, 3), TH_KSTACK); /* the interrupted RSP */
    th_free(t);
}

/* Without a stack switch the frame still starts 16-byte aligned. */
static void test_frame_is_16_byte_aligned(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(ud2_64));
    t->cpu->gpr[RSP] = TH_KSTACK - 8;
    th_expect_fault(t, EXC_UD, EXC_NO_ERROR);
    assert_int_equal(t->cpu->gpr[RSP], TH_KSTACK - 16 - 40);
    assert_int_equal(th_stack(t, 3), TH_KSTACK - 8);
    th_free(t);
}

/* A non-canonical TSS.RSP0: #SS(EXT). */
static void test_noncanonical_rsp0_raises_ss_ext(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(int3_64));
    th_set_gate(t, EXC_BP, TH_KCODE64, gate_target(EXC_BP), DESC_TYPE_TRAP, 3, 0, 1);
    th_write(t, TH_TSS_BASE + 4, 0x0000800000000000ULL, 8);
    th_enter_ring3(t);
    th_run(t, 100);
    assert_int_equal(t->cpu->chain[0].vector, EXC_BP);
    assert_int_equal(t->cpu->chain[1].vector, EXC_SS);
    assert_int_equal(t->cpu->chain[1].error, 0);
    th_free(t);
}

/* Interrupt gates clear IF; trap gates keep it. */
static void test_interrupt_gate_clears_if_trap_gate_keeps_it(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(sti_int3_64));
    th_set_gate(t, EXC_BP, TH_KCODE64, gate_target(EXC_BP), DESC_TYPE_INT, 0, 0, 1);
    th_expect_fault(t, EXC_BP, EXC_NO_ERROR);
    assert_false(t->cpu->rflags & RFLAGS_IF);
    assert_true(th_stack(t, 2) & RFLAGS_IF);
    th_free(t);
    t = at64(TH_CODE_OF(sti_int3_64));
    th_set_gate(t, EXC_BP, TH_KCODE64, gate_target(EXC_BP), DESC_TYPE_TRAP, 0, 0, 1);
    th_expect_fault(t, EXC_BP, EXC_NO_ERROR);
    assert_true(t->cpu->rflags & RFLAGS_IF);
    th_free(t);
}

/* An external interrupt whose gate is missing: #NP with EXT = 1. */
static void test_external_interrupt_to_missing_gate_sets_ext(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(ud2_64));
    th_set_gate(t, 0x20, TH_KCODE64, gate_target(0x20), DESC_TYPE_INT, 0, 0, 0);
    if (setjmp(t->cpu->fault_jmp) == 0)
        cpu_deliver_event(t->cpu, 0x20, true);
    else
        cpu_handle_fault_jump(t->cpu);
    assert_int_equal(t->nev, 1);
    assert_int_equal(t->ev[0].vector, EXC_NP);
    assert_int_equal(t->ev[0].error, (0x20 << 3) | 3);
    th_free(t);
}

/* ---- legacy protected mode and real mode -------------------------------------- */

/* Ring 3 -> ring 0 through a 32-bit gate: SS0:ESP0 from the TSS, and old
 * SS, ESP, EFLAGS, CS, EIP pushed as doublewords. */
static void test_protected_mode_interrupt_from_ring3(void **state)
{
    (void)state;
    struct th *t = th_new(TH_PROT32);
    th_code(t, 0, TH_CODE_OF(int20_32));
    th_set_gate(t, 0x20, TH_KCODE32, gate_target(0x20), DESC_TYPE_INT, 3, 0, 1);
    th_enter_ring3(t);
    th_expect_fault(t, 0x20, EXC_NO_ERROR);
    struct cpu *c = t->cpu;
    assert_int_equal(c->seg[SEG_SS].sel, TH_KDATA);
    assert_int_equal(c->gpr[RSP], TH_KSTACK - 20);
    assert_int_equal(th_stack(t, 0), TH_CODE + 2);
    assert_int_equal(th_stack(t, 1), TH_UCODE32 | 3);
    assert_int_equal(th_stack(t, 3), TH_USTACK);
    assert_int_equal(th_stack(t, 4), TH_UDATA | 3);
    th_free(t);
}

/* A 16-bit interrupt gate pushes words. */
static void test_16bit_gate_pushes_words(void **state)
{
    (void)state;
    struct th *t = th_new(TH_PROT32);
    th_code(t, 0, TH_CODE_OF(int20_32));
    th_set_gate(t, 0x20, TH_KCODE32, 0xf000, DESC_TYPE_INT16, 0, 0, 1);
    th_write(t, 0xf000, 0xf4, 1);
    assert_int_equal(th_run(t, 10), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->rip, 0xf001);
    assert_int_equal(t->cpu->gpr[RSP], TH_KSTACK - 6);
    assert_int_equal(th_read(t, TH_KSTACK - 6, 2), (TH_CODE + 2) & 0xffff);
    assert_int_equal(th_read(t, TH_KSTACK - 4, 2), TH_KCODE32);
    th_free(t);
}

/* Real mode: INT n pushes FLAGS, CS, IP and jumps through the IVT. */
static void test_real_mode_int_uses_ivt(void **state)
{
    (void)state;
    struct th *t = th_new(TH_REAL);
    th_code(t, 0x1000, TH_CODE_OF(int10_real));
    t->cpu->rip = 0x1000;
    th_write(t, 0x10 * 4, (0x0200u << 16) | 0x0010, 4); /* 0200:0010 = 0x2010 */
    th_write(t, 0x2010, 0xf4, 1);
    t->cpu->gpr[RSP] = 0x800;
    assert_int_equal(th_run(t, 10), CPU_EXIT_HALT);
    assert_int_equal(t->cpu->seg[SEG_CS].sel, 0x200);
    assert_int_equal(t->cpu->rip, 0x11);
    assert_int_equal(t->cpu->gpr[RSP], 0x800 - 6);
    assert_int_equal(th_read(t, 0x800 - 6, 2), 0x1002);
    assert_int_equal(th_read(t, 0x800 - 4, 2), 0);
    th_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_divide_error_frame_points_at_div),
        cmocka_unit_test(test_ud2_raises_ud_at_ud2),
        cmocka_unit_test(test_int3_from_ring3_switches_to_rsp0),
        cmocka_unit_test(test_int80_to_dpl0_gate_from_ring3_raises_gp),
        cmocka_unit_test(test_int1_ignores_gate_dpl),
        cmocka_unit_test(test_into_with_overflow_traps),
        cmocka_unit_test(test_not_present_gate_for_exception_sets_ext),
        cmocka_unit_test(test_16bit_gate_in_long_mode_raises_gp),
        cmocka_unit_test(test_benign_then_contributory_is_serial),
        cmocka_unit_test(test_contributory_during_contributory_is_double_fault),
        cmocka_unit_test(test_software_int13_gate_fault_is_serial),
        cmocka_unit_test(test_page_fault_during_page_fault_is_double_fault),
        cmocka_unit_test(test_fault_during_double_fault_shuts_down),
        cmocka_unit_test(test_empty_idt_triple_faults),
        cmocka_unit_test(test_ist_switches_stack_in_ring0),
        cmocka_unit_test(test_frame_is_16_byte_aligned),
        cmocka_unit_test(test_noncanonical_rsp0_raises_ss_ext),
        cmocka_unit_test(test_interrupt_gate_clears_if_trap_gate_keeps_it),
        cmocka_unit_test(test_external_interrupt_to_missing_gate_sets_ext),
        cmocka_unit_test(test_protected_mode_interrupt_from_ring3),
        cmocka_unit_test(test_16bit_gate_pushes_words),
        cmocka_unit_test(test_real_mode_int_uses_ivt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
