#include "block.h"

#include <stdlib.h>

static unsigned hash_pa(uint64_t pa, uint32_t key)
{
    uint64_t h = (pa ^ ((uint64_t)key << 40)) * 0x9E3779B97F4A7C15ULL;
    return (unsigned)(h >> (64 - BC_HASH_BITS));
}

static unsigned hash_lin(uint64_t lin)
{
    return (unsigned)((lin ^ (lin >> BC_JC_BITS)) & ((1u << BC_JC_BITS) - 1));
}

/* Guest bytes being translated: up to a page plus one instruction. */
struct fetch {
    uint8_t bytes[PAGE_SIZE + X86_MAX_INSN_LEN];
    size_t have;       // bytes fetched
    uint64_t lin;      // linear address of bytes[0]
    uint64_t pa;       // physical address of bytes[0]
    uint64_t pa2;      // physical page after the first, once fetched
};

struct block_cache *bc_new(struct cpu *cpu)
{
    struct block_cache *bc = calloc(1, sizeof(*bc));
    if (!bc)
        return NULL;
    struct physmem *pm = cpu->mmu.pm;
    bc->npages = pm->ram_size >> PAGE_SHIFT;
    bc->pages = phys_alloc_lazy(bc->npages * sizeof(bc->pages[0]));
    if (!bc->pages) {
        free(bc);
        return NULL;
    }
    bc->cpu = cpu;
    bc->fetch = malloc(sizeof(*bc->fetch));
    bc->scratch = malloc(sizeof(struct insn) * BLOCK_MAX_INSNS);
    if (!bc->fetch || !bc->scratch) {
        bc_free(bc);
        return NULL;
    }
    decoders_init(&bc->dec);
    return bc;
}

static void free_list(struct block *b)
{
    while (b) {
        struct block *next = b->hnext;
        free(b);
        b = next;
    }
}

void bc_flush(struct block_cache *bc)
{
    for (unsigned i = 0; i < (1u << BC_HASH_BITS); i++) {
        free_list(bc->hash[i]);
        bc->hash[i] = NULL;
    }
    while (bc->live) {
        struct code_page *cp = bc->live;
        bc->live = cp->next_live;
        bc->pages[cp->index] = NULL;
        bc->cpu->mmu.pm->code_pages[cp->index] = 0;
        free(cp);
    }
    /* the jump cache points at the blocks just freed: empty it before
     * bc_reap reads it (it would read freed blocks' `valid`) */
    memset(bc->jc, 0, sizeof(bc->jc));
    bc_reap(bc);
    bc->nblocks = 0;
    bc->stats.flushes++;
    bc->cpu->mmu.epoch++;
}

void bc_free(struct block_cache *bc)
{
    if (!bc)
        return;
    bc_flush(bc);
    phys_free_lazy(bc->pages, bc->npages * sizeof(bc->pages[0]));
    free(bc->fetch);
    free(bc->scratch);
    free(bc);
}

void bc_reap(struct block_cache *bc)
{
    if (!bc->dead)
        return;
    for (unsigned i = 0; i < (1u << BC_JC_BITS); i++)
        if (bc->jc[i].blk && !bc->jc[i].blk->valid)
            bc->jc[i].blk = NULL;
    free_list(bc->dead);
    bc->dead = NULL;
}

/* ---- per-page bookkeeping -------------------------------------------------- */

static struct code_page *code_page_get(struct block_cache *bc, uint64_t pa, bool create)
{
    int64_t off = phys_ram_offset(bc->cpu->mmu.pm, pa);
    if (off < 0)
        return NULL;
    uint64_t idx = (uint64_t)off >> PAGE_SHIFT;
    if (!bc->pages[idx] && create) {
        struct code_page *cp = calloc(1, sizeof(struct code_page));
        if (!cp)
            return NULL;
        cp->index = idx;
        cp->next_live = bc->live;
        bc->live = cp;
        bc->pages[idx] = cp;
        bc->cpu->mmu.pm->code_pages[idx] = 1;
        mmu_protect_code_page(&bc->cpu->mmu, pa & ~PAGE_OFFSET_MASK);
    }
    return bc->pages[idx];
}

static void mark_bytes(struct code_page *cp, unsigned from, unsigned to)
{
    for (unsigned i = from; i < to; i++)
        cp->bitmap[i / 64] |= 1ULL << (i % 64);
}

static bool bytes_marked(const struct code_page *cp, unsigned from, unsigned to)
{
    for (unsigned i = from; i < to; i++)
        if (cp->bitmap[i / 64] & (1ULL << (i % 64)))
            return true;
    return false;
}

static unsigned slot_for(const struct block *b, uint64_t page)
{
    return (b->pa & ~PAGE_OFFSET_MASK) == page ? 0 : 1;
}

static void page_unlink(struct block_cache *bc, struct block *b, uint64_t page)
{
    struct code_page *cp = code_page_get(bc, page, false);
    if (!cp)
        return;
    for (struct block **p = &cp->blocks; *p; p = &(*p)->pnext[slot_for(*p, page)]) {
        if (*p == b) {
            *p = b->pnext[slot_for(b, page)];
            return;
        }
    }
}

static void hash_unlink(struct block_cache *bc, struct block *b)
{
    for (struct block **p = &bc->hash[hash_pa(b->pa, b->key)]; *p; p = &(*p)->hnext) {
        if (*p == b) {
            *p = b->hnext;
            return;
        }
    }
}

/* Retires b: out of the hash and both page lists, onto the dead list. If the
 * CPU is executing b, it stops after the current instruction. */
static void block_kill(struct block_cache *bc, struct block *b, uint64_t page_being_cleared)
{
    struct cpu *cpu = bc->cpu;
    hash_unlink(bc, b);
    uint64_t other = slot_for(b, page_being_cleared) == 0 ? b->pa2 : (b->pa & ~PAGE_OFFSET_MASK);
    if (other != BLOCK_NO_PAGE && other != page_being_cleared)
        page_unlink(bc, b, other);
    b->valid = false;
    cpu->mmu.epoch++;      /* links to b must not be followed */
    cpu->attention = true; /* reap the dead list at the next block boundary */
    if (cpu->cur >= b->insns && cpu->cur < b->insns + b->n)
        cpu_end_block(cpu);
    b->hnext = bc->dead;
    bc->dead = b;
    bc->nblocks--;
    bc->stats.invalidated++;
}

static void invalidate_page(struct block_cache *bc, struct code_page *cp, uint64_t page)
{
    struct block *b = cp->blocks;
    cp->blocks = NULL;
    while (b) {
        struct block *next = b->pnext[slot_for(b, page)];
        block_kill(bc, b, page);
        b = next;
    }
    memset(cp->bitmap, 0, sizeof(cp->bitmap));
}

void bc_code_write(void *ctx, uint64_t pa, unsigned len)
{
    struct block_cache *bc = ctx;
    uint64_t page = pa & ~PAGE_OFFSET_MASK;
    struct code_page *cp = code_page_get(bc, page, false);
    if (!cp)
        return;
    unsigned from = (unsigned)(pa & PAGE_OFFSET_MASK);
    unsigned to = from + len > PAGE_SIZE ? (unsigned)PAGE_SIZE : from + len;
    if (bytes_marked(cp, from, to))
        invalidate_page(bc, cp, page);
}

/* ---- translation ----------------------------------------------------------- */


static uint64_t cs_linear(const struct cpu *cpu, uint64_t rip)
{
    uint64_t lin = cpu->segbase[SEG_CS] + rip;
    return cpu_long64(cpu) ? lin : (lin & 0xFFFFFFFFULL);
}

/* Translates a fetch of the page at lin; false (with *err) on a page fault. */
static bool fetch_translate(struct cpu *cpu, uint64_t lin, uint64_t *pa, uint32_t *err)
{
    unsigned acc = MMU_EXEC | (cpu->cpl == 3 ? MMU_USER : 0);
    return mmu_translate(&cpu->mmu, lin, acc, pa, err);
}


/* Linear address of the page after the one holding lin (wrapping at 4 GiB
 * outside IA-32e mode). */
static uint64_t next_page_lin(const struct cpu *cpu, uint64_t lin)
{
    uint64_t next = (lin & ~PAGE_OFFSET_MASK) + PAGE_SIZE;
    return (cpu->efer & EFER_LMA) ? next : (next & 0xFFFFFFFFULL);
}

/* Appends the next page's first bytes; false if that page faults. */
static bool fetch_next_page(struct cpu *cpu, struct fetch *f, uint32_t *err)
{
    uint64_t next_lin = next_page_lin(cpu, f->lin);
    uint64_t pa;
    if (!fetch_translate(cpu, next_lin, &pa, err))
        return false;
    phys_copy_from(cpu->mmu.pm, pa, f->bytes + f->have, X86_MAX_INSN_LEN);
    f->have += X86_MAX_INSN_LEN;
    f->pa2 = pa;
    return true;
}

static void check_canonical_fetch(struct cpu *cpu, uint64_t lin)
{
    if (cpu_long64(cpu) && !is_canonical(lin))
        cpu_fault(cpu, EXC_GP, 0);
}

/* Decodes instructions at f into tmp[]; returns how many. The first
 * instruction's fetch faults are raised; later ones end the block early. */
static unsigned translate_run(struct cpu *cpu, struct fetch *f, struct insn *tmp, unsigned *bytes)
{
    struct block_cache *bc = cpu->bc;
    unsigned n = 0, off = 0;
    while (n < BLOCK_MAX_INSNS) {
        ZyanStatus st = decode_insn(&bc->dec, cpu->mode, f->bytes + off, f->have - off, &tmp[n]);
        if (st == ZYDIS_STATUS_NO_MORE_DATA && f->pa2 == BLOCK_NO_PAGE) {
            uint32_t err;
            uint64_t next = next_page_lin(cpu, f->lin);
            if (n == 0)
                check_canonical_fetch(cpu, next);
            if (!is_canonical(next) || !fetch_next_page(cpu, f, &err)) {
                if (n == 0)
                    cpu_page_fault(cpu, next, err);
                break;
            }
            continue;
        }
        if (st == ZYDIS_STATUS_INSTRUCTION_TOO_LONG) {
            tmp[n] = (struct insn){.fn = op_too_long, .len = X86_MAX_INSN_LEN, .flags = INSN_END};
        } else if (!ZYAN_SUCCESS(st)) {
            tmp[n] = (struct insn){.fn = op_ud, .len = 1, .flags = INSN_END};
        }
        off += tmp[n].len;
        n++;
        if ((tmp[n - 1].flags & INSN_END) || off >= PAGE_SIZE - (f->lin & PAGE_OFFSET_MASK))
            break;
    }
    *bytes = off;
    return n;
}

static void register_block(struct block_cache *bc, struct block *b)
{
    unsigned h = hash_pa(b->pa, b->key);
    b->hnext = bc->hash[h];
    bc->hash[h] = b;
    uint64_t page = b->pa & ~PAGE_OFFSET_MASK;
    unsigned start = (unsigned)(b->pa & PAGE_OFFSET_MASK);
    unsigned end1 = start + b->bytes > PAGE_SIZE ? (unsigned)PAGE_SIZE : start + b->bytes;
    struct code_page *cp = code_page_get(bc, page, true);
    if (cp) {
        mark_bytes(cp, start, end1);
        b->pnext[0] = cp->blocks;
        cp->blocks = b;
    }
    if (b->pa2 != BLOCK_NO_PAGE) {
        struct code_page *cp2 = code_page_get(bc, b->pa2, true);
        if (cp2) {
            mark_bytes(cp2, 0, start + b->bytes - (unsigned)PAGE_SIZE);
            b->pnext[1] = cp2->blocks;
            cp2->blocks = b;
        }
    }
    bc->nblocks++;
    bc->stats.translated++;
}

static struct block *translate(struct cpu *cpu, uint64_t lin, uint64_t pa)
{
    static const size_t max_chunk = (BLOCK_MAX_INSNS + 1) * X86_MAX_INSN_LEN;
    struct fetch *f = cpu->bc->fetch;
    struct insn *tmp = cpu->bc->scratch;
    f->lin = lin;
    f->pa = pa;
    f->pa2 = BLOCK_NO_PAGE;
    f->have = PAGE_SIZE - (lin & PAGE_OFFSET_MASK);
    if (f->have > max_chunk)
        f->have = max_chunk;
    phys_copy_from(cpu->mmu.pm, pa, f->bytes, f->have);
    unsigned bytes = 0;
    unsigned n = translate_run(cpu, f, tmp, &bytes);
    struct block *b = malloc(sizeof(*b) + n * sizeof(struct insn));
    if (b) {
        *b = (struct block){.pa = pa, .pa2 = BLOCK_NO_PAGE, .key = cpu->mode,
                            .n = (uint16_t)n, .bytes = (uint16_t)bytes, .valid = true};
        if (bytes > PAGE_SIZE - (lin & PAGE_OFFSET_MASK))
            b->pa2 = f->pa2 & ~PAGE_OFFSET_MASK;
        memcpy(b->insns, tmp, n * sizeof(struct insn));
        register_block(cpu->bc, b);
    }
    return b;
}

/* ---- lookup ----------------------------------------------------------------- */

static struct block *hash_find(struct block_cache *bc, uint64_t pa, uint32_t key)
{
    for (struct block *b = bc->hash[hash_pa(pa, key)]; b; b = b->hnext)
        if (b->pa == pa && b->key == key)
            return b;
    return NULL;
}

/* A cached block that crosses a page is only valid while the second page
 * still maps to the same physical page. */
static bool second_page_ok(struct cpu *cpu, const struct block *b, uint64_t lin)
{
    if (b->pa2 == BLOCK_NO_PAGE)
        return true;
    uint64_t pa;
    uint32_t err;
    uint64_t next = next_page_lin(cpu, lin);
    return is_canonical(next) && fetch_translate(cpu, next, &pa, &err) &&
           (pa & ~PAGE_OFFSET_MASK) == b->pa2;
}

static uint64_t fetch_pa(struct cpu *cpu, uint64_t lin)
{
    int idx = cpu->cpl == 3 ? MMU_IDX_USER : MMU_IDX_SUP;
    struct mmu_fast *e = mmu_fast_entry(&cpu->mmu, idx, lin);
    if (likely(e->tag_x == (lin & ~PAGE_OFFSET_MASK))) {
        ++*e->ihits; /* an instruction TLB hit (mmu.h) */
        cpu->mmu.fetch_hits = e->ihits;
        return e->pa_page | (lin & PAGE_OFFSET_MASK);
    }
    check_canonical_fetch(cpu, lin);
    uint64_t pa;
    uint32_t err;
    if (!fetch_translate(cpu, lin, &pa, &err))
        cpu_page_fault(cpu, lin, err);
    return pa;
}

struct block *bc_lookup(struct cpu *cpu)
{
    struct block_cache *bc = cpu->bc;
    if (unlikely(!cpu_long64(cpu)) && cpu->rip > cpu->seg[SEG_CS].limit)
        cpu_fault(cpu, EXC_GP, 0);
    uint64_t lin = cs_linear(cpu, cpu->rip);
    uint64_t pa = fetch_pa(cpu, lin);
    uint64_t *hits = cpu->mmu.fetch_hits; /* later fetches below must not replace it */
    struct jc_entry *jc = &bc->jc[hash_lin(lin)];
    struct block *b = jc->blk;
    if (likely(b && jc->lin == lin && b->pa == pa && b->key == cpu->mode && b->pa2 == BLOCK_NO_PAGE))
        return b;
    b = hash_find(bc, pa, cpu->mode);
    if (b && !second_page_ok(cpu, b, lin)) {
        block_kill(bc, b, b->pa & ~PAGE_OFFSET_MASK);
        page_unlink(bc, b, b->pa & ~PAGE_OFFSET_MASK);
        b = NULL;
    }
    if (!b) {
        if (bc->nblocks >= BC_MAX_BLOCKS)
            bc_flush(bc);
        b = translate(cpu, lin, pa);
        if (!b)
            cpu_fault(cpu, EXC_MC, EXC_NO_ERROR); /* host out of memory */
    }
    jc->lin = lin;
    jc->blk = b;
    cpu->mmu.fetch_hits = hits;
    return b;
}
