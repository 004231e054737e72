/* Touching user memory from the kernel. */
#include "uaccess.h"

#include "errno.h"
#include "memlayout.h"
#include "traps.h"

struct exception_table_entry {
    u64 insn;  // address of an instruction that may fault on a user address
    u64 fixup; // where to continue if it does
};

extern const struct exception_table_entry __start___ex_table[], __stop___ex_table[];

/* The whole range is in the user half (and does not wrap around). */
static bool access_ok(const void *uptr, u64 n)
{
    u64 a = (u64)uptr;
    return a + n >= a && a + n <= USER_TOP;
}

/* Copies n bytes; returns how many were NOT copied (0 on success). The
 * exception-table entry makes a fault at 1: resume at 2: with RCX holding
 * the bytes left. */
static __attribute__((noinline)) u64 copy_user_generic(void *dst, const void *src, u64 n)
{
    __asm__ volatile("1: rep movsb\n"
                     "2:\n"
                     ".pushsection __ex_table, \"a\"\n"
                     ".balign 8\n"
                     ".quad 1b, 2b\n"
                     ".popsection"
                     : "+D"(dst), "+S"(src), "+c"(n)
                     :
                     : "memory");
    return n;
}

int copy_from_user(void *dst, const void *usrc, u64 n)
{
    if (!access_ok(usrc, n)) return -EFAULT;
    return copy_user_generic(dst, usrc, n) ? -EFAULT : 0;
}

int copy_to_user(void *udst, const void *src, u64 n)
{
    if (!access_ok(udst, n)) return -EFAULT;
    return copy_user_generic(udst, src, n) ? -EFAULT : 0;
}

long strncpy_from_user(char *dst, const char *usrc, u64 size)
{
    for (u64 i = 0; i < size; i++) {
        if (copy_from_user(&dst[i], usrc + i, 1)) return -EFAULT;
        if (dst[i] == '\0') return (long)i;
    }
    return -ENAMETOOLONG;
}

static const struct exception_table_entry *search_extable(u64 rip)
{
    for (const struct exception_table_entry *e = __start___ex_table; e < __stop___ex_table; e++)
        if (e->insn == rip) return e;
    return NULL;
}

bool in_user_access(u64 rip)
{
    return search_extable(rip) != NULL;
}

bool fixup_exception(struct trapframe *tf)
{
    const struct exception_table_entry *e = search_extable(tf->rip);
    if (e) tf->rip = e->fixup;
    return e != NULL;
}
