/* Segment-register loads and segment checks (SDM Vol. 2 MOV, POP, LDS/LSS;
 * Vol. 3 §5.3-5.7). Every expectation below is the SDM's, cited by rule. */
#include "harness.h"

SNIPPET(mov_ds_ax32, ".code32\n mov %ax, %ds\n hlt");
SNIPPET(mov_ss_ax32, ".code32\n mov %ax, %ss\n hlt");
SNIPPET(mov_ds_ax64, "mov %ax, %ds\n hlt");
SNIPPET(mov_ss_ax64, "mov %ax, %ss\n hlt");
SNIPPET(mov_fs_ax64, "mov %ax, %fs\n hlt");
SNIPPET(read_ds_ebx32, ".code32\n mov (%ebx), %ecx\n hlt");
SNIPPET(write_ds_ebx32, ".code32\n movl $1, (%ebx)\n hlt");
SNIPPET(read_ss_ebx32, ".code32\n mov %ss:(%ebx), %ecx\n hlt");
SNIPPET(write_cs_ebx32, ".code32\n movl $1, %cs:(%ebx)\n hlt");
SNIPPET(pop_ss32, ".code32\n pop %ss\n hlt");
SNIPPET(lss_ebx32, ".code32\n lss (%ebx), %ecx\n hlt");
SNIPPET(read_fs_rbx64, "mov %fs:(%rbx), %rcx\n hlt");

#define SEL_TEST (TH_FREE)
#define SEL_TEST2 (TH_FREE + 8)

static uint64_t data_desc(unsigned dpl)
{
    return th_desc(0, 0xfffff, TH_A_DATA | TH_DPL(dpl) | SEG_ATTR_DB | SEG_ATTR_G);
}

static struct th *prot(const uint8_t *s, const uint8_t *e, uint16_t ax)
{
    struct th *t = th_new(TH_PROT32);
    th_code(t, 0, s, e);
    t->cpu->gpr[RAX] = ax;
    return t;
}

/* MOV DS, null: no fault; the register becomes unusable (§5.4.1). */
static void test_mov_ds_null_loads_unusable_segment(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(mov_ds_ax32), 0x3);
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->seg[SEG_DS].sel, 0x3);
    assert_true(t->cpu->seg[SEG_DS].attr & SEG_ATTR_UNUSABLE);
    th_free(t);
}

/* A memory reference through a null DS raises #GP(0) (MOV "Protected Mode Exceptions"). */
static void test_access_through_null_ds_raises_gp0(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(read_ds_ebx32), 0);
    cpu_load_seg_raw(t->cpu, SEG_DS, 0, 0, 0, SEG_ATTR_UNUSABLE);
    t->cpu->gpr[RBX] = TH_DATA;
    th_expect_fault(t, EXC_GP, 0);
    assert_int_equal(t->cpu->rip, TH_STUBS + 16 * EXC_GP + 1);
    th_free(t);
}

/* Index beyond the GDT limit: #GP(selector). */
static void test_mov_ds_beyond_gdt_limit_raises_gp_selector(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(mov_ds_ax32), 0x400);
    th_expect_fault(t, EXC_GP, 0x400);
    assert_int_equal(t->cpu->seg[SEG_DS].sel, TH_KDATA);
    th_free(t);
}

/* TI = 1 with a null LDTR: the LDT has no entries, #GP(selector). */
static void test_mov_ds_ldt_selector_without_ldt_raises_gp(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(mov_ds_ax32), 0x0c);
    t->cpu->ldtr = (struct seg){0, 0, 0, SEG_ATTR_UNUSABLE};
    th_expect_fault(t, EXC_GP, 0x0c);
    th_free(t);
}

/* With an LDT loaded, TI = 1 selects its descriptors. */
static void test_mov_ds_ldt_selector_loads_from_ldt(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(mov_ds_ax32), 0x0c);
    t->cpu->ldtr = (struct seg){TH_LDT, 0x1f, 0x50, DESC_TYPE_LDT | SEG_ATTR_P};
    th_set_gdt(t, 0x0c, th_desc(0x12345000, 0xfff, TH_A_DATA));
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->seg[SEG_DS].base, 0x12345000);
    assert_int_equal(t->cpu->seg[SEG_DS].limit, 0xfff);
    th_free(t);
}

/* A system descriptor (here the TSS) in DS: #GP(selector). */
static void test_mov_ds_system_descriptor_raises_gp(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(mov_ds_ax32), TH_TSS);
    th_expect_fault(t, EXC_GP, TH_TSS);
    th_free(t);
}

/* Execute-only code cannot be loaded into a data register: #GP(selector). */
static void test_mov_ds_execute_only_code_raises_gp(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(mov_ds_ax32), SEL_TEST);
    th_set_gdt(t, SEL_TEST, th_desc(0, 0xfffff, SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_CODE));
    th_expect_fault(t, EXC_GP, SEL_TEST);
    th_free(t);
}

static void test_mov_ds_readable_code_loads(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(mov_ds_ax32), TH_KCODE32);
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->seg[SEG_DS].sel, TH_KCODE32);
    th_free(t);
}

/* Ring 3 loading a DPL 0 data segment: #GP(selector) (DPL < CPL). */
static void test_mov_ds_dpl_below_cpl_raises_gp(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(mov_ds_ax32), TH_KDATA | 3);
    th_enter_ring3(t);
    th_expect_fault(t, EXC_GP, TH_KDATA);
    th_free(t);
}

/* Ring 0 with RPL 3 on a DPL 0 segment: #GP(selector) (DPL < RPL). */
static void test_mov_ds_rpl_above_dpl_raises_gp(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(mov_ds_ax32), TH_KDATA | 3);
    th_expect_fault(t, EXC_GP, TH_KDATA);
    th_free(t);
}

/* Conforming readable code is exempt from the privilege check. */
static void test_mov_ds_conforming_code_skips_privilege_check(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(mov_ds_ax32), SEL_TEST | 3);
    th_set_gdt(t, SEL_TEST, th_desc(0, 0xfffff, TH_A_CODE | SEG_ATTR_DC | SEG_ATTR_DB));
    th_enter_ring3(t);
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->seg[SEG_DS].sel, SEL_TEST | 3);
    th_free(t);
}

/* P = 0: #NP(selector), and DS keeps its old contents. */
static void test_mov_ds_not_present_raises_np(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(mov_ds_ax32), SEL_TEST);
    th_set_gdt(t, SEL_TEST, data_desc(0) & ~(1ULL << 47));
    th_expect_fault(t, EXC_NP, SEL_TEST);
    assert_int_equal(t->cpu->seg[SEG_DS].sel, TH_KDATA);
    th_free(t);
}

/* A successful load sets the accessed bit in the GDT (§3.4.5.1). */
static void test_mov_ds_sets_accessed_bit(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(mov_ds_ax32), SEL_TEST);
    th_set_gdt(t, SEL_TEST, th_desc(0x1000, 0xff, TH_A_DATA));
    th_expect_clean_halt(t);
    assert_true(th_get_gdt(t, SEL_TEST) & (1ULL << 40));
    assert_int_equal(t->cpu->seg[SEG_DS].base, 0x1000);
    assert_int_equal(t->cpu->seg[SEG_DS].limit, 0xff);
    th_free(t);
}

/* ---- SS ------------------------------------------------------------------- */

/* MOV SS, null outside 64-bit mode: #GP(0). */
static void test_mov_ss_null_in_protected_mode_raises_gp0(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(mov_ss_ax32), 0);
    th_expect_fault(t, EXC_GP, 0);
    th_free(t);
}

static void test_mov_ss_rpl_not_cpl_raises_gp(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(mov_ss_ax32), TH_KDATA | 1);
    th_expect_fault(t, EXC_GP, TH_KDATA);
    th_free(t);
}

static void test_mov_ss_dpl_not_cpl_raises_gp(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(mov_ss_ax32), TH_UDATA);
    th_expect_fault(t, EXC_GP, TH_UDATA);
    th_free(t);
}

static void test_mov_ss_read_only_data_raises_gp(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(mov_ss_ax32), SEL_TEST);
    th_set_gdt(t, SEL_TEST, th_desc(0, 0xfffff, SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_DB));
    th_expect_fault(t, EXC_GP, SEL_TEST);
    th_free(t);
}

static void test_mov_ss_code_segment_raises_gp(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(mov_ss_ax32), TH_KCODE32);
    th_expect_fault(t, EXC_GP, TH_KCODE32);
    th_free(t);
}

/* SS not present: #SS(selector), not #NP. */
static void test_mov_ss_not_present_raises_ss(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(mov_ss_ax32), SEL_TEST);
    th_set_gdt(t, SEL_TEST, data_desc(0) & ~(1ULL << 47));
    th_expect_fault(t, EXC_SS, SEL_TEST);
    th_free(t);
}

/* 64-bit mode, CPL 0, RPL 0: a null SS is legal. */
static void test_mov_ss_null_in_64bit_ring0_loads(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(mov_ss_ax64));
    t->cpu->gpr[RAX] = 0;
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->seg[SEG_SS].sel, 0);
    th_free(t);
}

/* 64-bit mode, null SS with RPL != CPL: #GP(0). */
static void test_mov_ss_null_with_rpl_not_cpl_raises_gp0(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(mov_ss_ax64));
    t->cpu->gpr[RAX] = 2;
    th_expect_fault(t, EXC_GP, 0);
    th_free(t);
}

/* 64-bit mode, CPL 3: a null SS is never legal. */
static void test_mov_ss_null_in_ring3_raises_gp0(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(mov_ss_ax64));
    th_enter_ring3(t);
    t->cpu->gpr[RAX] = 3;
    th_expect_fault(t, EXC_GP, 0);
    th_free(t);
}

/* POP SS of a not-present segment: #SS(selector) and ESP unchanged. */
static void test_pop_ss_not_present_leaves_esp(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(pop_ss32), 0);
    th_set_gdt(t, SEL_TEST, data_desc(0) & ~(1ULL << 47));
    t->cpu->gpr[RSP] = TH_KSTACK - 0x100;
    th_write(t, TH_KSTACK - 0x100, SEL_TEST, 4);
    th_expect_fault(t, EXC_SS, SEL_TEST);
    assert_int_equal(th_read(t, TH_KSTACK - 0x100 - 12, 4), TH_CODE); /* saved EIP */
    assert_int_equal(t->cpu->gpr[RSP], TH_KSTACK - 0x100 - 16); /* frame on the unpopped stack */
    th_free(t);
}

/* LSS with a bad selector: the destination register is not written. */
static void test_lss_fault_leaves_register(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(lss_ebx32), 0);
    t->cpu->gpr[RBX] = TH_DATA;
    t->cpu->gpr[RCX] = 0x1111;
    th_write(t, TH_DATA, 0x2222, 4);
    th_write(t, TH_DATA + 4, TH_UDATA | 3, 2);
    th_expect_fault(t, EXC_GP, TH_UDATA);
    assert_int_equal(t->cpu->gpr[RCX], 0x1111);
    th_free(t);
}

/* ---- limit and type checks in 32-bit modes (§5.3, §5.4) ----------------------- */

static struct th *limited_ds(const uint8_t *s, const uint8_t *e, uint32_t attr, uint32_t limit)
{
    struct th *t = prot(s, e, 0);
    th_set_gdt(t, SEL_TEST, th_desc(TH_DATA, limit, attr));
    cpu_load_seg_raw(t->cpu, SEG_DS, SEL_TEST, TH_DATA, limit, attr);
    return t;
}

static void test_read_beyond_limit_raises_gp0(void **state)
{
    (void)state;
    struct th *t = limited_ds(TH_CODE_OF(read_ds_ebx32), TH_A_DATA | SEG_ATTR_DB, 0xff);
    t->cpu->gpr[RBX] = 0xfd; /* bytes 0xfd..0x100: the last is past the limit */
    th_expect_fault(t, EXC_GP, 0);
    th_free(t);
}

static void test_read_at_limit_succeeds(void **state)
{
    (void)state;
    struct th *t = limited_ds(TH_CODE_OF(read_ds_ebx32), TH_A_DATA | SEG_ATTR_DB, 0xff);
    t->cpu->gpr[RBX] = 0xfc;
    th_write(t, TH_DATA + 0xfc, 0xabcdef01, 4);
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->gpr[RCX], 0xabcdef01);
    th_free(t);
}

/* Expand-down: valid offsets are limit+1 .. 0xffffffff (B = 1). */
static void test_expand_down_rejects_offsets_at_or_below_limit(void **state)
{
    (void)state;
    uint32_t attr = TH_A_DATA | SEG_ATTR_DC | SEG_ATTR_DB;
    struct th *t = limited_ds(TH_CODE_OF(read_ds_ebx32), attr, 0xfff);
    t->cpu->gpr[RBX] = 0xfff;
    th_expect_fault(t, EXC_GP, 0);
    th_free(t);
    t = limited_ds(TH_CODE_OF(read_ds_ebx32), attr, 0xfff);
    t->cpu->gpr[RBX] = 0x1000;
    th_expect_clean_halt(t);
    th_free(t);
}

static void test_write_to_read_only_data_raises_gp0(void **state)
{
    (void)state;
    struct th *t = limited_ds(TH_CODE_OF(write_ds_ebx32), SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_DB,
                              0xfff);
    t->cpu->gpr[RBX] = 0;
    th_expect_fault(t, EXC_GP, 0);
    assert_int_equal(th_read(t, TH_DATA, 4), 0);
    th_free(t);
}

static void test_write_through_cs_raises_gp0(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(write_cs_ebx32), 0);
    t->cpu->gpr[RBX] = TH_DATA;
    th_expect_fault(t, EXC_GP, 0);
    th_free(t);
}

/* A stack-segment limit violation is #SS(0), not #GP. */
static void test_ss_limit_violation_raises_ss0(void **state)
{
    (void)state;
    struct th *t = prot(TH_CODE_OF(read_ss_ebx32), 0);
    uint32_t attr = TH_A_DATA | SEG_ATTR_DB;
    cpu_load_seg_raw(t->cpu, SEG_SS, TH_KDATA, 0, 0x7ffff, attr);
    t->cpu->gpr[RBX] = 0x80000;
    th_expect_fault(t, EXC_SS, 0);
    th_free(t);
}

/* ---- 64-bit mode: FS/GS bases -------------------------------------------------- */

/* MOV FS in 64-bit mode loads the descriptor's 32-bit base (§3.4.4). */
static void test_mov_fs_64bit_loads_descriptor_base(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(mov_fs_ax64));
    th_set_gdt(t, SEL_TEST, th_desc(0x00123000, 0xfffff, TH_A_DATA | SEG_ATTR_G));
    t->cpu->seg[SEG_FS].base = 0xffff800000000000ULL;
    t->cpu->gpr[RAX] = SEL_TEST;
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->seg[SEG_FS].base, 0x00123000);
    th_free(t);
}

/* In 64-bit mode limits are not checked and FS supplies only its base. */
static void test_fs_access_64bit_ignores_limit(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(read_fs_rbx64));
    cpu_load_seg_raw(t->cpu, SEG_FS, SEL_TEST, TH_DATA, 0x0, TH_A_DATA);
    t->cpu->gpr[RBX] = 0x100;
    th_write(t, TH_DATA + 0x100, 0x1122334455667788ULL, 8);
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->gpr[RCX], 0x1122334455667788ULL);
    th_free(t);
}

/* MOV DS in 64-bit mode still runs the descriptor checks. */
static void test_mov_ds_64bit_still_checks_descriptor(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(mov_ds_ax64));
    t->cpu->gpr[RAX] = TH_TSS;
    th_expect_fault(t, EXC_GP, TH_TSS);
    th_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mov_ds_null_loads_unusable_segment),
        cmocka_unit_test(test_access_through_null_ds_raises_gp0),
        cmocka_unit_test(test_mov_ds_beyond_gdt_limit_raises_gp_selector),
        cmocka_unit_test(test_mov_ds_ldt_selector_without_ldt_raises_gp),
        cmocka_unit_test(test_mov_ds_ldt_selector_loads_from_ldt),
        cmocka_unit_test(test_mov_ds_system_descriptor_raises_gp),
        cmocka_unit_test(test_mov_ds_execute_only_code_raises_gp),
        cmocka_unit_test(test_mov_ds_readable_code_loads),
        cmocka_unit_test(test_mov_ds_dpl_below_cpl_raises_gp),
        cmocka_unit_test(test_mov_ds_rpl_above_dpl_raises_gp),
        cmocka_unit_test(test_mov_ds_conforming_code_skips_privilege_check),
        cmocka_unit_test(test_mov_ds_not_present_raises_np),
        cmocka_unit_test(test_mov_ds_sets_accessed_bit),
        cmocka_unit_test(test_mov_ss_null_in_protected_mode_raises_gp0),
        cmocka_unit_test(test_mov_ss_rpl_not_cpl_raises_gp),
        cmocka_unit_test(test_mov_ss_dpl_not_cpl_raises_gp),
        cmocka_unit_test(test_mov_ss_read_only_data_raises_gp),
        cmocka_unit_test(test_mov_ss_code_segment_raises_gp),
        cmocka_unit_test(test_mov_ss_not_present_raises_ss),
        cmocka_unit_test(test_mov_ss_null_in_64bit_ring0_loads),
        cmocka_unit_test(test_mov_ss_null_with_rpl_not_cpl_raises_gp0),
        cmocka_unit_test(test_mov_ss_null_in_ring3_raises_gp0),
        cmocka_unit_test(test_pop_ss_not_present_leaves_esp),
        cmocka_unit_test(test_lss_fault_leaves_register),
        cmocka_unit_test(test_read_beyond_limit_raises_gp0),
        cmocka_unit_test(test_read_at_limit_succeeds),
        cmocka_unit_test(test_expand_down_rejects_offsets_at_or_below_limit),
        cmocka_unit_test(test_write_to_read_only_data_raises_gp0),
        cmocka_unit_test(test_write_through_cs_raises_gp0),
        cmocka_unit_test(test_ss_limit_violation_raises_ss0),
        cmocka_unit_test(test_mov_fs_64bit_loads_descriptor_base),
        cmocka_unit_test(test_fs_access_64bit_ignores_limit),
        cmocka_unit_test(test_mov_ds_64bit_still_checks_descriptor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
