/* The program generator: emitting helpers, favourite values, and the
 * weighted choice of templates (gen.h). */
#include "gen.h"

#include "guest.h"

#define MUTATE_PCT 30 /* programs that get a few random bytes changed afterwards */
#define JMP_REL32  0xE9

void gen_b(struct gen *g, unsigned byte)
{
    if (g->len < g->cap) g->buf[g->len++] = (uint8_t)byte;
}

void gen_imm(struct gen *g, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        gen_b(g, (unsigned)(v >> (8 * i)) & 0xFF);
}

void gen_addr32(struct gen *g)
{
    if (g->bits == 16) gen_b(g, 0x67);
}

void gen_op32(struct gen *g)
{
    if (g->bits == 16) gen_b(g, 0x66);
}

void gen_rexw(struct gen *g)
{
    if (g->bits == 64) gen_b(g, 0x48);
}

void gen_mov_imm(struct gen *g, unsigned reg, uint64_t v)
{
    gen_op32(g);
    gen_rexw(g);
    gen_b(g, 0xB8 + (reg & 7));
    gen_imm(g, v, g->bits == 64 ? 8 : 4);
}

uint64_t gen_value(struct gen *g)
{
    static const uint64_t v[] = {0,
                                 1,
                                 0x7F,
                                 0x80,
                                 0xFF,
                                 0xFFFF,
                                 0x8000,
                                 0x7FFFFFFF,
                                 0x80000000,
                                 0xFFFFFFFF,
                                 0x100000000ULL,
                                 UINT64_MAX,
                                 0x8000000000000000ULL,
                                 0x0000800000000000ULL,
                                 FZ_DATA,
                                 FZ_DATA + 0xFFF,
                                 FZ_CODE,
                                 FZ_USTACK_TOP,
                                 FZ_RAM - 2,
                                 0xB8000,
                                 0xFEE00000,
                                 0xFEC00000,
                                 0xA0000,
                                 0x3FFF,
                                 0x1000};
    if (rng_chance(g->r, 30)) {
        uint64_t v = rng_next(g->r);
        return v >> rng_below(g->r, 64);
    }
    return RNG_PICK(g->r, v);
}

uint16_t gen_selector(struct gen *g)
{
    static const uint16_t s[] = {0,
                                 1,
                                 3,
                                 4,
                                 FZ_SEL_CODE64,
                                 FZ_SEL_CODE64 | 3,
                                 FZ_SEL_DATA,
                                 FZ_SEL_DATA | 3,
                                 FZ_SEL_CODE32,
                                 FZ_SEL_UDATA,
                                 FZ_SEL_UCODE64,
                                 FZ_SEL_UCODE32,
                                 FZ_SEL_CODE16,
                                 FZ_SEL_TSS,
                                 FZ_SEL_UCODE16,
                                 0xFFFF,
                                 FZ_GDT_LIMIT + 1,
                                 FZ_GDT_LIMIT - 7};
    if (rng_chance(g->r, 40)) /* one of the random descriptors, any RPL, sometimes the LDT */
        return (
            uint16_t)(((FZ_GDT_RANDOM_FIRST + rng_below(g->r, 128 - FZ_GDT_RANDOM_FIRST)) << 3) |
                      rng_below(g->r, 8));
    return RNG_PICK(g->r, s);
}

/* Somewhere to jump: into the program, unmapped, non-canonical, MMIO, data. */
uint64_t gen_target(struct gen *g)
{
    static const uint64_t t[] = {0x0000800000000000ULL,
                                 0x8000000000000000ULL,
                                 0xFFFF800000000000ULL,
                                 0x10000000,
                                 FZ_RAM - 1,
                                 FZ_RAM - 3,
                                 0xFEE00000,
                                 0xB8000,
                                 0xFFFFFFF0,
                                 FZ_DATA,
                                 FZ_STUBS,
                                 0,
                                 UINT64_MAX,
                                 0xFFFFFFFF};
    if (rng_chance(g->r, 50)) return g->base + rng_below(g->r, g->len + 64);
    return RNG_PICK(g->r, t);
}

struct weighted {
    unsigned weight[2]; // per focus: GEN_FOCUS_ALL, GEN_FOCUS_DEVICES
    gen_tmpl fn;
};

static const struct weighted templates[] = {
    {{12, 2}, t_random}, {{12, 1}, t_prefixed}, {{4, 0}, t_vex},   {{8, 1}, t_sse},
    {{6, 2}, t_string},  {{5, 1}, t_jump},      {{5, 0}, t_far},   {{4, 1}, t_segload},
    {{4, 0}, t_smc},     {{4, 1}, t_stack},     {{6, 2}, t_alu},   {{2, 2}, t_loop},
    {{8, 2}, t_system},  {{4, 2}, t_msr},       {{3, 1}, t_cr},    {{1, 0}, t_dtable},
    {{4, 2}, t_int},     {{4, 30}, t_io},       {{3, 20}, t_mmio}, {{1, 10}, t_irq_wait},
};

static gen_tmpl pick(struct gen *g)
{
    unsigned total = 0;
    for (size_t i = 0; i < sizeof(templates) / sizeof(templates[0]); i++)
        total += templates[i].weight[g->focus];
    unsigned x = (unsigned)rng_below(g->r, total);
    for (size_t i = 0;; i++) {
        if (x < templates[i].weight[g->focus]) return templates[i].fn;
        x -= templates[i].weight[g->focus];
    }
}

/* A relative jump from the end of the program back to its start. */
static void jump_back(struct gen *g)
{
    unsigned size = g->bits == 16 ? 2 : 4;
    int64_t rel = -(int64_t)(g->len + 1 + size);
    gen_b(g, JMP_REL32);
    gen_imm(g, (uint64_t)rel, size);
}

size_t gen_program(struct rng *r, unsigned bits, unsigned focus, uint64_t base, uint8_t *buf,
                   size_t cap)
{
    struct gen g = {buf, 0, cap - 5, bits, base, r, focus};
    size_t want = 16 + rng_below(r, cap / 4);
    while (g.len < want && g.len < g.cap)
        pick (&g)(&g);
    if (rng_chance(r, MUTATE_PCT) && g.len > 0)
        for (unsigned n = 1 + (unsigned)rng_below(r, 8); n > 0; n--) {
            size_t at = rng_below(r, g.len);
            buf[at] = (uint8_t)rng_next(r);
        }
    g.cap = cap;
    jump_back(&g);
    return g.len;
}
