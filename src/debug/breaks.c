/* Breakpoints, watchpoints and catchpoints: break, watch, delete, info breakpoints. */
#include <stdlib.h>
#include <string.h>

#include "repl_int.h"

#define WATCH_MAX_LEN 4096
#define VECTOR_COUNT  256

struct breakpoint *breaks_add(struct repl *r, enum break_kind kind)
{
    for (int i = 0; i < REPL_MAX_BREAKS; i++) {
        struct breakpoint *b = &r->bps[i];
        if (b->id) continue;
        *b = (struct breakpoint){.id = r->next_bp_id++, .kind = kind};
        return b;
    }
    repl_error(r, "too many breakpoints (at most %d; 'delete' some)", REPL_MAX_BREAKS);
    return NULL;
}

struct breakpoint *breaks_find_addr(struct repl *r, uint64_t rip)
{
    for (int i = 0; i < REPL_MAX_BREAKS; i++)
        if (r->bps[i].id && r->bps[i].kind == BK_ADDR && r->bps[i].addr == rip) return &r->bps[i];
    return NULL;
}

bool breaks_any(const struct repl *r, enum break_kind kind)
{
    for (int i = 0; i < REPL_MAX_BREAKS; i++)
        if (r->bps[i].id && r->bps[i].kind == kind) return true;
    return false;
}

void breaks_delete_temporary(struct repl *r)
{
    for (int i = 0; i < REPL_MAX_BREAKS; i++)
        if (r->bps[i].temporary) r->bps[i] = (struct breakpoint){0};
}

static void announce(struct repl *r, const struct breakpoint *b)
{
    char where[200];
    switch (b->kind) {
    case BK_ADDR:
        repl_format_addr(r, b->addr, true, where, sizeof(where));
        repl_printf(r, "Breakpoint %d at %s\n", b->id, where);
        break;
    case BK_WATCH:
        repl_printf(r, "Watchpoint %d: %s of [%#llx, %#llx)\n", b->id,
                    b->rw == (WATCH_R | WATCH_W) ? "reads and writes"
                    : b->rw == WATCH_R           ? "reads"
                                                 : "writes",
                    (unsigned long long)b->addr, (unsigned long long)(b->addr + b->len));
        break;
    default: repl_printf(r, "Catchpoint %d: %s\n", b->id, b->what); break;
    }
}

static void break_syscall(struct repl *r, int argc, char **argv)
{
    uint64_t nr = 0;
    bool has = argc > 2;
    if (has && !repl_syscall_number(argv[2], &nr)) {
        char *end;
        nr = strtoull(argv[2], &end, 0);
        if (*end || !*argv[2]) {
            repl_error(r, "unknown system call '%s' (a name such as write, or a number)", argv[2]);
            return;
        }
    }
    struct breakpoint *b = breaks_add(r, BK_SYSCALL);
    if (!b) return;
    b->nr = nr;
    b->has_nr = has;
    if (has)
        snprintf(b->what, sizeof(b->what), "system call %llu (%s)", (unsigned long long)nr,
                 repl_syscall_name(nr));
    else
        snprintf(b->what, sizeof(b->what), "any system call");
    announce(r, b);
}

static void break_vector(struct repl *r, int argc, char **argv)
{
    uint64_t v;
    if (argc < 3) {
        repl_error(r, "usage: break vector N   (for example: break vector 0x20)");
        return;
    }
    if (!repl_eval(r, argv[2], &v)) return;
    if (v >= VECTOR_COUNT) {
        repl_error(r, "vector %llu: vectors are 0..255", (unsigned long long)v);
        return;
    }
    struct breakpoint *b = breaks_add(r, BK_VECTOR);
    if (!b) return;
    b->nr = v;
    b->user_only = argc > 3 && !strcmp(argv[3], "user");
    snprintf(b->what, sizeof(b->what), "delivery of %s%s", repl_vector_name((unsigned)v),
             b->user_only ? " while in ring 3" : "");
    announce(r, b);
}

static void break_simple(struct repl *r, enum break_kind kind, const char *what)
{
    struct breakpoint *b = breaks_add(r, kind);
    if (!b) return;
    snprintf(b->what, sizeof(b->what), "%s", what);
    announce(r, b);
}

/* break pagefault [ADDR]: a #PF, or one on the page of ADDR. */
static void break_pagefault(struct repl *r, int argc, char **argv)
{
    uint64_t addr = 0;
    if (argc > 2 && !repl_eval(r, argv[2], &addr)) return;
    struct breakpoint *b = breaks_add(r, BK_PAGEFAULT);
    if (!b) return;
    b->addr = addr;
    b->has_nr = argc > 2;
    if (b->has_nr)
        snprintf(b->what, sizeof(b->what), "page fault on the page of %#llx",
                 (unsigned long long)addr);
    else
        snprintf(b->what, sizeof(b->what), "any page fault");
    announce(r, b);
}

void cmd_break(struct repl *r, int argc, char **argv)
{
    if (argc < 2) {
        repl_error(r, "usage: break ADDR|SYMBOL | syscall [NAME] | vector N [user] | exception | "
                      "pagefault [ADDR] | cr3");
        return;
    }
    if (!strcmp(argv[1], "syscall")) {
        break_syscall(r, argc, argv);
        return;
    }
    if (!strcmp(argv[1], "vector")) {
        break_vector(r, argc, argv);
        return;
    }
    if (!strcmp(argv[1], "exception")) {
        break_simple(r, BK_EXCEPTION, "any exception (vectors 0-31 raised by the CPU)");
        return;
    }
    if (!strcmp(argv[1], "pagefault")) {
        break_pagefault(r, argc, argv);
        return;
    }
    if (!strcmp(argv[1], "cr3")) {
        break_simple(r, BK_CR3, "CR3 change (address space switch)");
        return;
    }
    const char *spec = argv[1][0] == '*' ? argv[1] + 1 : argv[1];
    uint64_t addr;
    if (!repl_eval(r, spec, &addr)) return;
    struct breakpoint *b = breaks_add(r, BK_ADDR);
    if (!b) return;
    b->addr = addr;
    snprintf(b->what, sizeof(b->what), "%s", spec);
    announce(r, b);
}

void cmd_watch(struct repl *r, int argc, char **argv)
{
    uint64_t addr, len = 8;
    unsigned rw = WATCH_W;
    if (argc < 2) {
        repl_error(r, "usage: watch ADDR [LEN] [r|w|rw]");
        return;
    }
    if (!repl_eval(r, argv[1], &addr)) return;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "r"))
            rw = WATCH_R;
        else if (!strcmp(argv[i], "w"))
            rw = WATCH_W;
        else if (!strcmp(argv[i], "rw"))
            rw = WATCH_R | WATCH_W;
        else if (!repl_eval(r, argv[i], &len))
            return;
    }
    if (len == 0 || len > WATCH_MAX_LEN) {
        repl_error(r, "watch length must be 1..%d bytes", WATCH_MAX_LEN);
        return;
    }
    struct breakpoint *b = breaks_add(r, BK_WATCH);
    if (!b) return;
    b->addr = addr;
    b->len = len;
    b->rw = rw;
    snprintf(b->what, sizeof(b->what), "%s", argv[1]);
    announce(r, b);
}

void cmd_delete(struct repl *r, int argc, char **argv)
{
    if (argc == 1) {
        memset(r->bps, 0, sizeof(r->bps));
        repl_printf(r, "Deleted all breakpoints.\n");
        return;
    }
    for (int i = 1; i < argc; i++) {
        char *end;
        long id = strtol(argv[i], &end, 10);
        bool found = false;
        for (int j = 0; j < REPL_MAX_BREAKS && !*end && id > 0; j++)
            if (r->bps[j].id == id) {
                r->bps[j] = (struct breakpoint){0};
                found = true;
            }
        if (!found) repl_error(r, "no breakpoint number '%s'", argv[i]);
    }
}

void info_breakpoints(struct repl *r)
{
    static const char *const kinds[] = {
        [BK_ADDR] = "breakpoint", [BK_SYSCALL] = "catch", [BK_VECTOR] = "catch",
        [BK_EXCEPTION] = "catch", [BK_CR3] = "catch",     [BK_WATCH] = "watchpoint",
        [BK_PAGEFAULT] = "catch"};
    bool any = false;
    for (int i = 0; i < REPL_MAX_BREAKS; i++) {
        const struct breakpoint *b = &r->bps[i];
        if (!b->id || b->temporary) continue;
        if (!any) repl_printf(r, "Num  Type        Hits  What\n");
        any = true;
        char what[220];
        if (b->kind == BK_ADDR)
            repl_format_addr(r, b->addr, true, what, sizeof(what));
        else if (b->kind == BK_WATCH)
            snprintf(what, sizeof(what), "%s [%#llx, +%llu) %s", b->what,
                     (unsigned long long)b->addr, (unsigned long long)b->len,
                     b->rw == (WATCH_R | WATCH_W) ? "rw"
                     : b->rw == WATCH_R           ? "r"
                                                  : "w");
        else
            snprintf(what, sizeof(what), "%s", b->what);
        repl_printf(r, "%-4d %-11s %4llu  %s\n", b->id, kinds[b->kind], (unsigned long long)b->hits,
                    what);
    }
    if (!any) repl_printf(r, "No breakpoints, watchpoints or catchpoints.\n");
}
