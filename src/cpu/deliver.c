/* Interrupt and exception delivery through the IDT: the IA-32e gate (with
 * IST and the 16-byte aligned frame), the protected-mode interrupt and trap
 * gates (32- and 16-bit, with the TSS stack switch and its checks), and the
 * real-mode IVT, and task gates (task.c). Follows SDM Vol. 2 "INT n/INTO/
 * INT3/INT1 - Operation": every check runs, and every frame write happens,
 * before any register changes. */
#include "event.h"

#define GATE_TYPE_SHIFT 40
#define GATE_DPL_SHIFT 45
#define GATE_P (1ULL << 47)
#define GATE_IST_SHIFT 32
#define GATE_IST_MASK 7u
#define TSS64_IST_BASE 28 /* IST n is at 28 + 8n */
#define TSS32_ESP0 4
#define TSS16_SP0 2
#define RFLAGS_CLEARED_ON_DELIVERY (RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | RFLAGS_VM)


static _Noreturn void idt_fault(struct cpu *cpu, unsigned vector, const struct event *ev,
                                unsigned cause, uint64_t lo, uint64_t hi)
{
    uint32_t ext = cause == FC_IDT_DPL ? 0 : event_ext(ev);
    cpu->why = (struct cpu_fault_why){.cause = (uint8_t)cause, .aux = ev->vector, .desc = {lo, hi}};
    cpu_fault(cpu, vector, (ev->vector << 3) | ERR_IDT | ext);
}

/* The checks every gate shares: type (by the caller's `valid` test),
 * DPL for software interrupts, present. */
static void check_gate(struct cpu *cpu, const struct event *ev, uint64_t lo, uint64_t hi,
                       bool valid_type)
{
    if (!valid_type)
        idt_fault(cpu, EXC_GP, ev, FC_IDT_BAD_TYPE, lo, hi);
    unsigned dpl = (lo >> GATE_DPL_SHIFT) & 3;
    if (ev->kind == CPU_EV_SOFTWARE && dpl < cpu->cpl)
        idt_fault(cpu, EXC_GP, ev, FC_IDT_DPL, lo, hi);
    if (!(lo & GATE_P))
        idt_fault(cpu, EXC_NP, ev, FC_IDT_NOT_PRESENT, lo, hi);
}

/* The code segment a gate names. Returns the handler's CPL. */
static unsigned gate_code_segment(struct cpu *cpu, uint16_t sel, const struct event *ev,
                                  uint64_t d[2])
{
    uint32_t ext = event_ext(ev), err = (sel & 0xfffc) | ext;
    if ((sel & 0xfffc) == 0)
        cpu_fault_why(cpu, EXC_GP, ext, FC_GATE_CS_NULL, sel);
    if (!seg_fetch_descriptor(cpu, sel, false, d))
        cpu_fault_why(cpu, EXC_GP, err, FC_SEL_OUTSIDE_TABLE, sel);
    uint16_t attr = desc_attr(d[0]);
    unsigned dpl = (attr & SEG_ATTR_DPL) >> SEG_ATTR_DPL_SHIFT;
    if (!(attr & SEG_ATTR_S) || !(attr & SEG_ATTR_CODE))
        cpu_fault_desc(cpu, EXC_GP, err, FC_NOT_CODE, sel, d[0]);
    if (dpl > cpu->cpl)
        cpu_fault_desc(cpu, EXC_GP, err, FC_CODE_PRIVILEGE, sel, d[0]);
    if (!(attr & SEG_ATTR_P))
        cpu_fault_desc(cpu, EXC_NP, err, FC_NOT_PRESENT, sel, d[0]);
    if ((cpu->efer & EFER_LMA) && (!(attr & SEG_ATTR_L) || (attr & SEG_ATTR_DB)))
        cpu_fault_desc(cpu, EXC_GP, err, FC_CODE_NOT_64, sel, d[0]);
    return (attr & SEG_ATTR_DC) ? cpu->cpl : dpl;
}

uint64_t tss_read_field(struct cpu *cpu, unsigned off, unsigned size, uint32_t ext)
{
    if ((cpu->tr.attr & SEG_ATTR_UNUSABLE) || off + size - 1 > cpu->tr.limit)
        cpu_fault_why(cpu, EXC_TS, (cpu->tr.sel & 0xfffc) | ext, FC_TSS_LIMIT, off);
    return sys_read(cpu, cpu->tr.base + off, size);
}

static uint64_t frame_rflags(struct cpu *cpu, const struct event *ev)
{
    return cpu_get_rflags(cpu) | (ev->set_rf ? RFLAGS_RF : 0);
}

static void finish(struct cpu *cpu, bool interrupt_gate)
{
    uint64_t f = cpu_get_rflags(cpu) & ~RFLAGS_CLEARED_ON_DELIVERY;
    if (interrupt_gate)
        f &= ~RFLAGS_IF;
    cpu_set_rflags(cpu, f);
    cpu->halted = false;
}

/* ---- IA-32e mode ------------------------------------------------------------ */

/* The handler's RSP: TSS.IST[ist], TSS.RSP[new_cpl] on a privilege change,
 * else the current RSP; aligned down to 16 bytes. */
static uint64_t long_stack(struct cpu *cpu, const struct event *ev, unsigned ist,
                           unsigned new_cpl)
{
    uint64_t rsp = cpu->gpr[RSP];
    if (ist)
        rsp = tss_read_field(cpu, TSS64_IST_BASE + 8 * ist, 8, event_ext(ev));
    else if (new_cpl < cpu->cpl)
        rsp = tss_read_field(cpu, TSS64_RSP0 + 8 * new_cpl, 8, event_ext(ev));
    if (!is_canonical(rsp) || !is_canonical((rsp & ~0xfULL) - 48))
        cpu_fault_why(cpu, EXC_SS, event_ext(ev), FC_STACK_NONCANONICAL, rsp);
    return rsp & ~0xfULL;
}

/* Writes one frame slot: supervisor (implicit) unless the handler runs in ring 3. */
static void frame_write(struct cpu *cpu, uint64_t lin, unsigned size, uint64_t v, bool user)
{
    if (user)
        lin_write(cpu, lin, size, v, MEM_STACK);
    else
        sys_write(cpu, lin, size, v);
}

static void deliver_long(struct cpu *cpu, const struct event *ev)
{
    unsigned v = ev->vector;
    if (v * 16 + 15 > cpu->idtr.limit)
        idt_fault(cpu, EXC_GP, ev, FC_IDT_LIMIT, 0, 0);
    uint64_t lo = sys_read(cpu, cpu->idtr.base + v * 16, 8);
    uint64_t hi = sys_read(cpu, cpu->idtr.base + v * 16 + 8, 8);
    unsigned type = (lo >> GATE_TYPE_SHIFT) & 0xf;
    check_gate(cpu, ev, lo, hi, type == DESC_TYPE_INT || type == DESC_TYPE_TRAP);
    uint16_t sel = (uint16_t)(lo >> 16);
    uint64_t target = (lo & 0xffff) | ((lo >> 32) & 0xffff0000ULL) | ((hi & 0xffffffffULL) << 32);
    uint64_t desc[2];
    unsigned new_cpl = gate_code_segment(cpu, sel, ev, desc);
    uint64_t rsp = long_stack(cpu, ev, (lo >> GATE_IST_SHIFT) & GATE_IST_MASK, new_cpl);
    if (!is_canonical(target))
        idt_fault(cpu, EXC_GP, ev, FC_IDT_TARGET_NONCANONICAL, lo, hi);

    uint64_t frame[6] = {cpu->seg[SEG_SS].sel, cpu->gpr[RSP], frame_rflags(cpu, ev),
                         cpu->seg[SEG_CS].sel, ev->rip, ev->error};
    unsigned n = ev->error != EXC_NO_ERROR ? 6 : 5;
    for (unsigned i = 0; i < n; i++)
        frame_write(cpu, rsp - 8 * (i + 1), 8, frame[i], new_cpl == 3);

    if (new_cpl != cpu->cpl)
        cpu_set_seg(cpu, SEG_SS, (uint16_t)new_cpl, 0, 0, SEG_ATTR_UNUSABLE | SEG_ATTR_DB);
    cpu_set_seg(cpu, SEG_CS, (uint16_t)((sel & 0xfffc) | new_cpl), desc_base(desc[0]),
                desc_limit(desc[0]), desc_attr(desc[0]));
    cpu_set_cpl(cpu, new_cpl);
    cpu->gpr[RSP] = rsp - 8 * n;
    cpu->rip = target;
    cpu_update_mode(cpu);
    finish(cpu, type == DESC_TYPE_INT);
}

/* ---- protected mode ----------------------------------------------------------- */

bool seg_stack_room(const struct seg *s, uint64_t sp, unsigned bytes)
{
    uint64_t mask = (s->attr & SEG_ATTR_DB) ? 0xffffffffULL : 0xffffULL;
    uint64_t low = (sp - bytes) & mask, high = (sp - 1) & mask;
    if (low > high)
        return false;
    if (!(s->attr & SEG_ATTR_CODE) && (s->attr & SEG_ATTR_DC))
        return low > s->limit;
    return high <= s->limit;
}

void tss_stack(struct cpu *cpu, unsigned new_cpl, uint32_t ext, struct seg *ss, uint64_t *esp)
{
    bool tss32 = (cpu->tr.attr & SEG_ATTR_TYPE & ~0x2u) == DESC_TYPE_TSS;
    uint16_t sel;
    if (tss32) {
        *esp = tss_read_field(cpu, TSS32_ESP0 + 8 * new_cpl, 4, ext);
        sel = (uint16_t)tss_read_field(cpu, TSS32_ESP0 + 8 * new_cpl + 4, 2, ext);
    } else {
        *esp = tss_read_field(cpu, TSS16_SP0 + 4 * new_cpl, 2, ext);
        sel = (uint16_t)tss_read_field(cpu, TSS16_SP0 + 4 * new_cpl + 2, 2, ext);
    }
    uint32_t err = (sel & 0xfffc) | ext;
    uint64_t d[2];
    if ((sel & 0xfffc) == 0)
        cpu_fault_why(cpu, EXC_TS, ext, FC_TSS_SS, sel);
    if (!seg_fetch_descriptor(cpu, sel, false, d) || (sel & SEL_RPL) != new_cpl)
        cpu_fault_why(cpu, EXC_TS, err, FC_TSS_SS, sel);
    uint16_t attr = desc_attr(d[0]);
    bool writable = (attr & SEG_ATTR_S) && !(attr & SEG_ATTR_CODE) && (attr & SEG_ATTR_RW);
    if ((unsigned)((attr & SEG_ATTR_DPL) >> SEG_ATTR_DPL_SHIFT) != new_cpl || !writable)
        cpu_fault_desc(cpu, EXC_TS, err, FC_TSS_SS, sel, d[0]);
    if (!(attr & SEG_ATTR_P))
        cpu_fault_desc(cpu, EXC_SS, err, FC_NOT_PRESENT, sel, d[0]);
    *ss = (struct seg){desc_base(d[0]), desc_limit(d[0]), sel, attr};
}

struct pm_frame {
    struct seg ss;      // the stack the frame goes on
    uint64_t sp;        // its stack pointer before the pushes
    unsigned width;     // 2 or 4
    uint64_t slot[6];   // values in push order
    unsigned n;
};

static void pm_push_frame(struct cpu *cpu, const struct pm_frame *f, bool user)
{
    uint64_t mask = (f->ss.attr & SEG_ATTR_DB) ? 0xffffffffULL : 0xffffULL;
    for (unsigned i = 0; i < f->n; i++) {
        uint64_t off = (f->sp - f->width * (i + 1)) & mask;
        frame_write(cpu, (f->ss.base + off) & 0xffffffffULL, f->width, f->slot[i], user);
    }
}

/* An IDT task gate: a task switch (EFLAGS come from the new TSS, nothing
 * is cleared), then the error code, if any, on the new task's stack. */
static void deliver_task_gate(struct cpu *cpu, const struct event *ev, uint64_t gate)
{
    unsigned w = task_through_gate(cpu, gate, TASK_INT, ev->rip, event_ext(ev));
    cpu->halted = false;
    if (ev->error == EXC_NO_ERROR)
        return;
    const struct seg *ss = &cpu->seg[SEG_SS];
    uint64_t mask = (ss->attr & SEG_ATTR_DB) ? 0xffffffffULL : 0xffffULL;
    uint64_t sp = cpu->gpr[RSP] & mask;
    if (!seg_stack_room(ss, sp, w))
        cpu_fault_why(cpu, EXC_SS, event_ext(ev), FC_STACK_LIMIT, sp);
    sys_write(cpu, (ss->base + ((sp - w) & mask)) & 0xffffffffULL, w, ev->error);
    cpu->gpr[RSP] = (cpu->gpr[RSP] & ~mask) | ((sp - w) & mask);
}

static void deliver_protected(struct cpu *cpu, const struct event *ev)
{
    unsigned v = ev->vector;
    if (v * 8 + 7 > cpu->idtr.limit)
        idt_fault(cpu, EXC_GP, ev, FC_IDT_LIMIT, 0, 0);
    uint64_t gate = sys_read(cpu, cpu->idtr.base + v * 8, 8);
    unsigned type = (gate >> GATE_TYPE_SHIFT) & 0xf;
    bool is32 = type == DESC_TYPE_INT || type == DESC_TYPE_TRAP;
    check_gate(cpu, ev, gate, 0,
               is32 || type == DESC_TYPE_INT16 || type == DESC_TYPE_TRAP16 ||
                   type == DESC_TYPE_TASK);
    if (type == DESC_TYPE_TASK) {
        deliver_task_gate(cpu, ev, gate);
        return;
    }
    uint16_t sel = (uint16_t)(gate >> 16);
    uint64_t target = (gate & 0xffff) | ((gate >> 32) & 0xffff0000ULL);
    uint64_t desc[2];
    unsigned new_cpl = gate_code_segment(cpu, sel, ev, desc);
    bool outer = new_cpl < cpu->cpl;
    struct pm_frame f = {.ss = cpu->seg[SEG_SS], .sp = cpu->gpr[RSP], .width = is32 ? 4 : 2};
    if (outer) {
        tss_stack(cpu, new_cpl, event_ext(ev), &f.ss, &f.sp);
        f.slot[f.n++] = cpu->seg[SEG_SS].sel;
        f.slot[f.n++] = cpu->gpr[RSP];
    }
    f.slot[f.n++] = frame_rflags(cpu, ev);
    f.slot[f.n++] = cpu->seg[SEG_CS].sel;
    f.slot[f.n++] = ev->rip;
    if (ev->error != EXC_NO_ERROR)
        f.slot[f.n++] = ev->error;
    uint32_t ss_err = outer ? (f.ss.sel & 0xfffc) | event_ext(ev) : event_ext(ev);
    if (!seg_stack_room(&f.ss, f.sp, f.n * f.width))
        cpu_fault_why(cpu, EXC_SS, ss_err, FC_STACK_LIMIT, f.sp);
    if (!is32)
        target &= 0xffff;
    if (target > desc_limit(desc[0]))
        cpu_fault_why(cpu, EXC_GP, event_ext(ev), FC_SEG_LIMIT, target);
    pm_push_frame(cpu, &f, new_cpl == 3);

    if (outer)
        cpu_set_seg(cpu, SEG_SS, (uint16_t)((f.ss.sel & 0xfffc) | new_cpl), f.ss.base,
                    f.ss.limit, f.ss.attr);
    cpu_set_seg(cpu, SEG_CS, (uint16_t)((sel & 0xfffc) | new_cpl), desc_base(desc[0]),
                desc_limit(desc[0]), desc_attr(desc[0]));
    cpu_set_cpl(cpu, new_cpl);
    uint64_t mask = (f.ss.attr & SEG_ATTR_DB) ? 0xffffffffULL : 0xffffULL;
    uint64_t sp = (f.sp - f.width * f.n) & mask;
    cpu->gpr[RSP] = mask == 0xffff ? (cpu->gpr[RSP] & ~0xffffULL) | sp : sp;
    cpu->rip = target;
    cpu_update_mode(cpu);
    finish(cpu, type == DESC_TYPE_INT || type == DESC_TYPE_INT16);
}

/* ---- real-address mode ---------------------------------------------------------- */

static void deliver_real(struct cpu *cpu, const struct event *ev)
{
    unsigned v = ev->vector;
    if (v * 4 + 3 > cpu->idtr.limit)
        cpu_fault_why(cpu, EXC_GP, 0, FC_IDT_LIMIT, v);
    uint32_t ivt = (uint32_t)sys_read(cpu, cpu->idtr.base + v * 4, 4);
    const struct seg *ss = &cpu->seg[SEG_SS];
    uint16_t sp = (uint16_t)cpu->gpr[RSP];
    if (!seg_stack_room(ss, sp, 6))
        cpu_fault_why(cpu, EXC_SS, 0, FC_STACK_LIMIT, sp);
    sys_write(cpu, ss->base + (uint16_t)(sp - 2), 2, cpu_get_rflags(cpu));
    sys_write(cpu, ss->base + (uint16_t)(sp - 4), 2, cpu->seg[SEG_CS].sel);
    sys_write(cpu, ss->base + (uint16_t)(sp - 6), 2, ev->rip);
    reg_write(cpu, RSP, 2, (uint16_t)(sp - 6));
    uint16_t cs = (uint16_t)(ivt >> 16);
    cpu_set_seg(cpu, SEG_CS, cs, (uint64_t)cs << 4, cpu->seg[SEG_CS].limit,
                cpu->seg[SEG_CS].attr);
    cpu->rip = ivt & 0xffff;
    uint64_t f = cpu_get_rflags(cpu) & ~(RFLAGS_IF | RFLAGS_TF | RFLAGS_AC | RFLAGS_RF);
    cpu_set_rflags(cpu, f);
    cpu->halted = false;
}

void deliver_event(struct cpu *cpu, const struct event *ev)
{
    if (!cpu_protected(cpu))
        deliver_real(cpu, ev);
    else if (cpu->efer & EFER_LMA)
        deliver_long(cpu, ev);
    else
        deliver_protected(cpu, ev);
}
