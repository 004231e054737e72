/* sh: a shell on the serial console. Reads a line, splits it into words,
 * runs a built-in command or a program (fork + execve + wait4). */
#include "ulib.h"

#define LINE_MAX  128
#define MAX_WORDS 12

static const char *programs[] = {"hello",  "forktree", "cow",        "preempt", "sleeper",
                                 "badptr", "divzero",  "privileged", "segv",    "syscall-bench"};

static void cat(const char *path)
{
    char buf[512];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("sh: cannot open %s (errno %d)\n", path, errno);
        return;
    }
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        write(STDOUT_FILENO, buf, (size_t)n);
    close(fd);
}

/* ps: /proc/tasks has one line per task (PID PPID S NICE VRUNTIME CPU
 * NVCSW NIVCSW MINFLT COMMAND); without -l only the first four and the name. */
static int split(char *line, char **words);

static void ps(int longer)
{
    static char text[8192];
    int fd = open("/proc/tasks", O_RDONLY), len = 0;
    ssize_t n;
    if (fd < 0) return;
    while ((n = read(fd, text + len, sizeof(text) - 1 - (size_t)len)) > 0)
        len += (int)n;
    close(fd);
    text[len] = '\0';
    if (longer) {
        write(STDOUT_FILENO, text, (size_t)len);
        return;
    }
    printf("  PID  PPID S NICE COMMAND\n");
    char *line = strchr(text, '\n');
    while (line && line[1]) {
        char *next = strchr(++line, '\n'), *f[MAX_WORDS + 1];
        if (next) *next = '\0';
        if (split(line, f) == 10) printf("%5s %5s %s %4s %s\n", f[0], f[1], f[2], f[3], f[9]);
        line = next;
    }
}

static void help(void)
{
    printf("commands:\n"
           "  help            this list\n"
           "  ps [-l]         tasks (-l: with scheduler statistics, from /proc/tasks)\n"
           "                  S: R running or runnable, S sleeping, Z zombie\n"
           "  run PROG [ARG]  run a program (also: just PROG [ARG])\n"
           "  interrupts      interrupt counts per vector (/proc/interrupts)\n"
           "  meminfo         free memory, buddy and slab allocators (/proc/meminfo, slabinfo)\n"
           "  dmesg           the kernel log\n"
           "  exit            leave this shell (init starts a new one)\n"
           "  poweroff        power the machine off\n"
           "programs:");
    for (unsigned i = 0; i < sizeof(programs) / sizeof(programs[0]); i++)
        printf(" %s", programs[i]);
    printf("\n");
}

static void run(char **argv)
{
    pid_t pid = fork();
    if (pid == 0) {
        execve(argv[0], argv, NULL);
        printf("sh: %s: %s\n", argv[0], errno == ENOENT ? "no such program" : "cannot run it");
        exit(127);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        printf("sh: fork or wait failed (errno %d)\n", errno);
    else if (WIFSIGNALED(status))
        printf("sh: %s was killed by %s\n", argv[0], signal_name(WTERMSIG(status)));
    else if (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 127)
        printf("sh: %s exited with status %d\n", argv[0], WEXITSTATUS(status));
}

static int split(char *line, char **words)
{
    int n = 0;
    for (char *p = line; *p && n < MAX_WORDS;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            *p++ = '\0';
        if (*p) words[n++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n')
            p++;
    }
    words[n] = NULL;
    return n;
}

static void command(char **w)
{
    if (strcmp(w[0], "help") == 0)
        help();
    else if (strcmp(w[0], "ps") == 0)
        ps(w[1] && strcmp(w[1], "-l") == 0);
    else if (strcmp(w[0], "interrupts") == 0)
        cat("/proc/interrupts");
    else if (strcmp(w[0], "meminfo") == 0) {
        cat("/proc/meminfo");
        cat("/proc/slabinfo");
    } else if (strcmp(w[0], "dmesg") == 0)
        cat("/proc/kmsg");
    else if (strcmp(w[0], "poweroff") == 0)
        reboot_poweroff();
    else if (strcmp(w[0], "exit") == 0)
        exit(0);
    else if (strcmp(w[0], "run") == 0 && w[1])
        run(w + 1);
    else
        run(w);
}

int main(void)
{
    char line[LINE_MAX + 1];
    char *words[MAX_WORDS + 1];
    printf("sh: type 'help' for the commands\n");
    for (;;) {
        printf("$ ");
        ssize_t n = read(STDIN_FILENO, line, LINE_MAX);
        if (n <= 0) return 0;
        line[n] = '\0';
        if (split(line, words) > 0) command(words);
    }
}
