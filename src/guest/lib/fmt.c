/* printf-style formatting, shared by the kernel and the user library. */
#include "fmt.h"

#include <stdbool.h>
#include <stdint.h>

struct spec {
    bool left; // '-': pad on the right
    bool zero; // '0': pad with zeros
    bool alt;  // '#': 0x before hexadecimal numbers
    int width; // minimum field width
    int longs; // number of 'l' (or 'z') modifiers
};

struct out {
    fmt_put_fn put;
    void *arg;
    int count;
};

static void emit(struct out *o, char c)
{
    o->put(c, o->arg);
    o->count++;
}

/* Emits text[0..len) padded to the field width; with '0' padding, the zeros go
 * after the first `prefix` characters (a sign or "0x"). */
static void emit_padded(struct out *o, const struct spec *s, const char *text, int len, int prefix)
{
    char pad = s->zero && !s->left ? '0' : ' ';
    int fill = s->width > len ? s->width - len : 0;
    if (pad == '0')
        for (; prefix > 0; prefix--, len--)
            emit(o, *text++);
    if (!s->left)
        while (fill-- > 0)
            emit(o, pad);
    for (int i = 0; i < len; i++)
        emit(o, text[i]);
    if (s->left)
        while (fill-- > 0)
            emit(o, ' ');
}

/* Writes v in `base` into the end of buf[24]; returns the first digit. */
static char *utoa(uint64_t v, unsigned base, bool upper, char *end)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;
    do {
        *--p = digits[v % base];
        v /= base;
    } while (v);
    return p;
}

static void emit_number(struct out *o, const struct spec *s, char conv, va_list *ap)
{
    char buf[24], *end = buf + sizeof(buf), *p;
    uint64_t u;
    bool neg = false;
    if (conv == 'd' || conv == 'i') {
        int64_t v = s->longs ? va_arg(*ap, int64_t) : va_arg(*ap, int);
        neg = v < 0;
        u = neg ? -(uint64_t)v : (uint64_t)v;
    } else if (conv == 'p') {
        u = (uint64_t)(uintptr_t)va_arg(*ap, void *);
    } else {
        u = s->longs ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned);
    }
    unsigned base = (conv == 'x' || conv == 'X' || conv == 'p') ? 16 : 10;
    p = utoa(u, base, conv == 'X', end);
    int prefix = 0;
    if (conv == 'p' || (s->alt && base == 16)) {
        *--p = 'x';
        *--p = '0';
        prefix = 2;
    }
    if (neg) {
        *--p = '-';
        prefix = 1;
    }
    emit_padded(o, s, p, (int)(end - p), prefix);
}

/* Parses flags, width and length after a '%'; returns the conversion char. */
static const char *parse_spec(const char *f, struct spec *s)
{
    *s = (struct spec){0};
    for (;; f++) {
        if (*f == '-')
            s->left = true;
        else if (*f == '0')
            s->zero = true;
        else if (*f == '#')
            s->alt = true;
        else
            break;
    }
    while (*f >= '0' && *f <= '9')
        s->width = s->width * 10 + (*f++ - '0');
    while (*f == 'l' || *f == 'z') {
        s->longs++;
        f++;
    }
    return f;
}

int vformat(fmt_put_fn put, void *arg, const char *fmt, va_list ap)
{
    struct out o = {put, arg, 0};
    va_list args;
    va_copy(args, ap);
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            emit(&o, *f);
            continue;
        }
        struct spec s;
        f = parse_spec(f + 1, &s);
        if (*f == 's') {
            const char *str = va_arg(args, const char *);
            int len = 0;
            str = str ? str : "(null)";
            while (str[len])
                len++;
            emit_padded(&o, &s, str, len, 0);
        } else if (*f == 'c') {
            char c = (char)va_arg(args, int);
            emit_padded(&o, &s, &c, 1, 0);
        } else if (*f == '%') {
            emit(&o, '%');
        } else if (*f) {
            emit_number(&o, &s, *f, &args);
        } else {
            break;
        }
    }
    va_end(args);
    return o.count;
}

struct strbuf {
    char *buf;
    size_t size, len;
};

static void strbuf_put(char c, void *arg)
{
    struct strbuf *b = arg;
    if (b->len + 1 < b->size) b->buf[b->len] = c;
    b->len++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct strbuf b = {buf, size, 0};
    int n = vformat(strbuf_put, &b, fmt, ap);
    if (size) buf[b.len < size ? b.len : size - 1] = '\0';
    return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
