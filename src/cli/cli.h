/* The emu command line: subcommands and their shared helpers. */
#ifndef EMU_CLI_CLI_H
#define EMU_CLI_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "options.h"

/* The kernel built into the binary (src/guest, or examples/ until it exists). */
extern const unsigned char emu_bundled_kernel[];
extern const unsigned long emu_bundled_kernel_size;

int cmd_run(int argc, char **argv);
int cmd_repl(int argc, char **argv);
int cmd_emu_trace(int argc, char **argv);

/* Reads a whole file. Prints "emu: cannot read 'path': reason" and returns
 * NULL on failure. */
uint8_t *cli_read_file(const char *path, size_t *size);

/* Prints "emu: " + message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
