/* A whole machine (board, devices, run loop: include/emu/emu.h) prepared
 * for running generated code in one CPU configuration: the mode, the CPL,
 * paging, and an IDT that catches every exception (its handlers step the
 * return address one byte past the fault and IRET, so execution walks on
 * through random bytes) or none at all (any exception triple-faults).
 *
 * Physical layout (all RAM identity-mapped when paging is on, plus the
 * I/O APIC and local APIC pages near 4 GiB): */
#ifndef EMU_TESTS_FUZZ_GUEST_H
#define EMU_TESTS_FUZZ_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/machine.h"
#include "rng.h"

enum {
    FZ_RAM = 4 << 20,
    FZ_GDT = 0x1000, // 128 descriptors: fixed ones, then random ones
    FZ_GDT_LIMIT = 0x3FF,
    FZ_IDT = 0x2000,   // 256 gates (16 bytes in IA-32e mode, else 8)
    FZ_STUBS = 0x4000, // a 32-byte handler per vector
    FZ_STUB_SIZE = 32,
    FZ_TSS = 0x6000, // the TSS, then its I/O permission bitmap
    FZ_TSS_LIMIT = 0x68 + 0x2000,
    FZ_SYSCALL_STUB = 0x8100,  // LSTAR: SYSRET straight back
    FZ_SYSENTER_STUB = 0x8140, // SYSENTER_EIP: SYSEXIT straight back
    FZ_TABLES = 0x9000,        // page tables, up to 0x10000
    FZ_CODE = 0x10000,         // the generated code (64 KiB)
    FZ_CODE_SIZE = 0x10000,
    FZ_DATA = 0x20000, // random bytes for memory operands
    FZ_DATA_SIZE = 0x10000,
    FZ_USTACK_TOP = 0x40000,
    FZ_KSTACK_TOP = 0x48000, // TSS RSP0 / ESP0
    FZ_ISTACK_TOP = 0x50000, // IST1: every IA-32e gate uses it
};

/* Selectors of the fixed GDT entries. */
enum {
    FZ_SEL_CODE64 = 0x08,
    FZ_SEL_DATA = 0x10,
    FZ_SEL_CODE32 = 0x18,
    FZ_SEL_UDATA = 0x23,
    FZ_SEL_UCODE64 = 0x2B,
    FZ_SEL_UCODE32 = 0x33,
    FZ_SEL_CODE16 = 0x38, // base FZ_CODE, limit 64 KiB
    FZ_SEL_TSS = 0x40,    // two slots in IA-32e mode
    FZ_SEL_UCODE16 = 0x53,
    FZ_GDT_RANDOM_FIRST = 11, // index of the first random descriptor
};

enum fz_paging { FZ_PG_OFF, FZ_PG_32, FZ_PG_PAE, FZ_PG_LONG };

/* One CPU configuration the fuzzers run code in. */
struct fz_config {
    const char *name;
    uint8_t mode;   // enum cpu_mode: MODE_REAL .. MODE_LONG64
    uint8_t cpl;    // 0 or 3 (protected modes)
    uint8_t paging; // enum fz_paging (FZ_PG_LONG for the IA-32e modes)
    bool catching;  // an IDT whose handlers skip the faulting byte; else none
};

extern const struct fz_config fz_configs[];
extern const size_t fz_nconfigs;

/* The operand size the configuration's code starts with: 16, 32 or 64. */
unsigned fz_code_bits(const struct fz_config *c);

/* Linear address of FZ_CODE in the configuration (16-bit code segments
 * start at it, so their code runs from offset 0). */
uint64_t fz_code_rip(const struct fz_config *c);

/* Creates a machine (instruction budget max_insns, serial output hashed
 * into *serial_hash) and enters configuration c with random registers,
 * flags, GDT entries, I/O bitmap and page flags drawn from r. The code is
 * written to FZ_CODE by the caller. NULL if the host is out of memory. */
struct machine *fz_machine_new(const struct fz_config *c, struct rng *r, uint64_t max_insns,
                               uint64_t *serial_hash);

/* A hash of the state a run ends in: registers, system registers, the
 * instruction count, the stop reason and all of RAM. */
uint64_t fz_state_hash(struct machine *m, const emu_run_result *res);

#endif
