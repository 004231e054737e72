/* Who is running: the task the guest note points at (its pid and name),
 * else the address space. The task a pointer names is cached until the
 * next address-space switch or execve (task_forget). */
#include <string.h>

#include "tracer_int.h"

#define PTR_SIZE 8
#define CR0_PG   (1ULL << 31)

static size_t read_virt(struct tracer *t, unsigned cpu, uint64_t lin, void *buf, size_t len)
{
    size_t done = 0;
    emu_virt_read(t->m, cpu, lin, buf, len, &done);
    return done;
}

/* Reads pid and name of the task at ptr into out. */
static bool read_task(struct tracer *t, unsigned cpu, uint64_t ptr, struct task_ref *out)
{
    const struct emu_guest_note *n = &t->elf.note;
    int32_t pid;
    if (read_virt(t, cpu, ptr + n->pid_offset, &pid, sizeof(pid)) != sizeof(pid)) return false;
    out->pid = pid;
    out->ptr = ptr;
    out->comm[0] = '\0';
    if (n->comm_offset == EMU_GUEST_NOTE_NONE) return true;
    size_t got = read_virt(t, cpu, ptr + n->comm_offset, out->comm, n->comm_size);
    out->comm[got] = '\0';
    for (size_t i = 0; out->comm[i]; i++)
        if ((unsigned char)out->comm[i] < 0x20 || (unsigned char)out->comm[i] >= 0x7f)
            out->comm[i] = '?';
    return true;
}

void task_current(struct tracer *t, unsigned cpu, uint64_t cr3, struct task_ref *out)
{
    out->pid = -1;
    out->cr3 = cr3 & CR3_ADDR_MASK;
    out->ptr = 0;
    out->comm[0] = '\0';
    const struct emu_guest_note *n = &t->elf.note;
    emu_sregs s;
    if (!t->elf.has_note || cpu >= n->ncpus || emu_cpu_get_sregs(t->m, cpu, &s) != EMU_OK ||
        !(s.cr0 & CR0_PG))
        return; /* the note's addresses are virtual: nothing to read before paging */
    uint64_t ptr = 0;
    if (read_virt(t, cpu, n->current_addr + cpu * n->current_stride, &ptr, PTR_SIZE) != PTR_SIZE ||
        !ptr)
        return;
    if (t->task_cache_valid && t->task_cache.ptr == ptr) {
        out->pid = t->task_cache.pid;
        out->ptr = ptr;
        memcpy(out->comm, t->task_cache.comm, sizeof(out->comm));
        return;
    }
    struct task_ref r = *out;
    if (!read_task(t, cpu, ptr, &r)) return;
    *out = r;
    t->task_cache = r;
    t->task_cache_valid = true;
}

uint64_t task_key(void *ctx, unsigned cpu)
{
    struct tracer *t = ctx;
    struct task_ref r;
    task_current(t, cpu, 0, &r);
    return r.pid >= 0 ? (uint64_t)(uint32_t)r.pid + 1 : 0;
}

void task_forget(struct tracer *t)
{
    t->task_cache_valid = false;
}

bool task_same(const struct task_ref *a, const struct task_ref *b)
{
    if (a->pid >= 0 || b->pid >= 0) return a->pid == b->pid && a->ptr == b->ptr;
    return a->cr3 == b->cr3;
}

void task_label(struct sbuf *b, const struct task_ref *task)
{
    if (task->pid < 0) {
        sb_puts(b, "cr3 ");
        sb_hex(b, task->cr3);
        return;
    }
    sb_puts(b, "pid ");
    sb_i64(b, task->pid);
    if (task->comm[0]) {
        sb_puts(b, " (");
        sb_puts(b, task->comm);
        sb_putc(b, ')');
    }
}

void task_prefix(struct sbuf *b, const struct task_ref *task)
{
    if (task->pid < 0) {
        sb_puts(b, "[cr3 ");
        sb_hex(b, task->cr3);
    } else {
        sb_puts(b, "[pid ");
        sb_i64(b, task->pid);
    }
    sb_puts(b, "] ");
}
