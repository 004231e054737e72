/* The guest can never hurt the host (DESIGN.md §1): random descriptor
 * tables, gates, TSS contents, stacks and system instructions, in every
 * mode, must only ever end in an exception, a halt, a shutdown or the
 * instruction budget -- never a crash (run it under ASan+UBSan too). The
 * seed is fixed, so a failure reproduces. */
#include "harness.h"

#define ROUNDS 400
#define BUDGET 2000

/* xorshift64*: deterministic pseudo-random numbers. */
static uint64_t next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

/* Instruction templates the random code is built from: system
 * instructions with their operands in registers or at TH_DATA (RBX).
 * Assembled as 32-bit code; the same bytes are (other) valid instructions
 * in 64-bit mode, which is all a fuzzer needs. */
SNIPPET(fz_mov_ds, ".code32\n mov %ax, %ds\n");
SNIPPET(fz_mov_ss, ".code32\n mov %ax, %ss\n");
SNIPPET(fz_mov_es, ".code32\n mov %cx, %es\n");
SNIPPET(fz_mov_fs, ".code32\n mov %dx, %fs\n");
SNIPPET(fz_mov_gs, ".code32\n mov %ax, %gs\n");
SNIPPET(fz_ljmp_m, ".code32\n ljmp *(%ebx)\n");
SNIPPET(fz_lcall_m, ".code32\n lcall *(%ebx)\n");
SNIPPET(fz_lret, ".code32\n lret\n");
SNIPPET(fz_lret8, ".code32\n lret $8\n");
SNIPPET(fz_iret, ".code32\n iret\n");
SNIPPET(fz_int80, ".code32\n int $0x80\n");
SNIPPET(fz_int3, ".code32\n int3\n");
SNIPPET(fz_int1, ".code32\n .byte 0xf1\n");
SNIPPET(fz_into, ".code32\n into\n");
SNIPPET(fz_int_r, ".code32\n int $0x41\n");
SNIPPET(fz_ltr, ".code32\n ltr %ax\n");
SNIPPET(fz_lldt, ".code32\n lldt %cx\n");
SNIPPET(fz_lar, ".code32\n lar %eax, %ecx\n");
SNIPPET(fz_lsl, ".code32\n lsl %edx, %eax\n");
SNIPPET(fz_verr, ".code32\n verr %ax\n");
SNIPPET(fz_str, ".code32\n str %eax\n");
SNIPPET(fz_sysenter, ".code32\n sysenter\n");
SNIPPET(fz_sysexit, ".code32\n sysexit\n");
SNIPPET(fz_syscall, ".code32\n .byte 0x0f, 0x05\n");
SNIPPET(fz_sysret, ".code32\n .byte 0x0f, 0x07\n");
SNIPPET(fz_swapgs, ".code32\n .byte 0x0f, 0x01, 0xf8\n");
SNIPPET(fz_load, ".code32\n mov (%ebx), %eax\n");
SNIPPET(fz_store, ".code32\n mov %eax, (%ebx)\n");
SNIPPET(fz_load_dx, ".code32\n mov 8(%ebx), %edx\n");
SNIPPET(fz_add_bx, ".code32\n add $8, %ebx\n");
SNIPPET(fz_xchg, ".code32\n xchg %eax, %edx\n");
SNIPPET(fz_cli, ".code32\n cli\n");
SNIPPET(fz_sti, ".code32\n sti\n");
SNIPPET(fz_pushf_popf, ".code32\n pushf\n popf\n");
SNIPPET(fz_push_pop, ".code32\n push %eax\n pop %ecx\n");
SNIPPET(fz_wrmsr, ".code32\n wrmsr\n");
SNIPPET(fz_rdmsr, ".code32\n rdmsr\n");
SNIPPET(fz_mov_cr4, ".code32\n mov %eax, %cr4\n");
SNIPPET(fz_mov_cr0, ".code32\n mov %edx, %cr0\n");
SNIPPET(fz_mov_dr7, ".code32\n mov %eax, %dr7\n");
SNIPPET(fz_mov_dr0, ".code32\n mov %ebx, %dr0\n");
SNIPPET(fz_lidt, ".code32\n lidt (%ebx)\n");
SNIPPET(fz_lgdt, ".code32\n lgdt (%ebx)\n");
SNIPPET(fz_ud2, ".code32\n ud2\n");
SNIPPET(fz_nop, ".code32\n nop\n");
SNIPPET(fz_div, ".code32\n div %ecx\n");
SNIPPET(fz_in, ".code32\n in $0x80, %al\n");
SNIPPET(fz_out, ".code32\n out %al, $0x70\n");
SNIPPET(fz_lss, ".code32\n lss (%ebx), %esp\n");
SNIPPET(fz_mov_sp, ".code32\n mov %edx, %esp\n");

static const uint8_t *const pieces[][2] = {
    {fz_mov_ds, fz_mov_ds_end},
    {fz_mov_ss, fz_mov_ss_end},
    {fz_mov_es, fz_mov_es_end},
    {fz_mov_fs, fz_mov_fs_end},
    {fz_mov_gs, fz_mov_gs_end},
    {fz_ljmp_m, fz_ljmp_m_end},
    {fz_lcall_m, fz_lcall_m_end},
    {fz_lret, fz_lret_end},
    {fz_lret8, fz_lret8_end},
    {fz_iret, fz_iret_end},
    {fz_int80, fz_int80_end},
    {fz_int3, fz_int3_end},
    {fz_int1, fz_int1_end},
    {fz_into, fz_into_end},
    {fz_int_r, fz_int_r_end},
    {fz_ltr, fz_ltr_end},
    {fz_lldt, fz_lldt_end},
    {fz_lar, fz_lar_end},
    {fz_lsl, fz_lsl_end},
    {fz_verr, fz_verr_end},
    {fz_str, fz_str_end},
    {fz_sysenter, fz_sysenter_end},
    {fz_sysexit, fz_sysexit_end},
    {fz_syscall, fz_syscall_end},
    {fz_sysret, fz_sysret_end},
    {fz_swapgs, fz_swapgs_end},
    {fz_load, fz_load_end},
    {fz_store, fz_store_end},
    {fz_load_dx, fz_load_dx_end},
    {fz_add_bx, fz_add_bx_end},
    {fz_xchg, fz_xchg_end},
    {fz_cli, fz_cli_end},
    {fz_sti, fz_sti_end},
    {fz_pushf_popf, fz_pushf_popf_end},
    {fz_push_pop, fz_push_pop_end},
    {fz_wrmsr, fz_wrmsr_end},
    {fz_rdmsr, fz_rdmsr_end},
    {fz_mov_cr4, fz_mov_cr4_end},
    {fz_mov_cr0, fz_mov_cr0_end},
    {fz_mov_dr7, fz_mov_dr7_end},
    {fz_mov_dr0, fz_mov_dr0_end},
    {fz_lidt, fz_lidt_end},
    {fz_lgdt, fz_lgdt_end},
    {fz_ud2, fz_ud2_end},
    {fz_nop, fz_nop_end},
    {fz_div, fz_div_end},
    {fz_in, fz_in_end},
    {fz_out, fz_out_end},
    {fz_lss, fz_lss_end},
    {fz_mov_sp, fz_mov_sp_end},
};

static void randomize_tables(struct th *t, uint64_t *s)
{
    for (uint16_t sel = TH_FREE; sel < 0x100; sel += 8)
        th_set_gdt(t, sel, next(s));
    for (int i = 0; i < 16; i++) {
        unsigned v = (unsigned)(next(s) & 0xff);
        uint64_t at = TH_IDT + ((t->mode == TH_LONG64 || t->mode == TH_COMPAT32) ? 16 : 8) * v;
        th_write(t, at, next(s), 8);
        th_write(t, at + 8, next(s) & 0xffffffff, 8);
    }
    for (unsigned off = 0; off < 0x68; off += 8)
        if (next(s) & 1)
            th_write(t, TH_TSS_BASE + off, next(s), 8);
    for (unsigned off = 0; off < 0x100; off += 8)
        th_write(t, TH_DATA + off, next(s), 8);
    th_write(t, TH_KSTACK - 0x40, next(s), 8);
    th_write(t, TH_KSTACK - 0x38, next(s) & 0xffff, 8);
}

static void randomize_registers(struct th *t, uint64_t *s)
{
    struct cpu *c = t->cpu;
    for (int r = 0; r < 16; r++)
        c->gpr[r] = next(s) & 0xffff;
    c->gpr[RBX] = TH_DATA;
    c->gpr[RSP] = (next(s) & 1) ? TH_KSTACK - 0x40 : next(s);
    if (next(s) % 4 == 0)
        th_enter_ring3(t);
    if (next(s) % 8 == 0)
        c->idtr.limit = (uint16_t)next(s);
    if (next(s) % 8 == 0)
        c->gdtr.limit = (uint16_t)next(s);
}

static void test_random_system_state_never_crashes(void **state)
{
    (void)state;
    static const enum th_mode modes[] = {TH_LONG64, TH_COMPAT32, TH_PROT32, TH_REAL};
    uint64_t s = 0x9E3779B97F4A7C15ULL;
    unsigned outcomes[4] = {0};
    for (int round = 0; round < ROUNDS; round++) {
        enum th_mode mode = modes[round % 4];
        struct th *t = th_new(mode);
        uint8_t code[256];
        size_t n = 0;
        while (n < sizeof(code) - 32) {
            const uint8_t *const *p = pieces[next(&s) % (sizeof(pieces) / sizeof(pieces[0]))];
            size_t len = (size_t)(p[1] - p[0]);
            memcpy(code + n, p[0], len);
            n += len;
        }
        if (mode == TH_REAL) /* real-mode CS:IP = 2000:0000 reaches TH_CODE */
            cpu_load_seg_raw(t->cpu, SEG_CS, TH_CODE >> 4, TH_CODE, 0xffff,
                             t->cpu->seg[SEG_CS].attr);
        th_code(t, 0, code, code + n);
        randomize_tables(t, &s);
        randomize_registers(t, &s);
        enum cpu_exit e = th_run(t, BUDGET);
        assert_true(e == CPU_EXIT_HALT || e == CPU_EXIT_SHUTDOWN || e == CPU_EXIT_BUDGET);
        outcomes[e == CPU_EXIT_HALT ? 0 : e == CPU_EXIT_SHUTDOWN ? 1 : 2]++;
        th_free(t);
    }
    /* the rounds must reach both ends: handled faults and triple faults */
    print_message("halted %u, shut down %u, budget %u\n", outcomes[0], outcomes[1], outcomes[2]);
    assert_true(outcomes[0] > 0 && outcomes[1] > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_system_state_never_crashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
