/* The Multiboot loader against the Multiboot specification and QEMU's layout:
 * valid ELF32/ELF64/a.out-kludge images load with the specified entry state;
 * truncated, corrupted and foreign files are refused without crashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emu/emu.h"

#define MB_MAGIC 0x1BADB002u
#define MB_BOOT_MAGIC 0x2BADB002u
#define MBI_ADDR 0x9500u
#define LOAD_ADDR 0x100000u

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    uint8_t *buf = malloc(*len);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, *len, f), *len);
    fclose(f);
    return buf;
}

static const char *fixture(const char *name)
{
    const char *v = getenv(name);
    assert_non_null(v);
    return v;
}

static emu_machine *machine(void)
{
    emu_machine *m = NULL;
    emu_config cfg = {0};
    assert_int_equal(emu_machine_create(&cfg, &m), EMU_OK);
    return m;
}

static uint32_t rd32(emu_machine *m, uint64_t pa)
{
    uint32_t v;
    emu_phys_read(m, pa, &v, 4);
    return v;
}

static void check_entry(emu_machine *m, uint32_t eip)
{
    emu_regs r;
    emu_sregs s;
    emu_cpu_get_regs(m, 0, &r);
    emu_cpu_get_sregs(m, 0, &s);
    assert_int_equal(r.gpr[0], MB_BOOT_MAGIC);    /* EAX */
    assert_int_equal(r.gpr[3], MBI_ADDR);         /* EBX */
    assert_int_equal(r.rip, eip);
    assert_int_equal(r.rflags & (1u << 9), 0);    /* IF clear */
    assert_int_equal(s.cr0 & 0x80000001u, 1);     /* PE set, PG clear */
    assert_int_equal(s.cs, 0x08);
    assert_int_equal(s.ds, 0x10);
    assert_int_equal(s.ss, 0x10);
}

static void test_elf32_loads_segments_and_sets_multiboot_entry_state(void **state)
{
    (void)state;
    size_t len;
    uint8_t *img = read_all(fixture("HELLO_ELF32"), &len);
    emu_machine *m = machine();
    assert_int_equal(emu_machine_load_multiboot(m, "k", img, len, "a=1", NULL, 0), EMU_OK);
    uint32_t entry;
    memcpy(&entry, img + 24, 4); /* e_entry of an ELF32 header */
    check_entry(m, entry);
    /* The Multiboot header is the first thing at the load address. */
    assert_int_equal(rd32(m, LOAD_ADDR), MB_MAGIC);
    emu_machine_destroy(m);
    free(img);
}

static void test_elf64_loads_like_elf32(void **state)
{
    (void)state;
    size_t len;
    uint8_t *img = read_all(fixture("HELLO_ELF64"), &len);
    emu_machine *m = machine();
    assert_int_equal(emu_machine_load_multiboot(m, "k", img, len, NULL, NULL, 0), EMU_OK);
    uint64_t entry;
    memcpy(&entry, img + 24, 8);
    check_entry(m, (uint32_t)entry);
    assert_int_equal(rd32(m, LOAD_ADDR), MB_MAGIC);
    emu_machine_destroy(m);
    free(img);
}

static void test_info_structure_has_qemu_flags_cmdline_and_memory(void **state)
{
    (void)state;
    size_t len;
    uint8_t *img = read_all(fixture("HELLO_ELF32"), &len);
    emu_machine *m = machine();
    assert_int_equal(emu_machine_load_multiboot(m, "kern", img, len, "x y", NULL, 0), EMU_OK);
    assert_int_equal(rd32(m, MBI_ADDR + 0), 0x24F); /* mem, bootdev, cmdline, mods, mmap, name */
    assert_int_equal(rd32(m, MBI_ADDR + 4), 639);
    /* 128 MiB: usable from 1 MiB to 128 MiB - 128 KiB, as on QEMU's pc. */
    assert_int_equal(rd32(m, MBI_ADDR + 8), (128u * 1024 - 128 - 1024));
    char cmd[16] = {0};
    emu_phys_read(m, rd32(m, MBI_ADDR + 16), cmd, sizeof(cmd) - 1);
    assert_string_equal(cmd, "kern x y");
    assert_int_equal(rd32(m, MBI_ADDR + 20), 0);     /* no modules */
    assert_int_equal(rd32(m, MBI_ADDR + 48), 0x9000); /* mmap address */
    emu_machine_destroy(m);
    free(img);
}

/* The memory map entries as QEMU 7.2 + SeaBIOS report them with -m 128M
 * (printed by tests/kernels/isa/mbinfo.c with and without -M q35). */
struct e820 {
    uint64_t base, len;
    uint32_t type;
};

static void check_mmap(emu_board board, const struct e820 *want, unsigned n)
{
    size_t len;
    uint8_t *img = read_all(fixture("HELLO_ELF32"), &len);
    emu_machine *m = NULL;
    emu_config cfg = {.board = board};
    assert_int_equal(emu_machine_create(&cfg, &m), EMU_OK);
    assert_int_equal(emu_machine_load_multiboot(m, "kern", img, len, NULL, NULL, 0), EMU_OK);
    assert_int_equal(rd32(m, MBI_ADDR + 44), n * 24); /* mmap_length */
    uint32_t at = rd32(m, MBI_ADDR + 48);
    for (unsigned i = 0; i < n; i++, at += 24) {
        uint64_t base, elen;
        emu_phys_read(m, at + 4, &base, 8);
        emu_phys_read(m, at + 12, &elen, 8);
        assert_int_equal(rd32(m, at), 20);
        assert_int_equal(base, want[i].base);
        assert_int_equal(elen, want[i].len);
        assert_int_equal(rd32(m, at + 20), want[i].type);
    }
    emu_machine_destroy(m);
    free(img);
}

static void test_memory_map_is_qemu_pc_by_default_and_q35_on_request(void **state)
{
    (void)state;
    static const struct e820 pc[] = {
        {0, 0x9fc00, 1},          {0x9fc00, 0x400, 2},          {0xf0000, 0x10000, 2},
        {0x100000, 0x7ee0000, 1}, {0x7fe0000, 0x20000, 2},      {0xfffc0000, 0x40000, 2},
        {0xfd00000000, 0x300000000, 2}};
    static const struct e820 q35[] = {
        {0, 0x9fc00, 1},          {0x9fc00, 0x400, 2},          {0xf0000, 0x10000, 2},
        {0x100000, 0x7edf000, 1}, {0x7fdf000, 0x21000, 2},      {0xb0000000, 0x10000000, 2},
        {0xfed1c000, 0x4000, 2},  {0xfffc0000, 0x40000, 2},     {0xfd00000000, 0x300000000, 2}};
    check_mmap(EMU_BOARD_PC, pc, sizeof(pc) / sizeof(pc[0]));
    check_mmap(EMU_BOARD_Q35, q35, sizeof(q35) / sizeof(q35[0]));
}

static void test_unknown_board_is_refused(void **state)
{
    (void)state;
    emu_machine *m = NULL;
    emu_config cfg = {.board = (emu_board)7};
    assert_int_equal(emu_machine_create(&cfg, &m), EMU_ERR_ARG);
    assert_null(m);
}

static void test_modules_are_page_aligned_with_their_strings(void **state)
{
    (void)state;
    size_t len;
    uint8_t *img = read_all(fixture("HELLO_ELF32"), &len);
    char path[] = "/tmp/emu-test-module-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    fputs("module-data", f);
    fclose(f);
    emu_module mods[2] = {{path, "first arg"}, {path, NULL}};
    emu_machine *m = machine();
    assert_int_equal(emu_machine_load_multiboot(m, "k", img, len, NULL, mods, 2), EMU_OK);
    assert_int_equal(rd32(m, MBI_ADDR + 20), 2);
    uint32_t desc = rd32(m, MBI_ADDR + 24);
    for (int i = 0; i < 2; i++) {
        uint32_t start = rd32(m, desc + 16 * i), end = rd32(m, desc + 16 * i + 4);
        assert_int_equal(start & 0xfff, 0);
        assert_int_equal(end - start, strlen("module-data"));
        char buf[12] = {0};
        emu_phys_read(m, start, buf, 11);
        assert_string_equal(buf, "module-data");
    }
    char s[32] = {0};
    emu_phys_read(m, rd32(m, desc + 8), s, sizeof(s) - 1);
    assert_string_equal(s, "first arg");
    emu_phys_read(m, rd32(m, desc + 16 + 8), s, sizeof(s) - 1);
    assert_string_equal(s, path);
    remove(path);
    emu_machine_destroy(m);
    free(img);
}

/* A flat a.out-kludge image: header at offset 0, loaded at 0x200000, with bss. */
static void test_aout_kludge_loads_flat_image_and_zeroes_bss(void **state)
{
    (void)state;
    uint32_t img[16] = {0};
    uint32_t flags = (1u << 16);
    img[0] = MB_MAGIC;
    img[1] = flags;
    img[2] = (uint32_t)-(MB_MAGIC + flags);
    img[3] = 0x200000;        /* header_addr */
    img[4] = 0x200000;        /* load_addr */
    img[5] = 0x200000 + 64;   /* load_end_addr */
    img[6] = 0x200000 + 4096; /* bss_end_addr */
    img[7] = 0x200020;        /* entry */
    img[8] = 0xDEADBEEF;
    emu_machine *m = machine();
    uint32_t junk = 0x55555555;
    emu_phys_write(m, 0x200100, &junk, 4);
    assert_int_equal(emu_machine_load_multiboot(m, "k", img, sizeof(img), NULL, NULL, 0), EMU_OK);
    check_entry(m, 0x200020);
    assert_int_equal(rd32(m, 0x200020), 0xDEADBEEF);
    assert_int_equal(rd32(m, 0x200100), 0); /* bss */
    emu_machine_destroy(m);
}

static void test_file_without_elf_or_header_is_not_elf(void **state)
{
    (void)state;
    uint8_t junk[4096];
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (uint8_t)(i * 7 + 3);
    emu_machine *m = machine();
    assert_int_equal(emu_machine_load_multiboot(m, "k", junk, sizeof(junk), NULL, NULL, 0),
                     EMU_ERR_NOT_ELF);
    assert_int_equal(emu_machine_load_multiboot(m, "k", junk, 0, NULL, NULL, 0), EMU_ERR_NOT_ELF);
    emu_machine_destroy(m);
}

static void test_elf_without_multiboot_header_is_refused(void **state)
{
    (void)state;
    size_t len;
    uint8_t *img = read_all(fixture("HELLO_ELF32"), &len);
    for (size_t i = 0; i + 4 <= len; i++) {
        uint32_t v;
        memcpy(&v, img + i, 4);
        if (v == MB_MAGIC)
            memset(img + i, 0, 4);
    }
    emu_machine *m = machine();
    assert_int_equal(emu_machine_load_multiboot(m, "k", img, len, NULL, NULL, 0),
                     EMU_ERR_NOT_MULTIBOOT);
    emu_machine_destroy(m);
    free(img);
}

static void test_every_truncation_is_refused_or_loads_whole_segments(void **state)
{
    (void)state;
    size_t len;
    uint8_t *img = read_all(fixture("HELLO_ELF32"), &len);
    emu_machine *m = machine();
    size_t loaded = 0;
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, img, cut);
        emu_status st = emu_machine_load_multiboot(m, "k", copy, cut, NULL, NULL, 0);
        assert_true(st == EMU_OK || st == EMU_ERR_NOT_ELF || st == EMU_ERR_BAD_ELF ||
                    st == EMU_ERR_NOT_MULTIBOOT);
        loaded += st == EMU_OK;
        free(copy);
    }
    /* Only cuts inside the trailing section headers may still load. */
    assert_true(loaded < len / 2);
    emu_machine_destroy(m);
    free(img);
}

static void test_corrupted_headers_never_crash(void **state)
{
    (void)state;
    size_t len;
    uint8_t *img = read_all(fixture("HELLO_ELF32"), &len);
    uint8_t *copy = malloc(len);
    emu_machine *m = machine();
    uint32_t seed = 12345;
    for (int round = 0; round < 3000; round++) {
        memcpy(copy, img, len);
        for (int k = 0; k < 4; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % (len < 256 ? len : 256); /* ELF and program headers */
            seed = seed * 1103515245u + 12345u;
            copy[at] = (uint8_t)(seed >> 16);
        }
        emu_status st = emu_machine_load_multiboot(m, "k", copy, len, NULL, NULL, 0);
        assert_true(st <= EMU_ERR_ARG);
    }
    emu_machine_destroy(m);
    free(copy);
    free(img);
}

static void test_segment_beyond_ram_is_too_big(void **state)
{
    (void)state;
    size_t len;
    uint8_t *img = read_all(fixture("HELLO_ELF32"), &len);
    /* ELF32: e_phoff at 28; first phdr p_paddr at +12. Put it at 3.5 GiB. */
    uint32_t phoff;
    memcpy(&phoff, img + 28, 4);
    uint32_t pa = 0xE0000000u;
    memcpy(img + phoff + 12, &pa, 4);
    emu_machine *m = machine();
    assert_int_equal(emu_machine_load_multiboot(m, "k", img, len, NULL, NULL, 0),
                     EMU_ERR_TOO_BIG);
    emu_machine_destroy(m);
    free(img);
}

static void test_missing_module_file_is_an_io_error(void **state)
{
    (void)state;
    size_t len;
    uint8_t *img = read_all(fixture("HELLO_ELF32"), &len);
    emu_module mod = {"/nonexistent/emu-module", NULL};
    emu_machine *m = machine();
    assert_int_equal(emu_machine_load_multiboot(m, "k", img, len, NULL, &mod, 1), EMU_ERR_IO);
    emu_machine_destroy(m);
    free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elf32_loads_segments_and_sets_multiboot_entry_state),
        cmocka_unit_test(test_elf64_loads_like_elf32),
        cmocka_unit_test(test_info_structure_has_qemu_flags_cmdline_and_memory),
        cmocka_unit_test(test_memory_map_is_qemu_pc_by_default_and_q35_on_request),
        cmocka_unit_test(test_unknown_board_is_refused),
        cmocka_unit_test(test_modules_are_page_aligned_with_their_strings),
        cmocka_unit_test(test_aout_kludge_loads_flat_image_and_zeroes_bss),
        cmocka_unit_test(test_file_without_elf_or_header_is_not_elf),
        cmocka_unit_test(test_elf_without_multiboot_header_is_refused),
        cmocka_unit_test(test_every_truncation_is_refused_or_loads_whole_segments),
        cmocka_unit_test(test_corrupted_headers_never_crash),
        cmocka_unit_test(test_segment_beyond_ram_is_too_big),
        cmocka_unit_test(test_missing_module_file_is_an_io_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
