/* A bare CPU for instruction tests: guest RAM, a GDT, paging (identity map
 * of the first ISA_IDENTITY bytes in 4 KiB pages), and an empty IDT, so that
 * any exception shuts the CPU down with the registers as the faulting
 * instruction left them; the harness reports that first exception. Code is
 * given as hex bytes ("48 f7 f1"), copied to ISA_CODE and followed by HLT.
 * Other test areas (tests/diff) reuse it. */
#ifndef EMU_TESTS_ISA_HARNESS_H
#define EMU_TESTS_ISA_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "cpu/internal.h"

enum {
    ISA_GDT = 0x1000,
    ISA_PML4 = 0x2000,
    ISA_TABLES = 0x3000,      // page-table pages are allocated from here ...
    ISA_TABLES_END = 0x10000, // ... up to here
    ISA_CODE = 0x10000,       // where isa_run puts the code
    ISA_DATA = 0x20000,       // 64 KiB for memory operands
    ISA_DATA_SIZE = 0x10000,
    ISA_STACK_TOP = 0x40000, // initial RSP (the stack grows into 0x30000..)
    ISA_IDENTITY = 0x200000, // identity-mapped bytes (4 KiB pages)
    ISA_RAM = 0x800000,
};

/* GDT selectors the harness installs. */
enum {
    ISA_SEL_CODE64 = 0x08,
    ISA_SEL_DATA = 0x10,
    ISA_SEL_CODE32 = 0x18,
    ISA_SEL_UDATA = 0x23,
    ISA_SEL_UCODE64 = 0x2b,
    ISA_SEL_UCODE32 = 0x33,
};

struct isa {
    struct physmem pm;
    struct cpu *cpu;
    int vector;          // first exception of the last run, -1 if none
    uint32_t error;      // its error code, EXC_NO_ERROR if it has none
    uint64_t next_table; // next free page-table page
};

/* A CPU in `mode` (MODE_LONG64, MODE_COMPAT32 or MODE_PROT32) at CPL 0 with
 * flat 4 GiB segments, RSP = ISA_STACK_TOP, RFLAGS = 2, other GPRs 0.
 * Paging (identity, 4 KiB pages) in the long modes; off in MODE_PROT32. */
struct isa *isa_new(unsigned mode);
void isa_free(struct isa *m);

/* Switches to CPL 3: 64-bit user code (or, with isa_enter_user32, 32-bit
 * user code: compatibility mode) and user data segments. */
void isa_enter_user(struct isa *m);
void isa_enter_user32(struct isa *m);

/* Maps [lin, lin + len) to [pa, ...) with 4 KiB pages and PTE flags `flags`
 * (PTE_P is implied). Long modes only. */
void isa_map(struct isa *m, uint64_t lin, uint64_t pa, uint64_t len, uint64_t flags);
/* Host pointer to the page-table entry mapping lin (4 KiB page), or NULL.
 * After changing one, call mmu_flush_all(&m->cpu->mmu). */
uint64_t *isa_pte(struct isa *m, uint64_t lin);

/* Guest physical memory access. */
void isa_poke(struct isa *m, uint64_t pa, uint64_t v, unsigned size);
uint64_t isa_peek(struct isa *m, uint64_t pa, unsigned size);
void isa_write(struct isa *m, uint64_t pa, const void *buf, size_t len);
void isa_read(struct isa *m, uint64_t pa, void *buf, size_t len);

/* Copies `hex` (bytes as hex digit pairs, spaces ignored) plus HLT to
 * ISA_CODE, sets RIP there and runs until HLT or an exception (at most
 * `ISA_MAX_INSNS`). Returns the exception vector, or -1 when the code ran to
 * its HLT. After an exception RIP is the faulting instruction. */
int isa_run(struct isa *m, const char *hex);
int isa_run_bytes(struct isa *m, const uint8_t *code, size_t len);
/* Runs from the current RIP until HLT or an exception; as isa_run. */
int isa_continue(struct isa *m, uint64_t max_insns);

#define ISA_MAX_INSNS 1000000u

/* RFLAGS with the lazy flags materialised. */
uint64_t isa_flags(struct isa *m);
void isa_set_flags(struct isa *m, uint64_t rflags);

#endif
