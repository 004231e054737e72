/* File descriptors: read, write, open, close. */
#include "file.h"

#include "errno.h"
#include "proc.h"
#include "slab.h"
#include "traps.h"
#include "tty.h"
#include "uaccess.h"
#include "uapi.h"

#define PATH_MAX 64

static const struct file_ops console_ops = {
    .read = tty_read,
    .write = tty_write,
};

static struct file console = {.ops = &console_ops};

struct file *console_open(void)
{
    file_get(&console);
    return &console;
}

void file_get(struct file *f)
{
    f->refs++;
}

void file_close(struct task *t, int fd)
{
    struct file *f = t->files[fd];
    if (!f) return;
    t->files[fd] = NULL;
    if (--f->refs == 0 && f->ops->release) f->ops->release(f);
}

static struct file *fd_file(u64 fd)
{
    return fd < NOFILE ? current_task()->files[fd] : NULL;
}

long sys_read(struct trapframe *tf)
{
    struct file *f = fd_file(tf->rdi);
    if (!f || !f->ops->read) return -EBADF;
    return f->ops->read(f, (char *)tf->rsi, tf->rdx);
}

long sys_write(struct trapframe *tf)
{
    struct file *f = fd_file(tf->rdi);
    if (!f || !f->ops->write) return -EBADF;
    return f->ops->write(f, (const char *)tf->rsi, tf->rdx);
}

/* open(path, flags, mode): read-only /proc files are all there is. */
long sys_open(struct trapframe *tf)
{
    char path[PATH_MAX];
    long r = strncpy_from_user(path, (const char *)tf->rdi, sizeof(path));
    if (r < 0) return r;
    if (tf->rsi != O_RDONLY) return -EINVAL;
    struct task *t = current_task();
    int fd = 0;
    while (fd < NOFILE && t->files[fd])
        fd++;
    if (fd == NOFILE) return -EMFILE;
    struct file *f = procfs_open(path);
    if (!f) return -ENOENT;
    t->files[fd] = f;
    return fd;
}

long sys_close(struct trapframe *tf)
{
    if (!fd_file(tf->rdi)) return -EBADF;
    file_close(current_task(), (int)tf->rdi);
    return 0;
}
