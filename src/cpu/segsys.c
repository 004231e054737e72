/* The system-segment registers and the descriptor-probing instructions:
 * LTR, LLDT, STR, SLDT, VERR, VERW, LAR, LSL, ARPL (SDM Vol. 2). The
 * probes never fault on the descriptor they examine: they report through
 * ZF. All of them raise #UD outside protected mode. */
#include "ops.h"

#define DESC_BUSY_BYTE_BIT 0x2 /* the busy bit inside the type field */
#define UPPER_TYPE_SHIFT 40    /* type field of the upper 8 bytes of a 16-byte descriptor */
#define LAR_MASK32 0x00F0FF00u
#define LAR_MASK16 0xFF00u

enum {
    SS_LTR, SS_LLDT, SS_STR, SS_SLDT, SS_VERR, SS_VERW, SS_LAR, SS_LSL, SS_ARPL,
};

static unsigned attr_dpl(uint32_t attr)
{
    return (attr & SEG_ATTR_DPL) >> SEG_ATTR_DPL_SHIFT;
}


static bool ia32e(const struct cpu *cpu)
{
    return (cpu->efer & EFER_LMA) != 0;
}

static void require_protected(struct cpu *cpu)
{
    if (!cpu_protected(cpu) || (cpu->rflags & RFLAGS_VM))
        cpu_fault_why(cpu, EXC_UD, EXC_NO_ERROR, FC_INVALID_OPCODE, 0);
}

static uint16_t selector_operand(struct cpu *cpu, const struct insn *in, bool second)
{
    if (second)
        return (uint16_t)((in->flags & INSN_M1) ? insn_mem_read(cpu, in, 2)
                                                : reg_read(cpu, in->r2, 2));
    return (uint16_t)((in->flags & INSN_M0) ? insn_mem_read(cpu, in, 2) : reg_read(cpu, in->r1, 2));
}

/* ---- LTR / LLDT ------------------------------------------------------------------ */

/* Reads the 8- or 16-byte system descriptor for LTR/LLDT and checks what
 * both share: not null, in the GDT, the type `ok`, present, and in IA-32e
 * mode a canonical base. Returns the base. */
static uint64_t system_descriptor(struct cpu *cpu, uint16_t sel, bool type_ok(unsigned, bool),
                                  uint64_t d[2])
{
    if ((sel & 0xfffc) == 0)
        cpu_fault_why(cpu, EXC_GP, 0, FC_NULL_SELECTOR, sel);
    if (sel & SEL_TI)
        cpu_fault_why(cpu, EXC_GP, sel & 0xfffc, FC_SEL_IN_LDT, sel);
    seg_read_system_descriptor(cpu, sel, EXC_GP, d);
    uint16_t attr = desc_attr(d[0]);
    if ((attr & SEG_ATTR_S) || !type_ok(attr & SEG_ATTR_TYPE, ia32e(cpu))) {
        unsigned cause = (attr & SEG_ATTR_TYPE) == DESC_TYPE_TSS_BUSY ? FC_TSS_BUSY
                                                                      : FC_BAD_SYSTEM_TYPE;
        cpu->why = (struct cpu_fault_why){cause, sel, {d[0], d[1]}};
        cpu_fault(cpu, EXC_GP, sel & 0xfffc);
    }
    if (!(attr & SEG_ATTR_P))
        cpu_fault_desc(cpu, EXC_NP, sel & 0xfffc, FC_NOT_PRESENT, sel, d[0]);
    uint64_t base = desc_base(d[0]) | ((d[1] & 0xFFFFFFFFULL) << 32);
    if (ia32e(cpu) && !is_canonical(base)) {
        cpu->why = (struct cpu_fault_why){FC_NONCANONICAL_BASE, sel, {d[0], d[1]}};
        cpu_fault(cpu, EXC_GP, sel & 0xfffc);
    }
    return base;
}

static bool tss_type_ok(unsigned type, bool long_mode)
{
    return type == DESC_TYPE_TSS || (!long_mode && type == DESC_TYPE_TSS16);
}

static bool ldt_type_ok(unsigned type, bool long_mode)
{
    (void)long_mode;
    return type == DESC_TYPE_LDT;
}

/* LTR: an available TSS becomes busy and is loaded into TR. */
static void ltr(struct cpu *cpu, uint16_t sel)
{
    uint64_t d[2];
    uint64_t base = system_descriptor(cpu, sel, tss_type_ok, d);
    if (ia32e(cpu) && ((d[1] >> UPPER_TYPE_SHIFT) & 0x1f)) {
        cpu->why = (struct cpu_fault_why){FC_UPPER_TYPE, sel, {d[0], d[1]}};
        cpu_fault(cpu, EXC_GP, sel & 0xfffc);
    }
    uint64_t at;
    if (seg_desc_addr(cpu, sel, 8, &at))
        sys_write(cpu, at + 5, 1, (((d[0] >> 40) & 0xff) | DESC_BUSY_BYTE_BIT));
    uint16_t attr = desc_attr(d[0]);
    cpu->tr = (struct seg){base, desc_limit(d[0]), sel, (uint16_t)(attr | DESC_BUSY_BYTE_BIT)};
}

/* LLDT: a null selector leaves LDTR unusable; otherwise an LDT descriptor. */
static void lldt(struct cpu *cpu, uint16_t sel)
{
    if ((sel & 0xfffc) == 0) {
        cpu->ldtr = (struct seg){0, 0, sel, SEG_ATTR_UNUSABLE};
        return;
    }
    uint64_t d[2];
    uint64_t base = system_descriptor(cpu, sel, ldt_type_ok, d);
    cpu->ldtr = (struct seg){base, desc_limit(d[0]), sel, desc_attr(d[0])};
}

static void load_system_reg(struct cpu *cpu, const struct insn *in)
{
    if (cpu->cpl != 0)
        cpu_fault_why(cpu, EXC_GP, 0, FC_PRIVILEGED, 0);
    uint16_t sel = selector_operand(cpu, in, false);
    if (in->op == SS_LTR)
        ltr(cpu, sel);
    else
        lldt(cpu, sel);
}

/* STR/SLDT: a register destination takes the selector zero-extended to the
 * operand size (16-bit: only the low 16 bits change), memory gets 16 bits. */
static void store_system_reg(struct cpu *cpu, const struct insn *in)
{
    if ((cpu->cr4 & CR4_UMIP) && cpu->cpl > 0)
        cpu_fault_why(cpu, EXC_GP, 0, FC_PRIVILEGED, 0);
    uint16_t sel = in->op == SS_STR ? cpu->tr.sel : cpu->ldtr.sel;
    if (in->flags & INSN_M0)
        insn_mem_write(cpu, in, 2, sel);
    else
        reg_write(cpu, in->r1, in->osz, sel);
}

/* ---- VERR VERW LAR LSL ARPL --------------------------------------------------- */

/* The descriptor for sel, if it is in its table and visible at CPL and RPL
 * (conforming code is always visible). */
static bool probe(struct cpu *cpu, uint16_t sel, uint64_t *lo)
{
    uint64_t d[2];
    if ((sel & 0xfffc) == 0 || !seg_fetch_descriptor(cpu, sel, false, d))
        return false;
    uint16_t attr = desc_attr(d[0]);
    bool conforming_code = (attr & SEG_ATTR_S) && (attr & SEG_ATTR_CODE) && (attr & SEG_ATTR_DC);
    unsigned dpl = attr_dpl(attr), rpl = sel & SEL_RPL;
    if (!conforming_code && (cpu->cpl > dpl || rpl > dpl))
        return false;
    *lo = d[0];
    return true;
}

static void set_zf(struct cpu *cpu, bool z)
{
    flags_put(cpu, RFLAGS_ZF, z ? RFLAGS_ZF : 0);
}

static void verify(struct cpu *cpu, const struct insn *in)
{
    uint16_t sel = selector_operand(cpu, in, false);
    uint64_t lo;
    bool ok = false;
    if (probe(cpu, sel, &lo)) {
        uint16_t attr = desc_attr(lo);
        bool code = (attr & SEG_ATTR_CODE) != 0;
        if (!(attr & SEG_ATTR_S))
            ok = false;
        else if (in->op == SS_VERR)
            ok = !code || (attr & SEG_ATTR_RW);
        else
            ok = !code && (attr & SEG_ATTR_RW);
    }
    set_zf(cpu, ok);
}

/* System types LAR (lar = true) or LSL accept, by mode (Tables 3-62, 3-65). */
static bool probe_type_ok(unsigned type, bool lar, bool long_mode)
{
    static const uint16_t lar_legacy = 1u << DESC_TYPE_TSS16 | 1u << DESC_TYPE_LDT |
                                       1u << DESC_TYPE_TSS16_BUSY | 1u << DESC_TYPE_CALL16 |
                                       1u << DESC_TYPE_TASK | 1u << DESC_TYPE_TSS |
                                       1u << DESC_TYPE_TSS_BUSY | 1u << DESC_TYPE_CALL;
    static const uint16_t lar_long = 1u << DESC_TYPE_TSS | 1u << DESC_TYPE_TSS_BUSY |
                                     1u << DESC_TYPE_CALL;
    static const uint16_t lsl_legacy = 1u << DESC_TYPE_TSS16 | 1u << DESC_TYPE_LDT |
                                       1u << DESC_TYPE_TSS16_BUSY | 1u << DESC_TYPE_TSS |
                                       1u << DESC_TYPE_TSS_BUSY;
    static const uint16_t lsl_long = 1u << DESC_TYPE_LDT | 1u << DESC_TYPE_TSS |
                                     1u << DESC_TYPE_TSS_BUSY;
    uint16_t set = lar ? (long_mode ? lar_long : lar_legacy) : (long_mode ? lsl_long : lsl_legacy);
    return (set >> type) & 1;
}

/* LAR/LSL: on success the destination gets the access rights or the byte
 * limit (16-bit: low 16 bits only) and ZF = 1; otherwise ZF = 0 and the
 * destination is unchanged. */
static void load_rights_or_limit(struct cpu *cpu, const struct insn *in)
{
    uint16_t sel = selector_operand(cpu, in, true);
    uint64_t lo;
    bool lar = in->op == SS_LAR;
    if (!probe(cpu, sel, &lo)) {
        set_zf(cpu, false);
        return;
    }
    uint16_t attr = desc_attr(lo);
    if (!(attr & SEG_ATTR_S) && !probe_type_ok(attr & SEG_ATTR_TYPE, lar, ia32e(cpu))) {
        set_zf(cpu, false);
        return;
    }
    uint64_t v = lar ? ((lo >> 32) & (in->osz == 2 ? LAR_MASK16 : LAR_MASK32)) : desc_limit(lo);
    reg_write(cpu, in->r1, in->osz, v & size_mask(in->osz));
    set_zf(cpu, true);
}

static void arpl(struct cpu *cpu, const struct insn *in)
{
    uint16_t dest = selector_operand(cpu, in, false);
    uint16_t src = (uint16_t)reg_read(cpu, in->r2, 2);
    if ((dest & SEL_RPL) < (src & SEL_RPL)) {
        dest = (uint16_t)((dest & ~SEL_RPL) | (src & SEL_RPL));
        if (in->flags & INSN_M0)
            insn_mem_write(cpu, in, 2, dest);
        else
            reg_write(cpu, in->r1, 2, dest);
        set_zf(cpu, true);
    } else {
        set_zf(cpu, false);
    }
}

static void segsys(struct cpu *cpu, const struct insn *in)
{
    require_protected(cpu);
    switch (in->op) {
    case SS_LTR:
    case SS_LLDT: load_system_reg(cpu, in); break;
    case SS_STR:
    case SS_SLDT: store_system_reg(cpu, in); break;
    case SS_VERR:
    case SS_VERW: verify(cpu, in); break;
    case SS_LAR:
    case SS_LSL: load_rights_or_limit(cpu, in); break;
    default: arpl(cpu, in); break;
    }
}

bool xl_segsys(const struct xlate *x, struct insn *in)
{
    static const struct {
        ZydisMnemonic m;
        uint8_t op;
    } map[] = {
        {ZYDIS_MNEMONIC_LTR, SS_LTR},   {ZYDIS_MNEMONIC_LLDT, SS_LLDT},
        {ZYDIS_MNEMONIC_STR, SS_STR},   {ZYDIS_MNEMONIC_SLDT, SS_SLDT},
        {ZYDIS_MNEMONIC_VERR, SS_VERR}, {ZYDIS_MNEMONIC_VERW, SS_VERW},
        {ZYDIS_MNEMONIC_LAR, SS_LAR},   {ZYDIS_MNEMONIC_LSL, SS_LSL},
        {ZYDIS_MNEMONIC_ARPL, SS_ARPL},
    };
    size_t i = 0;
    while (i < sizeof(map) / sizeof(map[0]) && map[i].m != x->zi->mnemonic)
        i++;
    if (i == sizeof(map) / sizeof(map[0]))
        return false;
    in->op = map[i].op;
    xl_operand(x, 0, in);
    if (x->zi->operand_count_visible > 1)
        xl_operand(x, 1, in);
    if (!(in->flags & INSN_M0) && x->ops[0].type == ZYDIS_OPERAND_TYPE_REGISTER)
        in->osz = (uint8_t)(x->ops[0].size / 8);
    in->fn = segsys;
    if (in->op == SS_LTR || in->op == SS_LLDT)
        in->flags |= INSN_END;
    return true;
}
