/* emu: a user-space x86_64 machine emulator. Dispatches subcommands. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "machine/hostfile.h"

static const char usage[] =
    "usage: emu <command> [options] [KERNEL]\n"
    "\n"
    "commands:\n"
    "  run [KERNEL]     boot a Multiboot kernel (default: the bundled kernel)\n"
    "  repl [KERNEL]    the instructional single-step debugger (emu repl --help)\n"
    "  trace [KERNEL]   run and trace: system calls, interrupts, faults, switches\n"
    "                   (emu trace --help; docs/trace.md)\n"
    "\n"
    "  emu --help       this text;  emu run --help  the options of run\n"
    "  emu --version    print the version\n";

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("emu: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

uint8_t *cli_read_file(const char *path, size_t *size)
{
    uint8_t *buf;
    if (hostfile_read(path, HOSTFILE_KERNEL_MAX, &buf, size) < 0) {
        cli_error("cannot read '%s': %s", path, strerror(errno));
        return NULL;
    }
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("emu %s\n", emu_version());
        return 0;
    }
    if (!strcmp(cmd, "trace"))
        return cmd_emu_trace(argc - 1, argv + 1);
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "repl"))
        return cmd_repl(argc - 1, argv + 1);
    cli_error("unknown command '%s' (try 'emu --help')", cmd);
    return EXIT_USAGE;
}
