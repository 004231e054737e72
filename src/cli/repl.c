/* emu repl: the instructional debugger on a terminal (GNU readline: history,
 * completion of commands, registers and symbols) or driven by a script
 * (-x FILE, or stdin when it is not a terminal). The engine is src/debug;
 * this file only reads lines and hands them over. Lines are read from file
 * descriptors one byte at a time, never buffered ahead: a session may
 * continue in another process (fork-based snapshots, src/debug/snapshot.h)
 * and must find the input exactly where this one left it. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef EMU_HAVE_READLINE
#include <readline/history.h>
#include <readline/readline.h>
#endif

#include "../debug/repl.h"
#include "cli.h"
#include "machine/hostfile.h"

#define LINE_MAX_LEN 1024
#define PROMPT       "(emu) "

static const char repl_usage[] =
    "usage: emu repl [options] [KERNEL]\n"
    "The instructional debugger: boots KERNEL (default: the bundled kernel), stops\n"
    "before its first instruction and reads commands. Each step shows what changed;\n"
    "'explain' tells what the last step did, 'pt ADDR' walks the page tables,\n"
    "'reverse-step' goes back. Type 'help' at the prompt; docs/repl.md has a tour.\n"
    "\n"
    "  -x, --script FILE     run the commands in FILE first\n"
    "      --batch           exit at the end of the script (with no -x: of stdin)\n"
    "      --no-snapshots    reverse execution replays from the boot instead of\n"
    "                        keeping fork()ed snapshots\n"
    "  and the machine options of emu run: -m, -M, --append, --module, --clock,\n"
    "  --rtc, --tlb, --on-triple-fault (see emu run --help).\n"
    "\n"
    "Commands come from the terminal, or from stdin when it is not one (each is\n"
    "echoed after the prompt, so the output reads as a transcript).\n"
    "exit status: the guest's if the machine stopped, else 0 (or quit N); 2 bad input.\n";

enum { OPT_BATCH = 512, OPT_NO_SNAPSHOTS };

struct repl_cli {
    const char *script;
    bool batch;
    bool no_snapshots;
};

static const struct option repl_long_opts[] = {
    {"script", required_argument, NULL, 'x'},
    {"batch", no_argument, NULL, OPT_BATCH},
    {"no-snapshots", no_argument, NULL, OPT_NO_SNAPSHOTS},
    {NULL, 0, NULL, 0},
};

static int handle_option(void *ctx, int opt, const char *arg)
{
    struct repl_cli *c = ctx;
    switch (opt) {
    case 'x': c->script = arg; return 1;
    case OPT_BATCH: c->batch = true; return 1;
    case OPT_NO_SNAPSHOTS: c->no_snapshots = true; return 1;
    default: return 0;
    }
}

/* ---- input ------------------------------------------------------------------- */

/* Reads one line from fd without reading past it. Returns its length, or -1
 * at the end of input with nothing read. */
enum { LINE_END = -1, LINE_NOT_TEXT = -2, LINE_TOO_LONG = -3 };

static long read_line(int fd, char *buf, size_t n)
{
    size_t len = 0;
    bool any = false;
    for (;;) {
        char ch;
        ssize_t got = read(fd, &ch, 1);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        any = true;
        if (ch == '\n') break;
        if (ch == '\0') return LINE_NOT_TEXT;   /* binary input (-x /dev/zero): never a command */
        if (len + 1 == n) return LINE_TOO_LONG; /* and an endless line would never end */
        buf[len++] = ch;
    }
    buf[len] = '\0';
    if (len && buf[len - 1] == '\r') buf[--len] = '\0';
    return any ? (long)len : LINE_END;
}

/* The one piece of process-wide state: signal handlers get no context. */
static struct repl *volatile interrupt_target;

static void on_sigint(int sig)
{
    (void)sig;
    if (interrupt_target) repl_interrupt(interrupt_target);
}

/* Runs one line with Ctrl-C interrupting it. */
static bool execute(struct repl *r, const char *line)
{
    struct sigaction sa = {.sa_handler = on_sigint}, old;
    sigemptyset(&sa.sa_mask);
    interrupt_target = r;
    sigaction(SIGINT, &sa, &old);
    bool more = repl_execute(r, line);
    sigaction(SIGINT, &old, NULL);
    interrupt_target = NULL;
    return more;
}

/* Commands from a descriptor, each echoed after the prompt. */
/* Commands from a descriptor, each echoed after the prompt. Returns false
 * when the session is over: quit, or input that is not commands (then
 * *bad is set, after an error message naming `what`). */
static bool run_fd(struct repl *r, int fd, const char *what, bool *bad)
{
    char line[LINE_MAX_LEN];
    long n;
    while ((n = read_line(fd, line, sizeof(line))) >= 0) {
        printf(PROMPT "%s\n", line);
        if (!execute(r, line)) return false;
    }
    if (n == LINE_END) return true;
    fflush(stdout);
    cli_error("%s: %s", what,
              n == LINE_NOT_TEXT ? "not text (a NUL byte): not a command script"
                                 : "a line longer than 1023 characters");
    *bad = true;
    return false;
}

#ifdef EMU_HAVE_READLINE
static struct repl *completing;

static char *complete_word(const char *text, int state)
{
    int start = rl_point - (int)strlen(text), argi = 0;
    bool in_word = false;
    for (int i = 0; i < start && rl_line_buffer[i]; i++) {
        bool space = rl_line_buffer[i] == ' ' || rl_line_buffer[i] == '\t';
        if (!space && !in_word) argi++;
        in_word = !space;
    }
    const char *w = repl_complete(completing, rl_line_buffer, argi, text, state);
    return w ? strdup(w) : NULL;
}

static char **complete(const char *text, int start, int end)
{
    (void)start;
    (void)end;
    rl_attempted_completion_over = 1;
    return rl_completion_matches(text, complete_word);
}

/* The command history follows the session into a process resumed from a
 * snapshot (src/debug/snapshot.h): lines joined by newlines. */
static size_t history_save(void *ctx, char *buf, size_t cap)
{
    (void)ctx;
    size_t len = 0;
    HIST_ENTRY **list = history_list();
    for (int i = 0; list && list[i]; i++) {
        size_t n = strlen(list[i]->line);
        if (len + n + 1 > cap) break;
        memcpy(buf + len, list[i]->line, n);
        buf[len + n] = '\n';
        len += n + 1;
    }
    return len;
}

static void history_load(void *ctx, const char *buf, size_t len)
{
    (void)ctx;
    clear_history();
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(buf + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (buf + at)) : len - at;
        char line[LINE_MAX_LEN];
        snprintf(line, sizeof(line), "%.*s", (int)n, buf + at);
        add_history(line);
        at += n + 1;
    }
}

/* The interactive loop; an empty line repeats the last command (as in gdb). */
static void run_terminal(struct repl *r)
{
    completing = r;
    rl_attempted_completion_function = complete;
    rl_readline_name = "emu";
    char last[LINE_MAX_LEN] = "";
    for (;;) {
        char *line = readline(PROMPT);
        if (!line) break;
        if (*line) {
            add_history(line);
            snprintf(last, sizeof(last), "%s", line);
        }
        bool more = execute(r, *line ? line : last);
        free(line);
        if (!more) break;
    }
}
#else
static void run_terminal(struct repl *r)
{
    char line[LINE_MAX_LEN], last[LINE_MAX_LEN] = "";
    for (;;) {
        fputs(PROMPT, stdout);
        fflush(stdout);
        if (read_line(STDIN_FILENO, line, sizeof(line)) < 0) break;
        if (*line) snprintf(last, sizeof(last), "%s", line);
        if (!execute(r, *line ? line : last)) break;
    }
}
#endif

/* ---- the subcommand ------------------------------------------------------------ */

/* --tlb SPEC on top of the default configuration (read from a scratch machine). */
static bool tlb_config(const char *spec, emu_tlb_config *out)
{
    emu_machine *m;
    if (emu_machine_create(NULL, &m) != EMU_OK) return false;
    emu_cpu_get_tlb_config(m, 0, out);
    emu_machine_destroy(m);
    if (parse_tlb_spec(spec, out)) return true;
    cli_error("invalid --tlb '%s' (see emu run --help)", spec);
    return false;
}

static struct repl *start(const struct run_options *o, const struct repl_cli *c,
                          const uint8_t *image, size_t size)
{
    emu_tlb_config tlb;
    if (o->tlb_spec && !tlb_config(o->tlb_spec, &tlb)) return NULL;
    struct repl_options ro = {
        .kernel_name = o->kernel ? o->kernel : "emu-guest",
        .image = image,
        .image_size = size,
        .append = o->append,
        .modules = o->modules,
        .nmodules = o->nmodules,
        .out = stdout,
        .snapshots = !c->no_snapshots,
        .cfg = {.ram_size = o->ram_size,
                .on_triple_fault =
                    o->triple_fault_reset ? EMU_TRIPLE_FAULT_RESET : EMU_TRIPLE_FAULT_STOP,
                .clock = o->clock,
                .max_insns = o->max_insns,
                .rtc_epoch = o->rtc_epoch,
                .board = o->board},
        .tlb = o->tlb_spec ? &tlb : NULL,
#ifdef EMU_HAVE_READLINE
        .carry_save = history_save,
        .carry_load = history_load,
#endif
    };
    return repl_new(&ro);
}

static int usage_error(struct run_options *o, int rc)
{
    if (rc > 0) fputs(repl_usage, stdout);
    run_options_free(o);
    return rc > 0 ? 0 : EXIT_USAGE;
}

int cmd_repl(int argc, char **argv)
{
    struct run_options o = {0};
    struct repl_cli c = {0};
    struct cli_extra_options extra = {"repl", repl_long_opts, "x:", handle_option, &c};
    int rc = parse_run_options(argc, argv, &o, &extra);
    if (rc == 0 && o.clock == EMU_CLOCK_HOST) {
        cli_error("emu repl needs --clock virtual: reverse execution replays the machine");
        rc = -1;
    }
    if (rc != 0) return usage_error(&o, rc);
    int script = -1;
    if (c.script && (script = hostfile_open(c.script)) < 0) {
        cli_error("cannot read '%s': %s", c.script, strerror(errno));
        return usage_error(&o, -1);
    }
    size_t size = emu_bundled_kernel_size;
    uint8_t *file = o.kernel ? cli_read_file(o.kernel, &size) : NULL;
    struct repl *r = NULL;
    if (!o.kernel || file) r = start(&o, &c, file ? file : emu_bundled_kernel, size);
    int status = EXIT_USAGE;
    if (r) {
        bool bad = false;
        bool more = script < 0 || run_fd(r, script, c.script, &bad);
        if (more && !c.batch && isatty(STDIN_FILENO))
            run_terminal(r);
        else if (more && (!c.batch || script < 0))
            run_fd(r, STDIN_FILENO, "standard input", &bad);
        fflush(stdout);
        if (bad) repl_set_exit_status(r, EXIT_USAGE);
        status = repl_exit_status(r);
        repl_free(r);
    }
    if (script >= 0) close(script);
    free(file);
    run_options_free(&o);
    return status;
}
