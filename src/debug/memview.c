/* Looking at memory: x/NFU, disas, print, info checksum. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "repl_int.h"

#define X_MAX_COUNT   4096
#define DISAS_DEFAULT 8
#define DISAS_MAX     1000
#define HASH_SEED     0xcbf29ce484222325ULL
#define HASH_MUL      0x100000001b3ULL

struct xfmt {
    unsigned count;
    char fmt;      // x d u c s i
    unsigned unit; // 1 2 4 8
};

/* Parses "/NFU" (any part optional). */
static bool parse_xfmt(struct repl *r, const char *s, struct xfmt *f)
{
    *f = (struct xfmt){1, 'x', 4};
    if (*s != '/') return true;
    s++;
    if (isdigit((unsigned char)*s)) {
        unsigned long n = strtoul(s, (char **)&s, 10);
        if (n == 0 || n > X_MAX_COUNT) {
            repl_error(r, "x: count must be 1..%d", X_MAX_COUNT);
            return false;
        }
        f->count = (unsigned)n;
    }
    for (; *s; s++) {
        switch (*s) {
        case 'x':
        case 'd':
        case 'u':
        case 's':
        case 'i': f->fmt = *s; break;
        case 'c':
            f->fmt = 'c';
            f->unit = 1;
            break;
        case 'b': f->unit = 1; break;
        case 'h': f->unit = 2; break;
        case 'w': f->unit = 4; break;
        case 'g': f->unit = 8; break;
        default:
            repl_error(r, "x: unknown format letter '%c' (x d u c s i, sizes b h w g)", *s);
            return false;
        }
    }
    return true;
}

static void unmapped(struct repl *r, uint64_t addr)
{
    repl_printf(r, "Cannot access memory at %#llx: not mapped (try 'pt %#llx')\n",
                (unsigned long long)addr, (unsigned long long)addr);
}

static void x_string(struct repl *r, uint64_t addr, unsigned count)
{
    for (unsigned k = 0; k < count; k++) {
        char where[160];
        repl_format_addr(r, addr, false, where, sizeof(where));
        repl_printf(r, "%s: \"", where);
        for (unsigned i = 0; i < 256; i++, addr++) {
            uint8_t ch;
            if (repl_read_linear(r, addr, &ch, 1) != 1) {
                repl_printf(r, "\" <unmapped>\n");
                return;
            }
            if (!ch) break;
            if (isprint(ch) && ch != '"' && ch != '\\')
                fputc(ch, r->out);
            else
                fprintf(r->out, "\\x%02x", ch);
        }
        fputs("\"\n", r->out);
        addr++;
    }
}

static void x_insns(struct repl *r, uint64_t addr, unsigned count);

static void x_units(struct repl *r, uint64_t addr, const struct xfmt *f)
{
    unsigned per_line = f->fmt == 'c' ? 8 : 16 / f->unit;
    for (unsigned i = 0; i < f->count; i++) {
        uint64_t at = addr + (uint64_t)i * f->unit, v = 0;
        if (i % per_line == 0) {
            char where[160];
            repl_format_addr(r, at, false, where, sizeof(where));
            repl_printf(r, "%s%s:", i ? "\n" : "", where);
        }
        if (repl_read_linear(r, at, &v, f->unit) != f->unit) {
            fputc('\n', r->out);
            unmapped(r, at);
            return;
        }
        uint64_t sign = 1ULL << (8 * f->unit - 1);
        switch (f->fmt) {
        case 'd': fprintf(r->out, "\t%lld", (long long)((v ^ sign) - sign)); break;
        case 'u': fprintf(r->out, "\t%llu", (unsigned long long)v); break;
        case 'c':
            fprintf(r->out, "\t%3u '%c'", (unsigned)(v & 0xff),
                    isprint((int)(v & 0xff)) ? (int)v : '.');
            break;
        default: fprintf(r->out, "\t0x%0*llx", 2 * f->unit, (unsigned long long)v); break;
        }
    }
    fputc('\n', r->out);
}

void cmd_x(struct repl *r, int argc, char **argv)
{
    struct xfmt f;
    const char *slash = strchr(argv[0], '/');
    if (!parse_xfmt(r, slash ? slash : "", &f)) return;
    if (argc < 2) {
        repl_error(r, "usage: x/NFU ADDR   (for example: x/4xg rsp, x/s 0x1000, x/5i rip)");
        return;
    }
    uint64_t addr;
    if (!repl_eval(r, argv[1], &addr)) return;
    if (f.fmt == 's')
        x_string(r, addr, f.count);
    else if (f.fmt == 'i')
        x_insns(r, addr, f.count);
    else
        x_units(r, addr, &f);
}

static void x_insns(struct repl *r, uint64_t addr, unsigned count)
{
    uint64_t rip = r->m->cpu->rip;
    for (unsigned i = 0; i < count; i++) {
        struct dis_insn in;
        if (!repl_decode(r, addr, &in)) {
            unmapped(r, repl_code_linear(r, addr));
            return;
        }
        char where[200], bytes[3 * DIS_MAX_LEN + 1] = "";
        repl_format_addr(r, addr, false, where, sizeof(where));
        for (unsigned k = 0; k < in.len; k++)
            snprintf(bytes + 3 * k, sizeof(bytes) - 3 * k, "%02x ", in.bytes[k]);
        repl_printf(r, "%s %-30s %-24s %s\n", addr == rip ? "=>" : "  ", where, bytes, in.text);
        addr += in.len ? in.len : 1;
    }
}

void cmd_disas(struct repl *r, int argc, char **argv)
{
    uint64_t addr = r->m->cpu->rip, n = DISAS_DEFAULT;
    if (argc > 1 && !repl_eval(r, argv[1], &addr)) return;
    if (argc > 2 && (!repl_eval(r, argv[2], &n) || n == 0 || n > DISAS_MAX)) {
        if (n == 0 || n > DISAS_MAX) repl_error(r, "disas: count must be 1..%d", DISAS_MAX);
        return;
    }
    x_insns(r, addr, (unsigned)n);
}

void cmd_print(struct repl *r, int argc, char **argv)
{
    if (argc < 2) {
        repl_error(r, "usage: print EXPR   (for example: print rsp+8, print kmain)");
        return;
    }
    uint64_t v;
    if (!repl_eval(r, argv[1], &v)) return;
    char where[200];
    repl_format_addr(r, v, true, where, sizeof(where));
    repl_printf(r, "%s = %s  (%llu)\n", argv[1], where, (unsigned long long)v);
}

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        h = (h ^ w) * HASH_MUL;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ b[i]) * HASH_MUL;
    return h;
}

void info_checksum(struct repl *r)
{
    struct arch_state s;
    arch_capture(r->m->cpu, &s);
    uint64_t hr = hash_bytes(HASH_SEED, &s, sizeof(s));
    hr = hash_bytes(hr, &r->m->clock.skipped_ns, sizeof(r->m->clock.skipped_ns));
    uint64_t hm = hash_bytes(HASH_SEED, r->m->pm.ram, r->m->pm.ram_size);
    repl_printf(r,
                "position %llu (%llu instructions, %llu events): registers %016llx, "
                "RAM %016llx (%llu MiB)\n",
                (unsigned long long)repl_pos(r), (unsigned long long)s.icount,
                (unsigned long long)r->deliveries, (unsigned long long)hr, (unsigned long long)hm,
                (unsigned long long)(r->m->pm.ram_size >> 20));
}
