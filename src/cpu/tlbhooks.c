/* TLB and page-walk hook events (include/emu/hooks.h) from the MMU's
 * observer (src/mmu/events.h). The observer is installed only while a hook
 * for EMU_EV_TLB or EMU_EV_PAGE_WALK is, so it costs nothing otherwise;
 * while it is, the fast path is bypassed and every hit is reported (a block
 * entered through a chained link counts its ITLB hit without an event).
 * Page faults are reported by exception delivery (cpu_ev_page_fault). */
#include "events.h"

static const emu_tlb_op tlb_ops[] = {
    [MMU_TLB_HIT] = EMU_TLB_HIT,     [MMU_TLB_MISS] = EMU_TLB_MISS,   [MMU_TLB_FILL] = EMU_TLB_FILL,
    [MMU_TLB_EVICT] = EMU_TLB_EVICT, [MMU_TLB_FLUSH] = EMU_TLB_FLUSH,
};

static const emu_tlb_cause tlb_causes[EMU_TLB_FLUSH_CAUSES] = {
    [EMU_TLB_FLUSH_MOV_CR3] = EMU_TLB_CAUSE_CR3,
    [EMU_TLB_FLUSH_MOV_CR3_NOFLUSH] = EMU_TLB_CAUSE_CR3,
    [EMU_TLB_FLUSH_CR4_PGE] = EMU_TLB_CAUSE_CR4,
    [EMU_TLB_FLUSH_CR4_PCIDE] = EMU_TLB_CAUSE_CR4,
    [EMU_TLB_FLUSH_CR4_PAE_SMEP] = EMU_TLB_CAUSE_CR4,
    [EMU_TLB_FLUSH_CR0_PG] = EMU_TLB_CAUSE_CR0,
    [EMU_TLB_FLUSH_INVLPG] = EMU_TLB_CAUSE_INVLPG,
    [EMU_TLB_FLUSH_INVPCID_ADDRESS] = EMU_TLB_CAUSE_INVPCID,
    [EMU_TLB_FLUSH_INVPCID_CONTEXT] = EMU_TLB_CAUSE_INVPCID,
    [EMU_TLB_FLUSH_INVPCID_ALL_GLOBAL] = EMU_TLB_CAUSE_INVPCID,
    [EMU_TLB_FLUSH_INVPCID_ALL] = EMU_TLB_CAUSE_INVPCID,
    [EMU_TLB_FLUSH_PAGE_FAULT] = EMU_TLB_CAUSE_PAGE_FAULT,
};

static emu_event event_here(const struct cpu *cpu, emu_event_kind kind)
{
    emu_event ev = {0};
    ev.kind = kind;
    ev.rip = cpu->rip;
    ev.cpl = cpu->cpl;
    return ev;
}

static void on_tlb(void *ctx, const struct mmu_tlb_event *t)
{
    struct cpu *cpu = ctx;
    emu_event ev = event_here(cpu, EMU_EV_TLB);
    ev.u.tlb.op = tlb_ops[t->kind];
    ev.u.tlb.cause = t->kind == MMU_TLB_FLUSH && t->cause < EMU_TLB_FLUSH_CAUSES
                         ? tlb_causes[t->cause]
                         : EMU_TLB_CAUSE_NONE;
    ev.u.tlb.lin = t->lin;
    ev.u.tlb.pa = t->pa;
    ev.u.tlb.pcid = t->pcid;
    ev.u.tlb.instruction = t->tlb == TLB_ITLB;
    ev.u.tlb.global = t->global;
    ev.u.tlb.page_size = t->page_size;
    ev.u.tlb.count = t->count;
    cpu_emit(cpu, &ev);
}

static void on_walk(void *ctx, const struct mmu_walk_event *w)
{
    struct cpu *cpu = ctx;
    emu_event ev = event_here(cpu, EMU_EV_PAGE_WALK);
    ev.u.walk.lin = w->lin;
    ev.u.walk.level = w->level;
    ev.u.walk.entry_addr = w->entry_addr;
    ev.u.walk.entry = w->entry;
    cpu_emit(cpu, &ev);
}

void cpu_refresh_mmu_hooks(struct cpu *cpu)
{
    bool tlb = (cpu->hook_mask & (1u << EMU_EV_TLB)) != 0;
    bool walk = (cpu->hook_mask & (1u << EMU_EV_PAGE_WALK)) != 0;
    struct mmu *m = &cpu->mmu;
    if (!tlb && !walk) {
        if (m->obs == &m->hook_obs) mmu_set_observer(m, NULL);
        return;
    }
    m->hook_obs = (struct mmu_observer){cpu, tlb ? on_tlb : NULL, walk ? on_walk : NULL, NULL};
    mmu_set_observer(m, &m->hook_obs);
}
