/* The Multiboot-1 loader, as QEMU's -kernel does it (hw/i386/multiboot.c and
 * its option ROM): the header in the first 8 KiB, the a.out kludge when flag
 * 16 is set, ELF program headers (ELF32 or ELF64, loaded at p_paddr)
 * otherwise; the information structure at 0x9500 with the memory map at
 * 0x9000; command lines, module descriptors and the loader name in the page
 * after the kernel; modules after that, page aligned. */
#include "multiboot.h"

#include "hostfile.h"

#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MB_HEADER_MAGIC 0x1BADB002u
#define MB_BOOT_MAGIC 0x2BADB002u
#define MB_SEARCH_LIMIT 8192
#define MB_HEADER_MIN 12
#define MB_HEADER_KLUDGE 32
#define MB_FLAG_PAGE_ALIGN (1u << 0)
#define MB_FLAG_MEMINFO (1u << 1)
#define MB_FLAG_VIDEO (1u << 2)
#define MB_FLAG_AOUT_KLUDGE (1u << 16)
#define MB_REQUIRED_MASK 0xFFFFu
#define MB_SUPPORTED_REQUIRED (MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMINFO | MB_FLAG_VIDEO)

#define MBI_ADDR 0x9500u
#define MMAP_ADDR 0x9000u
#define GDT_ADDR 0x8F00u
#define MBI_SIZE 88u
#define MOD_DESC_SIZE 16u
#define MMAP_ENTRY_SIZE 24u /* size field + 20-byte entry */
#define BOOT_DEVICE 0x8000FFFFu
#define LOADER_NAME "emu"

/* MBI flags QEMU sets. */
#define MBI_MEMORY (1u << 0)
#define MBI_BOOT_DEVICE (1u << 1)
#define MBI_CMDLINE (1u << 2)
#define MBI_MODS (1u << 3)
#define MBI_MMAP (1u << 6)
#define MBI_LOADER (1u << 9)

/* The E820 memory map QEMU's pc and q35 machines with SeaBIOS report
 * (measured with tests/kernels/isa/mbinfo.c on QEMU 7.2 for 64 MiB .. 5 GiB);
 * what differs between the two is in layout.c. */
#define LOW_RAM_END 0x9FC00u  /* 639 KiB of conventional memory */
#define EBDA_END 0xA0000u
#define BIOS_START 0xF0000u
#define HIGH_RAM_START 0x100000u
#define MMCONFIG_BASE 0xB0000000ULL /* q35 PCIe ECAM */
#define MMCONFIG_SIZE 0x10000000ULL
#define RCBA_BASE 0xFED1C000ULL /* q35 root complex register block */
#define RCBA_SIZE 0x4000ULL
#define BIOS_ROM_START 0xFFFC0000ULL
#define HT_HOLE_BASE 0xFD00000000ULL /* reserved by QEMU for its (AMD) default CPU */
#define HT_HOLE_SIZE 0x300000000ULL
#define E820_RAM 1u
#define E820_RESERVED 2u

struct loaded {
    uint32_t low, high;   // physical extent of the kernel image
    uint32_t entry;
};

static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static void wr32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void wr64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

/* Offset of a valid header, or -1. */
static long find_header(const uint8_t *img, size_t size)
{
    size_t limit = size < MB_SEARCH_LIMIT ? size : MB_SEARCH_LIMIT;
    for (size_t i = 0; i + MB_HEADER_MIN <= limit; i += 4) {
        uint32_t magic = rd32(img + i), flags = rd32(img + i + 4), sum = rd32(img + i + 8);
        if (magic == MB_HEADER_MAGIC && (uint32_t)(magic + flags + sum) == 0)
            return (long)i;
    }
    return -1;
}

static void phys_zero(struct physmem *pm, uint64_t pa, uint64_t len)
{
    static const uint8_t zeros[4096];
    while (len > 0) {
        size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
        phys_copy_to(pm, pa, zeros, n);
        pa += n;
        len -= n;
    }
}

static bool fits_ram(const struct physmem *pm, uint64_t pa, uint64_t len)
{
    return pa <= pm->lowmem && len <= pm->lowmem - pa;
}

static emu_status load_kludge(struct physmem *pm, const uint8_t *img, size_t size, long off,
                              struct loaded *out)
{
    if ((size_t)off + MB_HEADER_KLUDGE > size)
        return EMU_ERR_BAD_MULTIBOOT;
    const uint8_t *h = img + off;
    uint32_t header_addr = rd32(h + 12), load_addr = rd32(h + 16);
    uint32_t load_end = rd32(h + 20), bss_end = rd32(h + 24);
    if (header_addr < load_addr || (uint32_t)(header_addr - load_addr) > (uint64_t)off)
        return EMU_ERR_BAD_MULTIBOOT;
    uint64_t text_off = (uint64_t)off - (header_addr - load_addr);
    uint64_t load_size = load_end ? (uint64_t)load_end - load_addr : size - text_off;
    if (load_end && load_end < load_addr)
        return EMU_ERR_BAD_MULTIBOOT;
    if (text_off + load_size > size)
        return EMU_ERR_BAD_MULTIBOOT;
    uint64_t mem_size = bss_end ? (uint64_t)bss_end - load_addr : load_size;
    if (bss_end && mem_size < load_size)
        return EMU_ERR_BAD_MULTIBOOT;
    if (!fits_ram(pm, load_addr, mem_size))
        return EMU_ERR_TOO_BIG;
    phys_copy_to(pm, load_addr, img + text_off, load_size);
    phys_zero(pm, load_addr + load_size, mem_size - load_size);
    out->low = load_addr;
    out->high = (uint32_t)(load_addr + mem_size);
    out->entry = rd32(h + 28);
    return EMU_OK;
}

/* Physical entry point: e_entry, or its image through a PT_LOAD's
 * vaddr->paddr offset when it lies in one (higher-half kernels). */
static uint32_t physical_entry(Elf *e, size_t nphdr, uint64_t entry)
{
    for (size_t i = 0; i < nphdr; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
            continue;
        if (entry >= ph.p_vaddr && entry - ph.p_vaddr < ph.p_memsz)
            return (uint32_t)(entry - ph.p_vaddr + ph.p_paddr);
    }
    return (uint32_t)entry;
}

static emu_status load_segments(struct physmem *pm, Elf *e, const uint8_t *img, size_t size,
                                size_t nphdr, struct loaded *out)
{
    uint64_t low = UINT64_MAX, high = 0;
    for (size_t i = 0; i < nphdr; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(e, (int)i, &ph))
            return EMU_ERR_BAD_ELF;
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        if (ph.p_filesz > ph.p_memsz || ph.p_offset > size || ph.p_filesz > size - ph.p_offset)
            return EMU_ERR_BAD_ELF;
        if (!fits_ram(pm, ph.p_paddr, ph.p_memsz))
            return EMU_ERR_TOO_BIG;
        phys_copy_to(pm, ph.p_paddr, img + ph.p_offset, ph.p_filesz);
        phys_zero(pm, ph.p_paddr + ph.p_filesz, ph.p_memsz - ph.p_filesz);
        if (ph.p_paddr < low)
            low = ph.p_paddr;
        if (ph.p_paddr + ph.p_memsz > high)
            high = ph.p_paddr + ph.p_memsz;
    }
    if (high == 0)
        return EMU_ERR_BAD_ELF;
    out->low = (uint32_t)low;
    out->high = (uint32_t)high;
    return EMU_OK;
}

static emu_status load_elf(struct physmem *pm, const uint8_t *img, size_t size,
                           struct loaded *out)
{
    if (elf_version(EV_CURRENT) == EV_NONE)
        return EMU_ERR_BAD_ELF;
    if (size < 4 || memcmp(img, ELFMAG, SELFMAG) != 0)
        return EMU_ERR_NOT_ELF;
    Elf *e = elf_memory((char *)(uintptr_t)img, size);
    if (!e)
        return EMU_ERR_BAD_ELF;
    emu_status st = EMU_ERR_BAD_ELF;
    GElf_Ehdr eh;
    size_t nphdr;
    if (elf_kind(e) == ELF_K_ELF && gelf_getehdr(e, &eh) && elf_getphdrnum(e, &nphdr) == 0 &&
        (eh.e_machine == EM_386 || eh.e_machine == EM_X86_64)) {
        st = load_segments(pm, e, img, size, nphdr, out);
        if (st == EMU_OK)
            out->entry = physical_entry(e, nphdr, eh.e_entry);
    }
    elf_end(e);
    return st;
}

/* ---- the information structure -------------------------------------------- */

struct mmap_entry {
    uint64_t base, len;
    uint32_t type;
};

#define MMAP_MAX 10
#define MMAP_HIGH_RAM 3 /* index of the RAM entry above 1 MiB */

static unsigned build_mmap(const struct physmem *pm, const struct board_layout *layout,
                           struct mmap_entry *e)
{
    unsigned n = 0;
    uint64_t top = pm->lowmem;
    uint32_t fw = layout->fw_reserved;
    e[n++] = (struct mmap_entry){0, LOW_RAM_END, E820_RAM};
    e[n++] = (struct mmap_entry){LOW_RAM_END, EBDA_END - LOW_RAM_END, E820_RESERVED};
    e[n++] = (struct mmap_entry){BIOS_START, HIGH_RAM_START - BIOS_START, E820_RESERVED};
    e[n++] = (struct mmap_entry){HIGH_RAM_START, top - fw - HIGH_RAM_START, E820_RAM};
    e[n++] = (struct mmap_entry){top - fw, fw, E820_RESERVED};
    if (layout->pcie_holes) {
        e[n++] = (struct mmap_entry){MMCONFIG_BASE, MMCONFIG_SIZE, E820_RESERVED};
        e[n++] = (struct mmap_entry){RCBA_BASE, RCBA_SIZE, E820_RESERVED};
    }
    e[n++] = (struct mmap_entry){BIOS_ROM_START, PHYS_4G - BIOS_ROM_START, E820_RESERVED};
    if (pm->ram_size > pm->lowmem)
        e[n++] = (struct mmap_entry){PHYS_4G, pm->ram_size - pm->lowmem, E820_RAM};
    e[n++] = (struct mmap_entry){HT_HOLE_BASE, HT_HOLE_SIZE, E820_RESERVED};
    return n;
}

static uint32_t page_align(uint64_t v)
{
    return (uint32_t)((v + PAGE_OFFSET_MASK) & ~PAGE_OFFSET_MASK);
}

/* A byte buffer standing for guest memory from `base` on. */
struct area {
    uint8_t *buf;
    uint32_t base, used, cap;
};

static uint32_t area_put(struct area *a, const void *data, uint32_t len)
{
    uint32_t at = a->base + a->used;
    memcpy(a->buf + a->used, data, len);
    a->used += len;
    return at;
}

static uint32_t area_str(struct area *a, const char *s)
{
    return area_put(a, s, (uint32_t)strlen(s) + 1);
}

/* A module's bytes, at most `cap` of them (the RAM left for it). */
static emu_status read_module(const emu_module *mod, size_t cap, uint8_t **data, size_t *len)
{
    if (hostfile_read(mod->path, cap, data, len) == 0)
        return EMU_OK;
    return errno == EFBIG ? EMU_ERR_TOO_BIG : errno == ENOMEM ? EMU_ERR_NOMEM : EMU_ERR_IO;
}

static emu_status place_modules(struct physmem *pm, const emu_module *mods, size_t n,
                                uint32_t *next, uint32_t desc_addr)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t *data = NULL;
        size_t len = 0;
        size_t room = *next <= pm->lowmem ? (size_t)(pm->lowmem - *next) : 0;
        emu_status st = read_module(&mods[i], room, &data, &len);
        if (st == EMU_OK && !fits_ram(pm, *next, len))
            st = EMU_ERR_TOO_BIG;
        if (st != EMU_OK) {
            free(data);
            return st;
        }
        phys_copy_to(pm, *next, data, len);
        free(data);
        uint8_t d[8]; /* mod_start, mod_end */
        wr32(d, *next);
        wr32(d + 4, (uint32_t)(*next + len));
        phys_copy_to(pm, desc_addr + i * MOD_DESC_SIZE, d, sizeof(d));
        *next = page_align(*next + len);
    }
    return EMU_OK;
}

static void write_info(struct physmem *pm, const struct mb_load *req, uint32_t *mods_addr_out,
                       uint32_t *after_out, struct area *a)
{
    uint32_t mods_addr = a->base;
    a->used = (uint32_t)(MOD_DESC_SIZE * req->nmodules);
    uint8_t mbi[MBI_SIZE] = {0};
    for (size_t i = 0; i < req->nmodules; i++) {
        const char *s = req->modules[i].cmdline ? req->modules[i].cmdline : req->modules[i].path;
        wr32(a->buf + i * MOD_DESC_SIZE + 8, area_str(a, s)); /* mod_end is filled later */
    }
    size_t clen = strlen(req->name) + 1 + (req->cmdline ? strlen(req->cmdline) : 0) + 1;
    char *cl = malloc(clen);
    if (cl) {
        snprintf(cl, clen, "%s %s", req->name, req->cmdline ? req->cmdline : "");
        wr32(mbi + 16, area_str(a, cl));
        free(cl);
    }
    wr32(mbi + 64, area_str(a, LOADER_NAME));
    struct mmap_entry map[MMAP_MAX];
    unsigned n = build_mmap(pm, req->layout, map);
    uint8_t raw[MMAP_MAX * MMAP_ENTRY_SIZE];
    for (unsigned i = 0; i < n; i++) {
        uint8_t *p = raw + i * MMAP_ENTRY_SIZE;
        wr32(p, MMAP_ENTRY_SIZE - 4);
        wr64(p + 4, map[i].base);
        wr64(p + 12, map[i].len);
        wr32(p + 20, map[i].type);
    }
    phys_copy_to(pm, MMAP_ADDR, raw, n * MMAP_ENTRY_SIZE);
    wr32(mbi + 0, MBI_MEMORY | MBI_BOOT_DEVICE | MBI_CMDLINE | MBI_MODS | MBI_MMAP | MBI_LOADER);
    wr32(mbi + 4, LOW_RAM_END / 1024);
    wr32(mbi + 8, (uint32_t)(map[MMAP_HIGH_RAM].len / 1024));
    wr32(mbi + 12, BOOT_DEVICE);
    wr32(mbi + 20, (uint32_t)req->nmodules);
    wr32(mbi + 24, mods_addr);
    wr32(mbi + 44, n * MMAP_ENTRY_SIZE);
    wr32(mbi + 48, MMAP_ADDR);
    phys_copy_to(pm, MBI_ADDR, mbi, sizeof(mbi));
    *mods_addr_out = mods_addr;
    *after_out = page_align(a->base + a->used);
}

emu_status multiboot_load(struct physmem *pm, const struct mb_load *req, struct mb_entry *entry)
{
    const uint8_t *img = req->image;
    long off = find_header(img, req->size);
    if (off < 0) {
        bool elf = req->size >= SELFMAG && memcmp(img, ELFMAG, SELFMAG) == 0;
        return elf ? EMU_ERR_NOT_MULTIBOOT : EMU_ERR_NOT_ELF;
    }
    uint32_t flags = rd32(img + off + 4);
    if ((flags & MB_REQUIRED_MASK) & ~MB_SUPPORTED_REQUIRED)
        return EMU_ERR_BAD_MULTIBOOT;
    struct loaded k = {0};
    emu_status st = (flags & MB_FLAG_AOUT_KLUDGE) ? load_kludge(pm, img, req->size, off, &k)
                                                   : load_elf(pm, img, req->size, &k);
    if (st != EMU_OK)
        return st;
    size_t strings = strlen(req->name) + (req->cmdline ? strlen(req->cmdline) : 0) + 2 +
                     sizeof(LOADER_NAME) + req->nmodules * MOD_DESC_SIZE;
    for (size_t i = 0; i < req->nmodules; i++)
        strings += strlen(req->modules[i].cmdline ? req->modules[i].cmdline
                                                  : req->modules[i].path) + 1;
    struct area a = {calloc(1, strings), page_align(k.high), 0, (uint32_t)strings};
    if (!a.buf)
        return EMU_ERR_NOMEM;
    if (!fits_ram(pm, a.base, strings)) {
        free(a.buf);
        return EMU_ERR_TOO_BIG;
    }
    uint32_t mods_addr, next;
    write_info(pm, req, &mods_addr, &next, &a);
    phys_copy_to(pm, a.base, a.buf, a.used);
    free(a.buf);
    st = place_modules(pm, req->modules, req->nmodules, &next, mods_addr);
    if (st != EMU_OK)
        return st;
    entry->eip = k.entry;
    entry->eax = MB_BOOT_MAGIC;
    entry->ebx = MBI_ADDR;
    entry->gdt_base = GDT_ADDR;
    return EMU_OK;
}

/* The flat GDT QEMU's multiboot option ROM uses: 0x08 code, 0x10 data. */
void multiboot_write_gdt(struct physmem *pm)
{
    static const uint64_t gdt[] = {
        0,
        0x00CF9A000000FFFFULL, /* 0x08: 32-bit code, base 0, limit 4 GiB */
        0x00CF92000000FFFFULL, /* 0x10: 32-bit data */
        0x00009E000000FFFFULL, /* 0x18: 16-bit code */
        0x000092000000FFFFULL, /* 0x20: 16-bit data */
    };
    phys_copy_to(pm, GDT_ADDR, gdt, sizeof(gdt));
}
