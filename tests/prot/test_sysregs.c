/* SGDT/SIDT, SWAPGS, the FS/GS base instructions, CLI/STI by IOPL, the
 * TSS I/O permission bitmap (SDM Vol. 2; Vol. 1 §19.5). */
#include "harness.h"

SNIPPET(sgdt64, "sgdt (%rbx)\n sidt 16(%rbx)\n hlt");
SNIPPET(sgdt32_16, ".code32\n data16 sgdt (%ebx)\n hlt");
SNIPPET(swapgs64, "swapgs\n hlt");
SNIPPET(swapgs32, ".code32\n .byte 0x0f, 0x01, 0xf8\n hlt"); /* swapgs */
SNIPPET(wrfsbase64, "wrfsbase %rax\n rdfsbase %rcx\n hlt");
SNIPPET(wrgsbase32op, "wrgsbase %eax\n rdgsbase %rcx\n hlt");
SNIPPET(cli64, "cli\n hlt");
SNIPPET(in_out64, "out %al, $0x80\n in $0x80, %al\n inw $0x7f, %ax\n hlt");

static struct th *at64(const uint8_t *s, const uint8_t *e)
{
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, s, e);
    return t;
}

/* 64-bit mode: 2-byte limit then an 8-byte base. */
static void test_sgdt_sidt_store_limit_and_64bit_base(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(sgdt64));
    t->cpu->gpr[RBX] = TH_DATA;
    t->cpu->idtr.base = 0xffff800000012000ULL;
    th_expect_clean_halt(t);
    assert_int_equal(th_read(t, TH_DATA, 2), t->cpu->gdtr.limit);
    assert_int_equal(th_read(t, TH_DATA + 2, 8), TH_GDT);
    assert_int_equal(th_read(t, TH_DATA + 18, 8), 0xffff800000012000ULL);
    th_free(t);
}

/* 16-bit operand size in a 32-bit mode: the full 32-bit base is still
 * stored (SDM SGDT: "Full 32-bit base address stored"). */
static void test_sgdt_16bit_operand_stores_32bit_base(void **state)
{
    (void)state;
    struct th *t = th_new(TH_PROT32);
    th_code(t, 0, TH_CODE_OF(sgdt32_16));
    t->cpu->gdtr.base = 0x12345678;
    t->cpu->gpr[RBX] = TH_DATA;
    th_write(t, TH_DATA, ~0ULL, 8);
    th_expect_clean_halt(t);
    assert_int_equal(th_read(t, TH_DATA + 2, 4), 0x12345678);
    assert_int_equal(th_read(t, TH_DATA + 6, 2), 0xffff);
    th_free(t);
}

static void test_swapgs_exchanges_gs_base_and_kernel_gs_base(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(swapgs64));
    t->cpu->seg[SEG_GS].base = t->cpu->segbase[SEG_GS] = 0x1111;
    t->cpu->msr.kernel_gs_base = 0xffff888000002222ULL;
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->seg[SEG_GS].base, 0xffff888000002222ULL);
    assert_int_equal(t->cpu->segbase[SEG_GS], 0xffff888000002222ULL);
    assert_int_equal(t->cpu->msr.kernel_gs_base, 0x1111);
    th_free(t);
}

/* SWAPGS: ring 0 only (#GP(0)); 64-bit mode only (#UD in compatibility mode). */
static void test_swapgs_faults(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(swapgs64));
    th_enter_ring3(t);
    th_expect_fault(t, EXC_GP, 0);
    th_free(t);
    t = th_new(TH_COMPAT32);
    th_code(t, 0, TH_CODE_OF(swapgs32));
    th_expect_fault(t, EXC_UD, EXC_NO_ERROR);
    th_free(t);
}

/* WRFSBASE/RDFSBASE with CR4.FSGSBASE; the 32-bit form zero-extends. */
static void test_fsgsbase_instructions(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(wrfsbase64));
    t->cpu->cr4 |= CR4_FSGSBASE;
    t->cpu->gpr[RAX] = 0x00007fffdeadb000ULL;
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->seg[SEG_FS].base, 0x00007fffdeadb000ULL);
    assert_int_equal(t->cpu->gpr[RCX], 0x00007fffdeadb000ULL);
    th_free(t);
    t = at64(TH_CODE_OF(wrgsbase32op));
    t->cpu->cr4 |= CR4_FSGSBASE;
    t->cpu->gpr[RAX] = 0xffffffff80001000ULL;
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->seg[SEG_GS].base, 0x80001000ULL);
    th_free(t);
}

/* Without CR4.FSGSBASE: #UD; a non-canonical base: #GP(0). */
static void test_fsgsbase_faults(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(wrfsbase64));
    th_expect_fault(t, EXC_UD, EXC_NO_ERROR);
    th_free(t);
    t = at64(TH_CODE_OF(wrfsbase64));
    t->cpu->cr4 |= CR4_FSGSBASE;
    t->cpu->gpr[RAX] = 0x0000800000000000ULL;
    th_expect_fault(t, EXC_GP, 0);
    th_free(t);
}

/* CLI at CPL 3: #GP(0) with IOPL 0, allowed with IOPL 3. */
static void test_cli_follows_iopl(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(cli64));
    th_enter_ring3(t);
    th_expect_fault(t, EXC_GP, 0);
    assert_int_equal(th_stack(t, 1), TH_CODE);
    th_free(t);
    t = at64(TH_CODE_OF(cli64));
    th_enter_ring3(t);
    t->cpu->rflags |= RFLAGS_IOPL | RFLAGS_IF;
    th_expect_clean_halt(t); /* the hlt faults, the cli did not */
    assert_int_equal(th_stack(t, 1), TH_CODE + 1);
    assert_false(th_stack(t, 3) & RFLAGS_IF);
    th_free(t);
}

/* The I/O bitmap: each port of the access must have its bit clear. */
static void test_io_bitmap_checks_every_port_of_the_access(void **state)
{
    (void)state;
    struct th *t = at64(TH_CODE_OF(in_out64));
    /* TSS limit covering a bitmap at offset 0x68, ports 0x78..0x87 */
    t->cpu->tr.limit = 0x68 + 0x11;
    th_write(t, TH_TSS_BASE + 0x68 + 0x0f, 0x80, 1); /* 0x7f denied, 0x78..0x7e allowed */
    th_write(t, TH_TSS_BASE + 0x68 + 0x10, 0xfe, 1); /* 0x80 allowed, 0x81.. denied */
    th_write(t, TH_TSS_BASE + 0x68 + 0x11, 0xff, 1);
    th_enter_ring3(t);
    th_expect_fault(t, EXC_GP, 0);
    assert_int_equal(th_stack(t, 1), TH_CODE + 4); /* out and in 0x80 ran; inw 0x7f:0x80 did not */
    th_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sgdt_sidt_store_limit_and_64bit_base),
        cmocka_unit_test(test_sgdt_16bit_operand_stores_32bit_base),
        cmocka_unit_test(test_swapgs_exchanges_gs_base_and_kernel_gs_base),
        cmocka_unit_test(test_swapgs_faults),
        cmocka_unit_test(test_fsgsbase_instructions),
        cmocka_unit_test(test_fsgsbase_faults),
        cmocka_unit_test(test_cli_follows_iopl),
        cmocka_unit_test(test_io_bitmap_checks_every_port_of_the_access),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
