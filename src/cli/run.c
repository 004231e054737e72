/* emu run: boot a kernel with the guest's serial port on stdout. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../debug/symbols.h"
#include "cli.h"
#include "console.h"
#include "ui/ui.h"

static const char run_usage[] =
    "usage: emu run [options] [KERNEL]\n"
    "Boot KERNEL (a Multiboot-1 ELF32/ELF64 or a.out-kludge image) as\n"
    "qemu-system-x86_64 -kernel KERNEL does; with no KERNEL, boot the bundled kernel.\n"
    "The guest's COM1 goes to stdout and reads stdin (a terminal in raw mode:\n"
    "Ctrl-A X quits, Ctrl-A H helps); emu's own messages go to stderr.\n"
    "\n"
    "  -m, --memory SIZE     guest RAM (default 128M; suffixes K M G, plain number = MiB)\n"
    "  -M, --machine pc|q35  the board copied: QEMU's default pc (i440FX) or q35;\n"
    "                        they differ in the memory map and the CMOS floppy bytes\n"
    "      --append ARGS     kernel command line\n"
    "      --module FILE[,ARGS]  load a Multiboot module (repeatable)\n"
    "      --max-insns N     stop after N instructions (exit status 6)\n"
    "      --serial stdio|none|FILE  where COM1 goes (default stdio; FILE: output only)\n"
    "      --display none|sdl  none (default), or a window with the VGA text console,\n"
    "                        the PS/2 keyboard and a live machine panel (Ctrl-Alt-P);\n"
    "                        closing it ends the run like Ctrl-A X (docs/ui.md)\n"
    "      --clock virtual|host  guest time from retired instructions (default,\n"
    "                        deterministic) or the host clock (interactive use)\n"
    "      --rtc host|YYYY-MM-DD[THH:MM:SS]  the RTC's start (default 2000-01-01,\n"
    "                        UTC)\n"
    "      --stats           at exit, print instructions retired and host time to stderr\n"
    "      --tlb SPEC        TLB model: unified|split, policy=clock|fifo|random,\n"
    "                        {itlb,dtlb}-{4k,large,1g}=SETSxWAYS (comma-separated)\n"
    "      --tlb-stats       print instructions retired and TLB statistics to stderr\n"
    "      --explain-faults  explain every exception as it is delivered (stderr)\n"
    "      --on-triple-fault=stop|reset  stop with the forensics report (default),\n"
    "                        or reset the board as a PC does (exit status 10)\n"
    "  -h, --help            this text\n"
    "\n"
    "exit status: the guest's (isa-debug-exit at port 0xf4: (v << 1) | 1; ACPI\n"
    "poweroff at port 0x604: 0), or 2 bad input, 4 triple fault, 6 --max-insns\n"
    "reached, 8 halted with nothing to wake it, 10 reset (docs/exit-status.md).\n"
    "A triple fault prints the exception chain, the last instructions and the\n"
    "registers to stderr (docs/faults.md).\n";

enum { OPT_APPEND = 256, OPT_MODULE, OPT_MAX_INSNS, OPT_STATS, OPT_TLB, OPT_TLB_STATS,
       OPT_EXPLAIN, OPT_TRIPLE, OPT_SERIAL, OPT_CLOCK, OPT_RTC,
       OPT_DISPLAY };

static const struct option long_opts[] = {
    {"memory", required_argument, NULL, 'm'},
    {"machine", required_argument, NULL, 'M'},
    {"append", required_argument, NULL, OPT_APPEND},
    {"module", required_argument, NULL, OPT_MODULE},
    {"max-insns", required_argument, NULL, OPT_MAX_INSNS},
    {"stats", no_argument, NULL, OPT_STATS},
    {"tlb", required_argument, NULL, OPT_TLB},
    {"tlb-stats", no_argument, NULL, OPT_TLB_STATS},
    {"explain-faults", no_argument, NULL, OPT_EXPLAIN},
    {"on-triple-fault", required_argument, NULL, OPT_TRIPLE},
    {"serial", required_argument, NULL, OPT_SERIAL},
    {"display", required_argument, NULL, OPT_DISPLAY},
    {"clock", required_argument, NULL, OPT_CLOCK},
    {"rtc", required_argument, NULL, OPT_RTC},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

#define MAX_LONG_OPTS 64

/* The subcommand's own long options, then those of long_opts it does not
 * redefine, in all[]. Returns false if they do not fit. */
static bool merge_options(const struct cli_extra_options *extra, struct option *all)
{
    size_t n = 0;
    for (const struct option *p = extra ? extra->longs : NULL; p && p->name; p++) {
        if (n + 1 >= MAX_LONG_OPTS)
            return false;
        all[n++] = *p;
    }
    size_t own = n;
    for (const struct option *p = long_opts; p->name; p++) {
        bool overridden = false; /* the subcommand redefines it (emu trace --tlb) */
        for (size_t i = 0; i < own; i++)
            overridden = overridden || !strcmp(all[i].name, p->name);
        if (overridden)
            continue;
        if (n + 1 >= MAX_LONG_OPTS)
            return false;
        all[n++] = *p;
    }
    all[n] = (struct option){NULL, 0, NULL, 0};
    return true;
}

int parse_run_options(int argc, char **argv, struct run_options *o,
                      const struct cli_extra_options *extra)
{
    struct option all[MAX_LONG_OPTS];
    char shorts[32];
    const char *cmd = extra ? extra->command : "run";
    snprintf(shorts, sizeof(shorts), "+:m:M:h%s", extra && extra->shorts ? extra->shorts : "");
    if (!merge_options(extra, all))
        return -1;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, shorts, all, NULL)) != -1) {
        int mine = extra && extra->handle ? extra->handle(extra->ctx, c, optarg) : 0;
        if (mine < 0)
            return -1;
        if (mine > 0)
            continue;
        switch (c) {
        case 'm':
            if (!parse_size(optarg, &o->ram_size) || o->ram_size == 0) {
                cli_error("invalid memory size '%s' (try 128M or 1G)", optarg);
                return -1;
            }
            break;
        case 'M':
            if (!parse_board(optarg, &o->board)) {
                cli_error("invalid --machine '%s' (expected pc or q35)", optarg);
                return -1;
            }
            break;
        case OPT_APPEND: o->append = optarg; break;
        case OPT_MODULE:
            if (o->nmodules == CLI_MAX_MODULES) {
                cli_error("too many --module options (at most %d)", CLI_MAX_MODULES);
                return -1;
            }
            o->module_specs[o->nmodules] = strdup(optarg);
            if (!o->module_specs[o->nmodules] ||
                !parse_module(o->module_specs[o->nmodules], &o->modules[o->nmodules])) {
                free(o->module_specs[o->nmodules]);
                cli_error("invalid --module '%s' (expected FILE[,ARGS])", optarg);
                return -1;
            }
            o->nmodules++;
            break;
        case OPT_MAX_INSNS:
            if (!parse_u64(optarg, &o->max_insns) || o->max_insns == 0) {
                cli_error("invalid --max-insns '%s' (expected a positive number)", optarg);
                return -1;
            }
            break;
        case OPT_STATS: o->stats = true; break;
        case OPT_TLB: o->tlb_spec = optarg; break;
        case OPT_TLB_STATS: o->tlb_stats = true; break;
        case OPT_EXPLAIN: o->explain_faults = true; break;
        case OPT_TRIPLE:
            if (strcmp(optarg, "stop") == 0) {
                o->triple_fault_reset = false;
            } else if (strcmp(optarg, "reset") == 0) {
                o->triple_fault_reset = true;
            } else {
                cli_error("invalid --on-triple-fault '%s' (expected stop or reset)", optarg);
                return -1;
            }
            break;
        case OPT_SERIAL: o->serial = optarg; break;
        case OPT_DISPLAY:
            if (strcmp(optarg, "none") && strcmp(optarg, "sdl")) {
                cli_error("invalid --display '%s' (expected none or sdl)", optarg);
                return -1;
            }
            if (!strcmp(optarg, "sdl") && !ui_available()) {
                cli_error("--display sdl: this emu was built without SDL2");
                return -1;
            }
            o->display = optarg;
            break;
        case OPT_CLOCK:
            if (!parse_clock(optarg, &o->clock)) {
                cli_error("invalid --clock '%s' (expected virtual or host)", optarg);
                return -1;
            }
            break;
        case OPT_RTC:
            if (!parse_rtc(optarg, &o->rtc_epoch)) {
                cli_error("invalid --rtc '%s' (expected host or YYYY-MM-DD[THH:MM:SS])", optarg);
                return -1;
            }
            break;
        case 'h': return 1;
        case ':': cli_error("option '%s' needs a value", argv[optind - 1]); return -1;
        default:
            cli_error("unknown option '%s' (try 'emu %s --help')", argv[optind - 1], cmd);
            return -1;
        }
    }
    if (optind < argc)
        o->kernel = argv[optind++];
    if (optind < argc) {
        cli_error("unexpected argument '%s' (one KERNEL at most)", argv[optind]);
        return -1;
    }
    return 0;
}

static void report_stop(emu_machine *m, const emu_run_result *r, const struct run_options *o)
{
    switch (r->reason) {
    case EMU_STOP_TRIPLE_FAULT:
        cli_error("triple fault: the CPU shut down (exit status 4)");
        emu_machine_report(m, stderr);
        break;
    case EMU_STOP_RESET:
        if (r->triple_fault) {
            cli_error("triple fault: the board resets (--on-triple-fault=reset, exit status 10)");
            if (o->explain_faults)
                emu_machine_report(m, stderr);
        }
        break;
    case EMU_STOP_MAX_INSNS:
        cli_error("stopped after %llu instructions (--max-insns %llu)",
                  (unsigned long long)r->insns, (unsigned long long)o->max_insns);
        break;
    case EMU_STOP_HALTED:
        cli_error("the guest halted with nothing left that could wake it");
        break;
    case EMU_STOP_STUCK:
        cli_error("the CPU is stuck: it takes exception after exception without completing an "
                  "instruction (exit status 8)");
        emu_machine_report(m, stderr);
        break;
    default: break;
    }
}

/* Applies --tlb SPEC on top of the default configuration. 0 or -1. */
static int configure_tlb(emu_machine *m, const char *spec)
{
    emu_tlb_config c;
    emu_cpu_get_tlb_config(m, 0, &c);
    if (!parse_tlb_spec(spec, &c) || emu_cpu_set_tlb_config(m, 0, &c) != EMU_OK) {
        cli_error("invalid --tlb '%s' (see emu run --help; sets a power of two up to 4096, "
                  "ways up to 64)", spec);
        return -1;
    }
    return 0;
}

/* Opens the window for --display sdl (NULL and *failed = false otherwise). */
static struct ui_window *open_display(emu_machine *m, const struct run_options *o,
                                      const uint8_t *image, size_t size, bool *failed)
{
    *failed = false;
    if (!o->display || strcmp(o->display, "sdl"))
        return NULL;
    char title[256], err[256];
    snprintf(title, sizeof(title), "emu - %s", o->kernel ? o->kernel : "bundled kernel");
    struct ui_window *w = ui_open(m, title, err, sizeof(err));
    if (!w) {
        cli_error("--display sdl: %s", err);
        *failed = true;
        return NULL;
    }
    ui_set_kernel(w, image, size);
    return w;
}

/* Names addresses in the fault report from the kernel's own ELF symbols and
 * line tables. The table is built on first use: a run that never faults
 * pays nothing. */
struct kernel_syms {
    const uint8_t *image;
    size_t size;
    const char *name;
    struct symtab *tab;
    bool tried;
};

static bool symbolize(void *ctx, uint64_t addr, char *buf, size_t n)
{
    struct kernel_syms *k = ctx;
    if (!k->tried) {
        k->tried = true;
        const char *why;
        k->tab = symtab_new();
        if (k->tab && symtab_add_elf(k->tab, k->image, k->size, k->name, &why) <= 0) {
            symtab_free(k->tab);
            k->tab = NULL;
        }
    }
    struct sym_loc l;
    if (!k->tab || !symtab_lookup(k->tab, addr, &l) || !l.name)
        return false;
    int len = l.offset ? snprintf(buf, n, "%s+%#llx", l.name, (unsigned long long)l.offset)
                       : snprintf(buf, n, "%s", l.name);
    if (l.file && len >= 0 && (size_t)len < n)
        snprintf(buf + len, n - (size_t)len, " (%s:%u)", l.file, l.line);
    return true;
}

int cmd_run(int argc, char **argv)
{
    const struct run_client plain = {run_usage, NULL, NULL, NULL, NULL};
    return run_with(argc, argv, &plain);
}

/* Creates the machine, applies --tlb, loads the kernel and gives the machine
 * its symbolizer. NULL (after saying why on stderr) when any of it fails. */
static emu_machine *boot(const struct run_options *o, const emu_config *cfg,
                         struct kernel_syms *ks)
{
    emu_machine *m = NULL;
    emu_status st = emu_machine_create(cfg, &m);
    if (st == EMU_OK && o->tlb_spec && configure_tlb(m, o->tlb_spec) < 0) {
        emu_machine_destroy(m);
        return NULL;
    }
    if (st == EMU_OK)
        st = emu_machine_load_multiboot(m, ks->name, ks->image, ks->size, o->append, o->modules,
                                        o->nmodules);
    if (st != EMU_OK) {
        cli_error("cannot boot '%s': %s", o->kernel ? o->kernel : "(bundled kernel)",
                  emu_status_string(st));
        emu_machine_destroy(m);
        return NULL;
    }
    emu_machine_set_symbolizer(m, symbolize, ks);
    return m;
}

/* Runs the booted machine to its end and prints what the options ask for
 * (--stats, --tlb-stats, the stop report). Returns emu's exit status. */
static int run_booted(emu_machine *m, struct console *con, const struct run_options *o,
                      const struct run_client *client)
{
    emu_run_result r;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    console_start(con, m);
    emu_machine_run(m, &r);
    console_close(con);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fflush(stdout);
    if (client->after)
        client->after(client->ctx, m, &r);
    report_stop(m, &r, o);
    if (o->stats) {
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        fprintf(stderr, "emu: %llu instructions in %.3f s (%.1f MIPS)\n",
                (unsigned long long)r.insns, s, s > 0 ? (double)r.insns / s / 1e6 : 0.0);
    }
    if (o->tlb_stats)
        print_tlb_stats(m, &r, stderr);
    return r.exit_status;
}

/* Boots and runs, the console already open: opens the display and calls the
 * client's hook first. */
static int boot_and_run(const struct run_options *o, const emu_config *cfg, struct console *con,
                        struct kernel_syms *ks, const struct run_client *client)
{
    emu_machine *m = boot(o, cfg, ks);
    if (!m)
        return EXIT_USAGE;
    int status = EXIT_USAGE;
    bool display_failed = false;
    struct ui_window *win = open_display(m, o, ks->image, ks->size, &display_failed);
    if (!display_failed &&
        !(client->before && client->before(client->ctx, m, o, ks->image, ks->size) < 0))
        status = run_booted(m, con, o, client);
    ui_close(win);
    emu_machine_destroy(m);
    return status;
}

int run_with(int argc, char **argv, const struct run_client *client)
{
    struct run_options o = {0};
    int rc = parse_run_options(argc, argv, &o, client->extra);
    if (rc != 0) {
        if (rc > 0)
            fputs(client->usage, stdout);
        run_options_free(&o);
        return rc > 0 ? 0 : EXIT_USAGE;
    }
    struct kernel_syms ks = {emu_bundled_kernel, emu_bundled_kernel_size,
                             o.kernel ? o.kernel : "emu-guest", NULL, false};
    uint8_t *file = NULL;
    if (o.kernel && !(file = cli_read_file(o.kernel, &ks.size))) {
        run_options_free(&o);
        return EXIT_USAGE;
    }
    if (file)
        ks.image = file;
    emu_config cfg = {.ram_size = o.ram_size, .max_insns = o.max_insns,
                      .explain_faults = o.explain_faults ? stderr : NULL,
                      .on_triple_fault = o.triple_fault_reset ? EMU_TRIPLE_FAULT_RESET
                                                              : EMU_TRIPLE_FAULT_STOP,
                      .clock = o.clock, .rtc_epoch = o.rtc_epoch, .board = o.board};
    struct console con;
    int status = EXIT_USAGE;
    if (console_init(&con, o.serial, &cfg) == 0) {
        status = boot_and_run(&o, &cfg, &con, &ks, client);
        console_close(&con);
    }
    symtab_free(ks.tab);
    free(file);
    run_options_free(&o);
    return status;
}
