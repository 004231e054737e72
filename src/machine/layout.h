/* What differs between the boards emu copies (QEMU's pc and q35 as SeaBIOS
 * leaves them), measured with tests/kernels/isa/mbinfo.c and dev/rtc.c on
 * QEMU 7.2 for 64 MiB .. 6 GiB. */
#ifndef EMU_MACHINE_LAYOUT_H
#define EMU_MACHINE_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "../../include/emu/emu.h"

struct board_layout {
    const char *name;         // QEMU's -M name
    uint64_t lowmem_split_at; // RAM of this size or more is split around 4 GiB...
    uint64_t lowmem_split;    // ...with this much below it
    uint32_t fw_reserved;     // top of low RAM SeaBIOS reserves for its tables
    bool pcie_holes;          // the E820 map lists the ECAM and RCBA windows
    uint8_t floppy_types;     // CMOS 0x10 (0: no floppy controller)
};

/* The layout of `board`, or NULL if it is not one emu knows. */
const struct board_layout *board_layout(emu_board board);

#endif
