/* privileged: CLI needs CPL <= IOPL; in ring 3 (IOPL 0) it raises #GP, which
 * the kernel turns into SIGSEGV. */
#include "ulib.h"

int main(void)
{
    printf("privileged: executing CLI in ring 3 (expect #GP -> SIGSEGV)\n");
    __asm__ volatile("cli");
    printf("privileged: still alive: CLI did not fault\n");
    return 1;
}
