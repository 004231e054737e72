/* Parsers for emu trace's option values (tracer.h). Lists are separated by
 * commas; every value is checked, and a bad one is named in the message. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "describe.h"
#include "tracer.h"

#define ITEM_MAX 64
#define CPL_MAX  3

/* Calls fn on each comma-separated item of list (empty items are errors). */
static bool each_item(const char *list, bool (*fn)(void *ctx, const char *item), void *ctx,
                      const char *what, char *err, size_t errlen)
{
    if (!*list) {
        snprintf(err, errlen, "empty %s list", what);
        return false;
    }
    const char *p = list;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char item[ITEM_MAX];
        if (n == 0 || n >= sizeof(item)) {
            snprintf(err, errlen, "invalid %s list '%s'", what, list);
            return false;
        }
        memcpy(item, p, n);
        item[n] = '\0';
        if (!fn(ctx, item)) {
            snprintf(err, errlen, "invalid %s '%s'", what, item);
            return false;
        }
        if (!comma) return true;
        p = comma + 1;
    }
}

static bool parse_num(const char *s, uint64_t *out)
{
    if (!isdigit((unsigned char)*s)) return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end) return false;
    *out = v;
    return true;
}

static bool add_syscall(void *ctx, const char *item)
{
    struct trace_opts *o = ctx;
    uint64_t nr;
    int found = sysent_lookup(item);
    if (found >= 0)
        nr = (uint64_t)found;
    else if (!parse_num(item, &nr) || nr >= SYSENT_MAX)
        return false;
    o->syscall_set[nr] = true;
    return true;
}

bool trace_parse_syscalls(struct trace_opts *o, const char *list, char *err, size_t errlen)
{
    o->syscall_filter = true;
    o->what |= TR_SYSCALLS; /* as strace -e trace=NAME */
    return each_item(list, add_syscall, o, "system call", err, errlen);
}

/* A vector by number or by mnemonic ("PF", "#PF", "nmi"). */
static bool vector_of(const char *s, uint64_t *out)
{
    if (parse_num(s, out)) return *out < TRACE_VECTORS;
    for (unsigned v = 0; v < TRACE_VECTORS; v++) {
        const char *mn = vector_mnemonic(v);
        if (mn && (!strcasecmp(s, mn) || (mn[0] == '#' && !strcasecmp(s, mn + 1)))) {
            *out = v;
            return true;
        }
    }
    return false;
}

static bool add_vector(void *ctx, const char *item)
{
    struct trace_opts *o = ctx;
    char lo_s[ITEM_MAX];
    const char *dash = strchr(item, '-');
    uint64_t lo, hi;
    snprintf(lo_s, sizeof(lo_s), "%.*s", dash ? (int)(dash - item) : (int)strlen(item), item);
    if (!vector_of(lo_s, &lo) || (dash && !vector_of(dash + 1, &hi))) return false;
    if (!dash) hi = lo;
    if (hi < lo) return false;
    for (uint64_t v = lo; v <= hi; v++)
        o->vector_set[v] = true;
    return true;
}

bool trace_parse_vectors(struct trace_opts *o, const char *list, char *err, size_t errlen)
{
    o->vector_filter = true;
    return each_item(list, add_vector, o, "vector", err, errlen);
}

static bool add_pid(void *ctx, const char *item)
{
    struct trace_opts *o = ctx;
    uint64_t pid;
    if (!parse_num(item, &pid) || pid > INT32_MAX || o->npids == TRACE_MAX_PIDS) return false;
    o->pids[o->npids++] = (int32_t)pid;
    return true;
}

bool trace_parse_pids(struct trace_opts *o, const char *list, char *err, size_t errlen)
{
    return each_item(list, add_pid, o, "pid", err, errlen);
}

static bool add_cpl(void *ctx, const char *item)
{
    struct trace_opts *o = ctx;
    uint64_t cpl;
    if (!parse_num(item, &cpl) || cpl > CPL_MAX) return false;
    o->cpl_mask |= 1u << cpl;
    return true;
}

bool trace_parse_cpls(struct trace_opts *o, const char *list, char *err, size_t errlen)
{
    return each_item(list, add_cpl, o, "CPL", err, errlen);
}

bool trace_parse_range(struct trace_opts *o, const char *spec, char *err, size_t errlen)
{
    char lo_s[ITEM_MAX];
    const char *dash = strchr(spec, '-');
    uint64_t lo, hi;
    if (o->nranges == TRACE_MAX_RANGES) {
        snprintf(err, errlen, "too many --range options (at most %d)", TRACE_MAX_RANGES);
        return false;
    }
    if (!dash || (size_t)(dash - spec) >= sizeof(lo_s)) {
        snprintf(err, errlen, "invalid range '%s' (expected LO-HI)", spec);
        return false;
    }
    snprintf(lo_s, sizeof(lo_s), "%.*s", (int)(dash - spec), spec);
    if (!parse_num(lo_s, &lo) || !parse_num(dash + 1, &hi) || hi < lo) {
        snprintf(err, errlen, "invalid range '%s' (expected LO-HI with LO <= HI)", spec);
        return false;
    }
    o->ranges[o->nranges++] = (struct trace_range){lo, hi};
    return true;
}

bool trace_parse_format(struct trace_opts *o, const char *name, char *err, size_t errlen)
{
    static const struct {
        const char *name;
        enum trace_format f;
    } formats[] = {{"text", TRACE_TEXT}, {"jsonl", TRACE_JSONL}, {"perfetto", TRACE_PERFETTO}};
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        if (!strcmp(name, formats[i].name)) {
            o->format = formats[i].f;
            return true;
        }
    }
    snprintf(err, errlen, "invalid format '%s' (expected text, jsonl or perfetto)", name);
    return false;
}
