/* The page-fault handler (as Linux's arch/x86/mm/fault.c, in small): an
 * address space's regions say what may be mapped, and the first touch of a
 * page lands here. Two kinds of fault are resolved:
 *   - demand-zero: the page is in a region but not mapped yet (heap, stack,
 *     mmap, bss): map a fresh zeroed frame;
 *   - copy-on-write: a write to a page fork() left shared and read-only:
 *     copy the frame (or, if no one else shares it any more, just make it
 *     writable again).
 * Everything else is a bad access: the caller sends SIGSEGV or oopses. */
#include "cpu.h"
#include "memlayout.h"
#include "mm.h"
#include "mmu.h"
#include "page.h"
#include "printk.h"
#include "proc.h"
#include "str.h"
#include "traps.h"
#include "vm.h"
#include "x86.h"

static bool explain; /* the pfexplain command-line flag */

void fault_set_explain(bool on)
{
    explain = on;
}

static void say(const struct task *t, u64 addr, u64 err, const struct vma *v, const char *what,
                u64 frame)
{
    if (explain)
        printk("pf: %s[%d] %s %#lx (%s, %s mode) in %s [%#lx-%#lx]: %s, frame %#lx\n", t->comm,
               t->pid,
               err & X86_PF_INSTR   ? "fetch at"
               : err & X86_PF_WRITE ? "write to"
                                    : "read from",
               addr, err & X86_PF_PROT ? "protection" : "not present",
               err & X86_PF_USER ? "user" : "kernel", v->name, v->start, v->end, what, frame);
}

static u64 pte_flags_for(const struct vma *v)
{
    u64 f = PTE_P | PTE_U;
    if (v->flags & VM_WRITE) f |= PTE_W;
    if (!(v->flags & VM_EXEC) && cpu_has.nx) f |= PTE_NX;
    return f;
}

static bool demand_zero(pte_t *pte, const struct vma *v, const struct task *t, u64 addr, u64 err)
{
    void *page = page_alloc_zeroed();
    if (!page) return false;
    *pte = v2p(page) | pte_flags_for(v);
    say(t, addr, err, v, "mapped a zeroed page", v2p(page));
    return true;
}

static bool copy_on_write(pte_t *pte, const struct vma *v, const struct task *t, u64 addr, u64 err)
{
    u64 old = *pte & PTE_ADDR_MASK;
    struct page *pg = phys_to_page(old);
    if (pg->refcount == 1) { /* the other sharers are gone: keep the frame */
        *pte = (*pte | PTE_W) & ~(u64)PTE_COW;
        say(t, addr, err, v, "copy-on-write, last user: made writable", old);
    } else {
        void *copy = page_alloc_zeroed();
        if (!copy) return false;
        memcpy(copy, p2v(old), PAGE_SIZE);
        *pte = v2p(copy) | pte_flags_for(v);
        page_put(old);
        say(t, addr, err, v, "copy-on-write: copied the shared frame", v2p(copy));
    }
    invlpg(ALIGN_DOWN(addr, PAGE_SIZE)); /* drop the read-only translation */
    this_cpu()->cow_count++;
    return true;
}

/* Whether the region allows the access the error code describes. */
static bool access_allowed(const struct vma *v, u64 err)
{
    if ((err & X86_PF_WRITE) && !(v->flags & VM_WRITE)) return false;
    if ((err & X86_PF_INSTR) && !(v->flags & VM_EXEC)) return false;
    return v->flags & (VM_READ | VM_WRITE | VM_EXEC); /* not PROT_NONE */
}

enum fault_result page_fault_resolve(struct trapframe *tf, u64 addr)
{
    struct task *t = current_task();
    u64 err = tf->err;
    if (!t->mm || addr >= USER_TOP || (err & X86_PF_RSVD)) return FAULT_BAD_ACCESS;
    struct vma *v = vma_find(t->mm, addr);
    if (!v || !access_allowed(v, err)) return FAULT_BAD_ACCESS;
    pte_t *pte = vm_walk(t->mm->pml4, addr, true);
    if (!pte) return FAULT_NO_MEMORY;
    bool ok;
    if (!(*pte & PTE_P))
        ok = demand_zero(pte, v, t, addr, err);
    else if ((err & X86_PF_WRITE) && (*pte & PTE_COW))
        ok = copy_on_write(pte, v, t, addr, err);
    else
        return FAULT_BAD_ACCESS; /* present, and not a write to a COW page */
    if (!ok) return FAULT_NO_MEMORY;
    t->minflt++;
    this_cpu()->pf_count++;
    return FAULT_RESOLVED;
}
