/* The physical memory map: RAM below and above the 4 GiB hole, MMIO
 * windows (over RAM and in the hole, page-aligned or not), all-ones reads
 * and dropped writes where nothing is, lazy allocation, and the bounds every
 * access is held to. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "mmu/phys.h"

#define GIB (1ULL << 30)

struct dev {
    uint64_t last_offset, last_value;
    unsigned last_size, reads, writes;
};

static uint64_t dev_read(void *opaque, uint64_t offset, unsigned size)
{
    struct dev *d = opaque;
    d->reads++;
    d->last_offset = offset;
    d->last_size = size;
    return 0x5A5A5A5A5A5A5A5AULL;
}

static void dev_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct dev *d = opaque;
    d->writes++;
    d->last_offset = offset;
    d->last_value = value;
    d->last_size = size;
}

static const struct bus_ops dev_ops = {dev_read, dev_write};

static void test_large_ram_is_split_around_the_4g_hole(void **state)
{
    (void)state;
    struct physmem pm;
    assert_int_equal(phys_init(&pm, 5 * GIB), 0);
    assert_int_equal(pm.lowmem, PHYS_LOWMEM_SPLIT);
    uint64_t top = PHYS_4G + 5 * GIB - PHYS_LOWMEM_SPLIT;
    phys_write(&pm, PHYS_4G + 0x1234, 0xCAFEF00DULL, 4);
    phys_write(&pm, top - 8, 0x1122334455667788ULL, 8);
    assert_int_equal(phys_read(&pm, PHYS_4G + 0x1234, 4), 0xCAFEF00DULL);
    assert_int_equal(phys_read(&pm, top - 8, 8), 0x1122334455667788ULL);
    assert_int_equal(phys_ram_offset(&pm, PHYS_4G), (int64_t)PHYS_LOWMEM_SPLIT);
    assert_int_equal(phys_read(&pm, PHYS_LOWMEM_SPLIT, 4), 0xFFFFFFFFULL); /* the hole */
    assert_int_equal(phys_read(&pm, top, 8), ~0ULL);                       /* past the end */
    assert_int_equal(phys_ram_offset(&pm, top), -1);
    /* An 8-byte read straddling the end of RAM: the missing half is all-ones. */
    assert_int_equal(phys_read(&pm, top - 4, 8), 0xFFFFFFFF11223344ULL);
    phys_destroy(&pm);
}

static long rss_pages(void)
{
    long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
    if (f) fclose(f);
    return resident;
}

static void test_untouched_ram_costs_no_host_memory(void **state)
{
    (void)state;
    struct physmem pm;
    long before = rss_pages();
    assert_int_equal(phys_init(&pm, 64 * GIB), 0);
    phys_write(&pm, 40 * GIB, 1, 1);
    long grown = (rss_pages() - before) * sysconf(_SC_PAGESIZE);
    assert_true(grown < (16 << 20));
    phys_destroy(&pm);
}

static void test_unbacked_reads_are_all_ones_and_writes_are_dropped(void **state)
{
    (void)state;
    struct physmem pm;
    assert_int_equal(phys_init(&pm, 256u << 20), 0);
    const uint64_t hole = 0xE0000000ULL;
    assert_int_equal(phys_read(&pm, hole, 1), 0xFF);
    assert_int_equal(phys_read(&pm, hole, 2), 0xFFFF);
    assert_int_equal(phys_read(&pm, hole, 8), ~0ULL);
    phys_write(&pm, hole, 0, 8);
    assert_int_equal(phys_read(&pm, hole, 8), ~0ULL);
    assert_null(phys_page_ptr(&pm, hole));
    uint8_t buf[4] = {0};
    assert_int_equal(phys_copy_from(&pm, (256u << 20) - 2, buf, 4), 2);
    phys_destroy(&pm);
}

static int map_changes;
static void on_map_change(void *ctx)
{
    (void)ctx;
    map_changes++;
}

static void test_mmio_windows_take_precedence_over_ram(void **state)
{
    (void)state;
    struct physmem pm;
    struct dev vga = {0}, lapic = {0}, ioapic = {0};
    assert_int_equal(phys_init(&pm, 128u << 20), 0);
    pm.on_map_change = on_map_change;
    map_changes = 0;
    phys_write(&pm, 0xA0000, 0x77, 1); /* RAM beneath the VGA window, before it exists */
    assert_int_equal(phys_map_mmio(&pm, 0xA0000, 0x20000, &dev_ops, &vga, "vga"), 0);
    assert_int_equal(phys_map_mmio(&pm, 0xFEE00000, 0x1000, &dev_ops, &lapic, "lapic"), 0);
    assert_int_equal(phys_map_mmio(&pm, 0xFEC00000, 0x20, &dev_ops, &ioapic, "ioapic"), 0);
    assert_int_equal(phys_map_mmio(&pm, 0xBF000, 0x2000, &dev_ops, &vga, "overlap"), -1);
    assert_int_equal(map_changes, 3);

    assert_int_equal(phys_read(&pm, 0xB8000 + 2, 2), 0x5A5A);
    assert_int_equal(vga.last_offset, 0x18002);
    assert_int_equal(vga.last_size, 2);
    phys_write(&pm, 0xA0000, 0x1234, 2);
    assert_int_equal(vga.writes, 1);
    assert_int_equal(vga.last_value, 0x1234);
    assert_null(phys_page_ptr(&pm, 0xA0000));
    assert_int_equal(phys_ram_offset(&pm, 0xBFFFF), -1);
    assert_int_not_equal(phys_ram_offset(&pm, 0xC0000), -1);
    assert_int_equal(pm.ram[0xA0000], 0x77); /* RAM beneath is untouched */

    phys_write(&pm, 0xFEE000B0, 0, 4); /* LAPIC EOI */
    assert_int_equal(lapic.last_offset, 0xB0);
    assert_int_equal(phys_read(&pm, 0xFEC00010, 4), 0x5A5A5A5A);
    assert_int_equal(ioapic.last_offset, 0x10);
    assert_int_equal(phys_read(&pm, 0xFEC00020, 4), 0xFFFFFFFFULL); /* past the window */
    phys_destroy(&pm);
}

/* A window that covers part of a RAM page: the page must not be handed out
 * as a host pointer, or the fast path would bypass the device. */
static void test_partial_page_window_keeps_its_page_off_the_fast_path(void **state)
{
    (void)state;
    struct physmem pm;
    struct dev d = {0};
    assert_int_equal(phys_init(&pm, 16u << 20), 0);
    assert_int_equal(phys_map_mmio(&pm, 0x9F800, 0x800, &dev_ops, &d, "dev"), 0);
    assert_null(phys_page_ptr(&pm, 0x9F000));
    assert_non_null(phys_page_ptr(&pm, 0x9E000));
    assert_int_equal(phys_ram_offset(&pm, 0x9F000), 0x9F000); /* still RAM below it */
    assert_int_equal(phys_read(&pm, 0x9F800, 1), 0x5A);
    uint8_t buf[0x1000];
    phys_copy_from(&pm, 0x9F000, buf, sizeof(buf));
    assert_int_equal(buf[0x7FF], 0);
    assert_int_equal(buf[0x800], 0xFF); /* copies see RAM only */
    phys_destroy(&pm);
}

/* Windows registered behind phys_map_mmio's back (straight on the bus)
 * still hide RAM. */
static void test_windows_added_directly_on_the_bus_still_hide_ram(void **state)
{
    (void)state;
    struct physmem pm;
    struct dev d = {0};
    assert_int_equal(phys_init(&pm, 16u << 20), 0);
    pm.on_map_change = on_map_change;
    map_changes = 0;
    assert_int_equal(phys_map_mmio(&pm, 0xFEE00000, 0x1000, &dev_ops, &d, "lapic"), 0);
    assert_int_equal(bus_register(&pm.mmio, 0x200000, 0x1000, &dev_ops, &d, "raw"), 0);
    assert_int_equal(map_changes, 2); /* the CPU hears of both */
    assert_int_equal(phys_ram_offset(&pm, 0x200000), -1);
    assert_null(phys_page_ptr(&pm, 0x200000));
    assert_int_equal(phys_read(&pm, 0x200000, 1), 0x5A);
    assert_int_equal(bus_unregister(&pm.mmio, 0x200000), 0); /* a device that moves away */
    assert_non_null(phys_page_ptr(&pm, 0x200000));
    assert_int_equal(map_changes, 3);
    phys_destroy(&pm);
}

static unsigned code_writes;
static void on_code_write(void *ctx, uint64_t pa, unsigned len)
{
    (void)ctx;
    (void)pa;
    code_writes += len;
}

static void test_accessed_dirty_update_on_a_code_page_notifies(void **state)
{
    (void)state;
    struct physmem pm;
    assert_int_equal(phys_init(&pm, 16u << 20), 0);
    pm.on_code_write = on_code_write;
    pm.code_pages[0x5] = 1;
    code_writes = 0;
    phys_set_bits(&pm, 0x5008, 0x60, 8);
    assert_int_equal(phys_read(&pm, 0x5008, 8), 0x60);
    assert_int_equal(code_writes, 8);
    phys_set_bits(&pm, 0x6004, 0x20, 4);
    assert_int_equal(phys_read(&pm, 0x6004, 4), 0x20);
    assert_int_equal(code_writes, 8);
    phys_destroy(&pm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_large_ram_is_split_around_the_4g_hole),
        cmocka_unit_test(test_untouched_ram_costs_no_host_memory),
        cmocka_unit_test(test_unbacked_reads_are_all_ones_and_writes_are_dropped),
        cmocka_unit_test(test_mmio_windows_take_precedence_over_ram),
        cmocka_unit_test(test_partial_page_window_keeps_its_page_off_the_fast_path),
        cmocka_unit_test(test_windows_added_directly_on_the_bus_still_hide_ram),
        cmocka_unit_test(test_accessed_dirty_update_on_a_code_page_notifies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
