/* The user library: system-call wrappers, formatted output and strings.
 * A tiny libc for the programs embedded in the kernel. */
#ifndef USER_ULIB_H
#define USER_ULIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "errno.h"
#include "fmt.h"
#include "str.h"
#include "sysnum.h"
#include "uapi.h"

typedef int pid_t;
typedef long ssize_t;

#define NORETURN      __attribute__((noreturn))
#define STDIN_FILENO  0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2

/* errno lives in thread-local storage: crt0 points FS.base at a block
 * whose first word points to itself (the x86-64 TLS convention). */
int *__errno_location(void);
#define errno (*__errno_location())

/* Raw system calls: the result, or -errno. */
long syscall6(long n, long a1, long a2, long a3, long a4, long a5, long a6);
long syscall_int80(long n, long a1, long a2, long a3); /* INT 0x80 path */

ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
int open(const char *path, int flags);
int close(int fd);
pid_t fork(void);
int execve(const char *path, char *const argv[], char *const envp[]);
NORETURN void exit(int status);
pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru);
pid_t waitpid(pid_t pid, int *status, int options);
int kill(pid_t pid, int sig);
pid_t getpid(void);
pid_t getppid(void);
int sched_yield(void);
int nanosleep(const struct timespec *req, struct timespec *rem);
int msleep(long ms);
void *sbrk(intptr_t increment);
void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off);
int munmap(void *addr, size_t len);
int uname(struct utsname *u);
int getrusage(int who, struct rusage *ru);
int getpriority(int which, int who);
int setpriority(int which, int who, int prio);
int clock_gettime(int clock, struct timespec *ts);
int arch_prctl(int code, unsigned long addr);
int reboot_poweroff(void);
long now_ms(void); /* CLOCK_MONOTONIC in milliseconds */

/* Each call formats into a buffer and makes one write(). */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int atoi(const char *s);
/* "SIGSEGV" for SIGSEGV, ... */
const char *signal_name(int sig);

#endif
