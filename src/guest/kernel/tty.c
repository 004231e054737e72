/* The console tty. The top half only stores received bytes in a ring and
 * raises the TTY softirq; the bottom half wakes the reader; the reader
 * cooks the bytes itself (the line discipline: echo, backspace, end of
 * line), one line per read(). Cooking in the reader means input typed ahead
 * (or piped in) is echoed when the program asks for it, so a scripted
 * session prints the same transcript as one typed by hand. */
#include "tty.h"

#include "console.h"
#include "errno.h"
#include "intr.h"
#include "uaccess.h"
#include "wait.h"
#include "x86.h"

#define RAW_SIZE    256
#define LINE_MAX    128
#define CTRL_D      0x04
#define BACKSPACE   0x08
#define DEL         0x7F
#define WRITE_CHUNK 128

static struct {
    char raw[RAW_SIZE];        // bytes from the device; raw[tail % RAW_SIZE] is the oldest
    u64 head, tail;            // head - tail bytes waiting
    char line[LINE_MAX];       // the line being cooked
    u64 len;                   // its length
    struct wait_queue readers; // read() sleeps here until bytes arrive
} tty = {.readers = {LIST_HEAD_INIT(tty.readers.sleepers)}};

void tty_receive(char c)
{
    if (tty.head - tty.tail < RAW_SIZE)
        tty.raw[tty.head++ % RAW_SIZE] = c; /* else dropped: nobody is reading */
    raise_softirq(SOFTIRQ_TTY);
}

void tty_softirq(void)
{
    wake_up(&tty.readers);
}

static bool raw_pending(void *unused)
{
    (void)unused;
    return tty.head != tty.tail;
}

static bool raw_pop(char *c)
{
    u64 flags = irq_save();
    bool got = tty.head != tty.tail;
    if (got) *c = tty.raw[tty.tail++ % RAW_SIZE];
    irq_restore(flags);
    return got;
}

/* Cooks one byte; true when the line is complete (or ^D ended it). */
static bool ldisc(char c)
{
    if (c == '\r') c = '\n';
    if (c == '\n') {
        console_putc('\n');
        tty.line[tty.len++] = '\n';
        return true;
    }
    if (c == CTRL_D) return true; /* at the start of a line: end of file */
    if (c == DEL || c == BACKSPACE) {
        if (tty.len > 0) {
            tty.len--;
            console_putc('\b');
            console_putc(' ');
            console_putc('\b');
        }
    } else if (c >= ' ' && c < DEL && tty.len < LINE_MAX - 1) {
        tty.line[tty.len++] = c;
        console_putc(c);
    }
    return false;
}

long tty_read(struct file *f, char *ubuf, u64 n)
{
    (void)f;
    char c;
    for (;;) {
        bool done = false;
        while (!done && raw_pop(&c))
            done = ldisc(c);
        if (done) break;
        if (wait_event(&tty.readers, raw_pending, NULL) < 0) return -EINTR;
    }
    u64 len = MIN(n, tty.len);
    if (copy_to_user(ubuf, tty.line, len)) return -EFAULT;
    tty.len = 0; /* a longer line than the buffer loses its tail */
    return (long)len;
}

long tty_write(struct file *f, const char *ubuf, u64 n)
{
    (void)f;
    char buf[WRITE_CHUNK];
    for (u64 done = 0; done < n;) {
        u64 chunk = MIN(n - done, (u64)WRITE_CHUNK);
        if (copy_from_user(buf, ubuf + done, chunk)) return done ? (long)done : -EFAULT;
        for (u64 i = 0; i < chunk; i++)
            console_putc(buf[i]);
        done += chunk;
    }
    return (long)n;
}
