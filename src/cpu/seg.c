/* Segmentation: descriptor fetch and decode, and loading the data and stack
 * segment registers with the SDM's checks (Vol. 2 MOV/POP Sreg, LDS..LSS;
 * Vol. 3 §5.5-5.7): null selectors per register and mode, table limits,
 * type, DPL/RPL/CPL, present (#NP, or #SS for SS). Every check runs before
 * the hidden cache changes, and the accessed bit is set only on success. */
#include "ops.h"

#define DESC_ACCESSED (1ULL << 40)

static unsigned attr_dpl(uint32_t attr)
{
    return (attr & SEG_ATTR_DPL) >> SEG_ATTR_DPL_SHIFT;
}

bool seg_desc_addr(const struct cpu *cpu, uint16_t sel, unsigned bytes, uint64_t *at)
{
    bool ldt = (sel & SEL_TI) != 0;
    if (ldt && (cpu->ldtr.attr & SEG_ATTR_UNUSABLE))
        return false;
    uint64_t base = ldt ? cpu->ldtr.base : cpu->gdtr.base;
    uint32_t limit = ldt ? cpu->ldtr.limit : cpu->gdtr.limit;
    uint32_t off = sel & SEL_INDEX;
    if (off + bytes - 1 > limit)
        return false;
    *at = base + off;
    return true;
}

bool seg_fetch_descriptor(struct cpu *cpu, uint16_t sel, bool system, uint64_t desc[2])
{
    bool wide = system && (cpu->efer & EFER_LMA);
    uint64_t at;
    if (!seg_desc_addr(cpu, sel, wide ? 16 : 8, &at))
        return false;
    desc[0] = sys_read(cpu, at, 8);
    desc[1] = wide ? sys_read(cpu, at + 8, 8) : 0;
    return true;
}

void seg_read_descriptor(struct cpu *cpu, uint16_t sel, unsigned vector, uint64_t desc[2])
{
    if (!seg_fetch_descriptor(cpu, sel, false, desc))
        cpu_fault_desc(cpu, vector, sel & 0xfffc, FC_SEL_OUTSIDE_TABLE, sel, 0);
}

void seg_read_system_descriptor(struct cpu *cpu, uint16_t sel, unsigned vector, uint64_t desc[2])
{
    if (!seg_fetch_descriptor(cpu, sel, true, desc))
        cpu_fault_desc(cpu, vector, sel & 0xfffc, FC_SEL_OUTSIDE_TABLE, sel, 0);
}

void seg_set_accessed(struct cpu *cpu, uint16_t sel, uint64_t lo)
{
    uint64_t at;
    if ((lo & DESC_ACCESSED) || !seg_desc_addr(cpu, sel, 8, &at))
        return;
    sys_write(cpu, at + 5, 1, ((lo | DESC_ACCESSED) >> 40) & 0xff);
}

static void load_from_desc(struct cpu *cpu, unsigned sreg, uint16_t sel, uint64_t lo)
{
    seg_set_accessed(cpu, sel, lo);
    cpu_set_seg(cpu, sreg, sel, desc_base(lo), desc_limit(lo), desc_attr(lo | DESC_ACCESSED));
}

/* A null SS is legal only in 64-bit mode at CPL < 3 with RPL = CPL. */
static void load_ss(struct cpu *cpu, uint16_t sel)
{
    unsigned rpl = sel & SEL_RPL;
    if ((sel & 0xfffc) == 0) {
        if (cpu_long64(cpu) && cpu->cpl < 3 && rpl == cpu->cpl) {
            cpu_set_seg(cpu, SEG_SS, sel, 0, 0, SEG_ATTR_UNUSABLE | SEG_ATTR_DB);
            return;
        }
        cpu_fault_why(cpu, EXC_GP, 0, FC_NULL_SS, sel);
    }
    uint64_t d[2];
    seg_read_descriptor(cpu, sel, EXC_GP, d);
    uint16_t attr = desc_attr(d[0]);
    bool writable_data = (attr & SEG_ATTR_S) && !(attr & SEG_ATTR_CODE) && (attr & SEG_ATTR_RW);
    if (!writable_data)
        cpu_fault_desc(cpu, EXC_GP, sel & 0xfffc, FC_SS_NOT_WRITABLE, sel, d[0]);
    if (rpl != cpu->cpl || attr_dpl(attr) != cpu->cpl)
        cpu_fault_desc(cpu, EXC_GP, sel & 0xfffc, FC_SS_PRIVILEGE, sel, d[0]);
    if (!(attr & SEG_ATTR_P))
        cpu_fault_desc(cpu, EXC_SS, sel & 0xfffc, FC_NOT_PRESENT, sel, d[0]);
    load_from_desc(cpu, SEG_SS, sel, d[0]);
}

/* DS, ES, FS, GS: data or readable code; DPL >= max(CPL, RPL) unless
 * conforming code. A null selector loads an unusable segment (base 0). */
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
        cpu_fault_desc(cpu, EXC_GP, sel & 0xfffc, FC_NOT_DATA, sel, d[0]);
    bool conforming_code = code && (attr & SEG_ATTR_DC);
    unsigned rpl = sel & SEL_RPL;
    unsigned need = rpl > cpu->cpl ? rpl : cpu->cpl;
    if (!conforming_code && attr_dpl(attr) < need)
        cpu_fault_desc(cpu, EXC_GP, sel & 0xfffc, FC_DATA_PRIVILEGE, sel, d[0]);
    if (!(attr & SEG_ATTR_P))
        cpu_fault_desc(cpu, EXC_NP, sel & 0xfffc, FC_NOT_PRESENT, sel, d[0]);
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

/* ---- MOV Sreg (POP Sreg is in stack.c) and LDS/LES/LFS/LGS/LSS ------------------ */

static void mov_to_sreg(struct cpu *cpu, const struct insn *in)
{
    uint16_t sel = (uint16_t)op1_read(cpu, in, 2);
    seg_load(cpu, in->op, sel);
    if (in->op == SEG_SS) {
        cpu->intr_shadow = CPU_SHADOW_MOV_SS;
        cpu->attention = true;
    }
}

/* A register destination gets the selector zero-extended at 32/64-bit
 * operand size (SDM MOV: "the upper bits are cleared" on current
 * processors); memory always gets 16 bits. */
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

/* LDS/LES/LFS/LGS/LSS r, m16:off: both parts are read, then the segment
 * is loaded (which may fault), then the register is written. */
static void lxs(struct cpu *cpu, const struct insn *in)
{
    uint64_t ea = insn_ea(cpu, in);
    uint64_t off = mem_read(cpu, in->seg, ea, in->osz);
    uint16_t sel = (uint16_t)mem_read(cpu, in->seg, (ea + in->osz) & size_mask(in->asz), 2);
    seg_load(cpu, in->imm2, sel);
    reg_write(cpu, in->r1, in->osz, off);
    if (in->imm2 == SEG_SS) {
        cpu->intr_shadow = CPU_SHADOW_MOV_SS;
        cpu->attention = true;
    }
}

bool xl_lxs(const struct xlate *x, struct insn *in)
{
    static const struct {
        ZydisMnemonic m;
        uint8_t sreg;
    } map[] = {
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
