/* printk, the kernel log and panic. */
#include "printk.h"

#include "fmt.h"
#include "console.h"
#include "power.h"
#include "time.h"
#include "x86.h"

static struct {
    char buf[LOG_BUF_SIZE]; // ring buffer of everything printed (dmesg)
    u64 written;            // total bytes ever written; buf[written % size] is next
    bool mid_line;          // the last byte written was not '\n'
    bool no_time;           // printk.time=0: no timestamps
} klog;

static void log_putc(char c)
{
    klog.buf[klog.written++ % LOG_BUF_SIZE] = c;
    console_putc(c);
    klog.mid_line = c != '\n';
}

static void log_put(char c, void *unused)
{
    (void)unused;
    if (!klog.mid_line && !klog.no_time) {
        char stamp[32];
        u64 ns = clock_ns();
        snprintf(stamp, sizeof(stamp), "[%5lu.%06lu] ", ns / 1000000000, ns / 1000 % 1000000);
        for (char *p = stamp; *p; p++)
            log_putc(*p);
    }
    log_putc(c);
}

void printk(const char *fmt, ...)
{
    u64 flags = irq_save();
    va_list ap;
    va_start(ap, fmt);
    vformat(log_put, NULL, fmt, ap);
    va_end(ap);
    irq_restore(flags);
}

void printk_set_time(bool on)
{
    klog.no_time = !on;
}

u64 printk_read_log(char *buf, u64 n)
{
    u64 flags = irq_save();
    u64 avail = MIN(klog.written, (u64)LOG_BUF_SIZE);
    n = MIN(n, avail);
    for (u64 i = 0; i < n; i++)
        buf[i] = klog.buf[(klog.written - n + i) % LOG_BUF_SIZE];
    irq_restore(flags);
    return n;
}

void panic(const char *fmt, ...)
{
    cli();
    if (klog.mid_line) log_put('\n', NULL);
    printk("Kernel panic - not syncing: ");
    va_list ap;
    va_start(ap, fmt);
    vformat(log_put, NULL, fmt, ap);
    va_end(ap);
    log_put('\n', NULL);
    machine_exit(EXIT_PANIC);
}
