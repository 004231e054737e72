/* A growable string: the trace formatters build each line here and write
 * it out whole. Appending never fails visibly: on allocation failure the
 * buffer stops growing and `oom` is set (the line comes out truncated). */
#ifndef EMU_TRACE_SBUF_H
#define EMU_TRACE_SBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sbuf {
    char *p; // NUL-terminated while cap > 0
    size_t len;
    size_t cap;
    bool oom; // an allocation failed; later appends are dropped
};

void sb_free(struct sbuf *b);
static inline void sb_reset(struct sbuf *b)
{
    b->len = 0;
    if (b->cap) b->p[0] = '\0';
}

/* Grows b for n more bytes (and the NUL); false once out of memory. */
bool sb_grow(struct sbuf *b, size_t n);

static inline void sb_put(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap && !sb_grow(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static inline void sb_puts(struct sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static inline void sb_putc(struct sbuf *b, char c)
{
    if (b->len + 2 > b->cap && !sb_grow(b, 1))
        return;
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Unsigned decimal, signed decimal, and 0x-prefixed lowercase hex. */
void sb_u64(struct sbuf *b, uint64_t v);
void sb_i64(struct sbuf *b, int64_t v);
void sb_hex(struct sbuf *b, uint64_t v);
/* Pads with spaces up to column `col` (counted from the start). */
void sb_pad_to(struct sbuf *b, size_t col);
/* s as a JSON string literal, quotes included. */
void sb_json_str(struct sbuf *b, const char *s, size_t n);

#endif
