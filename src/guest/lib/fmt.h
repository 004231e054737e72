/* printf-style formatting shared by the kernel (printk) and the user library
 * (printf). Conversions: %d %i %u %x %X %p %s %c %%, with flags '-', '0' and '#',
 * a field width, and the length modifiers l, ll and z. */
#ifndef GUEST_FMT_H
#define GUEST_FMT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_put_fn)(char c, void *arg);

/* Formats into put(c, arg), one character at a time; returns the count. */
int vformat(fmt_put_fn put, void *arg, const char *fmt, va_list ap);

/* Like C's: always NUL-terminates when size > 0; returns the untruncated length. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
