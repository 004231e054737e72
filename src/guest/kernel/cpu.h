/* Per-CPU state, reached through the GS base (as Linux's this_cpu_*): in
 * the kernel, GS.base points at this CPU's struct cpu; in user mode it holds
 * the user's value and SWAPGS exchanges the two at every kernel entry and
 * exit. This kernel runs on one CPU, but keeps the per-CPU shape. */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H

/* Offsets used by assembly (checked against the struct in gdt.c). */
#define CPU_SELF     0
#define CPU_USER_RSP 8
#define CPU_CURRENT  16
#define CPU_TSS      24
#define TSS_RSP0     4
#define CPU_TSS_RSP0 (CPU_TSS + TSS_RSP0)

#define IST_DF   1 /* interrupt stack for double faults */
#define IST_NMI  2 /* interrupt stack for NMIs */
#define NVECTORS 256

#ifndef __ASSEMBLER__
#include "mmu.h"
#include "types.h"

struct task;

/* The 64-bit task-state segment (SDM Vol. 3A, 8.7): in long mode it holds
 * no task state, only the stacks the CPU switches to. */
struct tss {
    u32 reserved0;
    u64 rsp0;       // stack for interrupts and INT 0x80 from ring 3: the current task's
    u64 rsp1, rsp2; // unused (rings 1, 2)
    u64 reserved1;
    u64 ist[7]; // IST1..IST7 (ist[0] is IST1): known-good stacks for #DF and NMI
    u64 reserved2;
    u16 reserved3;
    u16 iomap_base; // beyond the limit: no I/O permission bitmap, ring 3 gets no ports
} PACKED;

struct cpu {
    struct cpu *self;        // %gs:0, so C can find this struct (this_cpu)
    u64 user_rsp;            // %gs:8, user RSP parked here by syscall_entry
    struct task *current;    // %gs:16, the running task (swtch sets it)
    struct tss tss;          // %gs:24; syscall_entry takes its kernel RSP from tss.rsp0
    u64 gdt[NSEGS];          // this CPU's GDT (gdt.c)
    int irq_depth;           // nested hardware-interrupt handlers running now
    bool in_softirq;         // the bottom half is running
    bool need_resched;       // schedule() at the next chance (interrupt/syscall exit, idle)
    u32 softirq_pending;     // bit n: softirq n raised (softirq.c)
    u64 irq_count[NVECTORS]; // entries per IDT vector (shell: interrupts)
    u64 syscall_count;       // entries through the SYSCALL instruction
    u64 ticks;               // LAPIC timer interrupts since boot
    u64 pf_count;            // page faults handled
    u64 cow_count;           // of which copy-on-write
    u64 context_switches;
};

static inline struct cpu *this_cpu(void)
{
    struct cpu *c;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(c));
    return c;
}

static inline struct task *current_task(void)
{
    return this_cpu()->current;
}

/* Builds and loads the GDT and TSS, points GS.base at this CPU's struct cpu. */
void gdt_init(void);

/* Sets TSS.rsp0 (and with it SYSCALL's kernel stack). */
void tss_set_rsp0(u64 rsp0);
#endif

#endif
