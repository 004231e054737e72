/* badptr: system calls given bad pointers fail with EFAULT instead of
 * crashing anything: the kernel checks the range (access_ok) and recovers
 * from the fault of the copy itself (the exception table). */
#include "ulib.h"

#define KERNEL_ADDR 0xffffffff80100000UL

static int failures;

static void expect_efault(const char *what, long r)
{
    int ok = r == -1 && errno == EFAULT;
    printf("badptr: %-44s -> %s\n", what, ok ? "EFAULT: ok" : "NOT EFAULT: FAILED");
    failures += !ok;
}

int main(void)
{
    expect_efault("write(1, 0x1, 5)", write(1, (void *)1, 5));
    expect_efault("write(1, <kernel address>, 5)", write(1, (void *)KERNEL_ADDR, 5));
    expect_efault("uname(<kernel address>)", uname((struct utsname *)KERNEL_ADDR));
    expect_efault("nanosleep(0x10, NULL)", nanosleep((struct timespec *)0x10, NULL));
    expect_efault("clock_gettime(CLOCK_MONOTONIC, 0x8)", clock_gettime(CLOCK_MONOTONIC, (void *)8));
    expect_efault("execve(<unmapped path>, ...)", execve((const char *)0xdead0000UL, NULL, NULL));
    /* Two pages, both touched (so both are in the TLB), then the second
     * unmapped: munmap must INVLPG it, or the kernel's copy would still
     * reach the freed frame through the stale translation. */
    char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 100;
    memset(p, 'x', 8192);
    munmap(p + 4096, 4096);
    expect_efault("write(1, <10 bytes before an unmapped page>, 100)", write(1, p + 4086, 100));
    return failures;
}
