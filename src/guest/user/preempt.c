/* preempt [-v] [-n]: three CPU-bound children that never block or yield. Only
 * the timer interrupt can take the CPU from one of them, so each spins
 * until getrusage() shows it was preempted (an involuntary context switch)
 * several times. The parent spins too, polling for their exit with
 * WNOHANG, so the last child always has someone to be preempted for.
 * With -v each child prints its letter whenever it was preempted: the
 * interleaving the scheduler produced. Each also checks that its
 * thread-local storage (FS.base, switched by swtch) stayed its own.
 * With -n instead: two CPU-bound children, at nice 0 and nice 5, for a
 * while; CFS shares the CPU between them by their weights (1024 : 335). */
#include "ulib.h"

#define NCHILD      3
#define PREEMPTIONS 3
#define CHECK_EVERY 65536
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

#define SHARE_MS 100
#define NICE_LOW 5
#define WEIGHT_0 1024 /* Linux's weights for nice 0 and nice 5 */
#define WEIGHT_5 335

static long cpu_us(const struct rusage *ru)
{
    return ru->ru_utime.tv_sec * 1000000 + ru->ru_utime.tv_usec;
}

static int nice_share(void)
{
    long until = now_ms() + SHARE_MS, us[2];
    pid_t kids[2];
    for (int i = 0; i < 2; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            if (i == 1) setpriority(PRIO_PROCESS, 0, NICE_LOW);
            while (now_ms() < until)
                ;
            exit(0);
        }
    }
    for (int i = 0; i < 2; i++) {
        struct rusage ru;
        if (wait4(kids[i], NULL, 0, &ru) != kids[i]) return 1;
        us[i] = cpu_us(&ru);
    }
    long ratio = us[1] ? us[0] * 100 / us[1] : 0;
    printf("preempt: in %d ms, nice 0 ran %ld us and nice %d ran %ld us: %ld.%02ld to 1 "
           "(the weights say %d.%02d)\n",
           SHARE_MS, us[0], NICE_LOW, us[1], ratio / 100, ratio % 100, WEIGHT_0 / WEIGHT_5,
           WEIGHT_0 * 100 / WEIGHT_5 % 100);
    return 0;
}

int main(int argc, char **argv)
{
    int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    if (argc > 1 && strcmp(argv[1], "-n") == 0) return nice_share();
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
