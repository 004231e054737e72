#include "probe.h"

extern char probe_return[];
extern uint64_t probe_rsp, probe_user_stack_top;
int probe_enter(void (*fn)(void), int user);

static uint8_t kstack[16384] __attribute__((aligned(16)));
static uint8_t ist1[8192] __attribute__((aligned(16)));
static uint8_t ist2[8192] __attribute__((aligned(16)));
static uint8_t ustack[8192] __attribute__((aligned(16)));
static struct probe_result *current;

#define IN(a, p) ((p) > (uint64_t)(uintptr_t)(a) && (p) <= (uint64_t)(uintptr_t)((a) + sizeof(a)))

const char *probe_stack_name(uint64_t rsp)
{
    return IN(kstack, rsp) ? "rsp0" : IN(ist1, rsp) ? "ist1" : IN(ist2, rsp) ? "ist2" : "other";
}

/* Records the frame and sends the CPU back to probe_return in ring 0. */
static void on_trap(struct trap_frame *f)
{
    if (!current)
        trap_default(f);
    current->faulted = 1;
    current->f = *f;
    current->cr2 = f->vector == 14 ? READ_CR(2) : 0;
    current->handler_rsp = (uint64_t)(uintptr_t)f;
    f->rip = (uint64_t)(uintptr_t)probe_return;
    f->cs = SEL_KCODE;
    f->ss = SEL_KDATA;
    f->rsp = probe_rsp;
    f->rflags = 2;
}

void probe_init(void)
{
    user_pages();
    tss.rsp[0] = (uint64_t)(uintptr_t)(kstack + sizeof(kstack));
    tss.ist[0] = (uint64_t)(uintptr_t)(ist1 + sizeof(ist1));
    tss.ist[1] = (uint64_t)(uintptr_t)(ist2 + sizeof(ist2));
    tss_load();
    idt_init();
    idt_set(8, NULL, GATE_INT, 0, 1); /* #DF on its own stack */
    trap_handler = on_trap;
    probe_user_stack_top = (uint64_t)(uintptr_t)(ustack + sizeof(ustack));
}

void probe(void (*fn)(void), int user, struct probe_result *r)
{
    memset(r, 0, sizeof(*r));
    current = r;
    probe_enter(fn, user);
    current = NULL;
}

void probe_print(const char *name, void (*fn)(void), const struct probe_result *r)
{
    if (!r->faulted) {
        kprintf("%s: no exception\n", name);
        return;
    }
    const struct trap_frame *f = &r->f;
    int64_t off = (int64_t)(f->rip - (uint64_t)(uintptr_t)fn);
    kprintf("%s: vector %lu error 0x%lx ", name, f->vector, f->error);
    if (off >= 0 && off < 256)
        kprintf("rip fn+%ld", off);
    else
        kprintf("rip 0x%lx", f->rip);
    kprintf(" cs 0x%lx ss 0x%lx IF %lu stack %s", f->cs, f->ss, (f->rflags >> 9) & 1,
            probe_stack_name(r->handler_rsp));
    if (f->vector == 14)
        kprintf(" cr2 0x%lx", r->cr2);
    kputc('\n');
}
