/* Oops: the kernel's report of its own fault, in the shape of Linux's. The
 * backtrace follows the frame-pointer chain (the kernel is built with
 * -fno-omit-frame-pointer): each frame starts with the caller's RBP, then
 * the return address. */
#include "oops.h"

#include "cpu.h"
#include "kallsyms.h"
#include "mmu.h"
#include "printk.h"
#include "proc.h"
#include "traps.h"
#include "x86.h"

#define MAX_FRAMES 16

static void print_pf_error(u64 err)
{
    printk("#PF: %s %s in %s mode%s\n",
           err & X86_PF_INSTR   ? "instruction fetch"
           : err & X86_PF_WRITE ? "write"
                                : "read",
           err & X86_PF_PROT ? "hit a protection violation" : "of a not-present page",
           err & X86_PF_USER ? "user" : "kernel", err & X86_PF_RSVD ? ", reserved bit set" : "");
}

static void print_regs(const struct trapframe *tf)
{
    printk("RIP: %04lx:%016lx", tf->cs, tf->rip);
    print_symbol(" ", tf->rip);
    printk("\nRSP: %04lx:%016lx EFLAGS: %08lx\n", tf->ss, tf->rsp, tf->rflags);
    printk("RAX: %016lx RBX: %016lx RCX: %016lx\n", tf->rax, tf->rbx, tf->rcx);
    printk("RDX: %016lx RSI: %016lx RDI: %016lx\n", tf->rdx, tf->rsi, tf->rdi);
    printk("RBP: %016lx R08: %016lx R09: %016lx\n", tf->rbp, tf->r8, tf->r9);
    printk("R10: %016lx R11: %016lx R12: %016lx\n", tf->r10, tf->r11, tf->r12);
    printk("R13: %016lx R14: %016lx R15: %016lx\n", tf->r13, tf->r14, tf->r15);
    printk("CR2: %016lx CR3: %016lx CR4: %016lx\n", read_cr2(), read_cr3(), read_cr4());
}

/* Walks the RBP chain while it stays inside [lo, hi), the current stack. */
static void backtrace(u64 rbp, u64 lo, u64 hi)
{
    printk("Call Trace:\n");
    for (int i = 0; i < MAX_FRAMES; i++) {
        if (rbp < lo || rbp + 16 > hi || (rbp & 7)) break;
        const u64 *frame = (const u64 *)rbp;
        print_symbol(" ", frame[1]);
        printk("\n");
        rbp = frame[0];
    }
}

void oops(const struct trapframe *tf, u64 cr2)
{
    static bool in_oops;
    cli();
    if (in_oops) panic("fault while printing an oops");
    in_oops = true;
    unsigned v = (unsigned)tf->trapno;
    const char *name = vector_name(v);
    struct task *t = current_task();
    printk("Oops: %s (vector %u), error code %#lx\n", name ? name : "unknown", v, tf->err);
    if (v == X86_TRAP_PF) {
        printk("BUG: unable to handle page fault for address: %016lx\n", cr2);
        print_pf_error(tf->err);
    }
    printk("CPU: 0 PID: %d Comm: %s\n", t ? t->pid : -1, t ? t->comm : "?");
    print_regs(tf);
    if (t) backtrace(tf->rbp, (u64)t->kstack, t->kstack_top);
    panic("Fatal exception");
}
