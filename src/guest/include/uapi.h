/* The structures and flags that cross the system-call boundary, laid out as
 * Linux x86_64 lays them out. Shared by the kernel and the user library. */
#ifndef GUEST_UAPI_H
#define GUEST_UAPI_H

#include <stdint.h>

struct timespec {
    int64_t tv_sec;  // seconds
    int64_t tv_nsec; // nanoseconds, 0..999999999
};

struct timeval {
    int64_t tv_sec;
    int64_t tv_usec;
};

#define UTS_LEN 65
struct utsname {
    char sysname[UTS_LEN];  // "emu-teach"
    char nodename[UTS_LEN]; // "emu"
    char release[UTS_LEN];  // kernel version
    char version[UTS_LEN];  // build description
    char machine[UTS_LEN];  // "x86_64"
    char domainname[UTS_LEN];
};

/* getrusage(2): the fields this kernel fills; the rest stay zero. */
struct rusage {
    struct timeval ru_utime; // CPU time (user and kernel together here)
    struct timeval ru_stime;
    int64_t ru_maxrss, ru_ixrss, ru_idrss, ru_isrss;
    int64_t ru_minflt; // page faults served without I/O: demand-zero and copy-on-write
    int64_t ru_majflt;
    int64_t ru_nswap, ru_inblock, ru_oublock, ru_msgsnd, ru_msgrcv, ru_nsignals;
    int64_t ru_nvcsw;  // voluntary context switches (the task blocked or yielded)
    int64_t ru_nivcsw; // involuntary ones (the scheduler preempted it)
};
#define RUSAGE_SELF 0

/* Signals (default action: terminate). */
#define SIGINT  2
#define SIGILL  4
#define SIGTRAP 5
#define SIGBUS  7
#define SIGFPE  8
#define SIGKILL 9
#define SIGSEGV 11
#define SIGTERM 15
#define NSIG    32

/* wait4(2) status words. */
#define WNOHANG               1
#define W_EXITCODE(code, sig) (((code) << 8) | (sig))
#define WIFEXITED(s)          (((s)&0x7f) == 0)
#define WEXITSTATUS(s)        (((s) >> 8) & 0xff)
#define WIFSIGNALED(s)        (((s)&0x7f) != 0)
#define WTERMSIG(s)           ((s)&0x7f)

/* mmap(2) */
#define PROT_NONE     0
#define PROT_READ     1
#define PROT_WRITE    2
#define PROT_EXEC     4
#define MAP_PRIVATE   0x02
#define MAP_ANONYMOUS 0x20
#define MAP_FAILED    ((void *)-1)

/* open(2) */
#define O_RDONLY 0

/* arch_prctl(2) */
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

/* getpriority/setpriority(2) */
#define PRIO_PROCESS 0
#define NICE_MIN     (-20)
#define NICE_MAX     19

/* reboot(2) */
#define LINUX_REBOOT_MAGIC1        0xfee1dead
#define LINUX_REBOOT_MAGIC2        672274793
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321FEDC

/* clock_gettime(2) */
#define CLOCK_MONOTONIC 1

#endif
