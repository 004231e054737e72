#include "hooks.h"

#include <string.h>

#define CR3_SPACE_MASK 0x000FFFFFFFFFF000ULL

static const char *const kind_names[EMU_EV_COUNT] = {
    [EMU_EV_INSN] = "insn",
    [EMU_EV_MEM_READ] = "mem-read",
    [EMU_EV_MEM_WRITE] = "mem-write",
    [EMU_EV_EXCEPTION] = "exception",
    [EMU_EV_INTERRUPT] = "interrupt",
    [EMU_EV_IRET] = "iret",
    [EMU_EV_SYSCALL_ENTRY] = "syscall-entry",
    [EMU_EV_SYSCALL_EXIT] = "syscall-exit",
    [EMU_EV_CR_WRITE] = "cr-write",
    [EMU_EV_MSR_WRITE] = "msr-write",
    [EMU_EV_CR3_SWITCH] = "cr3-switch",
    [EMU_EV_TLB] = "tlb",
    [EMU_EV_PAGE_WALK] = "page-walk",
    [EMU_EV_PAGE_FAULT] = "page-fault",
    [EMU_EV_PORT_IO] = "port-io",
    [EMU_EV_MMIO] = "mmio",
    [EMU_EV_HLT] = "hlt",
    [EMU_EV_WAKE] = "wake",
    [EMU_EV_IRQ_RAISE] = "irq-raise",
};

const char *emu_event_kind_name(emu_event_kind kind)
{
    return (unsigned)kind < EMU_EV_COUNT ? kind_names[kind] : NULL;
}

/* Rebuilds the per-kind slot lists and the producers' mask. */
static void reindex(struct hook_registry *r)
{
    memset(r->nby_kind, 0, sizeof(r->nby_kind));
    uint32_t mask = 0;
    r->insn_lo = UINT64_MAX;
    r->insn_hi = 0;
    for (int i = 0; i < HOOK_MAX; i++) {
        const struct hook *h = &r->hooks[i];
        if (!h->id) continue;
        if (h->kind == EMU_EV_INSN) {
            r->insn_lo = h->lo < r->insn_lo ? h->lo : r->insn_lo;
            r->insn_hi = h->hi > r->insn_hi ? h->hi : r->insn_hi;
        }
        r->by_kind[h->kind][r->nby_kind[h->kind]++] = (uint8_t)i;
        mask |= HOOK_BIT(h->kind);
    }
    if (mask & HOOK_BIT(EMU_EV_SYSCALL_EXIT))
        mask |= HOOK_BIT(EMU_EV_SYSCALL_ENTRY) | HOOK_BIT(HOOK_EV_USER_RETURN);
    else
        r->npending = 0;
    r->mask = mask;
}

void hooks_init(struct hook_registry *r)
{
    memset(r, 0, sizeof(*r));
    r->next_id = 1;
    r->insn_lo = UINT64_MAX;
}

emu_hook_id hooks_add(struct hook_registry *r, emu_event_kind kind, uint64_t lo, uint64_t hi,
                      emu_hook_fn fn, void *ctx)
{
    if ((unsigned)kind >= EMU_EV_COUNT || !fn || lo > hi) return -EMU_ERR_ARG;
    for (int i = 0; i < HOOK_MAX; i++) {
        if (r->hooks[i].id) continue;
        /* Slots are reused, so the order of delivery is the order of the
         * slots; subscription order within a kind holds until a removal. */
        r->hooks[i] = (struct hook){r->next_id++, kind, lo, hi, fn, ctx};
        reindex(r);
        return r->hooks[i].id;
    }
    return -EMU_ERR_NOMEM;
}

int hooks_remove(struct hook_registry *r, emu_hook_id id)
{
    for (int i = 0; i < HOOK_MAX; i++) {
        if (id > 0 && r->hooks[i].id == id) {
            r->hooks[i].id = 0;
            reindex(r);
            return 0;
        }
    }
    return -1;
}

void hooks_set_task_key(struct hook_registry *r, emu_task_key_fn fn, void *ctx)
{
    r->task_key = fn;
    r->task_key_ctx = ctx;
    r->npending = 0;
}

void hooks_insn_range(const struct hook_registry *r, uint64_t *lo, uint64_t *hi)
{
    *lo = r->insn_lo;
    *hi = r->insn_hi;
}

uint32_t hooks_mask(const struct hook_registry *r)
{
    return r->mask;
}

/* The address a range filter applies to, per kind. */
static uint64_t filter_address(const emu_event *ev)
{
    switch (ev->kind) {
    case EMU_EV_MEM_READ:
    case EMU_EV_MEM_WRITE: return ev->u.mem.addr;
    case EMU_EV_PORT_IO:
    case EMU_EV_MMIO: return ev->u.io.addr;
    case EMU_EV_TLB: return ev->u.tlb.lin;
    case EMU_EV_PAGE_WALK: return ev->u.walk.lin;
    case EMU_EV_PAGE_FAULT: return ev->u.pf.lin;
    default: return ev->rip;
    }
}

static void deliver(struct hook_registry *r, const emu_event *ev)
{
    uint64_t addr = filter_address(ev);
    unsigned n = r->nby_kind[ev->kind];
    for (unsigned i = 0; i < n; i++) {
        const struct hook *h = &r->hooks[r->by_kind[ev->kind][i]];
        if (addr >= h->lo && addr <= h->hi) h->fn(h->ctx, ev);
        if (r->nby_kind[ev->kind] != n)
            return; /* a callback removed or added a hook: the list changed */
    }
}

/* Who a system call belongs to: the task key, else the address space.
 * Keys and spaces never collide: spaces are page-aligned with bit 0 set. */
static uint64_t owner_of(struct hook_registry *r, const emu_event *ev)
{
    uint64_t key = r->task_key ? r->task_key(r->task_key_ctx, ev->cpu) : 0;
    if (key) return key << 1;
    return (ev->u.sys.cr3 & CR3_SPACE_MASK) | 1;
}

static struct pending_syscall *find_pending(struct hook_registry *r, uint64_t owner)
{
    for (unsigned i = 0; i < r->npending; i++)
        if (r->pending[i].owner == owner) return &r->pending[i];
    return NULL;
}

/* An entry replaces an unfinished one of the same owner (the kernel never
 * returned to user mode from the first: exit, a killed task). When the
 * table is full the oldest entry is forgotten. */
static void remember_entry(struct hook_registry *r, const emu_event *ev)
{
    uint64_t owner = owner_of(r, ev);
    struct pending_syscall *p = find_pending(r, owner);
    if (!p && r->npending == HOOK_PENDING_MAX) {
        memmove(&r->pending[0], &r->pending[1], (HOOK_PENDING_MAX - 1) * sizeof(r->pending[0]));
        r->npending--;
    }
    if (!p) p = &r->pending[r->npending++];
    *p = (struct pending_syscall){owner, *ev};
}

static void complete_syscall(struct hook_registry *r, const emu_event *ret)
{
    struct pending_syscall *p = find_pending(r, owner_of(r, ret));
    if (!p) return;
    emu_event exit = p->entry;
    exit.kind = EMU_EV_SYSCALL_EXIT;
    exit.time_ns = ret->time_ns;
    exit.icount = ret->icount;
    exit.rip = ret->rip;
    exit.cpl = ret->cpl;
    exit.u.sys.ret = ret->u.sys.ret;
    exit.u.sys.cr3 = ret->u.sys.cr3; /* where it returned: a new space after execve */
    exit.u.sys.entry_icount = p->entry.icount;
    exit.u.sys.entry_time_ns = p->entry.time_ns;
    *p = r->pending[--r->npending];
    deliver(r, &exit);
}

void hooks_dispatch(struct hook_registry *r, emu_event *ev)
{
    if ((unsigned)ev->kind == HOOK_EV_USER_RETURN) {
        complete_syscall(r, ev);
        return;
    }
    if (ev->kind == EMU_EV_SYSCALL_ENTRY && (r->mask & HOOK_BIT(EMU_EV_SYSCALL_EXIT)))
        remember_entry(r, ev);
    deliver(r, ev);
}
