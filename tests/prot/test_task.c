/* Hardware task switching in legacy protected mode (SDM Vol. 3 §7.3). */
#include "harness.h"

SNIPPET(call_tss, ".code32\n lcall $0x48, $0\n hlt");
SNIPPET(jmp_tss, ".code32\n ljmp $0x48, $0\n hlt");
SNIPPET(task_body, ".code32\n mov $0x1234, %eax\n iret\n");
SNIPPET(int_40, ".code32\n int $0x40\n hlt");
SNIPPET(ud2_32, ".code32\n ud2\n hlt");
SNIPPET(hlt32, ".code32\n hlt\n");

#define SEL_TASK 0x48
#define TASK_BASE 0x5000ULL
#define TASK_ENTRY (TH_CODE + 0x400)
#define TASK_STACK 0x5f000ULL

/* A 32-bit TSS at TASK_BASE that starts at `eip` with flat ring-0 segments. */
static void make_task(struct th *t, uint64_t eip, int busy)
{
    for (unsigned off = 0; off < 0x68; off += 4)
        th_write(t, TASK_BASE + off, 0, 4);
    th_write(t, TASK_BASE + 0x20, eip, 4);
    th_write(t, TASK_BASE + 0x24, 0x2, 4);        /* EFLAGS */
    th_write(t, TASK_BASE + 0x38, TASK_STACK, 4);  /* ESP */
    th_write(t, TASK_BASE + 0x2C, 0x5555, 4);      /* ECX */
    static const unsigned segs[] = {0x48, 0x4C, 0x50, 0x54, 0x58, 0x5C}; /* ES CS SS DS FS GS */
    for (int i = 0; i < 6; i++)
        th_write(t, TASK_BASE + segs[i], i == 1 ? TH_KCODE32 : TH_KDATA, 2);
    th_set_sysdesc(t, SEL_TASK, TASK_BASE, 0x67, busy ? DESC_TYPE_TSS_BUSY : DESC_TYPE_TSS, 0,
                   1);
}

static struct th *legacy(const uint8_t *s, const uint8_t *e)
{
    struct th *t = th_new(TH_PROT32);
    th_code(t, 0, s, e);
    t->cpu->gpr[RCX] = 0xcccc;
    return t;
}

/* CALL to a TSS: the old task is saved (EIP after the CALL), the new one
 * loaded with NT set and its link naming the old TSS; both are busy; CR0.TS. */
static void test_call_to_tss_switches_and_links(void **state)
{
    (void)state;
    struct th *t = legacy(TH_CODE_OF(call_tss));
    th_code(t, TASK_ENTRY, TH_CODE_OF(hlt32));
    make_task(t, TASK_ENTRY, 0);
    th_expect_clean_halt(t);
    struct cpu *c = t->cpu;
    assert_int_equal(c->tr.sel, SEL_TASK);
    assert_int_equal(c->rip, TASK_ENTRY + 1);
    assert_int_equal(c->gpr[RCX], 0x5555);
    assert_int_equal(c->gpr[RSP], TASK_STACK);
    assert_true(c->rflags & RFLAGS_NT);
    assert_true(c->cr0 & CR0_TS);
    assert_int_equal(th_read(t, TASK_BASE, 2), TH_TSS);                  /* link */
    assert_int_equal(th_read(t, TH_TSS_BASE + 0x20, 4), TH_CODE + 7);   /* saved EIP */
    assert_int_equal(th_read(t, TH_TSS_BASE + 0x2C, 4), 0xcccc);        /* saved ECX */
    assert_int_equal((th_get_gdt(t, SEL_TASK) >> 40) & 0xf, DESC_TYPE_TSS_BUSY);
    assert_int_equal((th_get_gdt(t, TH_TSS) >> 40) & 0xf, DESC_TYPE_TSS_BUSY);
    th_free(t);
}

/* IRET with NT = 1 goes back through the link: the caller resumes after
 * its CALL with its registers; the task it leaves is no longer busy. */
static void test_iret_with_nt_returns_to_the_caller(void **state)
{
    (void)state;
    struct th *t = legacy(TH_CODE_OF(call_tss));
    th_code(t, TASK_ENTRY, TH_CODE_OF(task_body));
    make_task(t, TASK_ENTRY, 0);
    th_expect_clean_halt(t);
    struct cpu *c = t->cpu;
    assert_int_equal(c->tr.sel, TH_TSS);
    assert_int_equal(c->rip, TH_CODE + 7 + 1);  /* at the hlt after the CALL, past it */
    assert_int_equal(c->gpr[RCX], 0xcccc);
    assert_false(c->rflags & RFLAGS_NT);
    assert_int_equal(th_read(t, TASK_BASE + 0x28, 4), 0x1234); /* the task's EAX, saved */
    assert_int_equal((th_get_gdt(t, SEL_TASK) >> 40) & 0xf, DESC_TYPE_TSS);
    th_free(t);
}

/* JMP to a TSS: no link, no NT; the old TSS is no longer busy. */
static void test_jmp_to_tss_frees_the_old_task(void **state)
{
    (void)state;
    struct th *t = legacy(TH_CODE_OF(jmp_tss));
    th_code(t, TASK_ENTRY, TH_CODE_OF(hlt32));
    make_task(t, TASK_ENTRY, 0);
    th_expect_clean_halt(t);
    assert_false(t->cpu->rflags & RFLAGS_NT);
    assert_int_equal((th_get_gdt(t, TH_TSS) >> 40) & 0xf, DESC_TYPE_TSS);
    assert_int_equal((th_get_gdt(t, SEL_TASK) >> 40) & 0xf, DESC_TYPE_TSS_BUSY);
    th_free(t);
}

/* A busy TSS cannot be CALLed: #GP(selector). */
static void test_call_to_busy_tss_raises_gp(void **state)
{
    (void)state;
    struct th *t = legacy(TH_CODE_OF(call_tss));
    make_task(t, TASK_ENTRY, 1);
    th_expect_fault(t, EXC_GP, SEL_TASK);
    assert_int_equal(t->cpu->tr.sel, TH_TSS);
    th_free(t);
}

/* A TSS whose limit is below 67H: #TS(selector), before any change. */
static void test_short_tss_raises_ts(void **state)
{
    (void)state;
    struct th *t = legacy(TH_CODE_OF(call_tss));
    make_task(t, TASK_ENTRY, 0);
    th_set_sysdesc(t, SEL_TASK, TASK_BASE, 0x60, DESC_TYPE_TSS, 0, 1);
    th_expect_fault(t, EXC_TS, SEL_TASK);
    assert_int_equal(t->cpu->tr.sel, TH_TSS);
    th_free(t);
}

/* An exception through an IDT task gate: the handler task starts with its
 * own stack, the error code pushed there, NT set, the link to the old task. */
static void test_exception_through_task_gate(void **state)
{
    (void)state;
    struct th *t = legacy(TH_CODE_OF(int_40));
    th_code(t, TASK_ENTRY, TH_CODE_OF(hlt32));
    make_task(t, TASK_ENTRY, 0);
    /* #GP's gate: a task gate naming the TSS; INT 0x40 with DPL 0 from ring 3 gives it */
    th_write(t, TH_IDT + 8 * EXC_GP, ((uint64_t)SEL_TASK << 16) | (0x85ULL << 40), 8);
    th_enter_ring3(t);
    assert_int_equal(th_run(t, 100), CPU_EXIT_HALT);
    struct cpu *c = t->cpu;
    assert_int_equal(c->tr.sel, SEL_TASK);
    assert_int_equal(c->rip, TASK_ENTRY + 1);
    assert_int_equal(c->gpr[RSP], TASK_STACK - 4);
    assert_int_equal(th_read(t, TASK_STACK - 4, 4), (0x40 << 3) | 2); /* the error code */
    assert_int_equal(th_read(t, TH_TSS_BASE + 0x20, 4), TH_CODE);    /* the faulting INT */
    assert_int_equal(th_read(t, TH_TSS_BASE + 0x4C, 2), TH_UCODE32 | 3);
    assert_true(c->rflags & RFLAGS_NT);
    th_free(t);
}

/* A task gate with DPL 0 used by INT n from ring 3: #GP((n << 3) | 2). */
static void test_software_int_through_dpl0_task_gate_raises_gp(void **state)
{
    (void)state;
    struct th *t = legacy(TH_CODE_OF(int_40));
    make_task(t, TASK_ENTRY, 0);
    th_write(t, TH_IDT + 8 * 0x40, ((uint64_t)SEL_TASK << 16) | (0x85ULL << 40), 8);
    th_enter_ring3(t);
    th_expect_fault(t, EXC_GP, (0x40 << 3) | 2);
    th_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_call_to_tss_switches_and_links),
        cmocka_unit_test(test_iret_with_nt_returns_to_the_caller),
        cmocka_unit_test(test_jmp_to_tss_frees_the_old_task),
        cmocka_unit_test(test_call_to_busy_tss_raises_gp),
        cmocka_unit_test(test_short_tss_raises_ts),
        cmocka_unit_test(test_exception_through_task_gate),
        cmocka_unit_test(test_software_int_through_dpl0_task_gate_raises_gp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
