/* Translated blocks: runs of decoded instructions that end at a control
 * transfer, a mode-changing instruction, I/O, or a page end. Cached by
 * (physical address, decode mode); a write to a physical page that holds
 * translated bytes invalidates that page's blocks before the next
 * instruction runs. */
#ifndef EMU_CPU_BLOCK_H
#define EMU_CPU_BLOCK_H

#include "decode.h"

#define BLOCK_MAX_INSNS 64
#define BLOCK_NO_PAGE UINT64_MAX
#define BC_HASH_BITS 16
#define BC_JC_BITS 12
#define BC_MAX_BLOCKS (1u << 17) /* beyond this the whole cache is flushed */

/* A successor found once, followed again without a lookup while the epoch
 * (cpu->mmu.epoch) is unchanged. */
struct block_link {
    uint64_t rip;           // RIP the predecessor left
    uint64_t epoch;         // mmu.epoch when the link was made
    struct block *to;
    uint64_t *ihits;        // the ITLB entry's hit counter: following the link is a fetch hit
};

#define BLOCK_LINKS 2

struct block {
    struct block_link links[BLOCK_LINKS]; // taken / fall-through, or the last two targets
    uint8_t next_link;      // the slot the next new link replaces
    uint64_t pa;            // physical address of the first byte
    uint64_t pa2;           // physical page of the bytes past the first page, or BLOCK_NO_PAGE
    struct block *hnext;    // hash chain (dead list once invalid)
    struct block *pnext[2]; // per-page lists: [0] for pa's page, [1] for pa2
    uint32_t key;           // enum cpu_mode decoded for
    uint16_t n;             // instructions
    uint16_t bytes;         // bytes covered
    bool valid;
    struct insn insns[];
};

/* Blocks and a byte map of translated code, per RAM page. */
struct code_page {
    struct block *blocks;
    uint64_t bitmap[PAGE_SIZE / 64]; // 1 = byte belongs to a translated instruction
    struct code_page *next_live;     // the cache's list of pages with code
    uint64_t index;                  // RAM page number (offset >> PAGE_SHIFT)
};

struct jc_entry {
    uint64_t lin;        // linear address of the block start
    struct block *blk;
};

struct bc_stats {
    uint64_t translated;  // blocks translated
    uint64_t invalidated; // blocks dropped by code writes
    uint64_t flushes;     // whole-cache flushes
};

struct fetch;

struct block_cache {
    struct block *hash[1u << BC_HASH_BITS];
    struct jc_entry jc[1u << BC_JC_BITS];
    struct code_page **pages; // per RAM page (index: RAM offset >> PAGE_SHIFT), lazily backed
    uint64_t npages;
    struct code_page *live;   // every page in `pages`, so a flush need not scan them all
    struct block *dead;       // invalidated blocks, freed between blocks
    size_t nblocks;
    struct decoders dec;
    /* Translation scratch, allocated once: a fetch fault while translating
     * unwinds out of translate() (cpu_fault), so nothing there may own memory. */
    struct fetch *fetch;
    struct insn *scratch;
    struct bc_stats stats;
    struct cpu *cpu;
};

struct block_cache *bc_new(struct cpu *cpu);
void bc_free(struct block_cache *bc);

/* The block for the current RIP (translating it if needed). Raises #PF/#GP
 * for a fetch fault on the first instruction. */
struct block *bc_lookup(struct cpu *cpu);

/* Frees blocks invalidated while executing. Call between blocks. */
void bc_reap(struct block_cache *bc);

/* Drops every block (CPU reset, cache full). Between blocks only. */
void bc_flush(struct block_cache *bc);

/* physmem callback: a write is about to land on a page with code. */
void bc_code_write(void *ctx, uint64_t pa, unsigned len);

#endif
