#include "hostfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (1u << 16)

int hostfile_open(const char *path)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    int flags = fcntl(fd, F_GETFL);
    if (fstat(fd, &st) < 0 || flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        errno = EISDIR;
        return -1;
    }
    return fd;
}

/* Reads fd to its end into *buf (grown as needed, never past cap + 1
 * bytes), failing with EFBIG past `cap` bytes. */
static int read_all(int fd, size_t cap, uint8_t **buf, size_t *len)
{
    size_t size = 0, used = 0;
    for (;;) {
        if (used == size) {
            size_t want = size ? 2 * size : READ_CHUNK;
            if (want - 1 > cap) want = cap + 1;
            uint8_t *nb = realloc(*buf, want);
            if (!nb) return -1;
            *buf = nb;
            size = want;
        }
        ssize_t n = read(fd, *buf + used, size - used);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) break;
        used += (size_t)n;
        if (used > cap) {
            errno = EFBIG;
            return -1;
        }
    }
    *len = used;
    return 0;
}

int hostfile_read(const char *path, size_t cap, uint8_t **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    int fd = hostfile_open(path);
    if (fd < 0) return -1;
    struct stat st;
    int r = -1;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > cap)
        errno = EFBIG; /* a huge (or sparse) file: refused without reading it */
    else
        r = read_all(fd, cap, data, len);
    int e = errno;
    close(fd);
    if (r < 0) {
        free(*data);
        *data = NULL;
        errno = e;
    }
    return r;
}

FILE *hostfile_create(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC, 0666);
    if (fd < 0) return NULL;
    int flags = fcntl(fd, F_GETFL);
    FILE *f = NULL;
    if (flags >= 0 && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0) f = fdopen(fd, "wb");
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

const char *hostfile_create_error(int err)
{
    return err == ENXIO ? "a FIFO with no reader" : strerror(err);
}
