/* The system-call decoder against strace itself: this program makes real
 * Linux system calls on the host (under `strace`, started by
 * strace_oracle.py), remembers each call's number, arguments and result,
 * and at the end renders them with emu trace's decoder (src/trace/sysfmt.c)
 * reading its own memory, one line per call, into the file named by argv[1].
 * The script then requires every line to appear, in order, in strace's
 * output. Nothing here asserts formatting by itself: strace is the oracle. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "trace/sysfmt.h"

#define BAD_ADDR 0x7000000000L

/* The decoder's lines, and how it reads memory. */
struct log {
    struct sysfmt f;
    struct sbuf b;
};

/* Makes the call and renders it the way emu trace does: the arguments known
 * at entry before the call, the rest after it returns (the raw kernel
 * result: -errno on error). */
static long call6(struct log *l, long nr, long a, long b, long c, long d, long e, long f)
{
    uint64_t args[6] = {(uint64_t)a, (uint64_t)b, (uint64_t)c, (uint64_t)d, (uint64_t)e,
                        (uint64_t)f};
    sysfmt_name(&l->b, (uint64_t)nr);
    sb_putc(&l->b, '(');
    unsigned from = sysfmt_entry(&l->f, &l->b, (uint64_t)nr, args);
    long ret = syscall(nr, a, b, c, d, e, f);
    if (ret == -1)
        ret = -errno;
    sysfmt_exit(&l->f, &l->b, (uint64_t)nr, args, from, (uint64_t)ret);
    sb_puts(&l->b, ") ");
    sysfmt_ret(&l->b, (uint64_t)nr, (uint64_t)ret);
    sb_putc(&l->b, '\n');
    return ret;
}

#define C0(l, nr) call6(l, nr, 0, 0, 0, 0, 0, 0)
#define C1(l, nr, a) call6(l, nr, (long)(a), 0, 0, 0, 0, 0)
#define C2(l, nr, a, b) call6(l, nr, (long)(a), (long)(b), 0, 0, 0, 0)
#define C3(l, nr, a, b, c) call6(l, nr, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define C4(l, nr, a, b, c, d) call6(l, nr, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* Reads this process's memory without faulting on bad addresses. */
static size_t read_self(void *ctx, uint64_t lin, void *buf, size_t len)
{
    (void)ctx;
    struct iovec local = {buf, len}, remote = {(void *)(uintptr_t)lin, len};
    ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
    if (n == (ssize_t)len || len == 0)
        return len;
    size_t done = 0; /* partial: byte by byte up to the first bad one */
    for (; done < len; done++) {
        struct iovec l1 = {(char *)buf + done, 1}, r1 = {(char *)(uintptr_t)lin + done, 1};
        if (process_vm_readv(getpid(), &l1, 1, &r1, 1, 0) != 1)
            break;
    }
    return done;
}

static void files_and_buffers(struct log *l)
{
    static char bytes[256], text[] = "hello\n\tworld\"\\x 012 \0017 \0\n";
    for (int i = 0; i < 256; i++)
        bytes[i] = (char)i;
    long fd = C4(l, SYS_open, "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644, 0);
    for (int i = 0; i < 256; i += 32)
        C3(l, SYS_write, fd, bytes + i, 32);
    C3(l, SYS_write, fd, text, sizeof(text) - 1);
    C3(l, SYS_write, fd, "0123456789012345678901234567890123456789", 33);
    C3(l, SYS_write, fd, "", 0);
    int efault[2];
    if (pipe(efault) == 0) /* a pipe reads the buffer; /dev/null would not */
        C3(l, SYS_write, efault[1], BAD_ADDR, 4);
    C3(l, SYS_lseek, fd, 10, SEEK_SET);
    C1(l, SYS_close, fd);
    C1(l, SYS_close, 42);
    C2(l, SYS_open, "/nonexistent/file", O_RDONLY | O_CLOEXEC);
    C2(l, SYS_open, "/a/path/that/is/longer/than/thirty/two/bytes", O_RDWR | O_APPEND);
    long dfd = C4(l, SYS_openat, AT_FDCWD, "/", O_RDONLY | O_DIRECTORY, 0);
    C1(l, SYS_close, dfd);
    C2(l, SYS_access, "/", R_OK | X_OK);
    C2(l, SYS_access, "/nonexistent", F_OK);
    C1(l, SYS_unlink, "/nonexistent/file");
    int fds[2];
    C1(l, SYS_pipe, fds);
    C3(l, SYS_write, fds[1], "line of input\n", 14);
    char buf[64];
    C3(l, SYS_read, fds[0], buf, sizeof(buf));
    C3(l, SYS_read, 77, buf, sizeof(buf));
    static char cwd[4096], link[4096];
    C2(l, SYS_getcwd, cwd, sizeof(cwd));
    C3(l, SYS_readlink, "/proc/self/exe", link, sizeof(link));
}

static void memory(struct log *l)
{
    long a = call6(l, SYS_mmap, 0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    C3(l, SYS_mprotect, a, 4096, PROT_READ);
    C2(l, SYS_munmap, a, 8192);
    long b = call6(l, SYS_mmap, 0, 4096, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    C2(l, SYS_munmap, b, 4096);
    call6(l, SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, 99, 0x1000);
}

static void processes(struct log *l)
{
    C0(l, SYS_getpid);
    C0(l, SYS_sched_yield);
    int status;
    C4(l, SYS_wait4, -1, &status, WNOHANG, 0);
    long child = syscall(SYS_fork);
    if (child == 0)
        _exit(3);
    C4(l, SYS_wait4, child, &status, 0, 0);
    C2(l, SYS_kill, getpid(), 0);
    C2(l, SYS_kill, 999999, SIGTERM);
    call6(l, SYS_clone, CLONE_SIGHAND | CLONE_FS | SIGCHLD, 0x1000, 0, 0, 0, 0);
    struct timespec ts = {0, 1000};
    C2(l, SYS_nanosleep, &ts, 0);
    C2(l, SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    C2(l, SYS_clock_gettime, 77, &ts);
    struct utsname u;
    C1(l, SYS_uname, &u);
    struct rusage ru;
    C2(l, SYS_getrusage, RUSAGE_SELF, &ru);
    C3(l, SYS_setpriority, PRIO_PROCESS, 0, 0);
    call6(l, 500, 1, 2, 3, 0, 0, 0);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    static struct log l;
    l.f = (struct sysfmt){{read_self, NULL}, 0};
    files_and_buffers(&l);
    memory(&l);
    processes(&l);
    struct sbuf b = l.b;
    FILE *out = fopen(argv[1], "w");
    if (!out)
        return 2;
    fwrite(b.p, 1, b.len, out);
    fclose(out);
    sb_free(&b);
    return 0;
}
