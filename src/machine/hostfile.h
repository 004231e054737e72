/* Reading host files named by the user (kernels, modules, scripts) without
 * letting the file hang or exhaust the host: a FIFO with no writer must not
 * block the open, an endless device (/dev/zero) must not be read forever, a
 * directory is refused with a clear reason. */
#ifndef EMU_MACHINE_HOSTFILE_H
#define EMU_MACHINE_HOSTFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Largest kernel image the command line reads (a loaded image must fit in
 * guest RAM anyway; this only bounds what an endless device costs). */
#define HOSTFILE_KERNEL_MAX (256u << 20)

/* Opens `path` for reading. A FIFO opens without waiting for a writer (and
 * then reads as empty if none comes); reads block as usual afterwards.
 * Returns a descriptor, or -1 with errno set (EISDIR for a directory). */
int hostfile_open(const char *path);

/* Reads all of `path` into a malloc'd buffer (*data; free it), at most `cap`
 * bytes: a longer file or an endless device fails with EFBIG before more
 * than cap + 1 bytes are read. Returns 0, or -1 with errno set. */
int hostfile_read(const char *path, size_t cap, uint8_t **data, size_t *len);

/* Creates or truncates `path` for writing (the --serial FILE, the trace's
 * -o FILE). A FIFO must already have a reader (ENXIO otherwise) rather
 * than block emu before the guest starts. Returns a stream, or NULL with
 * errno set. */
FILE *hostfile_create(const char *path);

/* What to say about hostfile_create's errno: strerror, but ENXIO is "a FIFO
 * with no reader". */
const char *hostfile_create_error(int err);

#endif
