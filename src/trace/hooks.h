/* The hook registry behind include/emu/hooks.h: subscribers per event kind,
 * address-range filters, and the pairing of system-call entries with the
 * return to user mode that ends them. Producers (CPU, MMU, bus) never call
 * this directly: they test a bit in their own mask and call the emit
 * callback the machine wired to hooks_dispatch. */
#ifndef EMU_TRACE_HOOKS_H
#define EMU_TRACE_HOOKS_H

#include <stdint.h>

#include "../../include/emu/hooks.h"

/* Internal kinds producers emit besides the public ones. */
enum {
    HOOK_EV_USER_RETURN = EMU_EV_COUNT, /* SYSRET/SYSEXIT/IRET to CPL 3 (u.ret, rax in u.sys.ret) */
    HOOK_EV_KINDS
};

#define HOOK_BIT(kind)   (1u << (kind))
#define HOOK_MAX         64
#define HOOK_PENDING_MAX 256

_Static_assert(HOOK_EV_KINDS <= 32, "hook masks are 32 bits");

struct hook {
    emu_hook_id id; // 0: free slot
    emu_event_kind kind;
    uint64_t lo, hi; // address filter (0..UINT64_MAX: none)
    emu_hook_fn fn;
    void *ctx;
};

/* A system call that has entered and not yet returned to user mode. */
struct pending_syscall {
    uint64_t owner; // task key, or CR3 without PCID / flag bits
    emu_event entry;
};

struct hook_registry {
    struct hook hooks[HOOK_MAX];
    int next_id;
    uint32_t mask;                           // hooks_mask(), kept current
    uint64_t insn_lo, insn_hi;               // hull of the EMU_EV_INSN ranges (lo > hi: none)
    uint8_t by_kind[EMU_EV_COUNT][HOOK_MAX]; // slots per kind, in subscription order
    uint8_t nby_kind[EMU_EV_COUNT];
    struct pending_syscall pending[HOOK_PENDING_MAX]; // [0, npending) in use
    unsigned npending;
    emu_task_key_fn task_key; // NULL: pair by address space
    void *task_key_ctx;
};

void hooks_init(struct hook_registry *r);
emu_hook_id hooks_add(struct hook_registry *r, emu_event_kind kind, uint64_t lo, uint64_t hi,
                      emu_hook_fn fn, void *ctx);
int hooks_remove(struct hook_registry *r, emu_hook_id id);
void hooks_set_task_key(struct hook_registry *r, emu_task_key_fn fn, void *ctx);

/* The kinds producers must emit: one bit per kind (HOOK_BIT), including the
 * internal kinds that pairing needs. */
uint32_t hooks_mask(const struct hook_registry *r);

/* The smallest range holding every EMU_EV_INSN subscription's range
 * (*lo > *hi when there is none). */
void hooks_insn_range(const struct hook_registry *r, uint64_t *lo, uint64_t *hi);

/* The smallest range holding every EMU_EV_INSN subscription's range
 * (*lo > *hi when there is none). */
void hooks_insn_range(const struct hook_registry *r, uint64_t *lo, uint64_t *hi);

/* Delivers ev to its subscribers (and pairs system calls). */
void hooks_dispatch(struct hook_registry *r, emu_event *ev);

#endif
