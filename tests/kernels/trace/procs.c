/* The trace test kernel (procs.h): a round-robin of three user tasks, each
 * in its own address space, switched only at system calls and fatal faults.
 * System calls follow Linux x86_64 numbers and errno values; what they do is
 * deterministic (read() returns a fixed line), so the same run prints the
 * same bytes on QEMU and emu and gives the same trace every time. */
#include "procs.h"

#ifndef PROCS_NO_NOTE
#include "../../../include/emu/guest_note.h"
#endif

#define PTE_P 0x1ULL
#define PTE_W 0x2ULL
#define PTE_U 0x4ULL
#define PTE_ADDR 0x000FFFFFFFFFF000ULL
#define PAGE 4096ULL
#define PF_USER 0x4
#define VEC_BP 3
#define VEC_PF 14
#define VEC_INT80 0x80
#define SYSCALL_MARK 0x100
#define EFER_SCE 0x1ULL
#define MSR_EFER 0xC0000080
#define MSR_STAR 0xC0000081
#define MSR_LSTAR 0xC0000082
#define MSR_FMASK 0xC0000084
#define FMASK_IF_TF_DF 0x700
#define RFLAGS_FIXED 0x2
#define POOL_PAGES 48

struct task {
    struct trap_frame regs;  // user registers while not running
    uint64_t cr3;            // its PML4
    int pid;
    char comm[16];
    int alive;
    uint64_t mmap_next;      // next address mmap() hands out
};

struct aspace {
    uint64_t pml4[512], pdpt[512], pd[512], pt[512];
};

static __attribute__((aligned(4096))) struct aspace spaces[NTASKS];
static __attribute__((aligned(4096))) uint8_t pool[POOL_PAGES][PAGE];
static unsigned pool_used;
static struct task tasks[NTASKS];
struct task *current; /* the running task */
static const char *const names[NTASKS] = {"init", "worker", "crasher"};
static const char input_line[] = "line of input\n";

#ifndef PROCS_NO_NOTE
EMU_GUEST_NOTE_DEFINE(emu_note, current, struct task, pid, comm);
#endif

extern uint64_t boot_pdpt[512], boot_pd[4 * 512];
extern char kstack_top[], _end[];
void syscall_entry(void);
__attribute__((noreturn)) void enter_user(struct trap_frame *f);
void syscall_dispatch(struct trap_frame *f);

static void *page_alloc(void)
{
    if (pool_used == POOL_PAGES) {
        kprintf("[kernel] out of pages\n");
        exit(0x70);
    }
    void *p = pool[pool_used++];
    memset(p, 0, PAGE);
    return p;
}

/* The first 2 MiB (this kernel, its data and the user code) shared and
 * user-accessible; 0x200000..0x3FFFFF private (4 KiB pages in as->pt); the
 * rest of the low 4 GiB as the boot tables map it (supervisor). */
static uint64_t build_space(struct aspace *as)
{
    as->pml4[0] = (uint64_t)(uintptr_t)as->pdpt | PTE_P | PTE_W | PTE_U;
    as->pdpt[0] = (uint64_t)(uintptr_t)as->pd | PTE_P | PTE_W | PTE_U;
    for (int i = 1; i < 4; i++)
        as->pdpt[i] = boot_pdpt[i];
    for (int i = 0; i < 512; i++)
        as->pd[i] = boot_pd[i];
    as->pd[0] |= PTE_U;
    as->pd[1] = (uint64_t)(uintptr_t)as->pt | PTE_P | PTE_W | PTE_U;
    return (uint64_t)(uintptr_t)as->pml4;
}

static uint64_t *pte_of(struct task *t, uint64_t va)
{
    struct aspace *as = &spaces[t - tasks];
    return &as->pt[(va - USER_PRIVATE) / PAGE];
}

static int user_range_ok(uint64_t va, uint64_t len)
{
    if (va + len < va)
        return 0;
    if (va + len <= USER_PRIVATE)
        return 1;
    if (va < USER_PRIVATE || va + len > USER_PRIVATE_END)
        return 0;
    for (uint64_t p = va & ~(PAGE - 1); p < va + len; p += PAGE)
        if (!(*pte_of(current, p) & PTE_P))
            return 0;
    return 1;
}

static struct task *next_alive(void)
{
    int base = (int)(current - tasks);
    for (int i = 1; i <= NTASKS; i++) {
        struct task *t = &tasks[(base + i) % NTASKS];
        if (t->alive)
            return t;
    }
    return 0;
}

/* Saves the running task's registers from f, makes `next` current (the
 * pointer first, then CR3, as the guest note asks) and puts its registers in
 * f for the return to ring 3. */
static void switch_to(struct task *next, struct trap_frame *f)
{
    current->regs = *f;
    current = next;
    WRITE_CR(3, next->cr3);
    *f = next->regs;
}

static void end_task(struct trap_frame *f)
{
    current->alive = 0;
    struct task *next = next_alive();
    if (!next) {
        kprintf("[kernel] all tasks finished\n");
        exit(0);
    }
    switch_to(next, f);
}

static long sys_write(long fd, uint64_t buf, uint64_t len)
{
    if (fd != 1 && fd != 2 && fd != 3)
        return -EBADF;
    if (!user_range_ok(buf, len))
        return -EFAULT;
    if (fd != 3)
        for (uint64_t i = 0; i < len; i++)
            kputc(((const char *)(uintptr_t)buf)[i]);
    return (long)len;
}

static long sys_read(long fd, uint64_t buf, uint64_t len)
{
    if (fd != 0)
        return -EBADF;
    if (!user_range_ok(buf, len))
        return -EFAULT;
    uint64_t n = sizeof(input_line) - 1;
    if (n > len)
        n = len;
    memcpy((void *)(uintptr_t)buf, input_line, n);
    return (long)n;
}

static long sys_open(uint64_t path)
{
    static const char devnull[] = "/dev/null";
    if (!user_range_ok(path, sizeof(devnull)))
        return -EFAULT;
    return memcmp((const void *)(uintptr_t)path, devnull, sizeof(devnull)) ? -ENOENT : 3;
}

static long sys_mmap(uint64_t len)
{
    len = (len + PAGE - 1) & ~(PAGE - 1);
    if (len == 0 || current->mmap_next + len > USER_MMAP_END)
        return -ENOMEM;
    uint64_t at = current->mmap_next;
    current->mmap_next += len;
    return (long)at;
}

static long do_syscall(struct trap_frame *f)
{
    switch (f->rax) {
    case NR_read: return sys_read((long)f->rdi, f->rsi, f->rdx);
    case NR_write: return sys_write((long)f->rdi, f->rsi, f->rdx);
    case NR_open: return sys_open(f->rdi);
    case NR_close: return f->rdi == 3 ? 0 : -EBADF;
    case NR_mmap: return sys_mmap(f->rsi);
    case NR_getpid: return current->pid;
    case NR_getppid: return current->pid == 1 ? 0 : 1;
    case NR_wait4: return -ECHILD;
    case NR_sched_yield: return 0;
    default: return -ENOSYS;
    }
}

/* Called by syscall_entry (SYSCALL) and by trap() (INT 0x80). */
void syscall_dispatch(struct trap_frame *f)
{
    uint64_t nr = f->rax;
    if (nr == NR_exit_group || nr == NR_exit) {
        kprintf("[kernel] pid %d (%s) exited with %lu\n", current->pid, current->comm,
                f->rdi & 0xff);
        end_task(f);
        return;
    }
    f->rax = (uint64_t)do_syscall(f);
    struct task *next = nr == NR_sched_yield ? next_alive() : 0;
    if (next && next != current)
        switch_to(next, f);
}

static void page_fault(struct trap_frame *f)
{
    uint64_t addr = READ_CR(2);
    int demand = (f->error & PF_USER) && addr >= USER_PRIVATE && addr < USER_PRIVATE_END &&
                 ((addr >= USER_STACK_LOW && addr < USER_STACK_TOP) || addr < current->mmap_next);
    if (demand) {
        *pte_of(current, addr) = (uint64_t)(uintptr_t)page_alloc() | PTE_P | PTE_W | PTE_U;
        return;
    }
    if (!(f->error & PF_USER))
        trap_default(f);
    kprintf("[kernel] pid %d (%s): page fault at 0x%lx, rip 0x%lx: killed\n", current->pid,
            current->comm, addr, f->rip);
    end_task(f);
}

static void trap(struct trap_frame *f)
{
    if (f->vector == VEC_PF) {
        page_fault(f);
    } else if (f->vector == VEC_BP && (f->cs & 3) == 3) {
        kprintf("[kernel] pid %d: breakpoint at 0x%lx\n", current->pid, f->rip - 1);
    } else if (f->vector == VEC_INT80) {
        syscall_dispatch(f);
    } else {
        trap_default(f);
    }
}

static void task_init(struct task *t, int i)
{
    t->pid = i + 1;
    for (int c = 0; names[i][c]; c++)
        t->comm[c] = names[i][c];
    t->alive = 1;
    t->cr3 = build_space(&spaces[i]);
    t->mmap_next = USER_MMAP_BASE;
    t->regs.rip = (uint64_t)(uintptr_t)user_main;
    t->regs.cs = SEL_UCODE | 3;
    t->regs.ss = SEL_UDATA | 3;
    t->regs.rflags = RFLAGS_FIXED;
    t->regs.rsp = USER_STACK_TOP - 8; /* as after a call: user_main sees an aligned frame */
    t->regs.rdi = (uint64_t)i;
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    if ((uintptr_t)_end > USER_PRIVATE) {
        kprintf("[kernel] image too big\n");
        return 0x71;
    }
    idt_init();
    idt_set(VEC_INT80, 0, GATE_INT, 3, 0);
    idt_set(VEC_BP, 0, GATE_INT, 3, 0);
    trap_handler = trap;
    tss.rsp[0] = (uint64_t)(uintptr_t)kstack_top;
    tss_load();
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    wrmsr(MSR_STAR, ((uint64_t)SEL_UCODE32 << 48) | ((uint64_t)SEL_KCODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
    wrmsr(MSR_FMASK, FMASK_IF_TF_DF);
    for (int i = 0; i < NTASKS; i++)
        task_init(&tasks[i], i);
    kprintf("[kernel] starting %d tasks\n", NTASKS);
    current = &tasks[0];
    WRITE_CR(3, current->cr3);
    uintptr_t top = (uintptr_t)kstack_top;
    __asm__("" : "+r"(top)); /* an address, not an object GCC can bound */
    struct trap_frame *f = (struct trap_frame *)(top - sizeof(*f));
    *f = current->regs;
    enter_user(f);
}
