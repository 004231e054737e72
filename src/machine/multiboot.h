/* Multiboot-1 loading (see multiboot.c for the layout it produces). */
#ifndef EMU_MACHINE_MULTIBOOT_H
#define EMU_MACHINE_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#include "../../include/emu/emu.h"
#include "../mmu/phys.h"
#include "layout.h"

struct mb_load {
    const char *name;           // kernel name, first word of the command line
    const void *image;
    size_t size;
    const char *cmdline;        // may be NULL
    const emu_module *modules;
    size_t nmodules;
    const struct board_layout *layout; // the board's memory map
};

/* The machine state Multiboot hands over. */
struct mb_entry {
    uint32_t eip, eax, ebx;
    uint32_t gdt_base;          // a flat GDT written by multiboot_write_gdt
};

emu_status multiboot_load(struct physmem *pm, const struct mb_load *req, struct mb_entry *entry);
void multiboot_write_gdt(struct physmem *pm);

#define MB_GDT_LIMIT 0x27
#define MB_CODE_SEL 0x08
#define MB_DATA_SEL 0x10

#endif
