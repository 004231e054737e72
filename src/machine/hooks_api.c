/* include/emu/hooks.h on the board: subscriptions go to the registry, and
 * the producers' masks follow them, so an event kind nobody watches costs
 * one untaken branch (memory events: nothing at all -- the fast path stays
 * on until someone subscribes, then every access takes the slow path). */
#include "machine.h"

static void machine_emit(void *ctx, emu_event *ev)
{
    struct machine *m = ctx;
    hooks_dispatch(&m->hooks, ev);
}

static void bus_event(struct machine *m, emu_event_kind kind, const struct bus_region *r,
                      uint64_t addr, uint64_t value, unsigned size, bool is_write)
{
    emu_event ev = {0};
    ev.kind = kind;
    ev.rip = cpu_current_rip(m->cpu);
    ev.cpl = m->cpu->cpl;
    ev.u.io.addr = addr;
    ev.u.io.value = value;
    ev.u.io.size = (uint8_t)size;
    ev.u.io.write = is_write;
    ev.u.io.device = r ? r->name : NULL;
    cpu_emit(m->cpu, &ev);
}

static void io_observer(void *ctx, const struct bus_region *r, uint64_t addr, uint64_t value,
                        unsigned size, bool is_write)
{
    bus_event(ctx, EMU_EV_PORT_IO, r, addr, value, size, is_write);
}

static void mmio_observer(void *ctx, const struct bus_region *r, uint64_t addr, uint64_t value,
                          unsigned size, bool is_write)
{
    bus_event(ctx, EMU_EV_MMIO, r, addr, value, size, is_write);
}

/* Points every producer at the registry's current mask. */
static void rehook(struct machine *m)
{
    uint32_t mask = hooks_mask(&m->hooks);
    struct cpu *cpu = m->cpu;
    cpu->hook_mask = mask;
    hooks_insn_range(&m->hooks, &cpu->insn_lo, &cpu->insn_hi);
    cpu->attention = true; /* the run loop picks its block runner between chains */
    cpu->emit = machine_emit;
    cpu->emit_ctx = m;
    cpu_refresh_fast_path(cpu); /* memory hooks (and data breakpoints) see every access */
    cpu_refresh_mmu_hooks(cpu);  /* TLB and page-walk events */
    m->io.observer = (mask & HOOK_BIT(EMU_EV_PORT_IO)) ? io_observer : NULL;
    m->io.observer_ctx = m;
    m->pm.mmio.observer = (mask & HOOK_BIT(EMU_EV_MMIO)) ? mmio_observer : NULL;
    m->pm.mmio.observer_ctx = m;
}

emu_hook_id emu_hook_add_range(emu_machine *m, emu_event_kind kind, uint64_t lo, uint64_t hi,
                               emu_hook_fn fn, void *ctx)
{
    emu_hook_id id = hooks_add(&m->hooks, kind, lo, hi, fn, ctx);
    if (id > 0)
        rehook(m);
    return id;
}

emu_hook_id emu_hook_add(emu_machine *m, emu_event_kind kind, emu_hook_fn fn, void *ctx)
{
    return emu_hook_add_range(m, kind, 0, UINT64_MAX, fn, ctx);
}

emu_status emu_hook_remove(emu_machine *m, emu_hook_id id)
{
    if (hooks_remove(&m->hooks, id) < 0)
        return EMU_ERR_ARG;
    rehook(m);
    return EMU_OK;
}

emu_status emu_hook_set_task_key(emu_machine *m, emu_task_key_fn fn, void *ctx)
{
    hooks_set_task_key(&m->hooks, fn, ctx);
    return EMU_OK;
}

const char *emu_msr_name(uint32_t msr)
{
    return cpu_msr_name(msr);
}

void machine_irq_raised(struct machine *m, emu_irq_source source, int pin, int vector)
{
    if (!(m->cpu->hook_mask & HOOK_BIT(EMU_EV_IRQ_RAISE)))
        return;
    emu_event ev = {0};
    ev.kind = EMU_EV_IRQ_RAISE;
    ev.rip = cpu_current_rip(m->cpu);
    ev.cpl = m->cpu->cpl;
    ev.u.irq.source = source;
    ev.u.irq.pin = pin;
    ev.u.irq.vector = vector;
    cpu_emit(m->cpu, &ev);
}
