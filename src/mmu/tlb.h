/* The TLB model: translation lookaside buffers as the SDM (Vol. 3 §4.10)
 * defines them, with a geometry like a real core's.
 *
 * A TLB has one set-associative array per page-size class (4 KiB; 2 MiB or
 * 4 MiB; 1 GiB), each with its own sets and ways, probed together as the
 * hardware does. An entry caches the translation of one page: its physical
 * base, the combined access rights (U/S and R/W of every level, XD of any
 * level), the dirty flag, the global flag and the PCID it was made under.
 * Permission checks use the cached rights with the current CR0.WP, CR4.SMEP,
 * CR4.SMAP and RFLAGS.AC, so a page-table edit the guest did not follow with
 * INVLPG stays invisible (deterministically) until the entry leaves.
 *
 * Entries leave by eviction (replacement policy), by the invalidations the
 * SDM lists (struct tlb_flush_cause), or by a page fault on their address.
 * This file keeps the arrays and the statistics; mmu.c decides when. */
#ifndef EMU_MMU_TLB_H
#define EMU_MMU_TLB_H

#include <stdbool.h>
#include <stdint.h>

#include "../../include/emu/emu.h"

enum tlb_class { TLB_CLASS_4K, TLB_CLASS_LARGE, TLB_CLASS_1G, TLB_CLASSES };
enum tlb_id { TLB_ITLB = EMU_TLB_INSTRUCTION, TLB_DTLB = EMU_TLB_DATA, TLB_COUNT };

#define TLB_MAX_SETS 4096
#define TLB_MAX_WAYS 64
#define TLB_VPN_NONE UINT64_MAX /* vpn of an empty entry (no linear page has it) */
#define PCID_MASK    0xFFFu

/* tlb_entry.flags */
enum {
    TLBE_USER = 1 << 0,   // U/S=1 at every level
    TLBE_WRITE = 1 << 1,  // R/W=1 at every level
    TLBE_NX = 1 << 2,     // XD=1 at some level (only with EFER.NXE)
    TLBE_DIRTY = 1 << 3,  // D=1 in the entry that maps the page
    TLBE_GLOBAL = 1 << 4, // G=1 in that entry, with CR4.PGE
};

struct tlb_entry {
    uint64_t vpn;    // linear address >> shift, or TLB_VPN_NONE
    uint64_t pa;     // physical address of the page
    uint64_t hits;   // lookups this entry satisfied (the fast path counts here too)
    uint64_t seen;   // hits when the clock hand last passed
    uint32_t nbound; // fast-path slots that point at this entry
    uint16_t pcid;   // PCID the translation was made under (0 while CR4.PCIDE=0)
    uint8_t flags;   // TLBE_*
    uint8_t shift;   // page shift: 12, 21, 22 or 30
    bool ref;        // referenced since the hand last passed (fill, slow-path hit)
};

struct tlb_array {
    struct tlb_entry *e; // sets * ways entries, set-major
    uint8_t *hand;       // per set: next way the replacement policy looks at
    uint16_t sets;       // a power of two
    uint16_t ways;       // 0: pages of this class are not cached
    uint32_t nvalid;     // entries in use (a lookup skips an empty array)
};

struct tlb_stats {
    uint64_t hits_retired; // hits of entries that have left
    uint64_t misses;
    uint64_t fills;
    uint64_t evictions;   // valid entries replaced to make room
    uint64_t invalidated; // entries dropped by flushes and invalidations
    uint64_t flushes[EMU_TLB_FLUSH_CAUSES];
};

struct tlb;
/* Called for every entry that leaves the TLB, before it is reused:
 * `evicted` when replaced to make room, else invalidated or refreshed. */
typedef void (*tlb_drop_fn)(void *ctx, struct tlb *t, struct tlb_entry *e, bool evicted);

struct tlb {
    struct tlb_array arr[TLB_CLASSES];
    struct tlb_stats stats;
    uint8_t id;     // enum tlb_id (the DTLB serves fetches too when unified)
    uint8_t policy; // emu_tlb_policy
    uint32_t rng;   // state of the RANDOM policy (xorshift32, seeded at init)
    tlb_drop_fn on_drop;
    void *drop_ctx;
};

/* What a fill caches: the outcome of a successful walk. */
struct tlb_fill {
    uint64_t lin;  // linear address translated
    uint64_t pa;   // physical address of the page (aligned to its size)
    uint8_t shift; // page shift
    uint8_t flags; // TLBE_*
    uint16_t pcid;
};

/* The default geometry (docs/mmu.md): ITLB 128x4K 8-way, 8x2M/4M, 4x1G;
 * DTLB 64x4K 4-way, 32x2M/4M 4-way, 4x1G; CLOCK replacement; split. */
void tlb_default_config(emu_tlb_config *c);
/* Checks a configuration: sets a power of two in [1, TLB_MAX_SETS], ways
 * in [0, TLB_MAX_WAYS], a known policy. */
bool tlb_config_valid(const emu_tlb_config *c);

/* Allocates the arrays for `geom` (index enum tlb_class). 0 or -1 (no memory). */
int tlb_init(struct tlb *t, enum tlb_id id, const emu_tlb_geometry geom[TLB_CLASSES],
             emu_tlb_policy policy, tlb_drop_fn on_drop, void *drop_ctx);
void tlb_destroy(struct tlb *t);

/* The page shift of the large class: 22 under 32-bit paging, else 21. */
static inline unsigned tlb_class_shift(enum tlb_class c, unsigned large_shift)
{
    return c == TLB_CLASS_4K ? 12 : c == TLB_CLASS_LARGE ? large_shift : 30;
}

/* The entry that translates lin for `pcid` (a non-global entry of that
 * PCID, or a global entry), probing 4K, large and 1G arrays in that order;
 * NULL on a miss. Does not count. */
struct tlb_entry *tlb_lookup(struct tlb *t, uint64_t lin, uint16_t pcid, unsigned large_shift);

/* Caches f in `replace` (an entry being refreshed: a write through a clean
 * entry walked again), else in an empty way or a victim chosen by the
 * policy; the caller has just missed, so no entry for f's page and PCID
 * exists. Returns the entry, or NULL if f's size class has no ways. Counts a
 * fill (and an eviction if a valid entry was replaced). */
struct tlb_entry *tlb_insert(struct tlb *t, const struct tlb_fill *f, struct tlb_entry *replace);

/* Which entries an invalidation drops. */
enum tlb_match {
    TLB_MATCH_ALL,            // every entry
    TLB_MATCH_PCID,           // entries of `pcid`, global ones included
    TLB_MATCH_PCID_NONGLOBAL, // non-global entries of `pcid`
    TLB_MATCH_NONGLOBAL,      // non-global entries of every PCID
};

/* Drops the entries selected by `match` and counts one flush of `cause`.
 * Returns the number of entries dropped. */
uint64_t tlb_flush(struct tlb *t, enum tlb_match match, uint16_t pcid, unsigned cause);

/* Drops every entry without counting a flush (host-initiated). */
void tlb_clear(struct tlb *t);

/* Drops entries for the page holding lin: those of `pcid` and, if
 * `globals`, global entries of any PCID. Counts one flush of `cause`. */
uint64_t tlb_flush_page(struct tlb *t, uint64_t lin, uint16_t pcid, bool globals,
                        unsigned large_shift, unsigned cause);

/* Statistics with the hits of live entries folded in. */
void tlb_read_stats(const struct tlb *t, emu_tlb_stats *out);

#endif
