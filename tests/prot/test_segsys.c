/* LTR, LLDT, STR, SLDT, VERR, VERW, LAR, LSL, ARPL (SDM Vol. 2). */
#include "harness.h"

SNIPPET(ltr_ax64, "ltr %ax\n hlt");
SNIPPET(lldt_ax64, "lldt %ax\n hlt");
SNIPPET(ltr_ax32, ".code32\n ltr %ax\n hlt");
SNIPPET(str_sldt64, "mov $-1, %rbx\n mov $-1, %rcx\n str %ebx\n sldt %cx\n hlt");
SNIPPET(verr_ax64, "verr %ax\n setz %bl\n verw %ax\n setz %cl\n hlt");
SNIPPET(lar_lsl64, "mov $-1, %rbx\n mov $-1, %rcx\n lar %ax, %ebx\n setz %dl\n"
                   " lsl %ax, %ecx\n setz %dh\n hlt");
SNIPPET(lar16_32, ".code32\n mov $-1, %ebx\n lar %ax, %bx\n hlt");
SNIPPET(arpl32, ".code32\n arpl %cx, %ax\n setz %bl\n hlt");
SNIPPET(ltr_real, ".code16\n ltr %ax\n hlt");

#define SEL_A (TH_FREE)
#define SEL_B (TH_FREE + 0x10)

static struct th *long_with(const uint8_t *s, const uint8_t *e, uint16_t ax)
{
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, s, e);
    t->cpu->gpr[RAX] = ax;
    return t;
}

/* LTR marks the TSS busy in the GDT and loads TR with its 64-bit base. */
static void test_ltr_loads_tr_and_sets_busy(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(ltr_ax64), SEL_A);
    th_set_sysdesc(t, SEL_A, 0x0000123456789000ULL, 0x67, DESC_TYPE_TSS, 0, 1);
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->tr.sel, SEL_A);
    assert_int_equal(t->cpu->tr.base, 0x0000123456789000ULL);
    assert_int_equal(t->cpu->tr.limit, 0x67);
    assert_int_equal((th_get_gdt(t, SEL_A) >> 40) & 0xf, DESC_TYPE_TSS_BUSY);
    th_free(t);
}

static void test_ltr_null_raises_gp0(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(ltr_ax64), 3);
    th_expect_fault(t, EXC_GP, 0);
    th_free(t);
}

/* A busy TSS is not an "available TSS": #GP(selector). */
static void test_ltr_busy_tss_raises_gp(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(ltr_ax64), SEL_A);
    th_set_sysdesc(t, SEL_A, 0x5000, 0x67, DESC_TYPE_TSS_BUSY, 0, 1);
    th_expect_fault(t, EXC_GP, SEL_A);
    assert_int_equal(t->cpu->tr.sel, TH_TSS);
    th_free(t);
}

/* In IA-32e mode the 16-bit TSS type is not valid. */
static void test_ltr_16bit_tss_in_long_mode_raises_gp(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(ltr_ax64), SEL_A);
    th_set_sysdesc(t, SEL_A, 0x5000, 0x67, DESC_TYPE_TSS16, 0, 1);
    th_expect_fault(t, EXC_GP, SEL_A);
    th_free(t);
}

/* ... but in legacy protected mode it is. */
static void test_ltr_16bit_tss_in_protected_mode_loads(void **state)
{
    (void)state;
    struct th *t = th_new(TH_PROT32);
    th_code(t, 0, TH_CODE_OF(ltr_ax32));
    t->cpu->gpr[RAX] = SEL_A;
    th_set_sysdesc(t, SEL_A, 0x5000, 0x2b, DESC_TYPE_TSS16, 0, 1);
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->tr.sel, SEL_A);
    assert_int_equal((th_get_gdt(t, SEL_A) >> 40) & 0xf, DESC_TYPE_TSS16_BUSY);
    th_free(t);
}

static void test_ltr_selector_in_ldt_raises_gp(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(ltr_ax64), SEL_A | SEL_TI);
    th_expect_fault(t, EXC_GP, SEL_A | SEL_TI);
    th_free(t);
}

static void test_ltr_not_present_raises_np(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(ltr_ax64), SEL_A);
    th_set_sysdesc(t, SEL_A, 0x5000, 0x67, DESC_TYPE_TSS, 0, 0);
    th_expect_fault(t, EXC_NP, SEL_A);
    th_free(t);
}

/* The upper 8 bytes of a 16-byte descriptor must have type 0 (SDM LTR, 64-bit). */
static void test_ltr_upper_type_nonzero_raises_gp(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(ltr_ax64), SEL_A);
    th_set_sysdesc(t, SEL_A, 0x5000, 0x67, DESC_TYPE_TSS, 0, 1);
    th_write(t, TH_GDT + SEL_A + 8 + 5, DESC_TYPE_TSS, 1);
    th_expect_fault(t, EXC_GP, SEL_A);
    th_free(t);
}

/* A 16-byte descriptor needs both halves inside the GDT limit. */
static void test_ltr_descriptor_straddling_gdt_limit_raises_gp(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(ltr_ax64), SEL_A);
    th_set_sysdesc(t, SEL_A, 0x5000, 0x67, DESC_TYPE_TSS, 0, 1);
    t->cpu->gdtr.limit = SEL_A + 7;
    th_expect_fault(t, EXC_GP, SEL_A);
    th_free(t);
}

static void test_ltr_in_ring3_raises_gp0(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(ltr_ax64), SEL_A);
    th_enter_ring3(t);
    th_set_sysdesc(t, SEL_A, 0x5000, 0x67, DESC_TYPE_TSS, 0, 1);
    th_expect_fault(t, EXC_GP, 0);
    th_free(t);
}

/* LTR is not recognised in real mode: #UD. */
static void test_ltr_in_real_mode_raises_ud(void **state)
{
    (void)state;
    struct th *t = th_new(TH_REAL);
    th_code(t, 0x1000, TH_CODE_OF(ltr_real));
    t->cpu->rip = 0x1000;
    /* real-mode IVT entry 6 -> 0000:0x2000 holding hlt */
    th_write(t, 6 * 4, 0x2000, 4);
    th_write(t, 0x2000, 0xf4, 1);
    t->cpu->gpr[RSP] = 0x800;
    assert_int_equal(th_run(t, 10), CPU_EXIT_HALT);
    assert_int_equal(t->nev, 1);
    assert_int_equal(t->ev[0].vector, EXC_UD);
    assert_int_equal(t->cpu->rip, 0x2001);
    th_free(t);
}

static void test_lldt_loads_ldtr_and_null_makes_it_unusable(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(lldt_ax64), SEL_A);
    th_set_sysdesc(t, SEL_A, 0x0000000100000000ULL, 0xfff, DESC_TYPE_LDT, 0, 1);
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->ldtr.base, 0x0000000100000000ULL);
    assert_int_equal(t->cpu->ldtr.limit, 0xfff);
    th_free(t);
    t = long_with(TH_CODE_OF(lldt_ax64), 0);
    th_expect_clean_halt(t);
    assert_true(t->cpu->ldtr.attr & SEG_ATTR_UNUSABLE);
    th_free(t);
}

static void test_lldt_non_ldt_descriptor_raises_gp(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(lldt_ax64), TH_TSS);
    th_expect_fault(t, EXC_GP, TH_TSS);
    th_free(t);
}

static void test_lldt_noncanonical_base_raises_gp(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(lldt_ax64), SEL_A);
    th_set_sysdesc(t, SEL_A, 0x0000800000000000ULL, 0xfff, DESC_TYPE_LDT, 0, 1);
    th_expect_fault(t, EXC_GP, SEL_A);
    th_free(t);
}

/* STR r32 zero-extends; SLDT r16 leaves the upper bits. */
static void test_str_and_sldt_register_widths(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(str_sldt64), 0);
    t->cpu->ldtr.sel = 0x50;
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->gpr[RBX], TH_TSS);
    assert_int_equal(t->cpu->gpr[RCX], 0xffffffffffff0050ULL);
    th_free(t);
}

/* CR4.UMIP: STR at CPL 3 raises #GP(0). */
static void test_str_in_ring3_with_umip_raises_gp0(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(str_sldt64), 0);
    t->cpu->cr4 |= CR4_UMIP;
    th_enter_ring3(t);
    th_expect_fault(t, EXC_GP, 0);
    th_free(t);
}

/* VERR/VERW: readable and writable data at DPL 3 from ring 3. */
static void test_verr_verw_on_user_data(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(verr_ax64), TH_UDATA | 3);
    th_enter_ring3(t);
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->gpr[RBX] & 0xff, 1);
    assert_int_equal(t->cpu->gpr[RCX] & 0xff, 1);
    th_free(t);
}

/* Kernel data from ring 3 is invisible: ZF = 0, no fault. */
static void test_verr_on_kernel_data_from_ring3_clears_zf(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(verr_ax64), TH_KDATA | 3);
    th_enter_ring3(t);
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->gpr[RBX] & 0xff, 0);
    assert_int_equal(t->cpu->gpr[RCX] & 0xff, 0);
    th_free(t);
}

/* Readable code: VERR yes, VERW no. A selector beyond the limit: neither. */
static void test_verr_verw_on_code_and_bad_selector(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(verr_ax64), TH_KCODE64);
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->gpr[RBX] & 0xff, 1);
    assert_int_equal(t->cpu->gpr[RCX] & 0xff, 0);
    th_free(t);
    t = long_with(TH_CODE_OF(verr_ax64), 0xfff8);
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->gpr[RBX] & 0xff, 0);
    th_free(t);
}

/* VERR does not check P. */
static void test_verr_ignores_present_bit(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(verr_ax64), SEL_A);
    th_set_gdt(t, SEL_A, th_desc(0, 0xfff, SEG_ATTR_S | SEG_ATTR_RW));
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->gpr[RBX] & 0xff, 1);
    th_free(t);
}

/* LAR r32: descriptor dword 1 masked by 00F0FF00H; LSL: the byte-granular limit. */
static void test_lar_lsl_on_code_segment(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(lar_lsl64), TH_KCODE64);
    th_expect_clean_halt(t);
    uint64_t d = th_get_gdt(t, TH_KCODE64);
    assert_int_equal(t->cpu->gpr[RBX], (d >> 32) & 0x00f0ff00);
    assert_int_equal(t->cpu->gpr[RCX], 0xffffffff);
    assert_int_equal(t->cpu->gpr[RDX] & 0xffff, 0x0101);
    th_free(t);
}

/* In IA-32e mode LAR accepts the 64-bit TSS, LSL too; an interrupt gate
 * type (0xE) is valid for neither. The destination is left unchanged. */
static void test_lar_lsl_system_types_in_long_mode(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(lar_lsl64), TH_TSS);
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->gpr[RDX] & 0xffff, 0x0101);
    assert_int_equal(t->cpu->gpr[RCX], 0x67);
    th_free(t);
    t = long_with(TH_CODE_OF(lar_lsl64), SEL_A);
    th_set_gdt(t, SEL_A, th_desc(0, 0xfff, DESC_TYPE_INT | SEG_ATTR_P));
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->gpr[RDX] & 0xffff, 0);
    assert_int_equal(t->cpu->gpr[RBX], ~0ULL);
    assert_int_equal(t->cpu->gpr[RCX], ~0ULL);
    th_free(t);
}

/* LAR with a call gate: valid for LAR, not for LSL (no limit). */
static void test_lar_accepts_call_gate_lsl_does_not(void **state)
{
    (void)state;
    struct th *t = long_with(TH_CODE_OF(lar_lsl64), SEL_A);
    th_set_call_gate(t, SEL_A, TH_KCODE64, 0x1000, 0, 0, 1);
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->gpr[RDX] & 0xffff, 0x0001);
    assert_int_equal(t->cpu->gpr[RBX], 0x8c00);
    th_free(t);
}

/* LAR r16 keeps the upper bits and masks with FF00H. */
static void test_lar_16bit_destination(void **state)
{
    (void)state;
    struct th *t = th_new(TH_PROT32);
    th_code(t, 0, TH_CODE_OF(lar16_32));
    t->cpu->gpr[RAX] = TH_KDATA;
    th_expect_clean_halt(t);
    uint64_t d = th_get_gdt(t, TH_KDATA);
    assert_int_equal(t->cpu->gpr[RBX], 0xffff0000 | ((d >> 32) & 0xff00));
    th_free(t);
}

/* ARPL raises the destination's RPL to the source's and sets ZF. */
static void test_arpl_adjusts_rpl(void **state)
{
    (void)state;
    struct th *t = th_new(TH_PROT32);
    th_code(t, 0, TH_CODE_OF(arpl32));
    t->cpu->gpr[RAX] = 0x1230;
    t->cpu->gpr[RCX] = 0x0002;
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->gpr[RAX], 0x1232);
    assert_int_equal(t->cpu->gpr[RBX] & 0xff, 1);
    th_free(t);
    t = th_new(TH_PROT32);
    th_code(t, 0, TH_CODE_OF(arpl32));
    t->cpu->gpr[RAX] = 0x1233;
    t->cpu->gpr[RCX] = 0x0001;
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->gpr[RAX], 0x1233);
    assert_int_equal(t->cpu->gpr[RBX] & 0xff, 0);
    th_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ltr_loads_tr_and_sets_busy),
        cmocka_unit_test(test_ltr_null_raises_gp0),
        cmocka_unit_test(test_ltr_busy_tss_raises_gp),
        cmocka_unit_test(test_ltr_16bit_tss_in_long_mode_raises_gp),
        cmocka_unit_test(test_ltr_16bit_tss_in_protected_mode_loads),
        cmocka_unit_test(test_ltr_selector_in_ldt_raises_gp),
        cmocka_unit_test(test_ltr_not_present_raises_np),
        cmocka_unit_test(test_ltr_upper_type_nonzero_raises_gp),
        cmocka_unit_test(test_ltr_descriptor_straddling_gdt_limit_raises_gp),
        cmocka_unit_test(test_ltr_in_ring3_raises_gp0),
        cmocka_unit_test(test_ltr_in_real_mode_raises_ud),
        cmocka_unit_test(test_lldt_loads_ldtr_and_null_makes_it_unusable),
        cmocka_unit_test(test_lldt_non_ldt_descriptor_raises_gp),
        cmocka_unit_test(test_lldt_noncanonical_base_raises_gp),
        cmocka_unit_test(test_str_and_sldt_register_widths),
        cmocka_unit_test(test_str_in_ring3_with_umip_raises_gp0),
        cmocka_unit_test(test_verr_verw_on_user_data),
        cmocka_unit_test(test_verr_on_kernel_data_from_ring3_clears_zf),
        cmocka_unit_test(test_verr_verw_on_code_and_bad_selector),
        cmocka_unit_test(test_verr_ignores_present_bit),
        cmocka_unit_test(test_lar_lsl_on_code_segment),
        cmocka_unit_test(test_lar_lsl_system_types_in_long_mode),
        cmocka_unit_test(test_lar_accepts_call_gate_lsl_does_not),
        cmocka_unit_test(test_lar_16bit_destination),
        cmocka_unit_test(test_arpl_adjusts_rpl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
