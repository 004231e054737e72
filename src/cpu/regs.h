/* Architectural register layouts and named constants (Intel SDM names). */
#ifndef EMU_CPU_REGS_H
#define EMU_CPU_REGS_H

#include <stdint.h>

enum gpr {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
    R8, R9, R10, R11, R12, R13, R14, R15,
    REG_ZERO = 16,   // always 0: "no base" / "no index"
    REG_NEXT_RIP = 17, // next_rip: RIP-relative base
    REG_AH = 20,     // 20..23: AH CH DH BH (legacy high-byte registers)
    REG_NONE = 0xff,
};

enum sreg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_COUNT };

/* Segment descriptor cache. `attr` holds descriptor bits 40..47 in 7..0 and
 * bits 52..55 in 15..12 (the VMX access-rights layout). */
struct seg {
    uint64_t base;
    uint32_t limit;  // byte granular (G already applied)
    uint16_t sel;
    uint32_t attr;   // descriptor bits (see below) plus SEG_ATTR_UNUSABLE
};

#define SEG_ATTR_TYPE 0x000f
#define SEG_ATTR_A 0x0001     // accessed
#define SEG_ATTR_RW 0x0002    // data: writable; code: readable
#define SEG_ATTR_DC 0x0004    // data: expand-down; code: conforming
#define SEG_ATTR_CODE 0x0008
#define SEG_ATTR_S 0x0010     // code/data (1) or system (0)
#define SEG_ATTR_DPL_SHIFT 5
#define SEG_ATTR_DPL 0x0060
#define SEG_ATTR_P 0x0080
#define SEG_ATTR_AVL 0x1000
#define SEG_ATTR_L 0x2000
#define SEG_ATTR_DB 0x4000
#define SEG_ATTR_G 0x8000
#define SEG_ATTR_UNUSABLE 0x10000 /* not a descriptor bit: null selector loaded */

/* Segment selectors and system-descriptor types (SDM Vol. 3 Table 3-2). */
#define SEL_RPL 0x3
#define SEL_TI 0x4         // 1: the selector indexes the LDT
#define SEL_INDEX 0xfff8   // byte offset of the descriptor in its table
#define DESC_TYPE_TSS16 0x1
#define DESC_TYPE_LDT 0x2
#define DESC_TYPE_TSS16_BUSY 0x3
#define DESC_TYPE_CALL16 0x4
#define DESC_TYPE_TASK 0x5
#define DESC_TYPE_INT16 0x6
#define DESC_TYPE_TRAP16 0x7
#define DESC_TYPE_TSS 0x9      // 32-bit TSS; the 64-bit TSS in IA-32e mode
#define DESC_TYPE_TSS_BUSY 0xB
#define DESC_TYPE_CALL 0xC     // 32-bit call gate; the 64-bit one in IA-32e mode
#define DESC_TYPE_INT 0xE      // 32-bit interrupt gate; 64-bit in IA-32e mode
#define DESC_TYPE_TRAP 0xF
#define DESC_GRANULAR (1ULL << 55) // G: the limit counts 4 KiB units

/* Descriptor fields of a descriptor's low quadword (SDM Vol. 3 Figure 3-8),
 * shared by the CPU and the debugger's decoders. */
static inline uint64_t desc_base(uint64_t lo)
{
    return ((lo >> 16) & 0xFFFFFF) | ((lo >> 56) << 24);
}

/* The limit in bytes (G applied). */
static inline uint32_t desc_limit(uint64_t lo)
{
    uint32_t limit = (uint32_t)((lo & 0xFFFF) | ((lo >> 32) & 0xF0000));
    if (lo & DESC_GRANULAR)
        limit = (limit << 12) | 0xFFF;
    return limit;
}

/* Type, S, DPL, P (bits 7..0) and AVL, L, D/B, G (15..12): SEG_ATTR_*. */
static inline uint16_t desc_attr(uint64_t lo)
{
    return (uint16_t)((lo >> 40) & 0xF0FF);
}

struct dtable {
    uint64_t base;
    uint16_t limit;
};

enum cpu_mode {
    MODE_REAL,
    MODE_PROT16,   // protected, CS.D = 0
    MODE_PROT32,   // protected, CS.D = 1
    MODE_COMPAT16, // IA-32e compatibility, CS.D = 0
    MODE_COMPAT32,
    MODE_LONG64,   // IA-32e 64-bit
};

/* RFLAGS. */
#define RFLAGS_CF (1ULL << 0)
#define RFLAGS_FIXED1 (1ULL << 1)
#define RFLAGS_PF (1ULL << 2)
#define RFLAGS_AF (1ULL << 4)
#define RFLAGS_ZF (1ULL << 6)
#define RFLAGS_SF (1ULL << 7)
#define RFLAGS_TF (1ULL << 8)
#define RFLAGS_IF (1ULL << 9)
#define RFLAGS_DF (1ULL << 10)
#define RFLAGS_OF (1ULL << 11)
#define RFLAGS_IOPL_SHIFT 12
#define RFLAGS_IOPL (3ULL << 12)
#define RFLAGS_NT (1ULL << 14)
#define RFLAGS_RF (1ULL << 16)
#define RFLAGS_VM (1ULL << 17)
#define RFLAGS_AC (1ULL << 18)
#define RFLAGS_VIF (1ULL << 19)
#define RFLAGS_VIP (1ULL << 20)
#define RFLAGS_ID (1ULL << 21)
#define RFLAGS_ARITH (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)

/* Control registers (the paging bits are in mmu.h). */
#define CR0_PE (1ULL << 0)
#define CR0_MP (1ULL << 1)
#define CR0_EM (1ULL << 2)
#define CR0_TS (1ULL << 3)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_AM (1ULL << 18)
#define CR0_NW (1ULL << 29)
#define CR0_CD (1ULL << 30)
#define CR4_VME (1ULL << 0)
#define CR4_PVI (1ULL << 1)
#define CR4_TSD (1ULL << 2)
#define CR4_DE (1ULL << 3)
#define CR4_MCE (1ULL << 6)
#define CR4_PCE (1ULL << 8)
#define CR4_OSFXSR (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define CR4_UMIP (1ULL << 11)
#define CR4_FSGSBASE (1ULL << 16)
#define CR4_OSXSAVE (1ULL << 18)
#define EFER_SCE (1ULL << 0)
#define EFER_LME (1ULL << 8)

/* Exception vectors (X86_TRAP_* in Linux). */
enum {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5,
    EXC_UD = 6, EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12,
    EXC_GP = 13, EXC_PF = 14, EXC_MF = 16, EXC_AC = 17, EXC_MC = 18, EXC_XM = 19,
    EXC_VE = 20, EXC_CP = 21,
};
#define EXC_NO_ERROR 0xFFFFFFFFu

/* Lazy flags: the last flag-setting operation, materialised on demand. */
enum lf_op {
    LF_NONE,  // rflags holds the arithmetic flags
    LF_ADD,   // res = src1 + src2
    LF_ADC,   // res = src1 + src2 + cf_in (cf_in in `aux`)
    LF_SUB,   // res = src1 - src2
    LF_SBB,   // res = src1 - src2 - cf_in
    LF_LOGIC, // CF = OF = 0, AF = 0
    LF_INC,   // CF from `aux`, src1 = operand before
    LF_DEC,
    LF_NEG,   // res = -src1
    LF_MUL,   // CF = OF = aux (high half significant); SF/ZF/PF from res, AF = 0
    LF_SHL,   // src1 shifted left by src2 (1..size*8); OF = MSB(res) ^ CF, AF = 0
    LF_SHR,   // src1 shifted right (logical); OF = MSB(src1)
    LF_SAR,   // src1 shifted right (arithmetic); OF = 0
};

struct lazy_flags {
    uint64_t res, src1, src2;
    uint8_t op;     // enum lf_op
    uint8_t size;   // operand size in bytes
    uint8_t aux;    // carry in (ADC/SBB) or preserved CF (INC/DEC)
};

/* SSE/SSE2 and MMX state. emu has no x87 unit: the MMX registers stand on
 * their own, and FXSAVE stores an empty x87 state around them. */
union xmm_reg {
    uint8_t b[16];
    uint16_t w[8];
    uint32_t d[4];
    uint64_t q[2];
    float f[4];
    double df[2];
};

struct simd_state {
    union xmm_reg xmm[16];
    uint64_t mm[8];     // MMX registers
    uint32_t mxcsr;     // SSE control and status
    uint16_t fcw;       // x87 control word (FXSAVE/FXRSTOR round-trip it)
    uint16_t fsw;       // x87 status word
    uint8_t ftw;        // abridged x87 tag word
};

#define MXCSR_RESET 0x1F80u
#define MXCSR_WRITABLE 0xFFFFu /* DAZ (bit 6) included */
#define MXCSR_FLAGS 0x3Fu      /* IE DE ZE OE UE PE */
#define MXCSR_MASK_SHIFT 7
#define X87_FCW_RESET 0x037Fu

/* MSR numbers. */
#define MSR_IA32_TSC 0x10
#define MSR_IA32_APIC_BASE 0x1B
#define MSR_IA32_FEATURE_CONTROL 0x3A
#define MSR_IA32_TSC_ADJUST 0x3B
#define MSR_IA32_SPEC_CTRL 0x48
#define MSR_IA32_BIOS_SIGN_ID 0x8B
#define MSR_IA32_MTRRCAP 0xFE
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_MCG_CAP 0x179
#define MSR_IA32_MCG_STATUS 0x17A
#define MSR_IA32_MISC_ENABLE 0x1A0
#define MSR_IA32_MTRR_PHYSBASE0 0x200
#define MSR_IA32_MTRR_PHYSMASK7 0x20F
#define MSR_IA32_MTRR_FIX64K_00000 0x250
#define MSR_IA32_MTRR_FIX16K_80000 0x258
#define MSR_IA32_MTRR_FIX16K_A0000 0x259
#define MSR_IA32_MTRR_FIX4K_C0000 0x268
#define MSR_IA32_MTRR_FIX4K_F8000 0x26F
#define MSR_IA32_PAT 0x277
#define MSR_IA32_MTRR_DEF_TYPE 0x2FF
#define MSR_IA32_TSC_DEADLINE 0x6E0
#define MSR_X2APIC_FIRST 0x800
#define MSR_X2APIC_LAST 0x8FF
#define MSR_IA32_EFER 0xC0000080
#define MSR_IA32_STAR 0xC0000081
#define MSR_IA32_LSTAR 0xC0000082
#define MSR_IA32_CSTAR 0xC0000083
#define MSR_IA32_FMASK 0xC0000084
#define MSR_IA32_FS_BASE 0xC0000100
#define MSR_IA32_GS_BASE 0xC0000101
#define MSR_IA32_KERNEL_GS_BASE 0xC0000102
#define MSR_IA32_TSC_AUX 0xC0000103

#define MTRR_VAR_COUNT 8
#define MTRR_FIXED_COUNT 11

/* MSRs the CPU owns (FS/GS base live in the segment caches). */
struct cpu_msrs {
    uint64_t star, lstar, cstar, fmask;
    uint64_t kernel_gs_base;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t tsc_offset;   // TSC = virtual time + tsc_offset
    uint64_t tsc_aux;
    uint64_t pat;
    uint64_t misc_enable;
    uint64_t mtrr_def_type;
    uint64_t mtrr_var[2 * MTRR_VAR_COUNT];
    uint64_t mtrr_fixed[MTRR_FIXED_COUNT];
    uint64_t spec_ctrl;
};

#endif
