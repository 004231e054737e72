/* divzero: a division by zero in ring 3 raises #DE. The kernel turns the
 * exception into SIGFPE and kills this process -- and only this process. */
#include "ulib.h"

int main(void)
{
    unsigned dividend = 1, divisor = 0, quotient;
    printf("divzero: dividing 1 by 0 (expect #DE -> SIGFPE)\n");
    /* DIV itself, not C's '/': the compiler may turn 1 / x into compares. */
    __asm__ volatile("xorl %%edx, %%edx\n\tdivl %2"
                     : "=a"(quotient)
                     : "a"(dividend), "r"(divisor)
                     : "rdx");
    printf("divzero: still alive, quotient %u: the exception was lost\n", quotient);
    return 1;
}
