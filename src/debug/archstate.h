/* A copy of everything architectural a step can change (general, segment,
 * control, debug and descriptor-table registers, the MSRs the CPU owns,
 * CPL, mode, halt and interrupt-shadow state), and the report of what
 * changed between two copies: registers old -> new, flags by name, and
 * changes of mode or privilege in words. */
#ifndef EMU_DEBUG_ARCHSTATE_H
#define EMU_DEBUG_ARCHSTATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../cpu/cpu.h"

struct arch_state {
    uint64_t gpr[16];
    uint64_t rip, rflags;
    struct seg seg[SEG_COUNT];
    struct seg ldtr, tr;
    struct dtable gdtr, idtr;
    uint64_t cr0, cr2, cr3, cr4, cr8, efer, xcr0;
    uint64_t dr[8];
    struct cpu_msrs msr;
    uint8_t cpl, mode;
    bool halted;
    uint8_t intr_shadow;
    bool nmi_blocked;
    uint64_t icount;
};

/* Copies the CPU's architectural state (materialising lazy flags). */
void arch_capture(struct cpu *cpu, struct arch_state *s);

/* The names of enum cpu_mode ("64-bit long mode"). */
const char *arch_mode_name(unsigned mode);

/* The general register names in encoding order ("rax" ... "r15"). */
extern const char *const arch_gpr_names[16];

/* Writes one line per change from a to b, each starting with `indent`:
 * registers (RIP only when it is not simply the next instruction at
 * `fallthrough`), RFLAGS with the flags that changed, segment registers
 * with their new descriptor cache, control registers and MSRs, then the
 * consequences in words ("paging enabled", "CPL 3 -> 0", "address space
 * switch"). Returns the number of lines written. */
int arch_print_diff(FILE *out, const char *indent, const struct arch_state *a,
                    const struct arch_state *b, uint64_t fallthrough);

/* Writes the names of the RFLAGS bits set in f ("IF ZF PF"), IOPL as IOPL=n. */
void arch_format_flags(uint64_t f, char *buf, size_t n);
/* The same for a mask of flags (IOPL named, not valued). */
void arch_format_flag_mask(uint64_t mask, char *buf, size_t n);

#endif
