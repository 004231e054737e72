/* The kernel log: printk() writes to the console and to a ring buffer (dmesg),
 * each line stamped "[seconds.micros] " from the TSC as Linux does, unless the
 * command line says printk.time=0. */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include "types.h"

#define LOG_BUF_SIZE 16384

void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void printk_set_time(bool on);
/* Copies the log's last bytes (at most n) into buf; returns the count. */
u64 printk_read_log(char *buf, u64 n);

/* Prints "Kernel panic - not syncing: ..." and stops the machine with
 * EXIT_PANIC through isa-debug-exit. */
NORETURN void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
