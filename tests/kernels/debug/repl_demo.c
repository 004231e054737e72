/* repl-demo: a small kernel for emu repl's golden transcripts and for the
 * tour in docs/repl.md, until the bundled kernel takes over. In order it:
 *   1. splits the first 2 MiB into 4 KiB pages: a user code page, a user
 *      stack page (no-execute), a supervisor-only page and a hole;
 *   2. loads a TSS whose RSP0 is the stack for interrupts from ring 3;
 *   3. enables SYSCALL (EFER.SCE, STAR, LSTAR, FMASK);
 *   4. starts the PIT at 1 kHz on IRQ 0, vector 0x20, through the 8259;
 *   5. enters ring 3 with IRETQ. The user program writes a line with the
 *      write system call, spins until the timer has interrupted it, then
 *      reads the supervisor-only page: the #PF ends the run.
 * It prints nothing that depends on time, so QEMU prints the same. */
#include "../dev/devlib.h"

#define PTE_P 0x1ULL
#define PTE_W 0x2ULL
#define PTE_U 0x4ULL
#define PTE_NX (1ULL << 63)
#define PAGE 4096
#define MSR_EFER 0xC0000080
#define MSR_STAR 0xC0000081
#define MSR_LSTAR 0xC0000082
#define MSR_FMASK 0xC0000084
#define EFER_SCE 1ULL
#define RFLAGS_TF 0x100ULL
#define RFLAGS_IF 0x200ULL
#define RFLAGS_DF 0x400ULL
#define STAR_SYSRET_BASE 0x20 /* SYSRET: CS = 0x20 + 16 = 0x30, SS = 0x20 + 8 = 0x28 */
#define PIT_1KHZ 1193
#define SYS_WRITE 1
#define VEC_TIMER 0x20
#define VEC_PF 14

extern uint64_t boot_pml4[512], boot_pdpt[512], boot_pd[4 * 512];
extern char user_text[], user_stack[], user_stack_top[];
extern void syscall_entry(void);
extern void enter_user(void *rip, void *rsp); /* IRETQ to ring 3 with IF=1 */

__attribute__((aligned(PAGE))) static uint64_t low_pt[512]; /* 0 .. 2 MiB, 4 KiB pages */
__attribute__((aligned(PAGE))) volatile uint64_t secret_page[512] = {0x5ec2e7};
__attribute__((aligned(PAGE))) char hole_page[PAGE];
__attribute__((aligned(16))) static char kstack[4 * PAGE]; /* TSS.RSP0 */
static volatile unsigned ticks;

static uint64_t page_of(const void *p)
{
    return (uint64_t)(uintptr_t)p & ~(uint64_t)(PAGE - 1);
}

/* Step 1: the low 2 MiB in 4 KiB pages, user pages marked U. */
static void map_pages(void)
{
    for (uint64_t i = 0; i < 512; i++)
        low_pt[i] = i * PAGE | PTE_P | PTE_W;
    low_pt[page_of(user_text) / PAGE] = page_of(user_text) | PTE_P | PTE_U;
    low_pt[page_of(user_stack) / PAGE] = page_of(user_stack) | PTE_P | PTE_W | PTE_U | PTE_NX;
    low_pt[page_of(hole_page) / PAGE] = 0;
    boot_pd[0] = (uint64_t)(uintptr_t)low_pt | PTE_P | PTE_W | PTE_U;
    boot_pdpt[0] |= PTE_U;
    boot_pml4[0] |= PTE_U;
    WRITE_CR(3, READ_CR(3));
}

/* The system calls: write(fd, buf, len) and nothing else. */
uint64_t k_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2);
uint64_t k_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    if (nr != SYS_WRITE || a0 != 1)
        return (uint64_t)-38; /* -ENOSYS */
    const char *s = (const char *)(uintptr_t)a1;
    for (uint64_t i = 0; i < a2; i++)
        kputc(s[i]);
    return a2;
}

static void trap(struct trap_frame *f)
{
    if (f->vector == VEC_TIMER) {
        ticks++;
        outb(PIC1_CMD, PIC_EOI);
        return;
    }
    if (f->vector == VEC_PF && (f->cs & 3) == 3) {
        kprintf("user page fault: CR2=0x%lx error 0x%lx at rip 0x%lx\n",
                (unsigned long)READ_CR(2), (unsigned long)f->error, (unsigned long)f->rip);
        exit(0);
    }
    trap_default(f);
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    map_pages();
    tss.rsp[0] = (uint64_t)(uintptr_t)(kstack + sizeof(kstack));
    tss_load();
    idt_init();
    trap_handler = trap;
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    wrmsr(MSR_STAR, ((uint64_t)STAR_SYSRET_BASE << 48) | ((uint64_t)SEL_KCODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
    wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF);
    pic_remap(PIC_VEC1, PIC_VEC2, 0x01);
    pic_mask(0xFE, 0xFF);
    pit_program(0, 2, PIT_1KHZ);
    kprintf("repl-demo: entering ring 3\n");
    enter_user(user_text, user_stack_top);
    return 1; /* not reached */
}
