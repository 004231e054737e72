/* What the examples share: read a kernel file, boot it with its console
 * thrown away, and report errors. Uses only the public API (<emu/emu.h>). */
#ifndef EXAMPLES_COMMON_H
#define EXAMPLES_COMMON_H

#include <emu/emu.h>
#include <stdio.h>
#include <stdlib.h>

static void discard_console(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
}

/* Boots argv[1] with kernel command line argv[2] (optional). Exits with
 * status 2 and a message on any error. */
static emu_machine *boot_from_args(int argc, char **argv, const char *usage)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s %s\n", argv[0], usage);
        exit(2);
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        exit(2);
    }
    static unsigned char image[16 << 20];
    size_t size = fread(image, 1, sizeof(image), f);
    fclose(f);
    emu_config cfg = {0};
    cfg.serial_out = discard_console;
    emu_machine *m = NULL;
    emu_status st = emu_machine_create(&cfg, &m);
    if (st == EMU_OK)
        st = emu_machine_load_multiboot(m, argv[1], image, size, argc == 3 ? argv[2] : NULL,
                                        NULL, 0);
    if (st != EMU_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], emu_status_string(st));
        emu_machine_destroy(m);
        exit(2);
    }
    return m;
}

#endif
