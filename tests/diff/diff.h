/* The host-CPU differential test: random instruction sequences, generated
 * from a table of patterns and encoded with Zydis's encoder, run natively
 * and in emu's CPU from the same state at the same addresses; registers,
 * RFLAGS (minus the flags the SDM leaves undefined) and the scratch memory
 * must agree. See docs/cpu.md ("Differential test"). */
#ifndef EMU_TESTS_DIFF_H
#define EMU_TESTS_DIFF_H

#include <stdbool.h>
#include <stdint.h>

#include <Zydis/Zydis.h>

/* Fixed addresses, identical on the host (mmap) and in emu (page tables).
 * All below 2 GiB, so absolute disp32 and RIP-relative operands reach them. */
#define DIFF_CODE         0x10000000ULL // code region (host: RWX)
#define DIFF_CODE_SIZE    0x10000ULL
#define DIFF_SEQ          (DIFF_CODE + 0x1000) // where every sequence starts
#define DIFF_SCRATCH      0x10100000ULL        // data + stack, compared after each run
#define DIFF_DATA_SIZE    0x4000ULL            // [DIFF_SCRATCH, +16 KiB): memory operands
#define DIFF_STACK        (DIFF_SCRATCH + DIFF_DATA_SIZE) // 8 KiB of stack after the data
#define DIFF_STACK_SIZE   0x2000ULL
#define DIFF_RSP0         (DIFF_STACK + DIFF_STACK_SIZE / 2) // initial RSP (room both ways)
#define DIFF_SCRATCH_SIZE (DIFF_DATA_SIZE + DIFF_STACK_SIZE)
#define DIFF_CTX          0x10200000ULL // host only: register image, saved host RSP

/* Flags the test compares (others are fixed by the setup: IF=1, TF=AC=0). */
#define FL_CF       0x001u
#define FL_PF       0x004u
#define FL_AF       0x010u
#define FL_ZF       0x040u
#define FL_SF       0x080u
#define FL_OF       0x800u
#define FL_DF       0x400u
#define FL_ARITH    (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)
#define FL_COMPARED (FL_ARITH | FL_DF)
#define FL_IF       0x200u
#define FL_FIXED    0x002u

/* Register state in Zydis's GPR order (RAX RCX RDX RBX RSP RBP RSI RDI R8..). */
struct regs {
    uint64_t gpr[16];
    uint64_t rflags;
};

/* What one side did: final registers, where it stopped and why. */
struct outcome {
    struct regs r;
    uint64_t rip;    // the faulting instruction, or the end of the sequence
    int vector;      // exception vector, -1 if the sequence ran to its end
    uint64_t icount; // instructions retired (emu only)
    uint8_t scratch[DIFF_SCRATCH_SIZE];
};

/* ---- the generated sequence (gen.c) ---------------------------------------- */

#define GEN_MAX_ITEMS  512
#define GEN_MAX_LABELS 128

struct item {
    ZydisEncoderRequest req;
    int target;      // label a relative branch / RIP-relative LEA refers to, or -1
    uint32_t poison; // flags possibly undefined before this instruction
    uint64_t addr;   // runtime address
    uint8_t len;
    uint8_t bytes[16];
};

struct rng {
    uint64_t s;
};

/* What arrives at a label by branches: the union over those paths. */
struct arrival {
    bool any;        // some branch arrives
    uint32_t poison; // flags possibly undefined
    int lo, hi;      // stack depth range
};

#define GEN_MAX_BRANCHES 4 /* per pattern */

struct gen {
    struct rng rng;
    struct item items[GEN_MAX_ITEMS];
    unsigned n;                         // items so far
    unsigned npat, pat;                 // patterns in this sequence, the current one
    bool compat;                        // 32-bit code for compatibility mode (else 64-bit)
    int label_item[GEN_MAX_LABELS + 1]; // first item of pattern p (end label: n)
    struct arrival in[GEN_MAX_LABELS + 1];
    struct pending_branch { // branches of the current pattern, applied if it succeeds
        int label;
        struct arrival a;
    } pending[GEN_MAX_BRANCHES];
    unsigned npending;
    bool live;              // the fall-through path reaches here
    uint32_t poison;        // flags possibly undefined here
    int depth_lo, depth_hi; // bytes pushed since the start, over all live paths
    uint16_t used;          // registers the pattern reserved (no reuse as scratch)
    bool failed;            // an emit of the current pattern could not be encoded
    uint64_t code_end;      // address after the last item
    struct {                // options for the next emit() only
        ZydisInstructionAttributes prefixes;
        ZydisBranchType branch_type;
        ZydisBranchWidth branch_width;
        ZydisAddressSizeHint asz;
        ZydisOperandSizeHint osz;
        int target; // label (relative branch / RIP-relative LEA), 0 = none
    } opt;
    struct {             // constraints on pick_mem for the current pattern
        unsigned margin; // bytes kept free on both sides of the operand
        unsigned align;  // required alignment (0/1: none)
        bool no_stack;   // no [rsp + disp] operands
    } mopt;
};

uint64_t rng_next(struct rng *r);
uint64_t rng_below(struct rng *r, uint64_t n);
/* A value with the edge cases (0, 1, -1, sign boundaries) over-represented,
 * truncated to `size` bytes and sign-extended to 64 bits. */
uint64_t rng_value(struct rng *r, unsigned size);
/* v's low `size` bytes, sign-extended. */
uint64_t sext_to(uint64_t v, unsigned size);

/* Builds a sequence of `npat` patterns into g (the items are encoded and
 * laid out at DIFF_SEQ), 64-bit code or, with `compat`, 32-bit code for
 * compatibility mode. */
void gen_sequence(struct gen *g, uint64_t seed, unsigned npat, bool compat);
/* Random initial registers and flags for a sequence. */
void gen_initial(struct rng *r, struct regs *regs);
/* Prints the sequence, disassembled, one instruction a line; "=>" marks
 * the instructions at mark[0] and mark[1] (0: none). */
void gen_print(const struct gen *g, const uint64_t mark[2]);
/* The item starting at address rip, or NULL. */
const struct item *gen_item_at(const struct gen *g, uint64_t rip);

/* ---- pattern helpers (gen.c), used by patterns*.c ---------------------------- */

enum { REG_RSP_ID = 4 };

/* A random register of `size` bytes (never RSP/ESP/SP/SPL when `write`),
 * not among the pattern's reserved ones; reserves it. */
ZydisRegister pick_reg(struct gen *g, unsigned size, bool write);
/* The register with Zydis GPR id `id` (0..15) at `size` bytes. */
ZydisRegister reg_of(unsigned id, unsigned size);
/* Register `id` at the address width of the sequence (RAX.. or EAX..). */
ZydisRegister reg_word(const struct gen *g, unsigned id);
/* A memory operand of `size` bytes inside the scratch data (or the stack),
 * possibly with setup instructions for its base/index registers. */
ZydisEncoderOperand pick_mem(struct gen *g, unsigned size);
/* A memory operand at exactly `addr` (absolute or RIP-relative). */
ZydisEncoderOperand mem_at(struct gen *g, uint64_t addr, unsigned size);
ZydisEncoderOperand op_reg(ZydisRegister r);
ZydisEncoderOperand op_imm(uint64_t v);
/* An immediate for a `size`-byte operand: v's low bytes, sign-extended (the
 * form Zydis's encoder expects). */
ZydisEncoderOperand op_imm_sized(uint64_t v, unsigned size);
unsigned pick_size(struct gen *g, unsigned mask); // mask bits: 1, 2, 4, 8

/* A register or (one time in two) memory operand. */
ZydisEncoderOperand pick_rm(struct gen *g, unsigned size, bool write);
/* Keeps register `id` (0..15) out of pick_reg/pick_mem for this pattern. */
void reserve(struct gen *g, unsigned id);
/* `o` moved by `delta` bytes (same addressing, displacement changed). */
ZydisEncoderOperand mem_offset(ZydisEncoderOperand o, int64_t delta);

/* Appends an instruction with the options in g->opt (then cleared). Returns
 * its item index, or -1 if it cannot be encoded (the pattern then fails). */
int emit(struct gen *g, ZydisMnemonic m, unsigned n, const ZydisEncoderOperand *ops);
#define EMIT(g, m, ...)                                                                            \
    emit(g, ZYDIS_MNEMONIC_##m,                                                                    \
         sizeof((ZydisEncoderOperand[]){__VA_ARGS__}) / sizeof(ZydisEncoderOperand),               \
         (ZydisEncoderOperand[]){__VA_ARGS__})
#define EMIT0(g, m) emit(g, ZYDIS_MNEMONIC_##m, 0, NULL)

/* Flag bookkeeping after an instruction: `defined` become known, `undef`
 * become possibly undefined. */
void flags_effect(struct gen *g, uint32_t defined, uint32_t undef);
/* Makes sure the flags in `need` are defined before the next instruction
 * (emits a CMP/ADD/SUB that defines all arithmetic flags if needed). */
void need_flags(struct gen *g, uint32_t need);
/* Stack bookkeeping: `delta` bytes pushed (negative: popped). Returns false
 * if that could leave the stack region (the pattern must not emit it). */
bool stack_ok(const struct gen *g, int lo_delta, int hi_delta);
void stack_effect(struct gen *g, int delta);
/* Branch bookkeeping: control may go to pattern label `label` from here
 * (`cond`: the fall-through path stays live). Returns false if the pattern
 * has too many branches. branch_to also makes item `item` (a relative
 * branch; -1: failed to emit) refer to the label. */
bool flow_to(struct gen *g, int label, bool cond);
bool branch_to(struct gen *g, int item, int label, bool cond);
/* A data address for an operand of `size` bytes (g->mopt applies). */
uint64_t data_addr_for(struct gen *g, unsigned size);
/* A label 1..max patterns ahead (or the end). */
int pick_label(struct gen *g, unsigned max_ahead);

/* ---- patterns (patterns_*.c) ------------------------------------------------- */

typedef bool (*pattern_fn)(struct gen *g);
enum { PM_64 = 1, PM_32 = 2, PM_ALL = 3 }; /* the modes a pattern applies to */
struct pattern {
    pattern_fn fn;
    unsigned weight;
    const char *name;
    unsigned modes;
};
/* A pattern drawn by weight from all pattern tables (patterns_flow.c). */
const struct pattern *pattern_pick(struct rng *r, bool compat);

/* ---- the two sides ------------------------------------------------------------ */

/* Host: maps the fixed regions; false (with a message) if impossible. */
bool native_init(void);
void native_fini(void);
void native_run(const struct gen *g, const struct regs *in, const uint8_t *scratch,
                struct outcome *out);

struct isa;
struct isa *emu_side_new(bool compat);
void emu_side_free(struct isa *m);
/* Runs in blocks (the normal path); with `step`, one instruction at a time,
 * calling on_insn(ctx, rip) before each. */
void emu_side_run(struct isa *m, const struct gen *g, const struct regs *in, const uint8_t *scratch,
                  struct outcome *out, void (*on_insn)(void *ctx, uint64_t rip), void *ctx);

#endif
