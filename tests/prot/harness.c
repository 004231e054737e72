#include "harness.h"

#include <stdlib.h>

#define PTE_PRESENT_RW_USER (PTE_P | PTE_W | PTE_U)
#define GDT_LIMIT 0x3ff
#define IDT64_LIMIT 0xfff
#define IDT32_LIMIT 0x7ff
#define TSS64_LIMIT 0x67
#define TSS_RSP0 4
#define TSS_IST1 0x24
#define TSS_IOMAP 0x66
#define HLT 0xf4
#define FLAT 0xfffff

static void on_event(void *ctx, emu_event *ev)
{
    struct th *t = ctx;
    if (t->nev >= TH_MAX_EVENTS)
        return;
    uint32_t error = ev->u.intr.has_error ? ev->u.intr.error : EXC_NO_ERROR;
    t->ev[t->nev++] =
        (struct th_event){ev->u.intr.vector, error, ev->kind == EMU_EV_INTERRUPT};
}

uint64_t th_desc(uint32_t base, uint32_t limit, uint32_t attr)
{
    uint64_t d = (limit & 0xffffULL) | ((uint64_t)(base & 0xffffff) << 16);
    d |= (uint64_t)(attr & 0xff) << 40;
    d |= (uint64_t)((limit >> 16) & 0xf) << 48;
    d |= (uint64_t)((attr >> 12) & 0xf) << 52;
    d |= (uint64_t)(base >> 24) << 56;
    return d;
}

void th_write(struct th *t, uint64_t lin, uint64_t v, unsigned size)
{
    phys_copy_to(&t->pm, lin, &v, size);
}

uint64_t th_read(struct th *t, uint64_t lin, unsigned size)
{
    uint64_t v = 0;
    phys_copy_from(&t->pm, lin, &v, size);
    return v;
}

void th_set_gdt(struct th *t, uint16_t sel, uint64_t desc)
{
    uint64_t table = (sel & SEL_TI) ? TH_LDT : TH_GDT;
    th_write(t, table + (sel & 0xfff8), desc, 8);
}

void th_set_gdt16(struct th *t, uint16_t sel, uint64_t lo, uint64_t hi)
{
    th_set_gdt(t, sel, lo);
    th_set_gdt(t, (uint16_t)(sel + 8), hi);
}

uint64_t th_get_gdt(struct th *t, uint16_t sel)
{
    uint64_t table = (sel & SEL_TI) ? TH_LDT : TH_GDT;
    return th_read(t, table + (sel & 0xfff8), 8);
}

static int ia32e(const struct th *t)
{
    return t->mode == TH_LONG64 || t->mode == TH_COMPAT32;
}

void th_set_sysdesc(struct th *t, uint16_t sel, uint64_t base, uint32_t limit, unsigned type,
                    unsigned dpl, int present)
{
    uint32_t attr = type | TH_DPL(dpl) | (present ? SEG_ATTR_P : 0);
    uint64_t lo = th_desc((uint32_t)base, limit, attr);
    if (ia32e(t))
        th_set_gdt16(t, sel, lo, base >> 32);
    else
        th_set_gdt(t, sel, lo);
}

static uint64_t gate_lo(uint16_t sel, uint64_t offset, unsigned type, unsigned dpl,
                        unsigned ist, int present)
{
    return (offset & 0xffff) | ((uint64_t)sel << 16) | ((uint64_t)(ist & 7) << 32) |
           ((uint64_t)type << 40) | ((uint64_t)dpl << 45) | ((uint64_t)(present != 0) << 47) |
           ((offset & 0xffff0000ULL) << 32);
}

void th_set_gate(struct th *t, unsigned vector, uint16_t sel, uint64_t offset, unsigned type,
                 unsigned dpl, unsigned ist, int present)
{
    uint64_t lo = gate_lo(sel, offset, type, dpl, ist, present);
    if (ia32e(t)) {
        th_write(t, TH_IDT + 16 * vector, lo, 8);
        th_write(t, TH_IDT + 16 * vector + 8, offset >> 32, 8);
    } else {
        th_write(t, TH_IDT + 8 * vector, lo, 8);
    }
}

void th_set_call_gate(struct th *t, uint16_t sel, uint16_t target, uint64_t offset, unsigned dpl,
                      unsigned params, int present)
{
    uint64_t lo = gate_lo(target, offset, 0xC, dpl, 0, present) | ((uint64_t)(params & 31) << 32);
    if (ia32e(t))
        th_set_gdt16(t, sel, lo, offset >> 32);
    else
        th_set_gdt(t, sel, lo);
}

static void build_gdt(struct th *t)
{
    th_set_gdt(t, TH_KCODE32, th_desc(0, FLAT, TH_A_CODE | SEG_ATTR_DB | SEG_ATTR_G));
    th_set_gdt(t, TH_KCODE64, th_desc(0, FLAT, TH_A_CODE | SEG_ATTR_L | SEG_ATTR_G));
    th_set_gdt(t, TH_KDATA, th_desc(0, FLAT, TH_A_DATA | SEG_ATTR_DB | SEG_ATTR_G));
    th_set_gdt(t, TH_UCODE32,
               th_desc(0, FLAT, TH_A_CODE | TH_DPL(3) | SEG_ATTR_DB | SEG_ATTR_G));
    th_set_gdt(t, TH_UDATA, th_desc(0, FLAT, TH_A_DATA | TH_DPL(3) | SEG_ATTR_DB | SEG_ATTR_G));
    th_set_gdt(t, TH_UCODE64, th_desc(0, FLAT, TH_A_CODE | TH_DPL(3) | SEG_ATTR_L | SEG_ATTR_G));
    t->cpu->gdtr = (struct dtable){TH_GDT, GDT_LIMIT};
}

static void build_idt(struct th *t)
{
    uint16_t cs = ia32e(t) ? TH_KCODE64 : TH_KCODE32;
    for (unsigned v = 0; v < 256; v++) {
        th_write(t, TH_STUBS + 16 * v, HLT, 1);
        th_set_gate(t, v, cs, TH_STUBS + 16 * v, 0xE, 0, 0, 1);
    }
    t->cpu->idtr = (struct dtable){TH_IDT, ia32e(t) ? IDT64_LIMIT : IDT32_LIMIT};
}

/* A 64-bit TSS in IA-32e mode, a 32-bit one (SS0:ESP0) otherwise. */
static void build_tss(struct th *t)
{
    struct cpu *c = t->cpu;
    if (ia32e(t)) {
        th_write(t, TH_TSS_BASE + TSS_RSP0, TH_KSTACK, 8);
        for (unsigned n = 1; n <= 7; n++)
            th_write(t, TH_TSS_BASE + TSS_IST1 + 8 * (n - 1), TH_IST_TOP(n), 8);
    } else {
        th_write(t, TH_TSS_BASE + 4, TH_KSTACK, 4);
        th_write(t, TH_TSS_BASE + 8, TH_KDATA, 2);
    }
    th_write(t, TH_TSS_BASE + TSS_IOMAP, TSS64_LIMIT + 1, 2);
    th_set_sysdesc(t, TH_TSS, TH_TSS_BASE, TSS64_LIMIT, 0xB, 0, 1);
    c->tr = (struct seg){TH_TSS_BASE, TSS64_LIMIT, TH_TSS, 0xB | SEG_ATTR_P};
}

/* PML4[0] -> PDPT[0] -> PD: 2 MiB identity pages, user-accessible. */
static void build_paging(struct th *t)
{
    uint64_t pdpt = TH_PML4 + 0x1000, pd = TH_PML4 + 0x2000;
    th_write(t, TH_PML4, pdpt | PTE_PRESENT_RW_USER, 8);
    th_write(t, pdpt, pd | PTE_PRESENT_RW_USER, 8);
    th_write(t, pd, 0 | PTE_PRESENT_RW_USER | PTE_PS, 8);
}

static void set_flat(struct th *t, unsigned sreg, uint16_t sel)
{
    uint64_t d = th_get_gdt(t, sel);
    cpu_load_seg_raw(t->cpu, (int)sreg, sel, desc_base(d), desc_limit(d), desc_attr(d));
}

static void enter_mode(struct th *t)
{
    struct cpu *c = t->cpu;
    if (t->mode == TH_REAL)
        return;
    if (ia32e(t)) {
        build_paging(t);
        cpu_set_cr(c, 4, CR4_PAE);
        cpu_set_cr(c, 3, TH_PML4);
        cpu_set_efer(c, EFER_LME | EFER_SCE | EFER_NXE);
        cpu_set_cr(c, 0, CR0_PE | CR0_PG | CR0_ET | CR0_NE | CR0_WP);
    } else {
        cpu_set_cr(c, 0, CR0_PE | CR0_ET | CR0_NE);
    }
    static const unsigned data[] = {SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS};
    for (size_t i = 0; i < sizeof(data) / sizeof(data[0]); i++)
        set_flat(t, data[i], TH_KDATA);
    set_flat(t, SEG_CS, t->mode == TH_LONG64 ? TH_KCODE64 : TH_KCODE32);
}

static int intr_ack(void *opaque)
{
    struct th *t = opaque;
    int v = t->irq_vector;
    t->irq_vector = -1;
    cpu_set_intr(t->cpu, false);
    return v;
}

void th_raise_irq(struct th *t, int vector)
{
    t->irq_vector = vector;
    cpu_set_intr(t->cpu, true);
}

struct th *th_new(enum th_mode mode)
{
    struct th *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    assert_int_equal(phys_init(&t->pm, TH_RAM), 0);
    struct cpu_env env = {.opaque = t, .intr_ack = intr_ack};
    t->irq_vector = -1;
    t->cpu = cpu_new(&t->pm, &env, 0);
    assert_non_null(t->cpu);
    t->mode = mode;
    t->cpu->hook_mask = (1u << EMU_EV_EXCEPTION) | (1u << EMU_EV_INTERRUPT);
    t->cpu->emit = on_event;
    t->cpu->emit_ctx = t;
    if (mode != TH_REAL) {
        build_gdt(t);
        build_idt(t);
        build_tss(t);
    } else {
        cpu_load_seg_raw(t->cpu, SEG_CS, 0, 0, 0xffff, t->cpu->seg[SEG_CS].attr);
        t->cpu->idtr = (struct dtable){0, 0x3ff};
    }
    enter_mode(t);
    t->cpu->rip = TH_CODE;
    t->cpu->gpr[RSP] = TH_KSTACK;
    return t;
}

void th_free(struct th *t)
{
    cpu_free(t->cpu);
    phys_destroy(&t->pm);
    free(t);
}

void th_code(struct th *t, uint64_t at, const uint8_t *start, const uint8_t *end)
{
    bool entry = at == 0;
    if (entry)
        at = TH_CODE;
    phys_copy_to(&t->pm, at, start, (size_t)(end - start));
    if (entry)
        t->cpu->rip = at - t->cpu->seg[SEG_CS].base;
}

enum cpu_exit th_run(struct th *t, uint64_t max_insns)
{
    return cpu_exec(t->cpu, t->cpu->icount + max_insns);
}

int th_in_stub(struct th *t, unsigned v)
{
    return t->cpu->halted && t->cpu->seg[SEG_CS].base + t->cpu->rip == TH_STUBS + 16 * v + 1;
}

struct th_event th_run_expect_event(struct th *t)
{
    assert_int_equal(th_run(t, 1000), CPU_EXIT_HALT);
    assert_int_equal(t->nev, 1);
    assert_true(th_in_stub(t, t->ev[0].vector));
    return t->ev[0];
}

void th_enter_ring3(struct th *t)
{
    struct cpu *c = t->cpu;
    set_flat(t, SEG_SS, TH_UDATA | 3);
    set_flat(t, SEG_DS, TH_UDATA | 3);
    set_flat(t, SEG_ES, TH_UDATA | 3);
    set_flat(t, SEG_CS, (t->mode == TH_LONG64 ? TH_UCODE64 : TH_UCODE32) | 3);
    c->gpr[RSP] = TH_USTACK;
}

uint64_t th_stack(struct th *t, unsigned n)
{
    unsigned w = t->mode == TH_LONG64 || t->mode == TH_COMPAT32 ? 8 : 4;
    if (t->cpu->mode == MODE_LONG64)
        w = 8;
    return th_read(t, t->cpu->seg[SEG_SS].base + t->cpu->gpr[RSP] + w * n, w);
}

int th_ran_to_hlt(struct th *t)
{
    if (th_run(t, 1000) != CPU_EXIT_HALT)
        return 0;
    if (t->nev == 0)
        return 1;
    if (t->nev != 1 || t->ev[0].vector != EXC_GP || t->ev[0].error != 0)
        return 0;
    uint64_t cs = th_stack(t, 2);
    return (cs & SEL_RPL) == 3 && th_read(t, th_stack(t, 1), 1) == HLT;
}
