/* Address spaces: a page table plus the list of regions (VMAs) that may be
 * mapped in it. Pages are mapped lazily: a region only says what *may* be
 * there; the page-fault handler (fault.c) fills it in on first touch. */
#ifndef KERNEL_MM_H
#define KERNEL_MM_H

#include "list.h"
#include "types.h"
#include "vm.h"

/* VMA permissions: the same bits as PROT_READ/WRITE/EXEC. */
#define VM_READ  1
#define VM_WRITE 2
#define VM_EXEC  4

struct trapframe;

struct vma {
    u64 start, end;        // [start, end), page aligned
    u32 flags;             // VM_*
    const char *name;      // "text", "data", "heap", "stack", "mmap"
    struct list_head link; // in mm.vmas, sorted by start
};

struct mm {
    pte_t *pml4;           // the page table (kernel half shared)
    u16 pcid;              // TLB tag (0: none, flush on every switch)
    bool pcid_fresh;       // the TLB may hold a previous owner's entries: flush once
    struct list_head vmas; // regions, sorted by address
    struct vma *heap;      // [brk_start, ALIGN_UP(brk)): grown by brk()
    u64 brk_start, brk;    // program break
    u64 mmap_next;         // where the next mmap() region goes
};

/* An empty address space with the kernel half, or NULL. */
struct mm *mm_create(void);
void mm_destroy(struct mm *mm);
/* A copy-on-write copy of the current task's mm for fork(), or NULL. */
struct mm *mm_fork(struct mm *parent);
/* The CR3 value that switches to mm: its PML4 and PCID, and the no-flush
 * bit unless this PCID must be flushed first. */
u64 mm_cr3(struct mm *mm);

/* Adds the region [start, end); NULL if it overlaps one or memory ran out. */
struct vma *vma_add(struct mm *mm, u64 start, u64 end, u32 flags, const char *name);
/* The region containing addr, or NULL. */
struct vma *vma_find(struct mm *mm, u64 addr);
/* Unmaps [start, end): trims, splits or removes regions, then frees the
 * pages (vm_unmap_range). 0 or -ENOMEM. */
int vma_unmap(struct mm *mm, u64 start, u64 end);
/* Frees the pages mapped in [start, end) of the current address space and
 * invalidates their TLB entries (INVLPG); the regions stay. */
void vm_unmap_range(struct mm *mm, u64 start, u64 end);

long sys_brk(struct trapframe *tf);
long sys_mmap(struct trapframe *tf);
long sys_munmap(struct trapframe *tf);

enum fault_result {
    FAULT_RESOLVED,   // the page is there now: retry the access
    FAULT_BAD_ACCESS, // no region allows it: SIGSEGV (or -EFAULT, or an oops)
    FAULT_NO_MEMORY,  // allowed, but no frame is left for it
};

/* Resolves a page fault at addr in the current task's address space:
 * demand-zero or copy-on-write. */
enum fault_result page_fault_resolve(struct trapframe *tf, u64 addr);
void fault_set_explain(bool on);

#endif
