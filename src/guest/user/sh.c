/* sh: a shell on the serial console. Reads a line, splits it into words,
 * runs a built-in command or a program (fork + execve + wait4). */
#include "ulib.h"

#define LINE_MAX 128
#define MAX_WORDS 8

static const char *programs[] = {"hello", "forktree", "cow", "preempt", "sleeper", "badptr",
                                 "divzero", "privileged", "segv", "syscall-bench"};

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

static void help(void)
{
    printf("commands:\n"
           "  help            this list\n"
           "  ps              tasks, with their scheduler statistics (/proc/tasks)\n"
           "  run PROG [ARG]  run a program (also: just PROG [ARG])\n"
           "  interrupts      interrupt counts per vector (/proc/interrupts)\n"
           "  meminfo         free memory, buddy and slab allocators (/proc/meminfo, slabinfo)\n"
           "  dmesg           the kernel log\n"
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
        printf("sh: %s was killed by signal %d\n", argv[0], WTERMSIG(status));
    else if (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 127)
        printf("sh: %s exited with status %d\n", argv[0], WEXITSTATUS(status));
}

static int split(char *line, char **words)
{
    int n = 0;
    for (char *p = line; *p && n < MAX_WORDS;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            *p++ = '\0';
        if (*p)
            words[n++] = p;
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
        cat("/proc/tasks");
    else if (strcmp(w[0], "interrupts") == 0)
        cat("/proc/interrupts");
    else if (strcmp(w[0], "meminfo") == 0) {
        cat("/proc/meminfo");
        cat("/proc/slabinfo");
    } else if (strcmp(w[0], "dmesg") == 0)
        cat("/proc/kmsg");
    else if (strcmp(w[0], "poweroff") == 0)
        reboot_poweroff();
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
        if (n <= 0)
            return 0;
        line[n] = '\0';
        if (split(line, words) > 0)
            command(words);
    }
}
