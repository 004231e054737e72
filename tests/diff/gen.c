/* The sequence generator: picks patterns from the table, lets them emit
 * instructions as Zydis encoder requests with random operands, tracks which
 * flags may be undefined and how deep the stack may be on every path, then
 * lays the sequence out at DIFF_SEQ and encodes it (relative branches and
 * RIP-relative operands resolved by ZydisEncoderEncodeInstructionAbsolute). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"

#define STACK_LIMIT   2048 /* |bytes pushed| on any path; the region allows 4096 */
#define PATTERN_TRIES 16

/* ---- random numbers (splitmix64) ---------------------------------------------- */

uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
    return n ? rng_next(r) % n : 0;
}

uint64_t sext_to(uint64_t v, unsigned size)
{
    unsigned shift = 64 - size * 8;
    return (uint64_t)((int64_t)(v << shift) >> shift);
}

uint64_t rng_value(struct rng *r, unsigned size)
{
    static const uint64_t special[] = {
        0,
        1,
        2,
        3,
        0x7f,
        0x80,
        0xff,
        0x100,
        0x7fff,
        0x8000,
        0xffff,
        0x10000,
        0x7fffffff,
        0x80000000,
        0xffffffff,
        0x100000000ULL,
        0x7fffffffffffffffULL,
        0x8000000000000000ULL,
        ~0ULL,
        ~1ULL,
        0x8000000000000001ULL,
        0x5555555555555555ULL,
        0xaaaaaaaaaaaaaaaaULL,
    };
    uint64_t v;
    switch (rng_below(r, 8)) {
    case 0:
    case 1: v = special[rng_below(r, sizeof(special) / sizeof(special[0]))]; break;
    case 2: v = rng_below(r, 64); break;
    case 3: v = (uint64_t) - (int64_t)rng_below(r, 64); break;
    case 4: v = rng_next(r) & 0xff; break;
    default: v = rng_next(r); break;
    }
    return sext_to(v, size);
}

void gen_initial(struct rng *r, struct regs *regs)
{
    for (unsigned i = 0; i < 16; i++)
        regs->gpr[i] = rng_value(r, 8);
    regs->gpr[REG_RSP_ID] = DIFF_RSP0;
    regs->rflags = FL_FIXED | FL_IF | (rng_next(r) & FL_ARITH);
    if (rng_below(r, 4) == 0) regs->rflags |= FL_DF;
}

/* ---- emitting ------------------------------------------------------------------ */

static bool encode(struct item *it, uint64_t addr, uint64_t target)
{
    ZydisEncoderRequest req = it->req;
    if (it->target >= 0) {
        for (unsigned k = 0; k < req.operand_count; k++) {
            ZydisEncoderOperand *o = &req.operands[k];
            if (o->type == ZYDIS_OPERAND_TYPE_IMMEDIATE)
                o->imm.u = target;
            else if (o->type == ZYDIS_OPERAND_TYPE_MEMORY && o->mem.base == ZYDIS_REGISTER_RIP)
                o->mem.displacement = (ZyanI64)target;
        }
    }
    ZyanUSize len = sizeof(it->bytes);
    if (!ZYAN_SUCCESS(ZydisEncoderEncodeInstructionAbsolute(&req, it->bytes, &len, addr)))
        return false;
    it->len = (uint8_t)len;
    it->addr = addr;
    return true;
}

int emit(struct gen *g, ZydisMnemonic m, unsigned n, const ZydisEncoderOperand *ops)
{
    if (g->n >= GEN_MAX_ITEMS) return -1;
    struct item *it = &g->items[g->n];
    memset(it, 0, sizeof(*it));
    it->req.machine_mode =
        g->compat ? ZYDIS_MACHINE_MODE_LONG_COMPAT_32 : ZYDIS_MACHINE_MODE_LONG_64;
    it->req.mnemonic = m;
    it->req.operand_count = (ZyanU8)n;
    for (unsigned k = 0; k < n; k++)
        it->req.operands[k] = ops[k];
    it->req.prefixes = g->opt.prefixes;
    it->req.branch_type = g->opt.branch_type;
    it->req.branch_width = g->opt.branch_width;
    it->req.address_size_hint = g->opt.asz;
    it->req.operand_size_hint = g->opt.osz;
    it->target = g->opt.target ? g->opt.target : -1;
    it->poison = g->poison;
    memset(&g->opt, 0, sizeof(g->opt));
    if (!encode(it, DIFF_SEQ, DIFF_SEQ + 2)) {
        g->failed = true;
        return -1;
    }
    return (int)g->n++;
}

void flags_effect(struct gen *g, uint32_t defined, uint32_t undef)
{
    g->poison = (g->poison & ~defined) | undef;
}

void need_flags(struct gen *g, uint32_t need)
{
    if (!(g->poison & need)) return;
    static const ZydisMnemonic cleaners[] = {ZYDIS_MNEMONIC_CMP, ZYDIS_MNEMONIC_ADD,
                                             ZYDIS_MNEMONIC_SUB};
    unsigned size = pick_size(g, 0xf);
    ZydisMnemonic m = cleaners[rng_below(&g->rng, 3)];
    ZydisRegister r = pick_reg(g, size, true);
    (void)emit(g, m, 2,
               (ZydisEncoderOperand[]){op_reg(r), op_imm(rng_value(&g->rng, size < 4 ? size : 4))});
    flags_effect(g, FL_ARITH, 0);
}

bool stack_ok(const struct gen *g, int push_max, int pop_max)
{
    return g->depth_hi + push_max <= STACK_LIMIT && g->depth_lo - pop_max >= -STACK_LIMIT;
}

void stack_effect(struct gen *g, int delta)
{
    g->depth_lo += delta;
    g->depth_hi += delta;
}

int pick_label(struct gen *g, unsigned max_ahead)
{
    unsigned l = g->pat + 1 + (unsigned)rng_below(&g->rng, max_ahead);
    return (int)(l > g->npat ? g->npat : l);
}

static void merge(struct arrival *to, const struct arrival *a)
{
    if (!a->any) return;
    if (!to->any) {
        *to = *a;
        return;
    }
    to->poison |= a->poison;
    to->lo = a->lo < to->lo ? a->lo : to->lo;
    to->hi = a->hi > to->hi ? a->hi : to->hi;
}

bool flow_to(struct gen *g, int label, bool cond)
{
    if (g->npending == GEN_MAX_BRANCHES) return false;
    if (g->live)
        g->pending[g->npending++] =
            (struct pending_branch){label, {true, g->poison, g->depth_lo, g->depth_hi}};
    if (!cond) g->live = false;
    return true;
}

bool branch_to(struct gen *g, int item, int label, bool cond)
{
    if (item < 0) return false;
    g->items[item].target = label;
    return flow_to(g, label, cond);
}

/* ---- the sequence ------------------------------------------------------------------ */

/* Merges what arrives at pattern p by branches into the fall-through state. */
static void enter_label(struct gen *g, unsigned p)
{
    struct arrival here = {g->live, g->poison, g->depth_lo, g->depth_hi};
    merge(&here, &g->in[p]);
    g->live = here.any;
    if (here.any) {
        g->poison = here.poison;
        g->depth_lo = here.lo;
        g->depth_hi = here.hi;
    }
}

/* Emits one pattern, retrying with others when one cannot be built here (no
 * encoding, no stack room, no items left); its branches count only if it
 * is kept. */
static void one_pattern(struct gen *g)
{
    unsigned n = g->n;
    bool live = g->live;
    uint32_t poison = g->poison;
    int lo = g->depth_lo, hi = g->depth_hi;
    for (unsigned t = 0; t < PATTERN_TRIES; t++) {
        g->used = 0;
        g->npending = 0;
        g->failed = false;
        memset(&g->opt, 0, sizeof(g->opt));
        memset(&g->mopt, 0, sizeof(g->mopt));
        if (pattern_pick(&g->rng, g->compat)->fn(g) && !g->failed && g->n > n) {
            for (unsigned b = 0; b < g->npending; b++)
                merge(&g->in[g->pending[b].label], &g->pending[b].a);
            return;
        }
        g->n = n;
        g->live = live;
        g->poison = poison;
        g->depth_lo = lo;
        g->depth_hi = hi;
    }
    g->used = 0;
    g->failed = false;
    memset(&g->opt, 0, sizeof(g->opt));
    EMIT0(g, NOP);
}

/* Assigns addresses and encodes; false if a branch cannot reach its label. */
static bool layout(struct gen *g)
{
    uint64_t addr = DIFF_SEQ;
    for (unsigned i = 0; i < g->n; i++) {
        struct item *it = &g->items[i];
        if (!encode(it, addr, addr + 2)) /* a near dummy target: any width fits */
            return false;
        addr += it->len;
    }
    g->code_end = addr;
    g->label_item[g->npat] = (int)g->n;
    for (unsigned i = 0; i < g->n; i++) {
        struct item *it = &g->items[i];
        if (it->target < 0) continue;
        int li = g->label_item[it->target];
        uint64_t t = li >= (int)g->n ? g->code_end : g->items[li].addr;
        uint8_t len = it->len;
        if (!encode(it, it->addr, t) || it->len != len) return false;
    }
    return true;
}

void gen_sequence(struct gen *g, uint64_t seed, unsigned npat, bool compat)
{
    if (npat > GEN_MAX_LABELS) npat = GEN_MAX_LABELS;
    for (uint64_t attempt = 0;; attempt++) {
        memset(g, 0, sizeof(*g));
        g->rng.s = seed + attempt * 0x632BE59BD9B4E019ULL;
        g->npat = npat;
        g->compat = compat;
        g->live = true;
        for (unsigned p = 0; p < npat; p++) {
            g->pat = p;
            enter_label(g, p);
            g->label_item[p] = (int)g->n;
            one_pattern(g);
        }
        g->pat = npat;
        enter_label(g, npat);
        if (layout(g)) return;
    }
}

const struct item *gen_item_at(const struct gen *g, uint64_t rip)
{
    for (unsigned i = 0; i < g->n; i++)
        if (g->items[i].addr == rip) return &g->items[i];
    return NULL;
}

void gen_print(const struct gen *g, const uint64_t mark[2])
{
    ZydisDecoder dec;
    ZydisFormatter fmt;
    ZydisDecoderInit(&dec,
                     g->compat ? ZYDIS_MACHINE_MODE_LONG_COMPAT_32 : ZYDIS_MACHINE_MODE_LONG_64,
                     g->compat ? ZYDIS_STACK_WIDTH_32 : ZYDIS_STACK_WIDTH_64);
    ZydisFormatterInit(&fmt, ZYDIS_FORMATTER_STYLE_INTEL);
    for (unsigned i = 0; i < g->n; i++) {
        const struct item *it = &g->items[i];
        ZydisDecodedInstruction zi;
        ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
        char text[128] = "(undecodable)";
        if (ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, it->bytes, it->len, &zi, ops)))
            ZydisFormatterFormatInstruction(&fmt, &zi, ops, zi.operand_count_visible, text,
                                            sizeof(text), it->addr, NULL);
        char hex[48] = "";
        for (unsigned k = 0; k < it->len && k < 15; k++)
            snprintf(hex + 3 * k, 4, "%02x ", it->bytes[k]);
        bool marked = mark && (mark[0] == it->addr || mark[1] == it->addr);
        fprintf(stderr, "%s %08llx  %-45s %s\n", marked ? "=>" : "  ", (unsigned long long)it->addr,
                hex, text);
    }
    fprintf(stderr, "   %08llx  (end)\n", (unsigned long long)g->code_end);
}
