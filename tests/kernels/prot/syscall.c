/* Ring 3 and back, every way issue 4 names: IRETQ into ring 3; SYSCALL
 * (SYSRETQ back, and SYSRETL into compatibility mode); INT 0x80 from 64-bit
 * and compatibility mode (IRETQ back); SYSENTER from 64-bit mode (SYSEXITQ)
 * and from compatibility mode (SYSEXITL). The kernel prints what it sees on
 * each entry: selectors, CPL, the saved return address and flags, the user
 * stack, the SWAPGS'd GS base. */
#include "user.h"

extern char user_main[], user_after_syscall[], user_after_int80[], user_after_sysenter64[];
extern char user_after_sysenter32[], user_after_int80_32[], user32b[], user_after_int80_last[];
void syscall_entry(void);
void sysenter_entry(void);
uint64_t k_syscall(struct sysregs *r);
uint64_t k_sysenter(struct sysregs *r);

#define PERCPU_MAGIC 0x4b65726e656c4753ULL

static struct {
    uint64_t magic;
    uint64_t user_rsp;
    uint64_t kstack_top;
} percpu;

static uint8_t user_stack[8192] __attribute__((aligned(16)));
static uint8_t kstack[16384] __attribute__((aligned(16)));
static uint8_t sysenter_stack[16384] __attribute__((aligned(16)));
#define USER_TOP ((uint64_t)(uintptr_t)(user_stack + sizeof(user_stack)))

static const char *where(uint64_t rip)
{
    static const struct {
        const char *name;
        const char *at;
    } labels[] = {
        {"user_after_syscall", user_after_syscall},
        {"user_after_int80", user_after_int80},
        {"user_after_sysenter64", user_after_sysenter64},
        {"user_after_sysenter32", user_after_sysenter32},
        {"user_after_int80_32", user_after_int80_32},
        {"user32b", user32b},
        {"user_after_int80_last", user_after_int80_last},
    };
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        if ((uint64_t)(uintptr_t)labels[i].at == rip)
            return labels[i].name;
    return "?";
}

static uint64_t cpl(void)
{
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return cs & 3;
}

static uint64_t rflags(void)
{
    uint64_t f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f));
    return f;
}

/* SYSCALL entry (after SWAPGS). Returns 0 for SYSRETQ, 1 for SYSRETL. */
uint64_t k_syscall(struct sysregs *r)
{
    uint64_t gs0;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(gs0));
    kprintf("syscall %lu arg %lx: cs %lx ss %lx cpl %lu, rcx %s, r11 %lx, user rsp top-%lx\n",
            r->rax, r->rdi, r->cs, r->ss, cpl(), where(r->rcx), r->r11,
            USER_TOP - r->user_rsp);
    kprintf("  kernel rflags IF %lu DF %lu; gs:0 %s; GS_BASE %s; KERNEL_GS_BASE %lx\n",
            (rflags() >> 9) & 1, (rflags() >> 10) & 1, gs0 == PERCPU_MAGIC ? "percpu" : "?",
            rdmsr(MSR_GS_BASE) == (uint64_t)(uintptr_t)&percpu ? "percpu" : "?",
            rdmsr(MSR_KERNEL_GS_BASE));
    if (r->rax == 6) {
        r->rcx = (uint64_t)(uintptr_t)user32b;
        return 1;
    }
    return 0;
}

/* SYSENTER entry. Returns 0 for SYSEXITL, 1 for SYSEXITQ. */
uint64_t k_sysenter(struct sysregs *r)
{
    kprintf("sysenter %lu arg %lx: cs %lx ss %lx cpl %lu, return %s, user rsp top-%lx, "
            "rflags IF %lu\n",
            r->rax, r->rdi & 0xffffffff, r->cs, r->ss, cpl(), where(r->rdx),
            USER_TOP - r->user_rsp, (rflags() >> 9) & 1);
    return r->rax == 3;
}

static void on_trap(struct trap_frame *f)
{
    if (f->vector != 0x80)
        trap_default(f);
    kprintf("int 0x80 %lu arg %lx: frame cs %lx ss %lx rip %s rflags %lx rsp top-%lx; cpl %lu\n",
            f->rax, f->rdi & 0xffffffff, f->cs, f->ss, where(f->rip), f->rflags & ~0x10000UL,
            USER_TOP - f->rsp, cpl());
    if (f->rax == 7)
        exit(0x21);
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    user_pages();
    sysenter_gdt();
    tss.rsp[0] = (uint64_t)(uintptr_t)(kstack + sizeof(kstack));
    tss_load();
    idt_init();
    idt_set(0x80, NULL, GATE_INT, 3, 0);
    trap_handler = on_trap;
    percpu.magic = PERCPU_MAGIC;
    percpu.kstack_top = (uint64_t)(uintptr_t)(kstack + sizeof(kstack));
    wrmsr(MSR_KERNEL_GS_BASE, (uint64_t)(uintptr_t)&percpu);
    wrmsr(MSR_GS_BASE, 0);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    wrmsr(MSR_STAR, ((uint64_t)SEL_UCODE32 << 48) | ((uint64_t)SEL_KCODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
    wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC);
    wrmsr(MSR_SYSENTER_CS, SEL_SE_KCODE);
    wrmsr(MSR_SYSENTER_ESP, (uint64_t)(uintptr_t)(sysenter_stack + sizeof(sysenter_stack)));
    wrmsr(MSR_SYSENTER_EIP, (uint64_t)(uintptr_t)sysenter_entry);
    kprintf("STAR %lx SYSENTER_CS %lx, entering ring 3\n", rdmsr(MSR_STAR),
            rdmsr(MSR_SYSENTER_CS));
    enter_user((void (*)(void))user_main, user_stack + sizeof(user_stack));
    return 0x7e;
}
