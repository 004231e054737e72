/* The strace line grammar (sysfmt.h): names, the entry/exit split of the
 * arguments, scalar and string arguments, return values. Structures and
 * arrays are in sysargs.c. */
#include "sysfmt.h"

#include <string.h>

#include "errnames.h"
#include "flags.h"
#include "sysargs.h"

#define STRSIZE_MAX 4096
#define PATH_MAX_LINUX 4095 /* strace shows whole paths, up to PATH_MAX */
#define AT_FDCWD    (-100)

void sysfmt_name(struct sbuf *b, uint64_t nr)
{
    const struct sysent *e = sysent_get(nr);
    if (e) {
        sb_puts(b, e->name);
    } else {
        sb_puts(b, "syscall_");
        sb_hex(b, nr);
    }
}

bool sysfmt_is_error(uint64_t ret)
{
    return (int64_t)ret < 0 && (int64_t)ret >= -ERRNO_MAX;
}

bool sysfmt_no_return(uint64_t nr)
{
    const struct sysent *e = sysent_get(nr);
    return e && e->ret == SR_NONE;
}

/* Appends the escape for c at out ("\\7", "\\177", or three digits when
 * an octal digit follows); returns the new end. */
static char *octal_escape(char *out, uint8_t c, bool next_is_digit)
{
    *out++ = '\\';
    if (next_is_digit || c >> 6) {
        *out++ = (char)('0' + (c >> 6));
        *out++ = (char)('0' + ((c >> 3) & 7));
    } else if (c >> 3) {
        *out++ = (char)('0' + ((c >> 3) & 7));
    }
    *out++ = (char)('0' + (c & 7));
    return out;
}

void sysfmt_quote(struct sbuf *b, const uint8_t *s, size_t n, bool more)
{
    char buf[4 * STRSIZE_MAX + 8]; /* at most four characters a byte */
    if (n > STRSIZE_MAX)
        n = STRSIZE_MAX;
    char *out = buf;
    *out++ = '"';
    for (size_t i = 0; i < n; i++) {
        const struct quote_esc *q = &quote_table[s[i]];
        if (q->len == 1) {
            *out++ = q->s[0];
            continue;
        }
        if (q->len >= 2 && q->len < 4 && q->s[1] >= '0' && q->s[1] <= '7' && i + 1 < n &&
            s[i + 1] >= '0' && s[i + 1] <= '7') {
            out = octal_escape(out, s[i], true); /* "\0" then "1" would read as "\01" */
        } else {
            memcpy(out, q->s, 4);
            out += q->len;
        }
    }
    *out++ = '"';
    if (more) {
        memcpy(out, "...", 3);
        out += 3;
    }
    sb_put(b, buf, (size_t)(out - buf));
}

void print_ptr(struct sbuf *b, uint64_t p)
{
    if (p)
        sb_hex(b, p);
    else
        sb_puts(b, "NULL");
}

static unsigned strsize(const struct sysfmt *f)
{
    return f->strsize && f->strsize < STRSIZE_MAX ? f->strsize : SYSFMT_DEFAULT_STRSIZE;
}

/* A NUL-terminated string at p: quoted, "..." after max bytes; the pointer
 * in hex if it cannot be read. */
static void print_string_max(const struct sysfmt *f, struct sbuf *b, uint64_t p, unsigned max)
{
    uint8_t buf[STRSIZE_MAX + 1];
    if (!p) {
        sb_puts(b, "NULL");
        return;
    }
    size_t got = f->mem.read(f->mem.ctx, p, buf, max + 1);
    void *nul = memchr(buf, 0, got);
    if (nul)
        sysfmt_quote(b, buf, (size_t)((uint8_t *)nul - buf), false);
    else if (got == max + 1)
        sysfmt_quote(b, buf, max, true);
    else
        sb_hex(b, p);
}

void print_cstring(const struct sysfmt *f, struct sbuf *b, uint64_t p)
{
    print_string_max(f, b, p, strsize(f));
}

void print_path(const struct sysfmt *f, struct sbuf *b, uint64_t p)
{
    print_string_max(f, b, p, PATH_MAX_LINUX);
}

/* len bytes at p, at most strsize of them shown. */
void print_buffer(const struct sysfmt *f, struct sbuf *b, uint64_t p, uint64_t len)
{
    uint8_t buf[STRSIZE_MAX];
    unsigned max = strsize(f);
    size_t n = len < max ? (size_t)len : max;
    if (!p || f->mem.read(f->mem.ctx, p, buf, n) != n) {
        print_ptr(b, p);
        return;
    }
    sysfmt_quote(b, buf, n, len > n);
}

static void print_int(struct sbuf *b, uint64_t v)
{
    sb_i64(b, (int32_t)v);
}

/* One argument of kind k. Returns false if it is not printed at all. */
static bool print_arg(const struct sysfmt *f, struct sbuf *b, char k, const uint64_t *args,
                      unsigned i, uint64_t ret)
{
    uint64_t v = args[i];
    switch (k) {
    case 'i':
    case 'f': print_int(b, v); break;
    case 'u': sb_u64(b, (uint32_t)v); break;
    case 'l': sb_i64(b, (int64_t)v); break;
    case 'z': sb_u64(b, v); break;
    case 'x':
        if (v)
            sb_hex(b, v);
        else
            sb_putc(b, '0');
        break;
    case 'p': print_ptr(b, v); break;
    case 'd':
        if ((int32_t)v == AT_FDCWD)
            sb_puts(b, "AT_FDCWD");
        else
            print_int(b, v);
        break;
    case 's': print_path(f, b, v); break;
    case 'B': print_buffer(f, b, v, i < 5 ? args[i + 1] : 0); break;
    case 'O':
        if (sysfmt_is_error(ret))
            print_ptr(b, v);
        else
            print_buffer(f, b, v, ret);
        break;
    case 'm': print_mode(b, v); break;
    case 'F': print_open_flags(b, v); break;
    case 'P': print_prot(b, v); break;
    case 'M': print_mmap_flags(b, v); break;
    case 'W': flags_print(b, (uint32_t)v, &xl_wait); break;
    case 'n': flags_print(b, (uint32_t)v, &xl_at); break;
    case 'A':
        if ((uint32_t)v == 0)
            sb_puts(b, "F_OK");
        else
            flags_print(b, (uint32_t)v, &xl_access);
        break;
    case 'g': print_signal(b, (int32_t)v); break;
    case 'k': xlat_print(b, (int32_t)v, &xl_whence); break;
    case 'c': xlat_print(b, (int32_t)v, &xl_clock); break;
    case 'r': xlat_print(b, (int32_t)v, &xl_rusage_who); break;
    case 'a': xlat_print(b, (int32_t)v, &xl_arch_prctl); break;
    case 'w': xlat_print(b, (int32_t)v, &xl_prio_which); break;
    case 'C': xlat_print(b, (int32_t)v, &xl_fcntl); break;
    case 'h': xlat_print(b, (int32_t)v, &xl_sighow); break;
    case '1': xlat_print(b, (int64_t)(uint32_t)v, &xl_reboot_magic1); break;
    case '2': xlat_print(b, (int32_t)v, &xl_reboot_magic2); break;
    case '3': xlat_print(b, (int64_t)(uint32_t)v, &xl_reboot_cmd); break;
    default: return print_struct_arg(f, b, k, v, ret);
    }
    return true;
}

/* open/openat/mq_open print the mode only when the flags create a file. */
static bool mode_unused(const char *kinds, unsigned i, const uint64_t *args)
{
    return kinds[i] == 'm' && i > 0 && kinds[i - 1] == 'F' &&
           !(args[i - 1] & (OPEN_O_CREAT | OPEN_O_TMPFILE));
}

static void print_raw_args(struct sbuf *b, const uint64_t args[6])
{
    for (unsigned i = 0; i < 6; i++) {
        if (i) sb_puts(b, ", ");
        if (args[i])
            sb_hex(b, args[i]);
        else
            sb_putc(b, '0');
    }
}

unsigned sysfmt_entry(const struct sysfmt *f, struct sbuf *b, uint64_t nr, const uint64_t args[6])
{
    const struct sysent *e = sysent_get(nr);
    if (!e) {
        print_raw_args(b, args);
        return 6;
    }
    if (e->args[0] == 'L') {
        print_clone(b, args);
        return 1;
    }
    unsigned i;
    for (i = 0; e->args[i]; i++) {
        if (sysent_kind_at_exit(e->args[i])) {
            if (i) sb_puts(b, ", ");
            return i;
        }
        if (mode_unused(e->args, i, args)) continue;
        if (i) sb_puts(b, ", ");
        print_arg(f, b, e->args[i], args, i, 0);
    }
    return i;
}

unsigned sysfmt_split(uint64_t nr)
{
    const struct sysent *e = sysent_get(nr);
    if (!e) return 6;
    if (e->args[0] == 'L') return 1;
    unsigned i = 0;
    while (e->args[i] && !sysent_kind_at_exit(e->args[i]))
        i++;
    return i;
}

void sysfmt_exit(const struct sysfmt *f, struct sbuf *b, uint64_t nr, const uint64_t args[6],
                 unsigned from, uint64_t ret)
{
    const struct sysent *e = sysent_get(nr);
    if (!e || e->args[0] == 'L') return;
    for (unsigned i = from; e->args[i]; i++) {
        if (i > from) sb_puts(b, ", ");
        print_arg(f, b, e->args[i], args, i, ret);
    }
}

unsigned sysfmt_nargs(uint64_t nr)
{
    const struct sysent *e = sysent_get(nr);
    if (!e) return 6;
    return e->args[0] == 'L' ? 1 : (unsigned)strlen(e->args);
}

bool sysfmt_arg(const struct sysfmt *f, struct sbuf *b, uint64_t nr, const uint64_t args[6],
                unsigned i, uint64_t ret)
{
    const struct sysent *e = sysent_get(nr);
    if (i >= sysfmt_nargs(nr)) return false;
    if (!e) {
        if (args[i])
            sb_hex(b, args[i]);
        else
            sb_putc(b, '0');
    } else if (e->args[0] == 'L') {
        print_clone(b, args);
    } else if (mode_unused(e->args, i, args)) {
        return false;
    } else {
        print_arg(f, b, e->args[i], args, i, ret);
    }
    return true;
}

void sysfmt_ret(struct sbuf *b, uint64_t nr, uint64_t ret)
{
    const struct sysent *e = sysent_get(nr);
    sb_puts(b, "= ");
    if (e && e->ret == SR_NONE) {
        sb_putc(b, '?');
    } else if (sysfmt_is_error(ret)) {
        int64_t err = -(int64_t)ret;
        const char *name = errno_name(err);
        sb_puts(b, "-1 ");
        if (name)
            sb_printf(b, "%s (%s)", name, errno_message(err));
        else
            sb_printf(b, "ERRNO_%lld (Unknown error %lld)", (long long)err, (long long)err);
    } else if (e && e->ret == SR_HEX) {
        sb_hex(b, ret);
    } else {
        sb_i64(b, (int64_t)ret);
    }
}
