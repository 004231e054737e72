/* Interrupt vectors and the trap frame (included from C and assembly). */
#ifndef KERNEL_TRAPS_H
#define KERNEL_TRAPS_H

/* Exceptions (SDM Vol. 3A, Table 6-1), named as Linux's X86_TRAP_*. */
#define X86_TRAP_DE   0  /* divide error */
#define X86_TRAP_DB   1  /* debug */
#define X86_TRAP_NMI  2  /* non-maskable interrupt */
#define X86_TRAP_BP   3  /* breakpoint (INT3) */
#define X86_TRAP_OF   4  /* overflow (INTO) */
#define X86_TRAP_BR   5  /* BOUND range exceeded */
#define X86_TRAP_UD   6  /* invalid opcode */
#define X86_TRAP_NM   7  /* device not available */
#define X86_TRAP_DF   8  /* double fault */
#define X86_TRAP_TS   10 /* invalid TSS */
#define X86_TRAP_NP   11 /* segment not present */
#define X86_TRAP_SS   12 /* stack-segment fault */
#define X86_TRAP_GP   13 /* general protection */
#define X86_TRAP_PF   14 /* page fault */
#define X86_TRAP_MF   16 /* x87 floating-point error */
#define X86_TRAP_AC   17 /* alignment check */
#define X86_TRAP_MC   18 /* machine check */
#define X86_TRAP_XF   19 /* SIMD floating-point exception */
#define X86_TRAP_CP   21 /* control protection */
#define NR_EXCEPTIONS 32

/* Interrupt vectors of this kernel. The 8259 PICs are remapped to
 * 0x20-0x2F (off the exceptions) and masked; the I/O APIC delivers ISA IRQ n
 * at VEC_ISA_BASE + n. A LAPIC vector's priority class is vector >> 4. */
#define VEC_PIC_BASE            0x20
#define VEC_PIC_SPURIOUS_MASTER (VEC_PIC_BASE + 7)
#define VEC_PIC_SPURIOUS_SLAVE  (VEC_PIC_BASE + 15)
#define VEC_ISA_BASE            0x30
#define VEC_KEYBOARD            (VEC_ISA_BASE + 1)
#define VEC_COM1                (VEC_ISA_BASE + 4)
#define VEC_SYSCALL             0x80 /* INT 0x80: a DPL-3 gate, so user code may use it */
#define VEC_LAPIC_TIMER         0xEC /* as Linux's LOCAL_TIMER_VECTOR */
#define VEC_LAPIC_ERROR         0xFE
#define VEC_SPURIOUS            0xFF /* the LAPIC's spurious vector (low 4 bits must be 1s) */

/* trapno of a frame built by syscall_entry (the SYSCALL instruction): not an
 * IDT vector, so it cannot be confused with one. */
#define TRAPNO_SYSCALL 0x100

/* Byte offsets in struct trapframe, for assembly. */
#define TF_TRAPNO 120
#define TF_CS     144
#define TF_SIZE   176

#ifndef __ASSEMBLER__
#include "types.h"

/* What a trap saves on the kernel stack (Linux's pt_regs): the general
 * registers pushed by alltraps/syscall_entry, then the vector and error code
 * pushed by the vector stub, then what the CPU pushed when it took the trap. */
struct trapframe {
    u64 r15, r14, r13, r12, r11, r10, r9, r8;
    u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
    u64 trapno;                   // IDT vector, or TRAPNO_SYSCALL
    u64 err;                      // error code (0 when the exception has none)
    u64 rip, cs, rflags, rsp, ss; // the interrupted context (the CPU saved these)
};

_Static_assert(__builtin_offsetof(struct trapframe, trapno) == TF_TRAPNO, "TF_TRAPNO");
_Static_assert(__builtin_offsetof(struct trapframe, cs) == TF_CS, "TF_CS");
_Static_assert(sizeof(struct trapframe) == TF_SIZE, "TF_SIZE");

static inline bool tf_from_user(const struct trapframe *tf)
{
    return (tf->cs & 3) == 3;
}

/* Called by alltraps for every interrupt and exception. */
void trap(struct trapframe *tf);
/* The name of a vector ("page fault", "LAPIC timer", ...), or NULL. */
const char *vector_name(unsigned vector);
void idt_init(void);

/* The work done before any return to user mode: reschedule if asked, die
 * if killed. Called with interrupts disabled; returns with them disabled. */
void exit_to_user(struct trapframe *tf);

/* Where alltraps returns through: pops a trapframe and IRETQs. */
extern char trapret[];
#endif

#endif
