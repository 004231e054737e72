/* A fresh CPU on 2 MiB of RAM with the system tables a protection test
 * needs: a GDT in the Linux x86-64 layout, an IDT whose every vector lands
 * on a `hlt` stub, a 64-bit TSS, identity paging in long mode, and an event
 * log filled by the CPU's delivery hook. Tests set up the one descriptor or
 * gate they are about, run a few instructions and read back what the SDM
 * says must happen. */
#ifndef TESTS_PROT_HARNESS_H
#define TESTS_PROT_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "cpu/internal.h"

/* Selectors of the standard GDT. */
enum {
    TH_KCODE32 = 0x08, // ring-0 32-bit code
    TH_KCODE64 = 0x10, // ring-0 64-bit code
    TH_KDATA = 0x18,   // ring-0 data
    TH_UCODE32 = 0x20, // ring-3 32-bit code (SYSRET layout: STAR[63:48] = 0x20)
    TH_UDATA = 0x28,   // ring-3 data
    TH_UCODE64 = 0x30, // ring-3 64-bit code
    TH_TSS = 0x38,     // 64-bit TSS (two slots in IA-32e mode)
    TH_FREE = 0x48,    // first selector tests may fill
};

/* Physical (= linear) layout. */
#define TH_GDT 0x1000ULL
#define TH_IDT 0x2000ULL
#define TH_TSS_BASE 0x3000ULL
#define TH_LDT 0x6000ULL
#define TH_PML4 0x8000ULL
#define TH_STUBS 0x10000ULL     // vector v's handler: TH_STUBS + 16 * v, a `hlt`
#define TH_CODE 0x20000ULL      // test code
#define TH_DATA 0x30000ULL      // scratch data
#define TH_IST_TOP(n) (0x40000ULL + 0x1000ULL * (n)) // IST1..7 stacks
#define TH_USTACK 0x50000ULL    // ring-3 stack top
#define TH_KSTACK 0x60000ULL    // ring-0 stack top (TSS.RSP0, also the boot stack)
#define TH_RAM (2ULL << 20)

enum th_mode { TH_REAL, TH_PROT32, TH_COMPAT32, TH_LONG64 };

struct th_event {
    unsigned vector;
    uint32_t error;
    int external;
};

#define TH_MAX_EVENTS 16

struct th {
    struct physmem pm;
    struct cpu *cpu;
    enum th_mode mode;
    struct th_event ev[TH_MAX_EVENTS];
    int nev;
    int irq_vector; // what INTA returns while INTR is asserted (th_raise_irq)
};

/* Asserts the INTR line with `vector` (acknowledged once). */
void th_raise_irq(struct th *t, int vector);

/* Descriptor attribute shorthands (SEG_ATTR_* layout, see regs.h). */
#define TH_A_CODE (SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_CODE | SEG_ATTR_RW)
#define TH_A_DATA (SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_RW)
#define TH_DPL(n) ((uint32_t)(n) << SEG_ATTR_DPL_SHIFT)

/* A new machine in `mode` with CPL 0, RIP = TH_CODE, RSP = TH_KSTACK. */
struct th *th_new(enum th_mode mode);
void th_free(struct th *t);

/* An 8-byte segment descriptor. attr uses the SEG_ATTR layout (G, DB, L in 15..12). */
uint64_t th_desc(uint32_t base, uint32_t limit, uint32_t attr);
void th_set_gdt(struct th *t, uint16_t sel, uint64_t desc);
void th_set_gdt16(struct th *t, uint16_t sel, uint64_t lo, uint64_t hi);
uint64_t th_get_gdt(struct th *t, uint16_t sel);
/* A system descriptor (TSS, LDT, call gate target) with a 64-bit base:
 * writes 16 bytes in IA-32e mode, 8 otherwise. */
void th_set_sysdesc(struct th *t, uint16_t sel, uint64_t base, uint32_t limit, unsigned type,
                    unsigned dpl, int present);
/* Interrupt/trap gate for `vector` (type 0xE/0xF, or 6/7 for 16-bit gates). */
void th_set_gate(struct th *t, unsigned vector, uint16_t sel, uint64_t offset, unsigned type,
                 unsigned dpl, unsigned ist, int present);
/* A call gate at `sel` (type 0xC; 64-bit in IA-32e mode). */
void th_set_call_gate(struct th *t, uint16_t sel, uint16_t target, uint64_t offset, unsigned dpl,
                      unsigned params, int present);

/* Copies code into memory at `at`; with at = 0, at TH_CODE, and points RIP there. */
void th_code(struct th *t, uint64_t at, const uint8_t *start, const uint8_t *end);
/* Runs until HLT (or the budget). Returns the exit reason. */
enum cpu_exit th_run(struct th *t, uint64_t max_insns);
/* Runs and asserts that exactly one exception/interrupt was delivered and
 * the CPU then halted in its stub: returns the event. */
struct th_event th_run_expect_event(struct th *t);
/* True if the CPU sits in vector v's stub (after its hlt). */
int th_in_stub(struct th *t, unsigned v);

/* Puts the CPU in ring 3 with the user code/data segments (64- or 32-bit
 * code per the mode). */
void th_enter_ring3(struct th *t);

uint64_t th_read(struct th *t, uint64_t lin, unsigned size);
void th_write(struct th *t, uint64_t lin, uint64_t v, unsigned size);
/* The n-th 8-byte slot above RSP (or 4-byte slot in 32-bit modes). */
uint64_t th_stack(struct th *t, unsigned n);

/* Test code: SNIPPET(name, "asm") defines name[] and name_end[] holding the
 * assembled bytes (GNU as, AT&T syntax; start with .code32/.code16 for other
 * modes - the snippet restores .code64). */
#define SNIPPET(name, code)                                                                    \
    extern const uint8_t name[], name##_end[];                                                 \
    __asm__(".pushsection .rodata\n.globl " #name "\n.globl " #name "_end\n" #name ":\n" code    \
            "\n" #name "_end:\n.code64\n.popsection\n")

#define TH_CODE_OF(name) name, name##_end

/* Asserts that running delivers exactly one event `vector` with `error`
 * (EXC_NO_ERROR for none). */
#define th_expect_fault(t, vec_, err_)                                                          \
    do {                                                                                        \
        struct th_event ev_ = th_run_expect_event(t);                                           \
        assert_int_equal(ev_.vector, (vec_));                                                   \
        assert_int_equal(ev_.error, (err_));                                                    \
    } while (0)

/* Asserts that the code ran to its final hlt with no event (in ring 3 the
 * hlt itself raises #GP(0): that one event is expected, at a hlt). */
#define th_expect_clean_halt(t) assert_true(th_ran_to_hlt(t))
int th_ran_to_hlt(struct th *t);

#endif
