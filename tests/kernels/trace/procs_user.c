/* The user side of the trace test kernel: what each task does, in ring 3,
 * through Linux system calls. It shares the kernel image (mapped
 * user-accessible in every address space) but keeps its state on its own
 * stack, which lives in the task's private pages. */
#include "procs.h"

static inline long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

#define sys0(nr) sys6(nr, 0, 0, 0, 0, 0, 0)
#define sys1(nr, a) sys6(nr, (long)(a), 0, 0, 0, 0, 0)
#define sys3(nr, a, b, c) sys6(nr, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(nr, a, b, c, d) sys6(nr, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* INT 0x80 with the x86_64 registers, as the bundled kernel takes it. */
static inline long int80(long nr)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr) : "memory");
    return ret;
}

static void say(int fd, const char *s)
{
    sys3(NR_write, fd, s, strlen(s));
}

static void task_init(long id)
{
    char line[48];
    ksnprintf(line, sizeof(line), "hello from task %ld\n", id);
    say(1, line);
    sys0(NR_getpid);
    sys3(NR_open, "/etc/passwd", O_RDONLY | O_CLOEXEC, 0);
    long fd = sys3(NR_open, "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    unsigned char blob[100];
    for (unsigned i = 0; i < sizeof(blob); i++)
        blob[i] = (unsigned char)(i * 7);
    sys3(NR_write, fd, blob, sizeof(blob));
    sys1(NR_close, fd);
    sys1(NR_close, 42);
    char *map = (char *)sys6(NR_mmap, 0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                             -1, 0);
    map[4096] = 'x'; /* demand-zero page fault */
    char buf[64];
    long n = sys3(NR_read, 0, buf, sizeof(buf));
    sys3(NR_write, 1, buf, n);
    __asm__ volatile("int3");
    sys0(NR_sched_yield);
    sys6(NR_clone, CLONE_VM | CLONE_FS | SIGCHLD, 0, 0, 0, 0, 0);
    int status;
    sys4(NR_wait4, -1, &status, WNOHANG, 0);
    sys3(NR_write, 1, USER_BAD_ADDR, 4);
    int80(NR_getppid);
    sys1(NR_exit_group, 0);
}

static void task_worker(long id)
{
    char line[48];
    ksnprintf(line, sizeof(line), "hello from task %ld\n", id);
    say(1, line);
    sys0(NR_sched_yield);
    long ts[2] = {0, 1000};
    sys4(NR_nanosleep, ts, 0, 0, 0);
    say(2, "worker done\n");
    sys1(NR_exit_group, 3);
}

static void task_crasher(long id)
{
    char line[48];
    ksnprintf(line, sizeof(line), "hello from task %ld\n", id);
    say(1, line);
    *(volatile int *)0xdead0000 = 1;
    say(1, "not reached\n");
    sys1(NR_exit_group, 1);
}

void user_main(long id)
{
    if (id == 0)
        task_init(id);
    else if (id == 1)
        task_worker(id);
    else
        task_crasher(id);
    for (;;)
        sys1(NR_exit_group, 99);
}
