/* The REPL session: boot, output, the command line and its dispatch. */
#include "repl_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

/* Guest serial output: printed as it comes, except while replaying. */
static void serial_out(void *ctx, const uint8_t *buf, size_t len)
{
    struct repl *r = ctx;
    if (r->quiet || len == 0) return;
    fwrite(buf, 1, len, r->out);
    r->guest_partial_line = buf[len - 1] != '\n';
}

void repl_break_guest_line(struct repl *r)
{
    if (r->guest_partial_line) {
        fputc('\n', r->out);
        r->guest_partial_line = false;
    }
}

void repl_printf(struct repl *r, const char *fmt, ...)
{
    repl_break_guest_line(r);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(r->out, fmt, ap);
    va_end(ap);
}

void repl_error(struct repl *r, const char *fmt, ...)
{
    repl_break_guest_line(r);
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", r->out);
    vfprintf(r->out, fmt, ap);
    fputc('\n', r->out);
    va_end(ap);
}

int repl_boot(struct repl *r)
{
    emu_machine_destroy(r->m);
    r->m = NULL;
    emu_config cfg = r->opt.cfg;
    cfg.serial_out = serial_out;
    cfg.serial_ctx = r;
    cfg.max_insns = 0; /* the session enforces --max-insns itself (repl_limit_reached) */
    cfg.explain_faults = NULL;
    emu_machine *m;
    emu_status st = emu_machine_create(&cfg, &m);
    if (st == EMU_OK && r->opt.tlb && emu_cpu_set_tlb_config(m, 0, r->opt.tlb) != EMU_OK) {
        emu_machine_destroy(m);
        st = EMU_ERR_ARG;
    }
    if (st == EMU_OK) {
        st = emu_machine_load_multiboot(m, r->opt.kernel_name, r->opt.image, r->opt.image_size,
                                        r->opt.append, r->opt.modules, r->opt.nmodules);
        if (st != EMU_OK) emu_machine_destroy(m);
    }
    if (st != EMU_OK) {
        fprintf(stderr, "emu: cannot boot '%s': %s\n", r->opt.kernel_name, emu_status_string(st));
        return -1;
    }
    r->m = m;
    r->deliveries = 0;
    r->machine_ended = false;
    memset(r->hook_ids, 0, sizeof(r->hook_ids));
    repl_sync_hooks(r);
    return 0;
}

/* In a process just resumed from a snapshot: go on to the target position. */
static void finish_resume(struct repl *r)
{
    if (!r->resumed) return;
    r->resumed = false;
    repl_arrive(r, r->resume_target);
}

struct repl *repl_new(const struct repl_options *opt)
{
    struct repl *r = calloc(1, sizeof(*r));
    if (!r) return NULL;
    r->opt = *opt;
    r->out = opt->out ? opt->out : stdout;
    r->next_bp_id = 1;
    disasm_init(&r->dis);
    r->syms = symtab_new();
    const char *why;
    if (!r->syms || repl_boot(r) < 0) {
        repl_free(r);
        return NULL;
    }
    if (symtab_add_elf(r->syms, opt->image, opt->image_size, opt->kernel_name, &why) < 0)
        repl_printf(r, "note: no symbols from '%s' (%s)\n", opt->kernel_name, why);
    repl_reset_chain(r, 0);
    if (opt->snapshots) r->snaps = snapshots_start(r);
    finish_resume(r);
    return r;
}

void repl_free(struct repl *r)
{
    if (!r) return;
    snapshots_stop(r->snaps, repl_exit_status(r));
    emu_machine_destroy(r->m);
    symtab_free(r->syms);
    free(r);
}

int repl_exit_status(const struct repl *r)
{
    if (r->quit_status_set) return r->quit_status;
    return r->machine_ended ? r->end.exit_status : 0;
}

void repl_set_exit_status(struct repl *r, int status)
{
    r->quit_status = status;
    r->quit_status_set = true;
}

void repl_interrupt(struct repl *r)
{
    r->interrupted = 1;
}

/* ---- addresses and memory ---------------------------------------------------- */

void repl_format_addr(const struct repl *r, uint64_t addr, bool with_line, char *buf, size_t n)
{
    struct sym_loc loc;
    int len = snprintf(buf, n, "%#llx", (unsigned long long)addr);
    if (!symtab_lookup(r->syms, addr, &loc) || len < 0 || (size_t)len >= n) return;
    if (loc.name && loc.offset)
        len += snprintf(buf + len, n - (size_t)len, " <%s+%#llx>", loc.name,
                        (unsigned long long)loc.offset);
    else if (loc.name)
        len += snprintf(buf + len, n - (size_t)len, " <%s>", loc.name);
    if (with_line && loc.file && (size_t)len < n)
        snprintf(buf + len, n - (size_t)len, " (%s:%u)", loc.file, loc.line);
}

size_t repl_read_linear(struct repl *r, uint64_t lin, void *buf, size_t len)
{
    struct mmu *mmu = &r->m->cpu->mmu;
    uint8_t *out = buf;
    size_t done = 0;
    while (done < len) {
        struct mmu_walk w;
        uint64_t at = lin + done;
        size_t chunk = PAGE_SIZE - (at & PAGE_OFFSET_MASK);
        if (chunk > len - done) chunk = len - done;
        if (!mmu_walk(mmu, at, MMU_READ | MMU_NO_SIDE_EFFECTS, &w) ||
            phys_ram_offset(mmu->pm, w.pa) < 0 || phys_ram_offset(mmu->pm, w.pa + chunk - 1) < 0)
            break; /* not mapped, or not RAM (a device or nothing): not read */
        phys_copy_from(mmu->pm, w.pa, out + done, chunk);
        done += chunk;
    }
    return done;
}

uint64_t repl_code_linear(const struct repl *r, uint64_t rip)
{
    const struct cpu *c = r->m->cpu;
    if (c->mode == MODE_LONG64) return rip;
    return (c->seg[SEG_CS].base + rip) & 0xffffffffULL;
}

bool repl_decode(struct repl *r, uint64_t rip, struct dis_insn *out)
{
    uint8_t bytes[DIS_MAX_LEN];
    size_t n = repl_read_linear(r, repl_code_linear(r, rip), bytes, sizeof(bytes));
    disasm_one(&r->dis, r->m->cpu->mode, r->syntax, r->syms, bytes, n, rip, out);
    return n > 0;
}

/* ---- the command line -------------------------------------------------------- */

/* Splits line into words (double quotes group, # starts a comment). */
static int tokenize(char *line, char **argv, int max)
{
    int argc = 0;
    char *p = line;
    while (*p) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p || *p == '#') break;
        if (argc == max) return -1;
        if (*p == '"') {
            argv[argc++] = ++p;
            while (*p && *p != '"')
                p++;
        } else {
            argv[argc++] = p;
            while (*p && !isspace((unsigned char)*p))
                p++;
        }
        if (*p) *p++ = '\0';
    }
    return argc;
}

const struct repl_cmd *repl_find_command(const char *name)
{
    const struct repl_cmd *prefix = NULL;
    int nprefix = 0;
    size_t len = strlen(name);
    for (const struct repl_cmd *c = repl_commands; c->name; c++) {
        if (!strcmp(c->name, name) || (c->alias && !strcmp(c->alias, name))) return c;
        if (!strncmp(c->name, name, len)) {
            prefix = c;
            nprefix++;
        }
    }
    return nprefix == 1 ? prefix : NULL;
}

bool repl_execute(struct repl *r, const char *line)
{
    char buf[1024];
    char *argv[REPL_MAX_ARGS];
    if (strlen(line) >= sizeof(buf)) {
        repl_error(r, "line too long (at most %zu characters)", sizeof(buf) - 1);
        return true;
    }
    strcpy(buf, line);
    int argc = tokenize(buf, argv, REPL_MAX_ARGS);
    if (argc < 0) {
        repl_error(r, "too many words (at most %d)", REPL_MAX_ARGS);
        return true;
    }
    if (argc == 0) return !r->quit;
    const struct repl_cmd *c;
    if (!strncmp(argv[0], "x/", 2))
        c = repl_find_command("x");
    else
        c = repl_find_command(argv[0]);
    if (!c) {
        repl_error(r, "unknown command '%s' (try 'help')", argv[0]);
        return true;
    }
    r->interrupted = 0;
    if (snapshots_maybe_take(r)) { /* resumed: this old line is not run again */
        finish_resume(r);
        fflush(r->out);
        return !r->quit;
    }
    c->fn(r, argc, argv);
    finish_resume(r);
    repl_break_guest_line(r);
    fflush(r->out);
    return !r->quit;
}
