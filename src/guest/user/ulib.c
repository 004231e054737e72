/* System-call wrappers and the start-up code. */
#include "ulib.h"

/* The thread-local block FS.base points at: self pointer, then errno. */
struct tls {
    struct tls *self;
    int err;
};

static struct tls tls = {&tls, 0};

int *__errno_location(void)
{
    struct tls *t;
    __asm__("movq %%fs:0, %0" : "=r"(t));
    return &t->err;
}

int main(int argc, char **argv);

NORETURN void __libc_start(int argc, char **argv);
NORETURN void __libc_start(int argc, char **argv)
{
    arch_prctl(ARCH_SET_FS, (unsigned long)&tls);
    exit(main(argc, argv));
}

/* SYSCALL: number in RAX, arguments in RDI RSI RDX R10 R8 R9; the CPU
 * clobbers RCX (return address) and R11 (flags). */
long syscall6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

long syscall_int80(long n, long a1, long a2, long a3)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(n), "D"(a1), "S"(a2), "d"(a3) : "memory");
    return ret;
}

/* Linux's convention: -4095..-1 is -errno. */
static long check(long r)
{
    if (r < 0 && r > -4096) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

#define SYS0(n)             check(syscall6(n, 0, 0, 0, 0, 0, 0))
#define SYS3(n, a, b, c)    check(syscall6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0))
#define SYS4(n, a, b, c, d) check(syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0))

ssize_t read(int fd, void *buf, size_t n)
{
    return SYS3(SYS_read, fd, buf, n);
}
ssize_t write(int fd, const void *buf, size_t n)
{
    return SYS3(SYS_write, fd, buf, n);
}
int open(const char *path, int flags)
{
    return (int)SYS3(SYS_open, path, flags, 0);
}
int close(int fd)
{
    return (int)SYS3(SYS_close, fd, 0, 0);
}
pid_t fork(void)
{
    return (pid_t)SYS0(SYS_fork);
}
int execve(const char *p, char *const a[], char *const e[])
{
    return (int)SYS3(SYS_execve, p, a, e);
}
pid_t wait4(pid_t pid, int *st, int opt, struct rusage *ru)
{
    return (pid_t)SYS4(SYS_wait4, pid, st, opt, ru);
}
pid_t waitpid(pid_t pid, int *status, int options)
{
    return wait4(pid, status, options, NULL);
}
int kill(pid_t pid, int sig)
{
    return (int)SYS3(SYS_kill, pid, sig, 0);
}
pid_t getpid(void)
{
    return (pid_t)SYS0(SYS_getpid);
}
pid_t getppid(void)
{
    return (pid_t)SYS0(SYS_getppid);
}
int sched_yield(void)
{
    return (int)SYS0(SYS_sched_yield);
}
int nanosleep(const struct timespec *req, struct timespec *rem)
{
    return (int)SYS3(SYS_nanosleep, req, rem, 0);
}
int munmap(void *addr, size_t len)
{
    return (int)SYS3(SYS_munmap, addr, len, 0);
}
int uname(struct utsname *u)
{
    return (int)SYS3(SYS_uname, u, 0, 0);
}
int getrusage(int who, struct rusage *ru)
{
    return (int)SYS3(SYS_getrusage, who, ru, 0);
}
int setpriority(int which, int who, int prio)
{
    return (int)SYS3(SYS_setpriority, which, who, prio);
}
int clock_gettime(int clock, struct timespec *ts)
{
    return (int)SYS3(SYS_clock_gettime, clock, ts, 0);
}
int arch_prctl(int code, unsigned long addr)
{
    return (int)SYS3(SYS_arch_prctl, code, addr, 0);
}

/* The raw call returns 20 - nice; this returns the nice value, as glibc. */
int getpriority(int which, int who)
{
    long r = SYS3(SYS_getpriority, which, who, 0);
    return r < 0 ? (int)r : 20 - (int)r;
}

void exit(int status)
{
    syscall6(SYS_exit_group, status, 0, 0, 0, 0, 0);
    __builtin_unreachable();
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
    long r = check(syscall6(SYS_mmap, (long)addr, (long)len, prot, flags, fd, off));
    return r == -1 ? MAP_FAILED : (void *)r;
}

/* brk() returns the new break, or the old one when it cannot move. */
void *sbrk(intptr_t increment)
{
    long old = syscall6(SYS_brk, 0, 0, 0, 0, 0, 0);
    if (increment == 0) return (void *)old;
    long now = syscall6(SYS_brk, old + increment, 0, 0, 0, 0, 0);
    if (now != old + increment) {
        errno = ENOMEM;
        return (void *)-1;
    }
    return (void *)old;
}

int reboot_poweroff(void)
{
    return (int)SYS3(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
                     LINUX_REBOOT_CMD_POWER_OFF);
}

int msleep(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    return nanosleep(&ts, NULL);
}

long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *signal_name(int sig)
{
    static const char *names[NSIG] = {
        [SIGINT] = "SIGINT", [SIGILL] = "SIGILL",   [SIGTRAP] = "SIGTRAP", [SIGBUS] = "SIGBUS",
        [SIGFPE] = "SIGFPE", [SIGKILL] = "SIGKILL", [SIGSEGV] = "SIGSEGV", [SIGTERM] = "SIGTERM",
    };
    return sig > 0 && sig < NSIG && names[sig] ? names[sig] : "a signal";
}

int atoi(const char *s)
{
    int v = 0, neg = *s == '-';
    for (s += neg; *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (*s - '0');
    return neg ? -v : v;
}

#define PRINTF_BUF 1024

static int vdprintf(int fd, const char *fmt, va_list ap)
{
    char buf[PRINTF_BUF];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    write(fd, buf, n < PRINTF_BUF ? (size_t)n : PRINTF_BUF - 1);
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vdprintf(STDOUT_FILENO, fmt, ap);
    va_end(ap);
    return n;
}

int dprintf(int fd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vdprintf(fd, fmt, ap);
    va_end(ap);
    return n;
}
