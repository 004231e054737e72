/* The interrupt descriptor table, built from a table (as Linux's
 * arch/x86/kernel/idt.c): one row per vector this kernel expects, with its
 * name, the privilege needed to raise it with INT n, and its IST stack.
 * Vectors not listed stay not-present: raising one is a #NP, which oopses
 * and names the vector. */
#include "cpu.h"
#include "mmu.h"
#include "traps.h"

#define GATE_INTERRUPT 0xE /* 64-bit interrupt gate: clears IF on entry */
#define GATE_P         (1 << 7)

struct gate_desc {
    const char *name; // for oopses, signals and the shell's `interrupts`
    u8 dpl;           // 3: user code may raise it with INT n
    u8 ist;           // nonzero: switch to this IST stack (tss.ist[ist - 1])
};

static const struct gate_desc gates[NVECTORS] = {
    [X86_TRAP_DE] = {"divide error", 0, 0},
    [X86_TRAP_DB] = {"debug", 0, 0},
    [X86_TRAP_NMI] = {"NMI", 0, IST_NMI},
    [X86_TRAP_BP] = {"breakpoint", 3, 0},
    [X86_TRAP_OF] = {"overflow", 3, 0},
    [X86_TRAP_BR] = {"bounds", 0, 0},
    [X86_TRAP_UD] = {"invalid opcode", 0, 0},
    [X86_TRAP_NM] = {"device not available", 0, 0},
    [X86_TRAP_DF] = {"double fault", 0, IST_DF},
    [X86_TRAP_TS] = {"invalid TSS", 0, 0},
    [X86_TRAP_NP] = {"segment not present", 0, 0},
    [X86_TRAP_SS] = {"stack segment", 0, 0},
    [X86_TRAP_GP] = {"general protection", 0, 0},
    [X86_TRAP_PF] = {"page fault", 0, 0},
    [X86_TRAP_MF] = {"x87 floating point", 0, 0},
    [X86_TRAP_AC] = {"alignment check", 0, 0},
    [X86_TRAP_MC] = {"machine check", 0, 0},
    [X86_TRAP_XF] = {"SIMD floating point", 0, 0},
    [X86_TRAP_CP] = {"control protection", 0, 0},
    [VEC_PIC_SPURIOUS_MASTER] = {"PIC spurious (IRQ 7)", 0, 0},
    [VEC_PIC_SPURIOUS_SLAVE] = {"PIC spurious (IRQ 15)", 0, 0},
    [VEC_KEYBOARD] = {"IO-APIC keyboard", 0, 0},
    [VEC_COM1] = {"IO-APIC serial (COM1)", 0, 0},
    [VEC_SYSCALL] = {"int 0x80 system call", 3, 0},
    [VEC_LAPIC_TIMER] = {"LAPIC timer", 0, 0},
    [VEC_LAPIC_ERROR] = {"LAPIC error", 0, 0},
    [VEC_SPURIOUS] = {"LAPIC spurious", 0, 0},
};

/* A 16-byte long-mode gate descriptor (SDM Vol. 3A, Figure 6-8). */
struct idt_entry {
    u16 offset_low;
    u16 selector;
    u8 ist;
    u8 type_attr; // P, DPL, type
    u16 offset_mid;
    u32 offset_high;
    u32 reserved;
} PACKED;

static struct idt_entry idt[NVECTORS] __attribute__((aligned(16)));
extern const u64 vectors[NVECTORS]; /* the stubs in trapasm.S */

const char *vector_name(unsigned vector)
{
    return vector < NVECTORS ? gates[vector].name : NULL;
}

void idt_init(void)
{
    for (unsigned v = 0; v < NVECTORS; v++) {
        const struct gate_desc *g = &gates[v];
        if (!g->name) continue;
        u64 off = vectors[v];
        idt[v] = (struct idt_entry){
            .offset_low = (u16)off,
            .selector = KERNEL_CS,
            .ist = g->ist,
            .type_attr = (u8)(GATE_P | (g->dpl << 5) | GATE_INTERRUPT),
            .offset_mid = (u16)(off >> 16),
            .offset_high = (u32)(off >> 32),
        };
    }
    struct {
        u16 limit;
        u64 base;
    } PACKED idtr = {sizeof(idt) - 1, (u64)idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));
}
