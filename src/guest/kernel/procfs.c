/* /proc: read-only text snapshots of kernel state, made at open() (the
 * shell's ps, interrupts and meminfo read these). */
#include "cpu.h"
#include "errno.h"
#include "file.h"
#include "fmt.h"
#include "intr.h"
#include "page.h"
#include "printk.h"
#include "proc.h"
#include "slab.h"
#include "str.h"
#include "traps.h"
#include "uaccess.h"

#define PROC_BUF_SIZE 16384

struct text {
    char *buf;
    u64 len;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, PROC_BUF_SIZE - t->len, fmt, ap);
    va_end(ap);
    t->len = MIN(t->len + (u64)n, (u64)PROC_BUF_SIZE - 1);
}

static void task_line(const struct task *p, void *arg)
{
    add(arg, "%5d %5d %s %4d %12lu %10lu %6lu %6lu %6lu %s\n", p->pid,
        p->parent ? p->parent->pid : 0, task_state_name(p->state), p->nice, p->vruntime / 1000,
        p->sum_exec / 1000, p->nvcsw, p->nivcsw, p->minflt, p->comm);
}

static void gen_tasks(struct text *t)
{
    add(t, "  PID  PPID S NICE VRUNTIME(us)    CPU(us)  NVCSW NIVCSW MINFLT COMMAND\n");
    for_each_task(task_line, t);
}

static void gen_interrupts(struct text *t)
{
    struct cpu *c = this_cpu();
    add(t, "vector      count  name\n");
    for (unsigned v = 0; v < NVECTORS; v++)
        if (c->irq_count[v]) add(t, "  %#04x %10lu  %s\n", v, c->irq_count[v], vector_name(v));
    add(t, "  -    %10lu  SYSCALL instruction\n", c->syscall_count);
    for (int s = 0; s < NR_SOFTIRQS; s++)
        add(t, "  -    %10lu  softirq %s\n", softirq_count(s), softirq_name(s));
    add(t, "  -    %10lu  context switches\n", c->context_switches);
}

static void gen_meminfo(struct text *t)
{
    struct meminfo mi;
    meminfo_get(&mi);
    add(t, "MemTotal:   %8lu kB\nMemFree:    %8lu kB\n", mi.total_pages * 4, mi.free_pages * 4);
    add(t, "PageFaults: %8lu\nCowFaults:  %8lu\n", this_cpu()->pf_count, this_cpu()->cow_count);
    add(t, "Buddy free blocks by order (4K .. 4M):");
    for (int o = 0; o <= MAX_ORDER; o++)
        add(t, " %lu", mi.free_blocks[o]);
    add(t, "\n");
}

static void slab_line(const struct kmem_cache *c, void *arg)
{
    add(arg, "%-16s %8lu %8lu %6u %6u\n", c->name, c->active, c->slabs * c->per_slab, c->size,
        c->per_slab);
}

static void gen_slabinfo(struct text *t)
{
    add(t, "cache            active    total   size  /slab\n");
    slab_for_each(slab_line, t);
}

static void gen_kmsg(struct text *t)
{
    t->len = printk_read_log(t->buf, PROC_BUF_SIZE - 1);
}

static const struct {
    const char *path;
    void (*generate)(struct text *t);
} proc_files[] = {
    {"/proc/tasks", gen_tasks},     {"/proc/interrupts", gen_interrupts},
    {"/proc/meminfo", gen_meminfo}, {"/proc/slabinfo", gen_slabinfo},
    {"/proc/kmsg", gen_kmsg},
};

static long proc_read(struct file *f, char *ubuf, u64 n)
{
    u64 len = MIN(n, f->size - f->pos);
    if (copy_to_user(ubuf, f->data + f->pos, len)) return -EFAULT;
    f->pos += len;
    return (long)len;
}

static void proc_release(struct file *f)
{
    kfree(f->data);
    kfree(f);
}

static const struct file_ops proc_ops = {.read = proc_read, .release = proc_release};

struct file *procfs_open(const char *path)
{
    for (u64 i = 0; i < ARRAY_SIZE(proc_files); i++) {
        if (strcmp(path, proc_files[i].path) != 0) continue;
        struct file *f = kmalloc(sizeof(*f));
        struct text t = {kmalloc(PROC_BUF_SIZE), 0};
        if (!f || !t.buf) {
            kfree(f);
            kfree(t.buf);
            return NULL;
        }
        proc_files[i].generate(&t);
        *f = (struct file){.ops = &proc_ops, .refs = 1, .data = t.buf, .size = t.len};
        return f;
    }
    return NULL;
}
