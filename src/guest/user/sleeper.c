/* sleeper: nanosleep() through the kernel's timer queue. A sleep lasts at
 * least as long as asked; two sleepers wake in deadline order; a task
 * killed while it sleeps dies at once. */
#include "ulib.h"

static int failures;

static void check(const char *what, int ok)
{
    printf("sleeper: %s: %s\n", what, ok ? "ok" : "FAILED");
    failures += !ok;
}

static pid_t sleeping_child(long ms)
{
    pid_t pid = fork();
    if (pid == 0) exit(msleep(ms) == 0 ? 0 : 1);
    return pid;
}

int main(void)
{
    long t0 = now_ms();
    msleep(20);
    check("a 20 ms nanosleep lasted at least 20 ms", now_ms() - t0 >= 20);

    pid_t slow = sleeping_child(40), fast = sleeping_child(10);
    int status;
    pid_t first = waitpid(-1, &status, 0);
    waitpid(-1, &status, 0);
    check("of a 40 ms and a 10 ms sleeper, the 10 ms one woke first", first == fast && slow > 0);

    t0 = now_ms();
    pid_t victim = sleeping_child(10000);
    msleep(5);
    kill(victim, SIGKILL);
    int ok = waitpid(victim, &status, 0) == victim && WIFSIGNALED(status) &&
             WTERMSIG(status) == SIGKILL && now_ms() - t0 < 10000;
    check("a task killed in a 10 s nanosleep died of SIGKILL at once", ok);
    return failures;
}
