/* Address expressions: 0x1000, 4096, rsp+8, $rip, kmain+0x10, *rsp (the
 * 8 bytes at RSP), (rbp-16). Registers win over symbols of the same name;
 * a leading $ forces a register. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "repl_int.h"

struct parser {
    struct repl *r;
    const char *p;
    const char *error;
    char name[128]; // the token an error names
};

static bool reg_value(struct repl *r, const char *name, uint64_t *v)
{
    struct cpu *c = r->m->cpu;
    for (int i = 0; i < 16; i++)
        if (!strcmp(name, arch_gpr_names[i])) {
            *v = c->gpr[i];
            return true;
        }
    static const struct {
        const char *name;
        size_t off;
    } named[] = {
        {"rip", offsetof(struct cpu, rip)}, {"pc", offsetof(struct cpu, rip)},
        {"cr0", offsetof(struct cpu, cr0)}, {"cr2", offsetof(struct cpu, cr2)},
        {"cr3", offsetof(struct cpu, cr3)}, {"cr4", offsetof(struct cpu, cr4)},
        {"cr8", offsetof(struct cpu, cr8)}, {"efer", offsetof(struct cpu, efer)},
    };
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
        if (!strcmp(name, named[i].name)) {
            memcpy(v, (const char *)c + named[i].off, sizeof(*v));
            return true;
        }
    if (!strcmp(name, "rflags") || !strcmp(name, "eflags")) {
        *v = cpu_get_rflags(c);
        return true;
    }
    if (!strcmp(name, "fs_base") || !strcmp(name, "gs_base")) {
        *v = c->seg[name[0] == 'f' ? SEG_FS : SEG_GS].base;
        return true;
    }
    return false;
}

static void skip_space(struct parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

static bool expr(struct parser *ps, uint64_t *v);

static bool word(struct parser *ps, uint64_t *v)
{
    bool dollar = *ps->p == '$';
    if (dollar) ps->p++;
    size_t n = 0;
    while ((isalnum((unsigned char)*ps->p) || strchr("_.@", *ps->p)) && *ps->p &&
           n + 1 < sizeof(ps->name))
        ps->name[n++] = *ps->p++;
    ps->name[n] = '\0';
    if (n == 0) {
        ps->error = "expected a number, register or symbol";
        return false;
    }
    if (reg_value(ps->r, ps->name, v)) return true;
    if (!dollar && symtab_find(ps->r->syms, ps->name, v)) return true;
    ps->error = dollar ? "no such register" : "no such symbol or register";
    return false;
}

static bool term(struct parser *ps, uint64_t *v)
{
    skip_space(ps);
    if (*ps->p == '*') {
        ps->p++;
        uint64_t at;
        if (!term(ps, &at)) return false;
        *v = 0;
        if (repl_read_linear(ps->r, at, v, 8) != 8) {
            snprintf(ps->name, sizeof(ps->name), "%#llx", (unsigned long long)at);
            ps->error = "cannot read (not mapped)";
            return false;
        }
        return true;
    }
    if (*ps->p == '(') {
        ps->p++;
        if (!expr(ps, v)) return false;
        skip_space(ps);
        if (*ps->p != ')') {
            ps->error = "missing ')'";
            return false;
        }
        ps->p++;
        return true;
    }
    if (isdigit((unsigned char)*ps->p)) {
        char *end;
        errno = 0;
        *v = strtoull(ps->p, &end, 0);
        ps->p = end;
        if (isalnum((unsigned char)*end) || errno == ERANGE) {
            ps->error = errno == ERANGE ? "number too large (64 bits at most)" : "malformed number";
            return false;
        }
        return true;
    }
    return word(ps, v);
}

static bool expr(struct parser *ps, uint64_t *v)
{
    if (!term(ps, v)) return false;
    for (;;) {
        skip_space(ps);
        char op = *ps->p;
        if (op != '+' && op != '-') return true;
        ps->p++;
        uint64_t rhs;
        if (!term(ps, &rhs)) return false;
        *v = op == '+' ? *v + rhs : *v - rhs;
    }
}

bool repl_eval(struct repl *r, const char *text, uint64_t *out)
{
    struct parser ps = {.r = r, .p = text};
    if (expr(&ps, out)) {
        skip_space(&ps);
        if (!*ps.p) return true;
        ps.error = "unexpected text";
        snprintf(ps.name, sizeof(ps.name), "%s", ps.p);
    }
    if (ps.name[0])
        repl_error(r, "'%s': %s: %s", text, ps.error, ps.name);
    else
        repl_error(r, "'%s': %s", text, ps.error);
    return false;
}
