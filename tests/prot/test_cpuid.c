/* CPUID advertises exactly what emu implements (DESIGN.md §1): every bit it
 * reports set has a probe here that must run without #UD or #GP, and a bit
 * without a probe fails the test -- so a feature cannot be advertised
 * without being exercised. */
#include "harness.h"

SNIPPET(p_rdtsc, "rdtsc\n hlt");
SNIPPET(p_rdmsr, "rdmsr\n hlt");
SNIPPET(p_cmpxchg8b, "cmpxchg8b (%rbx)\n hlt");
SNIPPET(p_sysenter, "sysenter\n");
SNIPPET(p_cmov, "cmove %rax, %rbx\n hlt");
SNIPPET(p_clflush, "clflush (%rbx)\n hlt");
SNIPPET(p_mmx, "movq %mm0, %mm1\n emms\n hlt");
SNIPPET(p_fxsave, "fxsave (%rbx)\n fxrstor (%rbx)\n hlt");
SNIPPET(p_sse, "movaps %xmm0, %xmm1\n addps %xmm1, %xmm0\n hlt");
SNIPPET(p_sse2, "paddq %xmm0, %xmm1\n movdqa %xmm1, %xmm2\n hlt");
SNIPPET(p_cmpxchg16b, "cmpxchg16b (%rbx)\n hlt");
SNIPPET(p_popcnt, "popcnt %rax, %rbx\n hlt");
SNIPPET(p_fsgsbase, "rdfsbase %rax\n wrgsbase %rax\n hlt");
SNIPPET(p_andn, "andn %rax, %rbx, %rcx\n hlt");
SNIPPET(p_invpcid, "invpcid (%rbx), %rax\n hlt");
SNIPPET(p_stac, "stac\n clac\n hlt");
SNIPPET(p_lahf, "lahf\n sahf\n hlt");
SNIPPET(p_lzcnt, "lzcnt %rax, %rbx\n hlt");
SNIPPET(p_syscall, "syscall\n");
SNIPPET(p_rdtscp, "rdtscp\n hlt");
SNIPPET(p_mov_cr4, "mov %rax, %cr4\n hlt");
SNIPPET(p_wrmsr, "wrmsr\n hlt");
SNIPPET(hlt_only, "hlt\n");

enum reg { EAX, EBX, ECX, EDX };

struct probe {
    uint32_t leaf;
    enum reg reg;
    unsigned bit;
    const char *name;
    const uint8_t *code, *code_end; // an instruction sequence that must not fault
    uint64_t cr4_bit;               // or a CR4 bit MOV CR4 must accept
    uint32_t msr;                   // or an MSR RDMSR must read
    int special;                    // or one of the checks below
};

enum { S_NONE, S_PSE36, S_PAGE1GB, S_NXE, S_LM, S_TSC_INVARIANT };

#define INSN(l, r, b, n, s) {l, r, b, n, s, s##_end, 0, 0, S_NONE}
#define CR4B(l, r, b, n, c) {l, r, b, n, NULL, NULL, c, 0, S_NONE}
#define MSRB(l, r, b, n, m) {l, r, b, n, NULL, NULL, 0, m, S_NONE}
#define SPEC(l, r, b, n, s) {l, r, b, n, NULL, NULL, 0, 0, s}

static const struct probe probes[] = {
    CR4B(1, EDX, 2, "DE", CR4_DE),
    CR4B(1, EDX, 3, "PSE", CR4_PSE),
    INSN(1, EDX, 4, "TSC", p_rdtsc),
    MSRB(1, EDX, 5, "MSR", MSR_IA32_EFER),
    CR4B(1, EDX, 6, "PAE", CR4_PAE),
    INSN(1, EDX, 8, "CX8", p_cmpxchg8b),
    INSN(1, EDX, 11, "SEP", p_sysenter),
    MSRB(1, EDX, 12, "MTRR", MSR_IA32_MTRRCAP),
    CR4B(1, EDX, 13, "PGE", CR4_PGE),
    INSN(1, EDX, 15, "CMOV", p_cmov),
    MSRB(1, EDX, 16, "PAT", MSR_IA32_PAT),
    SPEC(1, EDX, 17, "PSE36", S_PSE36),
    INSN(1, EDX, 19, "CLFSH", p_clflush),
    INSN(1, EDX, 23, "MMX", p_mmx),
    INSN(1, EDX, 24, "FXSR", p_fxsave),
    INSN(1, EDX, 25, "SSE", p_sse),
    INSN(1, EDX, 26, "SSE2", p_sse2),
    INSN(1, ECX, 13, "CX16", p_cmpxchg16b),
    CR4B(1, ECX, 17, "PCID", CR4_PCIDE),
    INSN(1, ECX, 23, "POPCNT", p_popcnt),
    INSN(7, EBX, 0, "FSGSBASE", p_fsgsbase),
    INSN(7, EBX, 3, "BMI1", p_andn),
    CR4B(7, EBX, 7, "SMEP", CR4_SMEP),
    INSN(7, EBX, 10, "INVPCID", p_invpcid),
    INSN(7, EBX, 20, "SMAP", p_stac),
    CR4B(7, ECX, 2, "UMIP", CR4_UMIP),
    INSN(0x80000001u, ECX, 0, "LAHF-SAHF", p_lahf),
    INSN(0x80000001u, ECX, 5, "ABM", p_lzcnt),
    INSN(0x80000001u, EDX, 11, "SYSCALL", p_syscall),
    SPEC(0x80000001u, EDX, 20, "NX", S_NXE),
    SPEC(0x80000001u, EDX, 26, "Page1GB", S_PAGE1GB),
    INSN(0x80000001u, EDX, 27, "RDTSCP", p_rdtscp),
    SPEC(0x80000001u, EDX, 29, "LM", S_LM),
    SPEC(0x80000007u, EDX, 8, "invariant TSC", S_TSC_INVARIANT),
};

/* The CPU every probe runs on: 64-bit ring 0 with the OS bits a kernel
 * sets before using the features (OSFXSR, FSGSBASE), MSRs aimed at a hlt. */
static struct th *probe_cpu(const uint8_t *code, const uint8_t *end)
{
    struct th *t = th_new(TH_LONG64);
    th_code(t, 0, code, end);
    th_code(t, TH_CODE + 0x800, TH_CODE_OF(hlt_only));
    struct cpu *c = t->cpu;
    c->cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_FSGSBASE;
    c->msr.lstar = c->msr.sysenter_eip = TH_CODE + 0x800;
    c->msr.sysenter_cs = TH_KCODE64;
    c->msr.sysenter_esp = TH_KSTACK;
    c->gpr[RBX] = TH_DATA; /* 16-byte aligned scratch */
    return t;
}

static bool run_clean(struct th *t)
{
    return th_run(t, 100) == CPU_EXIT_HALT && t->nev == 0;
}

static bool special_ok(int which)
{
    struct th *t = th_new(TH_LONG64);
    struct mmu_walk w;
    bool ok = false;
    struct cpu *c = t->cpu;
    switch (which) {
    case S_PSE36: /* 32-bit paging, a 4 MiB page with PA[39:32] = 1 in PDE bits 20:13 */
        th_write(t, 0x70000, 0x83 | (1u << 13), 4);
        mmu_set_regs(&c->mmu, CR0_PE | CR0_PG, 0x70000, CR4_PSE, 0);
        ok = mmu_walk(&c->mmu, 0x1000, MMU_READ | MMU_NO_SIDE_EFFECTS, &w) &&
             w.pa == 0x100001000ULL;
        break;
    case S_PAGE1GB: /* PDPTE[1] with PS: a 1 GiB page */
        th_write(t, TH_PML4 + 0x1000 + 8, 0x40000000ULL | PTE_P | PTE_W | PTE_PS, 8);
        ok = mmu_walk(&c->mmu, 0x40001234, MMU_READ | MMU_NO_SIDE_EFFECTS, &w) &&
             w.pa == 0x40001234;
        break;
    case S_NXE: ok = msr_write(c, MSR_IA32_EFER, c->efer | EFER_NXE) == 0; break;
    case S_LM: ok = c->mode == MODE_LONG64; break;
    case S_TSC_INVARIANT: { /* the TSC follows retired instructions, never the host */
        uint64_t a = cpu_tsc(c);
        c->icount += 10;
        ok = cpu_tsc(c) - a == 10;
        break;
    }
    default: break;
    }
    th_free(t);
    return ok;
}

static bool probe_ok(const struct probe *p)
{
    if (p->special)
        return special_ok(p->special);
    struct th *t;
    if (p->code) {
        t = probe_cpu(p->code, p->code_end);
        if (p->code == p_invpcid)
            t->cpu->gpr[RAX] = 2; /* all contexts, globals included */
    } else if (p->cr4_bit) {
        /* MOV CR4 must accept the bit. (After CR4.SMEP the next fetch, from
         * the harness's user page, rightly raises #PF.) */
        t = probe_cpu(TH_CODE_OF(p_mov_cr4));
        t->cpu->gpr[RAX] = t->cpu->cr4 | p->cr4_bit;
        th_run(t, 100);
        bool ok = (t->cpu->cr4 & p->cr4_bit) &&
                  (t->nev == 0 || t->cpu->chain[0].vector == EXC_PF);
        th_free(t);
        return ok;
    } else {
        t = probe_cpu(TH_CODE_OF(p_rdmsr));
        t->cpu->gpr[RCX] = p->msr;
    }
    bool ok = run_clean(t);
    th_free(t);
    return ok;
}

static const struct probe *find(uint32_t leaf, enum reg reg, unsigned bit)
{
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
        if (probes[i].leaf == leaf && probes[i].reg == reg && probes[i].bit == bit)
            return &probes[i];
    return NULL;
}

static void test_every_advertised_feature_has_a_passing_probe(void **state)
{
    (void)state;
    static const uint32_t leaves[] = {1, 7, 0x80000001u, 0x80000007u};
    struct th *t = th_new(TH_LONG64);
    for (size_t l = 0; l < sizeof(leaves) / sizeof(leaves[0]); l++) {
        uint32_t out[4];
        cpuid_query(t->cpu, leaves[l], 0, out);
        for (int r = (leaves[l] == 1 ? ECX : EBX); r <= EDX; r++) {
            for (unsigned b = 0; b < 32; b++) {
                if (!(out[r] & (1u << b)))
                    continue;
                const struct probe *p = find(leaves[l], (enum reg)r, b);
                if (!p)
                    fail_msg("CPUID %#x reg %d bit %u is advertised but has no probe",
                             leaves[l], r, b);
                if (!probe_ok(p))
                    fail_msg("CPUID advertises %s but its probe faults", p->name);
            }
        }
    }
    th_free(t);
}

/* Features emu does not implement stay off (a few a guest is likely to
 * test), and their instructions raise #UD. */
static void test_unimplemented_features_are_not_advertised(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    uint32_t out[4];
    cpuid_query(t->cpu, 1, 0, out);
    assert_false(out[EDX] & 1);           /* FPU */
    assert_false(out[ECX] & (1u << 28));  /* AVX */
    assert_false(out[ECX] & (1u << 26));  /* XSAVE */
    assert_false(out[ECX] & (1u << 30));  /* RDRAND */
    assert_false(out[ECX] & (1u << 0));   /* SSE3 */
    cpuid_query(t->cpu, 7, 0, out);
    assert_false(out[EBX] & (1u << 5));   /* AVX2 */
    assert_false(out[EBX] & (1u << 8));   /* BMI2 */
    th_free(t);
    /* ... and CR4 refuses their enable bits: OSXSAVE (18), VMXE (13), LA57 (12) */
    static const unsigned bits[] = {18, 13, 12};
    for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
        t = probe_cpu(TH_CODE_OF(p_mov_cr4));
        t->cpu->gpr[RAX] = t->cpu->cr4 | (1ULL << bits[i]);
        th_expect_fault(t, EXC_GP, 0);
        th_free(t);
    }
}

static void test_vendor_signature_and_leaf_ranges(void **state)
{
    (void)state;
    struct th *t = th_new(TH_LONG64);
    uint32_t out[4], top[4];
    cpuid_query(t->cpu, 0, 0, out);
    assert_int_equal(out[0], 7);
    assert_memory_equal(&out[1], "Genu", 4);
    assert_memory_equal(&out[3], "ineI", 4);
    assert_memory_equal(&out[2], "ntel", 4);
    cpuid_query(t->cpu, 0x80000000u, 0, out);
    assert_int_equal(out[0], 0x80000008u);
    cpuid_query(t->cpu, 1, 0, out);
    assert_int_equal(out[0], 0x000306A9u); /* family 6 model 0x3A stepping 9 (docs/cpu.md) */
    /* Intel: above the highest basic or extended leaf, the highest basic leaf */
    cpuid_query(t->cpu, 7, 0, top);
    cpuid_query(t->cpu, 0x20, 0, out);
    assert_memory_equal(out, top, sizeof(out));
    cpuid_query(t->cpu, 0x80000009u, 0, out);
    assert_memory_equal(out, top, sizeof(out));
    th_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_advertised_feature_has_a_passing_probe),
        cmocka_unit_test(test_unimplemented_features_are_not_advertised),
        cmocka_unit_test(test_vendor_signature_and_leaf_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
