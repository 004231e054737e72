/* Error numbers, with Linux's values (include/uapi/asm-generic/errno-base.h).
 * System calls return -E... in RAX; the user library turns that into -1 and errno. */
#ifndef GUEST_ERRNO_H
#define GUEST_ERRNO_H

#define EPERM        1  /* Operation not permitted */
#define ENOENT       2  /* No such file or directory */
#define ESRCH        3  /* No such process */
#define EINTR        4  /* Interrupted system call */
#define EIO          5  /* I/O error */
#define E2BIG        7  /* Argument list too long */
#define ENOEXEC      8  /* Exec format error */
#define EBADF        9  /* Bad file number */
#define ECHILD       10 /* No child processes */
#define EAGAIN       11 /* Try again */
#define ENOMEM       12 /* Out of memory */
#define EFAULT       14 /* Bad address */
#define EINVAL       22 /* Invalid argument */
#define EMFILE       24 /* Too many open files */
#define ENOSYS       38 /* Invalid system call number */
#define ENAMETOOLONG 36 /* File name too long */

#endif
