/* TLB-heavy benchmark: a 64 MiB region mapped with 4 KiB pages (16384
 * pages, far more than any TLB holds) is touched at a 4 KiB stride, a read
 * and a write per page, round after round. Nearly every access misses the
 * data TLB and walks the paging structures (A and D bits are set on the
 * first round only). Prints one checksum; exits through port 0xF4. */
#include "klib.h"

#define REGION_VA   0x8000000000ULL /* PML4[1] */
#define REGION_PA   0x1000000ULL    /* 16 MiB .. 80 MiB of RAM */
#define REGION_SIZE (64ULL << 20)
#define PAGES       (REGION_SIZE >> 12)
#define PTS         (PAGES / 512)
#define ROUNDS      1000
#define PTE_P_W     0x3ULL

extern uint64_t boot_pml4[512];

static __attribute__((aligned(4096))) uint64_t pml4[512];
static __attribute__((aligned(4096))) uint64_t pdpt[512];
static __attribute__((aligned(4096))) uint64_t pd[512];
static __attribute__((aligned(4096))) uint64_t pt[PTS][512];

static void map_region(void)
{
    pml4[0] = boot_pml4[0];
    pml4[1] = (uint64_t)(uintptr_t)pdpt | PTE_P_W;
    pdpt[0] = (uint64_t)(uintptr_t)pd | PTE_P_W;
    for (uint64_t i = 0; i < PTS; i++) {
        pd[i] = (uint64_t)(uintptr_t)pt[i] | PTE_P_W;
        for (uint64_t j = 0; j < 512; j++)
            pt[i][j] = (REGION_PA + ((i * 512 + j) << 12)) | PTE_P_W;
    }
    WRITE_CR(3, (uint64_t)(uintptr_t)pml4);
}

int kmain(uint32_t mbi, uint32_t magic)
{
    (void)mbi;
    (void)magic;
    map_region();
    volatile uint64_t *region = (volatile uint64_t *)(uintptr_t)REGION_VA;
    uint64_t sum = 0;
    for (uint64_t r = 0; r < ROUNDS; r++) {
        for (uint64_t p = 0; p < PAGES; p++) {
            volatile uint64_t *q = region + p * 512;
            uint64_t v = *q;
            *q = v + p;
            sum += v;
        }
    }
    kprintf("tlbtouch: %u pages x %u rounds, sum %lx\n", (unsigned)PAGES, ROUNDS,
            (unsigned long)sum);
    return 0;
}
