/* init: process 1. Runs the shell on the console -- or, when the kernel
 * command line says `selftest`, every demonstration in turn, checking that
 * each behaved as it should (`selftest PROG...`: only those; a program not
 * in the table must exit with status 0). All pass: power off (exit status
 * 0). Else: exit with the number of failures, which ends the machine with
 * that code (isa-debug-exit). init also reaps orphans: every process whose
 * parent died becomes its child. */
#include "ulib.h"

struct demo {
    char *argv[4]; // program and arguments
    int signal;    // 0: must exit with status 0; else: must die of this signal
};

static const struct demo demos[] = {
    {{"hello"}, 0},        {{"forktree"}, 0},
    {{"cow"}, 0},          {{"preempt"}, 0},
    {{"sleeper"}, 0},      {{"badptr"}, 0},
    {{"divzero"}, SIGFPE}, {{"privileged"}, SIGSEGV},
    {{"segv"}, SIGSEGV},   {{"syscall-bench", "-q", "100"}, 0},
};

static int orphans; /* reaped children that init did not start */

static pid_t spawn(char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        execve(argv[0], argv, NULL);
        dprintf(STDERR_FILENO, "init: cannot run %s (errno %d)\n", argv[0], errno);
        exit(127);
    }
    return pid;
}

/* Waits for pid, reaping any orphan that exits meanwhile. */
static int wait_for(pid_t pid)
{
    int status;
    pid_t got;
    while ((got = waitpid(-1, &status, 0)) != pid) {
        if (got < 0) return -1;
        orphans++;
    }
    return status;
}

static int run_demo(const struct demo *d)
{
    printf("--- %s\n", d->argv[0]);
    int status = wait_for(spawn(d->argv));
    int ok = d->signal ? WIFSIGNALED(status) && WTERMSIG(status) == d->signal
                       : WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (WIFSIGNALED(status))
        printf("selftest: %s: killed by %s: %s\n", d->argv[0], signal_name(WTERMSIG(status)),
               ok ? "ok, as expected" : "FAILED");
    else
        printf("selftest: %s: exited with status %d: %s\n", d->argv[0], WEXITSTATUS(status),
               ok ? "ok" : "FAILED");
    return ok;
}

#define NDEMOS ((int)(sizeof(demos) / sizeof(demos[0])))

/* The demonstration called name: from the table, or name expected to exit 0. */
static struct demo find_demo(char *name)
{
    for (int i = 0; i < NDEMOS; i++)
        if (strcmp(demos[i].argv[0], name) == 0) return demos[i];
    return (struct demo){{name}, 0};
}

/* Runs the demonstrations named in names[0..n) -- all of them when n is 0. */
static int selftest(char **names, int n)
{
    int total = n ? n : NDEMOS, passed = 0;
    printf("selftest: running %d demonstration%s\n", total, total == 1 ? "" : "s");
    for (int i = 0; i < total; i++) {
        struct demo d = n ? find_demo(names[i]) : demos[i];
        passed += run_demo(&d);
    }
    while (waitpid(-1, NULL, 0) > 0) /* orphans still out there */
        orphans++;
    printf("selftest: init reaped %d orphan%s\n", orphans, orphans == 1 ? "" : "s");
    printf("selftest: %d of %d passed\n", passed, total);
    if (passed == total) reboot_poweroff();
    return total - passed;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "selftest") == 0) return selftest(argv + 2, argc - 2);
    for (;;) {
        char *sh[] = {"sh", NULL};
        wait_for(spawn(sh));
        printf("init: the shell exited; starting a new one\n");
    }
}
