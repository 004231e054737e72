/* Where a serial port's bytes go, and where its input comes from. */
#ifndef EMU_DEV_CHARDEV_H
#define EMU_DEV_CHARDEV_H

#include <stddef.h>
#include <stdint.h>

struct char_sink {
    void (*write)(void *ctx, const uint8_t *buf, size_t len);
    void *ctx;
};

#endif
