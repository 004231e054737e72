/* Reading the Multiboot information (Multiboot specification 0.6.96, 3.3). */
#include "bootinfo.h"

#include "memlayout.h"
#include "mmu.h"
#include "printk.h"
#include "str.h"

#define MB_BOOT_MAGIC    0x2BADB002
#define MBI_FLAG_CMDLINE (1 << 2)
#define MBI_FLAG_MODS    (1 << 3)
#define MBI_FLAG_MMAP    (1 << 6)
#define E820_RAM         1

struct mb_info {
    u32 flags;
    u32 mem_lower, mem_upper; // KiB below 1 MiB and above it
    u32 boot_device;
    u32 cmdline; // physical address of a C string
    u32 mods_count, mods_addr;
    u32 syms[4];
    u32 mmap_length, mmap_addr;
} PACKED;

struct mb_mmap_entry {
    u32 size; // of the rest of this entry (20)
    u64 base, len;
    u32 type; // 1 = usable RAM
} PACKED;

struct mb_module {
    u32 start, end, string, reserved;
} PACKED;

static const char *e820_name(u32 type)
{
    static const char *names[] = {"unknown",   "usable",   "reserved",
                                  "ACPI data", "ACPI NVS", "unusable"};
    return type < ARRAY_SIZE(names) ? names[type] : "unknown";
}

static void add_ram(struct boot_info *bi, u64 base, u64 len)
{
    u64 start = ALIGN_UP(base, PAGE_SIZE), end = ALIGN_DOWN(base + len, PAGE_SIZE);
    if (end > MAX_PHYS) {
        printk("BIOS-e820: RAM above %lu GiB left unused\n", MAX_PHYS >> 30);
        end = MAX_PHYS;
    }
    if (end > start && bi->nram < MAX_RAM_REGIONS)
        bi->ram[bi->nram++] = (struct ram_region){start, end};
}

static void parse_mmap(const struct mb_info *mbi, struct boot_info *bi)
{
    if (!(mbi->flags & MBI_FLAG_MMAP)) panic("boot loader gave no memory map");
    printk("BIOS-provided physical RAM map:\n");
    u64 at = mbi->mmap_addr, end = at + mbi->mmap_length;
    while (at < end) {
        const struct mb_mmap_entry *e = p2v(at);
        printk("BIOS-e820: [mem %#018lx-%#018lx] %s\n", e->base, e->base + e->len - 1,
               e820_name(e->type));
        if (e->type == E820_RAM) add_ram(bi, e->base, e->len);
        at += e->size + sizeof(e->size);
    }
}

/* The loader puts the command line, module list and modules after the
 * kernel: remember where that stops so the allocator leaves it alone. */
static void note_extent(struct boot_info *bi, u64 end)
{
    bi->loader_end = MAX(bi->loader_end, ALIGN_UP(end, PAGE_SIZE));
}

static void parse_param(struct boot_info *bi, char *word, int *argc)
{
    if (strcmp(word, "printk.time=0") == 0)
        bi->printk_time = false;
    else if (strcmp(word, "pfexplain") == 0)
        bi->pf_explain = true;
    else if (strcmp(word, "crash") == 0)
        bi->crash = true;
    else if (!strchr(word, '=') && !strchr(word, '.') && *argc < INIT_ARGS_MAX + 1)
        bi->init_argv[(*argc)++] = word; /* like Linux: other words go to init */
}

/* Splits the command line in place. Its first word is the kernel's file
 * name (QEMU and GRUB put it there), the rest are parameters. */
static void parse_cmdline(struct boot_info *bi, char *line)
{
    static char words[CMDLINE_MAX];
    int argc = 0;
    bi->init_argv[argc++] = "init";
    strlcpy(words, line, sizeof(words));
    char *p = words;
    for (bool first = true; *p; first = false) {
        while (*p == ' ')
            p++;
        char *w = p;
        while (*p && *p != ' ')
            p++;
        if (*p) *p++ = '\0';
        if (*w && !first) parse_param(bi, w, &argc);
    }
    bi->init_argv[argc] = NULL;
}

void bootinfo_parse(u32 magic, u64 info_pa, struct boot_info *bi)
{
    if (magic != MB_BOOT_MAGIC) panic("not booted by a Multiboot loader (magic %#x)", magic);
    const struct mb_info *mbi = p2v(info_pa);
    bi->printk_time = true;
    bi->loader_end = 0;
    if (mbi->flags & MBI_FLAG_CMDLINE) {
        const char *line = p2v(mbi->cmdline);
        strlcpy(bi->cmdline, line, sizeof(bi->cmdline));
        note_extent(bi, mbi->cmdline + strlen(line) + 1);
    }
    if (mbi->flags & MBI_FLAG_MODS) {
        const struct mb_module *m = p2v(mbi->mods_addr);
        note_extent(bi, mbi->mods_addr + mbi->mods_count * sizeof(*m));
        for (u32 i = 0; i < mbi->mods_count; i++)
            note_extent(bi, m[i].end);
    }
    parse_mmap(mbi, bi);
    parse_cmdline(bi, bi->cmdline);
    printk_set_time(bi->printk_time);
    printk("Command line: %s\n", bi->cmdline);
}
