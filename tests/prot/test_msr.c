/* The MSR table: reset values, write masks and the #GP rules (SDM Vol. 4
 * and the WRMSR/RDMSR pages), through RDMSR/WRMSR. */
#include "harness.h"

SNIPPET(wrmsr64, "wrmsr\n hlt");
SNIPPET(rdmsr64, "rdmsr\n hlt");

static struct th *with_msr(const uint8_t *s, const uint8_t *e, uint32_t msr, uint64_t v)
{
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, s, e);
    t->cpu->gpr[RCX] = msr;
    t->cpu->gpr[RAX] = v & 0xffffffff;
    t->cpu->gpr[RDX] = v >> 32;
    return t;
}

/* WRMSR v to msr: returns 1 if it raised #GP(0), 0 if it completed. */
static int wrmsr_gp(uint32_t msr, uint64_t v)
{
    struct th *t = with_msr(TH_CODE_OF(wrmsr64), msr, v);
    assert_int_equal(th_run(t, 10), CPU_EXIT_HALT);
    int gp = t->nev == 1 && t->ev[0].vector == EXC_GP && t->ev[0].error == 0;
    assert_true(gp || t->nev == 0);
    th_free(t);
    return gp;
}

static int rdmsr_gp(uint32_t msr, uint64_t *v)
{
    struct th *t = with_msr(TH_CODE_OF(rdmsr64), msr, 0);
    assert_int_equal(th_run(t, 10), CPU_EXIT_HALT);
    int gp = t->nev == 1 && t->ev[0].vector == EXC_GP;
    *v = (t->cpu->gpr[RDX] << 32) | (t->cpu->gpr[RAX] & 0xffffffff);
    th_free(t);
    return gp;
}

static void test_unknown_msrs_raise_gp(void **state)
{
    (void)state;
    uint64_t v;
    assert_true(rdmsr_gp(0x12345678, &v));
    assert_true(wrmsr_gp(0x12345678, 0));
    assert_true(rdmsr_gp(0xc0000200, &v));
    assert_true(rdmsr_gp(MSR_IA32_SPEC_CTRL, &v)); /* not advertised by CPUID */
}

/* The x2APIC range goes to the board; with no APIC there, #GP. */
static void test_x2apic_range_without_board_raises_gp(void **state)
{
    (void)state;
    uint64_t v;
    assert_true(rdmsr_gp(0x802, &v));
    assert_true(wrmsr_gp(0x808, 0));
}

/* Addresses must be canonical (SDM WRMSR: #GP for non-canonical values in
 * the MSRs that hold linear addresses). */
static void test_noncanonical_address_msrs_raise_gp(void **state)
{
    (void)state;
    static const uint32_t msrs[] = {
        MSR_IA32_LSTAR, MSR_IA32_CSTAR, MSR_IA32_FS_BASE, MSR_IA32_GS_BASE,
        MSR_IA32_KERNEL_GS_BASE, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
    };
    for (size_t i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
        assert_true(wrmsr_gp(msrs[i], 0x0000800000000000ULL));
        assert_false(wrmsr_gp(msrs[i], 0xffff800000000000ULL));
    }
}

/* Reserved bits: EFER beyond SCE/LME/LMA/NXE, FMASK and TSC_AUX above bit 31. */
static void test_reserved_bits_raise_gp(void **state)
{
    (void)state;
    assert_true(wrmsr_gp(MSR_IA32_EFER, EFER_LME | (1ULL << 1)));
    assert_true(wrmsr_gp(MSR_IA32_FMASK, 1ULL << 32));
    assert_true(wrmsr_gp(MSR_IA32_TSC_AUX, 1ULL << 32));
    assert_false(wrmsr_gp(MSR_IA32_TSC_AUX, 0xffffffff));
}

/* EFER.LME may not change while paging is on (SDM Vol. 3 §9.8.5). */
static void test_efer_lme_change_with_paging_raises_gp(void **state)
{
    (void)state;
    assert_true(wrmsr_gp(MSR_IA32_EFER, EFER_SCE | EFER_NXE)); /* LME 1 -> 0 */
    assert_false(wrmsr_gp(MSR_IA32_EFER, EFER_LME | EFER_LMA | EFER_NXE));
}

/* PAT and MTRR memory types 2 and 3 are reserved; 7 (UC-) is PAT-only. */
static void test_reserved_memory_types_raise_gp(void **state)
{
    (void)state;
    assert_true(wrmsr_gp(MSR_IA32_PAT, 0x0007040600070402ULL));
    assert_false(wrmsr_gp(MSR_IA32_PAT, 0x0007040600070407ULL));
    assert_true(wrmsr_gp(MSR_IA32_MTRR_FIX64K_00000, 0x0606060606060607ULL));
    assert_true(wrmsr_gp(MSR_IA32_MTRR_DEF_TYPE, 1ULL << 12));
    assert_true(wrmsr_gp(MSR_IA32_MTRR_DEF_TYPE, 0xc02)); /* default type 2 */
    assert_false(wrmsr_gp(MSR_IA32_MTRR_DEF_TYPE, 0xc06));
    /* Types of 8 and more are reserved as well (one of 128 was UB in emu). */
    assert_true(wrmsr_gp(MSR_IA32_PAT, 0x0007040600070480ULL));
    assert_true(wrmsr_gp(MSR_IA32_PAT, 0x2007040600070406ULL));
    assert_true(wrmsr_gp(MSR_IA32_MTRR_FIX64K_00000, 0xFF06060606060606ULL));
}

static void test_read_only_msrs_raise_gp_on_write(void **state)
{
    (void)state;
    assert_true(wrmsr_gp(MSR_IA32_MTRRCAP, 0));
    assert_true(wrmsr_gp(MSR_IA32_FEATURE_CONTROL, 0));
}

/* Reset values (SDM Vol. 3 Table 10-1 / Vol. 4): PAT 0007040600070406H,
 * MISC_ENABLE with fast strings, MTRRcap VCNT=8 FIX WC, FEATURE_CONTROL locked. */
static void test_reset_values(void **state)
{
    (void)state;
    uint64_t v;
    assert_false(rdmsr_gp(MSR_IA32_PAT, &v));
    assert_int_equal(v, 0x0007040600070406ULL);
    assert_false(rdmsr_gp(MSR_IA32_MISC_ENABLE, &v));
    assert_int_equal(v, 1);
    assert_false(rdmsr_gp(MSR_IA32_MTRRCAP, &v));
    assert_int_equal(v, 0x508);
    assert_false(rdmsr_gp(MSR_IA32_FEATURE_CONTROL, &v));
    assert_int_equal(v, 1);
    assert_false(rdmsr_gp(MSR_IA32_STAR, &v));
    assert_int_equal(v, 0);
}

/* WRMSR then RDMSR returns the value; FS_BASE is the FS segment base. */
static void test_round_trips_and_fs_base_is_segment_base(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    assert_int_equal(msr_write(t->cpu, MSR_IA32_FS_BASE, 0x00007f0012345000ULL), 0);
    assert_int_equal(t->cpu->seg[SEG_FS].base, 0x00007f0012345000ULL);
    assert_int_equal(t->cpu->segbase[SEG_FS], 0x00007f0012345000ULL);
    uint64_t v;
    assert_int_equal(msr_write(t->cpu, MSR_IA32_STAR, 0x0023001000080000ULL), 0);
    assert_int_equal(msr_read(t->cpu, MSR_IA32_STAR, &v), 0);
    assert_int_equal(v, 0x0023001000080000ULL);
    assert_int_equal(msr_write(t->cpu, MSR_IA32_SYSENTER_CS, 0x10), 0);
    assert_int_equal(msr_read(t->cpu, MSR_IA32_SYSENTER_CS, &v), 0);
    assert_int_equal(v, 0x10);
    th_free(t);
}

/* A TSC write sets the counter; it then only moves forward with time. */
static void test_tsc_write_sets_counter(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    assert_int_equal(msr_write(t->cpu, MSR_IA32_TSC, 1ULL << 40), 0);
    uint64_t a, b;
    msr_read(t->cpu, MSR_IA32_TSC, &a);
    t->cpu->icount += 1000;
    msr_read(t->cpu, MSR_IA32_TSC, &b);
    assert_true(a >= 1ULL << 40 && a < (1ULL << 40) + 16);
    assert_true(b > a);
    th_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_msrs_raise_gp),
        cmocka_unit_test(test_x2apic_range_without_board_raises_gp),
        cmocka_unit_test(test_noncanonical_address_msrs_raise_gp),
        cmocka_unit_test(test_reserved_bits_raise_gp),
        cmocka_unit_test(test_efer_lme_change_with_paging_raises_gp),
        cmocka_unit_test(test_reserved_memory_types_raise_gp),
        cmocka_unit_test(test_read_only_msrs_raise_gp_on_write),
        cmocka_unit_test(test_reset_values),
        cmocka_unit_test(test_round_trips_and_fs_base_is_segment_base),
        cmocka_unit_test(test_tsc_write_sets_counter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
