/* The system part of a state diff: control registers and MSRs with their
 * bits by name, then what the change means, in words. */
#include <string.h>

#include "archdiff.h"

struct bit_name {
    uint64_t bit;
    const char *name;
};

#define CR4_LA57 (1ULL << 12)
#define CR4_VMXE (1ULL << 13)
#define CR4_SMXE (1ULL << 14)
#define CR4_PKE  (1ULL << 22)

static const struct bit_name cr0_bits[] = {
    {CR0_PE, "PE"}, {CR0_MP, "MP"}, {CR0_EM, "EM"}, {CR0_TS, "TS"}, {CR0_ET, "ET"}, {CR0_NE, "NE"},
    {CR0_WP, "WP"}, {CR0_AM, "AM"}, {CR0_NW, "NW"}, {CR0_CD, "CD"}, {CR0_PG, "PG"}, {0, NULL},
};
static const struct bit_name cr4_bits[] = {
    {CR4_VME, "VME"},
    {CR4_PVI, "PVI"},
    {CR4_TSD, "TSD"},
    {CR4_DE, "DE"},
    {CR4_PSE, "PSE"},
    {CR4_PAE, "PAE"},
    {CR4_MCE, "MCE"},
    {CR4_PGE, "PGE"},
    {CR4_PCE, "PCE"},
    {CR4_OSFXSR, "OSFXSR"},
    {CR4_OSXMMEXCPT, "OSXMMEXCPT"},
    {CR4_UMIP, "UMIP"},
    {CR4_LA57, "LA57"},
    {CR4_VMXE, "VMXE"},
    {CR4_SMXE, "SMXE"},
    {CR4_FSGSBASE, "FSGSBASE"},
    {CR4_PCIDE, "PCIDE"},
    {CR4_OSXSAVE, "OSXSAVE"},
    {CR4_SMEP, "SMEP"},
    {CR4_SMAP, "SMAP"},
    {CR4_PKE, "PKE"},
    {0, NULL},
};
static const struct bit_name efer_bits[] = {
    {EFER_SCE, "SCE"}, {EFER_LME, "LME"}, {EFER_LMA, "LMA"}, {EFER_NXE, "NXE"}, {0, NULL},
};

/* " set: A B cleared: C" for the named bits that changed. */
static void changed_bits(const struct bit_name *names, uint64_t a, uint64_t b, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int pass = 0; pass < 2; pass++) {
        bool any = false;
        for (const struct bit_name *x = names; x->name && len < n; x++) {
            bool was = (a & x->bit) != 0, is = (b & x->bit) != 0;
            if (was == is || is != (pass == 0)) continue;
            len += (size_t)snprintf(buf + len, n - len, "%s %s",
                                    any ? "" : (pass == 0 ? "  set:" : "  cleared:"), x->name);
            any = true;
        }
    }
}

static void control(struct diff *d, const char *name, const struct bit_name *names, uint64_t a,
                    uint64_t b)
{
    if (a == b) return;
    char bits[160] = "";
    if (names) changed_bits(names, a, b, bits, sizeof(bits));
    diff_line(d, "%-7s 0x%016llx -> 0x%016llx%s", name, (unsigned long long)a,
              (unsigned long long)b, bits);
}

static void msrs(struct diff *d, const struct cpu_msrs *a, const struct cpu_msrs *b)
{
    static const struct {
        size_t off;
        const char *name;
    } fields[] = {
        {offsetof(struct cpu_msrs, star), "IA32_STAR"},
        {offsetof(struct cpu_msrs, lstar), "IA32_LSTAR"},
        {offsetof(struct cpu_msrs, cstar), "IA32_CSTAR"},
        {offsetof(struct cpu_msrs, fmask), "IA32_FMASK"},
        {offsetof(struct cpu_msrs, kernel_gs_base), "IA32_KERNEL_GS_BASE"},
        {offsetof(struct cpu_msrs, sysenter_cs), "IA32_SYSENTER_CS"},
        {offsetof(struct cpu_msrs, sysenter_esp), "IA32_SYSENTER_ESP"},
        {offsetof(struct cpu_msrs, sysenter_eip), "IA32_SYSENTER_EIP"},
        {offsetof(struct cpu_msrs, tsc_offset), "TSC offset"},
        {offsetof(struct cpu_msrs, tsc_aux), "IA32_TSC_AUX"},
        {offsetof(struct cpu_msrs, pat), "IA32_PAT"},
        {offsetof(struct cpu_msrs, misc_enable), "IA32_MISC_ENABLE"},
        {offsetof(struct cpu_msrs, mtrr_def_type), "IA32_MTRR_DEF_TYPE"},
        {offsetof(struct cpu_msrs, spec_ctrl), "IA32_SPEC_CTRL"},
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        uint64_t x, y;
        memcpy(&x, (const char *)a + fields[i].off, 8);
        memcpy(&y, (const char *)b + fields[i].off, 8);
        diff_reg(d, fields[i].name, x, y);
    }
    if (memcmp(a->mtrr_var, b->mtrr_var, sizeof(a->mtrr_var)) ||
        memcmp(a->mtrr_fixed, b->mtrr_fixed, sizeof(a->mtrr_fixed)))
        diff_line(d, "MTRRs changed (info msr IA32_MTRR_... shows them)");
}

static bool set_now(uint64_t a, uint64_t b, uint64_t bit)
{
    return !(a & bit) && (b & bit);
}

static bool cleared_now(uint64_t a, uint64_t b, uint64_t bit)
{
    return (a & bit) && !(b & bit);
}

/* Paging and mode transitions. */
static void words_modes(struct diff *d, const struct arch_state *a, const struct arch_state *b)
{
    if (set_now(a->cr0, b->cr0, CR0_PE))
        diff_line(d, "=> protected mode enabled (CR0.PE=1): segments now come from descriptors");
    if (cleared_now(a->cr0, b->cr0, CR0_PE))
        diff_line(d, "=> protected mode disabled (CR0.PE=0): back to real-address mode");
    if (set_now(a->efer, b->efer, EFER_LME))
        diff_line(d, "=> long mode enabled (EFER.LME=1): it becomes active when paging is "
                     "turned on");
    if (set_now(a->cr0, b->cr0, CR0_PG))
        diff_line(d, "=> paging enabled (CR0.PG=1): linear addresses are now translated "
                     "through CR3");
    if (cleared_now(a->cr0, b->cr0, CR0_PG)) diff_line(d, "=> paging disabled (CR0.PG=0)");
    if (set_now(a->efer, b->efer, EFER_LMA))
        diff_line(d, "=> long mode active (EFER.LMA=1): 4-level paging; code with CS.L=1 runs "
                     "in 64-bit mode");
    if (cleared_now(a->efer, b->efer, EFER_LMA))
        diff_line(d, "=> long mode no longer active (EFER.LMA=0)");
    if (a->cr3 != b->cr3) {
        if (b->cr0 & CR0_PG)
            diff_line(d, "=> address space switch: CR3 %#llx -> %#llx (new page tables)",
                      (unsigned long long)a->cr3, (unsigned long long)b->cr3);
        else
            diff_line(d, "=> CR3 loaded with paging off: used once CR0.PG is set");
    }
    if (a->mode != b->mode)
        diff_line(d, "=> mode: %s -> %s", arch_mode_name(a->mode), arch_mode_name(b->mode));
    if (a->cpl != b->cpl)
        diff_line(d, "=> privilege: CPL %u -> %u (%s)", a->cpl, b->cpl,
                  b->cpl < a->cpl ? (a->cpl == 3 ? "user -> kernel" : "to a more privileged ring")
                                  : (b->cpl == 3 ? "kernel -> user" : "to a less privileged ring"));
}

/* Interrupt state. */
static void words_interrupts(struct diff *d, const struct arch_state *a, const struct arch_state *b)
{
    if (cleared_now(a->rflags, b->rflags, RFLAGS_IF))
        diff_line(d, "=> interrupts disabled (IF cleared): external interrupts wait");
    if (set_now(a->rflags, b->rflags, RFLAGS_IF))
        diff_line(d, "=> interrupts enabled (IF set)%s",
                  (b->intr_shadow & CPU_SHADOW_STI) ? "; the next instruction still runs "
                                                      "first (STI shadow)"
                                                    : "");
    if (!(a->intr_shadow & CPU_SHADOW_MOV_SS) && (b->intr_shadow & CPU_SHADOW_MOV_SS))
        diff_line(d, "=> interrupts held off for one instruction (MOV SS shadow)");
    if (!a->nmi_blocked && b->nmi_blocked) diff_line(d, "=> NMIs blocked until the next IRET");
    if (a->nmi_blocked && !b->nmi_blocked) diff_line(d, "=> NMIs unblocked (IRET)");
    if (!a->halted && b->halted) diff_line(d, "=> CPU halted: it waits for an interrupt");
    if (a->halted && !b->halted) diff_line(d, "=> CPU woke up");
}

void diff_system(struct diff *d, const struct arch_state *a, const struct arch_state *b)
{
    control(d, "cr0", cr0_bits, a->cr0, b->cr0);
    control(d, "cr2", NULL, a->cr2, b->cr2);
    control(d, "cr3", NULL, a->cr3, b->cr3);
    control(d, "cr4", cr4_bits, a->cr4, b->cr4);
    control(d, "cr8", NULL, a->cr8, b->cr8);
    control(d, "efer", efer_bits, a->efer, b->efer);
    control(d, "xcr0", NULL, a->xcr0, b->xcr0);
    for (int i = 0; i < 8; i++) {
        char name[8];
        snprintf(name, sizeof(name), "dr%d", i);
        control(d, name, NULL, a->dr[i], b->dr[i]);
    }
    msrs(d, &a->msr, &b->msr);
    words_modes(d, a, b);
    words_interrupts(d, a, b);
}
