/* Prints the Multiboot information structure and the entry state the loader
 * left: both machines must hand over the same thing. */
#include "klib.h"

struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

struct mb_mmap {
    uint32_t size;
    uint64_t base, len;
    uint32_t type;
} __attribute__((packed));

extern uint32_t boot_magic;

int kmain(uint32_t mbi_addr, uint32_t magic)
{
    const struct mb_info *mbi = (const struct mb_info *)(uintptr_t)mbi_addr;
    kprintf("magic=%08x boot_magic=%08x mbi=%08x\n", magic, boot_magic, mbi_addr);
    kprintf("flags=%08x mem_lower=%u mem_upper=%u boot_device=%08x\n", mbi->flags,
            mbi->mem_lower, mbi->mem_upper, mbi->boot_device);
    if (mbi->flags & (1 << 2))
        kprintf("cmdline='%s'\n", (const char *)(uintptr_t)mbi->cmdline);
    kprintf("mods_count=%u\n", mbi->mods_count);
    if (mbi->flags & (1 << 6)) {
        kprintf("mmap_length=%u\n", mbi->mmap_length);
        uint32_t off = 0;
        while (off < mbi->mmap_length) {
            const struct mb_mmap *e = (const void *)(uintptr_t)(mbi->mmap_addr + off);
            kprintf("  base=%016lx len=%016lx type=%u size=%u\n", (unsigned long)e->base,
                    (unsigned long)e->len, e->type, e->size);
            off += e->size + 4;
        }
    }
    uint64_t cr0 = READ_CR(0), cr4 = READ_CR(4);
    kprintf("cr0=%08lx cr4=%08lx\n", (unsigned long)cr0, (unsigned long)cr4);
    return 0;
}
