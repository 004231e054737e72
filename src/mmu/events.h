/* MMU events for the hook layer (DESIGN.md §4): TLB hits, misses, fills,
 * evictions and flushes, each step of a page walk, and page faults.
 *
 * An observer is a context pointer plus optional callbacks. With no observer
 * installed the MMU pays one predictable branch on its slow path and nothing
 * on the fast path. While one is installed, the fast path is bypassed, so
 * that every TLB hit reaches the observer; statistics and guest-visible
 * behaviour are the same either way. */
#ifndef EMU_MMU_EVENTS_H
#define EMU_MMU_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

enum mmu_tlb_event_kind {
    MMU_TLB_HIT,   // a lookup found an entry
    MMU_TLB_MISS,  // a lookup found none (a walk follows)
    MMU_TLB_FILL,  // an entry was written after a walk
    MMU_TLB_EVICT, // a valid entry was replaced to make room
    MMU_TLB_FLUSH, // an invalidation (cause, entries dropped)
};

struct mmu_tlb_event {
    uint8_t kind;       // enum mmu_tlb_event_kind
    uint8_t tlb;        // enum tlb_id of the TLB concerned
    uint8_t cause;      // emu_tlb_flush_cause (MMU_TLB_FLUSH only)
    uint8_t access;     // MMU_READ / MMU_WRITE / MMU_EXEC (hit, miss, fill)
    bool global;        // the entry is global (hit, fill, evict)
    uint16_t pcid;      // PCID of the lookup or entry; of the flush's target
    uint64_t lin;       // linear address (hit, miss, fill; page of evict; INVLPG address)
    uint64_t pa;        // physical address of the page (hit, fill, evict)
    uint64_t page_size; // bytes (hit, fill, evict)
    uint64_t count;     // entries dropped (flush)
};

struct mmu_walk_event {
    uint64_t lin;        // linear address being translated
    uint64_t entry_addr; // physical address of the paging-structure entry read
    uint64_t entry;      // its value as read (before A/D updates)
    int level;           // 4 = PML4 ... 1 = PT (PAE: 3 = PDPTE register)
};

struct mmu_fault_event {
    uint64_t lin;   // the faulting linear address (what CR2 receives)
    uint32_t error; // page-fault error code (PF_*)
};

struct mmu_observer {
    void *ctx;
    void (*tlb)(void *ctx, const struct mmu_tlb_event *ev);
    void (*walk)(void *ctx, const struct mmu_walk_event *ev);
    void (*fault)(void *ctx, const struct mmu_fault_event *ev);
};

#endif
