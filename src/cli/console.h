/* The guest's serial console on the host (docs/devices.md, "Serial
 * console"): COM1 input from a file descriptor (stdin), in raw mode when it
 * is a terminal, with QEMU's Ctrl-A escapes (Ctrl-A X quits, Ctrl-A H
 * helps, Ctrl-A Ctrl-A sends Ctrl-A); where COM1 output goes (--serial);
 * and the --clock and --rtc options. */
#ifndef EMU_CLI_CONSOLE_H
#define EMU_CLI_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <termios.h>

#include "../../include/emu/emu.h"

struct console {
    int fd;   // input, or -1 for none
    bool raw; // the terminal's settings were changed (and are in `saved`)
    struct termios saved;
    bool escape;          // Ctrl-A was the last byte
    emu_machine *machine; // Ctrl-A X stops it
    FILE *msg;            // where the escape help goes
    FILE *out;            // --serial FILE: the output file (owned)
};

/* Sets up COM1 for `serial` ("stdio" or NULL: stdout and stdin; "none": no
 * device behind it; otherwise a file to write, with no input) in cfg.
 * Returns 0, or -1 after printing an error. The terminal stays as it is
 * until console_start. */
int console_init(struct console *c, const char *serial, emu_config *cfg);

/* Puts a terminal input into raw mode and remembers the machine for
 * Ctrl-A X. */
void console_start(struct console *c, emu_machine *m);

/* Restores the terminal and closes the output file. */
void console_close(struct console *c);

/* --clock virtual|host. Returns false if malformed. */
bool parse_clock(const char *s, emu_clock *out);

/* --rtc host|YYYY-MM-DD[THH:MM:SS] (UTC) into seconds since 1970. */
bool parse_rtc(const char *s, int64_t *out);

#endif
