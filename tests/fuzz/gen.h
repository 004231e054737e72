/* Random x86 code for the guest-code fuzzer: instruction ideas (templates)
 * strung together -- prefixes, VEX, SSE, system instructions, string
 * instructions with huge counts, far transfers through random selectors,
 * jumps to unmapped and non-canonical addresses, self-modifying stores,
 * port and MMIO accesses -- mixed with raw random bytes and then mutated.
 * Templates encode for the code's default operand size (16, 32 or 64
 * bits) so that most of them decode as intended; the rest is noise, which
 * is fine too. */
#ifndef EMU_TESTS_FUZZ_GEN_H
#define EMU_TESTS_FUZZ_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

struct gen {
    uint8_t *buf;
    size_t len, cap;
    unsigned bits; // 16, 32 or 64: the code segment's default operand size
    uint64_t base; // linear address of buf[0]
    struct rng *r;
    unsigned focus; // GEN_FOCUS_*: which templates dominate
};

enum {
    GEN_FOCUS_ALL,     // every template
    GEN_FOCUS_DEVICES, // port I/O, MMIO, STI/HLT, interrupts (the device fuzzer)
};

/* Writes a random program of at most cap bytes for `bits`-bit code at
 * linear address base, ending in a jump back to its start. Returns its
 * length. */
size_t gen_program(struct rng *r, unsigned bits, unsigned focus, uint64_t base, uint8_t *buf,
                   size_t cap);

/* ---- emitting (gen.c) ---- */
void gen_b(struct gen *g, unsigned byte);
void gen_imm(struct gen *g, uint64_t v, unsigned size);
/* reg (0..7) = v: the full register in 64-bit code, else 32 bits (with an
 * operand-size prefix in 16-bit code). */
void gen_mov_imm(struct gen *g, unsigned reg, uint64_t v);
/* The address-size prefix 16-bit code needs to use [reg] with 32-bit registers. */
void gen_addr32(struct gen *g);
/* The operand-size prefix 16-bit code needs for 32-bit operands. */
void gen_op32(struct gen *g);
/* REX.W in 64-bit code (nothing otherwise). */
void gen_rexw(struct gen *g);

/* ---- the templates (gen_tmpl.c, gen_sys.c) ---- */
typedef void (*gen_tmpl)(struct gen *g);
void t_random(struct gen *g);
void t_prefixed(struct gen *g);
void t_vex(struct gen *g);
void t_sse(struct gen *g);
void t_string(struct gen *g);
void t_jump(struct gen *g);
void t_far(struct gen *g);
void t_segload(struct gen *g);
void t_smc(struct gen *g);
void t_stack(struct gen *g);
void t_alu(struct gen *g);
void t_loop(struct gen *g);
void t_system(struct gen *g);
void t_msr(struct gen *g);
void t_cr(struct gen *g);
void t_dtable(struct gen *g);
void t_int(struct gen *g);
void t_io(struct gen *g);
void t_mmio(struct gen *g);
void t_irq_wait(struct gen *g);

/* Values the templates like: addresses of the layout, edges, noise. */
uint64_t gen_value(struct gen *g);
uint16_t gen_selector(struct gen *g);
uint64_t gen_target(struct gen *g);

#endif
