/* Paging seen from guest code: self-modifying code through an alias
 * mapping and through string instructions, stale translations through the
 * fast path, canonical-address faults, page-crossing writes, INVPCID,
 * STAC/CLAC with SMAP, MOV to CR3's no-flush bit, and the PDPTE load of
 * PAE paging. Code bytes were assembled with GNU as (intel syntax). */
#include "isa_test.h"

#define ALIAS 0x500000ULL /* a second mapping of the code page */
#define V     0x600000ULL
#define P1    0x100000ULL
#define P2    0x101000ULL

static uint64_t pte_pa(struct isa *m, uint64_t lin)
{
    return (uint64_t)((uint8_t *)isa_pte(m, lin) - m->pm.ram);
}

static void test_smc_through_an_alias_mapping_takes_effect_next_iteration(void **state)
{
    struct isa *m = *state;
    isa_map(m, ALIAS, ISA_CODE, PAGE_SIZE, PTE_W);
    /* loop: mov ecx, 0x11111111; inc edx; cmp edx, 2; je done;
     *       mov byte [ALIAS + 1], 0x22; jmp loop; done: */
    assert_int_equal(isa_run(m, "b9 11 11 11 11 ff c2 83 fa 02 74 0a"
                                "c6 04 25 01 00 50 00 22 eb ea"),
                     NO_FAULT);
    assert_int_equal(REG(RDX), 2);
    assert_int_equal(REG(RCX), 0x11111122);
}

/* rep stosb over the next instruction: run once with RCX = 0 so the
 * target is translated, then again with RCX = 5 (five NOPs over it). */
static void test_smc_by_rep_stosb_invalidates_a_translated_block(void **state)
{
    struct isa *m = *state;
    /* lea rdi, [rip + 4]; mov al, 0x90; rep stosb; mov edx, 0x12345678 */
    assert_int_equal(isa_run(m, "48 8d 3d 04 00 00 00 b0 90 f3 aa ba 78 56 34 12"), NO_FAULT);
    assert_int_equal(REG(RDX), 0x12345678);
    REG(RDX) = 0;
    REG(RCX) = 5;
    m->cpu->rip = ISA_CODE;
    assert_int_equal(isa_continue(m, ISA_MAX_INSNS), NO_FAULT);
    assert_int_equal(REG(RDX), 0);
}

static void test_smc_by_rep_movsb_through_an_alias(void **state)
{
    struct isa *m = *state;
    isa_map(m, ALIAS, ISA_CODE, PAGE_SIZE, PTE_W);
    for (int i = 0; i < 5; i++)
        isa_poke(m, ISA_DATA + (uint64_t)i, 0x90, 1);
    /* rep movsb; mov edx, 0x12345678 */
    assert_int_equal(isa_run(m, "f3 a4 ba 78 56 34 12"), NO_FAULT);
    assert_int_equal(REG(RDX), 0x12345678);
    REG(RDX) = 0;
    REG(RCX) = 5;
    REG(RSI) = ISA_DATA;
    REG(RDI) = ALIAS + 2;
    m->cpu->rip = ISA_CODE;
    assert_int_equal(isa_continue(m, ISA_MAX_INSNS), NO_FAULT);
    assert_int_equal(REG(RDX), 0);
}

/* The guest edits a PTE and reads through the old translation until it
 * executes INVLPG: the fast path is as stale as the TLB. */
static void test_guest_sees_stale_translation_until_invlpg(void **state)
{
    struct isa *m = *state;
    isa_map(m, V, P1, PAGE_SIZE, PTE_W);
    isa_poke(m, P1, 0x1111, 8);
    isa_poke(m, P2, 0x2222, 8);
    REG(RSI) = pte_pa(m, V);
    REG(RDI) = P2 | PTE_P | PTE_W;
    /* mov rax, [V]; mov [rsi], rdi; mov rbx, [V]; invlpg [V]; mov rcx, [V] */
    assert_int_equal(isa_run(m, "48 8b 04 25 00 00 60 00 48 89 3e 48 8b 1c 25 00 00 60 00"
                                "0f 01 3c 25 00 00 60 00 48 8b 0c 25 00 00 60 00"),
                     NO_FAULT);
    assert_int_equal(REG(RAX), 0x1111);
    assert_int_equal(REG(RBX), 0x1111);
    assert_int_equal(REG(RCX), 0x2222);
}

static void test_non_canonical_data_access_is_gp_and_stack_access_is_ss(void **state)
{
    struct isa *m = *state;
    REG(RBX) = 0x0000800000000000ULL;
    assert_int_equal(isa_run(m, "48 8b 03" /* mov rax, [rbx] */), EXC_GP);
    assert_int_equal(m->error, 0);
    assert_int_equal(m->cpu->rip, ISA_CODE);
    REG(RBX) = 0x00007FFFFFFFFFFCULL; /* the last 4 bytes are not canonical */
    assert_int_equal(isa_run(m, "48 8b 03"), EXC_GP);
    REG(RSP) = 0x0000800000000000ULL;
    assert_int_equal(isa_run(m, "48 8b 04 24" /* mov rax, [rsp] */), EXC_SS);
    assert_int_equal(m->error, 0);
    REG(RSP) = 0x0000800000000008ULL;
    assert_int_equal(isa_run(m, "50" /* push rax */), EXC_SS);
    assert_int_equal(REG(RSP), 0x0000800000000008ULL);
}

/* A write across a page boundary whose second page is read-only: #PF for
 * the second page and no byte written to the first. */
static void test_page_crossing_write_checks_both_pages_first(void **state)
{
    struct isa *m = *state;
    const uint64_t x = 0x700000, px = 0x180000;
    isa_map(m, x, px, PAGE_SIZE, PTE_W);
    isa_map(m, x + PAGE_SIZE, px + PAGE_SIZE, PAGE_SIZE, 0);
    isa_poke(m, px + 0xFF8, 0xAAAAAAAAAAAAAAAAULL, 8);
    REG(RBX) = x + 0xFFC;
    REG(RAX) = 0x1122334455667788ULL;
    assert_int_equal(isa_run(m, "48 89 03" /* mov [rbx], rax */), EXC_PF);
    assert_int_equal(m->error, PF_P | PF_W);
    assert_int_equal(m->cpu->cr2, x + PAGE_SIZE);
    assert_int_equal(isa_peek(m, px + 0xFF8, 8), 0xAAAAAAAAAAAAAAAAULL);
}

/* An instruction that starts at the end of a page and ends in a missing one:
 * #PF with CR2 = the second page and RIP at the instruction. (The block
 * translation the fault abandons once leaked its buffers: ASan.) */
static void test_fetch_crossing_into_a_missing_page_faults_on_the_second(void **state)
{
    struct isa *m = *state;
    const uint64_t x = 0x700000, px = 0x180000;
    isa_map(m, x, px, PAGE_SIZE, 0);
    isa_poke(m, px + 0xFFE, 0x8B48, 2); /* mov rax, [rbx] = 48 8b 03: the 03 is not there */
    m->cpu->rip = x + 0xFFE;
    assert_int_equal(isa_continue(m, ISA_MAX_INSNS), EXC_PF);
    assert_int_equal(m->cpu->cr2, x + PAGE_SIZE);
    assert_int_equal(m->cpu->rip, x + 0xFFE);
    assert_int_equal(m->error & PF_P, 0);
}

static int invpcid(struct isa *m, uint64_t type, uint64_t desc_lo, uint64_t lin)
{
    isa_poke(m, ISA_DATA, desc_lo, 8);
    isa_poke(m, ISA_DATA + 8, lin, 8);
    REG(RAX) = type;
    REG(RBX) = ISA_DATA;
    return isa_run(m, "66 0f 38 82 03" /* invpcid rax, [rbx] */);
}

static void test_invpcid_checks_type_descriptor_and_pcide(void **state)
{
    struct isa *m = *state;
    assert_int_equal(invpcid(m, 4, 0, 0), EXC_GP);
    assert_int_equal(invpcid(m, 0, 1ULL << 12, 0), EXC_GP); /* bits 63:12 */
    assert_int_equal(invpcid(m, 0, 0, 0x0000800000000000ULL), EXC_GP);
    assert_int_equal(invpcid(m, 1, 5, 0), EXC_GP); /* PCID 5, PCIDE=0 */
    assert_int_equal(invpcid(m, 3, 0, 0x0000800000000000ULL), NO_FAULT);
    assert_int_equal(invpcid(m, 0, 0, 0x1000), NO_FAULT);
    emu_tlb_stats s;
    mmu_tlb_stats(&m->cpu->mmu, TLB_DTLB, &s);
    assert_int_equal(s.flushes[EMU_TLB_FLUSH_INVPCID_ALL], 1);
    assert_int_equal(s.flushes[EMU_TLB_FLUSH_INVPCID_ADDRESS], 1);
}

/* Lets CPL 3 run the harness's code, data and stack pages. */
static void make_user(struct isa *m)
{
    static const uint64_t pages[] = {ISA_CODE, ISA_DATA, ISA_STACK_TOP - PAGE_SIZE};
    for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
        *isa_pte(m, pages[i]) |= PTE_U;
    mmu_flush_all(&m->cpu->mmu);
}

static void test_invpcid_stac_clac_are_privileged(void **state)
{
    struct isa *m = *state;
    make_user(m);
    isa_enter_user(m);
    assert_int_equal(invpcid(m, 3, 0, 0), EXC_GP);
    assert_int_equal(isa_run(m, "0f 01 cb" /* stac */), EXC_UD);
    assert_int_equal(isa_run(m, "0f 01 ca" /* clac */), EXC_UD);
}

static void test_stac_lifts_smap_for_explicit_supervisor_reads(void **state)
{
    struct isa *m = *state;
    make_user(m);
    cpu_set_cr(m->cpu, 4, m->cpu->cr4 | CR4_SMAP);
    REG(RBX) = ISA_DATA;
    assert_int_equal(isa_run(m, "48 8b 03" /* mov rax, [rbx] */), EXC_PF);
    assert_int_equal(m->error, PF_P);
    assert_int_equal(isa_run(m, "0f 01 cb 48 8b 03"), NO_FAULT); /* stac; mov */
    assert_true(isa_flags(m) & RFLAGS_AC);
    assert_int_equal(isa_run(m, "0f 01 ca 48 8b 03"), EXC_PF); /* clac; mov */
    assert_false(isa_flags(m) & RFLAGS_AC);
}

static void test_mov_cr3_bit63_is_noflush_under_pcide_and_reserved_otherwise(void **state)
{
    struct isa *m = *state;
    uint64_t cr3 = m->cpu->cr3;
    REG(RAX) = cr3 | (1ULL << 63);
    assert_int_equal(isa_run(m, "0f 22 d8" /* mov cr3, rax */), EXC_GP);
    cpu_set_cr(m->cpu, 4, m->cpu->cr4 | CR4_PCIDE);
    emu_tlb_stats before, after;
    mmu_tlb_stats(&m->cpu->mmu, TLB_DTLB, &before);
    assert_int_equal(isa_run(m, "0f 22 d8"), NO_FAULT);
    mmu_tlb_stats(&m->cpu->mmu, TLB_DTLB, &after);
    assert_int_equal(m->cpu->cr3, cr3); /* bit 63 is not stored */
    assert_int_equal(after.flushes[EMU_TLB_FLUSH_MOV_CR3_NOFLUSH],
                     before.flushes[EMU_TLB_FLUSH_MOV_CR3_NOFLUSH] + 1);
    assert_int_equal(after.flushes[EMU_TLB_FLUSH_MOV_CR3], before.flushes[EMU_TLB_FLUSH_MOV_CR3]);
    assert_int_equal(after.invalidated, before.invalidated);
}

/* PAE paging in 32-bit protected mode: MOV to CR0 that turns paging on
 * loads the PDPTEs, and a reserved bit in a present one is #GP. */
static void test_pae_paging_on_with_a_bad_pdpte_is_gp(void **state)
{
    struct isa *m = *state;
    const uint64_t pdpt = 0x30000, pd = 0x31000;
    isa_poke(m, pdpt, pd | PTE_P, 8);
    isa_poke(m, pd, PTE_P | PTE_W | PTE_PS, 8); /* 0..2 MiB identity */
    isa_poke(m, pdpt + 8, 0x32000 | PTE_P | (1ULL << 5), 8);
    cpu_set_cr(m->cpu, 3, pdpt);
    cpu_set_cr(m->cpu, 4, CR4_PAE);
    REG(RAX) = m->cpu->cr0 | CR0_PG;
    assert_int_equal(isa_run(m, "0f 22 c0" /* mov cr0, eax */), EXC_GP);
    isa_poke(m, pdpt + 8, 0, 8);
    assert_int_equal(isa_run(m, "0f 22 c0"), NO_FAULT);
    assert_true(m->cpu->cr0 & CR0_PG);
}

/* Instruction fetches through chained blocks are ITLB hits too. */
static void test_itlb_counts_every_block_entered(void **state)
{
    struct isa *m = *state;
    REG(RCX) = 1000;
    emu_tlb_stats before, after;
    mmu_tlb_stats(&m->cpu->mmu, TLB_ITLB, &before);
    assert_int_equal(isa_run(m, "ff c8 e2 fc" /* l: dec eax; loop l */), NO_FAULT);
    mmu_tlb_stats(&m->cpu->mmu, TLB_ITLB, &after);
    assert_true(after.hits - before.hits >= 999);
    assert_int_equal(after.lookups, after.hits + after.misses);
}

struct tlb_log {
    int ops[EMU_TLB_FLUSH + 1];
    int walks, invlpg_flushes;
    int cr3_flushes[2]; // by ev->u.tlb.instruction
    uint64_t dropped;   // entries the flushes dropped
};

static void log_event(void *ctx, emu_event *ev)
{
    struct tlb_log *l = ctx;
    if (ev->kind == EMU_EV_PAGE_WALK) l->walks++;
    if (ev->kind != EMU_EV_TLB) return;
    l->ops[ev->u.tlb.op]++;
    if (ev->u.tlb.op == EMU_TLB_FLUSH && ev->u.tlb.cause == EMU_TLB_CAUSE_INVLPG)
        l->invlpg_flushes++;
    if (ev->u.tlb.op == EMU_TLB_FLUSH && ev->u.tlb.cause == EMU_TLB_CAUSE_CR3)
        l->cr3_flushes[ev->u.tlb.instruction]++;
    if (ev->u.tlb.op == EMU_TLB_FLUSH) l->dropped += ev->u.tlb.count;
}

/* With TLB and page-walk hooks subscribed, the MMU's activity reaches the
 * hook layer as events; unsubscribed, nothing does. */
static void test_tlb_and_walk_hooks_see_misses_fills_hits_and_invlpg(void **state)
{
    struct isa *m = *state;
    struct tlb_log log = {0};
    isa_map(m, V, P1, PAGE_SIZE, PTE_W);
    m->cpu->emit = log_event;
    m->cpu->emit_ctx = &log;
    m->cpu->hook_mask = (1u << EMU_EV_TLB) | (1u << EMU_EV_PAGE_WALK);
    cpu_refresh_mmu_hooks(m->cpu);
    /* mov rax, [V]; mov rbx, [V]; invlpg [V] */
    assert_int_equal(isa_run(m, "48 8b 04 25 00 00 60 00 48 8b 1c 25 00 00 60 00"
                                "0f 01 3c 25 00 00 60 00"),
                     NO_FAULT);
    assert_true(log.ops[EMU_TLB_MISS] >= 1);
    assert_true(log.ops[EMU_TLB_FILL] >= 1);
    assert_true(log.ops[EMU_TLB_HIT] >= 1);
    assert_int_equal(log.invlpg_flushes, 2); /* the DTLB's and the ITLB's */
    assert_true(log.walks >= 4);
    m->cpu->hook_mask = 0;
    cpu_refresh_mmu_hooks(m->cpu);
    memset(&log, 0, sizeof(log));
    assert_int_equal(isa_run(m, "48 8b 04 25 00 00 60 00"), NO_FAULT);
    assert_int_equal(log.ops[EMU_TLB_MISS] + log.ops[EMU_TLB_HIT] + log.walks, 0);
}

/* MOV to CR3 with bit 63 under CR4.PCIDE is reported to both TLBs as a
 * CR3 flush that dropped nothing; without bit 63 it drops the entries. */
static void test_noflush_cr3_write_is_an_event_for_both_tlbs(void **state)
{
    struct isa *m = *state;
    struct tlb_log log = {0};
    cpu_set_cr(m->cpu, 4, m->cpu->cr4 | CR4_PCIDE);
    m->cpu->emit = log_event;
    m->cpu->emit_ctx = &log;
    m->cpu->hook_mask = 1u << EMU_EV_TLB;
    cpu_refresh_mmu_hooks(m->cpu);
    REG(RAX) = m->cpu->cr3 | (1ULL << 63);
    assert_int_equal(isa_run(m, "0f 22 d8" /* mov cr3, rax */), NO_FAULT);
    assert_int_equal(log.cr3_flushes[0], 1);
    assert_int_equal(log.cr3_flushes[1], 1);
    assert_int_equal(log.dropped, 0);
    REG(RAX) = m->cpu->cr3;
    assert_int_equal(isa_run(m, "0f 22 d8"), NO_FAULT);
    assert_int_equal(log.cr3_flushes[0], 2);
    assert_int_equal(log.cr3_flushes[1], 2);
    assert_true(log.dropped >= 1); /* the code page's ITLB entry at least */
    m->cpu->hook_mask = 0;
    cpu_refresh_mmu_hooks(m->cpu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST64(test_smc_through_an_alias_mapping_takes_effect_next_iteration),
        TEST64(test_smc_by_rep_stosb_invalidates_a_translated_block),
        TEST64(test_smc_by_rep_movsb_through_an_alias),
        TEST64(test_guest_sees_stale_translation_until_invlpg),
        TEST64(test_non_canonical_data_access_is_gp_and_stack_access_is_ss),
        TEST64(test_page_crossing_write_checks_both_pages_first),
        TEST64(test_fetch_crossing_into_a_missing_page_faults_on_the_second),
        TEST64(test_invpcid_checks_type_descriptor_and_pcide),
        TEST64(test_invpcid_stac_clac_are_privileged),
        TEST64(test_stac_lifts_smap_for_explicit_supervisor_reads),
        TEST64(test_mov_cr3_bit63_is_noflush_under_pcide_and_reserved_otherwise),
        TEST32(test_pae_paging_on_with_a_bad_pdpte_is_gp),
        TEST64(test_itlb_counts_every_block_entered),
        TEST64(test_tlb_and_walk_hooks_see_misses_fills_hits_and_invlpg),
        TEST64(test_noflush_cr3_write_is_an_event_for_both_tlbs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
