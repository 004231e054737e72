/* cow: fork() copies no memory. Parent and child share every page,
 * read-only; the first write to a shared page faults, and the kernel copies
 * just that page (copy-on-write). The child counts its faults with
 * getrusage(): one per page written. */
#include "ulib.h"

#define NPAGES 8
#define PAGE   4096

static long minflt(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

static int child(char *buf)
{
    minflt(); /* the first system call writes our stack page: its COW fault happens here */
    long before = minflt();
    for (int i = 0; i < NPAGES; i++)
        buf[i * PAGE] = 'C';
    long faults = minflt() - before;
    int ok = faults == NPAGES;
    for (int i = 0; i < NPAGES; i++)
        ok &= buf[i * PAGE] == 'C' && buf[i * PAGE + 1] == 'P';
    printf("cow: child wrote to %d shared pages: %ld copy-on-write faults (expected %d)\n", NPAGES,
           faults, NPAGES);
    return ok ? 0 : 1;
}

int main(void)
{
    char *buf = sbrk(NPAGES * PAGE); /* heap: demand-zero until touched */
    if (buf == (void *)-1) return 2;
    memset(buf, 'P', NPAGES * PAGE);
    pid_t pid = fork();
    if (pid == 0) exit(child(buf));
    int status, intact = 1;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return 3;
    for (int i = 0; i < NPAGES * PAGE; i++)
        intact &= buf[i] == 'P';
    printf("cow: the parent's copy is %s\n", intact ? "unchanged: ok" : "CHANGED: FAILED");
    return WEXITSTATUS(status) + !intact;
}
