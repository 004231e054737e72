#include "panel.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define EXC_NAMES       32
#define X86_PF_VECTOR   14
#define HOST_NS_PER_SEC 1e9
#define PERCENT         100.0

/* Exception mnemonics, Intel SDM Vol. 3A Table 6-1. */
static const char *const exc_name[EXC_NAMES] = {
    [0] = "#DE",  [1] = "#DB",  [2] = "NMI",  [3] = "#BP",  [4] = "#OF",  [5] = "#BR",
    [6] = "#UD",  [7] = "#NM",  [8] = "#DF",  [9] = "CSO",  [10] = "#TS", [11] = "#NP",
    [12] = "#SS", [13] = "#GP", [14] = "#PF", [16] = "#MF", [17] = "#AC", [18] = "#MC",
    [19] = "#XM", [20] = "#VE", [21] = "#CP",
};

void ui_event_label(const emu_event *ev, char *buf, size_t len)
{
    uint8_t v = ev->u.intr.vector;
    if (ev->kind == EMU_EV_EXCEPTION && v < EXC_NAMES && exc_name[v] && !ev->u.intr.software) {
        snprintf(buf, len, "%s", exc_name[v]);
        return;
    }
    if (ev->u.intr.software) {
        snprintf(buf, len, "int");
        return;
    }
    switch (ev->u.intr.source) {
    case EMU_IRQ_PIC:
    case EMU_IRQ_IOAPIC: snprintf(buf, len, "irq%d", ev->u.intr.pin); break;
    case EMU_IRQ_LAPIC_TIMER: snprintf(buf, len, "timer"); break;
    case EMU_IRQ_LAPIC_LINT: snprintf(buf, len, "lint%d", ev->u.intr.pin); break;
    case EMU_IRQ_LAPIC_ERROR: snprintf(buf, len, "apic-err"); break;
    case EMU_IRQ_IPI: snprintf(buf, len, "ipi"); break;
    case EMU_IRQ_NMI: snprintf(buf, len, "nmi"); break;
    default: snprintf(buf, len, "ext"); break;
    }
}

static void record(struct ui_panel *p, const emu_event *ev, int32_t pid)
{
    p->events[p->next_event] = *ev;
    p->event_pid[p->next_event] = pid;
    p->next_event = (p->next_event + 1) % UI_PANEL_EVENTS;
    p->nevents++;
}

static void on_delivery(void *ctx, const emu_event *ev)
{
    struct ui_panel *p = ctx;
    p->vector_count[ev->u.intr.vector]++;
    p->last_delivery[ev->u.intr.vector] = *ev;
    record(p, ev, UI_PID_UNKNOWN);
}

/* The caller is read at entry (the task may have exited by the next draw). */
static void on_syscall(void *ctx, const emu_event *ev)
{
    struct ui_panel *p = ctx;
    p->syscalls++;
    int32_t pid;
    char comm[1];
    if (!ui_task_current(&p->task, p->m, &pid, comm, sizeof(comm))) pid = UI_PID_UNKNOWN;
    record(p, ev, pid);
}

static void on_cr3(void *ctx, const emu_event *ev)
{
    record(ctx, ev, UI_PID_UNKNOWN);
}

/* A system call as `emu trace --syscalls` starts its line: "[pid 2] write",
 * the Linux x86_64 name, or the number when there is none. */
static void format_syscall(const emu_event *ev, int32_t pid, char *buf, size_t len)
{
    char who[24] = "";
    if (pid != UI_PID_UNKNOWN) snprintf(who, sizeof(who), "[pid %d] ", pid);
    const char *name = emu_syscall_name(ev->u.sys.nr);
    if (name)
        snprintf(buf, len, "%s%s", who, name);
    else
        snprintf(buf, len, "%ssyscall_%#llx", who, (unsigned long long)ev->u.sys.nr);
}

static void format_event(const emu_event *ev, int32_t pid, char *buf, size_t len)
{
    char name[16];
    switch (ev->kind) {
    case EMU_EV_SYSCALL_ENTRY: format_syscall(ev, pid, buf, len); break;
    case EMU_EV_CR3_SWITCH:
        snprintf(buf, len, "cr3 %llx", (unsigned long long)ev->u.reg.new_value);
        break;
    default:
        ui_event_label(ev, name, sizeof(name));
        if (ev->u.intr.vector == X86_PF_VECTOR && ev->kind == EMU_EV_EXCEPTION)
            snprintf(buf, len, "#PF %llx err %x cpl%u", (unsigned long long)ev->u.intr.cr2,
                     ev->u.intr.error, ev->cpl);
        else
            snprintf(buf, len, "%-5s vec %u cpl%u>%u", name, ev->u.intr.vector, ev->cpl,
                     ev->u.intr.cpl_to);
        break;
    }
}

int ui_panel_attach(struct ui_panel *p, emu_machine *m)
{
    memset(p, 0, sizeof(*p));
    p->m = m;
    p->hooks[0] = emu_hook_add(m, EMU_EV_EXCEPTION, on_delivery, p);
    p->hooks[1] = emu_hook_add(m, EMU_EV_INTERRUPT, on_delivery, p);
    p->hooks[2] = emu_hook_add(m, EMU_EV_SYSCALL_ENTRY, on_syscall, p);
    p->hooks[3] = emu_hook_add(m, EMU_EV_CR3_SWITCH, on_cr3, p);
    for (int i = 0; i < 4; i++)
        if (p->hooks[i] <= 0) return -1;
    return 0;
}

void ui_panel_set_kernel(struct ui_panel *p, const uint8_t *image, size_t size)
{
    ui_task_find_note(&p->task, image, size);
}

void ui_panel_detach(struct ui_panel *p)
{
    for (int i = 0; i < 4; i++)
        if (p->hooks[i] > 0) emu_hook_remove(p->m, p->hooks[i]);
}

void ui_panel_sample(struct ui_panel *p, uint64_t host_ns)
{
    emu_machine_status st;
    emu_machine_get_status(p->m, &st);
    if (p->rate_ns && host_ns > p->rate_ns)
        p->ips =
            (double)(st.insns - p->rate_insns) * HOST_NS_PER_SEC / (double)(host_ns - p->rate_ns);
    p->rate_insns = st.insns;
    p->rate_ns = host_ns;
}

static double hit_rate(emu_machine *m, emu_tlb_id id, uint64_t *lookups)
{
    emu_tlb_stats s;
    if (emu_cpu_get_tlb_stats(m, 0, id, &s) != EMU_OK || s.lookups == 0) {
        *lookups = 0;
        return 0;
    }
    *lookups = s.lookups;
    return PERCENT * (double)s.hits / (double)s.lookups;
}

struct text {
    char (*lines)[UI_PANEL_COLS + 1];
    int rows, n;
};

static void line(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void line(struct text *t, const char *fmt, ...)
{
    if (t->n >= t->rows) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->lines[t->n++], UI_PANEL_COLS + 1, fmt, ap);
    va_end(ap);
}

static void cpu_lines(const struct ui_panel *p, struct text *t)
{
    emu_machine_status st;
    emu_sregs sr;
    emu_machine_get_status(p->m, &st);
    emu_cpu_get_sregs(p->m, 0, &sr);
    line(t, " mode  %-13s CPL %u", st.mode, st.cpl);
    line(t, " state %-13s CR3 %llx", st.halted ? "halted" : "running", (unsigned long long)sr.cr3);
    int32_t pid;
    char comm[EMU_GUEST_NOTE_COMM_MAX + 1];
    if (ui_task_current(&p->task, p->m, &pid, comm, sizeof(comm)))
        line(t, " task  pid %d %.20s", pid, comm);
    else
        line(t, " task  %s", p->task.found ? "none" : "unknown (no guest note)");
    line(t, " insns %llu", (unsigned long long)st.insns);
    line(t, " speed %.1f MIPS", p->ips / 1e6);
    line(t, " vtime %.6f s", (double)st.time_ns / HOST_NS_PER_SEC);
    line(t, " syscalls %llu", (unsigned long long)p->syscalls);
    uint64_t il, dl;
    double ih = hit_rate(p->m, EMU_TLB_INSTRUCTION, &il), dh = hit_rate(p->m, EMU_TLB_DATA, &dl);
    if (il || dl)
        line(t, " TLB   I %.2f%%  D %.2f%%", ih, dh);
    else
        line(t, " TLB   no lookups (paging off)");
}

static void vector_lines(const struct ui_panel *p, struct text *t, int max)
{
    line(t, " vector        count");
    int shown = 0;
    for (int v = 0; v < UI_VECTORS && shown < max; v++) {
        if (!p->vector_count[v]) continue;
        char name[16];
        ui_event_label(&p->last_delivery[v], name, sizeof(name));
        line(t, " %3d %-9s %llu", v, name, (unsigned long long)p->vector_count[v]);
        shown++;
    }
    if (!shown) line(t, "  (none yet)");
}

static void event_lines(const struct ui_panel *p, struct text *t)
{
    line(t, " last events");
    uint64_t n = p->nevents < UI_PANEL_EVENTS ? p->nevents : UI_PANEL_EVENTS;
    for (uint64_t i = 0; i < n; i++) {
        unsigned slot =
            (p->next_event + UI_PANEL_EVENTS - (unsigned)n + (unsigned)i) % UI_PANEL_EVENTS;
        char text[UI_PANEL_EVENT_LEN];
        format_event(&p->events[slot], p->event_pid[slot], text, sizeof(text));
        line(t, "  %s", text);
    }
}

void ui_panel_text(const struct ui_panel *p, char (*lines)[UI_PANEL_COLS + 1], int rows)
{
    struct text t = {lines, rows, 0};
    for (int i = 0; i < rows; i++)
        lines[i][0] = '\0';
    line(&t, " emu machine panel (Ctrl-Alt-P)");
    line(&t, "%s", "");
    cpu_lines(p, &t);
    line(&t, "%s", "");
    int room = rows - t.n - 3 - UI_PANEL_EVENTS;
    vector_lines(p, &t, room > 1 ? room : 1);
    line(&t, "%s", "");
    event_lines(p, &t);
}
