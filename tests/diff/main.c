/* The differential test driver: generates sequences from a seed, runs each
 * natively and in emu (in blocks, then once more one instruction at a time),
 * and compares. Usage:
 *
 *   test_diff [--insns N] [--seed S] [--patterns P] [--replay I] [--verbose]
 *
 * runs sequences until N instructions have executed in emu (default
 * 1000000; EMU_DIFF_INSNS overrides the default). Sequence i is generated
 * from the seed alone, so `--seed S --replay I` reruns exactly the one that
 * failed. Exit status 0 when everything agreed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"

#define DEFAULT_INSNS      1000000ULL
#define DEFAULT_PATTERNS   48
#define MAX_REPORTED_BYTES 16

static const char *const gpr_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                          "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

struct options {
    uint64_t insns, seed;
    unsigned patterns;
    long replay; // -1: all
    bool verbose;
};

/* Coverage: which mnemonics ran. */
struct coverage {
    uint64_t count[2][ZYDIS_MNEMONIC_MAX_VALUE + 1]; // [compat][mnemonic]
    const struct gen *g;
    uint16_t at[DIFF_CODE_SIZE]; // item index + 1 by offset from DIFF_CODE
    ZydisDecoder dec[2];         // 64-bit, compatibility mode
};

static void on_insn(void *p, uint64_t rip)
{
    struct coverage *c = p;
    if (rip < DIFF_CODE || rip >= DIFF_CODE + DIFF_CODE_SIZE || !c->at[rip - DIFF_CODE]) return;
    const struct item *it = &c->g->items[c->at[rip - DIFF_CODE] - 1];
    ZydisDecodedInstruction zi;
    if (ZYAN_SUCCESS(
            ZydisDecoderDecodeInstruction(&c->dec[c->g->compat], NULL, it->bytes, it->len, &zi)))
        c->count[c->g->compat][zi.mnemonic]++;
}

static void coverage_index(struct coverage *c, const struct gen *g, bool set)
{
    c->g = g;
    for (unsigned i = 0; i < g->n; i++)
        c->at[g->items[i].addr - DIFF_CODE] = set ? (uint16_t)(i + 1) : 0;
}

static uint64_t sequence_seed(uint64_t seed, uint64_t i)
{
    struct rng r = {seed ^ (i * 0xD1B54A32D192ED03ULL)};
    return rng_next(&r);
}

/* Scratch memory: random bytes with runs of one value (so REPE CMPS and
 * friends see equal data sometimes). */
static void fill_scratch(struct rng *r, uint8_t *s)
{
    for (size_t off = 0; off < DIFF_SCRATCH_SIZE; off += 64) {
        uint64_t v = rng_next(r);
        bool run = v & 1;
        for (size_t k = 0; k < 64; k += 8) {
            uint64_t w = run ? (uint8_t)(v >> 8) * 0x0101010101010101ULL : rng_next(r);
            memcpy(s + off + k, &w, 8);
        }
    }
}

/* The flags that may be undefined where the run stopped. */
static uint32_t poison_at(const struct gen *g, const struct outcome *o)
{
    if (o->vector < 0) return g->poison;
    const struct item *it = gen_item_at(g, o->rip);
    return it ? it->poison : FL_ARITH;
}

/* The register bits compared: all of them in 64-bit mode; in compatibility
 * mode the low halves of EAX..EDI only (the SDM leaves the upper halves,
 * and R8-R15, undefined across the switch back to 64-bit mode). */
static uint64_t reg_mask(bool compat, unsigned r)
{
    return !compat ? ~0ULL : r < 8 ? 0xffffffffULL : 0;
}

static bool same_regs(const struct regs *a, const struct regs *b, bool compat)
{
    for (unsigned r = 0; r < 16; r++)
        if ((a->gpr[r] ^ b->gpr[r]) & reg_mask(compat, r)) return false;
    return true;
}

static bool same(const struct outcome *a, const struct outcome *b, uint32_t poison, bool compat)
{
    if (a->vector != b->vector || a->rip != b->rip) return false;
    if (!same_regs(&a->r, &b->r, compat)) return false;
    if ((a->r.rflags ^ b->r.rflags) & FL_COMPARED & ~poison) return false;
    return memcmp(a->scratch, b->scratch, DIFF_SCRATCH_SIZE) == 0;
}

static void report(const char *what, const struct gen *g, const struct regs *in,
                   const struct outcome *a, const struct outcome *b, uint32_t poison,
                   const char *an, const char *bn)
{
    fprintf(stderr, "\n*** MISMATCH (%s)\n", what);
    gen_print(g, (const uint64_t[2]){a->rip, b->rip});
    fprintf(stderr, "initial state:\n");
    for (unsigned r = 0; r < 16; r++)
        fprintf(stderr, "  %-3s %016llx%s", gpr_names[r], (unsigned long long)in->gpr[r],
                r % 4 == 3 ? "\n" : "");
    fprintf(stderr, "  rflags %#llx\n", (unsigned long long)in->rflags);
    fprintf(stderr, "%s: %s at %#llx; %s: %s at %#llx\n", an,
            a->vector < 0 ? "completed" : "exception", (unsigned long long)a->rip, bn,
            b->vector < 0 ? "completed" : "exception", (unsigned long long)b->rip);
    if (a->vector != b->vector)
        fprintf(stderr, "  vector: %s %d, %s %d\n", an, a->vector, bn, b->vector);
    for (unsigned r = 0; r < 16; r++)
        if ((a->r.gpr[r] ^ b->r.gpr[r]) & reg_mask(g->compat, r))
            fprintf(stderr, "  %-3s %s %016llx  %s %016llx\n", gpr_names[r], an,
                    (unsigned long long)a->r.gpr[r], bn, (unsigned long long)b->r.gpr[r]);
    uint64_t fd = (a->r.rflags ^ b->r.rflags) & FL_COMPARED & ~poison;
    if (fd)
        fprintf(stderr, "  rflags %s %#llx  %s %#llx  (differ %#llx, undefined %#x)\n", an,
                (unsigned long long)a->r.rflags, bn, (unsigned long long)b->r.rflags,
                (unsigned long long)fd, poison);
    unsigned shown = 0;
    for (size_t k = 0; k < DIFF_SCRATCH_SIZE && shown < MAX_REPORTED_BYTES; k++)
        if (a->scratch[k] != b->scratch[k]) {
            fprintf(stderr, "  [%#llx] %s %02x  %s %02x\n", (unsigned long long)(DIFF_SCRATCH + k),
                    an, a->scratch[k], bn, b->scratch[k]);
            shown++;
        }
}

static bool parse(int argc, char **argv, struct options *o)
{
    const char *env = getenv("EMU_DIFF_INSNS");
    *o = (struct options){env ? strtoull(env, NULL, 0) : DEFAULT_INSNS, 1, DEFAULT_PATTERNS, -1,
                          false};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--verbose")) {
            o->verbose = true;
            continue;
        }
        if (!v) return false;
        if (!strcmp(a, "--insns"))
            o->insns = strtoull(v, NULL, 0);
        else if (!strcmp(a, "--seed"))
            o->seed = strtoull(v, NULL, 0);
        else if (!strcmp(a, "--patterns"))
            o->patterns = (unsigned)strtoul(v, NULL, 0);
        else if (!strcmp(a, "--replay"))
            o->replay = strtol(v, NULL, 0);
        else
            return false;
        i++;
    }
    return o->patterns > 0;
}

struct run {
    struct options opt;
    struct gen g;
    struct regs in;
    uint8_t scratch[DIFF_SCRATCH_SIZE];
    struct outcome native, block, step;
    struct coverage cov;
    struct isa *emu[2]; // 64-bit, compatibility mode
    uint64_t insns, sequences, faults;
    uint64_t compat_insns, compat_sequences;
    uint64_t by_vector[32];
};

/* Runs sequence i on both sides; false on a mismatch (reported). */
static bool one(struct run *r, uint64_t i)
{
    uint64_t s = sequence_seed(r->opt.seed, i);
    bool compat = i % 4 == 3; /* one sequence in four runs in compatibility mode */
    gen_sequence(&r->g, s, r->opt.patterns, compat);
    struct rng rng = {s ^ 0x5DEECE66DULL};
    gen_initial(&rng, &r->in);
    fill_scratch(&rng, r->scratch);
    native_run(&r->g, &r->in, r->scratch, &r->native);
    emu_side_run(r->emu[compat], &r->g, &r->in, r->scratch, &r->block, NULL, NULL);
    coverage_index(&r->cov, &r->g, true);
    emu_side_run(r->emu[compat], &r->g, &r->in, r->scratch, &r->step, on_insn, &r->cov);
    coverage_index(&r->cov, &r->g, false);
    r->insns += r->block.icount;
    r->sequences++;
    r->compat_insns += compat ? r->block.icount : 0;
    r->compat_sequences += compat;
    r->faults += r->native.vector >= 0;
    if (r->native.vector >= 0 && r->native.vector < 32) r->by_vector[r->native.vector]++;
    uint32_t poison = poison_at(&r->g, &r->native);
    const char *why = NULL;
    if (!same(&r->native, &r->block, poison, compat))
        why = "host vs emu";
    else if (!same(&r->block, &r->step, 0, compat))
        why = "emu blocks vs emu single-step";
    if (!why) return true;
    if (why[0] == 'h')
        report(why, &r->g, &r->in, &r->native, &r->block, poison, "host", "emu");
    else
        report(why, &r->g, &r->in, &r->block, &r->step, 0, "blocks", "step");
    fprintf(stderr, "reproduce: test_diff --seed %llu --replay %llu\n",
            (unsigned long long)r->opt.seed, (unsigned long long)i);
    return false;
}

/* Distinct mnemonics executed in 64-bit mode (mode 0), compatibility mode
 * (1) or either (2); `list` prints them with their counts. */
static unsigned mnemonics_seen(const struct coverage *c, unsigned mode, bool list)
{
    unsigned n = 0;
    for (unsigned m = 0; m <= ZYDIS_MNEMONIC_MAX_VALUE; m++) {
        uint64_t k = mode == 2 ? c->count[0][m] + c->count[1][m] : c->count[mode][m];
        if (!k) continue;
        n++;
        if (list)
            fprintf(stderr, "  %-12s %10llu %10llu\n", ZydisMnemonicGetString((ZydisMnemonic)m),
                    (unsigned long long)c->count[0][m], (unsigned long long)c->count[1][m]);
    }
    return n;
}

int main(int argc, char **argv)
{
    struct run *r = calloc(1, sizeof(*r));
    if (!r || !parse(argc, argv, &r->opt)) {
        fprintf(stderr, "usage: test_diff [--insns N] [--seed S] [--patterns P] [--replay I] "
                        "[--verbose]\n");
        return 2;
    }
    if (!native_init()) return 1;
    r->emu[0] = emu_side_new(false);
    r->emu[1] = emu_side_new(true);
    ZydisDecoderInit(&r->cov.dec[0], ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
    ZydisDecoderInit(&r->cov.dec[1], ZYDIS_MACHINE_MODE_LONG_COMPAT_32, ZYDIS_STACK_WIDTH_32);
    bool ok = true;
    if (r->opt.replay >= 0) {
        ok = one(r, (uint64_t)r->opt.replay);
        if (r->opt.verbose) gen_print(&r->g, NULL);
    } else {
        for (uint64_t i = 0; ok && r->insns < r->opt.insns; i++)
            ok = one(r, i);
    }
    if (r->opt.verbose) fprintf(stderr, "  mnemonic     64-bit     compat\n");
    unsigned distinct = mnemonics_seen(&r->cov, 2, r->opt.verbose);
    for (unsigned v = 0; v < 32 && r->opt.verbose; v++)
        if (r->by_vector[v])
            fprintf(stderr, "  faults with vector %u: %llu\n", v,
                    (unsigned long long)r->by_vector[v]);
    printf("diff: seed %llu: %llu sequences (%llu in compatibility mode), %llu instructions "
           "executed (%llu in compatibility mode), %u distinct mnemonics (%u in 64-bit mode, %u in "
           "compatibility mode), %llu sequences ended in a fault; %s\n",
           (unsigned long long)r->opt.seed, (unsigned long long)r->sequences,
           (unsigned long long)r->compat_sequences, (unsigned long long)r->insns,
           (unsigned long long)r->compat_insns, distinct, mnemonics_seen(&r->cov, 0, false),
           mnemonics_seen(&r->cov, 1, false), (unsigned long long)r->faults,
           ok ? "no mismatch" : "MISMATCH");
    emu_side_free(r->emu[0]);
    emu_side_free(r->emu[1]);
    native_fini();
    free(r);
    return ok ? 0 : 1;
}
