#include "layout.h"

#include <stddef.h>

#define MIB (1ULL << 20)
#define FLOPPY_A_288M 0x50 /* QEMU pc's default drive A with no disk: 2.88 MB type */

static const struct board_layout layouts[] = {
    [EMU_BOARD_PC] = {"pc", 3584 * MIB, 3072 * MIB, 0x20000, false, FLOPPY_A_288M},
    [EMU_BOARD_Q35] = {"q35", 2816 * MIB, 2048 * MIB, 0x21000, true, 0},
};

const struct board_layout *board_layout(emu_board board)
{
    return (unsigned)board < sizeof(layouts) / sizeof(layouts[0]) ? &layouts[board] : NULL;
}
