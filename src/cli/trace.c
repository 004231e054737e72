/* emu trace: `emu run` with the tracer (src/trace/tracer.h) attached.
 * Every option of emu run works here too; trace lines go to stderr (or
 * -o FILE), the guest's console to stdout, as with strace. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "machine/hostfile.h"
#include "trace/tracer.h"

#define TRACE_FILE_BUFFER (1 << 20)
#define ERR_MAX           256

static const char trace_usage[] =
    "usage: emu trace [options] [KERNEL]\n"
    "Boot KERNEL as emu run does (every option of emu run works here) and trace\n"
    "what the machine does: strace for a whole machine (docs/trace.md). Trace\n"
    "lines go to stderr, the guest's console to stdout. With no event option,\n"
    "--syscalls.\n"
    "\n"
    "events:\n"
    "      --syscalls          system calls, strace style: [pid 3] write(1, \"hi\\n\", 3) = 3\n"
    "      --interrupts        external interrupts, with their source\n"
    "      --exceptions        exceptions and INT n, error codes and CR2 in words\n"
    "      --page-faults       page faults as they are raised\n"
    "      --context-switches  task to task (pids from the kernel's guest note)\n"
    "      --tlb[=SPEC]        TLB events and statistics at exit (SPEC: the TLB model,\n"
    "                          as emu run --tlb SPEC)\n"
    "      --msr, --cr         MSR and control-register writes\n"
    "      --io                port and MMIO accesses, by device\n"
    "      --insns             every instruction, disassembled, with symbol+offset\n"
    "      --irq-raise         interrupt lines as devices assert them\n"
    "filters:\n"
    "      --pid LIST          only these guest pids\n"
    "      --syscall LIST      only these system calls (names or numbers)\n"
    "      --vector LIST       only these vectors (numbers, ranges, or PF, GP, ...)\n"
    "      --cpl LIST          only events at these privilege levels (0..3)\n"
    "      --range LO-HI       only addresses in [LO, HI] (repeatable; RIP for\n"
    "                          instructions, port or address for I/O, CR2 for faults)\n"
    "      --after N, --until N  only events with instruction count in [N, M)\n"
    "output:\n"
    "      --format FMT        text (default), jsonl, or perfetto (ui.perfetto.dev)\n"
    "  -o, --output FILE       write the trace to FILE instead of stderr\n"
    "  -c                      a table of system calls (count, errors, virtual time)\n"
    "                          instead of the calls;  -C  the table after the calls\n"
    "  -T                      the virtual time spent in each call: <0.000012>\n"
    "  -t                      the virtual time (s) at the start of each line\n"
    "  -s N                    show N bytes of strings and buffers (default 32)\n"
    "\n"
    "machine options: see emu run --help.\n";

enum {
    T_SYSCALLS = 1000,
    T_INTERRUPTS,
    T_EXCEPTIONS,
    T_PAGE_FAULTS,
    T_CTXSW,
    T_TLB,
    T_MSR,
    T_CR,
    T_IO,
    T_INSNS,
    T_IRQ_RAISE,
    T_PID,
    T_SYSCALL,
    T_VECTOR,
    T_CPL,
    T_RANGE,
    T_AFTER,
    T_UNTIL,
    T_FORMAT,
};

static const struct option trace_long_opts[] = {
    {"syscalls", no_argument, NULL, T_SYSCALLS},
    {"interrupts", no_argument, NULL, T_INTERRUPTS},
    {"exceptions", no_argument, NULL, T_EXCEPTIONS},
    {"page-faults", no_argument, NULL, T_PAGE_FAULTS},
    {"context-switches", no_argument, NULL, T_CTXSW},
    {"tlb", optional_argument, NULL, T_TLB},
    {"msr", no_argument, NULL, T_MSR},
    {"cr", no_argument, NULL, T_CR},
    {"io", no_argument, NULL, T_IO},
    {"insns", no_argument, NULL, T_INSNS},
    {"irq-raise", no_argument, NULL, T_IRQ_RAISE},
    {"pid", required_argument, NULL, T_PID},
    {"syscall", required_argument, NULL, T_SYSCALL},
    {"vector", required_argument, NULL, T_VECTOR},
    {"cpl", required_argument, NULL, T_CPL},
    {"range", required_argument, NULL, T_RANGE},
    {"after", required_argument, NULL, T_AFTER},
    {"until", required_argument, NULL, T_UNTIL},
    {"format", required_argument, NULL, T_FORMAT},
    {"output", required_argument, NULL, 'o'},
    {NULL, 0, NULL, 0},
};

struct trace_cli {
    struct trace_opts opts;
    const char *output;   // -o FILE
    const char *tlb_spec; // --tlb=SPEC
    FILE *out;
    struct tracer *tracer;
    char *buffer; // for the output stream
};

static const struct {
    int opt;
    unsigned bit;
} event_opts[] = {
    {T_SYSCALLS, TR_SYSCALLS},
    {T_INTERRUPTS, TR_INTERRUPTS},
    {T_EXCEPTIONS, TR_EXCEPTIONS},
    {T_PAGE_FAULTS, TR_PAGE_FAULTS},
    {T_CTXSW, TR_CTXSW},
    {T_TLB, TR_TLB},
    {T_MSR, TR_MSR},
    {T_CR, TR_CR},
    {T_IO, TR_IO},
    {T_INSNS, TR_INSNS},
    {T_IRQ_RAISE, TR_IRQ_RAISE},
};

/* A count for --after/--until, at least `min`: 1, or -1 on a bad value
 * (message printed). */
static int count_value(const char *name, const char *arg, uint64_t min, uint64_t *out)
{
    if (parse_u64(arg, out) && *out >= min) return 1;
    cli_error("invalid %s '%s' (expected a number%s)", name, arg, min ? " above 0" : "");
    return -1;
}

/* The value-taking options. Returns 1 (taken), -1 (error printed). */
static int handle_value(struct trace_cli *c, int opt, const char *arg)
{
    char err[ERR_MAX];
    bool ok = true;
    uint64_t v;
    switch (opt) {
    case T_PID: ok = trace_parse_pids(&c->opts, arg, err, sizeof(err)); break;
    case T_SYSCALL: ok = trace_parse_syscalls(&c->opts, arg, err, sizeof(err)); break;
    case T_VECTOR: ok = trace_parse_vectors(&c->opts, arg, err, sizeof(err)); break;
    case T_CPL: ok = trace_parse_cpls(&c->opts, arg, err, sizeof(err)); break;
    case T_RANGE: ok = trace_parse_range(&c->opts, arg, err, sizeof(err)); break;
    case T_FORMAT: ok = trace_parse_format(&c->opts, arg, err, sizeof(err)); break;
    case T_AFTER: return count_value("--after", arg, 0, &c->opts.after);
    case T_UNTIL: return count_value("--until", arg, 1, &c->opts.until);
    case 's':
        if (!parse_u64(arg, &v) || v == 0 || v > 4095) {
            cli_error("invalid -s '%s' (expected 1..4095)", arg);
            return -1;
        }
        c->opts.strsize = (unsigned)v;
        return 1;
    case 'o': c->output = arg; return 1;
    default: return 0;
    }
    if (!ok) cli_error("%s", err);
    return ok ? 1 : -1;
}

static int handle_option(void *ctx, int opt, const char *arg)
{
    struct trace_cli *c = ctx;
    for (size_t i = 0; i < sizeof(event_opts) / sizeof(event_opts[0]); i++) {
        if (opt == event_opts[i].opt) {
            c->opts.what |= event_opts[i].bit;
            if (opt == T_TLB) c->tlb_spec = arg;
            return 1;
        }
    }
    switch (opt) {
    case 'c': c->opts.summary = TRACE_SUMMARY_ONLY; return 1;
    case 'C': c->opts.summary = TRACE_SUMMARY_ALSO; return 1;
    case 'T': c->opts.syscall_times = true; return 1;
    case 't': c->opts.timestamps = true; return 1;
    default: return handle_value(c, opt, arg);
    }
}

/* Opens the trace's stream: -o FILE fully buffered, else stderr line by
 * line (so it interleaves with the console as strace's does). */
static int open_output(struct trace_cli *c)
{
    if (!c->output) {
        c->out = stderr;
        setvbuf(stderr, NULL, _IOLBF, BUFSIZ);
        return 0;
    }
    c->out = hostfile_create(c->output);
    if (!c->out) {
        cli_error("cannot write '%s': %s", c->output, hostfile_create_error(errno));
        return -1;
    }
    c->buffer = malloc(TRACE_FILE_BUFFER);
    if (c->buffer) setvbuf(c->out, c->buffer, _IOFBF, TRACE_FILE_BUFFER);
    return 0;
}

/* --after N --until M must leave a window: M > N (0: no --until). */
static int check_window(const struct trace_opts *o)
{
    if (!o->until || o->until > o->after) return 0;
    cli_error("invalid --until %llu (expected more than --after %llu)",
              (unsigned long long)o->until, (unsigned long long)o->after);
    return -1;
}

static int before_run(void *ctx, emu_machine *m, const struct run_options *o, const uint8_t *image,
                      size_t size)
{
    struct trace_cli *c = ctx;
    emu_tlb_config tc;
    if (check_window(&c->opts) < 0) return -1;
    if (c->tlb_spec) {
        emu_cpu_get_tlb_config(m, 0, &tc);
        if (!parse_tlb_spec(c->tlb_spec, &tc) || emu_cpu_set_tlb_config(m, 0, &tc) != EMU_OK) {
            cli_error("invalid --tlb '%s' (see emu run --help)", c->tlb_spec);
            return -1;
        }
    }
    (void)o;
    if (!c->opts.what) c->opts.what = TR_SYSCALLS;
    if (open_output(c) < 0) return -1;
    char err[ERR_MAX];
    c->tracer = tracer_attach(m, &c->opts, image, size, c->out, err, sizeof(err));
    if (!c->tracer) {
        cli_error("cannot trace: %s", err);
        return -1;
    }
    return 0;
}

static void after_run(void *ctx, emu_machine *m, const emu_run_result *r)
{
    struct trace_cli *c = ctx;
    (void)m;
    (void)r;
    tracer_finish(c->tracer);
    tracer_free(c->tracer); /* before run_with destroys the machine */
    c->tracer = NULL;
}

int cmd_emu_trace(int argc, char **argv)
{
    struct trace_cli c = {0};
    struct cli_extra_options extra = {"trace", trace_long_opts, "o:cCTts:", handle_option, &c};
    struct run_client client = {trace_usage, &extra, before_run, after_run, &c};
    int status = run_with(argc, argv, &client);
    if (c.out && c.out != stderr) {
        if (fclose(c.out) != 0) {
            cli_error("cannot write '%s'", c.output);
            status = status ? status : EXIT_USAGE;
        }
    } else {
        fflush(stderr);
    }
    free(c.buffer);
    return status;
}
