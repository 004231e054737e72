/* MSR round trips (what WRMSR stores RDMSR returns, FS_BASE as the FS
 * base), and #GP(0) on an MSR that is not there to be read.
 *
 * Left out (QEMU 7.2 departs from the SDM; tests/prot/test_msr.c covers
 * them): #GP on MSRs that do not exist, x2APIC MSRs outside x2APIC mode
 * included (QEMU 7.2 reads 0 and drops writes: "XXX: exception?"), on
 * writes to read-only MSRs (IA32_MTRRCAP), on reserved PAT/MTRR types, on
 * non-canonical LSTAR/CSTAR/SYSENTER_EIP/ESP/KERNEL_GS_BASE values and on
 * reserved bits of EFER, FMASK, TSC_AUX (QEMU stores them); and TSC writes
 * (QEMU's TCG TSC does not follow a WRMSR). RDMSR/WRMSR at CPL 3 (#GP(0))
 * are in prot-exceptions. */
#include "probe.h"

extern void k_rdmsr(void), k_wrmsr(void);
extern uint32_t msr_index;
extern uint64_t msr_value;

static int try_read(uint32_t msr, uint64_t *v)
{
    struct probe_result r;
    msr_index = msr;
    probe(k_rdmsr, 0, &r);
    *v = msr_value;
    return r.faulted ? (int)r.f.vector : -1;
}

static int try_write(uint32_t msr, uint64_t v)
{
    struct probe_result r;
    msr_index = msr;
    msr_value = v;
    probe(k_wrmsr, 0, &r);
    return r.faulted ? (int)r.f.vector : -1;
}

static void round_trip(const char *name, uint32_t msr, uint64_t v)
{
    uint64_t old = 0, got = 0;
    int e1 = try_read(msr, &old);
    int e2 = try_write(msr, v);
    int e3 = try_read(msr, &got);
    kprintf("%s (0x%x): write 0x%lx -> %s, read back 0x%lx%s\n", name, msr, v,
            e2 < 0 ? "ok" : "#GP", got, (e1 >= 0 || e3 >= 0) ? " (read faulted!)" : "");
    try_write(msr, old);
}

extern void u_rdmsr_index(void);

/* RDMSR/WRMSR of `msr`; " at CPL 3" in `what` runs the read in ring 3. */
static void expect_gp(const char *what, uint32_t msr, int write, uint64_t v)
{
    uint64_t got;
    int e;
    if (what[0] == ' ' && what[1] == 'a') {
        struct probe_result r;
        msr_index = msr;
        probe(u_rdmsr_index, 1, &r);
        e = r.faulted ? (int)r.f.vector : -1;
    } else {
        e = write ? try_write(msr, v) : try_read(msr, &got);
    }
    kprintf("%s 0x%x%s: %s\n", write ? "wrmsr" : "rdmsr", msr, what,
            e == 13 ? "#GP" : e < 0 ? "no fault" : "other exception");
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    probe_init();
    round_trip("IA32_STAR", MSR_STAR, 0x0023001000080000ULL);
    round_trip("IA32_LSTAR", MSR_LSTAR, 0xffffffff81000000ULL);
    round_trip("IA32_CSTAR", MSR_CSTAR, 0x0000000000401000ULL);
    round_trip("IA32_FMASK", MSR_FMASK, 0x47700ULL);
    round_trip("IA32_KERNEL_GS_BASE", MSR_KERNEL_GS_BASE, 0xffff888000001000ULL);
    round_trip("IA32_FS_BASE", MSR_FS_BASE, 0x00007f0000001000ULL);
    round_trip("IA32_GS_BASE", MSR_GS_BASE, 0xffff800000002000ULL);
    round_trip("IA32_SYSENTER_CS", MSR_SYSENTER_CS, 0x10);
    round_trip("IA32_SYSENTER_ESP", MSR_SYSENTER_ESP, 0xffffc90000004000ULL);
    round_trip("IA32_SYSENTER_EIP", MSR_SYSENTER_EIP, 0xffffffff81800000ULL);
    round_trip("IA32_TSC_AUX", MSR_TSC_AUX, 0x1234);
    round_trip("IA32_PAT", 0x277, 0x0007010600070106ULL);
    round_trip("IA32_MTRR_DEF_TYPE", 0x2ff, 0xc06);
    round_trip("IA32_MTRR_PHYSBASE0", 0x200, 0x80000006ULL);
    round_trip("IA32_MTRR_PHYSMASK0", 0x201, 0xff80000800ULL);
    round_trip("IA32_MTRR_FIX64K_00000", 0x250, 0x0606060606060606ULL);
    uint64_t efer = 0;
    try_read(MSR_EFER, &efer);
    round_trip("IA32_EFER", MSR_EFER, efer | EFER_SCE);

    /* FS_BASE is the FS base: a load through %fs sees it. */
    static uint64_t cell = 0x5a5a5a5a12345678ULL;
    try_write(MSR_FS_BASE, (uint64_t)(uintptr_t)&cell - 8);
    uint64_t v;
    __asm__ volatile("movq %%fs:8, %0" : "=r"(v));
    kprintf("load through FS after WRMSR FS_BASE: 0x%lx\n", v);
    try_write(MSR_FS_BASE, 0);

    /* A selector load in 64-bit mode replaces the FS base with the descriptor's. */
    try_write(MSR_FS_BASE, 0x1000);
    __asm__ volatile("movw %w0, %%fs" ::"r"(SEL_KDATA));
    try_read(MSR_FS_BASE, &v);
    kprintf("FS_BASE after mov fs, kernel data: 0x%lx\n", v);

    /* An MSR index emu implements but the caller may not read: CPL 3. */
    expect_gp(" at CPL 3", MSR_LSTAR, 0, 0);
    return 0x23;
}
