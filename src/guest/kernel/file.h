/* Open files and file descriptors. A file is an object with read/write
 * operations: the console (tty.c) or a snapshot of a /proc text (procfs.c). */
#ifndef KERNEL_FILE_H
#define KERNEL_FILE_H

#include "types.h"

struct file;
struct task;
struct trapframe;

struct file_ops {
    long (*read)(struct file *f, char *ubuf, u64 n);        // -> bytes, 0 at end, -errno
    long (*write)(struct file *f, const char *ubuf, u64 n); // -> bytes or -errno
    void (*release)(struct file *f);                        // the last reference went
};

struct file {
    const struct file_ops *ops;
    u32 refs;   // descriptors pointing here (fork shares them)
    char *data; // procfs: the text
    u64 size;   // procfs: its length
    u64 pos;    // procfs: read offset
};

/* The console (one shared file object, a new reference each call). */
struct file *console_open(void);
void file_get(struct file *f);
/* Drops descriptor fd of t, if open. */
void file_close(struct task *t, int fd);

long sys_read(struct trapframe *tf);
long sys_write(struct trapframe *tf);
long sys_open(struct trapframe *tf);
long sys_close(struct trapframe *tf);

/* procfs.c: a snapshot of /proc/<name>, or NULL if there is no such file. */
struct file *procfs_open(const char *path);

#endif
