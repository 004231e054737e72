/* Forensics: explaining what the CPU did in plain words (docs/faults.md).
 * Everything here reads CPU state without changing it (linear memory is
 * read with no A/D side effects), so it can run at any point: after a
 * triple fault, or as each exception is delivered (--explain-faults). */
#ifndef EMU_DEBUG_DEBUG_H
#define EMU_DEBUG_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../cpu/cpu.h"

#define DBG_HISTORY 16 /* instructions in the history */

/* Names code addresses for the report ("kmain+0x12 (main.c:42)") when the
 * caller has the kernel's symbols; name() returns false when it has none. */
struct dbg_syms {
    bool (*name)(void *ctx, uint64_t addr, char *buf, size_t n);
    void *ctx;
};

/* "#PF", "#GP", "NMI", "INT 0x80"... for an event of `kind`. */
void dbg_event_name(unsigned vector, unsigned kind, char *buf, size_t n);
/* "page fault", "general-protection fault"... (NULL beyond 31). */
const char *dbg_vector_description(unsigned vector);

/* One descriptor in words: "64-bit code, readable, DPL 0, present, base
 * 0x0, limit 0xffffffff". hi is the upper half of a 16-byte system
 * descriptor (ignored for code/data); ia32e selects the IA-32e type names. */
void dbg_describe_descriptor(uint64_t lo, uint64_t hi, bool ia32e, char *buf, size_t n);

/* Prints the page walk for lin as the CPU would do it for the access the
 * page-fault error code describes, one line per paging level, and why it
 * stops. `indent` prefixes every line. */
void dbg_print_walk(struct cpu *cpu, uint64_t lin, uint32_t pf_error, const char *indent,
                    FILE *out);

/* Disassembles one instruction (Intel syntax) decoded for `mode` at `rip`.
 * Returns its length, 0 if the bytes do not decode. */
unsigned dbg_disasm(unsigned mode, const uint8_t *bytes, size_t len, uint64_t rip, char *buf,
                    size_t n);
/* The instruction at cs_base + rip, disassembled ("(unreadable)" if its
 * memory is not mapped). Returns its length or 0. */
unsigned dbg_disasm_at(struct cpu *cpu, unsigned mode, uint64_t cs_base, uint64_t rip, char *buf,
                       size_t n);

/* The exception chain of the last event, one line per event, each with its
 * cause in plain words and the descriptor, gate or page walk involved;
 * ends with the shutdown line after a triple fault. */
void dbg_print_chain(struct cpu *cpu, const struct dbg_syms *syms, FILE *out);
/* The explanation of one chain record (used by --explain-faults). syms may
 * be NULL. */
void dbg_print_record(struct cpu *cpu, int index, const struct dbg_syms *syms, FILE *out);

/* The last DBG_HISTORY instructions executed, oldest first, the faulting
 * one marked. */
void dbg_print_history(struct cpu *cpu, const struct dbg_syms *syms, FILE *out);

/* General, segment, control and descriptor-table registers. */
void dbg_print_registers(struct cpu *cpu, FILE *out);

#endif
