/* The CPU: architectural state, the decoded-block execution engine, and the
 * narrow interface through which it reaches the board (port I/O, interrupt
 * acknowledge, MSRs it forwards). It knows nothing about devices. */
#ifndef EMU_CPU_CPU_H
#define EMU_CPU_CPU_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../include/emu/hooks.h"
#include "../mmu/mmu.h"
#include "fault.h"
#include "regs.h"

struct block_cache;

/* What the CPU needs from the board. Every callback gets `opaque`. */
struct cpu_env {
    void *opaque;
    uint64_t (*io_in)(void *opaque, uint16_t port, unsigned size);
    void (*io_out)(void *opaque, uint16_t port, uint64_t value, unsigned size);
    /* INTA cycle: the vector of the highest-priority pending external interrupt,
     * or -1 if the request went away. */
    int (*intr_ack)(void *opaque);
    /* MSRs the CPU does not own (the x2APIC range, TSC_DEADLINE, APIC_BASE).
     * Return 0, or -1 for #GP. */
    int (*msr_read)(void *opaque, uint32_t msr, uint64_t *value);
    int (*msr_write)(void *opaque, uint32_t msr, uint64_t value);
    /* Current virtual time in ns, for the TSC. */
    uint64_t (*now)(void *opaque);
    /* Optional, for traces: who raised the external interrupt `vector` the
     * CPU just acknowledged (emu_irq_source) and its pin, line or GSI. */
    int (*intr_source)(void *opaque, unsigned vector, int *pin);
    /* MOV to CR8 changed the task priority (the local APIC's TPR[7:4]). */
    void (*cr8_write)(void *opaque, uint8_t cr8);
};

/* Reasons cpu_exec returns. */
enum cpu_exit {
    CPU_EXIT_BUDGET,   // executed up to the instruction budget
    CPU_EXIT_HALT,     // HLT: waiting for an interrupt
    CPU_EXIT_REQUEST,  // cpu_request_exit() was called (device, debugger)
    CPU_EXIT_SHUTDOWN, // triple fault
    CPU_EXIT_STEP,     // a single-step budget ended
    CPU_EXIT_STUCK,    // CPU_STUCK_FAULTS faults in a row, none completing an instruction
};

/* Faults delivered in a row without an instruction completing after which
 * cpu_exec gives up (CPU_EXIT_STUCK): a handler that faults before its
 * first instruction (a not-present page, a UD2) is redelivered forever on
 * real CPUs too, and neither the instruction budget nor virtual time would
 * ever move again. */
#define CPU_STUCK_FAULTS (1u << 16)

/* Bits of cpu->pending, checked between blocks. */
enum {
    CPU_PENDING_INTR = 1 << 0, // the INTR line is asserted
    CPU_PENDING_NMI = 1 << 1,
    CPU_PENDING_EXIT = 1 << 2,
    CPU_PENDING_INIT = 1 << 3,
};

/* Board-dependent features CPUID advertises. */
enum {
    CPU_FEAT_APIC = 1 << 0,
    CPU_FEAT_X2APIC = 1 << 1,
    CPU_FEAT_TSC_DEADLINE = 1 << 2,
};

/* How an event arose (struct cpu_fault_record.kind). */
enum cpu_event_kind {
    CPU_EV_FAULT,    // an exception raised by the CPU (fault, trap or abort)
    CPU_EV_SOFTWARE, // INT n, INT3, INTO
    CPU_EV_EXTERNAL, // an interrupt from outside (INTR, NMI)
};

/* What a fault path knows about why it faults (enum cpu_fault_cause). */
struct cpu_fault_why {
    uint8_t cause;
    uint64_t aux;     // selector, vector, MSR, port or address the cause names
    uint64_t desc[2]; // the descriptor or gate involved, when there is one
};

/* One recorded exception, for triple-fault forensics. */
struct cpu_fault_record {
    uint8_t vector;
    bool has_error;
    uint8_t cpl;
    uint8_t kind;     // enum cpu_event_kind
    uint8_t mode;     // enum cpu_mode when it was raised
    uint32_t error;
    uint64_t rip;     // the faulting instruction (the next one for traps)
    uint64_t cs_base;
    uint64_t cr2;
    struct cpu_fault_why why;
};

/* cpu->intr_shadow: the instruction after STI, or after MOV SS / POP SS /
 * LSS, runs with interrupts (and, after MOV SS, debug traps) held off. */
enum { CPU_SHADOW_STI = 1, CPU_SHADOW_MOV_SS = 2 };

#define CPU_FAULT_CHAIN_MAX 6
#define CPU_RECENT_BLOCKS 16

/* A block the CPU started, for the forensics report's instruction history:
 * the instructions it retired are those decoded from `lin` up to the next
 * entry's icount. */
struct cpu_recent_block {
    uint64_t rip;     // first instruction
    uint64_t cs_base; // CS base then (the linear address is cs_base + rip)
    uint64_t icount;  // instructions retired before it ran
    uint8_t mode;     // enum cpu_mode it was decoded for
};

struct cpu {
    /* General state. gpr[16] is always zero (a base/index of "none") and
     * gpr[17] mirrors next_rip (RIP-relative addressing). */
    uint64_t gpr[18];
    uint64_t rip;        // start of the current instruction
    uint64_t rflags;     // all bits; the arithmetic ones are stale while lf.op != LF_NONE
    struct lazy_flags lf;
    struct seg seg[SEG_COUNT];
    uint64_t segbase[SEG_COUNT]; // effective bases for addressing (0 in 64-bit mode except FS/GS)
    struct seg ldtr, tr;
    struct dtable gdtr, idtr;
    uint64_t cr0, cr2, cr3, cr4, cr8, efer, xcr0;
    uint64_t dr[8];
    struct cpu_msrs msr;
    struct simd_state simd;   // XMM/MMX registers, MXCSR
    uint8_t cpl;
    uint8_t mode;         // enum cpu_mode
    uint8_t stack_size;   // 2, 4 or 8: width of the stack pointer
    uint8_t seg_checks;   // legacy segmentation: limit/type checks on
    uint8_t mmu_idx;      // MMU_IDX_SUP / MMU_IDX_USER for data accesses

    /* Execution engine. */
    uint64_t icount;      // retired instructions
    uint32_t pending;     // CPU_PENDING_*
    bool attention;       // service events at the next block boundary (see exec.c)
    bool halted;
    uint8_t intr_shadow;  // STI / MOV SS: interrupts inhibited after the next instruction
    bool nmi_blocked;     // between NMI delivery and IRET
    /* DR7 decoded (debugreg.c): DR0-DR3 enabled as instruction, data and
     * I/O breakpoints (bit n = DRn), and DR6 bits of #DB traps waiting for
     * the current instruction to end. */
    uint8_t dr_exec, dr_data, dr_io;
    uint64_t dr6_pending;
    const struct insn *cur;   // instruction executing now
    const struct insn *end;   // end of the current block's run (early exit on SMC)
    const struct insn *count_from; // first instruction not yet counted in icount
    struct block_cache *bc;   // translated blocks (owned by the CPU)
    jmp_buf fault_jmp;        // target of cpu_fault while executing

    /* Exception state. */
    int delivering;           // vector being delivered, -1 if none (for #DF logic)
    uint8_t delivering_kind;  // its enum cpu_event_kind
    bool exc_retire;          // the pending event completes its instruction (INT n)
    uint64_t exc_rip;         // return address the pending event pushes
    unsigned exc_vector;      // the fault being raised (cpu_fault -> delivery)
    uint32_t exc_error;
    uint8_t exc_kind;
    /* Hooks (include/emu/hooks.h): bit k set = someone subscribed to event
     * kind k; events go to emit(emit_ctx, ev). */
    uint32_t hook_mask;
    uint64_t insn_lo, insn_hi; // RIPs EMU_EV_INSN subscribers cover (their ranges' hull)
    void (*emit)(void *ctx, emu_event *ev);
    void *emit_ctx;
    struct cpu_fault_why why; // detail for the next recorded fault (then cleared)
    struct cpu_fault_record chain[CPU_FAULT_CHAIN_MAX];
    int chain_len;
    struct cpu_recent_block recent[CPU_RECENT_BLOCKS]; // ring of block starts
    unsigned recent_pos;  // next slot (total count, modulo the ring size)
    bool shutdown;
    uint64_t stuck_icount; // icount when the last fault was delivered
    uint32_t stuck_faults; // faults delivered in a row at that icount

    struct mmu mmu;
    struct cpu_env env;
    int index;                // CPU number
    uint32_t features;        // CPU_FEAT_*: what the board provides (CPUID reports it)
};

/* Creates a CPU in its post-reset state attached to `pm`; NULL on allocation failure. */
struct cpu *cpu_new(struct physmem *pm, const struct cpu_env *env, int index);
void cpu_free(struct cpu *cpu);
void cpu_reset(struct cpu *cpu);

/* Runs until `icount_limit` retired instructions (a block may overshoot by its
 * length), HLT, a requested exit, shutdown, or a stuck CPU (CPU_STUCK_FAULTS). */
enum cpu_exit cpu_exec(struct cpu *cpu, uint64_t icount_limit);

/* Executes exactly one instruction (or delivers one pending event). */
enum cpu_exit cpu_step(struct cpu *cpu);

/* The time-stamp counter now (virtual time plus the IA32_TSC offset). */
uint64_t cpu_tsc(struct cpu *cpu);

/* Counts the instructions of the running block retired so far into icount,
 * so that devices read exact time mid-block. */
void cpu_sync_icount(struct cpu *cpu);

/* Asserts or clears the INTR line / raises an NMI / asks cpu_exec to return. */
void cpu_set_intr(struct cpu *cpu, bool level);
void cpu_raise_nmi(struct cpu *cpu);
void cpu_request_exit(struct cpu *cpu);
/* Makes cpu_exec return CPU_EXIT_REQUEST after the current block (a device
 * armed a timer earlier than the limit cpu_exec was given). */
void cpu_kick(struct cpu *cpu);
/* True if a halted CPU would resume now (NMI, INTR with IF=1, exit request). */
bool cpu_can_wake(const struct cpu *cpu);

/* State changes from outside (loaders, debugger) that keep derived state
 * (mode, effective bases, MMU mirrors) consistent. */
void cpu_load_seg_raw(struct cpu *cpu, int sreg, uint16_t sel, uint64_t base, uint32_t limit,
                      uint32_t attr);
void cpu_set_cr(struct cpu *cpu, int n, uint64_t value);
void cpu_set_efer(struct cpu *cpu, uint64_t value);
void cpu_update_mode(struct cpu *cpu);

/* RFLAGS with the lazy arithmetic flags materialised. */
uint64_t cpu_get_rflags(struct cpu *cpu);
void cpu_set_rflags(struct cpu *cpu, uint64_t value);

/* Fills an event's common fields (cpu, time, icount) and hands it to
 * cpu->emit. The caller sets kind, rip, cpl and the kind's fields. */
void cpu_emit(struct cpu *cpu, emu_event *ev);
/* Keeps the memory fast path empty while a memory hook (hook_mask), a
 * data breakpoint (DR7) or alignment checking (CR0.AM, RFLAGS.AC, CPL 3)
 * needs to see every access. */
void cpu_refresh_fast_path(struct cpu *cpu);
/* Installs (or removes) the MMU observer that turns TLB activity and page
 * walks into EMU_EV_TLB / EMU_EV_PAGE_WALK events, after hook_mask changed
 * (tlbhooks.c). */
void cpu_refresh_mmu_hooks(struct cpu *cpu);
/* Current RIP and CPL, for events produced outside the CPU (bus accesses). */
uint64_t cpu_current_rip(const struct cpu *cpu);

/* The SDM name of an MSR ("IA32_LSTAR"), or NULL if emu does not implement it. */
const char *cpu_msr_name(uint32_t msr);

/* Debugger access to linear memory (no faults raised, no side effects on
 * A/D bits). Returns the number of bytes copied before the first unmapped page. */
size_t cpu_read_linear(struct cpu *cpu, uint64_t lin, void *buf, size_t len);

#endif
