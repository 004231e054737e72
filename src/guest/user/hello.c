/* hello: the smallest demonstration -- a program loaded by execve, talking
 * to the kernel through system calls. */
#include "ulib.h"

int main(void)
{
    struct utsname u;
    if (uname(&u) < 0) return 1;
    printf("Hello from user space! I am pid %d, my parent is pid %d.\n", getpid(), getppid());
    printf("hello: running on %s %s (%s)\n", u.sysname, u.release, u.machine);
    return 0;
}
