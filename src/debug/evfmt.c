/* Events in one line each, for step reports and `trace on`. This is the
 * REPL's own minimal formatter until src/trace provides `emu trace`'s; the
 * REPL reaches it only through repl_format_event, so swapping it is local. */
#include <string.h>

#include "repl_int.h"

static const char *const exception_names[32] = {
    [EXC_DE] = "#DE divide error",
    [EXC_DB] = "#DB debug",
    [EXC_NMI] = "NMI",
    [EXC_BP] = "#BP breakpoint",
    [EXC_OF] = "#OF overflow",
    [EXC_BR] = "#BR bound range",
    [EXC_UD] = "#UD invalid opcode",
    [EXC_NM] = "#NM device not available",
    [EXC_DF] = "#DF double fault",
    [EXC_TS] = "#TS invalid TSS",
    [EXC_NP] = "#NP segment not present",
    [EXC_SS] = "#SS stack fault",
    [EXC_GP] = "#GP general protection",
    [EXC_PF] = "#PF page fault",
    [EXC_MF] = "#MF x87 error",
    [EXC_AC] = "#AC alignment check",
    [EXC_MC] = "#MC machine check",
    [EXC_XM] = "#XM SIMD exception",
    [EXC_VE] = "#VE virtualization exception",
    [EXC_CP] = "#CP control protection",
};

const char *repl_vector_name(unsigned v)
{
    static _Thread_local char buf[32];
    if (v < 32 && exception_names[v]) return exception_names[v];
    snprintf(buf, sizeof(buf), v < 32 ? "vector %#x (reserved)" : "vector %#x", v);
    return buf;
}

/* Linux x86_64 numbers (arch/x86/entry/syscalls/syscall_64.tbl), the calls
 * the bundled kernel implements and the common ones around them. */
static const char *const syscall_names[] = {
    [0] = "read",    [1] = "write",     [2] = "open",         [3] = "close",        [9] = "mmap",
    [11] = "munmap", [12] = "brk",      [24] = "sched_yield", [35] = "nanosleep",   [39] = "getpid",
    [57] = "fork",   [59] = "execve",   [60] = "exit",        [61] = "wait4",       [62] = "kill",
    [63] = "uname",  [110] = "getppid", [158] = "arch_prctl", [231] = "exit_group",
};

#define NSYSCALLS (sizeof(syscall_names) / sizeof(syscall_names[0]))

const char *repl_syscall_name(uint64_t nr)
{
    return nr < NSYSCALLS && syscall_names[nr] ? syscall_names[nr] : "?";
}

bool repl_syscall_number(const char *name, uint64_t *nr)
{
    for (size_t i = 0; i < NSYSCALLS; i++)
        if (syscall_names[i] && !strcmp(syscall_names[i], name)) {
            *nr = i;
            return true;
        }
    return false;
}

/* The #PF error code in words (SDM Vol. 3 §4.7). */
void repl_pf_words(uint32_t e, char *buf, size_t n)
{
    snprintf(buf, n, "%s, %s, %s%s", (e & PF_P) ? "protection violation" : "not-present page",
             (e & PF_I)   ? "instruction fetch"
             : (e & PF_W) ? "write"
                          : "read",
             (e & PF_U) ? "user" : "supervisor", (e & PF_RSVD) ? ", reserved bit set" : "");
}

/* " from the PIC, IRQ 0" for an external interrupt whose source is known. */
static void source_words(const emu_event *ev, char *buf, size_t n)
{
    static const char *const names[] = {
        [EMU_IRQ_PIC] = "the 8259 PIC, IRQ",
        [EMU_IRQ_IOAPIC] = "the I/O APIC, pin",
        [EMU_IRQ_LAPIC_TIMER] = "the local APIC timer",
        [EMU_IRQ_LAPIC_LINT] = "the local APIC, LINT",
        [EMU_IRQ_LAPIC_ERROR] = "the local APIC error",
        [EMU_IRQ_IPI] = "an IPI",
        [EMU_IRQ_NMI] = "NMI",
    };
    buf[0] = '\0';
    unsigned s = ev->u.intr.source;
    if (ev->kind != EMU_EV_INTERRUPT || s == EMU_IRQ_UNKNOWN || s >= sizeof(names) / sizeof(*names))
        return;
    if (ev->u.intr.pin >= 0 && (s == EMU_IRQ_PIC || s == EMU_IRQ_IOAPIC || s == EMU_IRQ_LAPIC_LINT))
        snprintf(buf, n, " from %s %d", names[s], ev->u.intr.pin);
    else
        snprintf(buf, n, " from %s", names[s]);
}

static void fmt_delivery(const struct repl *r, const emu_event *ev, char *buf, size_t n)
{
    char handler[160], detail[128] = "";
    repl_format_addr(r, ev->u.intr.handler, false, handler, sizeof(handler));
    if (ev->u.intr.vector == EXC_PF && ev->kind == EMU_EV_EXCEPTION) {
        char words[96];
        repl_pf_words(ev->u.intr.error, words, sizeof(words));
        snprintf(detail, sizeof(detail), " CR2=%#llx (%s)", (unsigned long long)ev->u.intr.cr2,
                 words);
    }
    const char *what = ev->kind == EMU_EV_INTERRUPT ? "interrupt"
                       : ev->u.intr.software        ? "software interrupt"
                                                    : "exception";
    char from[64];
    source_words(ev, from, sizeof(from));
    int len = snprintf(buf, n, "%s %s%s", what, repl_vector_name(ev->u.intr.vector), from);
    if (ev->u.intr.has_error && len >= 0 && (size_t)len < n)
        len += snprintf(buf + len, n - (size_t)len, " error %#x", ev->u.intr.error);
    if (len >= 0 && (size_t)len < n)
        snprintf(buf + len, n - (size_t)len, "%s; CPL %u -> %u%s, handler %s", detail, ev->cpl,
                 ev->u.intr.cpl_to, ev->u.intr.stack_switch ? ", new stack" : "", handler);
}

void repl_format_event(const struct repl *r, const emu_event *ev, char *buf, size_t n)
{
    char where[160];
    switch (ev->kind) {
    case EMU_EV_EXCEPTION:
    case EMU_EV_INTERRUPT: fmt_delivery(r, ev, buf, n); return;
    case EMU_EV_IRET:
        repl_format_addr(r, ev->u.ret.rip_to, false, where, sizeof(where));
        snprintf(buf, n, "iret: CPL %u -> %u, to %s, RSP=%#llx", ev->cpl, ev->u.ret.cpl_to, where,
                 (unsigned long long)ev->u.ret.rsp_to);
        return;
    case EMU_EV_SYSCALL_ENTRY:
        snprintf(buf, n, "system call %llu (%s) entered via %s, args %#llx %#llx %#llx",
                 (unsigned long long)ev->u.sys.nr, repl_syscall_name(ev->u.sys.nr),
                 ev->u.sys.via == EMU_SYSCALL_SYSCALL    ? "SYSCALL"
                 : ev->u.sys.via == EMU_SYSCALL_SYSENTER ? "SYSENTER"
                                                         : "INT 0x80",
                 (unsigned long long)ev->u.sys.args[0], (unsigned long long)ev->u.sys.args[1],
                 (unsigned long long)ev->u.sys.args[2]);
        return;
    case EMU_EV_SYSCALL_EXIT:
        snprintf(buf, n, "system call %llu (%s) returned %#llx", (unsigned long long)ev->u.sys.nr,
                 repl_syscall_name(ev->u.sys.nr), (unsigned long long)ev->u.sys.ret);
        return;
    case EMU_EV_CR3_SWITCH:
        snprintf(buf, n, "CR3 %#llx -> %#llx (address space switch)",
                 (unsigned long long)ev->u.reg.old_value, (unsigned long long)ev->u.reg.new_value);
        return;
    case EMU_EV_MSR_WRITE: {
        const char *name = cpu_msr_name(ev->u.reg.reg);
        snprintf(buf, n, "wrmsr %s (%#x) <- %#llx", name ? name : "?", ev->u.reg.reg,
                 (unsigned long long)ev->u.reg.new_value);
        return;
    }
    case EMU_EV_PAGE_FAULT: {
        char words[96];
        repl_pf_words(ev->u.pf.error, words, sizeof(words));
        snprintf(buf, n, "page fault at %#llx: %s (error %#x)", (unsigned long long)ev->u.pf.lin,
                 words, ev->u.pf.error);
        return;
    }
    case EMU_EV_PORT_IO:
    case EMU_EV_MMIO:
        snprintf(buf, n, "%s %s %#llx%s%s%s %s %#llx", ev->kind == EMU_EV_PORT_IO ? "port" : "mmio",
                 ev->u.io.write ? "write" : "read", (unsigned long long)ev->u.io.addr,
                 ev->u.io.device ? " (" : "", ev->u.io.device ? ev->u.io.device : "",
                 ev->u.io.device ? ")" : "", ev->u.io.write ? "<-" : "->",
                 (unsigned long long)ev->u.io.value);
        return;
    case EMU_EV_HLT: snprintf(buf, n, "hlt: the CPU waits for an interrupt"); return;
    case EMU_EV_WAKE:
        snprintf(buf, n, "the CPU wakes up for %s", repl_vector_name(ev->u.intr.vector));
        return;
    default: {
        const char *name = emu_event_kind_name(ev->kind);
        snprintf(buf, n, "%s event at %#llx", name ? name : "?", (unsigned long long)ev->rip);
        return;
    }
    }
}
