/* SYSCALL, SYSRET, SYSENTER, SYSEXIT (SDM Vol. 2), Intel behaviour. */
#include "harness.h"

SNIPPET(syscall64, "syscall\n hlt");
SNIPPET(sysretq64, "sysretq\n");
SNIPPET(sysretl64, "sysretl\n");
SNIPPET(sysenter64, "sysenter\n");
SNIPPET(sysexitq64, "sysexitq\n");
SNIPPET(sysexitl64, "sysexitl\n");
SNIPPET(syscall32, ".code32\n syscall\n hlt");
SNIPPET(sysenter32, ".code32\n sysenter\n");
SNIPPET(hlt_only, "hlt\n");

#define KENTRY (TH_CODE + 0x800)
#define UTARGET (TH_CODE + 0xc00)

static struct th *prepared(enum th_mode mode, const uint8_t *s, const uint8_t *e)
{
    struct th *t = th_new(mode);
    th_code(t, 0, s, e);
    th_code(t, KENTRY, TH_CODE_OF(hlt_only));
    struct cpu *c = t->cpu;
    c->msr.star = ((uint64_t)TH_UCODE32 << 48) | ((uint64_t)TH_KCODE64 << 32);
    c->msr.lstar = KENTRY;
    c->msr.fmask = RFLAGS_IF | RFLAGS_DF;
    c->msr.sysenter_cs = TH_KCODE64;
    c->msr.sysenter_esp = TH_KSTACK - 0x100;
    c->msr.sysenter_eip = KENTRY;
    return t;
}

/* SYSCALL from ring 3: RCX = next RIP, R11 = RFLAGS, RFLAGS &= ~FMASK, CS
 * = STAR[47:32], SS = CS + 8, CPL 0, RIP = LSTAR. */
static void test_syscall_enters_ring0_at_lstar(void **state)
{
    (void)state;
    struct th *t = prepared(TH_LONG64, TH_CODE_OF(syscall64));
    th_enter_ring3(t);
    t->cpu->rflags = RFLAGS_FIXED1 | RFLAGS_IF | RFLAGS_DF | RFLAGS_CF;
    th_expect_clean_halt(t);
    struct cpu *c = t->cpu;
    assert_int_equal(c->rip, KENTRY + 1);
    assert_int_equal(c->gpr[RCX], TH_CODE + 2);
    assert_int_equal(c->gpr[R11], RFLAGS_FIXED1 | RFLAGS_IF | RFLAGS_DF | RFLAGS_CF);
    assert_int_equal(c->rflags & (RFLAGS_IF | RFLAGS_DF), 0);
    assert_int_equal(c->seg[SEG_CS].sel, TH_KCODE64);
    assert_int_equal(c->seg[SEG_SS].sel, TH_KCODE64 + 8);
    assert_int_equal(c->cpl, 0);
    assert_int_equal(c->gpr[RSP], TH_USTACK); /* SYSCALL does not switch stacks */
    th_free(t);
}

static void test_syscall_with_sce_clear_raises_ud(void **state)
{
    (void)state;
    struct th *t = prepared(TH_LONG64, TH_CODE_OF(syscall64));
    cpu_set_efer(t->cpu, t->cpu->efer & ~EFER_SCE);
    th_expect_fault(t, EXC_UD, EXC_NO_ERROR);
    th_free(t);
}

/* Intel: SYSCALL is invalid in compatibility mode. */
static void test_syscall_in_compat_mode_raises_ud(void **state)
{
    (void)state;
    struct th *t = prepared(TH_COMPAT32, TH_CODE_OF(syscall32));
    th_expect_fault(t, EXC_UD, EXC_NO_ERROR);
    th_free(t);
}

/* SYSRETQ: CS = STAR[63:48] + 16 | 3, SS = STAR[63:48] + 8 | 3, RIP = RCX,
 * RFLAGS = (R11 & 3C7FD7H) | 2. */
static void test_sysretq_returns_to_64bit_ring3(void **state)
{
    (void)state;
    struct th *t = prepared(TH_LONG64, TH_CODE_OF(sysretq64));
    th_code(t, UTARGET, TH_CODE_OF(hlt_only));
    t->cpu->gpr[RCX] = UTARGET;
    t->cpu->gpr[R11] = 0xffffffffffffffffULL;
    th_expect_clean_halt(t); /* the ring-3 hlt: #GP(0) */
    assert_int_equal(th_stack(t, 1), UTARGET);
    assert_int_equal(th_stack(t, 2), TH_UCODE32 + 16 + 3);
    assert_int_equal(th_stack(t, 3), 0x3C7FD7 | 2 | RFLAGS_RF); /* RF: the #GP's frame */
    assert_int_equal(th_stack(t, 5), TH_UCODE32 + 8 + 3);
    th_free(t);
}

/* SYSRETL returns to compatibility mode at ECX with CS = STAR[63:48] | 3. */
static void test_sysretl_returns_to_compat_mode(void **state)
{
    (void)state;
    struct th *t = prepared(TH_LONG64, TH_CODE_OF(sysretl64));
    th_code(t, UTARGET, TH_CODE_OF(hlt_only));
    t->cpu->gpr[RCX] = 0xffffffff00000000ULL | UTARGET;
    t->cpu->gpr[R11] = 0x2;
    th_expect_clean_halt(t);
    assert_int_equal(th_stack(t, 1), UTARGET);
    assert_int_equal(th_stack(t, 2), TH_UCODE32 | 3);
    th_free(t);
}

/* Intel: SYSRET to a non-canonical RCX raises #GP(0) in ring 0. */
static void test_sysret_noncanonical_rcx_raises_gp_in_ring0(void **state)
{
    (void)state;
    struct th *t = prepared(TH_LONG64, TH_CODE_OF(sysretq64));
    t->cpu->gpr[RCX] = 0x0000800000000000ULL;
    th_expect_fault(t, EXC_GP, 0);
    assert_int_equal(th_stack(t, 2), TH_KCODE64); /* still in ring 0 */
    th_free(t);
}

static void test_sysret_at_cpl3_raises_gp(void **state)
{
    (void)state;
    struct th *t = prepared(TH_LONG64, TH_CODE_OF(sysretq64));
    th_enter_ring3(t);
    th_expect_fault(t, EXC_GP, 0);
    th_free(t);
}

/* SYSENTER in 64-bit mode (Intel): CS = SYSENTER_CS, SS = CS + 8, RSP and
 * RIP from the MSRs (64 bits), IF cleared, 64-bit code. */
static void test_sysenter_from_64bit_ring3(void **state)
{
    (void)state;
    struct th *t = prepared(TH_LONG64, TH_CODE_OF(sysenter64));
    th_enter_ring3(t);
    t->cpu->rflags |= RFLAGS_IF;
    th_expect_clean_halt(t);
    struct cpu *c = t->cpu;
    assert_int_equal(c->rip, KENTRY + 1);
    assert_int_equal(c->gpr[RSP], TH_KSTACK - 0x100);
    assert_int_equal(c->seg[SEG_CS].sel, TH_KCODE64);
    assert_int_equal(c->seg[SEG_SS].sel, TH_KCODE64 + 8);
    assert_int_equal(c->mode, MODE_LONG64);
    assert_false(c->rflags & RFLAGS_IF);
    th_free(t);
}

/* SYSENTER from compatibility mode enters 64-bit mode. */
static void test_sysenter_from_compat_mode_enters_64bit(void **state)
{
    (void)state;
    struct th *t = prepared(TH_COMPAT32, TH_CODE_OF(sysenter32));
    th_enter_ring3(t);
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->mode, MODE_LONG64);
    assert_int_equal(t->cpu->cpl, 0);
    th_free(t);
}

static void test_sysenter_with_null_cs_raises_gp(void **state)
{
    (void)state;
    struct th *t = prepared(TH_LONG64, TH_CODE_OF(sysenter64));
    t->cpu->msr.sysenter_cs = 3;
    th_expect_fault(t, EXC_GP, 0);
    th_free(t);
}

/* SYSEXITQ: CS = SYSENTER_CS + 32 | 3, SS = + 40 | 3, RIP = RDX, RSP = RCX. */
static void test_sysexitq_returns_to_64bit_ring3(void **state)
{
    (void)state;
    struct th *t = prepared(TH_LONG64, TH_CODE_OF(sysexitq64));
    th_code(t, UTARGET, TH_CODE_OF(hlt_only));
    t->cpu->msr.sysenter_cs = 0x10; /* +32 = 0x30 user code64, +40 = 0x38 */
    t->cpu->gpr[RDX] = UTARGET;
    t->cpu->gpr[RCX] = TH_USTACK - 0x40;
    th_run(t, 10);
    assert_int_equal(t->cpu->chain[0].vector, EXC_GP); /* the ring-3 hlt */
    assert_int_equal(t->cpu->chain[0].rip, UTARGET);
    assert_int_equal(t->cpu->chain[0].cpl, 3);
    th_free(t);
}

/* SYSEXITL: CS = SYSENTER_CS + 16 | 3 (compatibility mode), EIP = EDX. */
static void test_sysexitl_returns_to_compat_mode(void **state)
{
    (void)state;
    struct th *t = prepared(TH_LONG64, TH_CODE_OF(sysexitl64));
    th_code(t, UTARGET, TH_CODE_OF(hlt_only));
    t->cpu->msr.sysenter_cs = 0x10; /* +16 = 0x20 user code32, +24 = 0x28 user data */
    t->cpu->gpr[RDX] = UTARGET;
    t->cpu->gpr[RCX] = TH_USTACK - 0x40;
    th_expect_clean_halt(t);
    assert_int_equal(th_stack(t, 2), 0x23);
    assert_int_equal(th_stack(t, 4), TH_USTACK - 0x40);
    assert_int_equal(th_stack(t, 5), 0x2b);
    th_free(t);
}

static void test_sysexitq_noncanonical_rdx_raises_gp(void **state)
{
    (void)state;
    struct th *t = prepared(TH_LONG64, TH_CODE_OF(sysexitq64));
    t->cpu->gpr[RDX] = 0x0000800000000000ULL;
    th_expect_fault(t, EXC_GP, 0);
    th_free(t);
}

static void test_sysexit_at_cpl3_raises_gp(void **state)
{
    (void)state;
    struct th *t = prepared(TH_LONG64, TH_CODE_OF(sysexitq64));
    th_enter_ring3(t);
    th_expect_fault(t, EXC_GP, 0);
    th_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syscall_enters_ring0_at_lstar),
        cmocka_unit_test(test_syscall_with_sce_clear_raises_ud),
        cmocka_unit_test(test_syscall_in_compat_mode_raises_ud),
        cmocka_unit_test(test_sysretq_returns_to_64bit_ring3),
        cmocka_unit_test(test_sysretl_returns_to_compat_mode),
        cmocka_unit_test(test_sysret_noncanonical_rcx_raises_gp_in_ring0),
        cmocka_unit_test(test_sysret_at_cpl3_raises_gp),
        cmocka_unit_test(test_sysenter_from_64bit_ring3),
        cmocka_unit_test(test_sysenter_from_compat_mode_enters_64bit),
        cmocka_unit_test(test_sysenter_with_null_cs_raises_gp),
        cmocka_unit_test(test_sysexitq_returns_to_64bit_ring3),
        cmocka_unit_test(test_sysexitl_returns_to_compat_mode),
        cmocka_unit_test(test_sysexitq_noncanonical_rdx_raises_gp),
        cmocka_unit_test(test_sysexit_at_cpl3_raises_gp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
