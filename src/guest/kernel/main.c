/* kmain: the boot sequence, from entry.S to the first user process. Each
 * stage prints a line of the boot log (printk timestamps come from the TSC
 * once time_init has calibrated it; before that they read 0). */
#include "bootinfo.h"
#include "console.h"
#include "cpu.h"
#include "intr.h"
#include "mm.h"
#include "mmu.h"
#include "page.h"
#include "printk.h"
#include "proc.h"
#include "sched.h"
#include "slab.h"
#include "syscall.h"
#include "time.h"
#include "traps.h"
#include "uart.h"
#include "version.h"
#include "vm.h"
#include "x86.h"

#define KBD_IRQ 1

/* The idle task: runs when nothing else is runnable. It stops the periodic
 * tick (the next timer deadline, if any, gets a one-shot interrupt), halts
 * the CPU with interrupts enabled (STI;HLT leaves no window for a wake-up to
 * be missed) and switches away as soon as an interrupt made someone
 * runnable. */
static NORETURN void cpu_idle(void)
{
    for (;;) {
        cli();
        if (this_cpu()->need_resched || sched_nr_running() > 0) {
            tick_nohz_idle_exit();
            schedule();
        } else {
            tick_nohz_idle_enter();
            sti_hlt();
        }
    }
}

/* The `crash` command-line flag: an oops on purpose, to see one. */
static __attribute__((noinline)) void crash_on_purpose(void)
{
    printk("crash: writing to address 0 as the command line asked\n");
    *(volatile int *)0 = 1;
}

static void enable_pcid(void)
{
    if (!cpu_has.pcid) return;
    write_cr4(read_cr4() | CR4_PCIDE); /* allowed: CR3[11:0] is 0 (the kernel's PCID) */
    printk("PCID: enabled, a context switch keeps the TLB\n");
}

static void start_devices(void)
{
    pic_init();
    printk("PIC: 8259A pair remapped to %#x-%#x and masked\n", VEC_PIC_BASE, VEC_PIC_BASE + 15);
    lapic_init();
    ioapic_init();
    time_init();
    ioapic_route(COM1_IRQ, VEC_COM1);
    uart_enable_rx_irq();
    if (kbd_init()) ioapic_route(KBD_IRQ, VEC_KEYBOARD);
}

void kmain(u32 magic, u64 info_pa);
void kmain(u32 magic, u64 info_pa)
{
    static struct boot_info bi;
    clock_boot();
    uart_init();
    printk("%s version %s %s\n", KERNEL_NAME, KERNEL_RELEASE, KERNEL_VERSION);
    bootinfo_parse(magic, info_pa, &bi);
    cpu_features_init();
    gdt_init(); /* before vm_init: the boot GDT is only mapped by the identity map */
    idt_init();
    printk("GDT: kernel/user code and data, 64-bit TSS (RSP0, IST1 #DF, IST2 NMI); IDT loaded\n");
    buddy_init(&bi);
    vm_init(&bi);
    buddy_init_late(&bi);
    console_init_vga();
    enable_pcid();
    slab_init();
    fault_set_explain(bi.pf_explain);
    start_devices();
    syscall_init();
    printk("syscall: SYSCALL/SYSRET via LSTAR, INT 0x80 via a DPL-3 gate\n");
    proc_init();
    if (bi.crash) crash_on_purpose();
    printk("Run /init as init process\n");
    proc_start_init(bi.init_argv);
    cpu_idle();
}
