/* The forensics texts (src/debug): each recorded cause comes out in plain
 * words, with the descriptor, gate or page walk it was about. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debug/debug.h"
#include "harness.h"

SNIPPET(hlt64, "hlt\n");
SNIPPET(int80_64, "int $0x80\n hlt");
SNIPPET(mov_ds_ax64, "mov %ax, %ds\n hlt");
SNIPPET(wrmsr64, "wrmsr\n hlt");
SNIPPET(write_rbx64, "movq $1, (%rbx)\n hlt");
SNIPPET(ud2_64, "ud2\n");
SNIPPET(out64, "out %al, $0x70\n hlt");
SNIPPET(popf_ac_load64, "pushq $0x40202\n popfq\n movl 2(%rbx), %eax\n hlt");

/* Runs t and returns everything dbg_print_chain prints (free it). */
static char *chain_text(struct th *t)
{
    th_run(t, 100);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    dbg_print_chain(t->cpu, NULL, f);
    fclose(f);
    return buf;
}

#define assert_contains(hay, needle)                                                           \
    do {                                                                                        \
        if (!strstr((hay), (needle)))                                                           \
            fail_msg("missing \"%s\" in:\n%s", (needle), (hay));                               \
    } while (0)

static void test_privileged_instruction_names_the_instruction(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(hlt64));
    th_enter_ring3(t);
    char *s = chain_text(t);
    assert_contains(s, "#GP(0x0) at 0x20000, ring 3 (general-protection fault)");
    assert_contains(s, "`hlt` is a privileged instruction and the CPL is 3");
    free(s);
    th_free(t);
}

static void test_int_through_dpl0_gate_explains_the_gate(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(int80_64));
    th_enter_ring3(t);
    char *s = chain_text(t);
    assert_contains(s, "INT 0x80 at 0x20000, ring 3");
    assert_contains(s, "-> #GP(0x402) while delivering INT 0x80: IDT entry 128 has DPL 0, "
                       "below the CPL (3)");
    assert_contains(s, "error code 0x402: IDT vector 128");
    assert_contains(s, "IDT[128] at 0x2800 = ");
    assert_contains(s, "64-bit interrupt gate, DPL 0, present, target 0x0010:0x10800, IST 0");
    free(s);
    th_free(t);
}

static void test_not_present_segment_decodes_the_descriptor(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(mov_ds_ax64));
    th_set_gdt(t, TH_FREE, th_desc(0x1000, 0xff, SEG_ATTR_S | SEG_ATTR_RW));
    t->cpu->gpr[RAX] = TH_FREE;
    char *s = chain_text(t);
    assert_contains(s, "#NP(0x48)");
    assert_contains(s, "selector 0x0048 names a segment that is not present (P=0)");
    assert_contains(s, "GDT[0x48] = 0x00001200100000ff");
    assert_contains(s, "data, writable, DPL 0, not present, base 0x1000, limit 0xff");
    free(s);
    th_free(t);
}

static void test_unknown_msr_is_named(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(wrmsr64));
    t->cpu->gpr[RCX] = 0x12345678;
    char *s = chain_text(t);
    assert_contains(s, "MSR 0x12345678 is not implemented");
    free(s);
    th_free(t);
}

/* #AC names the instruction, the address and the three bits that armed it. */
static void test_alignment_check_names_the_access(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(popf_ac_load64));
    cpu_set_cr(t->cpu, 0, t->cpu->cr0 | CR0_AM);
    th_enter_ring3(t);
    t->cpu->gpr[RBX] = TH_DATA;
    char *s = chain_text(t);
    assert_contains(s, "#AC(0x0) at 0x20006, ring 3 (alignment check)");
    assert_contains(s, "accesses 0x30002, not a multiple of the access size, with alignment "
                       "checking on (CR0.AM = 1, RFLAGS.AC = 1, ring 3)");
    free(s);
    th_free(t);
}

/* A #PF shows the page walk and where it stopped. */
static void test_page_fault_shows_the_walk(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(write_rbx64));
    t->cpu->gpr[RBX] = 0x40000000; /* PDPT[1]: not present */
    char *s = chain_text(t);
    assert_contains(s, "#PF(0x2) at 0x20000, ring 0 (page fault): write to a not-present page "
                       "at 0x40000000 (CR2)");
    assert_contains(s, "PML4E[0] at 0x8000 = 0x0000000000009027  present, writable, user, "
                       "accessed");
    assert_contains(s, "PDPTE[1] at 0x9008 = 0x0000000000000000  not present");
    assert_contains(s, "-> stops: the last entry is not present");
    free(s);
    th_free(t);
}

/* A triple fault ends the chain with the shutdown line. */
static void test_triple_fault_chain_ends_in_shutdown(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(ud2_64));
    t->cpu->idtr.limit = 0;
    char *s = chain_text(t);
    assert_contains(s, "#UD at 0x20000, ring 0 (invalid opcode): `ud2` is not a valid "
                       "instruction here");
    assert_contains(s, "-> #GP(0x33) while delivering #UD: IDT entry 6 is beyond the IDT limit "
                       "(IDTR limit 0x0)");
    /* #UD is benign: its #GP is delivered in turn, and fails the same way */
    assert_contains(s, "-> #GP(0x6b) while delivering #GP: IDT entry 13 is beyond the IDT limit");
    assert_contains(s, "-> #DF double fault: the #GP happened while delivering the #GP");
    assert_contains(s, "-> shutdown (triple fault)");
    free(s);
    th_free(t);
}

static void test_io_bitmap_denial_names_the_port(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(out64));
    th_enter_ring3(t);
    char *s = chain_text(t);
    assert_contains(s, "the TSS I/O permission bitmap denies port 0x70");
    free(s);
    th_free(t);
}

/* A #UD handler that is itself a UD2 is redelivered forever on a real CPU
 * (each delivery succeeds, then the handler's first instruction faults), so
 * neither the budget nor virtual time would move again: after
 * CPU_STUCK_FAULTS deliveries with no instruction completed, cpu_exec gives
 * up with CPU_EXIT_STUCK (the machine ends the run, status 8). */
static void test_handler_that_faults_at_once_ends_the_run_as_stuck(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, TH_CODE_OF(ud2_64));
    th_set_gate(t, EXC_UD, TH_KCODE64, TH_CODE, 0xE, 0, 1, 1);
    uint64_t icount = t->cpu->icount;
    assert_int_equal(th_run(t, 1000), CPU_EXIT_STUCK);
    assert_int_equal(t->cpu->icount, icount);
    assert_int_equal(t->cpu->rip, TH_CODE);
    assert_int_equal(t->cpu->gpr[RSP], TH_IST_TOP(1) - 40);
    assert_int_equal(t->nev, TH_MAX_EVENTS);
    assert_int_equal(t->ev[TH_MAX_EVENTS - 1].vector, EXC_UD);
    th_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_privileged_instruction_names_the_instruction),
        cmocka_unit_test(test_int_through_dpl0_gate_explains_the_gate),
        cmocka_unit_test(test_not_present_segment_decodes_the_descriptor),
        cmocka_unit_test(test_unknown_msr_is_named),
        cmocka_unit_test(test_alignment_check_names_the_access),
        cmocka_unit_test(test_page_fault_shows_the_walk),
        cmocka_unit_test(test_triple_fault_chain_ends_in_shutdown),
        cmocka_unit_test(test_io_bitmap_denial_names_the_port),
        cmocka_unit_test(test_handler_that_faults_at_once_ends_the_run_as_stuck),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
