/* Reading host files named by the user (kernels, modules, scripts) without
 * letting the file hang or exhaust the host: a FIFO with no writer must not
 * block the open, an endless device (/dev/zero) must not be read forever, a
 * directory is refused with a clear reason. */
#ifndef EMU_MACHINE_HOSTFILE_H
#define EMU_MACHINE_HOSTFILE_H

#include <stddef.h>
#include <stdint.h>

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

#endif
