/* Far JMP/CALL/RET, call gates and IRET (SDM Vol. 2 JMP, CALL, RET, IRET). */
#include "harness.h"

SNIPPET(lcall_rbx64, "lcall *(%rbx)\n hlt");
SNIPPET(ljmp_rbx64, "ljmp *(%rbx)\n hlt");
SNIPPET(ljmpq_rbx64, "rex64 ljmp *(%rbx)\n hlt");
SNIPPET(lretq64, "lretq\n");
SNIPPET(iretq64, "iretq\n");
SNIPPET(iretq_stub, "iretq\n");
SNIPPET(hlt_only, "hlt\n");
SNIPPET(lcall_gate32, ".code32\n lcall $0x48, $0\n hlt");
SNIPPET(lret8_32, ".code32\n lretl $8\n");

#define SEL_A (TH_FREE)        /* 0x48 */
#define SEL_B (TH_FREE + 0x10) /* 0x58 */
#define TARGET (TH_CODE + 0x800)

static void put_far_ptr32(struct th *t, uint64_t at, uint32_t off, uint16_t sel)
{
    th_write(t, at, off, 4);
    th_write(t, at + 4, sel, 2);
}

/* Ring 3 -> ring 0 through a 64-bit call gate: RSP from TSS.RSP0, SS null
 * with RPL 0, and SS, RSP, CS, RIP of the caller pushed as quadwords. */
static void test_call_gate64_to_ring0_switches_stack(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(lcall_rbx64));
    th_code(t, TARGET, TH_CODE_OF(hlt_only));
    t->cpu->rip = TH_CODE;
    th_set_call_gate(t, SEL_A, TH_KCODE64, TARGET, 3, 0, 1);
    put_far_ptr32(t, TH_DATA, 0xdeadbeef, SEL_A | 3);
    th_enter_ring3(t);
    t->cpu->gpr[RBX] = TH_DATA;
    th_expect_clean_halt(t);
    struct cpu *c = t->cpu;
    assert_int_equal(c->cpl, 0);
    assert_int_equal(c->seg[SEG_CS].sel, TH_KCODE64);
    assert_int_equal(c->seg[SEG_SS].sel, 0);
    assert_int_equal(c->gpr[RSP], TH_KSTACK - 32);
    assert_int_equal(th_stack(t, 0), TH_CODE + 2);          /* return RIP */
    assert_int_equal(th_stack(t, 1), TH_UCODE64 | 3);       /* CS */
    assert_int_equal(th_stack(t, 2), TH_USTACK);            /* RSP */
    assert_int_equal(th_stack(t, 3), TH_UDATA | 3);         /* SS */
    assert_int_equal(c->rip, TARGET + 1);
    th_free(t);
}

/* LRETQ from ring 0 back to ring 3 pops RIP, CS, RSP, SS, and makes null
 * any data segment ring 3 may not use. */
static void test_lretq_to_ring3_restores_stack_and_nulls_ds(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(lretq64));
    th_code(t, TARGET, TH_CODE_OF(hlt_only));
    uint64_t sp = TH_KSTACK - 32;
    th_write(t, sp, TARGET, 8);
    th_write(t, sp + 8, TH_UCODE64 | 3, 8);
    th_write(t, sp + 16, TH_USTACK - 64, 8);
    th_write(t, sp + 24, TH_UDATA | 3, 8);
    t->cpu->gpr[RSP] = sp;
    th_expect_clean_halt(t); /* the hlt in ring 3 gives #GP(0) */
    struct cpu *c = t->cpu;
    assert_int_equal(c->seg[SEG_DS].sel, 0);
    assert_true(c->seg[SEG_DS].attr & SEG_ATTR_UNUSABLE);
    /* the #GP frame on the ring-0 stack holds ring 3's SS:RSP */
    assert_int_equal(th_stack(t, 4), TH_USTACK - 64);
    assert_int_equal(th_stack(t, 5), TH_UDATA | 3);
    th_free(t);
}

/* Call gate DPL 0 from ring 3: #GP(gate selector). */
static void test_call_gate_dpl_below_cpl_raises_gp(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(lcall_rbx64));
    th_set_call_gate(t, SEL_A, TH_KCODE64, TARGET, 0, 0, 1);
    put_far_ptr32(t, TH_DATA, 0, SEL_A | 3);
    th_enter_ring3(t);
    t->cpu->gpr[RBX] = TH_DATA;
    th_expect_fault(t, EXC_GP, SEL_A);
    th_free(t);
}

static void test_call_gate_not_present_raises_np(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(lcall_rbx64));
    th_set_call_gate(t, SEL_A, TH_KCODE64, TARGET, 3, 0, 0);
    put_far_ptr32(t, TH_DATA, 0, SEL_A | 3);
    th_enter_ring3(t);
    t->cpu->gpr[RBX] = TH_DATA;
    th_expect_fault(t, EXC_NP, SEL_A);
    th_free(t);
}

/* The upper half of a 64-bit call gate must have type 0. */
static void test_call_gate_upper_type_raises_gp(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(lcall_rbx64));
    th_set_call_gate(t, SEL_A, TH_KCODE64, TARGET, 0, 0, 1);
    th_write(t, TH_GDT + SEL_A + 13, DESC_TYPE_CALL, 1);
    put_far_ptr32(t, TH_DATA, 0, SEL_A);
    t->cpu->gpr[RBX] = TH_DATA;
    th_expect_fault(t, EXC_GP, SEL_A);
    th_free(t);
}

/* In IA-32e mode the gate's target must be 64-bit code: #GP(target selector). */
static void test_call_gate_to_compat_code_raises_gp(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(lcall_rbx64));
    th_set_call_gate(t, SEL_A, TH_KCODE32, TARGET, 0, 0, 1);
    put_far_ptr32(t, TH_DATA, 0, SEL_A);
    t->cpu->gpr[RBX] = TH_DATA;
    th_expect_fault(t, EXC_GP, TH_KCODE32);
    th_free(t);
}

/* JMP through a call gate never raises privilege: #GP(target selector). */
static void test_jmp_through_gate_to_inner_ring_raises_gp(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(ljmp_rbx64));
    th_set_call_gate(t, SEL_A, TH_KCODE64, TARGET, 3, 0, 1);
    put_far_ptr32(t, TH_DATA, 0, SEL_A | 3);
    th_enter_ring3(t);
    t->cpu->gpr[RBX] = TH_DATA;
    th_expect_fault(t, EXC_GP, TH_KCODE64);
    th_free(t);
}

/* A direct far JMP to non-conforming ring-0 code from ring 3: #GP(selector). */
static void test_direct_jmp_to_inner_nonconforming_raises_gp(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(ljmp_rbx64));
    put_far_ptr32(t, TH_DATA, TARGET, TH_KCODE64);
    th_enter_ring3(t);
    t->cpu->gpr[RBX] = TH_DATA;
    th_expect_fault(t, EXC_GP, TH_KCODE64);
    th_free(t);
}

/* Conforming code: entered at the caller's CPL, CS.RPL = CPL. */
static void test_jmp_to_conforming_code_keeps_cpl(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(ljmp_rbx64));
    th_code(t, TARGET, TH_CODE_OF(hlt_only));
    t->cpu->rip = TH_CODE;
    th_set_gdt(t, SEL_A, th_desc(0, 0xfffff, TH_A_CODE | SEG_ATTR_DC | SEG_ATTR_L | SEG_ATTR_G));
    put_far_ptr32(t, TH_DATA, TARGET, SEL_A);
    th_enter_ring3(t);
    t->cpu->gpr[RBX] = TH_DATA;
    th_expect_clean_halt(t);
    assert_int_equal(th_stack(t, 2), SEL_A | 3); /* the #GP frame's CS */
    assert_int_equal(th_stack(t, 1), TARGET);
    th_free(t);
}

#define TYPE_ACCESSED (1ULL << 40) /* descriptor type bit 0 */

/* A far JMP loads CS from a descriptor whose accessed bit is clear: the
 * load sets it in the GDT, as for every segment load (SDM Vol. 3
 * §3.4.5.1). QEMU 7.2 leaves it clear for CS, so no kernel compares it. */
static void test_far_jmp_sets_cs_accessed_bit(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(ljmp_rbx64));
    th_code(t, TARGET, TH_CODE_OF(hlt_only));
    t->cpu->rip = TH_CODE;
    th_set_gdt(t, SEL_A, th_desc(0, 0xfffff, TH_A_CODE | SEG_ATTR_L | SEG_ATTR_G));
    put_far_ptr32(t, TH_DATA, TARGET, SEL_A);
    t->cpu->gpr[RBX] = TH_DATA;
    assert_false(th_get_gdt(t, SEL_A) & TYPE_ACCESSED);
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->seg[SEG_CS].sel, SEL_A);
    assert_true(th_get_gdt(t, SEL_A) & TYPE_ACCESSED);
    th_free(t);
}

/* L = 1 with D = 1 is reserved in IA-32e mode: #GP(selector). */
static void test_jmp_to_l_and_d_code_raises_gp(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(ljmp_rbx64));
    th_set_gdt(t, SEL_A, th_desc(0, 0xfffff, TH_A_CODE | SEG_ATTR_L | SEG_ATTR_DB | SEG_ATTR_G));
    put_far_ptr32(t, TH_DATA, TARGET, SEL_A);
    t->cpu->gpr[RBX] = TH_DATA;
    th_expect_fault(t, EXC_GP, SEL_A);
    th_free(t);
}

static void test_jmp_null_selector_raises_gp0(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(ljmp_rbx64));
    put_far_ptr32(t, TH_DATA, TARGET, 0);
    t->cpu->gpr[RBX] = TH_DATA;
    th_expect_fault(t, EXC_GP, 0);
    th_free(t);
}

/* A far JMP to 32-bit code enters compatibility mode. */
static void test_jmp_to_code32_enters_compat_mode(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(ljmp_rbx64));
    th_code(t, TARGET, TH_CODE_OF(hlt_only));
    t->cpu->rip = TH_CODE;
    put_far_ptr32(t, TH_DATA, TARGET, TH_KCODE32);
    t->cpu->gpr[RBX] = TH_DATA;
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->mode, MODE_COMPAT32);
    th_free(t);
}

/* A 64-bit offset through m16:64 must be canonical: #GP(0). */
static void test_jmp_noncanonical_offset_raises_gp0(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(ljmpq_rbx64));
    th_write(t, TH_DATA, 0x0000800000000000ULL, 8);
    th_write(t, TH_DATA + 8, TH_KCODE64, 2);
    t->cpu->gpr[RBX] = TH_DATA;
    th_expect_fault(t, EXC_GP, 0);
    th_free(t);
}

/* ---- legacy 32-bit call gates ----------------------------------------------- */

/* Ring 3 -> ring 0 through a 32-bit call gate copying 2 parameters: the new
 * stack (TSS SS0:ESP0) holds old SS, old ESP, the parameters, CS, EIP. */
static void test_call_gate32_copies_parameters(void **state)
{
    (void)state;
    struct th *t = th_new(TH_PROT32);
    th_code(t, 0, TH_CODE_OF(lcall_gate32));
    th_code(t, TARGET, TH_CODE_OF(hlt_only));
    t->cpu->rip = TH_CODE;
    th_set_call_gate(t, SEL_A, TH_KCODE32, TARGET, 3, 2, 1);
    th_enter_ring3(t);
    t->cpu->gpr[RSP] = TH_USTACK - 8;
    th_write(t, TH_USTACK - 8, 0x11111111, 4); /* parameter at ESP+0 */
    th_write(t, TH_USTACK - 4, 0x22222222, 4); /* parameter at ESP+4 */
    th_expect_clean_halt(t);
    struct cpu *c = t->cpu;
    assert_int_equal(c->cpl, 0);
    assert_int_equal(c->seg[SEG_SS].sel, TH_KDATA);
    assert_int_equal(c->gpr[RSP], TH_KSTACK - 24);
    assert_int_equal(th_stack(t, 0), TH_CODE + 7);
    assert_int_equal(th_stack(t, 1), TH_UCODE32 | 3);
    assert_int_equal(th_stack(t, 2), 0x11111111);
    assert_int_equal(th_stack(t, 3), 0x22222222);
    assert_int_equal(th_stack(t, 4), TH_USTACK - 8);
    assert_int_equal(th_stack(t, 5), TH_UDATA | 3);
    th_free(t);
}

/* RET 8 back to ring 3 releases the parameters on both stacks. */
static void test_lret_imm_to_ring3_releases_parameters(void **state)
{
    (void)state;
    struct th *t = th_new(TH_PROT32);
    th_code(t, 0, TH_CODE_OF(lret8_32));
    th_code(t, TARGET, TH_CODE_OF(hlt_only));
    uint64_t sp = TH_KSTACK - 24;
    th_write(t, sp, TARGET, 4);
    th_write(t, sp + 4, TH_UCODE32 | 3, 4);
    th_write(t, sp + 16, TH_USTACK - 8, 4);
    th_write(t, sp + 20, TH_UDATA | 3, 4);
    t->cpu->gpr[RSP] = sp;
    th_expect_clean_halt(t); /* hlt in ring 3: #GP(0) on the TSS stack */
    assert_int_equal(th_stack(t, 4), TH_USTACK); /* ESP saved by the #GP: 8 released */
    th_free(t);
}

/* The TSS's SS0 must have DPL 0: #TS(SS0 selector). */
static void test_call_gate32_bad_tss_stack_raises_ts(void **state)
{
    (void)state;
    struct th *t = th_new(TH_PROT32);
    th_code(t, 0, TH_CODE_OF(lcall_gate32));
    th_set_call_gate(t, SEL_A, TH_KCODE32, TARGET, 3, 0, 1);
    th_write(t, TH_TSS_BASE + 8, TH_UDATA, 2);
    th_enter_ring3(t);
    th_run(t, 100); /* delivering the #TS needs the same stack: it escalates */
    assert_int_equal(t->cpu->chain[0].vector, EXC_TS);
    assert_int_equal(t->cpu->chain[0].error, TH_UDATA);
    th_free(t);
}

/* ---- IRET ---------------------------------------------------------------------- */

static struct th *iret_frame(uint64_t rip, uint64_t cs, uint64_t rflags, uint64_t rsp,
                             uint64_t ss)
{
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(iretq64));
    th_code(t, TARGET, TH_CODE_OF(hlt_only));
    t->cpu->rip = TH_CODE;
    uint64_t sp = TH_KSTACK - 40;
    uint64_t frame[5] = {rip, cs, rflags, rsp, ss};
    for (int i = 0; i < 5; i++)
        th_write(t, sp + 8 * i, frame[i], 8);
    t->cpu->gpr[RSP] = sp;
    return t;
}

static void test_iretq_to_cpl3_loads_ss_from_frame(void **state)
{
    (void)state;
    struct th *t = iret_frame(TARGET, TH_UCODE64 | 3, 0x202, TH_USTACK - 0x80, TH_UDATA | 3);
    th_expect_clean_halt(t);
    assert_int_equal(th_stack(t, 2), TH_UCODE64 | 3);
    assert_int_equal(th_stack(t, 4), TH_USTACK - 0x80);
    assert_int_equal(th_stack(t, 5), TH_UDATA | 3);
    assert_int_equal(th_stack(t, 3) & RFLAGS_IF, RFLAGS_IF);
    th_free(t);
}

/* Returning to a more privileged ring (RPL < CPL) is refused: #GP(selector). */
static void test_iretq_to_inner_ring_raises_gp(void **state)
{
    (void)state;
    struct th *t = iret_frame(TARGET, TH_KCODE64, 0x2, TH_KSTACK, TH_KDATA);
    th_enter_ring3(t);
    t->cpu->gpr[RSP] = TH_KSTACK - 40;
    th_expect_fault(t, EXC_GP, TH_KCODE64);
    th_free(t);
}

/* IRETQ to CPL 3 with a null SS: #GP(0). */
static void test_iretq_to_ring3_with_null_ss_raises_gp0(void **state)
{
    (void)state;
    struct th *t = iret_frame(TARGET, TH_UCODE64 | 3, 0x2, TH_USTACK, 3);
    th_expect_fault(t, EXC_GP, 0);
    th_free(t);
}

/* IRETQ to ring 0 64-bit code with a null SS (RPL 0) is fine. */
static void test_iretq_to_ring0_with_null_ss_loads(void **state)
{
    (void)state;
    struct th *t = iret_frame(TARGET, TH_KCODE64, 0x2, TH_KSTACK - 0x100, 0);
    th_expect_clean_halt(t);
    assert_int_equal(t->cpu->gpr[RSP], TH_KSTACK - 0x100);
    assert_int_equal(t->cpu->seg[SEG_SS].sel, 0);
    th_free(t);
}

static void test_iretq_noncanonical_rip_raises_gp0(void **state)
{
    (void)state;
    struct th *t = iret_frame(0x0000800000000000ULL, TH_KCODE64, 0x2, TH_KSTACK, TH_KDATA);
    th_expect_fault(t, EXC_GP, 0);
    th_free(t);
}

/* NT = 1 in IA-32e mode: #GP(0). */
static void test_iret_with_nt_in_long_mode_raises_gp0(void **state)
{
    (void)state;
    struct th *t = iret_frame(TARGET, TH_KCODE64, 0x2, TH_KSTACK, TH_KDATA);
    t->cpu->rflags |= RFLAGS_NT;
    th_expect_fault(t, EXC_GP, 0);
    th_free(t);
}

/* IRET unblocks NMIs even when it faults (SDM Vol. 3 §6.7.1). */
static void test_iret_unblocks_nmi_even_when_faulting(void **state)
{
    (void)state;
    struct th *t = iret_frame(0x0000800000000000ULL, TH_KCODE64, 0x2, TH_KSTACK, TH_KDATA);
    t->cpu->nmi_blocked = true;
    th_expect_fault(t, EXC_GP, 0);
    assert_false(t->cpu->nmi_blocked);
    th_free(t);
}

/* From CPL 3 with IOPL 0, IRET may change neither IF nor IOPL. */
static void test_iretq_at_cpl3_cannot_change_if_or_iopl(void **state)
{
    (void)state;
    struct th *t = iret_frame(TARGET, TH_UCODE64 | 3, RFLAGS_IOPL | 0x2, TH_USTACK - 0x80,
                              TH_UDATA | 3);
    th_enter_ring3(t);
    t->cpu->gpr[RSP] = TH_KSTACK - 40;
    t->cpu->rflags |= RFLAGS_IF;
    th_expect_clean_halt(t);
    uint64_t f = th_stack(t, 3); /* RFLAGS in the #GP frame from the ring-3 hlt */
    assert_int_equal(f & RFLAGS_IOPL, 0);
    assert_int_equal(f & RFLAGS_IF, RFLAGS_IF);
    th_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_call_gate64_to_ring0_switches_stack),
        cmocka_unit_test(test_lretq_to_ring3_restores_stack_and_nulls_ds),
        cmocka_unit_test(test_call_gate_dpl_below_cpl_raises_gp),
        cmocka_unit_test(test_call_gate_not_present_raises_np),
        cmocka_unit_test(test_call_gate_upper_type_raises_gp),
        cmocka_unit_test(test_call_gate_to_compat_code_raises_gp),
        cmocka_unit_test(test_jmp_through_gate_to_inner_ring_raises_gp),
        cmocka_unit_test(test_direct_jmp_to_inner_nonconforming_raises_gp),
        cmocka_unit_test(test_jmp_to_conforming_code_keeps_cpl),
        cmocka_unit_test(test_far_jmp_sets_cs_accessed_bit),
        cmocka_unit_test(test_jmp_to_l_and_d_code_raises_gp),
        cmocka_unit_test(test_jmp_null_selector_raises_gp0),
        cmocka_unit_test(test_jmp_to_code32_enters_compat_mode),
        cmocka_unit_test(test_jmp_noncanonical_offset_raises_gp0),
        cmocka_unit_test(test_call_gate32_copies_parameters),
        cmocka_unit_test(test_lret_imm_to_ring3_releases_parameters),
        cmocka_unit_test(test_call_gate32_bad_tss_stack_raises_ts),
        cmocka_unit_test(test_iretq_to_cpl3_loads_ss_from_frame),
        cmocka_unit_test(test_iretq_to_inner_ring_raises_gp),
        cmocka_unit_test(test_iretq_to_ring3_with_null_ss_raises_gp0),
        cmocka_unit_test(test_iretq_to_ring0_with_null_ss_loads),
        cmocka_unit_test(test_iretq_noncanonical_rip_raises_gp0),
        cmocka_unit_test(test_iret_with_nt_in_long_mode_raises_gp0),
        cmocka_unit_test(test_iret_unblocks_nmi_even_when_faulting),
        cmocka_unit_test(test_iretq_at_cpl3_cannot_change_if_or_iopl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
