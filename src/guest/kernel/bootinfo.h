/* What the boot loader told us: the memory map and the command line. */
#ifndef KERNEL_BOOTINFO_H
#define KERNEL_BOOTINFO_H

#include "types.h"

#define MAX_RAM_REGIONS 16
#define CMDLINE_MAX     256
#define INIT_ARGS_MAX   8
#define MAX_PHYS        (16UL << 30) /* RAM used at most: the frame array must fit in the boot map */

struct ram_region {
    u64 base, end; // usable physical memory [base, end)
};

struct boot_info {
    char cmdline[CMDLINE_MAX];              // as the loader gave it
    struct ram_region ram[MAX_RAM_REGIONS]; // usable RAM, page aligned
    int nram;
    u64 loader_end;                     // physical end of what the loader placed after the kernel
    bool printk_time;                   // printk.time=0 turns timestamps off
    bool pf_explain;                    // pfexplain: the page-fault handler says what it did
    bool crash;                         // crash: oops on purpose after boot (tests the oops path)
    char *init_argv[INIT_ARGS_MAX + 2]; // "init" + the words meant for it, NULL-terminated
};

/* Parses the Multiboot information at physical address info_pa, prints the
 * memory map and fills *bi. Panics if magic is not the Multiboot loader's. */
void bootinfo_parse(u32 magic, u64 info_pa, struct boot_info *bi);

#endif
