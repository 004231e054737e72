/* Tables of Linux x86_64 constants (include/uapi) and their printers. */
#include "flags.h"

#include "errnames.h"

#define N(a)                (sizeof(a) / sizeof((a)[0]))
#define XLAT(var, tbl, unk) const struct xlat var = {tbl, N(tbl), unk}

#define O_ACCMODE         3
#define MAP_TYPE          0xf
#define CLONE_SIGNAL_MASK 0xff
#define SIGRTMIN_LINUX    32
#define SIGRTMAX_LINUX    64

static const struct flagname open_access[] = {
    {0, "O_RDONLY"},
    {1, "O_WRONLY"},
    {2, "O_RDWR"},
    {3, "O_ACCMODE"},
};

static const struct flagname open_flags[] = {
    {0100, "O_CREAT"},        {0200, "O_EXCL"},         {0400, "O_NOCTTY"},
    {01000, "O_TRUNC"},       {02000, "O_APPEND"},      {04000, "O_NONBLOCK"},
    {04010000, "O_SYNC"},     {010000, "O_DSYNC"},      {020000, "O_ASYNC"},
    {040000, "O_DIRECT"},     {0100000, "O_LARGEFILE"}, {020200000, "O_TMPFILE"},
    {0200000, "O_DIRECTORY"}, {0400000, "O_NOFOLLOW"},  {01000000, "O_NOATIME"},
    {02000000, "O_CLOEXEC"},  {010000000, "O_PATH"},
};
static XLAT(xl_open, open_flags, NULL);

static const struct flagname prot[] = {
    {0x1, "PROT_READ"},
    {0x2, "PROT_WRITE"},
    {0x4, "PROT_EXEC"},
    {0x8, "PROT_SEM"},
    {0x01000000, "PROT_GROWSDOWN"},
    {0x02000000, "PROT_GROWSUP"},
};
XLAT(xl_prot, prot, NULL);

static const struct flagname mmap_type[] = {
    {1, "MAP_SHARED"},
    {2, "MAP_PRIVATE"},
    {3, "MAP_SHARED_VALIDATE"},
};
static XLAT(xl_mmap_type, mmap_type, "MAP_???");

static const struct flagname mmap_flags[] = {
    {0x10, "MAP_FIXED"},
    {0x20, "MAP_ANONYMOUS"},
    {0x40, "MAP_32BIT"},
    {0x100, "MAP_GROWSDOWN"},
    {0x800, "MAP_DENYWRITE"},
    {0x1000, "MAP_EXECUTABLE"},
    {0x2000, "MAP_LOCKED"},
    {0x4000, "MAP_NORESERVE"},
    {0x8000, "MAP_POPULATE"},
    {0x10000, "MAP_NONBLOCK"},
    {0x20000, "MAP_STACK"},
    {0x40000, "MAP_HUGETLB"},
    {0x80000, "MAP_SYNC"},
    {0x100000, "MAP_FIXED_NOREPLACE"},
    {0x4000000, "MAP_UNINITIALIZED"},
};
XLAT(xl_mmap, mmap_flags, NULL);

static const struct flagname clone_flags[] = {
    {0x100, "CLONE_VM"},
    {0x200, "CLONE_FS"},
    {0x400, "CLONE_FILES"},
    {0x800, "CLONE_SIGHAND"},
    {0x1000, "CLONE_PIDFD"},
    {0x2000, "CLONE_PTRACE"},
    {0x4000, "CLONE_VFORK"},
    {0x8000, "CLONE_PARENT"},
    {0x10000, "CLONE_THREAD"},
    {0x20000, "CLONE_NEWNS"},
    {0x40000, "CLONE_SYSVSEM"},
    {0x80000, "CLONE_SETTLS"},
    {0x100000, "CLONE_PARENT_SETTID"},
    {0x200000, "CLONE_CHILD_CLEARTID"},
    {0x400000, "CLONE_DETACHED"},
    {0x800000, "CLONE_UNTRACED"},
    {0x1000000, "CLONE_CHILD_SETTID"},
    {0x2000000, "CLONE_NEWCGROUP"},
    {0x4000000, "CLONE_NEWUTS"},
    {0x8000000, "CLONE_NEWIPC"},
    {0x10000000, "CLONE_NEWUSER"},
    {0x20000000, "CLONE_NEWPID"},
    {0x40000000, "CLONE_NEWNET"},
    {0x80000000, "CLONE_IO"},
};
static XLAT(xl_clone, clone_flags, NULL);

static const struct flagname wait_opts[] = {
    {1, "WNOHANG"},         {2, "WSTOPPED"},          {4, "WEXITED"},
    {8, "WCONTINUED"},      {0x1000000, "WNOWAIT"},   {0x20000000, "__WNOTHREAD"},
    {0x40000000, "__WALL"}, {0x80000000, "__WCLONE"},
};
XLAT(xl_wait, wait_opts, NULL);

static const struct flagname at_flags[] = {
    {0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_REMOVEDIR"},   {0x400, "AT_SYMLINK_FOLLOW"},
    {0x800, "AT_NO_AUTOMOUNT"},     {0x1000, "AT_EMPTY_PATH"},
};
XLAT(xl_at, at_flags, NULL);

static const struct flagname access_mode[] = {{4, "R_OK"}, {2, "W_OK"}, {1, "X_OK"}};
XLAT(xl_access, access_mode, NULL);

static const struct flagname whence[] = {
    {0, "SEEK_SET"}, {1, "SEEK_CUR"}, {2, "SEEK_END"}, {3, "SEEK_DATA"}, {4, "SEEK_HOLE"},
};
XLAT(xl_whence, whence, "SEEK_???");

static const struct flagname clocks[] = {
    {0, "CLOCK_REALTIME"},          {1, "CLOCK_MONOTONIC"},     {2, "CLOCK_PROCESS_CPUTIME_ID"},
    {3, "CLOCK_THREAD_CPUTIME_ID"}, {4, "CLOCK_MONOTONIC_RAW"}, {5, "CLOCK_REALTIME_COARSE"},
    {6, "CLOCK_MONOTONIC_COARSE"},  {7, "CLOCK_BOOTTIME"},      {8, "CLOCK_REALTIME_ALARM"},
    {9, "CLOCK_BOOTTIME_ALARM"},    {11, "CLOCK_TAI"},
};
XLAT(xl_clock, clocks, "CLOCK_???");

static const struct flagname rusage_who[] = {
    {0, "RUSAGE_SELF"},
    {(uint64_t)-1, "RUSAGE_CHILDREN"},
    {1, "RUSAGE_THREAD"},
};
XLAT(xl_rusage_who, rusage_who, "RUSAGE_???");

static const struct flagname arch_prctl[] = {
    {0x1001, "ARCH_SET_GS"}, {0x1002, "ARCH_SET_FS"},    {0x1003, "ARCH_GET_FS"},
    {0x1004, "ARCH_GET_GS"}, {0x1011, "ARCH_GET_CPUID"}, {0x1012, "ARCH_SET_CPUID"},
};
XLAT(xl_arch_prctl, arch_prctl, "ARCH_???");

static const struct flagname prio_which[] = {
    {0, "PRIO_PROCESS"},
    {1, "PRIO_PGRP"},
    {2, "PRIO_USER"},
};
XLAT(xl_prio_which, prio_which, "PRIO_???");

static const struct flagname fcntl_cmds[] = {
    {0, "F_DUPFD"},
    {1, "F_GETFD"},
    {2, "F_SETFD"},
    {3, "F_GETFL"},
    {4, "F_SETFL"},
    {5, "F_GETLK"},
    {6, "F_SETLK"},
    {7, "F_SETLKW"},
    {8, "F_SETOWN"},
    {9, "F_GETOWN"},
    {10, "F_SETSIG"},
    {11, "F_GETSIG"},
    {1030, "F_DUPFD_CLOEXEC"},
};
XLAT(xl_fcntl, fcntl_cmds, "F_???");

static const struct flagname sighow[] = {{0, "SIG_BLOCK"}, {1, "SIG_UNBLOCK"}, {2, "SIG_SETMASK"}};
XLAT(xl_sighow, sighow, "SIG_???");

static const struct flagname reboot_magic1[] = {{0xfee1dead, "LINUX_REBOOT_MAGIC1"}};
XLAT(xl_reboot_magic1, reboot_magic1, "LINUX_REBOOT_MAGIC_???");

static const struct flagname reboot_magic2[] = {
    {672274793, "LINUX_REBOOT_MAGIC2"},
    {85072278, "LINUX_REBOOT_MAGIC2A"},
    {369367448, "LINUX_REBOOT_MAGIC2B"},
    {537993216, "LINUX_REBOOT_MAGIC2C"},
};
XLAT(xl_reboot_magic2, reboot_magic2, "LINUX_REBOOT_MAGIC_???");

static const struct flagname reboot_cmd[] = {
    {0x01234567, "LINUX_REBOOT_CMD_RESTART"},    {0xCDEF0123, "LINUX_REBOOT_CMD_HALT"},
    {0x89ABCDEF, "LINUX_REBOOT_CMD_CAD_ON"},     {0, "LINUX_REBOOT_CMD_CAD_OFF"},
    {0x4321FEDC, "LINUX_REBOOT_CMD_POWER_OFF"},  {0xA1B2C3D4, "LINUX_REBOOT_CMD_RESTART2"},
    {0xD000FCE2, "LINUX_REBOOT_CMD_SW_SUSPEND"}, {0x45584543, "LINUX_REBOOT_CMD_KEXEC"},
};
XLAT(xl_reboot_cmd, reboot_cmd, "LINUX_REBOOT_CMD_???");

/* Appends the names of the set bits of *v that x names, clearing them.
 * Returns whether anything was printed. */
static int print_bits(struct sbuf *b, uint64_t *v, const struct xlat *x, int printed)
{
    for (size_t i = 0; i < x->n; i++) {
        uint64_t bits = x->names[i].value;
        if (bits && (*v & bits) == bits) {
            if (printed++) sb_putc(b, '|');
            sb_puts(b, x->names[i].name);
            *v &= ~bits;
        }
    }
    return printed;
}

void flags_print(struct sbuf *b, uint64_t v, const struct xlat *x)
{
    if (v == 0) {
        sb_putc(b, '0');
        return;
    }
    int printed = print_bits(b, &v, x, 0);
    if (v) {
        if (printed) sb_putc(b, '|');
        sb_hex(b, v);
    }
}

void xlat_print(struct sbuf *b, int64_t v, const struct xlat *x)
{
    for (size_t i = 0; i < x->n; i++) {
        if ((int64_t)x->names[i].value == v || (uint32_t)x->names[i].value == (uint64_t)v) {
            sb_puts(b, x->names[i].name);
            return;
        }
    }
    if (v < 0)
        sb_i64(b, v);
    else
        sb_hex(b, (uint64_t)v);
    sb_printf(b, " /* %s */", x->unknown ? x->unknown : "???");
}

/* The rest of v after a leading name: more names, then leftover bits. */
static void print_rest(struct sbuf *b, uint64_t v, const struct xlat *x)
{
    print_bits(b, &v, x, 1);
    if (v) {
        sb_putc(b, '|');
        sb_hex(b, v);
    }
}

void print_open_flags(struct sbuf *b, uint64_t v)
{
    sb_puts(b, open_access[v & O_ACCMODE].name);
    print_rest(b, v & ~(uint64_t)O_ACCMODE, &xl_open);
}

void print_mmap_flags(struct sbuf *b, uint64_t v)
{
    xlat_print(b, (int64_t)(v & MAP_TYPE), &xl_mmap_type);
    print_rest(b, v & ~(uint64_t)MAP_TYPE, &xl_mmap);
}

void print_prot(struct sbuf *b, uint64_t v)
{
    if (v == 0)
        sb_puts(b, "PROT_NONE");
    else
        flags_print(b, v, &xl_prot);
}

void print_clone_flags(struct sbuf *b, uint64_t v)
{
    uint64_t sig = v & CLONE_SIGNAL_MASK;
    v &= ~(uint64_t)CLONE_SIGNAL_MASK;
    int printed = print_bits(b, &v, &xl_clone, 0);
    if (v) {
        if (printed++) sb_putc(b, '|');
        sb_hex(b, v);
    }
    if (sig || !printed) {
        if (printed) sb_putc(b, '|');
        print_signal(b, (int64_t)sig);
    }
}

void print_signal(struct sbuf *b, int64_t sig)
{
    const char *name = signal_name(sig);
    if (name)
        sb_puts(b, name);
    else if (sig == SIGRTMIN_LINUX)
        sb_puts(b, "SIGRTMIN");
    else if (sig > SIGRTMIN_LINUX && sig <= SIGRTMAX_LINUX)
        sb_printf(b, "SIGRT_%lld", (long long)(sig - SIGRTMIN_LINUX));
    else
        sb_i64(b, sig);
}

void print_mode(struct sbuf *b, uint64_t mode)
{
    if (mode == 0)
        sb_puts(b, "000");
    else
        sb_printf(b, "0%llo", (unsigned long long)mode);
}
