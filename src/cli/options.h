/* Options shared by `emu run`, `emu trace` and `emu repl`. */
#ifndef EMU_CLI_OPTIONS_H
#define EMU_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <getopt.h>
#include <stdio.h>

#include "../../include/emu/emu.h"

#define CLI_MAX_MODULES 16
#define EXIT_USAGE 2

struct run_options {
    const char *kernel;        // NULL: the bundled kernel
    const char *append;        // kernel command line
    uint64_t ram_size;
    uint64_t max_insns;        // 0: no limit
    emu_module modules[CLI_MAX_MODULES];
    char *module_specs[CLI_MAX_MODULES]; // owned copies of FILE[,ARGS]
    size_t nmodules;
    const char *serial;        // "stdio" (or NULL), "none" or a file name
    emu_board board;           // --machine
    emu_clock clock;           // --clock
    int64_t rtc_epoch;         // --rtc, seconds since 1970; 0: the default
    const char *display;       // "none" or "sdl"
    bool stats;                // print instruction count and host time at exit
    const char *tlb_spec;      // --tlb SPEC, or NULL for the default TLB
    bool tlb_stats;            // --tlb-stats: print TLB statistics after the run
    bool explain_faults;       // explain each exception as it is delivered
    bool triple_fault_reset;   // --on-triple-fault=reset
};

/* Parses a size such as 128M, 2G or 512 (MiB when no suffix, as QEMU's -m).
 * Returns false if malformed. */
bool parse_size(const char *s, uint64_t *out);
bool parse_u64(const char *s, uint64_t *out);
/* "pc" or "q35" (QEMU's -M names). Returns false for anything else. */
bool parse_board(const char *s, emu_board *out);

/* Splits FILE[,ARGS] into a module. Returns false if FILE is empty. */
bool parse_module(char *spec, emu_module *out);

void run_options_free(struct run_options *o);

/* A subcommand's options besides the machine options of `emu run`. */
struct cli_extra_options {
    const char *command;          // "repl": for messages
    const struct option *longs;   // its long options (getopt_long), NULL-terminated
    const char *shorts;           // its short options ("x:"), or NULL
    /* Called with each option first: returns 1 if it took it, 0 if not
     * its own, -1 after printing an error. */
    int (*handle)(void *ctx, int opt, const char *arg);
    void *ctx;
};

/* Parses the options of `emu run` (and extra's), then at most one KERNEL.
 * Returns 0, 1 for --help, or -1 after printing an error (run.c). */
int parse_run_options(int argc, char **argv, struct run_options *o,
                      const struct cli_extra_options *extra);

/* A subcommand that boots and runs the machine as `emu run` does (emu
 * trace): its own options and usage, and calls around the run. */
struct run_client {
    const char *usage;                       // --help text
    const struct cli_extra_options *extra;   // its options, or NULL
    /* After the kernel is loaded, before the run: 0, or -1 after printing
     * an error (exit status 2). image/size: the kernel file. */
    int (*before)(void *ctx, emu_machine *m, const struct run_options *o,
                  const uint8_t *image, size_t size);
    /* After the run, before emu's own closing messages. */
    void (*after)(void *ctx, emu_machine *m, const emu_run_result *r);
    void *ctx;
};

/* `emu run` with a client's additions (run.c); returns the exit status. */
int run_with(int argc, char **argv, const struct run_client *client);

/* --tlb SPEC (tlb_opts.c): comma-separated items applied to *c: unified,
 * split, policy=clock|fifo|random, {itlb,dtlb}-{4k,large,1g}=SETSxWAYS.
 * Returns false if an item is malformed (ranges are checked by the API). */
bool parse_tlb_spec(const char *spec, emu_tlb_config *c);
/* Prints the retired-instruction count and each TLB's statistics. */
void print_tlb_stats(emu_machine *m, const emu_run_result *r, FILE *out);

#endif
