/* The instructional single-step debugger (issue 8): a command interpreter
 * over one machine. It reads no terminal itself -- the CLI (src/cli/repl.c)
 * hands it lines and gives it a FILE for everything it prints -- so tests
 * and scripts drive it exactly as a person does. docs/repl.md is the guide. */
#ifndef EMU_DEBUG_REPL_H
#define EMU_DEBUG_REPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../../include/emu/emu.h"

struct repl_options {
    const char *kernel_name; // shown to the user and in the Multiboot command line
    const uint8_t *image;    // the kernel file (must outlive the session: replays reload it)
    size_t image_size;
    const char *append;        // kernel command line, or NULL
    const emu_module *modules; // Multiboot modules (paths are re-read on replays)
    size_t nmodules;
    emu_config cfg;            // machine settings (its serial output is the session's)
    const emu_tlb_config *tlb; // TLB geometry and policy, or NULL for the default
    FILE *out;                 // everything the session prints, guest serial output included
    bool snapshots;            // fork-based snapshots for reverse execution (else replay from boot)
    /* State of the caller that must follow the session into a resumed
     * process (snapshot.h), such as the command history: save returns the
     * bytes written (at most cap); load gets them back. Both may be NULL. */
    size_t (*carry_save)(void *ctx, char *buf, size_t cap);
    void (*carry_load)(void *ctx, const char *buf, size_t len);
    void *carry_ctx;
};

struct repl;

/* Boots the kernel and stops before its first instruction. Returns NULL
 * after printing "emu: cannot boot ..." to stderr. */
struct repl *repl_new(const struct repl_options *opt);
void repl_free(struct repl *r);

/* Runs one command line. Returns false once the session is over (quit). */
bool repl_execute(struct repl *r, const char *line);

/* The process exit status the session ends with: the guest's exit status if
 * the machine stopped, else 0 (or what `quit N` asked for). */
int repl_exit_status(const struct repl *r);
/* Overrides it (bad input: the caller's usage status). */
void repl_set_exit_status(struct repl *r, int status);

/* Completion candidates for the word `text`, which is argument `argi` of
 * the line (0: the command). Call with state 0, 1, 2... until NULL. */
const char *repl_complete(struct repl *r, const char *line, int argi, const char *text, int state);

/* Interrupts a running command at the next instruction boundary (Ctrl-C).
 * Async-signal-safe. */
void repl_interrupt(struct repl *r);

#endif
