/* The REPL's hook subscriptions (include/emu/hooks.h) and what it does with
 * each event: count deliveries (they are part of the position), record
 * them into the current step, test stop conditions while running, print
 * them when tracing. Only the kinds the moment needs are subscribed, so a
 * `continue` with no breakpoints runs at full speed. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "repl_int.h"

#define KIND(k) (1u << (k))
#define ALWAYS  (KIND(EMU_EV_EXCEPTION) | KIND(EMU_EV_INTERRUPT))
#define STEP_KINDS                                                                                 \
    (KIND(EMU_EV_MEM_WRITE) | KIND(EMU_EV_PORT_IO) | KIND(EMU_EV_MMIO) | KIND(EMU_EV_IRET) |       \
     KIND(EMU_EV_SYSCALL_ENTRY) | KIND(EMU_EV_PAGE_FAULT) | KIND(EMU_EV_MSR_WRITE) |               \
     KIND(EMU_EV_HLT) | KIND(EMU_EV_WAKE))
#define TRACE_KINDS                                                                                \
    (KIND(EMU_EV_SYSCALL_ENTRY) | KIND(EMU_EV_SYSCALL_EXIT) | KIND(EMU_EV_PAGE_FAULT) |            \
     KIND(EMU_EV_CR3_SWITCH) | KIND(EMU_EV_IRET))

static uint32_t wanted_kinds(const struct repl *r)
{
    uint32_t k = ALWAYS;
    if (r->phase == PHASE_STEP) k |= STEP_KINDS;
    if (r->phase == PHASE_RUN) {
        if (breaks_any(r, BK_ADDR)) k |= KIND(EMU_EV_INSN);
        if (breaks_any(r, BK_SYSCALL)) k |= KIND(EMU_EV_SYSCALL_ENTRY);
        if (breaks_any(r, BK_CR3)) k |= KIND(EMU_EV_CR3_SWITCH);
        for (int i = 0; i < REPL_MAX_BREAKS; i++) {
            const struct breakpoint *b = &r->bps[i];
            if (b->id && b->kind == BK_WATCH)
                k |= ((b->rw & WATCH_R) ? KIND(EMU_EV_MEM_READ) : 0) |
                     ((b->rw & WATCH_W) ? KIND(EMU_EV_MEM_WRITE) : 0);
        }
        if (r->trace && !r->quiet) k |= TRACE_KINDS;
    }
    return k;
}

void repl_sync_hooks(struct repl *r)
{
    uint32_t want = wanted_kinds(r);
    for (unsigned k = 0; k < EMU_EV_COUNT; k++) {
        bool have = r->hook_ids[k] > 0, need = (want & KIND(k)) != 0;
        if (have && !need) {
            emu_hook_remove(r->m, r->hook_ids[k]);
            r->hook_ids[k] = 0;
        } else if (!have && need) {
            emu_hook_id id = emu_hook_add(r->m, (emu_event_kind)k, repl_on_event, r);
            r->hook_ids[k] = id > 0 ? id : 0;
        }
    }
}

static void record(struct step_record *rec, const emu_event *ev)
{
    if (ev->kind == EMU_EV_MEM_WRITE) {
        struct mem_write *last = rec->nwrites ? &rec->writes[rec->nwrites - 1] : NULL;
        if (last && last->size == ev->u.mem.size && last->implicit == ev->u.mem.implicit &&
            ev->u.mem.addr == last->addr + (uint64_t)last->size * last->count) {
            last->count++; /* the next element of a string operation */
            return;
        }
        if (rec->nwrites == STEP_MAX_WRITES) {
            rec->dropped_writes++;
            return;
        }
        rec->writes[rec->nwrites++] =
            (struct mem_write){ev->u.mem.addr, ev->u.mem.old_value, ev->u.mem.value,
                               ev->u.mem.size, ev->u.mem.implicit,  1};
        return;
    }
    if (rec->nevents == STEP_MAX_EVENTS) {
        rec->dropped_events++;
        return;
    }
    rec->events[rec->nevents++] = *ev;
}

static void hit(struct repl *r, struct breakpoint *b, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void hit(struct repl *r, struct breakpoint *b, const char *fmt, ...)
{
    if (b) b->hits++;
    if (!r->stop_hit) {
        r->stop_hit = true;
        r->stop.bp_id = b && !b->temporary ? b->id : 0;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->stop.why, sizeof(r->stop.why), fmt, ap);
        va_end(ap);
    }
    emu_machine_request_stop(r->m);
}

/* Execution arrived at rip (after an instruction or a delivery). */
static void arrived(struct repl *r, uint64_t rip)
{
    struct breakpoint *b = breaks_find_addr(r, rip);
    if (!b || (b->frame_rsp && r->m->cpu->gpr[RSP] <= b->frame_rsp)) return;
    char where[160];
    repl_format_addr(r, rip, false, where, sizeof(where));
    if (b->temporary)
        hit(r, b, "reached %s", where);
    else
        hit(r, b, "breakpoint %d, %s", b->id, where);
}

static bool overlaps(const struct breakpoint *b, uint64_t addr, unsigned size)
{
    return addr < b->addr + b->len && b->addr < addr + size;
}

static void check_watch(struct repl *r, const emu_event *ev)
{
    bool write = ev->kind == EMU_EV_MEM_WRITE;
    for (int i = 0; i < REPL_MAX_BREAKS; i++) {
        struct breakpoint *b = &r->bps[i];
        if (!b->id || b->kind != BK_WATCH || !(b->rw & (write ? WATCH_W : WATCH_R)) ||
            !overlaps(b, ev->u.mem.addr, ev->u.mem.size))
            continue;
        if (write)
            hit(r, b, "watchpoint %d: %u-byte write at %#llx: %#llx -> %#llx (by %#llx)", b->id,
                ev->u.mem.size, (unsigned long long)ev->u.mem.addr,
                (unsigned long long)ev->u.mem.old_value, (unsigned long long)ev->u.mem.value,
                (unsigned long long)ev->rip);
        else
            hit(r, b, "watchpoint %d: %u-byte read at %#llx = %#llx (by %#llx)", b->id,
                ev->u.mem.size, (unsigned long long)ev->u.mem.addr,
                (unsigned long long)ev->u.mem.value, (unsigned long long)ev->rip);
    }
}

static void check_delivery(struct repl *r, const emu_event *ev)
{
    unsigned v = ev->u.intr.vector;
    for (int i = 0; i < REPL_MAX_BREAKS; i++) {
        struct breakpoint *b = &r->bps[i];
        bool exc = ev->kind == EMU_EV_EXCEPTION && v < 32 && !ev->u.intr.software;
        bool vec = b->kind == BK_VECTOR && b->nr == v && (!b->user_only || ev->cpl == 3);
        bool pf = b->kind == BK_PAGEFAULT && exc && v == EXC_PF &&
                  (!b->has_nr || (ev->u.intr.cr2 >> PAGE_SHIFT) == (b->addr >> PAGE_SHIFT));
        if (b->id && (vec || pf || (b->kind == BK_EXCEPTION && exc)))
            hit(r, b, "catchpoint %d: %s delivered (from CPL %u)", b->id, repl_vector_name(v),
                ev->cpl);
    }
    arrived(r, ev->u.intr.handler);
}

static void check_stop(struct repl *r, const emu_event *ev)
{
    switch (ev->kind) {
    case EMU_EV_INSN: arrived(r, r->m->cpu->rip); break;
    case EMU_EV_EXCEPTION:
    case EMU_EV_INTERRUPT: check_delivery(r, ev); break;
    case EMU_EV_MEM_READ:
    case EMU_EV_MEM_WRITE: check_watch(r, ev); break;
    case EMU_EV_SYSCALL_ENTRY:
        for (int i = 0; i < REPL_MAX_BREAKS; i++) {
            struct breakpoint *b = &r->bps[i];
            if (b->id && b->kind == BK_SYSCALL && (!b->has_nr || b->nr == ev->u.sys.nr))
                hit(r, b, "catchpoint %d: system call %llu (%s) from %#llx", b->id,
                    (unsigned long long)ev->u.sys.nr, repl_syscall_name(ev->u.sys.nr),
                    (unsigned long long)ev->rip);
        }
        break;
    case EMU_EV_CR3_SWITCH:
        for (int i = 0; i < REPL_MAX_BREAKS; i++) {
            struct breakpoint *b = &r->bps[i];
            if (b->id && b->kind == BK_CR3)
                hit(r, b, "catchpoint %d: CR3 %#llx -> %#llx (address space switch)", b->id,
                    (unsigned long long)ev->u.reg.old_value,
                    (unsigned long long)ev->u.reg.new_value);
        }
        break;
    default: break;
    }
}

static void trace_event(struct repl *r, const emu_event *ev)
{
    if (ev->kind == EMU_EV_INSN || ev->kind == EMU_EV_MEM_READ || ev->kind == EMU_EV_MEM_WRITE)
        return;
    char line[256];
    repl_format_event(r, ev, line, sizeof(line));
    repl_printf(r, "[trace] %s\n", line);
}

void repl_on_event(void *ctx, const emu_event *ev)
{
    struct repl *r = ctx;
    if (ev->kind == EMU_EV_EXCEPTION || ev->kind == EMU_EV_INTERRUPT) {
        r->deliveries++;
        if (r->stop_on_delivery) emu_machine_request_stop(r->m);
    }
    if (r->phase == PHASE_STEP && r->rec) {
        record(r->rec, ev);
        return;
    }
    if (r->phase != PHASE_RUN) return;
    check_stop(r, ev);
    if (r->trace && !r->quiet) trace_event(r, ev);
}
