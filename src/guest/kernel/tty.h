/* The console tty: input from the UART (and keyboard) and a line discipline. */
#ifndef KERNEL_TTY_H
#define KERNEL_TTY_H

#include "types.h"

struct file;

/* A byte from a device (top half, interrupts disabled). */
void tty_receive(char c);
/* The TTY softirq: wakes readers waiting for input. */
void tty_softirq(void);
long tty_read(struct file *f, char *ubuf, u64 n);
long tty_write(struct file *f, const char *ubuf, u64 n);

#endif
