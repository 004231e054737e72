/* MOVS STOS LODS CMPS SCAS with REP/REPE/REPNE: direction, termination
 * conditions, RCX = 0, address-size 32 and 16 (ECX/ESI/EDI, CX/SI/DI with
 * wrap-around), segment override of the source only, fault part-way through
 * a REP (the completed iterations stay, RIP stays at the instruction), and
 * REP runs longer than one execution chunk. */
#include "isa_test.h"

static void fill(struct isa *m, uint64_t pa, unsigned n, uint8_t first)
{
    for (unsigned i = 0; i < n; i++)
        isa_poke(m, pa + i, (uint8_t)(first + i), 1);
}

static void test_rep_movsb_copies_forward_and_counts_down(void **state)
{
    struct isa *m = *state;
    fill(m, ISA_DATA, 10, 1);
    REG(RSI) = ISA_DATA;
    REG(RDI) = ISA_DATA + 0x100;
    REG(RCX) = 10;
    assert_int_equal(isa_run(m, "f3 a4" /* rep movsb */), NO_FAULT);
    assert_int_equal(REG(RCX), 0);
    assert_int_equal(REG(RSI), ISA_DATA + 10);
    assert_int_equal(REG(RDI), ISA_DATA + 0x10a);
    assert_int_equal(isa_peek(m, ISA_DATA + 0x100, 8), 0x0807060504030201ULL);
    assert_int_equal(isa_peek(m, ISA_DATA + 0x108, 2), 0x0a09);
}

static void test_rep_movsq_backward_with_df(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, 0x1111, 8);
    isa_poke(m, ISA_DATA + 8, 0x2222, 8);
    REG(RSI) = ISA_DATA + 8;
    REG(RDI) = ISA_DATA + 0x108;
    REG(RCX) = 2;
    assert_int_equal(isa_run(m, "fd f3 48 a5" /* std; rep movsq */), NO_FAULT);
    assert_int_equal(REG(RSI), ISA_DATA - 8);
    assert_int_equal(REG(RDI), ISA_DATA + 0xf8);
    assert_int_equal(isa_peek(m, ISA_DATA + 0x100, 8), 0x1111);
    assert_int_equal(isa_peek(m, ISA_DATA + 0x108, 8), 0x2222);
}

static void test_rep_with_rcx_zero_does_nothing_and_keeps_flags(void **state)
{
    struct isa *m = *state;
    REG(RSI) = ISA_DATA;
    REG(RDI) = ISA_DATA + 0x100;
    REG(RCX) = 0;
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_CF | RFLAGS_SF);
    assert_int_equal(isa_run(m, "f3 a6" /* repe cmpsb */), NO_FAULT);
    assert_int_equal(REG(RSI), ISA_DATA);
    assert_flags(m, RFLAGS_ARITH, RFLAGS_CF | RFLAGS_SF);
}

static void test_repe_cmpsb_stops_after_first_difference(void **state)
{
    struct isa *m = *state;
    fill(m, ISA_DATA, 8, 0x40);
    fill(m, ISA_DATA + 0x100, 8, 0x40);
    isa_poke(m, ISA_DATA + 0x103, 0x50, 1);
    REG(RSI) = ISA_DATA;
    REG(RDI) = ISA_DATA + 0x100;
    REG(RCX) = 8;
    assert_int_equal(isa_run(m, "f3 a6" /* repe cmpsb */), NO_FAULT);
    assert_int_equal(REG(RCX), 4); /* four compares done, the last unequal */
    assert_int_equal(REG(RSI), ISA_DATA + 4);
    assert_flags(m, RFLAGS_ZF | RFLAGS_CF, RFLAGS_CF); /* 0x43 - 0x50 borrows */
}

static void test_repne_scasb_finds_the_byte(void **state)
{
    struct isa *m = *state;
    fill(m, ISA_DATA, 16, 0);
    REG(RAX) = 5;
    REG(RDI) = ISA_DATA;
    REG(RCX) = 100;
    assert_int_equal(isa_run(m, "f2 ae" /* repne scasb */), NO_FAULT);
    assert_int_equal(REG(RDI), ISA_DATA + 6);
    assert_int_equal(REG(RCX), 94);
    assert_flags(m, RFLAGS_ZF, RFLAGS_ZF);
}

static void test_lodsb_loads_al_and_advances(void **state)
{
    struct isa *m = *state;
    isa_poke(m, ISA_DATA, 0x99, 1);
    REG(RAX) = 0x1100;
    REG(RSI) = ISA_DATA;
    assert_int_equal(isa_run(m, "ac" /* lodsb */), NO_FAULT);
    assert_int_equal(REG(RAX), 0x1199);
    assert_int_equal(REG(RSI), ISA_DATA + 1);
}

static void test_address_size_32_uses_and_zero_extends_ecx_esi_edi(void **state)
{
    struct isa *m = *state;
    fill(m, ISA_DATA, 2, 7);
    REG(RSI) = 0xffffffff00000000ULL | ISA_DATA;
    REG(RDI) = 0xffffffff00000000ULL | (ISA_DATA + 0x100);
    REG(RCX) = 0xffffffff00000002ULL;
    assert_int_equal(isa_run(m, "67 f3 a4" /* rep movsb (addr32) */), NO_FAULT);
    assert_int_equal(REG(RCX), 0);
    assert_int_equal(REG(RSI), ISA_DATA + 2);
    assert_int_equal(REG(RDI), ISA_DATA + 0x102);
    assert_int_equal(isa_peek(m, ISA_DATA + 0x100, 2), 0x0807);
}

static void test_source_segment_override_applies_to_rsi(void **state)
{
    struct isa *m = *state;
    struct seg fs = m->cpu->seg[SEG_FS];
    cpu_load_seg_raw(m->cpu, SEG_FS, fs.sel, 0x1000, fs.limit, fs.attr);
    isa_poke(m, ISA_DATA + 0x1000, 0x77, 1);
    REG(RSI) = ISA_DATA;
    REG(RDI) = ISA_DATA + 0x100;
    REG(RCX) = 1;
    assert_int_equal(isa_run(m, "64 f3 a4" /* rep movsb es:[rdi], fs:[rsi] */), NO_FAULT);
    assert_int_equal(isa_peek(m, ISA_DATA + 0x100, 1), 0x77);
}

static void test_rep_movsb_fault_midway_keeps_progress(void **state)
{
    struct isa *m = *state;
    *isa_pte(m, ISA_DATA + 0x2000) &= ~PTE_W;
    mmu_flush_all(&m->cpu->mmu);
    fill(m, ISA_DATA, 32, 1);
    REG(RSI) = ISA_DATA;
    REG(RDI) = ISA_DATA + 0x1ff0;
    REG(RCX) = 32;
    assert_int_equal(isa_run(m, "f3 a4" /* rep movsb */), EXC_PF);
    assert_int_equal(m->cpu->rip, ISA_CODE);
    assert_int_equal(m->cpu->cr2, ISA_DATA + 0x2000);
    assert_int_equal(REG(RCX), 16);
    assert_int_equal(REG(RSI), ISA_DATA + 16);
    assert_int_equal(REG(RDI), ISA_DATA + 0x2000);
    assert_int_equal(isa_peek(m, ISA_DATA + 0x1ff8, 8), 0x100f0e0d0c0b0a09ULL);
}

static void test_rep_stosb_longer_than_a_chunk_completes(void **state)
{
    struct isa *m = *state;
    REG(RAX) = 0xab;
    REG(RDI) = ISA_DATA;
    REG(RCX) = 10000;
    assert_int_equal(isa_run(m, "f3 aa" /* rep stosb */), NO_FAULT);
    assert_int_equal(REG(RCX), 0);
    assert_int_equal(REG(RDI), ISA_DATA + 10000);
    assert_int_equal(isa_peek(m, ISA_DATA + 9999, 2), 0x00ab);
}

/* A port device for INS/OUTS: reads count up from 1, writes are recorded. */
struct port_log {
    unsigned reads, writes;
    uint16_t port;
    uint64_t written[8];
};

static uint64_t log_in(void *opaque, uint16_t port, unsigned size)
{
    struct port_log *l = opaque;
    (void)size;
    l->port = port;
    return ++l->reads;
}

static void log_out(void *opaque, uint16_t port, uint64_t value, unsigned size)
{
    struct port_log *l = opaque;
    (void)size;
    l->port = port;
    if (l->writes < 8)
        l->written[l->writes] = value;
    l->writes++;
}

static void attach_ports(struct isa *m, struct port_log *l)
{
    m->cpu->env.opaque = l;
    m->cpu->env.io_in = log_in;
    m->cpu->env.io_out = log_out;
}

static void test_rep_insb_reads_the_port_into_memory(void **state)
{
    struct isa *m = *state;
    struct port_log l = {0};
    attach_ports(m, &l);
    REG(RDX) = 0x3f8;
    REG(RDI) = ISA_DATA;
    REG(RCX) = 3;
    assert_int_equal(isa_run(m, "f3 6c" /* rep insb */), NO_FAULT);
    assert_int_equal(l.reads, 3);
    assert_int_equal(l.port, 0x3f8);
    assert_int_equal(isa_peek(m, ISA_DATA, 4), 0x00030201);
    assert_int_equal(REG(RDI), ISA_DATA + 3);
    assert_int_equal(REG(RCX), 0);
}

static void test_insb_to_read_only_page_faults_before_reading_the_port(void **state)
{
    struct isa *m = *state;
    struct port_log l = {0};
    attach_ports(m, &l);
    *isa_pte(m, ISA_DATA) &= ~PTE_W;
    mmu_flush_all(&m->cpu->mmu);
    REG(RDI) = ISA_DATA;
    assert_int_equal(isa_run(m, "6c" /* insb */), EXC_PF);
    assert_int_equal(l.reads, 0); /* a device read may have side effects */
    assert_int_equal(REG(RDI), ISA_DATA);
}

static void test_rep_outsw_writes_words_backwards_with_df(void **state)
{
    struct isa *m = *state;
    struct port_log l = {0};
    attach_ports(m, &l);
    isa_poke(m, ISA_DATA, 0x2222111100000000ULL, 8);
    REG(RDX) = 0x80;
    REG(RSI) = ISA_DATA + 6;
    REG(RCX) = 2;
    isa_set_flags(m, RFLAGS_FIXED1 | RFLAGS_DF);
    assert_int_equal(isa_run(m, "66 f3 6f" /* rep outsw */), NO_FAULT);
    assert_int_equal(l.writes, 2);
    assert_int_equal(l.written[0], 0x2222);
    assert_int_equal(l.written[1], 0x1111);
    assert_int_equal(REG(RSI), ISA_DATA + 2);
}

static void test_rep_movsw_in_protected_mode_writes_through_es(void **state)
{
    struct isa *m = *state;
    struct seg es = m->cpu->seg[SEG_ES];
    cpu_load_seg_raw(m->cpu, SEG_ES, es.sel, 0x10000, 0xffffffff, es.attr);
    isa_poke(m, ISA_DATA, 0xbeef, 2);
    REG(RSI) = ISA_DATA;
    REG(RDI) = 0x20000; /* ES:0x20000 = linear 0x30000 */
    REG(RCX) = 1;
    assert_int_equal(isa_run(m, "66 f3 a5" /* rep movsw */), NO_FAULT);
    assert_int_equal(isa_peek(m, 0x30000, 2), 0xbeef);
    assert_int_equal(REG(RDI), 0x20002);
}

static void test_address_size_16_wraps_si_and_keeps_upper_bits(void **state)
{
    struct isa *m = *state;
    isa_poke(m, 0xffff, 0x31, 1);
    isa_poke(m, 0x0000, 0x32, 1);
    REG(RSI) = 0x1234ffff;
    REG(RDI) = 0x00008000;
    REG(RCX) = 0xabcd0002;
    assert_int_equal(isa_run(m, "67 f3 a4" /* rep movsb (addr16: CX, SI, DI) */), NO_FAULT);
    assert_int_equal(REG(RSI), 0x12340001);
    assert_int_equal(REG(RCX), 0xabcd0000);
    assert_int_equal(isa_peek(m, 0x8000, 2), 0x3231);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST64(test_rep_movsb_copies_forward_and_counts_down),
        TEST64(test_rep_movsq_backward_with_df),
        TEST64(test_rep_with_rcx_zero_does_nothing_and_keeps_flags),
        TEST64(test_repe_cmpsb_stops_after_first_difference),
        TEST64(test_repne_scasb_finds_the_byte),
        TEST64(test_lodsb_loads_al_and_advances),
        TEST64(test_address_size_32_uses_and_zero_extends_ecx_esi_edi),
        TEST64(test_source_segment_override_applies_to_rsi),
        TEST64(test_rep_movsb_fault_midway_keeps_progress),
        TEST64(test_rep_stosb_longer_than_a_chunk_completes),
        TEST64(test_rep_insb_reads_the_port_into_memory),
        TEST64(test_insb_to_read_only_page_faults_before_reading_the_port),
        TEST64(test_rep_outsw_writes_words_backwards_with_df),
        TEST32(test_rep_movsw_in_protected_mode_writes_through_es),
        TEST32(test_address_size_16_wraps_si_and_keeps_upper_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
