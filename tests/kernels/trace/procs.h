/* The trace test kernel: three user tasks in their own address spaces that
 * make Linux x86_64 system calls (SYSCALL and INT 0x80), fault, and yield
 * to each other, so `emu trace` has every kind of line to print. The kernel
 * carries the emu guest note (include/emu/guest_note.h) unless built with
 * PROCS_NO_NOTE. Shared by the kernel (procs.c) and the user side
 * (procs_user.c). */
#ifndef PROCS_H
#define PROCS_H

#include "klib.h"

/* Linux x86_64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
#define NR_read 0
#define NR_write 1
#define NR_open 2
#define NR_close 3
#define NR_mmap 9
#define NR_sched_yield 24
#define NR_nanosleep 35
#define NR_getpid 39
#define NR_clone 56
#define NR_exit 60
#define NR_wait4 61
#define NR_getppid 110
#define NR_exit_group 231

/* Linux errno values. */
#define ENOENT 2
#define EBADF 9
#define ECHILD 10
#define ENOMEM 12
#define EFAULT 14
#define EINVAL 22
#define ENOSYS 38

/* Flags the user side passes (Linux values). */
#define O_RDONLY 0
#define O_WRONLY 01
#define O_CREAT 0100
#define O_TRUNC 01000
#define O_CLOEXEC 02000000
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_PRIVATE 0x02
#define MAP_ANONYMOUS 0x20
#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define SIGCHLD 17
#define WNOHANG 1

/* The private part of each address space: 0x200000 .. 0x3FFFFF. */
#define USER_PRIVATE 0x200000ULL
#define USER_MMAP_BASE 0x200000ULL  /* mmap() hands out pages from here */
#define USER_MMAP_END 0x280000ULL
#define USER_STACK_TOP 0x300000ULL  /* grows down, demand-zero */
#define USER_STACK_LOW 0x2F0000ULL
#define USER_PRIVATE_END 0x400000ULL
#define USER_BAD_ADDR 0x7000000000ULL /* never mapped */

#define NTASKS 3

/* The user program of task `id` (0..NTASKS-1), entered in ring 3. */
void user_main(long id);

#endif
