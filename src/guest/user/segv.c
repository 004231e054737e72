/* segv: a write to an address no region covers. The page-fault handler
 * finds no VMA there, so the kernel sends SIGSEGV. */
#include "ulib.h"

#define NOWHERE 0xdead0000UL

int main(void)
{
    printf("segv: writing to %#lx, which is not mapped (expect #PF -> SIGSEGV)\n", NOWHERE);
    *(volatile int *)NOWHERE = 1;
    printf("segv: still alive: the write did not fault\n");
    return 1;
}
