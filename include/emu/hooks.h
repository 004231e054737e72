/**
 * @file hooks.h
 * @brief Subscribe to what the machine does: instructions, memory accesses,
 *        exceptions and interrupts, system calls, control-register and MSR
 *        writes, address-space switches, TLB activity, page walks and faults,
 *        port and MMIO accesses, HLT and wake-up.
 *
 * A callback receives an ::emu_event that it must not keep: copy what you
 * need. Callbacks run on the emulator's thread, between or inside
 * instructions; they may read machine state through the emu.h functions but
 * must not run, step or destroy the machine. With no hook installed for an
 * event kind, producing that event costs nothing measurable (DESIGN.md §3).
 */
#ifndef EMU_HOOKS_H
#define EMU_HOOKS_H

#include <stdbool.h>
#include <stdint.h>

#include "emu.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Event kinds. */
typedef enum emu_event_kind {
    EMU_EV_INSN,           /**< an instruction retired (u.insn) */
    EMU_EV_MEM_READ,       /**< a data read by the CPU (u.mem) */
    EMU_EV_MEM_WRITE,      /**< a data write by the CPU (u.mem) */
    EMU_EV_EXCEPTION,      /**< an exception was delivered through the IDT (u.intr) */
    EMU_EV_INTERRUPT,      /**< an external interrupt or NMI was delivered (u.intr) */
    EMU_EV_IRET,           /**< IRET/IRETD/IRETQ completed (u.ret) */
    EMU_EV_SYSCALL_ENTRY,  /**< SYSCALL, SYSENTER or INT 0x80 executed (u.sys) */
    EMU_EV_SYSCALL_EXIT,   /**< the matching return to user mode (u.sys) */
    EMU_EV_CR_WRITE,       /**< MOV to CR0/CR2/CR3/CR4/CR8, CLTS, LMSW (u.reg) */
    EMU_EV_MSR_WRITE,      /**< WRMSR that succeeded (u.reg) */
    EMU_EV_CR3_SWITCH,     /**< CR3 changed: an address-space switch (u.reg) */
    EMU_EV_TLB,            /**< TLB hit/miss/fill/evict/flush (u.tlb) */
    EMU_EV_PAGE_WALK,      /**< one step of a page walk (u.walk) */
    EMU_EV_PAGE_FAULT,     /**< a #PF was raised (u.pf), before delivery */
    EMU_EV_PORT_IO,        /**< IN/OUT/INS/OUTS reached the bus (u.io) */
    EMU_EV_MMIO,           /**< a CPU access reached a device in physical memory (u.io) */
    EMU_EV_HLT,            /**< HLT: the CPU waits for an interrupt */
    EMU_EV_WAKE,           /**< a halted CPU resumed (u.intr.vector is what woke it) */
    EMU_EV_IRQ_RAISE,      /**< a device asserted an interrupt line (u.irq); rip/cpl: the CPU's now */
    EMU_EV_COUNT
} emu_event_kind;

/** Where an external interrupt came from. */
typedef enum emu_irq_source {
    EMU_IRQ_UNKNOWN,
    EMU_IRQ_PIC,          /**< 8259A line (pin = IRQ 0..15) */
    EMU_IRQ_IOAPIC,       /**< I/O APIC input (pin = GSI) */
    EMU_IRQ_LAPIC_TIMER,  /**< the local APIC timer */
    EMU_IRQ_LAPIC_LINT,   /**< LINT0/LINT1 (pin = 0/1) */
    EMU_IRQ_LAPIC_ERROR,  /**< the local APIC error interrupt */
    EMU_IRQ_IPI,          /**< an inter-processor (or self) interrupt */
    EMU_IRQ_NMI,          /**< NMI */
    EMU_IRQ_ISA,          /**< EMU_EV_IRQ_RAISE: an ISA interrupt line (pin = IRQ 0..15) */
} emu_irq_source;

/** How a system call was made. */
typedef enum emu_syscall_via {
    EMU_SYSCALL_SYSCALL,
    EMU_SYSCALL_SYSENTER,
    EMU_SYSCALL_INT80,
} emu_syscall_via;

/** TLB activity. */
typedef enum emu_tlb_op {
    EMU_TLB_HIT,
    EMU_TLB_MISS,
    EMU_TLB_FILL,
    EMU_TLB_EVICT,
    EMU_TLB_FLUSH,
} emu_tlb_op;

/** Why TLB entries were flushed (emu_event.u.tlb.cause). */
typedef enum emu_tlb_cause {
    EMU_TLB_CAUSE_NONE,
    EMU_TLB_CAUSE_CR3,       /**< MOV to CR3 */
    EMU_TLB_CAUSE_CR4,       /**< MOV to CR4 (PGE/PCIDE/...) */
    EMU_TLB_CAUSE_CR0,       /**< paging turned on or off, WP changed */
    EMU_TLB_CAUSE_EFER,      /**< NXE/LMA changed */
    EMU_TLB_CAUSE_INVLPG,
    EMU_TLB_CAUSE_INVPCID,
    EMU_TLB_CAUSE_RESET,
    EMU_TLB_CAUSE_PAGE_FAULT, /**< a page fault drops the entries for its address */
} emu_tlb_cause;

/** One event. Fields outside the union are valid for every kind. */
typedef struct emu_event {
    emu_event_kind kind;
    unsigned cpu;        /**< CPU number */
    uint64_t time_ns;    /**< virtual time */
    uint64_t icount;     /**< instructions retired by this CPU before the event */
    uint64_t rip;        /**< RIP of the instruction the event belongs to */
    uint8_t cpl;         /**< CPL when the event happened */
    union {
        struct {
            uint8_t len;                /**< instruction length */
        } insn;
        struct {
            uint64_t addr;              /**< linear address */
            uint64_t value;             /**< value read or written */
            uint8_t size;               /**< bytes */
            bool implicit;              /**< descriptor table, TSS or interrupt frame */
            uint64_t old_value;         /**< EMU_EV_MEM_WRITE: the RAM bytes it replaced */
        } mem;
        struct {
            uint8_t vector;
            bool has_error;
            uint32_t error;
            uint64_t cr2;               /**< for #PF */
            uint8_t cpl_to;             /**< CPL of the handler */
            uint16_t gate_selector;     /**< the gate's code segment */
            uint8_t gate_type;          /**< 0xE interrupt gate, 0xF trap gate, ... */
            uint8_t ist;                /**< IST index used (0: none) */
            bool stack_switch;          /**< a new stack was loaded */
            uint64_t handler;           /**< the handler's RIP */
            uint64_t rsp_to;            /**< RSP after the frame was pushed */
            emu_irq_source source;      /**< EMU_EV_INTERRUPT: who raised it */
            int pin;                    /**< line, pin or GSI for that source */
            bool software;              /**< INT n, INT3, INTO */
        } intr;
        struct {
            uint8_t cpl_to;
            uint64_t rip_to;
            uint64_t rsp_to;
        } ret;
        struct {
            emu_syscall_via via;
            uint64_t nr;                /**< RAX at entry */
            uint64_t args[6];           /**< by the ABI of the calling mode */
            uint64_t ret;               /**< RAX at exit (EMU_EV_SYSCALL_EXIT) */
            uint64_t cr3;               /**< the caller's address space (at exit: the one
                                             the call returned to, new after execve) */
            uint64_t entry_icount;      /**< at exit: icount of the matching entry */
            uint64_t entry_time_ns;     /**< at exit: virtual time of the entry */
        } sys;
        struct {
            uint32_t reg;               /**< CR number, or MSR index */
            uint64_t old_value, new_value;
        } reg;
        struct {
            emu_tlb_op op;
            emu_tlb_cause cause;
            uint64_t lin;               /**< linear address (hit, miss, fill; INVLPG's
                                             address; the page of an eviction; 0 for a
                                             whole flush) */
            uint64_t pa;                /**< physical base of the page (hit, fill, evict) */
            uint16_t pcid;
            bool instruction;           /**< the ITLB (else the DTLB) */
            bool global;
            uint64_t page_size;         /**< bytes (hit, fill, evict) */
            uint64_t count;             /**< entries dropped (flush) */
        } tlb;
        struct {
            uint64_t lin;
            int level;                  /**< 4 = PML4 ... 1 = PT */
            uint64_t entry_addr;        /**< physical address of the entry */
            uint64_t entry;             /**< its value */
        } walk;
        struct {
            uint64_t lin;               /**< the faulting address (CR2) */
            uint32_t error;             /**< the #PF error code */
        } pf;
        struct {
            emu_irq_source source;      /**< where the request entered the interrupt system */
            int pin;                    /**< ISA IRQ, GSI, LINT pin; -1 for the rest */
            int vector;                 /**< the vector it will be delivered as, if known; else -1 */
        } irq;
        struct {
            uint64_t addr;              /**< port number or physical address */
            uint64_t value;
            uint8_t size;
            bool write;
            const char *device;         /**< the device claiming it, or NULL */
        } io;
    } u;
} emu_event;

/** A subscriber. */
typedef void (*emu_hook_fn)(void *ctx, const emu_event *ev);

/** Handle of a subscription (positive); negative values are errors. */
typedef int emu_hook_id;

/**
 * Subscribes fn to events of `kind`. Returns the subscription's id, or a
 * negative value (EMU_ERR_ARG: bad kind; EMU_ERR_NOMEM) negated.
 */
emu_hook_id emu_hook_add(emu_machine *m, emu_event_kind kind, emu_hook_fn fn, void *ctx);

/**
 * Subscribes fn to events of `kind` whose address lies in [lo, hi]: the RIP
 * for EMU_EV_INSN, the linear address for EMU_EV_MEM_*, the port or physical
 * address for EMU_EV_PORT_IO/EMU_EV_MMIO, the linear address for the rest
 * of the address-carrying kinds.
 */
emu_hook_id emu_hook_add_range(emu_machine *m, emu_event_kind kind, uint64_t lo, uint64_t hi,
                               emu_hook_fn fn, void *ctx);

/** Cancels a subscription. */
emu_status emu_hook_remove(emu_machine *m, emu_hook_id id);

/** A short name of an event kind ("syscall-entry"), or NULL. */
const char *emu_event_kind_name(emu_event_kind kind);

/**
 * Names the task running on `cpu` now; 0 means "unknown". Called when a
 * system call enters and at each return to user mode (see
 * emu_hook_set_task_key): it may read guest memory with emu_virt_read.
 */
typedef uint64_t (*emu_task_key_fn)(void *ctx, unsigned cpu);

/**
 * Chooses how EMU_EV_SYSCALL_ENTRY is paired with EMU_EV_SYSCALL_EXIT. By
 * default an exit is the next return to user mode (SYSRET, SYSEXIT, IRET to
 * CPL 3) in the entry's address space (CR3 without PCID bits). With a key
 * function, it is the next return to user mode of the task with the same
 * nonzero key (the address space still decides when the key is 0): this
 * pairs execve, whose caller comes back in a new address space, and keeps
 * threads that share one apart. NULL restores the default. A new entry for
 * a task or space whose previous call never returned (exit) replaces it.
 */
emu_status emu_hook_set_task_key(emu_machine *m, emu_task_key_fn fn, void *ctx);

/** The Linux x86_64 name of system call `nr` ("write" for 1), or NULL. */
const char *emu_syscall_name(uint64_t nr);

/** The architectural name of an MSR ("IA32_EFER"), or NULL if emu has none. */
const char *emu_msr_name(uint32_t msr);

#ifdef __cplusplus
}
#endif

#endif
