/* syscall-bench [-q] [N]: N getpid() calls through SYSCALL, then N through
 * INT 0x80, timed with the TSC. -q prints no timings (they depend on the
 * machine), only whether every call returned our pid. */
#include "ulib.h"

#define DEFAULT_N 100000

static unsigned long rdtsc(void)
{
    unsigned lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((unsigned long)hi << 32) | lo;
}

int main(int argc, char **argv)
{
    int quiet = 0;
    long n = DEFAULT_N;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-q") == 0)
            quiet = 1;
        else
            n = atoi(argv[i]);
    }
    long pid = getpid(), bad = 0;
    unsigned long t0 = rdtsc();
    for (long i = 0; i < n; i++)
        bad += syscall6(SYS_getpid, 0, 0, 0, 0, 0, 0) != pid;
    unsigned long t1 = rdtsc();
    for (long i = 0; i < n; i++)
        bad += syscall_int80(SYS_getpid, 0, 0, 0) != pid;
    unsigned long t2 = rdtsc();
    if (!quiet && n > 0)
        printf("syscall-bench: %ld calls: SYSCALL %lu cycles/call, INT 0x80 %lu cycles/call\n", n,
               (t1 - t0) / (unsigned long)n, (t2 - t1) / (unsigned long)n);
    printf("syscall-bench: %ld getpid() calls via SYSCALL and via INT 0x80: %s\n", n,
           bad ? "WRONG RESULTS" : "all returned our pid");
    return bad != 0;
}
