/* mmu-highmem: RAM above 4 GiB, on QEMU and emu (-m 6G: q35 puts 2 GiB
 * below the hole and 4 GiB above it). Pages across the high RAM are mapped
 * into the test region, written with a pattern through one mapping and read
 * back through another; a 1 GiB page maps high RAM too. */
#include "mmulib.h"

#define GIB       (1ULL << 30)
#define HIGH_BASE (4 * GIB)
#define HIGH_SIZE (4 * GIB)
#define VA        (TEST_FREE + 0x100000)
#define VB        (TEST_FREE + 0x200000)
#define STEP      (HIGH_SIZE / 16)

static uint64_t pattern(uint64_t pa, unsigned k)
{
    return pa * 0x9E3779B97F4A7C15ULL + k;
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    mp_init();
    unsigned bad = 0;
    uint32_t crc = 0;
    for (uint64_t pa = HIGH_BASE; pa < HIGH_BASE + HIGH_SIZE; pa += STEP) {
        uint64_t last = pa + STEP - 4096; /* and the last page of each step */
        mp_map(mp_pml4, VA, pa, 1, PTE_W);
        mp_map(mp_pml4, VA + 4096, last, 1, PTE_W);
        mp_map(mp_pml4, VB, pa, 1, 0);
        mp_map(mp_pml4, VB + 4096, last, 1, 0);
        mp_flush_all();
        volatile uint64_t *wa = (volatile uint64_t *)(uintptr_t)VA;
        volatile uint64_t *rb = (volatile uint64_t *)(uintptr_t)VB;
        for (unsigned k = 0; k < 512; k += 32) {
            wa[k] = pattern(pa, k);
            wa[512 + k] = pattern(last, k);
        }
        for (unsigned k = 0; k < 512; k += 32) {
            bad += rb[k] != pattern(pa, k);
            bad += rb[512 + k] != pattern(last, k);
            uint64_t v = rb[k];
            crc = crc32(crc, &v, sizeof(v));
        }
    }
    kprintf("high RAM: %u mismatches, crc %x\n", bad, crc);
    /* A 1 GiB page over high RAM sees what the 4 KiB mappings wrote. */
    mp_map(mp_pml4, TEST_1G, HIGH_BASE + GIB, 3, 0);
    mp_flush_all();
    uint64_t off = STEP * 5 - GIB; /* the sixth step lies in the second GiB */
    kprintf("through a 1 GiB page: %s\n",
            *(volatile uint64_t *)(uintptr_t)(TEST_1G + off) == pattern(HIGH_BASE + STEP * 5, 0)
                ? "same"
                : "different");
    return 0;
}
