/* Alignment checking (SDM Vol. 3 §6.15, "Interrupt 17 -- Alignment Check
 * Exception (#AC)"): with CR0.AM = 1 and RFLAGS.AC = 1, a data or stack
 * access at CPL 3 to an address that is not a multiple of its size raises
 * #AC(0), a fault; implicit accesses to system tables are not checked, and
 * a page fault on the same access comes first (Table 6-2). QEMU 7.2's TCG
 * has no #AC at all, so these are unit tests against the SDM. */
#include "harness.h"

#define SET_AC "pushfq\n orl $0x40000, (%rsp)\n popfq\n" /* 9 bytes */

SNIPPET(ac_load, SET_AC "movl 1(%rbx), %ecx\n hlt");
SNIPPET(ac_store, SET_AC "movl %eax, 2(%rbx)\n hlt");
SNIPPET(ac_push, SET_AC "subq $4, %rsp\n pushq %rax\n hlt");
SNIPPET(ac_after_fast_fill,
        "movl %ecx, (%rbx)\n movl (%rbx), %ecx\n" SET_AC "movq 4(%rbx), %rcx\n hlt");
SNIPPET(ac_aligned, SET_AC "movb 1(%rbx), %al\n movw 2(%rbx), %ax\n movl 4(%rbx), %eax\n"
                           "movq 8(%rbx), %rax\n movq %rax, 16(%rbx)\n hlt");
SNIPPET(ac_mov_ds, SET_AC "movl $0x2b, %eax\n movl %eax, %ds\n movl 4(%rbx), %ecx\n hlt");
SNIPPET(ac_load32, ".code32\n pushfl\n orl $0x40000, (%esp)\n popfl\n movw 3(%ebx), %cx\n hlt");
SNIPPET(ac_movs, SET_AC "movsq\n hlt");
SNIPPET(ac_sgdt, SET_AC "sgdt (%rbx)\n hlt");
SNIPPET(plain_load, "movl 1(%rbx), %ecx\n hlt");
SNIPPET(ac_popf_clear, SET_AC "pushfq\n andl $~0x40000, (%rsp)\n popfq\n movl 1(%rbx), %ecx\n hlt");

/* 64-bit ring 3 with CR0.AM set; the code sets RFLAGS.AC itself with POPF,
 * as a program would. RBX points at scratch data. */
static struct th *ring3_am(const uint8_t *s, const uint8_t *e)
{
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, s, e);
    cpu_set_cr(t->cpu, 0, t->cpu->cr0 | CR0_AM);
    th_enter_ring3(t);
    t->cpu->gpr[RBX] = TH_DATA;
    return t;
}

/* The frame of #AC on the handler's stack: error code, RIP, CS, RFLAGS,
 * RSP, SS. */
enum { AC_ERROR, AC_RIP, AC_CS, AC_RFLAGS, AC_RSP };

static uint64_t fault_rip(struct th *t)
{
    return th_stack(t, AC_RIP);
}

static void test_misaligned_load_in_ring3_raises_ac0(void **state)
{
    (void)state;
    struct th *t = ring3_am(TH_CODE_OF(ac_load));
    t->cpu->gpr[RCX] = 0x1234;
    th_expect_fault(t, EXC_AC, 0);
    assert_int_equal(fault_rip(t), TH_CODE + 9);
    assert_int_equal(t->cpu->gpr[RCX], 0x1234);
    assert_true(th_stack(t, AC_RFLAGS) & RFLAGS_AC);
    th_free(t);
}

/* A fault: nothing is written. */
static void test_misaligned_store_raises_ac_and_writes_nothing(void **state)
{
    (void)state;
    struct th *t = ring3_am(TH_CODE_OF(ac_store));
    th_write(t, TH_DATA, 0x1111111111111111ULL, 8);
    t->cpu->gpr[RAX] = 0x22222222;
    th_expect_fault(t, EXC_AC, 0);
    assert_int_equal(fault_rip(t), TH_CODE + 9);
    assert_int_equal(th_read(t, TH_DATA, 8), 0x1111111111111111ULL);
    th_free(t);
}

/* Stack accesses are checked too: a push to an RSP that is 4 mod 8. */
static void test_misaligned_push_raises_ac(void **state)
{
    (void)state;
    struct th *t = ring3_am(TH_CODE_OF(ac_push));
    th_expect_fault(t, EXC_AC, 0);
    assert_int_equal(fault_rip(t), TH_CODE + 13);
    assert_int_equal(th_stack(t, AC_RSP), TH_USTACK - 4); /* before the push */
    th_free(t);
}

/* Setting AC with POPF arms the check at once, even for a page the same
 * program has just accessed (no stale fast path: the first store sets the
 * harness's 2 MiB page dirty, so the pushes that follow keep its TLB entry
 * and the fast-path slot of the data page). */
static void test_popf_setting_ac_arms_the_check_at_once(void **state)
{
    (void)state;
    struct th *t = ring3_am(TH_CODE_OF(ac_after_fast_fill));
    th_expect_fault(t, EXC_AC, 0);
    assert_int_equal(fault_rip(t), TH_CODE + 4 + 9);
    th_free(t);
}

/* ... and clearing it disarms it. */
static void test_popf_clearing_ac_disarms_the_check(void **state)
{
    (void)state;
    struct th *t = ring3_am(TH_CODE_OF(ac_popf_clear));
    th_expect_clean_halt(t);
    th_free(t);
}

/* Bytes never fault; words, doublewords and quadwords on their own
 * boundary do not either. */
static void test_aligned_accesses_do_not_raise_ac(void **state)
{
    (void)state;
    struct th *t = ring3_am(TH_CODE_OF(ac_aligned));
    th_expect_clean_halt(t);
    th_free(t);
}

/* All three conditions are needed: CR0.AM, RFLAGS.AC and CPL 3. */
static void test_alignment_check_needs_am_ac_and_cpl3(void **state)
{
    (void)state;
    struct th *t = ring3_am(TH_CODE_OF(ac_load));
    cpu_set_cr(t->cpu, 0, t->cpu->cr0 & ~CR0_AM);
    th_expect_clean_halt(t);
    th_free(t);

    t = ring3_am(TH_CODE_OF(plain_load)); /* RFLAGS.AC = 0 */
    th_expect_clean_halt(t);
    th_free(t);

    t = th_new(TH_LONG64); /* CPL 0 */
    th_code(t, 0, TH_CODE_OF(ac_load));
    cpu_set_cr(t->cpu, 0, t->cpu->cr0 | CR0_AM);
    t->cpu->gpr[RBX] = TH_DATA;
    th_expect_clean_halt(t);
    th_free(t);
}

/* The page fault of a misaligned access to a not-present page wins
 * (Table 6-2 lists #PF before #AC). */
static void test_page_fault_comes_before_ac(void **state)
{
    (void)state;
    struct th *t = ring3_am(TH_CODE_OF(ac_load));
    t->cpu->gpr[RBX] = TH_RAM; /* the harness maps the first 2 MiB only */
    th_expect_fault(t, EXC_PF, 0x4 | 0x0);
    assert_int_equal(t->cpu->cr2, TH_RAM + 1);
    th_free(t);
}

/* String instructions are data accesses: MOVSQ from RSI = 4 mod 8. */
static void test_movs_with_misaligned_source_raises_ac(void **state)
{
    (void)state;
    struct th *t = ring3_am(TH_CODE_OF(ac_movs));
    t->cpu->gpr[RSI] = TH_DATA + 4;
    t->cpu->gpr[RDI] = TH_DATA + 64;
    th_expect_fault(t, EXC_AC, 0);
    assert_int_equal(t->cpu->gpr[RSI], TH_DATA + 4);
    th_free(t);
}

/* Descriptor-table reads are implicit supervisor accesses: a GDT at an odd
 * address does not make MOV DS raise #AC at CPL 3. */
static void test_descriptor_reads_are_not_checked(void **state)
{
    (void)state;
    struct th *t = ring3_am(TH_CODE_OF(ac_mov_ds));
    uint64_t odd = TH_DATA + 0x101;
    for (unsigned i = 0; i <= t->cpu->gdtr.limit; i += 8)
        th_write(t, odd + i, th_read(t, TH_GDT + i, 8), 8);
    t->cpu->gdtr.base = odd;
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->seg[SEG_DS].sel, 0x2b);
    th_free(t);
}

/* Legacy protected mode: the same rule, through segmentation. */
static void test_misaligned_word_in_protected_mode_ring3_raises_ac(void **state)
{
    (void)state;
    struct th *t = th_new(TH_PROT32);
    th_code(t, 0, TH_CODE_OF(ac_load32));
    cpu_set_cr(t->cpu, 0, t->cpu->cr0 | CR0_AM);
    th_enter_ring3(t);
    t->cpu->gpr[RBX] = TH_DATA;
    th_expect_fault(t, EXC_AC, 0);
    assert_int_equal(th_stack(t, AC_RIP), TH_CODE + 9); /* after pushfl, orl, popfl */
    th_free(t);
}

/* SGDT in ring 3 (no CR4.UMIP) stores the limit at ea and the 8-byte base
 * at ea + 2: with ea = 4 mod 8 the base store is misaligned, and the fault
 * leaves the limit unwritten too. */
static void test_sgdt_misaligned_base_raises_ac_and_stores_nothing(void **state)
{
    (void)state;
    struct th *t = ring3_am(TH_CODE_OF(ac_sgdt));
    t->cpu->gpr[RBX] = TH_DATA + 4;
    th_write(t, TH_DATA, 0, 8);
    th_write(t, TH_DATA + 8, 0, 8);
    th_expect_fault(t, EXC_AC, 0);
    assert_int_equal(th_read(t, TH_DATA + 4, 8), 0);
    assert_int_equal(th_read(t, TH_DATA + 12, 4), 0);
    th_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_misaligned_load_in_ring3_raises_ac0),
        cmocka_unit_test(test_misaligned_store_raises_ac_and_writes_nothing),
        cmocka_unit_test(test_misaligned_push_raises_ac),
        cmocka_unit_test(test_popf_setting_ac_arms_the_check_at_once),
        cmocka_unit_test(test_popf_clearing_ac_disarms_the_check),
        cmocka_unit_test(test_aligned_accesses_do_not_raise_ac),
        cmocka_unit_test(test_alignment_check_needs_am_ac_and_cpl3),
        cmocka_unit_test(test_page_fault_comes_before_ac),
        cmocka_unit_test(test_movs_with_misaligned_source_raises_ac),
        cmocka_unit_test(test_descriptor_reads_are_not_checked),
        cmocka_unit_test(test_misaligned_word_in_protected_mode_ring3_raises_ac),
        cmocka_unit_test(test_sgdt_misaligned_base_raises_ac_and_stores_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
