/* Linux errno and signal names, and the messages glibc's strerror gives,
 * in tables of our own so traces read the same on every host. */
#ifndef EMU_TRACE_ERRNAMES_H
#define EMU_TRACE_ERRNAMES_H

#include <stdint.h>

#define ERRNO_MAX 4095 /* Linux returns -1 .. -4095 for errors */

/* "ENOENT" and "No such file or directory" for 2; NULL if unnamed. */
const char *errno_name(int64_t e);
const char *errno_message(int64_t e);

/* "SIGCHLD" for 17; NULL if unnamed (real-time signals: see signal_print). */
const char *signal_name(int64_t sig);

#endif
