/* Structures and arrays behind system call arguments (sysargs.h), with the
 * Linux x86_64 layouts: struct timespec {long tv_sec, tv_nsec}, struct
 * timeval, struct rusage (timevals first), struct utsname (six 65-byte
 * strings), wait status words. */
#include "sysargs.h"

#include <string.h>

#include "flags.h"

#define UTS_FIELD      65
#define UTS_FIELDS     6
#define ARGV_MAX       32 /* strings shown before "..." */
#define ENVP_COUNT_MAX 4096

#define CLONE_SETTLS         0x80000
#define CLONE_PARENT_SETTID  0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define CLONE_CHILD_SETTID   0x1000000

static bool read_exact(const struct sysfmt *f, uint64_t p, void *buf, size_t n)
{
    return p && f->mem.read(f->mem.ctx, p, buf, n) == n;
}

static void print_timespec(const struct sysfmt *f, struct sbuf *b, uint64_t p, const char *frac)
{
    int64_t ts[2];
    if (!read_exact(f, p, ts, sizeof(ts))) {
        print_ptr(b, p);
        return;
    }
    sb_printf(b, "{tv_sec=%lld, %s=%lld}", (long long)ts[0], frac, (long long)ts[1]);
}

static void print_rusage(const struct sysfmt *f, struct sbuf *b, uint64_t p)
{
    int64_t tv[4];
    if (!read_exact(f, p, tv, sizeof(tv))) {
        print_ptr(b, p);
        return;
    }
    sb_printf(b,
              "{ru_utime={tv_sec=%lld, tv_usec=%lld}, ru_stime={tv_sec=%lld, tv_usec=%lld}, ...}",
              (long long)tv[0], (long long)tv[1], (long long)tv[2], (long long)tv[3]);
}

static void print_utsname(const struct sysfmt *f, struct sbuf *b, uint64_t p)
{
    char u[2][UTS_FIELD];
    if (!read_exact(f, p, u, sizeof(u))) {
        print_ptr(b, p);
        return;
    }
    static const char *const names[2] = {"sysname", "nodename"};
    sb_putc(b, '{');
    for (int i = 0; i < 2; i++) {
        size_t n = strnlen(u[i], UTS_FIELD);
        sb_printf(b, "%s=", names[i]);
        sysfmt_quote(b, (const uint8_t *)u[i], n, false);
        sb_puts(b, ", ");
    }
    sb_puts(b, "...}");
}

/* [{WIFEXITED(s) && WEXITSTATUS(s) == 0}] and its relatives. */
static void print_wstatus(const struct sysfmt *f, struct sbuf *b, uint64_t p)
{
    uint32_t s;
    if (!read_exact(f, p, &s, sizeof(s))) {
        print_ptr(b, p);
        return;
    }
    uint32_t sig = s & 0x7f;
    sb_puts(b, "[{");
    if (sig == 0) {
        sb_printf(b, "WIFEXITED(s) && WEXITSTATUS(s) == %u", (s >> 8) & 0xff);
    } else if ((s & 0xff) == 0x7f) {
        sb_puts(b, "WIFSTOPPED(s) && WSTOPSIG(s) == ");
        print_signal(b, (s >> 8) & 0xff);
    } else if (s == 0xffff) {
        sb_puts(b, "WIFCONTINUED(s)");
    } else {
        sb_puts(b, "WIFSIGNALED(s) && WTERMSIG(s) == ");
        print_signal(b, sig);
        if (s & 0x80) sb_puts(b, " && WCOREDUMP(s)");
    }
    sb_puts(b, "}]");
}

static void print_pipefd(const struct sysfmt *f, struct sbuf *b, uint64_t p)
{
    int32_t fd[2];
    if (!read_exact(f, p, fd, sizeof(fd)))
        print_ptr(b, p);
    else
        sb_printf(b, "[%d, %d]", fd[0], fd[1]);
}

static void print_argv(const struct sysfmt *f, struct sbuf *b, uint64_t p)
{
    uint64_t s;
    if (!read_exact(f, p, &s, sizeof(s))) {
        print_ptr(b, p);
        return;
    }
    sb_putc(b, '[');
    for (unsigned i = 0; s; i++) {
        if (i) sb_puts(b, ", ");
        if (i == ARGV_MAX) {
            sb_puts(b, "...");
            break;
        }
        print_cstring(f, b, s);
        if (!read_exact(f, p + 8 * (i + 1), &s, sizeof(s))) break;
    }
    sb_putc(b, ']');
}

static void print_envp(const struct sysfmt *f, struct sbuf *b, uint64_t p)
{
    print_ptr(b, p);
    uint64_t s = 1;
    unsigned n = 0;
    while (n < ENVP_COUNT_MAX && read_exact(f, p + 8 * n, &s, sizeof(s)) && s)
        n++;
    if (p && s == 0) sb_printf(b, " /* %u var%s */", n, n == 1 ? "" : "s");
}

bool print_struct_arg(const struct sysfmt *f, struct sbuf *b, char k, uint64_t v, uint64_t ret)
{
    bool failed = sysfmt_is_error(ret);
    switch (k) {
    case 't': print_timespec(f, b, v, "tv_nsec"); return true;
    case 'v': print_argv(f, b, v); return true;
    case 'e': print_envp(f, b, v); return true;
    default: break;
    }
    if (failed || !v) {
        print_ptr(b, v);
        return true;
    }
    switch (k) {
    case 'T': print_timespec(f, b, v, "tv_nsec"); break;
    case 'R': print_rusage(f, b, v); break;
    case 'N': print_utsname(f, b, v); break;
    case 'I': print_pipefd(f, b, v); break;
    case 'Q': print_path(f, b, v); break;
    case 'S':
        if ((int64_t)ret > 0)
            print_wstatus(f, b, v);
        else
            print_ptr(b, v);
        break;
    default: print_ptr(b, v); return false;
    }
    return true;
}

void print_clone(struct sbuf *b, const uint64_t args[6])
{
    uint64_t flags = args[0];
    sb_puts(b, "child_stack=");
    print_ptr(b, args[1]);
    sb_puts(b, ", flags=");
    print_clone_flags(b, flags);
    if (flags & CLONE_PARENT_SETTID) {
        sb_puts(b, ", parent_tid=");
        print_ptr(b, args[2]);
    }
    if (flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) {
        sb_puts(b, ", child_tidptr=");
        print_ptr(b, args[3]);
    }
    if (flags & CLONE_SETTLS) {
        sb_puts(b, ", tls=");
        print_ptr(b, args[4]);
    }
}
