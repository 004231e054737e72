/* brk, mmap and munmap: growing and shrinking the address space. They only
 * change the regions; pages appear on first touch (fault.c). */
#include "errno.h"
#include "memlayout.h"
#include "mm.h"
#include "mmu.h"
#include "proc.h"
#include "traps.h"
#include "uapi.h"

#define MMAP_GUARD PAGE_SIZE /* an unmapped page between mmap regions */

/* brk(addr): moves the end of the heap to addr and returns the new break;
 * a request it cannot honour leaves the break where it was (as Linux). */
long sys_brk(struct trapframe *tf)
{
    struct mm *mm = current_task()->mm;
    u64 want = tf->rdi;
    if (want < mm->brk_start || want >= USER_MMAP_BASE) return (long)mm->brk;
    u64 old_end = mm->heap->end, new_end = ALIGN_UP(want, PAGE_SIZE);
    if (new_end > old_end) {
        struct list_head *next = mm->heap->link.next;
        if (next != &mm->vmas && list_entry(next, struct vma, link)->start < new_end)
            return (long)mm->brk; /* would run into the next region */
    }
    if (new_end < old_end) vm_unmap_range(mm, new_end, old_end);
    mm->heap->end = new_end;
    mm->brk = want;
    return (long)want;
}

/* mmap(addr, length, prot, flags, fd, offset): anonymous private memory
 * only. The address hint is ignored; regions go up from USER_MMAP_BASE. */
long sys_mmap(struct trapframe *tf)
{
    struct mm *mm = current_task()->mm;
    u64 len = ALIGN_UP(tf->rsi, PAGE_SIZE);
    u64 prot = tf->rdx, flags = tf->r10;
    if (len == 0 || tf->rsi > USER_STACK_TOP - USER_STACK_SIZE - USER_MMAP_BASE) return -EINVAL;
    if (flags != (MAP_PRIVATE | MAP_ANONYMOUS) ||
        (prot & ~(u64)(PROT_READ | PROT_WRITE | PROT_EXEC)))
        return -EINVAL;
    u64 start = mm->mmap_next;
    if (start + len > USER_STACK_TOP - USER_STACK_SIZE) return -ENOMEM;
    if (!vma_add(mm, start, start + len, (u32)prot, "mmap")) return -ENOMEM;
    mm->mmap_next = start + len + MMAP_GUARD;
    return (long)start;
}

long sys_munmap(struct trapframe *tf)
{
    struct mm *mm = current_task()->mm;
    u64 start = tf->rdi, len = ALIGN_UP(tf->rsi, PAGE_SIZE);
    if ((start & (PAGE_SIZE - 1)) || len == 0 || start >= USER_TOP || len > USER_TOP - start)
        return -EINVAL;
    if (start < mm->heap->end && mm->heap->start < start + len)
        return -EINVAL; /* the heap belongs to brk() */
    return vma_unmap(mm, start, start + len);
}
