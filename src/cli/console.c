#include "console.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "machine/hostfile.h"

#define CTRL_A   0x01
#define STDIN_FD 0

static const char escape_help[] = "\nC-a h    print this help\n"
                                  "C-a x    exit emu\n"
                                  "C-a C-a  send C-a to the guest\n";

/* ---- output ------------------------------------------------------------------ */

static void file_write(void *ctx, const uint8_t *buf, size_t len)
{
    FILE *f = ctx;
    fwrite(buf, 1, len, f);
    fflush(f);
}

static void discard(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
}

/* ---- input ---------------------------------------------------------------------- */

/* Applies the Ctrl-A escapes to buf[0..n) in place; returns the bytes left
 * for the guest. */
static size_t escapes(struct console *c, uint8_t *buf, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = buf[i];
        if (!c->escape) {
            if (b == CTRL_A)
                c->escape = true;
            else
                buf[out++] = b;
            continue;
        }
        c->escape = false;
        if (b == CTRL_A) {
            buf[out++] = b;
        } else if (b == 'x' || b == 'X') {
            fputs("\nemu: terminated (C-a x)\n", c->msg);
            if (c->machine) emu_machine_quit(c->machine);
        } else if (b == 'h' || b == 'H' || b == '?') {
            fputs(escape_help, c->msg);
        }
    }
    return out;
}

/* emu_input_fn: what is readable now, without blocking. */
static long console_read(void *ctx, uint8_t *buf, size_t len)
{
    struct console *c = ctx;
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    if (poll(&pfd, 1, 0) <= 0) return 0;
    ssize_t n = read(c->fd, buf, len);
    if (n < 0) return (errno == EINTR || errno == EAGAIN) ? 0 : -1;
    if (n == 0) return -1;
    return (long)escapes(c, buf, (size_t)n);
}

int console_init(struct console *c, const char *serial, emu_config *cfg)
{
    memset(c, 0, sizeof(*c));
    c->fd = -1;
    c->msg = stderr;
    if (!serial || strcmp(serial, "stdio") == 0) {
        c->fd = STDIN_FD;
        cfg->serial_in = console_read;
        cfg->serial_in_ctx = c;
        cfg->serial_in_fd = c->fd;
        return 0;
    }
    if (strcmp(serial, "none") == 0) {
        cfg->serial_out = discard;
        return 0;
    }
    c->out = hostfile_create(serial);
    if (!c->out) {
        cli_error("cannot write --serial '%s': %s", serial,
                  hostfile_create_error(errno));
        return -1;
    }
    cfg->serial_out = file_write;
    cfg->serial_ctx = c->out;
    return 0;
}

/* Raw mode as QEMU's stdio backend sets it: no echo, no line editing, no
 * signals from the keyboard (Ctrl-C goes to the guest), output processing
 * kept so the guest's "\n" still starts a new line. */
void console_start(struct console *c, emu_machine *m)
{
    c->machine = m;
    if (c->fd < 0 || !isatty(c->fd) || tcgetattr(c->fd, &c->saved) < 0) return;
    struct termios t = c->saved;
    t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_oflag |= OPOST;
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | IEXTEN | ISIG);
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(c->fd, TCSANOW, &t) == 0) c->raw = true;
}

void console_close(struct console *c)
{
    if (c->raw) tcsetattr(c->fd, TCSANOW, &c->saved);
    c->raw = false;
    if (c->out) fclose(c->out);
    c->out = NULL;
}

/* ---- options --------------------------------------------------------------------- */

bool parse_clock(const char *s, emu_clock *out)
{
    if (strcmp(s, "virtual") == 0)
        *out = EMU_CLOCK_VIRTUAL;
    else if (strcmp(s, "host") == 0)
        *out = EMU_CLOCK_HOST;
    else
        return false;
    return true;
}

bool parse_rtc(const char *s, int64_t *out)
{
    if (strcmp(s, "host") == 0) {
        *out = (int64_t)time(NULL);
        return true;
    }
    struct tm tm = {0};
    const char *end = strptime(s, "%Y-%m-%d", &tm);
    if (end && *end == 'T') end = strptime(end + 1, "%H:%M:%S", &tm);
    if (!end || *end || tm.tm_year < 0 || tm.tm_year > 8099) return false;
    *out = (int64_t)timegm(&tm);
    return true;
}
