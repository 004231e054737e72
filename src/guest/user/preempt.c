/* preempt [-v]: three CPU-bound children that never block or yield. Only
 * the timer interrupt can take the CPU from one of them, so each spins
 * until getrusage() shows it was preempted (an involuntary context switch)
 * several times. The parent spins too, polling for their exit with
 * WNOHANG, so the last child always has someone to be preempted for.
 * With -v each child prints its letter whenever it was preempted: the
 * interleaving the scheduler produced. Each also checks that its
 * thread-local storage (FS.base, switched by swtch) stayed its own. */
#include "ulib.h"

#define NCHILD      3
#define PREEMPTIONS 3
#define CHECK_EVERY 4096
#define SPIN_LIMIT  400000000L /* give up: no preemption is happening */

static long involuntary(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_nivcsw;
}

/* A thread-local block per child: FS.base points at it, its first word at
 * itself. The blocks have different addresses, so a child that found
 * another's FS.base would notice. */
static struct tls_block {
    struct tls_block *self;
    int err;
} blocks[NCHILD];

static struct tls_block *fs_self(void)
{
    struct tls_block *p;
    __asm__ volatile("movq %%fs:0, %0" : "=r"(p));
    return p;
}

static int spin(int id, int verbose)
{
    char letter = (char)('A' + id);
    blocks[id].self = &blocks[id];
    arch_prctl(ARCH_SET_FS, (unsigned long)&blocks[id]);
    long seen = involuntary();
    for (long i = 1; i < SPIN_LIMIT; i++) {
        if (i % CHECK_EVERY) continue;
        long now = involuntary();
        if (now != seen && verbose) write(1, &letter, 1);
        seen = now;
        if (fs_self() != &blocks[id]) return 2; /* FS.base is not ours */
        if (seen >= PREEMPTIONS) return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    pid_t kids[NCHILD];
    for (int i = 0; i < NCHILD; i++) {
        kids[i] = fork();
        if (kids[i] == 0) exit(spin(i, verbose));
    }
    int ok = 1, left = NCHILD;
    while (left > 0) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid < 0) return 1;
        if (pid > 0) {
            ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
            left--;
        }
        for (volatile int spin = 0; spin < CHECK_EVERY; spin++)
            ;
    }
    if (verbose) printf("\n");
    printf("preempt: %d CPU-bound tasks, each preempted by the timer at least %d times: %s\n",
           NCHILD, PREEMPTIONS, ok ? "ok" : "FAILED");
    return !ok;
}
