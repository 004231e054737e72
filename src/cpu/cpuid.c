/* CPUID: one documented CPU model whose feature bits advertise exactly what
 * emu implements (DESIGN.md §1). docs/cpu.md lists the model. A feature is
 * added here only together with its instructions or registers. */
#include "ops.h"

#define LEAF_MAX_BASIC 0x7u
#define LEAF_MAX_EXT 0x80000008u
#define CPUID_SIGNATURE 0x000306A9u /* family 6, model 0x3A, stepping 9 */
#define CLFLUSH_LINE_QWORDS 8u      /* 64-byte lines */

/* CPUID.01H:EDX */
#define F1D_DE (1u << 2)
#define F1D_PSE (1u << 3)
#define F1D_TSC (1u << 4)
#define F1D_MSR (1u << 5)
#define F1D_PAE (1u << 6)
#define F1D_CX8 (1u << 8)
#define F1D_APIC (1u << 9)
#define F1D_SEP (1u << 11)
#define F1D_MTRR (1u << 12)
#define F1D_PGE (1u << 13)
#define F1D_CMOV (1u << 15)
#define F1D_PAT (1u << 16)
#define F1D_PSE36 (1u << 17)
#define F1D_CLFSH (1u << 19)
#define F1D_MMX (1u << 23)
#define F1D_FXSR (1u << 24)
#define F1D_SSE (1u << 25)
#define F1D_SSE2 (1u << 26)
/* CPUID.01H:ECX */
#define F1C_CX16 (1u << 13)
#define F1C_PCID (1u << 17)
#define F1C_X2APIC (1u << 21)
#define F1C_POPCNT (1u << 23)
#define F1C_TSC_DEADLINE (1u << 24)
/* CPUID.07H.0:EBX */
#define F7B_FSGSBASE (1u << 0)
#define F7B_BMI1 (1u << 3)
#define F7B_SMEP (1u << 7)
#define F7B_INVPCID (1u << 10)
#define F7B_SMAP (1u << 20)
/* CPUID.07H.0:ECX */
#define F7C_UMIP (1u << 2)
/* CPUID.80000001H */
#define FX1C_LAHF (1u << 0)
#define FX1C_ABM (1u << 5)
#define FX1D_SYSCALL (1u << 11)
#define FX1D_NX (1u << 20)
#define FX1D_PAGE1GB (1u << 26)
#define FX1D_RDTSCP (1u << 27)
#define FX1D_LM (1u << 29)
/* CPUID.80000007H:EDX */
#define FX7D_INVARIANT_TSC (1u << 8)

#define LINEAR_ADDRESS_BITS 48u

static const char vendor[12] = "GenuineIntel";
static const char brand[48] = "emu virtual x86-64 processor";

static uint32_t str4(const char *s)
{
    uint32_t v;
    memcpy(&v, s, 4);
    return v;
}

static void leaf1(const struct cpu *cpu, uint32_t out[4])
{
    out[0] = CPUID_SIGNATURE;
    out[1] = ((uint32_t)cpu->index << 24) | (1u << 16) | (CLFLUSH_LINE_QWORDS << 8);
    out[2] = F1C_CX16 | F1C_PCID | F1C_POPCNT;
    out[3] = F1D_DE | F1D_PSE | F1D_TSC | F1D_MSR | F1D_PAE | F1D_CX8 | F1D_SEP | F1D_MTRR |
             F1D_PGE | F1D_CMOV | F1D_PAT | F1D_PSE36 | F1D_CLFSH | F1D_MMX | F1D_FXSR | F1D_SSE |
             F1D_SSE2;
    if (cpu->features & CPU_FEAT_APIC)
        out[3] |= F1D_APIC;
    if (cpu->features & CPU_FEAT_X2APIC)
        out[2] |= F1C_X2APIC;
    if (cpu->features & CPU_FEAT_TSC_DEADLINE)
        out[2] |= F1C_TSC_DEADLINE;
}

void cpuid_query(const struct cpu *cpu, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    memset(out, 0, 4 * sizeof(uint32_t));
    /* Intel: a leaf above the highest basic or extended one returns the
     * highest basic leaf's data (SDM CPUID, "Description"). */
    if ((leaf > LEAF_MAX_BASIC && leaf < 0x80000000u) || leaf > LEAF_MAX_EXT)
        leaf = LEAF_MAX_BASIC;
    switch (leaf) {
    case 0:
        out[0] = LEAF_MAX_BASIC;
        out[1] = str4(vendor);
        out[3] = str4(vendor + 4);
        out[2] = str4(vendor + 8);
        break;
    case 1: leaf1(cpu, out); break;
    case 7:
        if (subleaf == 0) {
            out[1] = F7B_FSGSBASE | F7B_BMI1 | F7B_SMEP | F7B_INVPCID | F7B_SMAP;
            out[2] = F7C_UMIP;
        }
        break;
    case 0x80000000u: out[0] = LEAF_MAX_EXT; break;
    case 0x80000001u:
        out[2] = FX1C_LAHF | FX1C_ABM;
        out[3] = FX1D_SYSCALL | FX1D_NX | FX1D_PAGE1GB | FX1D_RDTSCP | FX1D_LM;
        break;
    case 0x80000002u:
    case 0x80000003u:
    case 0x80000004u:
        for (int i = 0; i < 4; i++)
            out[i] = str4(brand + 16 * (leaf - 0x80000002u) + 4 * i);
        break;
    case 0x80000007u: out[3] = FX7D_INVARIANT_TSC; break;
    case 0x80000008u: out[0] = MMU_MAXPHYADDR | (LINEAR_ADDRESS_BITS << 8); break;
    default: break;
    }
}
