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

    /* Two sleepers on the timer queue: whatever order they start in, the
     * 10 ms one wakes while the 10 s one still sleeps. Then a signal
     * interrupts the long sleep. */
    t0 = now_ms();
    pid_t slow = sleeping_child(10000), fast = sleeping_child(10);
    int status;
    pid_t first = waitpid(-1, &status, 0);
    check("of a 10 s and a 10 ms sleeper, the 10 ms one woke first",
          first == fast && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    kill(slow, SIGKILL);
    int ok = waitpid(slow, &status, 0) == slow && WIFSIGNALED(status) &&
             WTERMSIG(status) == SIGKILL && now_ms() - t0 < 10000;
    check("the 10 s sleeper, killed, died of SIGKILL at once", ok);
    return failures;
}
