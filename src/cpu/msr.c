/* Model-specific registers: one table gives every MSR emu implements, its
 * reset value, the bits a WRMSR may set (others raise #GP), and where it
 * lives. Unknown MSRs raise #GP; so do non-canonical addresses in the MSRs
 * that hold linear addresses. The APIC's MSRs are forwarded to the board. */
#include <stddef.h>

#include "ops.h"

#define NO_FIELD SIZE_MAX
#define ALL_BITS UINT64_MAX
#define EFER_WRITABLE (EFER_SCE | EFER_LME | EFER_NXE)
#define PAT_VALID_TYPES 0xF3u  /* memory types 0,1,4,5,6,7 */
#define MTRR_VALID_TYPES 0x73u /* 0,1,4,5,6 (UC- is PAT-only) */
#define MTRRCAP_VALUE (MTRR_VAR_COUNT | (1u << 8) | (1u << 10)) /* VCNT, FIX, WC */
#define MTRR_DEF_TYPE_WRITABLE 0xCFFULL
#define MTRR_PHYS_MASK (((1ULL << MMU_MAXPHYADDR) - 1) & ~0xFFFULL)
#define MTRR_BASE_WRITABLE (MTRR_PHYS_MASK | 0xFFULL)
#define MTRR_MASK_WRITABLE (MTRR_PHYS_MASK | (1ULL << 11))
#define FEATURE_CONTROL_LOCKED 1ULL
#define SYSENTER_CS_WRITABLE 0xFFFFULL

enum msr_kind {
    MSR_PLAIN,     // stored as written (within write_mask)
    MSR_CANONICAL, // a linear address: must be canonical
    MSR_READONLY,  // WRMSR raises #GP
    MSR_SPECIAL,   // handled by code below
};

struct msr_def {
    uint32_t index;
    const char *name;
    size_t field;        // offset in struct cpu_msrs, or NO_FIELD
    uint64_t write_mask; // bits WRMSR may set
    uint8_t kind;
};

#define F(x) offsetof(struct cpu_msrs, x)

static const struct msr_def msr_table[] = {
    {MSR_IA32_TSC, "IA32_TIME_STAMP_COUNTER", NO_FIELD, ALL_BITS, MSR_SPECIAL},
    {MSR_IA32_APIC_BASE, "IA32_APIC_BASE", NO_FIELD, ALL_BITS, MSR_SPECIAL},
    {MSR_IA32_FEATURE_CONTROL, "IA32_FEATURE_CONTROL", NO_FIELD, 0, MSR_SPECIAL},
    {MSR_IA32_BIOS_SIGN_ID, "IA32_BIOS_SIGN_ID", NO_FIELD, ALL_BITS, MSR_SPECIAL},
    {MSR_IA32_MTRRCAP, "IA32_MTRRCAP", NO_FIELD, 0, MSR_SPECIAL},
    {MSR_IA32_SYSENTER_CS, "IA32_SYSENTER_CS", F(sysenter_cs), SYSENTER_CS_WRITABLE, MSR_PLAIN},
    {MSR_IA32_SYSENTER_ESP, "IA32_SYSENTER_ESP", F(sysenter_esp), ALL_BITS, MSR_CANONICAL},
    {MSR_IA32_SYSENTER_EIP, "IA32_SYSENTER_EIP", F(sysenter_eip), ALL_BITS, MSR_CANONICAL},
    {MSR_IA32_MISC_ENABLE, "IA32_MISC_ENABLE", F(misc_enable), 1, MSR_PLAIN},
    {MSR_IA32_PAT, "IA32_PAT", F(pat), ALL_BITS, MSR_SPECIAL},
    {MSR_IA32_MTRR_DEF_TYPE, "IA32_MTRR_DEF_TYPE", F(mtrr_def_type), MTRR_DEF_TYPE_WRITABLE,
     MSR_SPECIAL},
    {MSR_IA32_TSC_DEADLINE, "IA32_TSC_DEADLINE", NO_FIELD, ALL_BITS, MSR_SPECIAL},
    {MSR_IA32_EFER, "IA32_EFER", NO_FIELD, EFER_WRITABLE, MSR_SPECIAL},
    {MSR_IA32_STAR, "IA32_STAR", F(star), ALL_BITS, MSR_PLAIN},
    {MSR_IA32_LSTAR, "IA32_LSTAR", F(lstar), ALL_BITS, MSR_CANONICAL},
    {MSR_IA32_CSTAR, "IA32_CSTAR", F(cstar), ALL_BITS, MSR_CANONICAL},
    {MSR_IA32_FMASK, "IA32_FMASK", F(fmask), 0xFFFFFFFFULL, MSR_PLAIN},
    {MSR_IA32_FS_BASE, "IA32_FS_BASE", NO_FIELD, ALL_BITS, MSR_SPECIAL},
    {MSR_IA32_GS_BASE, "IA32_GS_BASE", NO_FIELD, ALL_BITS, MSR_SPECIAL},
    {MSR_IA32_KERNEL_GS_BASE, "IA32_KERNEL_GS_BASE", F(kernel_gs_base), ALL_BITS, MSR_CANONICAL},
    {MSR_IA32_TSC_AUX, "IA32_TSC_AUX", F(tsc_aux), 0xFFFFFFFFULL, MSR_PLAIN},
};

static const char *const fixed_mtrr_names[MTRR_FIXED_COUNT] = {
    "IA32_MTRR_FIX64K_00000", "IA32_MTRR_FIX16K_80000", "IA32_MTRR_FIX16K_A0000",
    "IA32_MTRR_FIX4K_C0000",  "IA32_MTRR_FIX4K_C8000",  "IA32_MTRR_FIX4K_D0000",
    "IA32_MTRR_FIX4K_D8000",  "IA32_MTRR_FIX4K_E0000",  "IA32_MTRR_FIX4K_E8000",
    "IA32_MTRR_FIX4K_F0000",  "IA32_MTRR_FIX4K_F8000",
};

static const struct msr_def *find_def(uint32_t msr)
{
    for (size_t i = 0; i < sizeof(msr_table) / sizeof(msr_table[0]); i++)
        if (msr_table[i].index == msr)
            return &msr_table[i];
    return NULL;
}

/* Fixed-range MTRRs: 0x250, 0x258, 0x259, 0x268..0x26F -> slot 0..10, or -1. */
static int fixed_mtrr_slot(uint32_t msr)
{
    if (msr == MSR_IA32_MTRR_FIX64K_00000)
        return 0;
    if (msr == MSR_IA32_MTRR_FIX16K_80000 || msr == MSR_IA32_MTRR_FIX16K_A0000)
        return 1 + (int)(msr - MSR_IA32_MTRR_FIX16K_80000);
    if (msr >= MSR_IA32_MTRR_FIX4K_C0000 && msr <= MSR_IA32_MTRR_FIX4K_F8000)
        return 3 + (int)(msr - MSR_IA32_MTRR_FIX4K_C0000);
    return -1;
}

static bool is_var_mtrr(uint32_t msr)
{
    return msr >= MSR_IA32_MTRR_PHYSBASE0 && msr <= MSR_IA32_MTRR_PHYSMASK7;
}

static bool is_apic_msr(uint32_t msr)
{
    return (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST) || msr == MSR_IA32_APIC_BASE ||
           msr == MSR_IA32_TSC_DEADLINE;
}

const char *cpu_msr_name(uint32_t msr)
{
    const struct msr_def *d = find_def(msr);
    if (d)
        return d->name;
    int slot = fixed_mtrr_slot(msr);
    if (slot >= 0)
        return fixed_mtrr_names[slot];
    if (is_var_mtrr(msr))
        return (msr & 1) ? "IA32_MTRR_PHYSMASKn" : "IA32_MTRR_PHYSBASEn";
    if (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST)
        return "x2APIC";
    return NULL;
}


/* Whether each byte of v is a memory type whose bit is set in `valid`
 * (types from 32 on are reserved too, and shifting by them would be UB). */
static bool types_valid(uint64_t v, uint32_t valid)
{
    for (int i = 0; i < 8; i++) {
        unsigned type = (v >> (8 * i)) & 0xff;
        if (type >= 32 || !(valid & (1u << type)))
            return false;
    }
    return true;
}

static bool pat_valid(uint64_t v)
{
    return types_valid(v, PAT_VALID_TYPES);
}

static bool mtrr_types_valid(uint64_t v)
{
    return types_valid(v, MTRR_VALID_TYPES);
}

uint64_t cpu_tsc(struct cpu *cpu)
{
    cpu_sync_icount(cpu);
    uint64_t now = cpu->env.now ? cpu->env.now(cpu->env.opaque) : cpu->icount;
    return now + cpu->msr.tsc_offset;
}

static int read_special(struct cpu *cpu, uint32_t msr, uint64_t *v)
{
    switch (msr) {
    case MSR_IA32_TSC: *v = cpu_tsc(cpu); return 0;
    case MSR_IA32_FEATURE_CONTROL: *v = FEATURE_CONTROL_LOCKED; return 0;
    case MSR_IA32_BIOS_SIGN_ID: *v = 0; return 0;
    case MSR_IA32_MTRRCAP: *v = MTRRCAP_VALUE; return 0;
    case MSR_IA32_PAT: *v = cpu->msr.pat; return 0;
    case MSR_IA32_MTRR_DEF_TYPE: *v = cpu->msr.mtrr_def_type; return 0;
    case MSR_IA32_EFER: *v = cpu->efer; return 0;
    case MSR_IA32_FS_BASE: *v = cpu->seg[SEG_FS].base; return 0;
    case MSR_IA32_GS_BASE: *v = cpu->seg[SEG_GS].base; return 0;
    default: return -1;
    }
}

static int write_efer(struct cpu *cpu, uint64_t v)
{
    if (v & ~(EFER_WRITABLE | EFER_LMA))
        return -1;
    bool lme_change = ((v ^ cpu->efer) & EFER_LME) != 0;
    if (lme_change && (cpu->cr0 & CR0_PG))
        return -1;
    cpu_set_efer(cpu, v);
    return 0;
}

static int write_special(struct cpu *cpu, uint32_t msr, uint64_t v)
{
    switch (msr) {
    case MSR_IA32_TSC:
        cpu->msr.tsc_offset = v - (cpu_tsc(cpu) - cpu->msr.tsc_offset);
        return 0;
    case MSR_IA32_BIOS_SIGN_ID: return 0;
    case MSR_IA32_PAT:
        if (!pat_valid(v))
            return -1;
        cpu->msr.pat = v;
        return 0;
    case MSR_IA32_EFER: return write_efer(cpu, v);
    case MSR_IA32_MTRR_DEF_TYPE: /* the default type must be a valid MTRR type */
        if ((v & ~MTRR_DEF_TYPE_WRITABLE) || !(MTRR_VALID_TYPES & (1u << (v & 0xff))))
            return -1;
        cpu->msr.mtrr_def_type = v;
        return 0;
    case MSR_IA32_FS_BASE:
    case MSR_IA32_GS_BASE: {
        if (!is_canonical(v))
            return -1;
        unsigned s = msr == MSR_IA32_FS_BASE ? SEG_FS : SEG_GS;
        cpu->seg[s].base = v;
        cpu->segbase[s] = v;
        return 0;
    }
    default: return -1;
    }
}

static int mtrr_access(struct cpu *cpu, uint32_t msr, uint64_t *v, bool write)
{
    uint64_t *slot, mask;
    int fixed = fixed_mtrr_slot(msr);
    if (fixed >= 0) {
        slot = &cpu->msr.mtrr_fixed[fixed];
        mask = ALL_BITS;
    } else {
        slot = &cpu->msr.mtrr_var[msr - MSR_IA32_MTRR_PHYSBASE0];
        mask = (msr & 1) ? MTRR_MASK_WRITABLE : MTRR_BASE_WRITABLE;
    }
    if (!write) {
        *v = *slot;
        return 0;
    }
    if ((*v & ~mask) || (fixed >= 0 && !mtrr_types_valid(*v)))
        return -1;
    *slot = *v;
    return 0;
}

int msr_read(struct cpu *cpu, uint32_t msr, uint64_t *value)
{
    if (is_apic_msr(msr))
        return cpu->env.msr_read ? cpu->env.msr_read(cpu->env.opaque, msr, value) : -1;
    if (fixed_mtrr_slot(msr) >= 0 || is_var_mtrr(msr))
        return mtrr_access(cpu, msr, value, false);
    const struct msr_def *d = find_def(msr);
    if (!d)
        return -1;
    if (d->kind == MSR_SPECIAL)
        return read_special(cpu, msr, value);
    *value = *(const uint64_t *)((const char *)&cpu->msr + d->field);
    return 0;
}

int msr_write(struct cpu *cpu, uint32_t msr, uint64_t value)
{
    if (is_apic_msr(msr))
        return cpu->env.msr_write ? cpu->env.msr_write(cpu->env.opaque, msr, value) : -1;
    if (fixed_mtrr_slot(msr) >= 0 || is_var_mtrr(msr))
        return mtrr_access(cpu, msr, &value, true);
    const struct msr_def *d = find_def(msr);
    if (!d || d->kind == MSR_READONLY)
        return -1;
    if (d->kind == MSR_SPECIAL)
        return write_special(cpu, msr, value);
    if ((value & ~d->write_mask) || (d->kind == MSR_CANONICAL && !is_canonical(value)))
        return -1;
    *(uint64_t *)((char *)&cpu->msr + d->field) = value;
    return 0;
}

unsigned msr_fault_cause(struct cpu *cpu, uint32_t msr)
{
    bool board = is_apic_msr(msr) && (cpu->env.msr_read || cpu->env.msr_write);
    return board || find_def(msr) || fixed_mtrr_slot(msr) >= 0 || is_var_mtrr(msr)
               ? FC_MSR_VALUE
               : FC_BAD_MSR;
}
