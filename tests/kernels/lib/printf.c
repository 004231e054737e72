/* A small vsnprintf: %d %i %u %x %X %o %c %s %p %%, with flags '-' '0',
 * a width, and length modifiers l, ll, z, h, hh. */
#include "klib.h"

struct out {
    char *buf;
    size_t cap, len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->cap)
        o->buf[o->len] = c;
    o->len++;
}

/* Digits of v, least significant first, without MUL or DIV: the library
 * must not depend on the instructions the kernels are there to test. */
static int digits_of(uint64_t v, unsigned base, const char *digits, char *tmp)
{
    int n = 0;
    if (base != 10) {
        unsigned shift = base == 16 ? 4 : 3;
        do {
            tmp[n++] = digits[v & (base - 1)];
            v >>= shift;
        } while (v);
        return n;
    }
    static const uint64_t pow10[] = {
        10000000000000000000ULL, 1000000000000000000ULL, 100000000000000000ULL,
        10000000000000000ULL, 1000000000000000ULL, 100000000000000ULL, 10000000000000ULL,
        1000000000000ULL, 100000000000ULL, 10000000000ULL, 1000000000ULL, 100000000ULL,
        10000000ULL, 1000000ULL, 100000ULL, 10000ULL, 1000ULL, 100ULL, 10ULL, 1ULL};
    char rev[24];
    int m = 0, started = 0;
    for (unsigned i = 0; i < sizeof(pow10) / sizeof(pow10[0]); i++) {
        int d = 0;
        while (v >= pow10[i]) {
            v -= pow10[i];
            d++;
        }
        if (d || started || i == sizeof(pow10) / sizeof(pow10[0]) - 1) {
            rev[m++] = digits[d];
            started = 1;
        }
    }
    while (m)
        tmp[n++] = rev[--m];
    return n;
}

static void put_num(struct out *o, uint64_t v, unsigned base, int neg, int width, int zero,
                    int left, int upper)
{
    char tmp[24];
    int n = digits_of(v, base, upper ? "0123456789ABCDEF" : "0123456789abcdef", tmp);
    int total = n + neg;
    if (neg && zero)
        put(o, '-');
    for (int i = total; !left && i < width; i++)
        put(o, zero ? '0' : ' ');
    if (neg && !zero)
        put(o, '-');
    while (n)
        put(o, tmp[--n]);
    for (int i = total; left && i < width; i++)
        put(o, ' ');
}

static uint64_t get_unsigned(va_list *ap, int lng)
{
    if (lng >= 2)
        return va_arg(*ap, unsigned long long);
    if (lng == 1)
        return va_arg(*ap, unsigned long);
    return va_arg(*ap, unsigned int);
}

static int64_t get_signed(va_list *ap, int lng)
{
    if (lng >= 2)
        return va_arg(*ap, long long);
    if (lng == 1)
        return va_arg(*ap, long);
    return va_arg(*ap, int);
}

int kvsnprintf(char *buf, size_t cap, const char *fmt, va_list ap_in)
{
    struct out o = {buf, cap, 0};
    va_list ap;
    va_copy(ap, ap_in);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt++;
        int left = 0, zero = 0, width = 0, lng = 0;
        for (; *fmt == '-' || *fmt == '0'; fmt++)
            *fmt == '-' ? (left = 1) : (zero = 1);
        for (; *fmt >= '0' && *fmt <= '9'; fmt++)
            width = width * 10 + (*fmt - '0');
        for (; *fmt == 'l' || *fmt == 'z' || *fmt == 'h'; fmt++)
            lng += *fmt == 'l' || *fmt == 'z' ? (*fmt == 'z' ? 2 : 1) : 0;
        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = get_signed(&ap, lng);
            put_num(&o, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, 10, v < 0, width, zero,
                    left, 0);
            break;
        }
        case 'u': put_num(&o, get_unsigned(&ap, lng), 10, 0, width, zero, left, 0); break;
        case 'x': put_num(&o, get_unsigned(&ap, lng), 16, 0, width, zero, left, 0); break;
        case 'X': put_num(&o, get_unsigned(&ap, lng), 16, 0, width, zero, left, 1); break;
        case 'o': put_num(&o, get_unsigned(&ap, lng), 8, 0, width, zero, left, 0); break;
        case 'p':
            put(&o, '0');
            put(&o, 'x');
            put_num(&o, (uint64_t)(uintptr_t)va_arg(ap, void *), 16, 0, width, zero, left, 0);
            break;
        case 'c': put(&o, (char)va_arg(ap, int)); break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            int n = (int)strlen(s ? s : "(null)");
            for (int i = n; !left && i < width; i++)
                put(&o, ' ');
            for (const char *p = s ? s : "(null)"; *p; p++)
                put(&o, *p);
            for (int i = n; left && i < width; i++)
                put(&o, ' ');
            break;
        }
        case '%': put(&o, '%'); break;
        case '\0': fmt--; break;
        default: put(&o, '%'); put(&o, *fmt); break;
        }
    }
    va_end(ap);
    if (cap)
        buf[o.len < cap ? o.len : cap - 1] = '\0';
    return (int)o.len;
}

int ksnprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = kvsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}
