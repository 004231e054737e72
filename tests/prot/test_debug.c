/* Single-step, the debug registers, RF, and the STI / MOV SS shadows (SDM
 * Vol. 3 §6.8.3, §17.2-17.3). */
#include "harness.h"

SNIPPET(set_tf, "pushfq\n orq $0x100, (%rsp)\n popfq\n nop\n nop\n hlt");
SNIPPET(clear_tf, "pushfq\n andq $~0x100, (%rsp)\n popfq\n nop\n hlt");
SNIPPET(tf_mov_ss, "mov %ss, %ax\n mov %ax, %ss\n nop\n nop\n hlt");
SNIPPET(bp_target, "nop\n mov $1, %eax\n nop\n hlt");
SNIPPET(store_rbx, "movl $5, (%rbx)\n nop\n hlt");
SNIPPET(load_rbx, "movl (%rbx), %ecx\n nop\n hlt");
SNIPPET(out80, "out %al, $0x80\n nop\n hlt");
SNIPPET(mov_from_dr0, "mov %dr0, %rax\n hlt");
SNIPPET(mov_to_dr4, "mov %rax, %dr4\n hlt");
SNIPPET(store_then_fault, "movl $5, (%rbx)\n ud2\n hlt");
SNIPPET(sti_nops, "sti\n nop\n nop\n hlt");
SNIPPET(mov_ss_nops, "mov %ss, %ax\n mov %ax, %ss\n nop\n nop\n hlt");
SNIPPET(popf_at_cpl3, "pushq $0x3202\n popfq\n pushfq\n popq %rbx\n hlt");

#define DR7_L(n) (1ULL << (2 * (n)))
#define DR7_RW(n, rw) ((uint64_t)(rw) << (16 + 4 * (n)))
#define DR7_LEN(n, len) ((uint64_t)(len) << (18 + 4 * (n)))
#define DR7_GD (1ULL << 13)
#define DR6_BD (1ULL << 13)

static struct th *at64(const uint8_t *s, const uint8_t *e)
{
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, s, e);
    return t;
}

static void set_dr7(struct th *t, uint64_t v)
{
    t->cpu->dr[7] = v | 0x400;
    dr_update(t->cpu);
}

/* POPF setting TF: the trap comes after the instruction *after* POPF, with
 * DR6.BS set and the frame's RIP at the next instruction. */
static void test_single_step_traps_after_next_instruction(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(set_tf));
    th_expect_fault(t, EXC_DB, EXC_NO_ERROR);
    assert_int_equal(th_stack(t, 0), TH_CODE + 11); /* pushfq, orq (8), popfq, nop: past it */
    assert_true(t->cpu->dr[6] & DR6_BS);
    assert_false(t->cpu->rflags & RFLAGS_TF); /* cleared on delivery */
    assert_true(th_stack(t, 2) & RFLAGS_TF);
    th_free(t);
}

/* The instruction that clears TF still traps (TF was set when it began). */
static void test_popf_clearing_tf_still_traps(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(clear_tf));
    t->cpu->rflags |= RFLAGS_TF;
    th_run(t, 100);
    assert_true(t->nev >= 1);
    assert_int_equal(t->ev[0].vector, EXC_DB);
    th_free(t);
}

/* After MOV SS the single-step trap waits one more instruction. */
static void test_mov_ss_defers_single_step(void **state)
{
    (void)state;
    /* start at the MOV SS: no trap after it, one after the nop */
    struct th *t = at64(TH_CODE_OF(tf_mov_ss));
    t->cpu->rip = TH_CODE + 3;
    t->cpu->gpr[RAX] = TH_KDATA;
    t->cpu->rflags |= RFLAGS_TF;
    th_expect_fault(t, EXC_DB, EXC_NO_ERROR);
    assert_int_equal(th_stack(t, 0), TH_CODE + 3 + 2 + 1);
    th_free(t);
}

/* An instruction breakpoint is a fault: RIP at the instruction, which has
 * not run; DR6.B0. */
static void test_instruction_breakpoint_faults_before_execution(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(bp_target));
    t->cpu->dr[0] = TH_CODE + 1;
    set_dr7(t, DR7_L(0));
    th_expect_fault(t, EXC_DB, EXC_NO_ERROR);
    assert_int_equal(th_stack(t, 0), TH_CODE + 1);
    assert_int_equal(t->cpu->gpr[RAX], 0);
    assert_int_equal(t->cpu->dr[6] & 0xf, 1);
    assert_false(th_stack(t, 2) & RFLAGS_RF); /* the handler must set RF itself */
    th_free(t);
}

/* RF = 1 suppresses the breakpoint for one instruction, then clears. */
static void test_rf_suppresses_instruction_breakpoint_once(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(bp_target));
    t->cpu->rip = TH_CODE + 1;
    t->cpu->dr[0] = TH_CODE + 1;
    set_dr7(t, DR7_L(0));
    cpu_set_rflags(t->cpu, RFLAGS_FIXED1 | RFLAGS_RF);
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->gpr[RAX], 1);
    assert_false(t->cpu->rflags & RFLAGS_RF);
    th_free(t);
}

/* A write breakpoint (RW = 01, 4 bytes) traps after the store. */
static void test_write_breakpoint_traps_after_store(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(store_rbx));
    t->cpu->gpr[RBX] = TH_DATA + 2;
    t->cpu->dr[1] = TH_DATA;
    set_dr7(t, DR7_L(1) | DR7_RW(1, 1) | DR7_LEN(1, 3));
    th_expect_fault(t, EXC_DB, EXC_NO_ERROR);
    assert_int_equal(th_stack(t, 0), TH_CODE + 6); /* the nop after the store */
    assert_int_equal(th_read(t, TH_DATA + 2, 4), 5);
    assert_int_equal(t->cpu->dr[6] & 0xf, 2);
    th_free(t);
}

/* RW = 01 ignores reads; RW = 11 catches them. */
static void test_read_breakpoint_needs_rw11(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(load_rbx));
    t->cpu->gpr[RBX] = TH_DATA;
    t->cpu->dr[2] = TH_DATA;
    set_dr7(t, DR7_L(2) | DR7_RW(2, 1) | DR7_LEN(2, 3));
    th_expect_clean_halt(t);
    th_free(t);
    t = at64(TH_CODE_OF(load_rbx));
    t->cpu->gpr[RBX] = TH_DATA;
    t->cpu->dr[2] = TH_DATA;
    set_dr7(t, DR7_L(2) | DR7_RW(2, 3) | DR7_LEN(2, 3));
    th_expect_fault(t, EXC_DB, EXC_NO_ERROR);
    assert_int_equal(t->cpu->dr[6] & 0xf, 4);
    th_free(t);
}

/* One access matching two breakpoints sets both B bits (SDM §17.2.3;
 * QEMU 7.2 reports only the first, so the prot-debug kernel leaves it out). */
static void test_two_breakpoints_one_access(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(load_rbx));
    t->cpu->gpr[RBX] = TH_DATA;
    t->cpu->dr[1] = TH_DATA;
    t->cpu->dr[2] = TH_DATA + 2;
    set_dr7(t, DR7_L(1) | DR7_RW(1, 3) | DR7_LEN(1, 3) | DR7_L(2) | DR7_RW(2, 3) |
                   DR7_LEN(2, 0));
    th_expect_fault(t, EXC_DB, EXC_NO_ERROR);
    assert_int_equal(t->cpu->dr[6] & 0xf, 6);
    th_free(t);
}

/* A faulting instruction discards its data-breakpoint trap. */
static void test_fault_discards_data_breakpoint(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(store_then_fault));
    t->cpu->gpr[RBX] = TH_DATA;
    t->cpu->dr[1] = TH_DATA;
    set_dr7(t, DR7_L(1) | DR7_RW(1, 1) | DR7_LEN(1, 3));
    th_run(t, 100);
    assert_int_equal(t->ev[0].vector, EXC_DB); /* the store */
    th_free(t);
}

/* With CR4.DE, RW = 10 is an I/O breakpoint. */
static void test_io_breakpoint_with_cr4_de(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(out80));
    t->cpu->cr4 |= CR4_DE;
    t->cpu->dr[3] = 0x80;
    set_dr7(t, DR7_L(3) | DR7_RW(3, 2));
    th_expect_fault(t, EXC_DB, EXC_NO_ERROR);
    assert_int_equal(th_stack(t, 0), TH_CODE + 2);
    assert_int_equal(t->cpu->dr[6] & 0xf, 8);
    th_free(t);
}

/* DR7.GD: any MOV DR is a #DB fault with DR6.BD; GD clears. */
static void test_general_detect(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(mov_from_dr0));
    set_dr7(t, DR7_GD);
    th_expect_fault(t, EXC_DB, EXC_NO_ERROR);
    assert_int_equal(th_stack(t, 0), TH_CODE);
    assert_true(t->cpu->dr[6] & DR6_BD);
    assert_false(t->cpu->dr[7] & DR7_GD);
    th_free(t);
}

static void test_dr4_with_cr4_de_raises_ud(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(mov_to_dr4));
    t->cpu->cr4 |= CR4_DE;
    th_expect_fault(t, EXC_UD, EXC_NO_ERROR);
    th_free(t);
}

/* STI: the interrupt waits for the instruction after STI. */
static void test_sti_shadow_delays_interrupt_one_instruction(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(sti_nops));
    th_raise_irq(t, 0x30);
    th_expect_fault(t, 0x30, EXC_NO_ERROR);
    assert_int_equal(th_stack(t, 0), TH_CODE + 2); /* after sti and one nop */
    th_free(t);
}

/* MOV SS: interrupts wait one instruction too. */
static void test_mov_ss_shadow_delays_interrupt(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(mov_ss_nops));
    t->cpu->rflags |= RFLAGS_IF;
    th_run(t, 2); /* mov %ss, %ax; mov %ax, %ss */
    assert_int_equal(t->cpu->rip, TH_CODE + 5);
    th_raise_irq(t, 0x31); /* pending while the shadow is in force */
    th_expect_fault(t, 0x31, EXC_NO_ERROR);
    assert_int_equal(th_stack(t, 0), TH_CODE + 3 + 2 + 1); /* MOV SS and one nop ran */
    th_free(t);
}

/* POPF at CPL 3, IOPL 0: IF and IOPL do not change, no fault (SDM POPF). */
static void test_popf_at_cpl3_keeps_if_and_iopl(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(popf_at_cpl3));
    th_enter_ring3(t);
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->gpr[RBX] & (RFLAGS_IF | RFLAGS_IOPL), 0);
    th_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_step_traps_after_next_instruction),
        cmocka_unit_test(test_popf_clearing_tf_still_traps),
        cmocka_unit_test(test_mov_ss_defers_single_step),
        cmocka_unit_test(test_instruction_breakpoint_faults_before_execution),
        cmocka_unit_test(test_rf_suppresses_instruction_breakpoint_once),
        cmocka_unit_test(test_write_breakpoint_traps_after_store),
        cmocka_unit_test(test_read_breakpoint_needs_rw11),
        cmocka_unit_test(test_two_breakpoints_one_access),
        cmocka_unit_test(test_fault_discards_data_breakpoint),
        cmocka_unit_test(test_io_breakpoint_with_cr4_de),
        cmocka_unit_test(test_general_detect),
        cmocka_unit_test(test_dr4_with_cr4_de_raises_ud),
        cmocka_unit_test(test_sti_shadow_delays_interrupt_one_instruction),
        cmocka_unit_test(test_mov_ss_shadow_delays_interrupt),
        cmocka_unit_test(test_popf_at_cpl3_keeps_if_and_iopl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
