/* Segmentation: descriptor fetch and decode, loading segment registers with
 * the SDM's checks (Vol. 3 §5, MOV/POP Sreg), LDS/LES/LFS/LGS/LSS, and the
 * system-segment registers (LTR, LLDT, STR, SLDT). */
#include "ops.h"

#define SEL_TI 4
#define SEL_RPL 3
#define SEL_INDEX_MASK 0xfff8
#define DESC_TYPE_LDT 0x2
#define DESC_TYPE_TSS16_AVAIL 0x1
#define DESC_TYPE_TSS_AVAIL 0x9
#define DESC_TSS_BUSY_BIT 0x2
#define DESC_ACCESSED (1ULL << 40)
#define DESC_BUSY (1ULL << 41)

uint64_t desc_base(uint64_t lo)
{
    return ((lo >> 16) & 0xFFFFFF) | ((lo >> 56) << 24);
}

uint32_t desc_limit(uint64_t lo)
{
    uint32_t limit = (uint32_t)((lo & 0xFFFF) | ((lo >> 32) & 0xF0000));
    if (lo & (1ULL << 55))
        limit = (limit << 12) | 0xFFF;
    return limit;
}

uint16_t desc_attr(uint64_t lo)
{
    return (uint16_t)((lo >> 40) & 0xF0FF);
}

static unsigned attr_dpl(uint32_t attr)
{
    return (attr & SEG_ATTR_DPL) >> SEG_ATTR_DPL_SHIFT;
}

static uint64_t desc_addr(struct cpu *cpu, uint16_t sel, unsigned vector, unsigned bytes)
{
    bool ldt = sel & SEL_TI;
    const struct dtable gdt = cpu->gdtr;
    uint64_t base = ldt ? cpu->ldtr.base : gdt.base;
    uint32_t limit = ldt ? cpu->ldtr.limit : gdt.limit;
    if (ldt && (cpu->ldtr.attr & SEG_ATTR_UNUSABLE))
        cpu_fault(cpu, vector, sel & 0xfffc);
    unsigned idx = sel & SEL_INDEX_MASK;
    if (idx + bytes - 1 > limit)
        cpu_fault(cpu, vector, sel & 0xfffc);
    return base + idx;
}

void seg_read_descriptor(struct cpu *cpu, uint16_t sel, unsigned vector, uint64_t desc[2])
{
    uint64_t at = desc_addr(cpu, sel, vector, 8);
    desc[0] = sys_read(cpu, at, 8);
    desc[1] = 0;
}

/* The 16-byte system descriptor of IA-32e mode (TSS, LDT, call gate). */
static void read_system_descriptor(struct cpu *cpu, uint16_t sel, unsigned vector,
                                   uint64_t desc[2])
{
    bool wide = (cpu->efer & EFER_LMA) != 0;
    uint64_t at = desc_addr(cpu, sel, vector, wide ? 16 : 8);
    desc[0] = sys_read(cpu, at, 8);
    desc[1] = wide ? sys_read(cpu, at + 8, 8) : 0;
}

static void set_accessed(struct cpu *cpu, uint16_t sel, uint64_t lo)
{
    if (lo & DESC_ACCESSED)
        return;
    uint64_t at = desc_addr(cpu, sel, EXC_GP, 8);
    sys_write(cpu, at + 5, 1, ((lo | DESC_ACCESSED) >> 40) & 0xff);
}

static void load_from_desc(struct cpu *cpu, unsigned sreg, uint16_t sel, uint64_t lo)
{
    set_accessed(cpu, sel, lo);
    cpu_set_seg(cpu, sreg, sel, desc_base(lo), desc_limit(lo), desc_attr(lo | DESC_ACCESSED));
}

static void load_ss(struct cpu *cpu, uint16_t sel)
{
    unsigned rpl = sel & SEL_RPL;
    if ((sel & 0xfffc) == 0) {
        if (cpu_long64(cpu) && cpu->cpl < 3 && rpl == cpu->cpl) {
            cpu_set_seg(cpu, SEG_SS, sel, 0, 0, SEG_ATTR_UNUSABLE | SEG_ATTR_DB);
            return;
        }
        cpu_fault(cpu, EXC_GP, 0);
    }
    uint64_t d[2];
    seg_read_descriptor(cpu, sel, EXC_GP, d);
    uint16_t attr = desc_attr(d[0]);
    bool writable_data = (attr & SEG_ATTR_S) && !(attr & SEG_ATTR_CODE) && (attr & SEG_ATTR_RW);
    if (rpl != cpu->cpl || attr_dpl(attr) != cpu->cpl || !writable_data)
        cpu_fault(cpu, EXC_GP, sel & 0xfffc);
    if (!(attr & SEG_ATTR_P))
        cpu_fault(cpu, EXC_SS, sel & 0xfffc);
    load_from_desc(cpu, SEG_SS, sel, d[0]);
}

static void load_data_seg(struct cpu *cpu, unsigned sreg, uint16_t sel)
{
    if ((sel & 0xfffc) == 0) {
        cpu_set_seg(cpu, sreg, sel, 0, 0, SEG_ATTR_UNUSABLE);
        return;
    }
    uint64_t d[2];
    seg_read_descriptor(cpu, sel, EXC_GP, d);
    uint16_t attr = desc_attr(d[0]);
    bool code = (attr & SEG_ATTR_CODE) != 0;
    if (!(attr & SEG_ATTR_S) || (code && !(attr & SEG_ATTR_RW)))
        cpu_fault(cpu, EXC_GP, sel & 0xfffc);
    bool conforming_code = code && (attr & SEG_ATTR_DC);
    unsigned rpl = sel & SEL_RPL;
    unsigned need = rpl > cpu->cpl ? rpl : cpu->cpl;
    if (!conforming_code && attr_dpl(attr) < need)
        cpu_fault(cpu, EXC_GP, sel & 0xfffc);
    if (!(attr & SEG_ATTR_P))
        cpu_fault(cpu, EXC_NP, sel & 0xfffc);
    load_from_desc(cpu, sreg, sel, d[0]);
}

void seg_load(struct cpu *cpu, unsigned sreg, uint16_t sel)
{
    if (!cpu_protected(cpu) || (cpu->rflags & RFLAGS_VM)) {
        struct seg *s = &cpu->seg[sreg];
        cpu_set_seg(cpu, sreg, sel, (uint64_t)sel << 4, s->limit,
                    (uint16_t)(s->attr & ~SEG_ATTR_UNUSABLE));
        return;
    }
    if (sreg == SEG_SS)
        load_ss(cpu, sel);
    else
        load_data_seg(cpu, sreg, sel);
}

/* ---- MOV Sreg, POP Sreg handled in stack.c; LxS ------------------------------------ */

static void mov_to_sreg(struct cpu *cpu, const struct insn *in)
{
    uint16_t sel = (uint16_t)op1_read(cpu, in, 2);
    seg_load(cpu, in->op, sel);
    if (in->op == SEG_SS) {
        cpu->intr_shadow = 1;
        cpu->attention = true;
    }
}

static void mov_from_sreg(struct cpu *cpu, const struct insn *in)
{
    uint16_t sel = cpu->seg[in->op].sel;
    if (in->flags & INSN_M0)
        insn_mem_write(cpu, in, 2, sel);
    else
        reg_write(cpu, in->r1, in->osz, sel);
}

bool xl_mov_sreg(const struct xlate *x, struct insn *in)
{
    const ZydisDecodedOperand *a = &x->ops[0], *b = &x->ops[1];
    if (a->type == ZYDIS_OPERAND_TYPE_REGISTER && xl_sreg(a->reg.value) >= 0) {
        in->op = (uint8_t)xl_sreg(a->reg.value);
        if (in->op == SEG_CS)
            return false;
        xl_operand(x, 1, in);
        in->fn = mov_to_sreg;
        in->flags |= INSN_END;
        return true;
    }
    in->op = (uint8_t)xl_sreg(b->reg.value);
    xl_operand(x, 0, in);
    in->fn = mov_from_sreg;
    return true;
}

/* LDS/LES/LFS/LGS/LSS r, m16:off */
static void lxs(struct cpu *cpu, const struct insn *in)
{
    uint64_t ea = insn_ea(cpu, in);
    uint64_t off = mem_read(cpu, in->seg, ea, in->osz);
    uint16_t sel = (uint16_t)mem_read(cpu, in->seg, (ea + in->osz) & size_mask(in->asz), 2);
    seg_load(cpu, in->imm2, sel);
    reg_write(cpu, in->r1, in->osz, off);
    if (in->imm2 == SEG_SS) {
        cpu->intr_shadow = 1;
        cpu->attention = true;
    }
}

bool xl_lxs(const struct xlate *x, struct insn *in)
{
    static const struct { ZydisMnemonic m; uint8_t sreg; } map[] = {
        {ZYDIS_MNEMONIC_LDS, SEG_DS}, {ZYDIS_MNEMONIC_LES, SEG_ES}, {ZYDIS_MNEMONIC_LFS, SEG_FS},
        {ZYDIS_MNEMONIC_LGS, SEG_GS}, {ZYDIS_MNEMONIC_LSS, SEG_SS},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (map[i].m == x->zi->mnemonic)
            in->imm2 = map[i].sreg;
    xl_operand(x, 0, in);
    if (xl_operand(x, 1, in) != ZYDIS_OPERAND_TYPE_MEMORY)
        return false;
    in->flags = (uint8_t)((in->flags & ~INSN_M1) | INSN_END);
    in->fn = lxs;
    return true;
}

/* ---- LTR LLDT STR SLDT ----------------------------------------------------------------- */

enum { SS_LTR, SS_LLDT, SS_STR, SS_SLDT };

static void ltr(struct cpu *cpu, uint16_t sel)
{
    if ((sel & 0xfffc) == 0)
        cpu_fault(cpu, EXC_GP, 0);
    if (sel & SEL_TI)
        cpu_fault(cpu, EXC_GP, sel & 0xfffc);
    uint64_t d[2];
    read_system_descriptor(cpu, sel, EXC_GP, d);
    uint16_t attr = desc_attr(d[0]);
    unsigned type = attr & SEG_ATTR_TYPE;
    bool ok = (attr & SEG_ATTR_S) == 0 &&
              (type == DESC_TYPE_TSS_AVAIL ||
               (type == DESC_TYPE_TSS16_AVAIL && !(cpu->efer & EFER_LMA)));
    if (!ok)
        cpu_fault(cpu, EXC_GP, sel & 0xfffc);
    if (!(attr & SEG_ATTR_P))
        cpu_fault(cpu, EXC_NP, sel & 0xfffc);
    uint64_t base = desc_base(d[0]) | ((d[1] & 0xFFFFFFFFULL) << 32);
    uint64_t at = desc_addr(cpu, sel, EXC_GP, 8);
    sys_write(cpu, at + 5, 1, ((d[0] | DESC_BUSY) >> 40) & 0xff);
    cpu->tr = (struct seg){base, desc_limit(d[0]), sel, (uint16_t)(attr | DESC_TSS_BUSY_BIT)};
}

static void lldt(struct cpu *cpu, uint16_t sel)
{
    if ((sel & 0xfffc) == 0) {
        cpu->ldtr = (struct seg){0, 0, sel, SEG_ATTR_UNUSABLE};
        return;
    }
    if (sel & SEL_TI)
        cpu_fault(cpu, EXC_GP, sel & 0xfffc);
    uint64_t d[2];
    read_system_descriptor(cpu, sel, EXC_GP, d);
    uint16_t attr = desc_attr(d[0]);
    if ((attr & SEG_ATTR_S) || (attr & SEG_ATTR_TYPE) != DESC_TYPE_LDT)
        cpu_fault(cpu, EXC_GP, sel & 0xfffc);
    if (!(attr & SEG_ATTR_P))
        cpu_fault(cpu, EXC_NP, sel & 0xfffc);
    uint64_t base = desc_base(d[0]) | ((d[1] & 0xFFFFFFFFULL) << 32);
    cpu->ldtr = (struct seg){base, desc_limit(d[0]), sel, attr};
}

static void segsys(struct cpu *cpu, const struct insn *in)
{
    if (!cpu_protected(cpu))
        cpu_fault(cpu, EXC_UD, EXC_NO_ERROR);
    switch (in->op) {
    case SS_LTR:
    case SS_LLDT: {
        if (cpu->cpl != 0)
            cpu_fault(cpu, EXC_GP, 0);
        uint16_t sel = (uint16_t)((in->flags & INSN_M0) ? insn_mem_read(cpu, in, 2)
                                                        : reg_read(cpu, in->r1, 2));
        if (in->op == SS_LTR)
            ltr(cpu, sel);
        else
            lldt(cpu, sel);
        break;
    }
    default: {
        if ((cpu->cr4 & CR4_UMIP) && cpu->cpl > 0)
            cpu_fault(cpu, EXC_GP, 0);
        uint16_t sel = in->op == SS_STR ? cpu->tr.sel : cpu->ldtr.sel;
        if (in->flags & INSN_M0)
            insn_mem_write(cpu, in, 2, sel);
        else
            reg_write(cpu, in->r1, in->osz < 4 ? in->osz : in->osz, sel);
        break;
    }
    }
}

bool xl_segsys(const struct xlate *x, struct insn *in)
{
    switch (x->zi->mnemonic) {
    case ZYDIS_MNEMONIC_LTR: in->op = SS_LTR; break;
    case ZYDIS_MNEMONIC_LLDT: in->op = SS_LLDT; break;
    case ZYDIS_MNEMONIC_STR: in->op = SS_STR; break;
    case ZYDIS_MNEMONIC_SLDT: in->op = SS_SLDT; break;
    default: return false;
    }
    xl_operand(x, 0, in);
    if (!(in->flags & INSN_M0))
        in->osz = (uint8_t)(x->ops[0].size / 8);
    in->fn = segsys;
    return true;
}
