/* System call numbers: the Linux x86_64 ones (arch/x86/entry/syscalls/syscall_64.tbl)
 * for every call this kernel implements, so one table decodes both this kernel
 * and Linux guests. Shared by the kernel and the user library. */
#ifndef GUEST_SYSNUM_H
#define GUEST_SYSNUM_H

#define SYS_read          0
#define SYS_write         1
#define SYS_open          2
#define SYS_close         3
#define SYS_mmap          9
#define SYS_munmap        11
#define SYS_brk           12
#define SYS_sched_yield   24
#define SYS_nanosleep     35
#define SYS_getpid        39
#define SYS_fork          57
#define SYS_execve        59
#define SYS_exit          60
#define SYS_wait4         61
#define SYS_kill          62
#define SYS_uname         63
#define SYS_getrusage     98
#define SYS_getppid       110
#define SYS_getpriority   140
#define SYS_setpriority   141
#define SYS_arch_prctl    158
#define SYS_reboot        169
#define SYS_clock_gettime 228
#define SYS_exit_group    231

#define NR_SYSCALLS 232 /* one past the highest number above */

#endif
