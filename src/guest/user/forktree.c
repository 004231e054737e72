/* forktree [-v] [depth]: a binary tree of processes. Each process forks two
 * children (until the depth runs out), waits for both -- reaping the
 * zombies -- and exits with the size of its subtree; the root checks the
 * total. Then one orphan: a child forks a grandchild and exits at once;
 * the grandchild sees its parent become init (pid 1), which reaps it. */
#include "ulib.h"

#define DEFAULT_DEPTH 3
#define INIT_PID      1

static int verbose;

/* Returns the number of processes in the subtree rooted here. */
static int grow(int depth)
{
    if (verbose) printf("forktree: pid %d (parent %d) at depth %d\n", getpid(), getppid(), depth);
    if (depth == 0) return 1;
    int total = 1;
    pid_t kids[2];
    for (int i = 0; i < 2; i++) {
        kids[i] = fork();
        if (kids[i] == 0) exit(grow(depth - 1));
    }
    for (int i = 0; i < 2; i++) {
        int status;
        if (kids[i] < 0 || waitpid(kids[i], &status, 0) != kids[i] || !WIFEXITED(status))
            return -1000;
        total += WEXITSTATUS(status);
    }
    return total;
}

static int orphan(void)
{
    pid_t child = fork();
    if (child == 0) {
        if (fork() == 0) {
            while (getppid() != INIT_PID) /* until our parent is gone */
                msleep(1);
            exit(0);
        }
        exit(0); /* leave the grandchild behind */
    }
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) return 1;
    printf("forktree: a grandchild was orphaned; init adopts it and will reap it\n");
    return 0;
}

int main(int argc, char **argv)
{
    int depth = DEFAULT_DEPTH;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            verbose = 1;
        else
            depth = atoi(argv[i]);
    }
    if (depth < 0 || depth > 6) depth = DEFAULT_DEPTH;
    int expected = (1 << (depth + 1)) - 1;
    int total = grow(depth);
    printf("forktree: depth %d: %d processes forked, waited for and reaped (expected %d)\n", depth,
           total, expected);
    return (total != expected) + orphan();
}
