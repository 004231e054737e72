/* Hardware task switching (SDM Vol. 3 §7.3), legacy protected mode only (it
 * does not exist in IA-32e mode): JMP/CALL to a TSS or a task gate, an IDT
 * task gate, and IRET with NT = 1. Everything that can fault in the old
 * task -- the descriptor checks, reading the new TSS, saving the old one --
 * happens first; then the switch commits (busy bits, the link, TR, CR0.TS,
 * CR3, registers), and the new task's LDTR and segment registers are
 * checked last: a fault there is raised in the new task, as the SDM says. */
#include "ops.h"

#define TSS32_MIN_LIMIT 0x67
#define TSS16_MIN_LIMIT 0x2B
#define DESC_BUSY_BYTE_BIT 0x2
#define CR0_TS_BIT CR0_TS

/* A TSS image: the registers a task switch saves and loads. */
struct tss_image {
    uint32_t cr3, eip, eflags, gpr[8];
    uint16_t seg[SEG_COUNT], ldt;
    uint8_t trap; // the T bit: #DB on entry to the task
};

/* Byte offsets of the 32-bit and 16-bit TSS fields. */
struct tss_layout {
    unsigned eip, eflags, gpr, seg, ldt, width;
};
static const struct tss_layout tss32 = {0x20, 0x24, 0x28, 0x48, 0x60, 4};
static const struct tss_layout tss16 = {0x0E, 0x10, 0x12, 0x22, 0x2A, 2};

static const struct tss_layout *layout_of(uint32_t attr)
{
    return (attr & 0x8) ? &tss32 : &tss16;
}

static void read_image(struct cpu *cpu, uint64_t base, const struct tss_layout *l,
                       struct tss_image *t)
{
    unsigned w = l->width;
    *t = (struct tss_image){0};
    t->cr3 = w == 4 ? (uint32_t)sys_read(cpu, base + 0x1C, 4) : 0;
    t->eip = (uint32_t)sys_read(cpu, base + l->eip, w);
    t->eflags = (uint32_t)sys_read(cpu, base + l->eflags, w);
    for (unsigned r = 0; r < 8; r++)
        t->gpr[r] = (uint32_t)sys_read(cpu, base + l->gpr + w * r, w);
    for (unsigned s = 0; s < (w == 4 ? SEG_COUNT : 4u); s++)
        t->seg[s] = (uint16_t)sys_read(cpu, base + l->seg + w * s, 2);
    t->ldt = (uint16_t)sys_read(cpu, base + l->ldt, 2);
    t->trap = w == 4 ? (uint8_t)(sys_read(cpu, base + 0x64, 1) & 1) : 0;
}

/* Saves the current task's registers into the TSS at TR. */
static void save_current(struct cpu *cpu, uint32_t eip, uint32_t eflags)
{
    const struct tss_layout *l = layout_of(cpu->tr.attr);
    unsigned w = l->width;
    uint64_t base = cpu->tr.base;
    sys_write(cpu, base + l->eip, w, eip);
    sys_write(cpu, base + l->eflags, w, eflags);
    for (unsigned r = 0; r < 8; r++)
        sys_write(cpu, base + l->gpr + w * r, w, cpu->gpr[r]);
    for (unsigned s = 0; s < (w == 4 ? SEG_COUNT : 4u); s++)
        sys_write(cpu, base + l->seg + w * s, 2, cpu->seg[s].sel);
}

static void set_busy(struct cpu *cpu, uint16_t sel, bool busy)
{
    uint64_t at;
    if (!seg_desc_addr(cpu, sel, 8, &at))
        return;
    uint8_t type = (uint8_t)sys_read(cpu, at + 5, 1);
    type = busy ? (uint8_t)(type | DESC_BUSY_BYTE_BIT) : (uint8_t)(type & ~DESC_BUSY_BYTE_BIT);
    sys_write(cpu, at + 5, 1, type);
}

/* The new task's LDT: null, or an LDT descriptor in the GDT; else #TS. */
static void load_task_ldt(struct cpu *cpu, uint16_t sel, uint32_t ext)
{
    if ((sel & 0xfffc) == 0) {
        cpu->ldtr = (struct seg){0, 0, sel, SEG_ATTR_UNUSABLE};
        return;
    }
    uint64_t d[2];
    if ((sel & SEL_TI) || !seg_fetch_descriptor(cpu, sel, false, d))
        cpu_fault_why(cpu, EXC_TS, (sel & 0xfffc) | ext, FC_SEL_OUTSIDE_TABLE, sel);
    uint16_t attr = desc_attr(d[0]);
    if ((attr & SEG_ATTR_S) || (attr & SEG_ATTR_TYPE) != DESC_TYPE_LDT || !(attr & SEG_ATTR_P))
        cpu_fault_desc(cpu, EXC_TS, (sel & 0xfffc) | ext, FC_BAD_SYSTEM_TYPE, sel, d[0]);
    cpu->ldtr = (struct seg){desc_base(d[0]), desc_limit(d[0]), sel, attr};
}

/* One segment register of the new task, checked as the SDM's task switch
 * checks it (#TS(selector) for a bad one, #NP or #SS when not present). */
static void load_task_seg(struct cpu *cpu, unsigned sreg, uint16_t sel, uint32_t ext)
{
    uint32_t err = (sel & 0xfffc) | ext;
    if ((sel & 0xfffc) == 0) {
        if (sreg == SEG_CS || sreg == SEG_SS)
            cpu_fault_why(cpu, EXC_TS, err, FC_NULL_SELECTOR, sel);
        cpu_set_seg(cpu, sreg, sel, 0, 0, SEG_ATTR_UNUSABLE);
        return;
    }
    uint64_t d[2];
    if (!seg_fetch_descriptor(cpu, sel, false, d))
        cpu_fault_why(cpu, EXC_TS, err, FC_SEL_OUTSIDE_TABLE, sel);
    uint16_t attr = desc_attr(d[0]);
    unsigned dpl = (attr & SEG_ATTR_DPL) >> SEG_ATTR_DPL_SHIFT, rpl = sel & SEL_RPL;
    bool code = (attr & SEG_ATTR_CODE) != 0, ok = (attr & SEG_ATTR_S) != 0;
    if (sreg == SEG_CS)
        ok = ok && code && ((attr & SEG_ATTR_DC) ? dpl <= rpl : dpl == rpl);
    else if (sreg == SEG_SS)
        ok = ok && !code && (attr & SEG_ATTR_RW) && dpl == cpu->cpl && rpl == cpu->cpl;
    else
        ok = ok && (!code || (attr & SEG_ATTR_RW)) &&
             ((code && (attr & SEG_ATTR_DC)) || (dpl >= cpu->cpl && dpl >= rpl));
    if (!ok)
        cpu_fault_desc(cpu, EXC_TS, err, FC_TSS_SS, sel, d[0]);
    if (!(attr & SEG_ATTR_P))
        cpu_fault_desc(cpu, sreg == SEG_SS ? EXC_SS : EXC_NP, err, FC_NOT_PRESENT, sel, d[0]);
    seg_set_accessed(cpu, sel, d[0]);
    cpu_set_seg(cpu, sreg, sel, desc_base(d[0]), desc_limit(d[0]), desc_attr(d[0]) | SEG_ATTR_A);
    if (sreg == SEG_CS) {
        cpu_set_cpl(cpu, rpl);
        cpu_update_mode(cpu);
    }
}

/* Loads the new task's registers (after the commit). */
static void load_new(struct cpu *cpu, const struct tss_image *t, unsigned w, uint32_t ext)
{
    uint64_t mask = w == 4 ? 0xffffffffULL : 0xffffULL;
    if (w == 4 && (cpu->cr0 & CR0_PG))
        paging_mov_cr3(cpu, t->cr3, false);
    for (unsigned r = 0; r < 8; r++)
        cpu->gpr[r] = (cpu->gpr[r] & ~mask) | (t->gpr[r] & mask);
    /* VM is not loaded: emu has no virtual-8086 mode (docs/faults.md) */
    uint64_t flags = t->eflags & mask & ~RFLAGS_VM;
    cpu_set_rflags(cpu, (cpu_get_rflags(cpu) & ~mask) | flags);
    cpu->rip = t->eip & mask;
    cpu->gpr[REG_NEXT_RIP] = cpu->rip;
    for (unsigned s = 0; s < SEG_COUNT; s++) /* the selectors first, caches invalid */
        cpu->seg[s].sel = t->seg[s];
    load_task_ldt(cpu, t->ldt, ext);
    static const unsigned order[] = {SEG_CS, SEG_SS, SEG_ES, SEG_DS, SEG_FS, SEG_GS};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        load_task_seg(cpu, order[i], t->seg[order[i]], ext);
    if (cpu->rip > cpu->seg[SEG_CS].limit)
        cpu_fault_why(cpu, EXC_GP, ext, FC_SEG_LIMIT, cpu->rip);
    if (t->trap) {
        cpu->dr6_pending |= 1ULL << 15; /* DR6.BT */
        cpu->attention = true;
    }
}

unsigned task_switch(struct cpu *cpu, uint16_t sel, uint64_t d0, enum task_source src,
                     uint64_t ret_eip, uint32_t ext)
{
    uint16_t attr = desc_attr(d0);
    const struct tss_layout *nl = layout_of(attr);
    uint32_t limit = desc_limit(d0);
    if (limit < (nl->width == 4 ? TSS32_MIN_LIMIT : TSS16_MIN_LIMIT))
        cpu_fault_desc(cpu, EXC_TS, (sel & 0xfffc) | ext, FC_TSS_LIMIT, sel, d0);
    uint64_t new_base = desc_base(d0);
    struct tss_image t;
    read_image(cpu, new_base, nl, &t);
    uint32_t old_eflags = (uint32_t)cpu_get_rflags(cpu);
    if (src == TASK_IRET)
        old_eflags &= ~(uint32_t)RFLAGS_NT;
    save_current(cpu, (uint32_t)ret_eip, old_eflags);
    /* commit */
    uint16_t old_sel = cpu->tr.sel;
    if (src == TASK_JMP || src == TASK_IRET)
        set_busy(cpu, old_sel, false);
    if (src == TASK_CALL || src == TASK_INT) {
        sys_write(cpu, new_base, 2, old_sel);
        t.eflags |= RFLAGS_NT;
    }
    if (src != TASK_IRET)
        set_busy(cpu, sel, true);
    cpu->tr = (struct seg){new_base, limit, sel, (uint16_t)(attr | DESC_BUSY_BYTE_BIT)};
    cpu->cr0 |= CR0_TS_BIT;
    load_new(cpu, &t, nl->width, ext);
    return nl->width;
}

/* The TSS a task gate or IRET names: checks and returns its descriptor. */
static uint64_t tss_target(struct cpu *cpu, uint16_t sel, bool want_busy, unsigned vector,
                           uint32_t ext)
{
    uint64_t d[2];
    uint32_t err = (sel & 0xfffc) | ext;
    if ((sel & SEL_TI) || !seg_fetch_descriptor(cpu, sel, false, d))
        cpu_fault_why(cpu, vector, err, FC_SEL_OUTSIDE_TABLE, sel);
    uint16_t attr = desc_attr(d[0]);
    unsigned type = attr & SEG_ATTR_TYPE;
    bool tss = !(attr & SEG_ATTR_S) && (type & ~0x8u & ~DESC_BUSY_BYTE_BIT) == DESC_TYPE_TSS16;
    bool busy = (type & DESC_BUSY_BYTE_BIT) != 0;
    if (!tss || busy != want_busy)
        cpu_fault_desc(cpu, vector, err, busy ? FC_TSS_BUSY : FC_BAD_SYSTEM_TYPE, sel, d[0]);
    if (!(attr & SEG_ATTR_P))
        cpu_fault_desc(cpu, EXC_NP, err, FC_NOT_PRESENT, sel, d[0]);
    return d[0];
}

unsigned task_through_gate(struct cpu *cpu, uint64_t gate, enum task_source src,
                           uint64_t ret_eip, uint32_t ext)
{
    uint16_t sel = (uint16_t)(gate >> 16);
    uint64_t d0 = tss_target(cpu, sel, false, EXC_GP, ext);
    return task_switch(cpu, sel, d0, src, ret_eip, ext);
}

void task_return(struct cpu *cpu)
{
    uint16_t link = (uint16_t)sys_read(cpu, cpu->tr.base, 2);
    uint64_t d0 = tss_target(cpu, link, true, EXC_TS, 0);
    task_switch(cpu, link, d0, TASK_IRET, next_rip(cpu), 0);
}
