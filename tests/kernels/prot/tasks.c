/* Hardware task switching in 32-bit protected mode: CALL to a TSS and IRET
 * back through the link (nested task), JMP to a task and JMP back, and a
 * double fault handled by a task gate on its own stack -- the classic
 * hobby-kernel #DF handler. */
#include "legacy.h"

#define SEL_TASK_A 0x30
#define SEL_TASK_B 0x38
#define SEL_TASK_DF 0x40

struct __attribute__((packed)) tss32 {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
};

static struct tss32 task_a, task_b, task_df;
static uint8_t stack_a[4096], stack_b[4096], stack_df[4096];
extern char after_call[], after_jmp[], fault_here[];
void task_a_entry(void), task_b_entry(void), task_df_entry(void), call_task_a(void);
void jmp_task_b(void), cause_double_fault(void);

static void init_task(struct tss32 *t, void (*entry)(void), uint8_t *stack, size_t size)
{
    memset(t, 0, sizeof(*t));
    t->eip = (uint32_t)(uintptr_t)entry;
    t->eflags = 2;
    t->esp = (uint32_t)(uintptr_t)(stack + size);
    t->cs = L_KCODE;
    t->ss = t->ds = t->es = t->fs = t->gs = L_KDATA;
    t->iomap_base = sizeof(*t);
}

static uint32_t tr(void)
{
    uint16_t v;
    __asm__ volatile("str %w0" : "=r"(v));
    return v;
}

static uint32_t eflags(void)
{
    uint32_t f;
    __asm__ volatile("pushfl; popl %0" : "=r"(f));
    return f;
}

static unsigned busy(uint16_t sel)
{
    return (unsigned)((lgdt[sel / 8] >> 41) & 1);
}

void task_a_body(void);
void task_a_body(void)
{
    kprintf("task A: tr 0x%x NT %u link 0x%x; busy A %u main %u; CR0.TS %u\n", tr(),
            (eflags() >> 14) & 1, task_a.link, busy(SEL_TASK_A), busy(L_TSS),
            (uint32_t)(READ_CR(0) >> 3) & 1);
}

void task_b_body(void);
void task_b_body(void)
{
    kprintf("task B: tr 0x%x NT %u link 0x%x; busy B %u main %u\n", tr(), (eflags() >> 14) & 1,
            task_b.link, busy(SEL_TASK_B), busy(L_TSS));
}

void task_df_body(uint32_t error);
void task_df_body(uint32_t error)
{
    extern struct tss32 *main_tss(void);
    kprintf("#DF task: tr 0x%x NT %u link 0x%x error 0x%x; the faulting task was at %s\n", tr(),
            (eflags() >> 14) & 1, task_df.link, error,
            main_tss()->eip == (uint32_t)(uintptr_t)fault_here ? "fault_here" : "?");
    exit(0x25);
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    legacy_init();
    init_task(&task_a, task_a_entry, stack_a, sizeof(stack_a));
    init_task(&task_b, task_b_entry, stack_b, sizeof(stack_b));
    init_task(&task_df, task_df_entry, stack_df, sizeof(stack_df));
    lgdt[SEL_TASK_A / 8] = lseg((uint32_t)(uintptr_t)&task_a, sizeof(task_a) - 1, 0x89, 0);
    lgdt[SEL_TASK_B / 8] = lseg((uint32_t)(uintptr_t)&task_b, sizeof(task_b) - 1, 0x89, 0);
    lgdt[SEL_TASK_DF / 8] = lseg((uint32_t)(uintptr_t)&task_df, sizeof(task_df) - 1, 0x89, 0);

    call_task_a();
    kprintf("back from task A: tr 0x%x NT %u; busy A %u main %u\n", tr(), (eflags() >> 14) & 1,
            busy(SEL_TASK_A), busy(L_TSS));
    jmp_task_b();
    kprintf("back from task B: tr 0x%x NT %u; busy B %u main %u\n", tr(), (eflags() >> 14) & 1,
            busy(SEL_TASK_B), busy(L_TSS));

    /* #DF through a task gate: IDT 8 names the #DF task; IDT 13 is missing */
    extern void legacy_idt_task_gate(unsigned v, uint16_t tss);
    legacy_idt_task_gate(8, SEL_TASK_DF);
    legacy_idt_clear(13);
    cause_double_fault();
    return 0x7e;
}
